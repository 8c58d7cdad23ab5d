from django.apps import AppConfig


class HomesConfig(AppConfig):
    name = "apps.homes"
    label = "homes"
    verbose_name = "Homes"

    def ready(self):
        from apps.accounts.access import user_scope
        from apps.accounts.models import Role
        from apps.accounts.user_homes import UserHomes, user_homes_register
        from apps.homes import access, services

        user_scope.contribute(Role.HOME_MANAGER, access.staff_of_managed_homes)
        user_homes_register(
            UserHomes(
                names=access.home_names_of,
                choices=access.homes_to_give,
                granted=access.home_ids_of,
                grant=services.home_staff_grant_invited,
                replace=services.home_staff_replace,
            )
        )

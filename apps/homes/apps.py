from django.apps import AppConfig


class HomesConfig(AppConfig):
    name = "apps.homes"
    label = "homes"
    verbose_name = "Homes"

    def ready(self):
        from apps.accounts.access import user_scope
        from apps.accounts.models import Role
        from apps.accounts.selectors import USER_HOME_CHOICES, USER_HOME_READERS
        from apps.accounts.services import USER_HOME_GRANTERS
        from apps.homes import access, services

        user_scope.contribute(Role.HOME_MANAGER, access.staff_of_managed_homes)
        if access.home_names_of not in USER_HOME_READERS:
            USER_HOME_READERS.append(access.home_names_of)
        if access.homes_to_give not in USER_HOME_CHOICES:
            USER_HOME_CHOICES.append(access.homes_to_give)
        if services.home_staff_grant_invited not in USER_HOME_GRANTERS:
            USER_HOME_GRANTERS.append(services.home_staff_grant_invited)

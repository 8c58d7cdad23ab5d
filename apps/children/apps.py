from django.apps import AppConfig


class ChildrenConfig(AppConfig):
    name = "apps.children"
    label = "children"
    verbose_name = "Children"

    def ready(self):
        # Parts of the homes scope that are about children's placements (apps/core/scope.py,
        # "Contributed parts"): homes may not import children.
        from apps.accounts.models import Role
        from apps.children import access
        from apps.homes.access import home_scope

        home_scope.contribute(Role.SOCIAL_WORKER, access.homes_of_visible_children)
        home_scope.contribute(Role.SERVICE_MANAGER, access.homes_of_authority_children)
        # What the homes pages show about the children living there.
        from apps.children import panels

        panels.register()

from django.apps import AppConfig


class EpisodesConfig(AppConfig):
    name = "apps.episodes"
    label = "episodes"
    verbose_name = "Episodes"

    def ready(self):
        # A part of the children scope that is about episodes (apps/core/scope.py,
        # "Contributed parts"): children may not import episodes.
        from apps.accounts.models import Role
        from apps.children.access import child_scope
        from apps.episodes import access

        child_scope.contribute(Role.POLICE_LIAISON, access.children_missing_in_force_area)

        # Its panels on lower apps' pages (apps.core.panels): they do not import this app.
        from apps.episodes import panels

        panels.register()

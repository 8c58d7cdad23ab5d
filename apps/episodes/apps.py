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

        # Each child's status (missing or away now, since when) on every children list.
        from apps.children.selectors import child_status_annotation
        from apps.episodes import selectors

        child_status_annotation("status_kind", selectors.status_kind)
        child_status_annotation("status_since", selectors.status_since)

        # A placement does not end while the child is away, nor a date of birth fall after an
        # episode: checks children runs, as it may not import episodes.
        from apps.children.services import child_record_check_register
        from apps.episodes import services

        child_record_check_register(
            placement_end=services.placement_end_refused_while_away,
            date_of_birth=services.date_of_birth_refused_after_episodes,
        )

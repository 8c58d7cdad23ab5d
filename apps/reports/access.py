"""Who may see dashboards, export tables, and open a police pack.

- Dashboards and their exports: service managers (their authority's scope) and home managers
  (their homes); the figures themselves are scoped by apps.episodes.access.
- SSDA903 Missing table: service managers (the return is their authority's).
- Police pack of an episode: everyone who sees the full episode (apps.episodes.access): care
  staff of the home, the child's social worker, the police of the home's force area, service
  managers; not return interviewers (they see the minimum) and not administrators.
- An export job: only the person who asked for it.
Forbidden answers 404.
"""

from django.http import Http404

from apps.accounts.models import Role
from apps.core.scope import one_or_404
from apps.episodes import access as episode_access
from apps.reports.models import ExportJob


def can_see_dashboard(user) -> bool:
    return user.role in (Role.SERVICE_MANAGER, Role.HOME_MANAGER) and bool(user.organisation_id)


def can_export_ssda903(user) -> bool:
    return user.role == Role.SERVICE_MANAGER and bool(user.organisation_id)


def can_open_police_pack(user, episode) -> bool:
    """Caller fetched `episode` with get_episode_for_user (so the user sees it)."""
    return episode_access.can_see_full_episode(user) and user.role != Role.ADMINISTRATOR


def get_export_job_for_user(user, pk) -> ExportJob:
    if not user.is_authenticated:
        raise Http404("No such export")
    return one_or_404(ExportJob.objects.filter(user=user), pk, "export")

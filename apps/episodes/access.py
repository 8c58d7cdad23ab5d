"""Who may see and do what with episodes, return interviews and safe-and-well visits.

Who sees which episodes (ARCHITECTURE.md, access model):
- care worker, home manager: episodes from homes they are granted;
- social worker: episodes of children they can see;
- police liaison: episodes from homes in their force area;
- service manager: episodes of children they can see, and from homes their authority runs;
- return interviewer: episodes whose interview is assigned to them (minimum detail);
- administrator: none.
Forbidden answers 404 (get_episode_for_user).
"""

import operator
from functools import reduce

from django.db.models import Q, QuerySet
from django.http import Http404

from apps.accounts.models import Role
from apps.children.access import children_visible_to, sees_child
from apps.core.lookups import rows_matching_any  # also registers the in_ids lookup
from apps.episodes.models import Episode, ReturnInterview


def _homes(**conditions) -> QuerySet:
    from apps.homes.models import Home

    return Home.objects.filter(**conditions).values("pk")


def episode_scope_parts(user) -> list[Q]:
    """The user's scope on Episode as conditions any of which makes an episode visible (see
    apps.children.access.child_scope_parts for why it is kept in parts). The conditions name
    only `home` and `child`, so they apply to placements too (placements_in_episode_scope)."""
    if not (user and user.is_authenticated and user.is_active):
        return []
    role = user.role
    if role in (Role.CARE_WORKER, Role.HOME_MANAGER):
        from apps.homes.access import granted_home_ids

        return [Q(home_id__in_ids=granted_home_ids(user))]
    if role == Role.SOCIAL_WORKER:
        return [Q(child_id__in_ids=children_visible_to(user).values("pk"))]
    # Homes by their force or operator are read first through their own index, so that an
    # episode's home is not joined (PostgreSQL then reads every home in the country).
    if role == Role.POLICE_LIAISON and user.organisation_id:
        return [Q(home_id__in_ids=_homes(police_force_id=user.organisation_id))]
    if role == Role.SERVICE_MANAGER and user.organisation_id:
        return [
            Q(child_id__in_ids=children_visible_to(user).values("pk")),
            Q(home_id__in_ids=_homes(operator_id=user.organisation_id)),
        ]
    if role == Role.RETURN_INTERVIEWER:
        return [Q(interview__assigned_to=user)]
    return []


def episode_scope_q(user) -> Q:
    parts = episode_scope_parts(user)
    if not parts:
        return Q(pk__in=[])
    return reduce(operator.or_, parts)


def episodes_visible_to(user, *, where: Q | None = None) -> QuerySet[Episode]:
    """The episodes `user` may see; a scope of several parts is read part by part through
    their indexes and joined by primary key, as for children. `where` (a period, say) is
    applied inside each part, so a part reads only the episodes it keeps (a service manager's
    year of episodes through episode_child_recent, not every episode of their children)."""
    parts = episode_scope_parts(user)
    if where is not None:
        parts = [part & where for part in parts]
    return rows_matching_any(Episode, parts)


def placements_in_episode_scope(user):
    """Placements counted beside the user's episodes in a rate (episodes per 1,000 placement
    nights): the parts of episode_scope_parts applied to placements (their fields, home and
    child, are the placement's too), each through its index and joined by primary key, so a
    rate never divides the episodes a user sees by the nights of children whose episodes they
    cannot see. Return interviewers count no nights."""
    from apps.children.models import Placement

    if getattr(user, "role", None) == Role.RETURN_INTERVIEWER:
        return Placement.objects.none()
    return rows_matching_any(Placement, episode_scope_parts(user))


def get_episode_for_user(user, pk) -> Episode:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such episode") from None
    # One episode: the scope as one condition on that row (see get_child_for_user).
    episode = (
        Episode.objects.filter(episode_scope_q(user), pk=pk)
        .select_related("child", "child__placing_authority", "home", "home__police_force")
        .first()
    )
    if episode is None:
        raise Http404("No such episode")
    return episode


def get_interview_for_episode(episode: Episode) -> ReturnInterview:
    """The episode's return interview, or Http404 while there is none (before the return).

    Caller has fetched `episode` with get_episode_for_user.
    """
    interview = (
        ReturnInterview.objects.filter(episode=episode)
        .select_related("assigned_to", "recorded_by")
        .first()
    )
    if interview is None:
        raise Http404("No return interview yet")
    interview.episode = episode  # already fetched, through the scope
    return interview


def interviews_visible_to(user) -> QuerySet[ReturnInterview]:
    return ReturnInterview.objects.filter(episode_id__in_ids=episodes_visible_to(user).values("pk"))


def _sees_child(user, child) -> bool:
    return sees_child(user, child)


def can_log_episode(user, child) -> bool:
    """Care staff of the child's home, and the case holders, report a child missing."""
    if user.role in (Role.CARE_WORKER, Role.HOME_MANAGER, Role.SOCIAL_WORKER):
        return _sees_child(user, child)
    if user.role == Role.SERVICE_MANAGER:
        return _sees_child(user, child)
    return False


def can_update_episode(user, episode: Episode) -> bool:
    """Everyone who sees an episode except return interviewers adds to it."""
    return user.role in (
        Role.CARE_WORKER,
        Role.HOME_MANAGER,
        Role.SOCIAL_WORKER,
        Role.SERVICE_MANAGER,
        Role.POLICE_LIAISON,
    )


def can_edit_police_details(user, episode: Episode) -> bool:
    """Police reference and risk grade: the police, and the home that reported to them."""
    return user.role in (
        Role.POLICE_LIAISON,
        Role.CARE_WORKER,
        Role.HOME_MANAGER,
        Role.SOCIAL_WORKER,
        Role.SERVICE_MANAGER,
    )


def can_record_return(user, episode: Episode) -> bool:
    return user.role in (
        Role.CARE_WORKER,
        Role.HOME_MANAGER,
        Role.SOCIAL_WORKER,
        Role.SERVICE_MANAGER,
    )


def can_record_interview(user, interview: ReturnInterview) -> bool:
    if user.role == Role.RETURN_INTERVIEWER:
        return interview.assigned_to_id == user.pk
    return user.role in (Role.SOCIAL_WORKER, Role.SERVICE_MANAGER)


def can_assign_interview(user, interview: ReturnInterview) -> bool:
    return user.role in (Role.SOCIAL_WORKER, Role.SERVICE_MANAGER)


def can_record_visit(user, episode: Episode) -> bool:
    return user.role == Role.POLICE_LIAISON and episode.home.police_force_id == user.organisation_id


def can_see_full_episode(user) -> bool:
    """Return interviewers see the minimum: the child's name, the dates, the interview."""
    return user.role != Role.RETURN_INTERVIEWER


def episode_permissions(user, episode: Episode) -> dict[str, bool]:
    interview = getattr(episode, "interview", None)
    return {
        "can_update": can_update_episode(user, episode),
        "can_edit_police": can_edit_police_details(user, episode),
        "can_record_return": episode.is_open and can_record_return(user, episode),
        "can_record_interview": interview is not None and can_record_interview(user, interview),
        "can_assign_interview": interview is not None and can_assign_interview(user, interview),
        "can_record_visit": not episode.is_open and can_record_visit(user, episode),
        "full": can_see_full_episode(user),
    }


# Lists and links (added with the episode pages) ----------------------------------------------


def can_see_missing_now(user) -> bool:
    """The missing-now board: everyone who works with episodes, not administrators (no
    children) and not return interviewers (they see only the interviews assigned to them)."""
    return user.role in (
        Role.CARE_WORKER,
        Role.HOME_MANAGER,
        Role.SOCIAL_WORKER,
        Role.POLICE_LIAISON,
        Role.SERVICE_MANAGER,
    )


def can_list_interviews(user) -> bool:
    """The return interviews list: interviewers (theirs) and the case holders (their children's)."""
    return user.role in (Role.RETURN_INTERVIEWER, Role.SOCIAL_WORKER, Role.SERVICE_MANAGER)


def can_open_child_record(user, child) -> bool:
    """Whether a link to the child's record would open for this user (police lose sight of it
    when the child returns; return interviewers never see it)."""
    return _sees_child(user, child)

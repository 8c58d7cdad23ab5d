"""Who may see and do what with episodes, return interviews, safe-and-well visits and
Regulation 40 decisions.

Who sees which episodes (ARCHITECTURE.md, access model; `episode_scope`):
- care worker, home manager: episodes from homes they are granted;
- social worker: episodes of children they can see;
- police liaison: episodes from homes in their force area;
- service manager: episodes of children they can see, and from homes their authority runs;
- return interviewer: episodes whose interview is assigned to them (minimum detail);
- administrator: none.
Forbidden answers 404 (get_episode_for_user). The mechanism: apps/core/scope.py.

Regulation 40 decisions (`reg40_scope`): the managers of the episode's home decide; care staff
of the home and the case holders (social worker, service manager: decisions about children
they can see) see them; the police do not.

This app contributes to apps.children.access.child_scope, for police liaisons, the children
missing now from a home in their force area (EpisodesConfig.ready).
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from apps.accounts.models import Role
from apps.children.access import children_visible_to, sees_child
from apps.children.models import Placement
from apps.core.scope import Scope, one_or_404, rows_of_parts
from apps.episodes.models import (
    AuthorityStep,
    Episode,
    Regulation40Decision,
    ReturnInterview,
)
from apps.homes.models import Home

# The parts are conditions naming only `home` and `child`, so they apply to placements too
# (placements_in_episode_scope). Homes by their force or operator are read first through their
# own index, so that an episode's home is not joined (PostgreSQL then reads every home in the
# country).


def _at_granted_homes(user):
    return Q(home_id__in_ids=Home.objects.granted_ids(user))


def _of_visible_children(user):
    return Q(child_id__in_ids=children_visible_to(user).values("pk"))


def _in_force_area(user):
    if user.organisation_id:
        return Q(
            home_id__in_ids=Home.objects.filter(police_force_id=user.organisation_id).values("pk")
        )
    return None


def _of_visible_children_with_authority(user):
    return _of_visible_children(user) if user.organisation_id else None


def _at_operated_homes(user):
    if user.organisation_id:
        return Q(home_id__in_ids=Home.objects.filter(operator_id=user.organisation_id).values("pk"))
    return None


def _interview_assigned(user):
    return Q(interview__assigned_to=user)


episode_scope = Scope(
    Episode,
    {
        (Role.CARE_WORKER, Role.HOME_MANAGER): [_at_granted_homes],
        Role.SOCIAL_WORKER: [_of_visible_children],
        Role.POLICE_LIAISON: [_in_force_area],
        Role.SERVICE_MANAGER: [_of_visible_children_with_authority, _at_operated_homes],
        Role.RETURN_INTERVIEWER: [_interview_assigned],
    },
    name="episode",
)


def episode_scope_q(user) -> Q:
    return episode_scope.condition(user)


def episodes_visible_to(user, *, where: Q | None = None) -> QuerySet[Episode]:
    """The episodes `user` may see; a scope of several parts is read part by part through
    their indexes and joined by primary key, as for children. `where` (a period, say) is
    applied inside each part, so a part reads only the episodes it keeps (a service manager's
    year of episodes through episode_child_recent, not every episode of their children)."""
    return episode_scope.rows(user, where=where)


def placements_in_episode_scope(user):
    """Placements counted beside the user's episodes in a rate (episodes per 1,000 placement
    nights): the parts of episode_scope applied to placements (their fields, home and child,
    are the placement's too), each through its index and joined by primary key, so a rate
    never divides the episodes a user sees by the nights of children whose episodes they
    cannot see. Return interviewers count no nights."""
    if getattr(user, "role", None) == Role.RETURN_INTERVIEWER:
        return Placement.objects.none()
    return rows_of_parts(Placement, episode_scope.parts(user))


def get_episode_for_user(user, pk) -> Episode:
    return episode_scope.fetch_or_404(
        user,
        pk,
        queryset=Episode.objects.select_related(
            "child", "child__placing_authority", "home", "home__police_force"
        ),
    )


# Contributed to apps.children.access.child_scope (EpisodesConfig.ready) ---------------------


def children_missing_in_force_area(user):
    """Children missing now from a home in the police liaison's force area."""
    return (
        Episode.objects.open().filter(home__police_force_id=user.organisation_id).values("child_id")
    )


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
    """Care staff of the child's home, the case holders, and police liaison officers (who may
    learn first: a child found in the street, a call from a parent) report a child missing,
    for a child they can see."""
    return user.role in (
        Role.CARE_WORKER,
        Role.HOME_MANAGER,
        Role.SOCIAL_WORKER,
        Role.POLICE_LIAISON,
        Role.SERVICE_MANAGER,
    ) and _sees_child(user, child)


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
        Role.POLICE_LIAISON,
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


# Who reads what the child said in a return interview (push and pull factors, places, people,
# disclosures, the CSE concern): the people who act on it. Care workers and police see that it
# was held and its outcome, and the summary the social worker shares with them.
INTERVIEW_CONTENT_ROLES = {
    Role.SOCIAL_WORKER,
    Role.RETURN_INTERVIEWER,
    Role.HOME_MANAGER,
    Role.SERVICE_MANAGER,
}


def can_read_interview_content(user) -> bool:
    return user.role in INTERVIEW_CONTENT_ROLES


def can_share_interview_summary(user, interview: ReturnInterview) -> bool:
    """The child's social worker (or a service manager) shares a summary with the home and
    the police (the episode page offers it once the interview has an outcome)."""
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
        "can_tick_steps": can_tick_steps(user, episode),
        "can_read_interview": can_read_interview_content(user),
        "can_share_summary": interview is not None and can_share_interview_summary(user, interview),
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


# Regulation 40 ----------------------------------------------------------------------------

REG40_CASE_ROLES = (Role.SOCIAL_WORKER, Role.SERVICE_MANAGER)


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _reg40_at_granted_homes(user):
    return Q(home_id__in=Home.objects.granted_ids(user))


def _reg40_of_visible_children(user):
    return Q(episode__child__in=children_visible_to(user).values("pk"))


reg40_scope = Scope(
    Regulation40Decision,
    {
        (Role.CARE_WORKER, Role.HOME_MANAGER): [_reg40_at_granted_homes],
        REG40_CASE_ROLES: [_reg40_of_visible_children],
    },
    name="decision",
)


def reg40_scope_q(user) -> Q:
    return reg40_scope.condition(user)


def reg40_visible_to(user) -> QuerySet[Regulation40Decision]:
    return reg40_scope.rows(user)


def get_reg40_for_user(user, pk) -> Regulation40Decision:
    return reg40_scope.fetch_or_404(
        user,
        pk,
        queryset=Regulation40Decision.objects.select_related(
            "episode", "episode__child", "home", "decided_by"
        ),
    )


def can_decide_reg40(user, decision: Regulation40Decision) -> bool:
    """The managers of the home (they see it only for homes granted to them)."""
    return user.role == Role.HOME_MANAGER


def can_list_reg40(user) -> bool:
    return _active(user) and user.role in (Role.HOME_MANAGER, *REG40_CASE_ROLES)


# The first hour -----------------------------------------------------------------------------


def can_tick_steps(user, episode: Episode) -> bool:
    """Everyone who adds to an episode ticks its first-hour steps."""
    return can_update_episode(user, episode)


def sees_episode(user, episode: Episode) -> bool:
    return episode_scope.contains(user, episode)


def can_manage_authority_steps(user) -> bool:
    """An authority's service managers keep its own first-hour steps."""
    return _active(user) and user.role == Role.SERVICE_MANAGER and bool(user.organisation_id)


def authority_steps_managed_by(user) -> QuerySet[AuthorityStep]:
    if not can_manage_authority_steps(user):
        return AuthorityStep.objects.none()
    return AuthorityStep.objects.filter(authority_id=user.organisation_id)


def get_authority_step_for_user(user, pk) -> AuthorityStep:
    return one_or_404(authority_steps_managed_by(user), pk, "step")

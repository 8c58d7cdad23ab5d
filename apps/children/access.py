"""Who may see and do what with children, placements, Philomena profiles and CSE risk
assessments (the case holders see and complete them; others see only the level).

One scope per model (`child_scope`, `placements_visible_to`) and one fetch
(`get_child_for_user`) that raises Http404 both when the child does not exist and when the
user may not see it, so existence never leaks. Every view, API view, export and task that
reads on a user's behalf goes through here. The mechanism: apps/core/scope.py.

Who sees which children (ARCHITECTURE.md, access model):
- care worker, home manager: children currently placed at a home they are granted;
- social worker: children granted to them (allocation);
- police liaison: children granted to them for a time (unexpired grant), children missing now
  from a home in their force area (contributed by apps.episodes: the police need the
  Philomena pack while they search; it closes on return), and children they are invited to a
  strategy meeting about, upcoming or held in the last 90 days (contributed by
  apps.strategy_meetings);
- service manager: children their authority places, and children currently placed in homes
  their authority operates;
- return interviewer: none here (their interviews give minimum detail, episodes issue);
- administrator: none.

This app contributes to apps.homes.access.home_scope the homes where the children a social
worker sees, or a service manager's authority places, are living now (ChildrenConfig.ready).
"""

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from apps.accounts.models import Role
from apps.children.models import (
    Associate,
    Child,
    ChildUserObjectPermission,
    CseAnswer,
    CseRiskAssessment,
    Place,
    Placement,
)
from apps.core.scope import Scope, one_or_404
from apps.core.scope import _active as _active
from apps.core.scope import require as require  # views and API views call access.require
from apps.homes.models import Home

VIEW_CHILD = "view_child"


def _unexpired_grants(user):
    now = timezone.now()
    return ChildUserObjectPermission.objects.filter(
        user=user,
        permission__codename=VIEW_CHILD,
        permission__content_type__app_label="children",
    ).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


# Each part is read from the table that drives it, through that table's index (placements at
# the user's homes, their grants, ...), never by testing every child.


def _placed_at_granted_homes(user):
    return (
        Placement.objects.current()
        .filter(home_id__in_ids=Home.objects.granted_ids(user))
        .values("child_id")
    )


def _granted(user):
    return _unexpired_grants(user).values("content_object_id")


def _placed_by_authority(user):
    if user.organisation_id:
        return Child.objects.filter(placing_authority_id=user.organisation_id).values("pk")
    return None


def _placed_at_operated_homes(user):
    if user.organisation_id:
        return (
            Placement.objects.current()
            .filter(home__operator_id=user.organisation_id)
            .values("child_id")
        )
    return None


child_scope = Scope(
    Child,
    {
        (Role.CARE_WORKER, Role.HOME_MANAGER): [_placed_at_granted_homes],
        Role.SOCIAL_WORKER: [_granted],
        # + missing now in their area (apps.episodes), invited to a meeting (strategy_meetings)
        Role.POLICE_LIAISON: [_granted],
        Role.SERVICE_MANAGER: [_placed_by_authority, _placed_at_operated_homes],
    },
    name="child",
)


def children_visible_to(user) -> QuerySet[Child]:
    """The children `user` may see, read by primary key from the ids of the scope's parts
    (pk__in_ids: see apps/core/lookups.py)."""
    return child_scope.rows(user)


def get_child_for_user(user, pk) -> Child:
    """The child, or Http404 when it does not exist or `user` may not see it."""
    return child_scope.fetch_or_404(
        user,
        pk,
        queryset=Child.objects.select_related("placing_authority", "allocated_social_worker"),
    )


def sees_child(user, child: Child) -> bool:
    """May `user` see `child`? No query when the child was fetched for them with
    get_child_for_user in this request; otherwise one."""
    return child_scope.contains(user, child)


# Parts this app contributes to home_scope (ChildrenConfig.ready) ----------------------------


def homes_of_visible_children(user):
    """Homes where a child `user` can see is currently placed (social workers)."""
    return (
        Placement.objects.current()
        .filter(child_id__in_ids=children_visible_to(user).values("pk"))
        .values("home_id")
    )


def homes_of_authority_children(user):
    """Homes where a child the user's authority places is living now (service managers)."""
    if not user.organisation_id:
        return None
    placed_by_us = Child.objects.filter(placing_authority_id=user.organisation_id).values("pk")
    return Placement.objects.current().filter(child_id__in_ids=placed_by_us).values("home_id")


def placements_visible_to(user) -> QuerySet[Placement]:
    return Placement.objects.filter(child_id__in_ids=children_visible_to(user).values("pk"))


def get_placement_for_user(user, pk) -> Placement:
    """A placement of a child the user may see, or Http404 (through the access scope)."""
    return one_or_404(
        placements_visible_to(user).select_related("home", "child", "child__placing_authority"),
        pk,
        "placement",
    )


# What a user may do with a child they can see -----------------------------------------------


def is_case_holder(user, child: Child) -> bool:
    """Allocated social worker, or a service manager of the placing authority."""
    if user.role == Role.SOCIAL_WORKER:
        return child.allocated_social_worker_id == user.pk
    if user.role == Role.SERVICE_MANAGER:
        return child.placing_authority_id == user.organisation_id
    return False


def can_edit_child(user, child: Child) -> bool:
    return is_case_holder(user, child)


def can_manage_placements(user, child: Child) -> bool:
    return is_case_holder(user, child)


def can_allocate(user, child: Child) -> bool:
    return user.role == Role.SERVICE_MANAGER and child.placing_authority_id == user.organisation_id


def can_grant_police_access(user, child: Child) -> bool:
    return is_case_holder(user, child)


def can_edit_profile(user, child: Child) -> bool:
    """Care staff of the child's current home keep the profile; so do the case holders."""
    if user.role in (Role.CARE_WORKER, Role.HOME_MANAGER):
        return True  # they can only see children currently placed at their homes
    return is_case_holder(user, child)


def can_view_access_log(user, child: Child) -> bool:
    return user.role == Role.SERVICE_MANAGER


def can_create_children(user) -> bool:
    return user.role in (Role.SOCIAL_WORKER, Role.SERVICE_MANAGER) and bool(user.organisation_id)


def child_permissions(user, child: Child) -> dict[str, bool]:
    """Flags for templates to hide buttons; views still enforce each one."""
    return {
        "can_edit": can_edit_child(user, child),
        "can_manage_placements": can_manage_placements(user, child),
        "can_allocate": can_allocate(user, child),
        "can_grant_police_access": can_grant_police_access(user, child),
        "can_edit_profile": can_edit_profile(user, child),
        "can_view_access_log": can_view_access_log(user, child),
    }


# One item of a child the user can see (the caller fetched the child with get_child_for_user) --


def get_placement_for_child(child: Child, pk) -> Placement:
    return one_or_404(Placement.objects.filter(child=child).select_related("home"), pk, "placement")


def get_associate_for_child(child: Child, pk) -> Associate:
    return one_or_404(Associate.objects.filter(profile__child=child), pk, "associate")


def get_place_for_child(child: Child, pk) -> Place:
    return one_or_404(Place.objects.filter(profile__child=child), pk, "place")


def get_police_grant_for_child(child: Child, pk) -> ChildUserObjectPermission:
    """A time-boxed grant on `child` (never the allocated social worker's grant)."""
    return one_or_404(
        ChildUserObjectPermission.objects.filter(
            content_object=child, expires_at__isnull=False
        ).select_related("user"),
        pk,
        "grant",
    )


# CSE risk assessments: the case holders see and complete them, with every answer; anyone
# else who can see the child sees only the current level (on the child page) -----------------


def get_child_for_assessments(user, pk) -> Child:
    """The child, if the user may see and complete its assessments (the case holders)."""
    child = get_child_for_user(user, pk)
    require(is_case_holder(user, child))
    return child


def get_assessment_for_child(child: Child, pk) -> CseRiskAssessment:
    """One of the child's assessments, with its assessor and answers (and their indicators)."""
    return one_or_404(
        child.cse_assessments.select_related("assessed_by").prefetch_related(
            Prefetch("answers", queryset=CseAnswer.objects.select_related("indicator"))
        ),
        pk,
        "assessment",
    )


def can_manage_indicators(user) -> bool:
    return _active(user) and user.role == Role.SERVICE_MANAGER and bool(user.organisation_id)

"""Who may see and do what with children, placements and Philomena profiles.

One scope per model (`children_visible_to`, `placements_visible_to`) and one fetch
(`get_child_for_user`) that raises Http404 both when the child does not exist and when the
user may not see it, so existence never leaks. Every view, API view, export and task that
reads on a user's behalf goes through here.

Who sees which children (ARCHITECTURE.md, access model):
- care worker, home manager: children currently placed at a home they are granted;
- social worker: children granted to them (allocation);
- police liaison: children granted to them for a time (unexpired grant), children they are
  invited to a strategy meeting about (upcoming, or held in the last 90 days), and children missing
  now from a home in their force area;
- service manager: children their authority places, and children currently placed in homes
  their authority operates;
- return interviewer: none here (their interviews give minimum detail, episodes issue);
- administrator: none.
"""

from datetime import timedelta

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from apps.accounts.models import Role
from apps.children.models import Associate, Child, ChildUserObjectPermission, Place, Placement
from apps.core.lookups import any_part_q, rows_in_parts

VIEW_CHILD = "view_child"


def _unexpired_grants(user):
    now = timezone.now()
    return ChildUserObjectPermission.objects.filter(
        user=user,
        permission__codename=VIEW_CHILD,
        permission__content_type__app_label="children",
    ).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


def child_scope_parts(user) -> list[QuerySet]:
    """The user's scope as querysets of child ids: a child is visible when any holds it.

    Each part is read from the table that drives it, through that table's index (placements
    at the user's homes, their grants, ...), never by testing every child: the cost follows
    the size of the scope, not of the table. children_visible_to joins the parts' ids
    (UNION) and reads the children by primary key; child_scope_q is the same rule as one
    condition, for checks on one child.
    """
    if not (user and user.is_authenticated and user.is_active):
        return []
    role = user.role
    if role in (Role.CARE_WORKER, Role.HOME_MANAGER):
        from apps.homes.access import granted_home_ids

        return [
            Placement.objects.current()
            .filter(home_id__in_ids=granted_home_ids(user))
            .values("child_id")
        ]
    if role == Role.SOCIAL_WORKER:
        return [_unexpired_grants(user).values("content_object_id")]
    if role == Role.POLICE_LIAISON:
        from apps.episodes.models import Episode

        # A time-boxed grant, or the child is missing now from a home in the force's area
        # (the police need the Philomena pack while they search; it closes on return).
        missing_here = Episode.objects.open().filter(home__police_force_id=user.organisation_id)
        # Invited to a strategy meeting about the child that is still to come or was held in
        # the last 90 days: the officer needs the Philomena profile to take part.
        from apps.strategy_meetings.models import MeetingAttendee

        invited = MeetingAttendee.objects.filter(
            user=user,
            meeting__status__in=["scheduled", "rescheduled", "held"],
            meeting__scheduled_at__gte=timezone.now() - timedelta(days=90),
        )
        return [
            _unexpired_grants(user).values("content_object_id"),
            missing_here.values("child_id"),
            invited.values("meeting__child_id"),
        ]
    if role == Role.SERVICE_MANAGER and user.organisation_id:
        return [
            Child.objects.filter(placing_authority_id=user.organisation_id).values("pk"),
            Placement.objects.current()
            .filter(home__operator_id=user.organisation_id)
            .values("child_id"),
        ]
    return []


def child_scope_q(user) -> Q:
    """A Q on Child that is true exactly for the children `user` may see."""
    parts = child_scope_parts(user)
    return any_part_q(parts)


def children_visible_to(user) -> QuerySet[Child]:
    """The children `user` may see, read by primary key from the ids of the scope's parts
    (pk__in_ids: see apps/core/lookups.py)."""
    parts = child_scope_parts(user)
    return rows_in_parts(Child, parts)


def get_child_for_user(user, pk) -> Child:
    """The child, or Http404 when it does not exist or `user` may not see it."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such child") from None
    # One child: the scope as one condition, checked on that row alone (the list form,
    # children_visible_to, would gather the whole scope first).
    child = (
        Child.objects.filter(child_scope_q(user), pk=pk)
        .select_related("placing_authority", "allocated_social_worker")
        .first()
    )
    if child is None:
        raise Http404("No such child")
    child.fetched_for_user_id = user.pk  # seen through this user's scope (sees_child)
    return child


def sees_child(user, child: Child) -> bool:
    """May `user` see `child`? No query when the child was fetched for them with
    get_child_for_user in this request; otherwise one."""
    if getattr(child, "fetched_for_user_id", None) == user.pk:
        return True
    return Child.objects.filter(child_scope_q(user), pk=child.pk).exists()


def placements_visible_to(user) -> QuerySet[Placement]:
    return Placement.objects.filter(child_id__in_ids=children_visible_to(user).values("pk"))


# What a user may do with a child they can see -----------------------------------------------


def _is_case_holder(user, child: Child) -> bool:
    """Allocated social worker, or a service manager of the placing authority."""
    if user.role == Role.SOCIAL_WORKER:
        return child.allocated_social_worker_id == user.pk
    if user.role == Role.SERVICE_MANAGER:
        return child.placing_authority_id == user.organisation_id
    return False


def can_edit_child(user, child: Child) -> bool:
    return _is_case_holder(user, child)


def can_manage_placements(user, child: Child) -> bool:
    return _is_case_holder(user, child)


def can_allocate(user, child: Child) -> bool:
    return user.role == Role.SERVICE_MANAGER and child.placing_authority_id == user.organisation_id


def can_grant_police_access(user, child: Child) -> bool:
    return _is_case_holder(user, child)


def can_edit_profile(user, child: Child) -> bool:
    """Care staff of the child's current home keep the profile; so do the case holders."""
    if user.role in (Role.CARE_WORKER, Role.HOME_MANAGER):
        return True  # they can only see children currently placed at their homes
    return _is_case_holder(user, child)


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


def require(allowed: bool) -> None:
    """Forbidden looks like missing: raise Http404 when an action is not allowed."""
    if not allowed:
        raise Http404("Not found")


# One item of a child the user can see (the caller fetched the child with get_child_for_user) --


def _one_or_404(queryset, pk, what: str):
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404(f"No such {what}") from None
    item = queryset.filter(pk=pk).first()
    if item is None:
        raise Http404(f"No such {what}")
    return item


def get_placement_for_child(child: Child, pk) -> Placement:
    return _one_or_404(
        Placement.objects.filter(child=child).select_related("home"), pk, "placement"
    )


def get_associate_for_child(child: Child, pk) -> Associate:
    return _one_or_404(Associate.objects.filter(profile__child=child), pk, "associate")


def get_place_for_child(child: Child, pk) -> Place:
    return _one_or_404(Place.objects.filter(profile__child=child), pk, "place")


def get_police_grant_for_child(child: Child, pk) -> ChildUserObjectPermission:
    """A time-boxed grant on `child` (never the allocated social worker's grant)."""
    return _one_or_404(
        ChildUserObjectPermission.objects.filter(
            content_object=child, expires_at__isnull=False
        ).select_related("user"),
        pk,
        "grant",
    )

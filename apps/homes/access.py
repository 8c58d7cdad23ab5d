"""Who may see and do what with homes and their staff grants.

Who sees which homes:
- care worker, home manager: homes granted to them (staff grants);
- social worker: homes where a child they can see is currently placed;
- police liaison: homes in their force area, with address;
- service manager: homes their authority operates or hosts, and homes where a child their
  authority places is currently living;
- return interviewer: none here;
- administrator: every home (they manage homes, not children).
Forbidden answers 404 (get_home_for_user).
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from apps.accounts.models import Role
from apps.core.lookups import any_part_q, rows_in_parts
from apps.homes.models import Home, HomeUserObjectPermission

VIEW_HOME = "view_home"
MANAGE_HOME = "manage_home"


def granted_home_ids(user, codename: str = VIEW_HOME) -> QuerySet:
    """Subquery of the ids of homes granted to `user` with `codename`."""
    return HomeUserObjectPermission.objects.filter(
        user=user, permission__codename=codename, permission__content_type__app_label="homes"
    ).values("content_object_id")


def home_scope_parts(user) -> list[QuerySet] | None:
    """The user's scope as querysets of home ids, each read through its own index (see
    apps.children.access.child_scope_parts); None for every home (administrators)."""
    if not (user and user.is_authenticated and user.is_active):
        return []
    role = user.role
    if role == Role.ADMINISTRATOR:
        return None
    if role in (Role.CARE_WORKER, Role.HOME_MANAGER):
        return [granted_home_ids(user)]
    if role == Role.POLICE_LIAISON and user.organisation_id:
        return [Home.objects.filter(police_force_id=user.organisation_id).values("pk")]
    if role == Role.SOCIAL_WORKER:
        from apps.children.access import children_visible_to
        from apps.children.models import Placement

        return [
            Placement.objects.current()
            .filter(child_id__in_ids=children_visible_to(user).values("pk"))
            .values("home_id")
        ]
    if role == Role.SERVICE_MANAGER and user.organisation_id:
        from apps.children.models import Child, Placement

        org = user.organisation_id
        placed_by_us = Child.objects.filter(placing_authority_id=org).values("pk")
        return [
            Home.objects.filter(operator_id=org).values("pk"),
            Home.objects.filter(host_authority_id=org).values("pk"),
            Placement.objects.current().filter(child_id__in_ids=placed_by_us).values("home_id"),
        ]
    return []


def home_scope_q(user) -> Q:
    """The same rule as one condition, for checks on one home."""
    parts = home_scope_parts(user)
    if parts is None:
        return Q()
    return any_part_q(parts)


def homes_visible_to(user) -> QuerySet[Home]:
    """Read by primary key from the union of the parts' ids."""
    parts = home_scope_parts(user)
    if parts is None:
        return Home.objects.all()
    return rows_in_parts(Home, parts)


def get_home_for_user(user, pk) -> Home:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such home") from None
    home = (
        homes_visible_to(user)
        .select_related("operator", "host_authority", "police_force")
        .filter(pk=pk)
        .first()
    )
    if home is None:
        raise Http404("No such home")
    return home


def is_home_manager_of(user, home: Home) -> bool:
    return (
        user.role == Role.HOME_MANAGER
        and HomeUserObjectPermission.objects.filter(
            user=user, content_object=home, permission__codename=MANAGE_HOME
        ).exists()
    )


def can_create_homes(user) -> bool:
    return user.role == Role.ADMINISTRATOR or (
        user.role == Role.SERVICE_MANAGER and bool(user.organisation_id)
    )


def can_run_homes_for(user, operator) -> bool:
    """May `user` record a home as run by `operator`? Administrators: any operator; service
    managers: their own authority only (they cannot then lose sight of what they added)."""
    if user.role == Role.ADMINISTRATOR:
        return True
    return user.role == Role.SERVICE_MANAGER and operator.pk == user.organisation_id


def can_edit_home(user, home: Home) -> bool:
    if user.role == Role.ADMINISTRATOR:
        return True
    if user.role == Role.SERVICE_MANAGER:
        return home.operator_id == user.organisation_id
    return is_home_manager_of(user, home)


def can_manage_staff(user, home: Home) -> bool:
    return can_edit_home(user, home)


def can_see_children_of(user, home: Home) -> bool:
    """Administrators see the home, never its children; police see homes, not placements."""
    return user.role not in (Role.ADMINISTRATOR, Role.POLICE_LIAISON)


def home_permissions(user, home: Home) -> dict[str, bool]:
    return {
        "can_edit": can_edit_home(user, home),
        "can_manage_staff": can_manage_staff(user, home),
        "can_see_children": can_see_children_of(user, home),
    }


def get_staff_member_for_home(home: Home, user_pk):
    """A user granted to `home`, or Http404 (caller has checked access to the home)."""
    grant = (
        HomeUserObjectPermission.objects.filter(content_object=home, user_id=user_pk)
        .select_related("user")
        .first()
    )
    if grant is None:
        raise Http404("No such member of staff")
    return grant.user

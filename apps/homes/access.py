"""Who may see and do what with homes and their staff grants.

Who sees which homes (`home_scope`):
- care worker, home manager: homes granted to them (staff grants);
- social worker: homes where a child they can see is currently placed (contributed by
  apps.children);
- police liaison: homes in their force area, with address;
- service manager: homes their authority operates or hosts, and homes where a child their
  authority places is currently living (the last contributed by apps.children);
- return interviewer: none here;
- administrator: every home (they manage homes, not children).
Forbidden answers 404 (get_home_for_user). The mechanism: apps/core/scope.py.
"""

from django.db.models import QuerySet
from django.http import Http404

from apps.accounts.models import Role
from apps.core.scope import ALL, Scope
from apps.homes.models import Home, HomeUserObjectPermission

VIEW_HOME = "view_home"
MANAGE_HOME = "manage_home"


def granted_home_ids(user, codename: str = VIEW_HOME) -> QuerySet:
    """Subquery of the ids of homes granted to `user` with `codename`."""
    return Home.objects.granted_ids(user, codename)


def _in_force_area(user):
    if user.organisation_id:
        return Home.objects.filter(police_force_id=user.organisation_id).values("pk")
    return None


def _operated(user):
    if user.organisation_id:
        return Home.objects.filter(operator_id=user.organisation_id).values("pk")
    return None


def _hosted(user):
    if user.organisation_id:
        return Home.objects.filter(host_authority_id=user.organisation_id).values("pk")
    return None


home_scope = Scope(
    Home,
    {
        Role.ADMINISTRATOR: ALL,
        (Role.CARE_WORKER, Role.HOME_MANAGER): [granted_home_ids],
        Role.POLICE_LIAISON: [_in_force_area],
        Role.SOCIAL_WORKER: [],  # + homes of the children they see (apps.children)
        Role.SERVICE_MANAGER: [_operated, _hosted],  # + homes of their children (apps.children)
    },
    name="home",
)


def homes_visible_to(user) -> QuerySet[Home]:
    """Read by primary key from the union of the parts' ids."""
    return home_scope.rows(user)


def get_home_for_user(user, pk) -> Home:
    return home_scope.fetch_or_404(
        user, pk, queryset=Home.objects.select_related("operator", "host_authority", "police_force")
    )


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


def staff_of_managed_homes(user):
    """For apps.accounts' user scope: the users granted on the homes `user` manages."""
    return (
        HomeUserObjectPermission.objects.filter(
            content_object_id__in=granted_home_ids(user, MANAGE_HOME),
            permission__codename=VIEW_HOME,
        )
        .values("user_id")
        .distinct()
    )


def home_names_of(user) -> list[str]:
    """For apps.accounts' user page: the homes `user` is granted on (manager ones marked)."""
    grants = HomeUserObjectPermission.objects.filter(user=user).values_list(
        "content_object__name", "permission__codename"
    )
    managed = {name for name, codename in grants if codename == MANAGE_HOME}
    names = sorted({name for name, _ in grants})
    return [f"{name} (manager)" if name in managed else name for name in names]


def home_ids_of(user) -> set[int]:
    """For apps.accounts: the pks of the homes `user` works in."""
    return set(Home.objects.filter(pk__in=granted_home_ids(user)).values_list("pk", flat=True))


def homes_to_give(actor) -> list[tuple[int, str]]:
    """For apps.accounts' invitation: the open homes `actor` may give a new user
    (administrators: all; a home manager: those they manage)."""
    homes = Home.objects.active().order_by("name")
    if actor.role != Role.ADMINISTRATOR:
        homes = homes.filter(pk__in=granted_home_ids(actor, MANAGE_HOME))
    return list(homes.values_list("pk", "name"))

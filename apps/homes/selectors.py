"""Reads about homes, scoped to the user through apps.homes.access."""

from collections.abc import Callable

from django.db.models import Expression, Q, QuerySet

from apps.accounts.models import Role, User
from apps.homes.access import homes_visible_to
from apps.homes.models import Home, HomeUserObjectPermission

# Figures about each home that a higher app owns (children: how many live there now), each an
# annotation the homes list adds to its one query. The owning app registers it in its
# AppConfig.ready(), as homes may not import it.
_LIST_ANNOTATIONS: dict[str, Callable[[], Expression]] = {}


def home_list_annotation(name: str, expression: Callable[[], Expression]) -> None:
    """Add `name` (the value of `expression()`) to every row of home_list."""
    _LIST_ANNOTATIONS[name] = expression


def home_list(*, user, search: str = "") -> QuerySet[Home]:
    """Homes the user may see, with the figures other apps add (_LIST_ANNOTATIONS), in one query."""
    homes = (
        homes_visible_to(user)
        .select_related("operator", "host_authority", "police_force")
        .annotate(**{name: make() for name, make in _LIST_ANNOTATIONS.items()})
        .order_by("name", "pk")
    )
    if search:
        homes = homes.filter(
            Q(name__icontains=search) | Q(ofsted_urn__iexact=search) | Q(postcode__iexact=search)
        )
    return homes


def home_staff(*, home: Home) -> list[dict]:
    """Staff granted to `home`: one entry per user, with whether they manage it."""
    grants = (
        HomeUserObjectPermission.objects.filter(content_object=home)
        .select_related("user", "permission")
        .order_by("user__full_name")
    )
    staff: dict[int, dict] = {}
    for grant in grants:
        entry = staff.setdefault(grant.user_id, {"user": grant.user, "manager": False})
        if grant.permission.codename == "manage_home":
            entry["manager"] = True
    return list(staff.values())


def homes_none() -> QuerySet[Home]:
    """No homes: the choices of a home field until the user's own are known."""
    return Home.objects.none()


def homes_for_placement(user) -> QuerySet[Home]:
    """Open homes `user` may choose when placing a child.

    Social workers and service managers place children in any open home (about a third of
    children in care live outside their own authority); anyone else only in homes they see.
    """
    if user.role in (Role.SOCIAL_WORKER, Role.SERVICE_MANAGER):
        homes = Home.objects.active()
    else:
        homes = homes_visible_to(user).active()
    return homes.order_by("name", "pk")


def home_staff_candidates(*, home: Home) -> QuerySet[User]:
    """Active care workers and home managers of the organisation that runs `home`."""
    return (
        User.objects.filter(
            organisation_id=home.operator_id,
            role__in=[Role.CARE_WORKER, Role.HOME_MANAGER],
            is_active=True,
        )
        .select_related("organisation")
        .order_by("full_name", "pk")
    )

"""Reads about homes, scoped to the user through apps.homes.access."""

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from apps.accounts.models import Role, User
from apps.children.access import children_visible_to
from apps.children.models import Placement
from apps.homes.access import homes_visible_to
from apps.homes.models import Home, HomeUserObjectPermission


def children_now() -> Coalesce:
    """How many children live at the home now: a count of its current placements through
    their partial index (placement_current_by_home), whatever the home's history."""
    current = (
        Placement.objects.current()
        .filter(home=OuterRef("pk"))
        .order_by()
        .values("home")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(current, output_field=IntegerField()), 0)


def home_list(*, user, search: str = "") -> QuerySet[Home]:
    """Homes the user may see, with how many children live there now (one query)."""
    homes = (
        homes_visible_to(user)
        .select_related("operator", "host_authority", "police_force")
        .annotate(children_now=children_now())
        .order_by("name", "pk")
    )
    if search:
        homes = homes.filter(
            Q(name__icontains=search) | Q(ofsted_urn__iexact=search) | Q(postcode__iexact=search)
        )
    return homes


def home_children(*, user, home: Home) -> QuerySet[Placement]:
    """Current placements at `home` of children the user may see."""
    return (
        Placement.objects.current()
        .filter(home=home, child_id__in_ids=children_visible_to(user).values("pk"))
        .select_related("child", "child__placing_authority", "home__host_authority")
        .order_by("child__last_name", "child__first_name")
    )


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


def homes_prefetch_for_children() -> Prefetch:
    return Prefetch(
        "placements",
        queryset=Placement.objects.current().select_related("home"),
        to_attr="current_placements",
    )


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

"""Reads about children, scoped to the user through apps.children.access."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import (
    Count,
    Exists,
    Expression,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.accounts.models import Role, User
from apps.children.access import children_visible_to
from apps.children.models import (
    AccessLog,
    Associate,
    Child,
    ChildUserObjectPermission,
    CseAnswer,
    CseIndicator,
    CseRiskAssessment,
    PhilomenaProfile,
    Place,
    Placement,
)

STALE_AFTER_DAYS = 90


# A figure about each child that a higher app owns (the child's status: missing or away now,
# since when), added to every children list's one query. The owning app registers it in its
# AppConfig.ready(), as children may not import it. `expression(ref)` gets the path from the
# list's rows to the child's pk ("pk" on a Child, "child" on a Placement).
_STATUS_ANNOTATIONS: dict[str, Callable[[str], Expression]] = {}


def child_status_annotation(name: str, expression: Callable[[str], Expression]) -> None:
    """Add `name` (the value of `expression(ref)`) to every row of each children list."""
    _STATUS_ANNOTATIONS[name] = expression


def _status(ref: str, prefix: str = "") -> dict:
    return {prefix + name: make(ref) for name, make in _STATUS_ANNOTATIONS.items()}


def current_placements(lookup: str = "placements") -> Prefetch:
    """Prefetch a child's current placement with its home (`Child.current_placement` reads
    it); `lookup` is the path to the child's placements ("child__placements" from a row that
    has a child)."""
    return Prefetch(
        lookup,
        queryset=Placement.objects.current().select_related("home", "home__host_authority"),
        to_attr="current_placements",
    )


def child_list(*, user, search: str = "", include_archived: bool = False) -> QuerySet[Child]:
    """Children the user may see, with their current home (two queries whatever the count)."""
    children = (
        children_visible_to(user)
        .select_related("placing_authority", "allocated_social_worker")
        .prefetch_related(current_placements())
        .annotate(**_status("pk"))
        .search(search)
        .order_by("last_name", "first_name", "pk")
    )
    if not include_archived:
        children = children.active()
    return children


def child_placements(*, child: Child) -> QuerySet[Placement]:
    return (
        Placement.objects.filter(child=child)
        .select_related("home", "home__host_authority", "child__placing_authority")
        .order_by("-start_date")
    )


def child_profile(*, child: Child) -> PhilomenaProfile:
    profile, _ = PhilomenaProfile.objects.get_or_create(child=child)
    profile.child = child  # already loaded: not read again for the page
    return profile


def profile_associates(*, profile: PhilomenaProfile) -> QuerySet[Associate]:
    return profile.associates.all()


def profile_places(*, profile: PhilomenaProfile) -> QuerySet[Place]:
    return profile.places.all()


@dataclass
class Staleness:
    photo_stale: bool
    photo_missing: bool
    profile_stale: bool
    profile_never_reviewed: bool

    @property
    def any(self) -> bool:
        return (
            self.photo_stale
            or self.photo_missing
            or self.profile_stale
            or (self.profile_never_reviewed)
        )


def child_staleness(*, child: Child, profile: PhilomenaProfile, today=None) -> Staleness:
    """Is the photo or the Philomena profile older than 90 days (PRODUCT.md)?"""
    today = today or timezone.localdate()
    limit = today - timedelta(days=STALE_AFTER_DAYS)
    reviewed = profile.last_reviewed_at
    return Staleness(
        photo_missing=not child.photo,
        photo_stale=bool(child.photo)
        and (child.photo_taken_on is None or child.photo_taken_on < limit),
        profile_never_reviewed=reviewed is None,
        profile_stale=reviewed is not None and timezone.localdate(reviewed) < limit,
    )


@dataclass
class HistoryEntry:
    at: datetime
    who: str
    what: str
    action: str  # Created, Changed, Deleted
    changes: list[tuple[str, str, str]]  # (field label, old, new)


_TYPE = {"+": "Created", "~": "Changed", "-": "Deleted"}


def _display(field, value, names: dict) -> str:
    """How a stored value reads to a person: names not ids, UK dates, local times."""
    from datetime import date as date_type

    from apps.core.clock import display_date, display_time

    if value in (None, ""):
        return "(blank)"
    if field is None:
        return str(value)
    if field.is_relation:
        return names.get((field.related_model, value), "(removed)")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return display_time(value)
    if isinstance(value, date_type):
        return display_date(value)
    return str(value)


# Fields whose change says nothing new: the entry already says who and when.
_HIDDEN = frozenset({"version", "photo", "last_reviewed_at", "last_reviewed_by"})
_REVIEW_FIELDS = frozenset({"last_reviewed_at", "last_reviewed_by"})


def _field(model, name):
    try:
        return model._meta.get_field(name)
    except Exception:
        return None


def _entries(records, label, model) -> list[HistoryEntry]:
    """Turn history rows (newest first) into entries, diffing each against the previous row
    of the same object in memory, so the page costs one query per source, not one per row.
    Changes hold raw values here; child_history turns them into words."""
    entries = []
    records = list(records)
    older: dict[int, object] = {}
    previous_of = {}
    for record in reversed(records):  # oldest first
        previous_of[record.history_id] = older.get(record.id)
        older[record.id] = record
    for record in records:
        changes = []
        action = _TYPE[record.history_type]
        previous = previous_of.get(record.history_id)
        if record.history_type == "~" and previous is not None:
            delta = record.diff_against(previous)
            changed = {change.field for change in delta.changes}
            for change in delta.changes:
                if change.field not in _HIDDEN:
                    changes.append((_field(model, change.field), change.old, change.new))
            if not changes:
                if changed & _REVIEW_FIELDS:
                    action = "Reviewed, no changes"
                else:
                    continue
        entries.append(
            HistoryEntry(
                at=record.history_date,
                who=record.history_user.full_name if record.history_user else "System",
                what=label(record),
                action=action,
                changes=changes,
            )
        )
    return entries


def _name_lookup(entries) -> dict:
    """One query per related model for every id named in the changes."""
    wanted: dict = {}
    for entry in entries:
        for field, old, new in entry.changes:
            if field is not None and field.is_relation:
                wanted.setdefault(field.related_model, set()).update(
                    v for v in (old, new) if v not in (None, "")
                )
    names = {}
    for related, ids in wanted.items():
        for obj in related._default_manager.filter(pk__in=ids):
            label = getattr(obj, "full_name", None) or str(obj)
            names[(related, obj.pk)] = label
    return names


def child_history(*, child: Child, limit: int = 200) -> list[HistoryEntry]:
    """Who changed what about the child, newest first: record, placements, profile, lists.

    Caller has checked the user may see the child.
    """
    profile_ids = list(PhilomenaProfile.objects.filter(child=child).values_list("pk", flat=True))
    sources = [
        (Child.history.filter(id=child.pk), lambda r: "Child record", Child),
        (
            Placement.history.filter(child_id=child.pk),
            lambda r: f"Placement from {r.start_date:%-d %b %Y}",
            Placement,
        ),
        (
            PhilomenaProfile.history.filter(id__in=profile_ids),
            lambda r: "Philomena profile",
            PhilomenaProfile,
        ),
        (
            Associate.history.filter(profile_id__in=profile_ids),
            lambda r: f"Associate: {r.name}",
            Associate,
        ),
        (Place.history.filter(profile_id__in=profile_ids), lambda r: f"Place: {r.name}", Place),
    ]
    entries = []
    for records, label, model in sources:
        records = records.select_related("history_user").order_by("-history_date")[:limit]
        entries += _entries(records, label, model)
    entries.sort(key=lambda entry: entry.at, reverse=True)
    entries = entries[:limit]
    names = _name_lookup(entries)
    for entry in entries:
        entry.changes = [
            (
                str(getattr(field, "verbose_name", "") or "Field").capitalize(),
                _display(field, old, names),
                _display(field, new, names),
            )
            for field, old, new in entry.changes
        ]
    return entries


def child_access_log(*, child: Child) -> QuerySet[AccessLog]:
    return (
        AccessLog.objects.filter(child=child)
        .select_related("user", "user__organisation")
        .order_by("-viewed_at")
    )


def social_workers_for_allocation(*, child: Child) -> QuerySet[User]:
    """Active social workers of the child's placing authority."""
    return (
        User.objects.filter(
            organisation_id=child.placing_authority_id, role=Role.SOCIAL_WORKER, is_active=True
        )
        .select_related("organisation")
        .order_by("full_name", "pk")
    )


def police_officers_for_grant() -> QuerySet[User]:
    """Active police liaison officers, by force then name."""
    return (
        User.objects.filter(role=Role.POLICE_LIAISON, is_active=True)
        .select_related("organisation")
        .order_by("organisation__name", "full_name", "pk")
    )


def child_police_grants(*, child: Child) -> QuerySet[ChildUserObjectPermission]:
    """Unexpired time-boxed grants on `child` (police access), soonest to expire first."""
    return (
        ChildUserObjectPermission.objects.filter(
            content_object=child, expires_at__gt=timezone.now()
        )
        .select_related("user", "user__organisation", "granted_by")
        .order_by("expires_at", "pk")
    )


# About homes (apps.homes may not import children; ChildrenConfig.ready() registers these) --


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


def placed_from_elsewhere() -> Coalesce:
    """How many children live at the home now placed by another authority than the one it is
    in: a count, never the records (police see it for homes in their force area)."""
    current = (
        Placement.objects.current()
        .filter(home=OuterRef("pk"))
        .exclude(child__placing_authority_id=OuterRef("host_authority_id"))
        .order_by()
        .values("home")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(current, output_field=IntegerField()), 0)


def home_children(*, user, home) -> QuerySet[Placement]:
    """Current placements at `home` of children the user may see."""
    return (
        Placement.objects.current()
        .filter(home=home, child_id__in_ids=children_visible_to(user).values("pk"))
        .select_related("child", "child__placing_authority", "home__host_authority")
        .annotate(**_status("child", prefix="child_"))
        .order_by("child__last_name", "child__first_name")
    )


# CSE risk assessments ---------------------------------------------------------------------


def indicators_for(authority) -> list[CseIndicator]:
    """The standard indicators and the authority's own, active, in domain order."""
    return list(
        CseIndicator.objects.filter(Q(authority=None) | Q(authority=authority), active=True)
    )


def assessments_for_child(child) -> QuerySet[CseRiskAssessment]:
    return child.cse_assessments.select_related("assessed_by").prefetch_related(
        Prefetch("answers", queryset=_answers())
    )


def _answers():
    return CseAnswer.objects.select_related("indicator")


def current_assessment(child) -> CseRiskAssessment | None:
    return child.cse_assessments.order_by("-assessed_on", "-pk").first()


def newest_assessments() -> QuerySet[CseRiskAssessment]:
    """Each child's newest assessment (the one that sets the child's level and review date),
    in one query: an assessment with no later one of the same child."""
    newer = CseRiskAssessment.objects.filter(child=OuterRef("child")).filter(
        Q(assessed_on__gt=OuterRef("assessed_on"))
        | Q(assessed_on=OuterRef("assessed_on"), pk__gt=OuterRef("pk"))
    )
    return CseRiskAssessment.objects.exclude(Exists(newer))


def cse_reviews_due(*, children: QuerySet[Child], by) -> QuerySet[CseRiskAssessment]:
    """The newest assessments of `children` due for review on or before `by`, soonest first."""
    return (
        newest_assessments()
        .filter(child__in=children.values("pk"), review_due_on__lte=by)
        .select_related("child")
        .order_by("review_due_on", "pk")
    )

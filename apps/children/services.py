"""Writes about children, placements, Philomena profiles and child grants.

Every function takes the acting user (`actor`) and assumes the caller has checked access with
apps.children.access. Rules the user can break raise ApplicationError with field messages.
"""

from datetime import date, timedelta

from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import OrganisationKind, Role
from apps.alerts.services import notice_placement
from apps.children.models import (
    AccessLog,
    AccessLogKind,
    Answer,
    Associate,
    Child,
    ChildUserObjectPermission,
    CseAnswer,
    CseIndicator,
    CseRiskAssessment,
    PhilomenaProfile,
    Place,
    Placement,
    RiskLevel,
    Timing,
)
from apps.core.clock import display_date
from apps.core.errors import ApplicationError
from apps.core.services import apply_changes, save_versioned, validate_instance

CHILD_FIELDS = [
    "first_name",
    "last_name",
    "preferred_name",
    "date_of_birth",
    "sex",
    "ethnicity",
    "child_id",
]
PROFILE_FIELDS = [
    "height",
    "build",
    "hair",
    "eyes",
    "distinguishing_marks",
    "phone_numbers",
    "social_media",
    "medical_needs",
    "medication",
    "vulnerabilities",
    "other_information",
]
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_POLICE_GRANT_DAYS = 90


def _error(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, fields={field: [message]})


def _check_child(child: Child) -> None:
    today = timezone.localdate()
    if child.date_of_birth and child.date_of_birth > today:
        raise _error("date_of_birth", "Date of birth must be today or in the past")
    if child.date_of_birth and child.date_of_birth < date(today.year - 25, 1, 1):
        raise _error("date_of_birth", "Date of birth must be within the last 25 years")
    child.child_id = (child.child_id or "").strip()
    duplicate = Child.objects.filter(
        placing_authority_id=child.placing_authority_id, child_id__iexact=child.child_id
    ).exclude(pk=child.pk)
    if duplicate.exists():
        raise _error("child_id", "Another child of this authority already has this ID")
    validate_instance(child, exclude=["photo"])


def _view_child_permission() -> Permission:
    return Permission.objects.get(content_type__app_label="children", codename="view_child")


def _grant(child: Child, user, *, actor, reason: str = "", expires_at=None):
    grant, _ = ChildUserObjectPermission.objects.update_or_create(
        user=user,
        content_object=child,
        permission=_view_child_permission(),
        defaults={"reason": reason, "expires_at": expires_at, "granted_by": actor},
    )
    return grant


@transaction.atomic
def child_create(*, actor, placing_authority=None, allocated_social_worker=None, **fields) -> Child:
    """Create a child with an empty Philomena profile.

    The placing authority defaults to the actor's; a social worker who creates a child is
    allocated to them unless another social worker is named.
    """
    placing_authority = placing_authority or actor.organisation
    if placing_authority is None or placing_authority.kind != OrganisationKind.LOCAL_AUTHORITY:
        raise _error("placing_authority", "Choose the local authority that placed the child")
    if actor.organisation_id != placing_authority.pk:
        raise _error("placing_authority", "You can only add children your own authority has placed")
    child = Child(
        placing_authority=placing_authority,
        **{name: value for name, value in fields.items() if name in CHILD_FIELDS},
    )
    _check_child(child)
    child._history_user = actor
    child.save()
    profile = PhilomenaProfile(child=child)
    profile._history_user = actor
    profile.save()
    if allocated_social_worker is None and actor.role == Role.SOCIAL_WORKER:
        allocated_social_worker = actor
    if allocated_social_worker is not None:
        child_allocate(actor=actor, child=child, social_worker=allocated_social_worker)
    return child


# Checks a higher app adds to changes of a child's records (children may not import it):
# episodes refuses a placement ending while the child is away, and a date of birth after an
# episode. Registered in its AppConfig.ready(); each raises ApplicationError to refuse.
PLACEMENT_END_CHECKS: list = []  # check(placement=, end_date=)
DATE_OF_BIRTH_CHECKS: list = []  # check(child=, date_of_birth=)


def child_record_check_register(*, placement_end=None, date_of_birth=None) -> None:
    for registry, check in (
        (PLACEMENT_END_CHECKS, placement_end),
        (DATE_OF_BIRTH_CHECKS, date_of_birth),
    ):
        if check is not None and check not in registry:
            registry.append(check)


def _placement_ending(placement: Placement, end_date: date) -> None:
    for check in PLACEMENT_END_CHECKS:
        check(placement=placement, end_date=end_date)


def _check_date_of_birth(child: Child) -> None:
    """A child's date of birth is before every placement and episode of theirs."""
    born = child.date_of_birth
    first = child.placements.order_by("start_date").values_list("start_date", flat=True).first()
    if first is not None and first < born:
        raise _error(
            "date_of_birth",
            f"The date of birth must be before the child's first placement ({display_date(first)})",
        )
    for check in DATE_OF_BIRTH_CHECKS:
        check(child=child, date_of_birth=born)


@transaction.atomic
def child_update(*, actor, child: Child, expected_version: int, **fields) -> Child:
    changed = apply_changes(child, data=fields, allowed=CHILD_FIELDS)
    _check_child(child)
    if "date_of_birth" in changed:
        _check_date_of_birth(child)
    save_versioned(child, actor=actor, expected_version=expected_version, fields=changed)
    return child


def _cse_level_set(*, actor, child: Child, level: str) -> None:
    """The one way a child's CSE risk level changes: a new newest assessment. The child's row
    is locked, versioned and written to its history (so an edit form opened before it is
    refused as stale, never saved over it), and the escalation rules run."""
    locked = Child.objects.select_for_update().get(pk=child.pk)
    if locked.cse_risk == level:
        return
    locked.cse_risk = level
    save_versioned(locked, actor=actor, expected_version=locked.version, fields=["cse_risk"])
    child.cse_risk, child.version = level, locked.version
    child_cse_risk_changed(child=locked)


def child_cse_risk_changed(*, child: Child) -> None:
    """The child's CSE risk level has just changed (by a new assessment): run the
    escalation rules for the episode the child is away on now, so a child already away
    overnight whose risk is raised alerts at once. Call inside the changing transaction."""
    from apps.alerts.services import episode_evaluate

    episode = child.episodes.open().select_related("home").first()
    if episode is not None:
        episode.child = child  # the level just set, not a stale copy
        episode_evaluate(episode=episode)


@transaction.atomic
def child_allocate(*, actor, child: Child, social_worker) -> Child:
    """Allocate `child` to `social_worker`, moving the allocation grant from the previous one."""
    if social_worker.role != Role.SOCIAL_WORKER or not social_worker.is_active:
        raise _error("social_worker", "Choose a social worker")
    if social_worker.organisation_id != child.placing_authority_id:
        raise _error("social_worker", "Choose a social worker of the child's placing authority")
    previous = child.allocated_social_worker
    if previous is not None and previous.pk != social_worker.pk:
        for grant in ChildUserObjectPermission.objects.filter(
            user=previous, content_object=child, expires_at__isnull=True
        ):
            grant._history_user = actor
            grant.delete()
    _grant(child, social_worker, actor=actor, reason="Allocated social worker")
    child.allocated_social_worker = social_worker
    child._history_user = actor
    child.save(update_fields=["allocated_social_worker", "updated_at"])
    return child


@transaction.atomic
def child_photo_set(*, actor, child: Child, photo, taken_on: date) -> Child:
    if photo.size > MAX_PHOTO_BYTES:
        raise _error("photo", "The photo must be smaller than 5 MB")
    if taken_on > timezone.localdate():
        raise _error("photo_taken_on", "The date the photo was taken must be in the past")
    old = child.photo.name if child.photo else None
    child.photo_taken_on = taken_on
    child.photo.save(photo.name, photo, save=False)
    child._history_user = actor
    child.save(update_fields=["photo", "photo_taken_on", "updated_at"])
    if old and old != child.photo.name:
        transaction.on_commit(lambda: child.photo.storage.delete(old))
    return child


@transaction.atomic
def child_archive(*, actor, child: Child, archived: bool = True) -> Child:
    child.is_archived = archived
    child._history_user = actor
    child.save(update_fields=["is_archived", "updated_at"])
    return child


# Placements ---------------------------------------------------------------------------------


def _overlaps(child: Child, start: date, end: date | None, exclude_pk=None) -> bool:
    """A placement covers start_date up to (not including) end_date, the day the child left.

    So a child can leave one home and arrive at the next on the same day.
    """
    others = Placement.objects.filter(child=child).exclude(pk=exclude_pk)
    if end is not None:
        others = others.filter(start_date__lt=end)
    return others.exclude(end_date__isnull=False, end_date__lte=start).exists()


@transaction.atomic
def placement_start(
    *, actor, child: Child, home, start_date: date, end_current: bool = True
) -> Placement:
    """Place `child` at `home` from `start_date`.

    With end_current, a current placement that started earlier ends on start_date (a move).
    """
    Child.objects.select_for_update().filter(pk=child.pk).first()  # serialise per child
    if start_date > timezone.localdate():
        raise _error("start_date", "The start date must be today or in the past")
    if start_date < child.date_of_birth:
        raise _error("start_date", "The start date must be after the child's date of birth")
    if not home.is_active:
        raise _error("home", "This home is closed; choose an open home")
    current = Placement.objects.filter(child=child, end_date__isnull=True).first()
    if current is not None and end_current and current.start_date < start_date:
        _placement_ending(current, start_date)
        current.end_date = start_date
        save_versioned(current, actor=actor, expected_version=current.version, fields=["end_date"])
        notice_placement(placement=current, event="ended", actor=actor)
    if _overlaps(child, start_date, None):
        raise _error("start_date", "This placement would overlap another placement of the child")
    placement = Placement(child=child, home=home, start_date=start_date)
    validate_instance(placement)
    placement._history_user = actor
    placement.save()
    notice_placement(placement=placement, event="started", actor=actor)
    return placement


@transaction.atomic
def placement_end(
    *, actor, placement: Placement, end_date: date, expected_version: int
) -> Placement:
    Child.objects.select_for_update().filter(pk=placement.child_id).first()
    if end_date > timezone.localdate():
        raise _error("end_date", "The end date must be today or in the past")
    if end_date < placement.start_date:
        raise _error("end_date", "The end date must be on or after the start date")
    if _overlaps(placement.child, placement.start_date, end_date, exclude_pk=placement.pk):
        raise _error("end_date", "This would overlap another placement of the child")
    _placement_ending(placement, end_date)
    placement.end_date = end_date
    save_versioned(placement, actor=actor, expected_version=expected_version, fields=["end_date"])
    notice_placement(placement=placement, event="ended", actor=actor)
    return placement


@transaction.atomic
def placement_record(
    *, actor, child: Child, home, start_date: date, end_date: date | None = None
) -> Placement:
    """Record a placement whose dates are already known (an authority's extract).

    Unlike placement_start it never ends another placement: any overlap is refused, so an
    import cannot silently rewrite a child's history. A closed home is allowed for a placement
    that has ended.
    """
    Child.objects.select_for_update().filter(pk=child.pk).first()  # serialise per child
    today = timezone.localdate()
    if start_date > today:
        raise _error("start_date", "The start date must be today or in the past")
    if start_date < child.date_of_birth:
        raise _error("start_date", "The start date must be after the child's date of birth")
    if end_date is not None and end_date > today:
        raise _error("end_date", "The end date must be today or in the past")
    if end_date is not None and end_date < start_date:
        raise _error("end_date", "The end date must be on or after the start date")
    if end_date is None and not home.is_active:
        raise _error("home", "This home is closed; choose an open home")
    if _overlaps(child, start_date, end_date):
        raise _error("start_date", "This placement would overlap another placement of the child")
    placement = Placement(child=child, home=home, start_date=start_date, end_date=end_date)
    validate_instance(placement)
    placement._history_user = actor
    placement.save()
    if end_date is None:
        notice_placement(placement=placement, event="started", actor=actor)
    return placement


# Philomena profile --------------------------------------------------------------------------


@transaction.atomic
def profile_update(
    *, actor, child: Child, expected_version: int, mark_reviewed: bool = True, **fields
) -> PhilomenaProfile:
    """Update part 1 of the Philomena profile; saving it counts as a review unless told not."""
    profile, _ = PhilomenaProfile.objects.get_or_create(child=child)
    changed = apply_changes(profile, data=fields, allowed=PROFILE_FIELDS)
    if mark_reviewed:
        profile.last_reviewed_at = timezone.now()
        profile.last_reviewed_by = actor
        changed += ["last_reviewed_at", "last_reviewed_by"]
    validate_instance(profile)
    save_versioned(profile, actor=actor, expected_version=expected_version, fields=changed)
    return profile


ASSOCIATE_FIELDS = ["name", "relationship", "contact", "is_concern", "notes"]
PLACE_FIELDS = ["name", "area_or_address", "why", "is_concern"]


def _save_item(instance, actor, fields, allowed):
    apply_changes(instance, data=fields, allowed=allowed)
    validate_instance(instance)
    instance._history_user = actor
    instance.save()
    return instance


@transaction.atomic
def associate_add(*, actor, child: Child, **fields) -> Associate:
    profile, _ = PhilomenaProfile.objects.get_or_create(child=child)
    return _save_item(Associate(profile=profile), actor, fields, ASSOCIATE_FIELDS)


@transaction.atomic
def associate_update(*, actor, associate: Associate, **fields) -> Associate:
    return _save_item(associate, actor, fields, ASSOCIATE_FIELDS)


@transaction.atomic
def associate_remove(*, actor, associate: Associate) -> None:
    associate._history_user = actor
    associate.delete()


@transaction.atomic
def place_add(*, actor, child: Child, **fields) -> Place:
    profile, _ = PhilomenaProfile.objects.get_or_create(child=child)
    return _save_item(Place(profile=profile), actor, fields, PLACE_FIELDS)


@transaction.atomic
def place_update(*, actor, place: Place, **fields) -> Place:
    return _save_item(place, actor, fields, PLACE_FIELDS)


@transaction.atomic
def place_remove(*, actor, place: Place) -> None:
    place._history_user = actor
    place.delete()


# Time-boxed grants to police liaison officers -----------------------------------------------


@transaction.atomic
def police_grant_create(
    *, actor, child: Child, officer, reason: str, expires_at
) -> ChildUserObjectPermission:
    """Let a police liaison officer see `child` until `expires_at`, for a stated reason."""
    if officer.role != Role.POLICE_LIAISON or not officer.is_active:
        raise _error("officer", "Choose a police liaison officer")
    if not (reason or "").strip():
        raise _error("reason", "Enter why the officer needs to see this child's record")
    now = timezone.now()
    if expires_at <= now:
        raise _error("expires_at", "The expiry must be in the future")
    # A grant chosen as "until the end of day N" is allowed for N = 90 days from today.
    if expires_at > now + timedelta(days=MAX_POLICE_GRANT_DAYS + 1):
        raise _error(
            "expires_at", f"Access can be granted for {MAX_POLICE_GRANT_DAYS} days at most"
        )
    return _grant(child, officer, actor=actor, reason=reason.strip(), expires_at=expires_at)


@transaction.atomic
def police_grant_revoke(*, actor, grant: ChildUserObjectPermission) -> None:
    grant._history_user = actor
    grant.delete()


def grants_expire(*, now=None) -> int:
    """Delete time-boxed grants past their expiry (beat). Scopes already ignore them."""
    now = now or timezone.now()
    expired = ChildUserObjectPermission.objects.filter(expires_at__lte=now)
    count = 0
    for grant in expired.iterator():
        grant.delete()
        count += 1
    return count


# The access log: who looked at a child's record ---------------------------------------------


def access_log_record(*, user, child, kind: str, path: str = "") -> AccessLog:
    """Record that `user` viewed `kind` of `child`. Caller has already checked access."""
    return AccessLog.objects.create(
        user=user, child=child, kind=kind, path=path[:500], viewed_at=timezone.now()
    )


def access_log_record_api(*, request, child) -> AccessLog:
    """Record that the caller of an API request read `child`'s data (kind API, the full path
    with its query). Every app's API views call this after access has passed."""
    return access_log_record(
        user=request.user, child=child, kind=AccessLogKind.API, path=request.get_full_path()
    )


def access_log_record_many(*, user, child_ids, kind: str, path: str = "") -> int:
    """Record that `user` received `kind` (an export) about each of `child_ids`, in one insert;
    with no children (a table of figures), one row naming no child. Caller has checked access.
    Returns the number of rows written."""
    now = timezone.now()
    ids = sorted(set(child_ids)) or [None]
    AccessLog.objects.bulk_create(
        AccessLog(user=user, child_id=child_id, kind=kind, path=path[:500], viewed_at=now)
        for child_id in ids
    )
    return len(ids)


# CSE risk assessment ----------------------------------------------------------------------

# Points for each answer, times the indicator's weight; a historic concern counts half.
ANSWER_POINTS = {Answer.NO: 0, Answer.POSSIBLE: 1, Answer.YES: 2}
# Score thresholds: at or above MEDIUM_FROM is medium, at or above HIGH_FROM is high.
MEDIUM_FROM = 6
HIGH_FROM = 14
REVIEW_MONTHS = {RiskLevel.HIGH: 1, RiskLevel.MEDIUM: 3, RiskLevel.LOW: 3}

STANDARD_INDICATORS = {
    "missing": [
        "Regularly missing or away from the placement, or returns late",
        "Missing overnight, or found far from home",
        "Picked up or dropped off by unknown adults or in cars",
    ],
    "associates": [
        "Associating with older people, or peers known to be exploited",
        "A 'boyfriend' or 'girlfriend' much older than them",
        "Secretive about where they go and who with",
    ],
    "gifts": [
        "Unexplained money, phones, clothes or other gifts",
        "Owes money or says they are in debt to someone",
    ],
    "substances": ["Using alcohol or drugs, or found in possession of them"],
    "online": [
        "More than one phone, or a phone they will not explain",
        "Sharing sexual images, or contact with unknown adults online",
    ],
    "health": [
        "Sexually transmitted infection, pregnancy or termination",
        "Injuries they will not explain",
    ],
    "education": ["Missing school or college, or a sudden fall in attendance"],
    "behaviour": [
        "Self-harm, or a sudden change in mood or behaviour",
        "Known to have been in places linked to exploitation",
    ],
}


def indicators_seed_standard() -> int:
    """The standard indicator set (no authority). Idempotent by text."""
    have = set(CseIndicator.objects.filter(authority=None).values_list("text", flat=True))
    new = [
        CseIndicator(domain=domain, text=text, order=n, weight=2 if n == 0 else 1)
        for domain, texts in STANDARD_INDICATORS.items()
        for n, text in enumerate(texts)
        if text not in have
    ]
    CseIndicator.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def indicator_add(*, actor, authority, domain: str, text: str, weight: int = 1) -> CseIndicator:
    """A service manager's own indicator for their authority's assessments."""
    indicator = CseIndicator(
        authority=authority, domain=domain, text=(text or "").strip(), weight=weight, order=100
    )
    validate_instance(indicator)
    indicator._history_user = actor
    indicator.save()
    return indicator


def score_answers(answers: list[tuple[CseIndicator, str, str]]) -> tuple[int, str]:
    """(indicator, answer, timing) triples → (score, level)."""
    doubled = 0  # in half points, to keep integers
    for indicator, answer, timing in answers:
        points = ANSWER_POINTS[answer] * indicator.weight * 2
        doubled += points // 2 if timing == Timing.HISTORIC else points
    score = doubled // 2
    if score >= HIGH_FROM:
        return score, RiskLevel.HIGH
    if score >= MEDIUM_FROM:
        return score, RiskLevel.MEDIUM
    return score, RiskLevel.LOW


def _add_months(day: date, months: int) -> date:
    import calendar

    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


@transaction.atomic
def assessment_complete(
    *,
    actor,
    child,
    indicators: list[CseIndicator],
    answers: dict[int, tuple[str, str]],
    assessed_on: date | None = None,
    override_level: str = "",
    override_reason: str = "",
    summary: str = "",
) -> CseRiskAssessment:
    """Score a completed screening, set the child's current CSE risk level from it, and run
    the escalation rules for an episode the child is away on now (the overnight-at-risk rule
    reads the level). `indicators` is the set the form showed; every one must be answered."""
    assessed_on = assessed_on or timezone.localdate()
    if assessed_on > timezone.localdate():
        raise _error("assessed_on", "The date of the assessment must be today or in the past")
    errors, scored = {}, []
    for indicator in indicators:
        answer, timing = answers.get(indicator.pk, ("", ""))
        if answer not in Answer.values:
            errors[f"indicator_{indicator.pk}"] = [f"Answer: {indicator.text}"]
        elif answer != Answer.NO and timing not in Timing.values:
            errors[f"indicator_{indicator.pk}_timing"] = [
                f"Say whether this is current or historic: {indicator.text}"
            ]
        else:
            scored.append((indicator, answer, timing if answer != Answer.NO else ""))
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], fields=errors)
    if override_level and override_level not in RiskLevel.values:
        raise _error("override_level", "Choose low, medium or high")
    if override_level and not (override_reason or "").strip():
        raise _error("override_reason", "Give a reason for overriding the calculated level")
    score, calculated = score_answers(scored)
    level = override_level or calculated
    assessment = CseRiskAssessment(
        child=child,
        assessed_by=actor,
        assessed_on=assessed_on,
        score=score,
        calculated_level=calculated,
        override_level=override_level or "",
        override_reason=(override_reason or "").strip() if override_level else "",
        level=level,
        summary=(summary or "").strip(),
        review_due_on=_add_months(assessed_on, REVIEW_MONTHS[level]),
    )
    validate_instance(assessment)
    assessment._history_user = actor
    assessment.save()
    CseAnswer.objects.bulk_create(
        CseAnswer(assessment=assessment, indicator=i, answer=a, timing=t) for i, a, t in scored
    )
    # The newest assessment is the child's current level (an older one entered late is not).
    newest = child.cse_assessments.order_by("-assessed_on", "-pk").first()
    if newest.pk == assessment.pk:
        _cse_level_set(actor=actor, child=child, level=level)
    return assessment

"""Writes about episodes, their timeline, return interviews, safe-and-well visits and
Regulation 40 decisions.

Every function takes the acting user and assumes the caller checked access
(apps.episodes.access). Rules a user can break raise ApplicationError with field messages.
Episode writes for one child are serialised by locking the child's row, so two people
reporting the same child at once cannot make two open episodes.
"""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.alerts.services import episode_evaluate, notice_episode, notice_interview_assigned
from apps.children.models import Child, Placement
from apps.core.clock import display_time, touches_night
from apps.core.errors import ApplicationError, StaleVersionError
from apps.core.services import apply_changes, save_versioned, validate_instance
from apps.core.validators import normalise_postcode, validate_postcode
from apps.episodes.models import (
    DERIVED_STEPS,
    AuthorityStep,
    Episode,
    EpisodeKind,
    EpisodeUpdate,
    FirstStep,
    InterviewOutcome,
    Reg40Status,
    Regulation40Decision,
    ReturnInterview,
    RiskGrade,
    SafeAndWellVisit,
    StepTick,
    UpdateCategory,
)

# Fields of the report that may be changed later (not the child, home or return).
EPISODE_FIELDS = [
    "kind",
    "last_seen_at",
    "last_seen_where",
    "last_seen_with",
    "clothing",
    "appearance",
    "circumstances",
    "reported_to_police_at",
    "police_reference",
    "risk_grade",
    "risk_graded_by",
    "risk_grader_contact",
    "risk_review_at",
    "suspected_sexual_exploitation",
    "serious_police_incident",
]
RETURN_FIELDS = [
    "return_method",
    "found_where",
    "found_postcode",
    "returned_with",
    "condition",
    "concerns",
]
INTERVIEW_FIELDS = [
    "offered_at",
    "outcome",
    "outcome_reason",
    "held_at",
    "held_by",
    "independent_of_home",
    "push_factors",
    "pull_factors",
    "places_mentioned",
    "associates_mentioned",
    "disclosures",
    "cse_concern",
]


def _error(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, fields={field: [message]})


def _lock_child(child: Child) -> None:
    Child.objects.select_for_update().filter(pk=child.pk).first()


def _not_future(value: datetime | None, field: str, what: str) -> None:
    # A minute's grace for clocks of phones that run slightly fast.
    if value is not None and value > timezone.now() + timedelta(minutes=1):
        raise _error(field, f"{what} must be now or in the past")


def _authority_clock(child: Child):
    authority = child.placing_authority
    return authority.night_starts, authority.night_ends, authority.return_interview_hours


def _refresh_overnight(episode: Episode, *, now=None) -> None:
    starts, ends, _hours = _authority_clock(episode.child)
    end = episode.returned_at or (now or timezone.now())
    episode.overnight = touches_night(episode.last_seen_at, end, starts=starts, ends=ends)


def _check_no_overlap(episode: Episode) -> None:
    """The span from last seen to return (or now) must not touch another episode's span.

    One query: the child's other episodes that are open or end after this one starts (and,
    if this one has ended, start before it ends), open ones first.
    """
    others = Episode.objects.filter(child_id=episode.child_id).exclude(pk=episode.pk)
    touching = others.filter(Q(returned_at__isnull=True) | Q(returned_at__gt=episode.last_seen_at))
    if episode.returned_at is not None:
        # An episode that has ended (a late record, an edit) touches only those that began
        # before it ended: a child missing again now does not block recording last weekend.
        touching = touching.filter(last_seen_at__lt=episode.returned_at)
    first = (
        touching.order_by(F("returned_at").desc(nulls_first=True))
        .values_list("pk", "returned_at")
        .first()
    )
    if first is None:
        return
    if first[1] is None:
        raise _error(
            "last_seen_at",
            "This child already has an open episode. Record their return first, or add an "
            "update to the open episode.",
        )
    raise _error("last_seen_at", "This would overlap another episode of the child")


def _check_after_birth(child: Child, last_seen_at: datetime) -> None:
    """After the day of birth: the DfE's rule 586 counts the same day as an error."""
    if timezone.localdate(last_seen_at) <= child.date_of_birth:
        raise _error("last_seen_at", "The time last seen must be after the child's birth")


def _check_return(episode: Episode) -> None:
    """The return's details: a real postcode (normalised) and how the child came back."""
    if episode.found_postcode:
        try:
            validate_postcode(episode.found_postcode)
        except ValidationError as error:
            raise _error("found_postcode", error.messages[0]) from None
        episode.found_postcode = normalise_postcode(episode.found_postcode)
    if not episode.return_method:
        raise _error("return_method", "Choose how the child came back")


def _returned(episode: Episode, actor) -> ReturnInterview:
    """A saved return: on the timeline, and the return interview's clock started (the
    authority's hours, 72 by default)."""
    _timeline(
        episode,
        actor,
        UpdateCategory.RETURN,
        at=episode.returned_at,
        text=episode.get_return_method_display(),
    )
    _starts, _ends, hours = _authority_clock(episode.child)
    interview = ReturnInterview(
        episode=episode, due_at=episode.returned_at + timedelta(hours=hours)
    )
    interview._history_user = actor
    interview.save()
    return interview


def _timeline(episode, actor, category, *, at=None, text="", old="", new="") -> EpisodeUpdate:
    return EpisodeUpdate.objects.create(
        episode=episode,
        category=category,
        happened_at=at or timezone.now(),
        text=text,
        old_value=old,
        new_value=new,
        author=actor,
    )


@transaction.atomic
def episode_open(
    *,
    actor,
    child: Child,
    kind: str,
    last_seen_at: datetime,
    last_seen_where: str,
    **fields,
) -> Episode:
    """Report a child missing or away. The home is the child's current placement."""
    _lock_child(child)
    placement = (
        Placement.objects.filter(child=child, end_date__isnull=True)
        .select_related("home__police_force")
        .first()
    )
    if placement is None:
        raise _error("child", "This child has no current placement, so cannot be reported here")
    _not_future(last_seen_at, "last_seen_at", "The time last seen")
    _check_after_birth(child, last_seen_at)
    episode = Episode(
        child=child,
        home=placement.home,
        kind=kind,
        last_seen_at=last_seen_at,
        last_seen_where=last_seen_where,
        reported_by=actor,
        **{name: value for name, value in fields.items() if name in EPISODE_FIELDS},
    )
    _check_no_overlap(episode)
    _check_police_details(episode)
    if episode.risk_grade:
        _graded(episode, review_given=episode.risk_review_at is not None, now=timezone.now())
    # The child (locked above), the home (its placement) and the reporter (the signed-in
    # user) exist, and the rules the constraints hold were checked just above, with their own
    # messages, under the lock: validating them again would cost a query each on the path
    # every report takes. The database still enforces them.
    validate_instance(episode, exclude=["child", "home", "reported_by"], validate_constraints=False)
    _refresh_overnight(episode)
    episode._history_user = actor
    episode.save()
    _timeline(
        episode,
        actor,
        UpdateCategory.REPORTED,
        text=f"Reported {episode.get_kind_display().lower()} by {actor.full_name}",
        new=kind,
    )
    if episode.risk_grade:
        _timeline(episode, actor, UpdateCategory.RISK_GRADE, new=episode.risk_grade)
    episode_evaluate(episode=episode)
    _tell(episode, "reported", actor)
    reg40_sync(episode=episode, actor=actor)
    return episode


def _tell(episode: Episode, event: str, actor) -> None:
    """Who is told, through the outbox, in this transaction. The first time the placing
    authority or the social worker is told is the episode's "told" time: Homeward fills it,
    nobody types it (it also ticks that first-hour step)."""
    told_at = notice_episode(episode=episode, event=event, actor=actor)
    if told_at and episode.social_worker_notified_at is None:
        episode.social_worker_notified_at = told_at
        episode._history_user = actor
        episode.save(update_fields=["social_worker_notified_at", "updated_at"])


def reg40_sync(*, episode, actor) -> Regulation40Decision | None:
    """Keep the episode's Regulation 40 prompt in step with its flags. Called by the episode
    services inside their transaction (idempotent):
    - flagged (suspected sexual exploitation, a serious police incident): a prompt for the
      home manager, opened once; one withdrawn earlier is opened again with the new trigger;
    - no longer flagged: a prompt still waiting is withdrawn, versioned and kept in its
      history (a decision already recorded stays: Ofsted may have been told)."""
    reasons = []
    if episode.suspected_sexual_exploitation:
        reasons.append("suspected sexual exploitation")
    if episode.serious_police_incident:
        reasons.append("a serious incident involving the police")
    decision = Regulation40Decision.objects.filter(episode=episode).first()
    if not reasons:
        if decision is not None and decision.status == Reg40Status.PENDING:
            decision.status = Reg40Status.WITHDRAWN
            save_versioned(
                decision, actor=actor, expected_version=decision.version, fields=["status"]
            )
        return decision
    trigger = " and ".join(reasons).capitalize()
    if decision is None:
        decision = Regulation40Decision(episode=episode, home_id=episode.home_id, trigger=trigger)
        decision._history_user = actor
        decision.save()
        return decision
    changed = []
    if decision.status == Reg40Status.WITHDRAWN:
        decision.status = Reg40Status.PENDING
        changed.append("status")
    if decision.status == Reg40Status.PENDING and decision.trigger != trigger:
        decision.trigger = trigger
        changed.append("trigger")
    if changed:
        save_versioned(decision, actor=actor, expected_version=decision.version, fields=changed)
    return decision


@transaction.atomic
def reg40_decide(
    *,
    actor,
    decision: Regulation40Decision,
    expected_version: int,
    status: str,
    notified_at: datetime | None = None,
    ofsted_reference: str = "",
    not_notifiable_reason: str = "",
) -> Regulation40Decision:
    if decision.status == Reg40Status.WITHDRAWN:
        raise _error(
            "status",
            "This prompt was withdrawn: the episode is no longer flagged. Flag it again to "
            "record a decision",
        )
    if status == Reg40Status.NOTIFIED:
        if notified_at is None:
            raise _error("notified_at", "Enter when Ofsted was notified")
        if notified_at > timezone.now() + timedelta(minutes=1):
            raise _error("notified_at", "The time notified must be now or in the past")
        if not (ofsted_reference or "").strip():
            raise _error("ofsted_reference", "Enter the Ofsted reference")
        not_notifiable_reason = ""
    elif status == Reg40Status.NOT_NOTIFIABLE:
        if not (not_notifiable_reason or "").strip():
            raise _error("not_notifiable_reason", "Enter why this is not notifiable")
        notified_at, ofsted_reference = None, ""
    else:
        raise _error("status", "Choose whether Ofsted was notified")
    decision.status = status
    decision.notified_at = notified_at
    decision.ofsted_reference = (ofsted_reference or "").strip()
    decision.not_notifiable_reason = (not_notifiable_reason or "").strip()
    decision.decided_by = actor
    decision.decided_at = timezone.now()
    validate_instance(decision)
    save_versioned(
        decision,
        actor=actor,
        expected_version=expected_version,
        fields=[
            "status",
            "notified_at",
            "ofsted_reference",
            "not_notifiable_reason",
            "decided_by",
            "decided_at",
        ],
    )
    return decision


# Hours after a police risk grade by when it is reviewed, unless the force sets its own
# (Organisation.risk_review_hours) or the officer gives a time.
RISK_REVIEW_HOURS = {
    RiskGrade.HIGH: 2,
    RiskGrade.MEDIUM: 6,
    RiskGrade.LOW: 24,
    RiskGrade.VERY_LOW: 48,
}


def risk_review_hours(force, grade: str) -> int:
    own = (getattr(force, "risk_review_hours", None) or {}).get(grade)
    return int(own) if own else RISK_REVIEW_HOURS[grade]


def _graded(episode: Episode, *, review_given: bool, now) -> list[str]:
    """A new risk grade: when it was given and, unless the officer set one, when it is to be
    reviewed (the home's force's time for the grade). Returns the fields it set."""
    if not episode.risk_grade:
        episode.risk_graded_at = episode.risk_review_at = None
        return ["risk_graded_at", "risk_review_at"]
    episode.risk_graded_at = now
    if not review_given or episode.risk_review_at is None:
        hours = risk_review_hours(episode.home.police_force, episode.risk_grade)
        episode.risk_review_at = now + timedelta(hours=hours)
    elif episode.risk_review_at <= now:
        raise _error("risk_review_at", "The review time must be in the future")
    return ["risk_graded_at", "risk_review_at"]


def _check_police_details(episode: Episode) -> None:
    _not_future(episode.reported_to_police_at, "reported_to_police_at", "The time reported")
    if episode.reported_to_police_at and episode.reported_to_police_at < episode.last_seen_at:
        raise _error("reported_to_police_at", "The time reported to police must be after last seen")
    _not_future(episode.social_worker_notified_at, "social_worker_notified_at", "The time told")


@transaction.atomic
def episode_update(*, actor, episode: Episode, expected_version: int, **fields) -> Episode:
    """Change the report. A change of kind or risk grade goes on the timeline too."""
    _lock_child(episode.child)
    before = {name: getattr(episode, name) for name in EPISODE_FIELDS}
    changed = apply_changes(episode, data=fields, allowed=EPISODE_FIELDS)
    if "last_seen_at" in changed:
        _not_future(episode.last_seen_at, "last_seen_at", "The time last seen")
        if episode.returned_at and episode.returned_at <= episode.last_seen_at:
            raise _error("last_seen_at", "The time last seen must be before the return")
        _check_no_overlap(episode)
    _check_police_details(episode)
    if "risk_grade" in changed:
        changed += _graded(episode, review_given="risk_review_at" in changed, now=timezone.now())
    elif (
        "risk_review_at" in changed
        and episode.risk_review_at is not None
        and episode.risk_review_at <= timezone.now()
    ):
        raise _error("risk_review_at", "The review time must be in the future")
    validate_instance(episode)
    _refresh_overnight(episode)
    changed.append("overnight")
    save_versioned(
        episode, actor=actor, expected_version=expected_version, fields=list(dict.fromkeys(changed))
    )
    if "kind" in changed:
        _timeline(
            episode,
            actor,
            UpdateCategory.KIND_CHANGE,
            old=before["kind"],
            new=episode.kind,
            text=f"Now recorded as {episode.get_kind_display().lower()}",
        )
    if "risk_grade" in changed:
        _timeline(
            episode,
            actor,
            UpdateCategory.RISK_GRADE,
            old=before["risk_grade"],
            new=episode.risk_grade,
        )
    episode_evaluate(episode=episode)
    if "kind" in changed or "risk_grade" in changed:
        _tell(episode, "changed", actor)
    reg40_sync(episode=episode, actor=actor)
    return episode


@transaction.atomic
def episode_add_update(
    *, actor, episode: Episode, category: str, text: str, happened_at: datetime | None = None
) -> EpisodeUpdate:
    if category not in {
        UpdateCategory.SIGHTING,
        UpdateCategory.CONTACT,
        UpdateCategory.CALL,
        UpdateCategory.POLICE,
        UpdateCategory.NOTE,
    }:
        raise _error("category", "Choose what kind of update this is")
    if not (text or "").strip():
        raise _error("text", "Enter what happened")
    happened_at = happened_at or timezone.now()
    _not_future(happened_at, "happened_at", "The time")
    if happened_at < episode.last_seen_at - timedelta(days=1):
        raise _error("happened_at", "The time must be during the episode")
    update = EpisodeUpdate(
        episode=episode,
        category=category,
        text=text.strip(),
        happened_at=happened_at,
        author=actor,
    )
    validate_instance(update)
    update.save()
    return update


@transaction.atomic
def episode_record_return(
    *, actor, episode: Episode, expected_version: int, returned_at: datetime, **fields
) -> Episode:
    """Close the episode and start the return interview's clock (default 72 hours)."""
    _lock_child(episode.child)
    if not episode.is_open:
        raise _error("returned_at", "The return has already been recorded")
    _not_future(returned_at, "returned_at", "The time of return")
    if returned_at <= episode.last_seen_at:
        raise _error("returned_at", "The return must be after the child was last seen")
    episode.returned_at = returned_at
    apply_changes(episode, data=fields, allowed=RETURN_FIELDS)
    _check_return(episode)
    episode.return_recorded_by = actor
    validate_instance(episode)
    _refresh_overnight(episode)
    save_versioned(
        episode,
        actor=actor,
        expected_version=expected_version,
        fields=["returned_at", "overnight", "return_recorded_by", *RETURN_FIELDS],
    )
    _returned(episode, actor)
    episode_evaluate(episode=episode)
    _tell(episode, "returned", actor)
    return episode


@transaction.atomic
def episode_record_late(
    *,
    actor,
    child: Child,
    kind: str,
    last_seen_at: datetime,
    last_seen_where: str,
    returned_at: datetime,
    late_reason: str,
    **fields,
) -> Episode:
    """Record an episode that has already ended (the weekend's absences written up on Monday):
    the start and the return on one form, with why it is recorded late. The home is the one
    the child lived at when last seen. The same checks, rules and notices run as for a report
    and a return; the episode and its timeline say it was recorded late."""
    _lock_child(child)
    if not (late_reason or "").strip():
        raise _error("late_reason", "Enter why this is recorded after the child came back")
    _not_future(last_seen_at, "last_seen_at", "The time last seen")
    _not_future(returned_at, "returned_at", "The time of return")
    if returned_at <= last_seen_at:
        raise _error("returned_at", "The return must be after the child was last seen")
    _check_after_birth(child, last_seen_at)
    placement = (
        Placement.objects.filter(child=child)
        .on(timezone.localdate(last_seen_at))
        .select_related("home__police_force")
        .order_by("-start_date")
        .first()
    )
    if placement is None:
        raise _error("last_seen_at", "The child had no placement then, so it cannot be recorded")
    episode = Episode(
        child=child,
        home=placement.home,
        kind=kind,
        last_seen_at=last_seen_at,
        last_seen_where=last_seen_where,
        reported_by=actor,
        returned_at=returned_at,
        return_recorded_by=actor,
        recorded_late=True,
        late_reason=late_reason.strip(),
        **{
            name: value
            for name, value in fields.items()
            if name in EPISODE_FIELDS + RETURN_FIELDS and name != "risk_review_at"
        },
    )
    _check_return(episode)
    _check_no_overlap(episode)
    _check_police_details(episode)
    if episode.risk_grade:
        episode.risk_graded_at = timezone.now()  # no review: the child is back
    validate_instance(episode)
    _refresh_overnight(episode)
    episode._history_user = actor
    episode.save()
    _timeline(
        episode,
        actor,
        UpdateCategory.REPORTED,
        at=last_seen_at,
        text=f"Recorded late by {actor.full_name}: {episode.late_reason}",
        new=kind,
    )
    _returned(episode, actor)
    episode_evaluate(episode=episode)
    _tell(episode, "returned", actor)
    reg40_sync(episode=episode, actor=actor)
    return episode


def placement_end_refused_while_away(*, placement: Placement, end_date) -> None:
    """Registered with children (EpisodesConfig.ready()): a placement does not end while the
    child is missing or away, so the episode is never left open on a placement that ended
    (SSDA903 rule 575). The return is recorded first."""
    episode = (
        Episode.objects.open().filter(child_id=placement.child_id).order_by("last_seen_at").first()
    )
    if episode is not None:
        what = "missing" if episode.kind == EpisodeKind.MISSING else "away"
        raise _error(
            "end_date",
            f"The child has been {what} since {display_time(episode.last_seen_at)}. Record "
            "their return before ending this placement.",
        )


def date_of_birth_refused_after_episodes(*, child: Child, date_of_birth) -> None:
    """Registered with children: a date of birth on or after a start of one of the child's
    episodes is refused (SSDA903 rule 586 counts the same day as an error)."""
    from apps.core.clock import display_date

    first = child.episodes.order_by("last_seen_at").values_list("last_seen_at", flat=True).first()
    if first is not None and timezone.localdate(first) <= date_of_birth:
        raise _error(
            "date_of_birth",
            f"The date of birth must be before the child's first episode "
            f"({display_date(timezone.localdate(first))})",
        )


def episodes_refresh_overnight(*, now: datetime | None = None) -> int:
    """Open episodes that have run into the night become overnight now, not only when the
    child comes back, so the overnight rules fire while the child is still away. Returns how
    many episodes changed. Beat runs it every minute (apps.alerts.tasks.evaluate_time_rules),
    before the time rules; each episode changes in its own transaction with the rules run
    inside it, as every episode write does."""
    now = now or timezone.now()
    candidates = (
        Episode.objects.open()
        .filter(overnight=False)
        .select_related("child__placing_authority", "home")
    )
    changed = 0
    for episode in candidates:
        authority = episode.child.placing_authority
        if touches_night(
            episode.last_seen_at, now, starts=authority.night_starts, ends=authority.night_ends
        ):
            with transaction.atomic():
                # Locked and versioned like every episode write, with a history row (by
                # Homeward: no user), so the change is seen and an edit opened before it is
                # refused rather than saved over it.
                locked = (
                    Episode.objects.select_for_update()
                    .filter(pk=episode.pk, overnight=False, returned_at__isnull=True)
                    .first()
                )
                if locked is None:
                    continue  # came back or changed meanwhile
                locked.overnight = True
                save_versioned(
                    locked, actor=None, expected_version=locked.version, fields=["overnight"]
                )
                episode.overnight, episode.version = True, locked.version
                episode_evaluate(episode=episode, now=now)
                changed += 1
    return changed


@transaction.atomic
def interview_assign(*, actor, interview: ReturnInterview, interviewer) -> ReturnInterview:
    from apps.accounts.models import Role

    if interviewer.role != Role.RETURN_INTERVIEWER or not interviewer.is_active:
        raise _error("interviewer", "Choose a return interviewer")
    interview.assigned_to = interviewer
    interview._history_user = actor
    interview.save(update_fields=["assigned_to", "updated_at"])
    notice_interview_assigned(interview=interview, actor=actor)
    return interview


@transaction.atomic
def interview_record(
    *, actor, interview: ReturnInterview, expected_version: int, **fields
) -> ReturnInterview:
    """Record the offer, the outcome and what was learned."""
    changed = apply_changes(interview, data=fields, allowed=INTERVIEW_FIELDS)
    returned_at = interview.episode.returned_at
    for name, label in (("offered_at", "The time offered"), ("held_at", "The time held")):
        value = getattr(interview, name)
        _not_future(value, name, label)
        if value is not None and value < returned_at:
            raise _error(name, f"{label} must be after the child returned")
    if interview.outcome == InterviewOutcome.ACCEPTED:
        if interview.held_at is None:
            raise _error("held_at", "Enter when the interview was held")
        if not interview.held_by.strip():
            raise _error("held_by", "Enter who held the interview")
        if interview.independent_of_home is None:
            raise _error("independent_of_home", "Say whether they are independent of the home")
    if interview.outcome in (InterviewOutcome.DECLINED, InterviewOutcome.NOT_POSSIBLE) and (
        not interview.outcome_reason.strip()
    ):
        raise _error("outcome_reason", "Enter why the interview did not happen")
    if interview.outcome and interview.offered_at is None:
        raise _error("offered_at", "Enter when the interview was offered")
    interview.recorded_by = actor
    changed.append("recorded_by")
    validate_instance(interview)
    save_versioned(interview, actor=actor, expected_version=expected_version, fields=changed)
    return interview


@transaction.atomic
def interview_share_summary(
    *, actor, interview: ReturnInterview, expected_version: int, summary: str
) -> ReturnInterview:
    """Share a summary of the interview with the home's staff and the police, who do not read
    what the child said. Empty withdraws it. Caller has checked access."""
    summary = (summary or "").strip()
    interview.shared_summary = summary
    interview.summary_shared_by = actor if summary else None
    interview.summary_shared_at = timezone.now() if summary else None
    validate_instance(interview)
    save_versioned(
        interview,
        actor=actor,
        expected_version=expected_version,
        fields=["shared_summary", "summary_shared_by", "summary_shared_at"],
    )
    return interview


@transaction.atomic
def visit_record(
    *,
    actor,
    episode: Episode,
    visited_at: datetime,
    officer_name: str,
    location: str,
    outcome: str,
    concerns: str = "",
) -> SafeAndWellVisit:
    if episode.is_open:
        raise _error("visited_at", "Record the child's return before the safe and well visit")
    _not_future(visited_at, "visited_at", "The time of the visit")
    if visited_at < episode.returned_at:
        raise _error("visited_at", "The visit must be after the child returned")
    visit = SafeAndWellVisit(
        episode=episode,
        visited_at=visited_at,
        officer=actor,
        officer_name=officer_name,
        location=location,
        outcome=outcome,
        concerns=concerns,
    )
    validate_instance(visit)
    visit._history_user = actor
    visit.save()
    return visit


def _mentioned(text: str) -> list[str]:
    """One name a line (or separated by semicolons), without blanks or repeats."""
    names, seen = [], set()
    for part in (text or "").replace(";", "\n").splitlines():
        name = part.strip(" -•\t")[:200]
        if name and name.lower() not in seen:
            seen.add(name.lower())
            names.append(name)
    return names


@transaction.atomic
def interview_add_to_profile(*, actor, interview: ReturnInterview) -> tuple[int, int]:
    """Add the places and people the child mentioned to their Philomena profile, in one step.

    Each line becomes a place or an associate, flagged as a concern when the interview raised
    a concern about sexual exploitation; names already in the profile are skipped. Returns how
    many associates and places were added. Caller has checked the user may keep the profile.
    """
    from apps.children import services as children_services
    from apps.children.models import PhilomenaProfile

    child = interview.episode.child
    profile, _ = PhilomenaProfile.objects.get_or_create(child=child)
    known_people = {name.lower() for name in profile.associates.values_list("name", flat=True)}
    known_places = {name.lower() for name in profile.places.values_list("name", flat=True)}
    when = timezone.localtime(interview.held_at or interview.offered_at or timezone.now())
    note = f"Mentioned in the return interview of {when:%-d %b %Y}"
    people = [
        n for n in _mentioned(interview.associates_mentioned) if n.lower() not in known_people
    ]
    places = [n for n in _mentioned(interview.places_mentioned) if n.lower() not in known_places]
    for name in people:
        children_services.associate_add(
            actor=actor, child=child, name=name, notes=note, is_concern=interview.cse_concern
        )
    for name in places:
        children_services.place_add(
            actor=actor, child=child, name=name, why=note, is_concern=interview.cse_concern
        )
    return len(people), len(places)


# The first hour ------------------------------------------------------------------------------


def _tick_stale(tick: StepTick) -> StaleVersionError:
    return StaleVersionError(
        f"{tick.done_by.full_name} ticked this step ({display_time(tick.updated_at)}) after "
        "you opened the page. Check it, and tick again if it needs changing."
    )


@transaction.atomic
def step_tick(
    *,
    actor,
    episode: Episode,
    step: str,
    expected_version: int = 0,
    authority_step: AuthorityStep | None = None,
    episode_version: int | None = None,
    done_at: datetime | None = None,
    reported_to_police_at: datetime | None = None,
    police_reference: str = "",
    risk_grade: str = "",
    risk_graded_by: str = "",
    risk_grader_contact: str = "",
    not_appropriate: bool = False,
    note: str = "",
) -> StepTick:
    """Tick one first-hour step of an open or closed episode: who and when.

    `expected_version` is the tick's version the user saw (0: not ticked yet); a tick made or
    changed since is refused (StaleVersionError). Police called and the risk grade are written
    to the episode through episode_update (`episode_version`: the episode's version the user
    saw), so the "not reported to police" rule reads the same data. The authority-told step
    is not ticked by hand.
    """
    if step in DERIVED_STEPS:
        raise _error("step", "Homeward ticks this step when the placing authority is told")
    if step not in FirstStep.values:
        raise _error("step", "Choose a step")
    if step == FirstStep.AUTHORITY_STEP:
        if (
            authority_step is None
            or not authority_step.active
            or authority_step.authority_id != episode.child.placing_authority_id
        ):
            raise _error("step", "This step is not part of the authority's protocol")
    else:
        authority_step = None
    done_at = done_at or timezone.now()
    _not_future(done_at, "done_at", "The time done")
    note = (note or "").strip()
    changes = {}
    if step == FirstStep.POLICE_CALLED:
        if reported_to_police_at is None:
            raise _error("reported_to_police_at", "Enter when the police were called")
        if not (police_reference or "").strip():
            raise _error("police_reference", "Enter the police reference")
        changes = {
            "reported_to_police_at": reported_to_police_at,
            "police_reference": police_reference.strip(),
        }
        done_at = reported_to_police_at
    elif step == FirstStep.RISK_GRADE:
        if risk_grade not in RiskGrade.values:
            raise _error("risk_grade", "Choose the police risk grade")
        changes = {
            "risk_grade": risk_grade,
            "risk_graded_by": (risk_graded_by or "").strip(),
            "risk_grader_contact": (risk_grader_contact or "").strip(),
        }
    elif step == FirstStep.PARENT_TOLD and not_appropriate and not note:
        raise _error("note", "Enter why telling the parent or carer is not appropriate")
    if step != FirstStep.PARENT_TOLD:
        not_appropriate = False
    existing = (
        StepTick.objects.select_for_update()
        .select_related("done_by")
        .filter(episode=episode, step=step, authority_step=authority_step)
        .first()
    )
    if (existing is None and expected_version != 0) or (
        existing is not None and existing.version != expected_version
    ):
        if existing is None:
            raise StaleVersionError("This tick was undone after you opened the page.")
        raise _tick_stale(existing)
    if changes:
        episode_update(
            actor=actor,
            episode=episode,
            expected_version=episode.version if episode_version is None else episode_version,
            **changes,
        )
    values = {
        "done_at": done_at,
        "done_by": actor,
        "not_appropriate": not_appropriate,
        "note": note,
    }
    if existing is None:
        tick = StepTick(episode=episode, step=step, authority_step=authority_step, **values)
        tick._history_user = actor
        try:
            with transaction.atomic():
                tick.save()
        except IntegrityError:
            raise StaleVersionError(
                "Someone else ticked this step after you opened the page."
            ) from None
    else:
        tick = existing
        for name, value in values.items():
            setattr(tick, name, value)
        save_versioned(tick, actor=actor, expected_version=expected_version, fields=list(values))
    label = authority_step.wording if authority_step else FirstStep(step).label
    text = label
    if step == FirstStep.PARENT_TOLD and not_appropriate:
        text = f"Parent or carer not told: not appropriate ({note})"
    elif note:
        text = f"{label}: {note}"
    _timeline(episode, actor, UpdateCategory.NOTE, at=done_at, text=text)
    return tick


@transaction.atomic
def authority_step_add(*, actor, authority, wording: str) -> AuthorityStep:
    """Add a step to the end of the authority's first-hour protocol."""
    wording = (wording or "").strip()
    if not wording:
        raise _error("wording", "Enter the step")
    last = (
        AuthorityStep.objects.filter(authority=authority).order_by("-order").values("order").first()
    )
    step = AuthorityStep(
        authority=authority, wording=wording, order=(last["order"] + 1) if last else 1
    )
    validate_instance(step, exclude=["authority"])
    step._history_user = actor
    step.save()
    return step


@transaction.atomic
def authority_step_move(*, actor, step: AuthorityStep, expected_version: int, up: bool):
    """Swap the step with the one before (up) or after it in the authority's order."""
    steps = list(
        AuthorityStep.objects.select_for_update()
        .filter(authority_id=step.authority_id)
        .order_by("order", "pk")
    )
    index = next(i for i, other in enumerate(steps) if other.pk == step.pk)
    if steps[index].version != expected_version:
        raise StaleVersionError("The steps changed after you opened the page. Check the order.")
    other_index = index - 1 if up else index + 1
    if not 0 <= other_index < len(steps):
        return step
    for position, item in enumerate(steps, start=1):
        item.order = position
    steps[index].order, steps[other_index].order = steps[other_index].order, steps[index].order
    for item in steps:
        save_versioned(item, actor=actor, expected_version=item.version, fields=["order"])
    return steps[index]


@transaction.atomic
def authority_step_set_active(
    *, actor, step: AuthorityStep, expected_version: int, active: bool
) -> AuthorityStep:
    """Retire a step (no longer asked; its ticks stay) or bring it back."""
    step.active = active
    save_versioned(step, actor=actor, expected_version=expected_version, fields=["active"])
    return step

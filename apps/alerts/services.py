"""The escalation engine and every write about alerts.

- `episode_evaluate` runs the event rules for one episode inside the caller's transaction,
  with the same number of queries whatever the child's history (the window query is bounded
  by the longest window and the (child, last_seen_at) index).
- `time_rules_evaluate`, `ladder_climb` and `deliveries_requeue` run from beat every minute.
- `delivery_send` is what the worker does for one email: claim, send, mark.
- `alert_acknowledge`, `rule_update`, `rules_seed_defaults` are the people-facing writes.

Creating an alert is safe to repeat and to race: the row is inserted in a savepoint and the
unique constraint on (rule, child, key) turns the second insert into "already raised".
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from apps.accounts.models import Organisation, Role, User
from apps.alerts import windows
from apps.alerts.models import (
    TIME_RULES,
    Alert,
    AlertDelivery,
    AlertStatus,
    Channel,
    DeliveryStatus,
    EscalationRule,
    Notification,
    RecipientRole,
    RuleType,
    Severity,
)
from apps.core.errors import ApplicationError
from apps.core.services import apply_changes, save_versioned, validate_instance

logger = logging.getLogger(__name__)

# A delivery waits this long for the task enqueued on commit before beat sends it instead.
REQUEUE_AFTER = timedelta(minutes=2)
# Email retries: 1, 2, 4, 8 ... minutes, at most an hour apart, then marked failed.
MAX_ATTEMPTS = 10
LADDER_LABELS = {
    1: "the authority's service managers",
    2: "the out-of-hours contact",
}
CSE_RISK_ALERT_LEVELS = {"medium", "high"}


@dataclass(frozen=True)
class Recipient:
    user: User | None
    email: str
    name: str


# Rules ------------------------------------------------------------------------------------

DEFAULT_RULES = [
    {
        "rule_type": RuleType.EPISODES_IN_WINDOW,
        "name": "Repeat episodes",
        "count": 3,
        "days": 30,
        "severity": Severity.HIGH,
        "recipient_roles": [RecipientRole.SOCIAL_WORKER, RecipientRole.SERVICE_MANAGER],
        "action": "Consider a strategy meeting",
    },
    {
        "rule_type": RuleType.OVERNIGHT_IN_WINDOW,
        "name": "Repeat overnight absences",
        "count": 2,
        "days": 30,
        "severity": Severity.HIGH,
        "recipient_roles": [
            RecipientRole.SOCIAL_WORKER,
            RecipientRole.HOME_MANAGER,
            RecipientRole.POLICE_LIAISON,
        ],
        "action": "Review the risk of child sexual exploitation (CSE)",
    },
    {
        "rule_type": RuleType.OVERNIGHT_AT_CSE_RISK,
        "name": "Overnight absence at CSE risk",
        "severity": Severity.IMMEDIATE,
        "recipient_roles": [
            RecipientRole.SOCIAL_WORKER,
            RecipientRole.HOME_MANAGER,
            RecipientRole.POLICE_LIAISON,
        ],
        "action": "Contact the police and the child's social worker now",
        "acknowledge_within_minutes": 30,
    },
    {
        "rule_type": RuleType.OPEN_LONGER_THAN,
        "name": "Missing more than 24 hours",
        "hours": 24,
        "severity": Severity.HIGH,
        "recipient_roles": [RecipientRole.SERVICE_MANAGER],
        "action": "Review the search and the police response",
    },
    {
        "rule_type": RuleType.OPEN_LONGER_THAN,
        "name": "Missing more than 72 hours",
        "hours": 72,
        "severity": Severity.HIGH,
        "recipient_roles": [RecipientRole.SOCIAL_WORKER, RecipientRole.SERVICE_MANAGER],
        "action": "Consider a strategy meeting",
    },
    {
        "rule_type": RuleType.POLICE_RISK_HIGH,
        "name": "Police risk grade high",
        "severity": Severity.IMMEDIATE,
        "recipient_roles": [RecipientRole.SOCIAL_WORKER, RecipientRole.SERVICE_MANAGER],
        "action": "Speak to the police liaison officer and agree the response",
        "acknowledge_within_minutes": 30,
    },
    {
        "rule_type": RuleType.NO_POLICE_REPORT,
        "name": "Missing and not reported to police",
        "hours": 1,
        "severity": Severity.HIGH,
        "recipient_roles": [RecipientRole.HOME_MANAGER],
        "action": "Report the child missing to the police and record the reference",
        "acknowledge_within_minutes": 30,
    },
    {
        "rule_type": RuleType.INTERVIEW_NOT_HELD,
        "name": "Return interview not held",
        "hours": 72,
        "severity": Severity.STANDARD,
        "recipient_roles": [RecipientRole.SOCIAL_WORKER, RecipientRole.SERVICE_MANAGER],
        "action": "Arrange the return home interview or record why it did not happen",
        "acknowledge_within_minutes": 240,
    },
    {
        "rule_type": RuleType.ACTION_OVERDUE,
        "name": "Meeting action overdue",
        "severity": Severity.STANDARD,
        "recipient_roles": [RecipientRole.ACTION_OWNER, RecipientRole.MEETING_CHAIR],
        "action": "Complete the action, or agree a new date with the chair and record it",
        "acknowledge_within_minutes": 480,
    },
]


@transaction.atomic
def rules_seed_defaults(*, authority: Organisation) -> int:
    """Give an authority the default rules it does not have yet (by type and name).
    Returns how many were created."""
    existing = set(
        EscalationRule.objects.filter(authority=authority).values_list("rule_type", "name")
    )
    created = 0
    for spec in DEFAULT_RULES:
        if (spec["rule_type"], spec["name"]) in existing:
            continue
        rule = EscalationRule(authority=authority, **spec)
        validate_instance(rule)
        rule.save()
        created += 1
    return created


def _check_rule(rule: EscalationRule) -> None:
    from apps.alerts.models import RULE_PARAMETERS

    errors: dict[str, list[str]] = {}
    limits = {"count": (2, 50), "days": (1, 365), "hours": (1, 720)}
    words = {"count": "number of episodes", "days": "number of days", "hours": "number of hours"}
    for name in RULE_PARAMETERS[rule.rule_type]:
        value = getattr(rule, name)
        low, high = limits[name]
        if value is None:
            errors[name] = [f"Enter the {words[name]}"]
        elif not low <= value <= high:
            errors[name] = [f"The {words[name]} must be between {low} and {high}"]
    roles = rule.recipient_roles or []
    if not roles:
        errors["recipient_roles"] = ["Choose who is told"]
    elif not set(roles) <= set(RecipientRole.values):
        errors["recipient_roles"] = ["Choose who is told from the list"]
    if errors:
        first = next(iter(errors.values()))[0]
        raise ApplicationError(first, fields=errors)


@transaction.atomic
def rule_update(*, actor, rule: EscalationRule, expected_version: int, **fields) -> EscalationRule:
    """Change a rule's threshold, recipients, ladder time or switch it on or off. The type
    and authority never change. Caller has checked the user may manage the authority's rules."""
    editable = [
        "name",
        "count",
        "days",
        "hours",
        "severity",
        "recipient_roles",
        "action",
        "acknowledge_within_minutes",
        "enabled",
    ]
    changed = apply_changes(rule, data=fields, allowed=editable)
    _check_rule(rule)
    validate_instance(rule)
    save_versioned(rule, actor=actor, expected_version=expected_version, fields=changed)
    return rule


# Recipients -------------------------------------------------------------------------------


def _recipients(*, roles, child, home, authority_id, named=None) -> list[Recipient]:
    """The active users the roles name for this child and home, in one query. `named` maps
    the roles that name one person (a meeting action's owner and chair) to a user id."""
    from apps.homes.access import VIEW_HOME
    from apps.homes.models import HomeUserObjectPermission

    query = Q(pk__in=[])
    for role, user_id in (named or {}).items():
        if role in roles and user_id:
            query |= Q(pk=user_id)
    if RecipientRole.SOCIAL_WORKER in roles and child.allocated_social_worker_id:
        query |= Q(pk=child.allocated_social_worker_id)
    if RecipientRole.SERVICE_MANAGER in roles:
        query |= Q(role=Role.SERVICE_MANAGER, organisation_id=authority_id)
    if home is not None and RecipientRole.HOME_MANAGER in roles:
        staff = HomeUserObjectPermission.objects.filter(
            content_object_id=home.pk, permission__codename=VIEW_HOME
        ).values("user_id")
        query |= Q(role=Role.HOME_MANAGER, pk__in=staff)
    if home is not None and RecipientRole.POLICE_LIAISON in roles and home.police_force_id:
        query |= Q(role=Role.POLICE_LIAISON, organisation_id=home.police_force_id)
    users = User.objects.filter(query, is_active=True).order_by("pk")
    return [Recipient(user=user, email=user.email, name=user.full_name) for user in users]


def _ladder_recipients(alert: Alert, level: int) -> list[Recipient]:
    if level == 1:
        users = User.objects.filter(
            role=Role.SERVICE_MANAGER, organisation_id=alert.authority_id, is_active=True
        ).order_by("pk")
        return [Recipient(user=user, email=user.email, name=user.full_name) for user in users]
    authority = alert.authority
    if level == 2 and authority.out_of_hours_email:
        name = authority.out_of_hours_name or "Out-of-hours contact"
        return [Recipient(user=None, email=authority.out_of_hours_email, name=name)]
    return []


def _deliver_to(alert: Alert, recipients: list[Recipient], *, level: int, now) -> list[int]:
    """In-app notifications at once; email deliveries into the outbox. Skips anyone already
    told about this alert. Returns the ids of the email deliveries to send after commit."""
    if not recipients:
        return []
    already = set(
        AlertDelivery.objects.filter(alert=alert).values_list("channel", "user_id", "email")
    )
    notifications, deliveries = [], []
    for person in recipients:
        user_id = person.user.pk if person.user else None
        if person.user and (Channel.IN_APP, user_id, person.email) not in already:
            notifications.append(Notification(user=person.user, alert=alert, created_at=now))
            deliveries.append(
                AlertDelivery(
                    alert=alert,
                    user=person.user,
                    email=person.email,
                    recipient_name=person.name,
                    channel=Channel.IN_APP,
                    level=level,
                    status=DeliveryStatus.SENT,
                    next_attempt_at=now,
                    sent_at=now,
                )
            )
        if person.email and (Channel.EMAIL, user_id, person.email) not in already:
            deliveries.append(
                AlertDelivery(
                    alert=alert,
                    user=person.user,
                    email=person.email,
                    recipient_name=person.name,
                    channel=Channel.EMAIL,
                    level=level,
                    next_attempt_at=now + REQUEUE_AFTER,
                )
            )
    Notification.objects.bulk_create(notifications, ignore_conflicts=True)
    created = AlertDelivery.objects.bulk_create(deliveries)
    email_ids = [d.pk for d in created if d.channel == Channel.EMAIL and d.pk]
    if len(email_ids) < sum(1 for d in created if d.channel == Channel.EMAIL):
        # A backend that does not return ids from bulk inserts: read them back.
        email_ids = list(
            AlertDelivery.objects.filter(
                alert=alert, channel=Channel.EMAIL, status=DeliveryStatus.PENDING, level=level
            ).values_list("pk", flat=True)
        )
    return email_ids


def _enqueue(ids: list[int]) -> None:
    """After commit: hand each email to the broker. If the broker is down the rows stay
    pending and beat sends them when it is back; logging an episode never fails for this."""
    from apps.alerts.tasks import deliver

    for pk in ids:
        try:
            deliver.apply_async((pk,), retry=False)
        except Exception:
            logger.warning("Broker unavailable; delivery %s waits for beat", pk, exc_info=True)
            return


def _raise(
    *,
    rule: EscalationRule,
    child,
    home,
    key: str,
    episodes: list,
    summary: str,
    now: datetime,
    window_ends_at: datetime | None = None,
    named: dict[str, int | None] | None = None,
) -> Alert | None:
    """Create the alert and its deliveries, or do nothing if it was already raised."""
    alert = Alert(
        rule=rule,
        authority_id=rule.authority_id,
        child=child,
        home=home,
        key=key,
        severity=rule.severity,
        title=rule.name,
        summary=summary[:500],
        action=rule.action,
        raised_at=now,
        window_ends_at=window_ends_at,
        escalate_at=now + timedelta(minutes=rule.acknowledge_within_minutes),
    )
    try:
        with transaction.atomic():
            alert.save()
    except IntegrityError:
        return None  # already raised, perhaps by a transaction running at the same time
    alert.episodes.add(*episodes)
    recipients = _recipients(
        roles=set(rule.recipient_roles),
        child=child,
        home=home,
        authority_id=rule.authority_id,
        named=named,
    )
    ids = _deliver_to(alert, recipients, level=0, now=now)
    transaction.on_commit(lambda: _enqueue(ids))
    return alert


# Event rules ------------------------------------------------------------------------------

EVENT_RULES = [t for t in RuleType.values if t not in TIME_RULES]
WINDOW_RULES = windows.WINDOW_RULES


def _hours(value: int) -> str:
    return "1 hour" if value == 1 else f"{value} hours"


def _when(value: datetime) -> str:
    local = timezone.localtime(value)
    return f"{local:%-d %b %Y}"


def episode_evaluate(*, episode, now: datetime | None = None) -> list[Alert]:
    """Run the authority's event rules for this episode. Call inside the transaction of the
    service that changed it. Queries: the rules (1); when a window rule is on, the child's
    episodes in the longest window (1) and the alerts those could repeat (1); then a fixed
    number for each alert raised. Safe to call any number of times."""
    now = now or timezone.now()
    child = episode.child
    rules = list(
        EscalationRule.objects.filter(
            authority_id=child.placing_authority_id, enabled=True, rule_type__in=EVENT_RULES
        )
    )
    if not rules:
        return []
    firing: list[tuple[EscalationRule, str, list, str, datetime | None]] = []
    window_rules = [r for r in rules if r.rule_type in WINDOW_RULES and r.days and r.count]
    if window_rules:
        longest = max(r.days for r in window_rules)
        recent = list(
            child.episodes.filter(
                last_seen_at__gt=windows.window_opens(episode.last_seen_at, longest),
                last_seen_at__lte=episode.last_seen_at,
            ).order_by("last_seen_at")
        )
        for rule in window_rules:
            window = windows.window_alert(rule, recent, episode=episode)
            if window is not None:
                inside = window.episodes
                summary = (
                    f"{window.summary}, from "
                    f"{_when(inside[0].last_seen_at)} to {_when(inside[-1].last_seen_at)}"
                )
                firing.append((rule, window.key, inside, summary, window.ends_at))
    for rule in rules:
        if rule.rule_type == RuleType.OVERNIGHT_AT_CSE_RISK:
            if episode.overnight and child.cse_risk in CSE_RISK_ALERT_LEVELS:
                summary = (
                    f"Away overnight from {_when(episode.last_seen_at)} while the CSE risk "
                    f"is {child.get_cse_risk_display().lower()}"
                )
                firing.append((rule, f"episode:{episode.pk}", [episode], summary, None))
        elif rule.rule_type == RuleType.POLICE_RISK_HIGH and episode.risk_grade == "high":
            summary = f"Police graded the episode from {_when(episode.last_seen_at)} high risk"
            firing.append((rule, f"episode:{episode.pk}", [episode], summary, None))
    if not firing:
        return []
    # A window alert is not repeated while an earlier alert's window is still running:
    # 4 episodes in a month is one "3 in 30 days" alert, not two.
    earlier = list(
        Alert.objects.filter(child=child, rule__in=[f[0] for f in firing]).values_list(
            "rule_id", "key", "raised_at", "window_ends_at"
        )
    )
    alerts = []
    for rule, key, episodes, summary, _window_end in firing:
        if any(r == rule.pk and k == key for r, k, _raised, _ends in earlier):
            continue
        if rule.rule_type in WINDOW_RULES and windows.window_repeats(
            episodes[0].last_seen_at, (ends for r, _k, _raised, ends in earlier if r == rule.pk)
        ):
            continue
        alert = _raise(
            rule=rule,
            child=child,
            home=episode.home,
            key=key,
            episodes=episodes,
            summary=summary,
            now=now,
            window_ends_at=_window_end,
        )
        if alert:
            alerts.append(alert)
    return alerts


def episodes_refresh_overnight(*, now: datetime | None = None) -> int:
    """Open episodes that have run into the night become overnight now, not only when the
    child comes back, so the overnight rules fire while the child is still away. Returns how
    many episodes changed."""
    from apps.core.clock import touches_night
    from apps.episodes.models import Episode

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
                updated = Episode.objects.filter(
                    pk=episode.pk, overnight=False, returned_at__isnull=True
                ).update(overnight=True)
                if updated:
                    episode.overnight = True
                    episode_evaluate(episode=episode, now=now)
                    changed += 1
    return changed


# Time rules -------------------------------------------------------------------------------

# Time rules look back this far for things that should have alerted (beat or the database
# down for a while); older misses are left to the reports.
CATCH_UP = timedelta(days=14)


@dataclass
class _Due:
    """A time rule that should fire for one thing, unless it already has."""

    rule: EscalationRule
    episode: object | None
    key: str
    summary: str
    child: object = None
    home: object = None
    named: dict | None = None

    def __post_init__(self):
        if self.episode is not None:
            self.child = self.child or self.episode.child
            self.home = self.home or self.episode.home


def _overdue_actions(rules: list[EscalationRule], now: datetime) -> list[_Due]:
    """Open strategy-meeting actions past their due date (UK date), one query."""
    if not rules:
        return []
    from apps.strategy_meetings.models import ActionStatus, MeetingAction

    by_authority = {rule.authority_id: rule for rule in rules}
    today = timezone.localdate(now)
    actions = MeetingAction.objects.filter(
        status=ActionStatus.OPEN,
        due_on__lt=today,
        due_on__gte=today - CATCH_UP,
        meeting__authority_id__in=list(by_authority),
    ).select_related("meeting__child", "owner_user", "owner_attendee")
    due = []
    for action in actions:
        meeting = action.meeting
        summary = (
            f"{action.description[:200]} (owner {action.owner_name}) was due "
            f"{action.due_on:%-d %b %Y}"
        )
        due.append(
            _Due(
                by_authority[meeting.authority_id],
                None,
                f"action:{action.pk}",
                summary,
                child=meeting.child,
                named={
                    RecipientRole.ACTION_OWNER: action.owner_user_id,
                    RecipientRole.MEETING_CHAIR: meeting.chair_id,
                },
            )
        )
    return due


def time_rules_evaluate(*, now: datetime | None = None) -> list[Alert]:
    """Beat, every minute: episodes open too long, missing with no police report, and return
    interviews not held in time. Per rule type: one query for the candidates and one for the
    alerts already raised on them, whatever the number of authorities or the history size;
    then a fixed number for each alert raised."""
    from apps.episodes.models import Episode, EpisodeKind, InterviewOutcome, ReturnInterview

    now = now or timezone.now()
    rules = list(EscalationRule.objects.filter(enabled=True, rule_type__in=TIME_RULES))
    due = _overdue_actions([r for r in rules if r.rule_type == RuleType.ACTION_OVERDUE], now)
    for rule_type in TIME_RULES - {RuleType.ACTION_OVERDUE}:
        of_type = [r for r in rules if r.rule_type == rule_type and r.hours]
        if not of_type:
            continue
        by_authority: dict[int, list[EscalationRule]] = {}
        for rule in of_type:
            by_authority.setdefault(rule.authority_id, []).append(rule)
        earliest = now - timedelta(hours=min(r.hours for r in of_type))
        authorities = list(by_authority)
        if rule_type == RuleType.INTERVIEW_NOT_HELD:
            interviews = (
                ReturnInterview.objects.filter(
                    episode__returned_at__lte=earliest,
                    episode__returned_at__gte=now - CATCH_UP,
                    episode__child__placing_authority_id__in=authorities,
                )
                .exclude(outcome=InterviewOutcome.ACCEPTED, held_at__isnull=False)
                .select_related("episode__child", "episode__home")
            )
            for interview in interviews:
                episode = interview.episode
                state = (
                    interview.get_outcome_display().lower()
                    if interview.outcome
                    else ("no outcome recorded")
                )
                for rule in by_authority[episode.child.placing_authority_id]:
                    if episode.returned_at <= now - timedelta(hours=rule.hours):
                        summary = (
                            f"Came back {_when(episode.returned_at)}; the return interview was "
                            f"not held within {_hours(rule.hours)} ({state})"
                        )
                        due.append(_Due(rule, episode, f"interview:{interview.pk}", summary))
            continue
        episodes = Episode.objects.open().filter(
            child__placing_authority_id__in=authorities, last_seen_at__gte=now - CATCH_UP * 4
        )
        if rule_type == RuleType.OPEN_LONGER_THAN:
            episodes = episodes.filter(last_seen_at__lte=earliest)
        else:  # NO_POLICE_REPORT: counted from when the home logged the child missing
            episodes = episodes.filter(
                kind=EpisodeKind.MISSING,
                reported_to_police_at__isnull=True,
                created_at__lte=earliest,
            )
        for episode in episodes.select_related("child", "home"):
            for rule in by_authority[episode.child.placing_authority_id]:
                since = timedelta(hours=rule.hours)
                if rule_type == RuleType.OPEN_LONGER_THAN:
                    if episode.last_seen_at > now - since:
                        continue
                    summary = (
                        f"{episode.get_kind_display()} since {_when(episode.last_seen_at)}, "
                        f"more than {_hours(rule.hours)}"
                    )
                else:
                    if episode.created_at > now - since:
                        continue
                    summary = (
                        f"Reported missing {_when(episode.created_at)} and not reported to "
                        f"the police after {_hours(rule.hours)}"
                    )
                due.append(_Due(rule, episode, f"episode:{episode.pk}", summary))
    if not due:
        return []
    raised = set(
        Alert.objects.filter(
            rule__in={d.rule.pk for d in due}, key__in={d.key for d in due}
        ).values_list("rule_id", "key")
    )
    alerts = []
    for item in due:
        if (item.rule.pk, item.key) in raised:
            continue
        with transaction.atomic():
            alert = _raise(
                rule=item.rule,
                child=item.child,
                home=item.home,
                key=item.key,
                episodes=[item.episode] if item.episode else [],
                summary=item.summary,
                now=now,
                named=item.named,
            )
        if alert:
            alerts.append(alert)
    return alerts


# The ladder -------------------------------------------------------------------------------


def ladder_climb(*, now: datetime | None = None) -> list[Alert]:
    """Beat, every minute: each open alert past its acknowledgement time goes to the next
    step: the authority's service managers, then its out-of-hours contact."""
    now = now or timezone.now()
    climbed = []
    due = Alert.objects.open().filter(escalate_at__lte=now).values_list("pk", flat=True)[:500]
    for pk in list(due):
        with transaction.atomic():
            alert = (
                Alert.objects.select_for_update(of=("self",))
                .select_related("rule", "authority")
                .filter(pk=pk, status=AlertStatus.OPEN, escalate_at__lte=now)
                .first()
            )
            if alert is None:
                continue  # acknowledged, or another beat got there first
            level = alert.level + 1
            recipients = _ladder_recipients(alert, level)
            if level == 1 and not recipients:
                level, recipients = 2, _ladder_recipients(alert, 2)
            alert.level = level
            alert.escalated_at = now
            last = level >= 2 or not _ladder_recipients(alert, level + 1)
            alert.escalate_at = (
                None if last else now + timedelta(minutes=alert.rule.acknowledge_within_minutes)
            )
            alert.save(update_fields=["level", "escalated_at", "escalate_at", "updated_at"])
            ids = _deliver_to(alert, recipients, level=level, now=now)
            transaction.on_commit(lambda ids=ids: _enqueue(ids))
            climbed.append(alert)
    return climbed


def ladder_description(alert: Alert) -> str:
    """'Escalated to the authority's service managers at 2:31am on 23 Nov 2026 because it was
    not acknowledged within 30 minutes.' Empty while on its first step."""
    if not alert.level or not alert.escalated_at:
        return ""
    when = timezone.localtime(alert.escalated_at)
    who = LADDER_LABELS.get(alert.level, "the next contact")
    return (
        f"Escalated to {who} at {when:%-I:%M%p on %-d %b %Y}".replace("AM", "am").replace(
            "PM", "pm"
        )
        + f" because it was not acknowledged within {alert.rule.acknowledge_within_minutes}"
        " minutes."
    )


# Acknowledgement --------------------------------------------------------------------------


@transaction.atomic
def alert_acknowledge(*, actor, alert: Alert, expected_version: int, note: str = "") -> Alert:
    """Acknowledge for everyone it went to; the ladder stops. Caller has checked the user may
    act on the alert."""
    if not alert.is_open:
        raise ApplicationError(
            "This alert has already been acknowledged",
            fields={"note": ["This alert has already been acknowledged"]},
        )
    alert.status = AlertStatus.ACKNOWLEDGED
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = actor
    alert.acknowledgement_note = (note or "").strip()
    alert.escalate_at = None
    validate_instance(alert)
    save_versioned(
        alert,
        actor=actor,
        expected_version=expected_version,
        fields=[
            "status",
            "acknowledged_at",
            "acknowledged_by",
            "acknowledgement_note",
            "escalate_at",
        ],
    )
    Notification.objects.filter(alert=alert, user=actor, read_at__isnull=True).update(
        read_at=alert.acknowledged_at
    )
    return alert


def notifications_mark_read(*, user, alert: Alert) -> None:
    Notification.objects.filter(alert=alert, user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# The outbox -------------------------------------------------------------------------------


def _claimable(now: datetime) -> Q:
    stale = now - timedelta(seconds=settings.ALERT_CLAIM_TIMEOUT_SECONDS)
    return Q(status=DeliveryStatus.PENDING) | Q(status=DeliveryStatus.SENDING, claimed_at__lt=stale)


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def _send_timeout() -> float:
    """Seconds each step of an SMTP conversation may take. Django's default is to wait for
    ever: a mail server that takes the connection and never answers would hold the worker
    past the claim timeout, and the email would be claimed and sent again by another worker
    while the first could still complete. Kept well inside the claim timeout."""
    limit = max(1.0, settings.ALERT_CLAIM_TIMEOUT_SECONDS / 20)
    configured = getattr(settings, "EMAIL_TIMEOUT", None)
    return min(configured, limit) if configured else limit


def delivery_send(*, delivery_id: int) -> bool:
    """Send one email delivery exactly once where possible. Claims the row with a conditional
    update (two workers never both send); on failure puts it back with a backoff, after
    MAX_ATTEMPTS marks it failed. A crash after the SMTP server took the message and before
    the row is marked sent is the one window that can repeat it; the Message-ID is stable so a
    repeat is recognisable. Returns whether this call sent it."""
    now = timezone.now()
    claimed = AlertDelivery.objects.filter(
        _claimable(now), pk=delivery_id, channel=Channel.EMAIL
    ).update(status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return False  # sent, claimed by another worker, or gone
    delivery = AlertDelivery.objects.select_related(
        "alert__child", "alert__home", "alert__rule"
    ).get(pk=delivery_id)
    mine = AlertDelivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.SENDING, claimed_at=now
    )
    try:
        message = _email(delivery)
        message.connection = get_connection(timeout=_send_timeout())
        message.send(fail_silently=False)
    except Exception as error:
        failed = delivery.attempts >= MAX_ATTEMPTS
        mine.update(
            status=DeliveryStatus.FAILED if failed else DeliveryStatus.PENDING,
            next_attempt_at=now + _backoff(delivery.attempts),
            last_error=f"{type(error).__name__}: {error}"[:500],
        )
        logger.warning("Alert email %s failed (attempt %s)", delivery_id, delivery.attempts)
        return False
    mine.update(status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error="")
    return True


def _email(delivery: AlertDelivery) -> EmailMultiAlternatives:
    """The alert email. It names the child only by initials and ID: the details are behind
    sign-in."""
    from django.urls import reverse

    alert = delivery.alert
    child = alert.child
    context = {
        "delivery": delivery,
        "alert": alert,
        "child_initials": f"{child.first_name[:1]}{child.last_name[:1]}".upper(),
        "child_ref": child.child_id,
        "home_name": alert.home.name if alert.home else "",
        "url": settings.SITE_URL + reverse("alerts:detail", args=[alert.pk]),
        "ladder": ladder_description(alert) if delivery.level else "",
    }
    subject = f"Homeward alert: {alert.title} ({context['child_initials']}, {child.child_id})"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("alerts/email/alert.txt", context),
        to=[delivery.email],
        headers={"Message-ID": delivery.message_id},
    )
    message.attach_alternative(render_to_string("alerts/email/alert.html", context), "text/html")
    return message


def deliveries_requeue(*, now: datetime | None = None) -> list[int]:
    """Beat, every minute: emails still waiting (the broker was down when they were made, a
    retry is due, or their worker died after claiming them) go back on the queue."""
    now = now or timezone.now()
    ids = list(
        AlertDelivery.objects.filter(channel=Channel.EMAIL)
        .due(now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:1000]
    )
    _enqueue(ids)
    return ids


# The authority's out-of-hours contact ----------------------------------------------------


@transaction.atomic
def authority_out_of_hours_update(
    *, actor, authority: Organisation, name: str, email: str
) -> Organisation:
    """Set who the last step of the ladder emails. Both empty: the ladder stops at the service
    managers. Caller has checked the user may manage the authority's rules."""
    name, email = (name or "").strip(), (email or "").strip().lower()
    if name and not email:
        message = "Enter the out-of-hours email address"
        raise ApplicationError(message, fields={"out_of_hours_email": [message]})
    changed = [
        field
        for field, value in (("out_of_hours_name", name), ("out_of_hours_email", email))
        if getattr(authority, field) != value
    ]
    authority.out_of_hours_name = name
    authority.out_of_hours_email = email
    validate_instance(authority)
    if changed:
        authority._history_user = actor
        authority.save(update_fields=changed)
    return authority

"""The escalation engine: the event rules for one episode, and raising an alert.

`episode_evaluate` runs the event rules for one episode inside the caller's transaction, with
the same number of queries whatever the child's history (the window query is bounded by the
longest window and the (child, last_seen_at) index). Domain services call it explicitly: the
one call from an app below alerts up into it.

Creating an alert is safe to repeat and to race: the row is inserted in a savepoint and the
unique constraint on (rule, child, key) turns the second insert into "already raised".
"""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from apps.accounts.models import Role, User
from apps.alerts import windows
from apps.alerts.models import (
    TIME_RULES,
    Alert,
    EscalationRule,
    RecipientRole,
    RuleType,
)
from apps.alerts.services import outbox
from apps.alerts.services.outbox import Recipient

CSE_RISK_ALERT_LEVELS = {"medium", "high"}


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
    external: dict[str, Recipient] | None = None,
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
    recipients += [
        person for role, person in (external or {}).items() if role in rule.recipient_roles
    ]
    ids = outbox._deliver_to(alert, recipients, level=0, now=now)
    outbox._enqueue(ids)
    return alert


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

"""Invented demo escalation: each demo authority's rules and out-of-hours contact, and the
alerts the engine raises on the demo episodes.

The alerts are real: the engine (apps.alerts.services) is run over the last two months of demo
episodes in the order they happened, each at the moment it would have run (when the report
last changed, or when the episode ran into the night), then the time rules are run now. The
demo social worker then records a CSE risk for two children: the story child (high) and the
child missing overnight since last night (medium), and, both being away overnight, the CSE rule
fires for each at once, through apps.children.services as it would in the app.

What people did next: alerts raised more than three days ago were acknowledged, with a note,
by the child's social worker (the service manager when no social worker was told) within the
hour; the rest are live. The oldest live alert climbed the ladder, unacknowledged: to the
service managers, then to the out-of-hours contact.

No email is sent by seeding: every email delivery made here is marked sent when it would have
been (demo only, like the dated timeline entries of apps.episodes.demo). Every address in the
demo is at an invented example domain, and in `make run` the worker prints email to the
console. The alerts that climb the ladder later, while `make run` is running, are sent by the
worker as usual.

Idempotent: the rules and contacts are only added when missing, and when the demo authorities
already have any alert no alert is added.
"""

import random
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from apps.accounts import services as accounts_services
from apps.accounts.models import Organisation, Role, User
from apps.alerts import services
from apps.alerts.models import (
    Alert,
    AlertDelivery,
    Channel,
    DeliveryStatus,
    Notice,
    NoticeKind,
    Notification,
    RuleType,
)
from apps.children import services as children_services
from apps.children.demo import SOCIAL_WORKER
from apps.children.models import Child
from apps.core.clock import local_window
from apps.episodes.demo import MANAGERS, STORY_CHILD
from apps.episodes.models import Episode, EpisodeKind, EpisodeUpdate, UpdateCategory

SEED = 2611
# Each demo authority's last step of the ladder (invented teams at example domains).
OUT_OF_HOURS = {
    "N901": ("Northshire Emergency Duty Team", "emergency.duty.team@northshire.example"),
    "E902": ("Eastbrook Out of Hours Service", "out.of.hours@eastbrook.example"),
}
LOOK_BACK = timedelta(days=60)  # the episodes the engine is run over
LIVE_FOR = timedelta(days=3)  # alerts raised since then are not acknowledged yet
ACKNOWLEDGEMENT_NOTES = {
    RuleType.EPISODES_IN_WINDOW: "Strategy meeting booked with the police and the school.",
    RuleType.OVERNIGHT_IN_WINDOW: "CSE screening tool completed with the home; discussed at "
    "the MACE panel.",
    RuleType.OVERNIGHT_AT_CSE_RISK: "Spoke to the police liaison officer; a joint search is "
    "under way.",
    RuleType.OPEN_LONGER_THAN: "Reviewed the search with the police; the missing person "
    "coordinator is involved.",
    RuleType.POLICE_RISK_HIGH: "Agreed the response with the police liaison officer; the "
    "home is keeping in touch by phone.",
    RuleType.NO_POLICE_REPORT: "Home rang 101 and recorded the police reference.",
    RuleType.INTERVIEW_NOT_HELD: "Interview rearranged for this week with the return interviewer.",
}
REPORT_CHANGES = [UpdateCategory.REPORTED, UpdateCategory.RISK_GRADE, UpdateCategory.KIND_CHANGE]


def _rng(*parts) -> random.Random:
    return random.Random(":".join(str(part) for part in (SEED, *parts)))  # noqa: S311


def _out_of_hours(authority: Organisation) -> None:
    """Each authority's service manager sets the out-of-hours contact, unless it is set."""
    name, email = OUT_OF_HOURS[authority.code]
    if (authority.out_of_hours_name, authority.out_of_hours_email) == (name, email):
        return
    manager = User.objects.get(email=MANAGERS[authority.code])
    accounts_services.authority_out_of_hours_update(
        actor=manager, authority=authority, name=name, email=email
    )


def _engine_time(episode: Episode, report_changed: datetime | None, now: datetime) -> datetime:
    """When the engine would last have run for this episode: when its report last changed
    (reported, risk grade, kind), or when it ran into the night if that was later."""
    at = report_changed or episode.last_seen_at
    if episode.overnight:
        authority = episode.child.placing_authority
        day = timezone.localtime(episode.last_seen_at).date() - timedelta(days=1)
        while True:
            starts, ends = local_window(day, authority.night_starts, authority.night_ends)
            if ends > episode.last_seen_at:
                at = max(at, starts, episode.last_seen_at)
                break
            day += timedelta(days=1)
    return min(at, episode.returned_at or now, now)


def _evaluate_recent(now: datetime) -> None:
    episodes = list(
        Episode.objects.filter(last_seen_at__gte=now - LOOK_BACK)
        .select_related("child__placing_authority", "home")
        .order_by("last_seen_at", "pk")
    )
    changed: dict[int, datetime] = {}
    for episode_id, at in EpisodeUpdate.objects.filter(
        episode__in=episodes, category__in=REPORT_CHANGES
    ).values_list("episode_id", "happened_at"):
        changed[episode_id] = max(at, changed.get(episode_id, at))
    for episode in episodes:
        at = _engine_time(episode, changed.get(episode.pk), now)
        services.episode_evaluate(episode=episode, now=at)


def _record_cse_risk(now: datetime) -> None:
    """The social worker records a CSE risk for the story child and for the child missing
    overnight since last night; both are away overnight, so the CSE rule fires now."""
    social_worker = User.objects.get(email=SOCIAL_WORKER)
    authority, child_id = STORY_CHILD
    levels = {(authority, child_id): "high"}
    overnight = (
        Episode.objects.open()
        .filter(kind=EpisodeKind.MISSING, overnight=True, child__placing_authority__code="N901")
        .exclude(child__child_id=child_id)
        .select_related("child")
        .order_by("last_seen_at")
        .first()
    )
    if overnight is not None:
        levels[("N901", overnight.child.child_id)] = "medium"
    for (code, ref), level in levels.items():
        child = Child.objects.filter(placing_authority__code=code, child_id=ref).first()
        if child is None or child.cse_risk:
            continue
        # Through an assessment, the one way a level is set: high assessed 20 days ago
        # (reviewed within the fortnight), medium 85 days ago (its review falls due this week).
        children_services.assessment_complete(
            actor=social_worker,
            child=child,
            indicators=[],
            answers={},
            assessed_on=timezone.localdate(now) - timedelta(days=20 if level == "high" else 85),
            override_level=level,
            override_reason="Seen with older males in a grey hatchback; new phone and clothes.",
            summary="Screened with the home and the police liaison officer.",
        )


def _acknowledger(alert: Alert) -> User:
    """Who acknowledged an older alert: the child's social worker if they were told, else a
    service manager of the authority."""
    told = {d.user_id: d.user for d in alert.deliveries.all() if d.user_id}
    social_worker_id = alert.child.allocated_social_worker_id
    if social_worker_id in told:
        return told[social_worker_id]
    managers = [user for user in told.values() if user.role == Role.SERVICE_MANAGER]
    if managers:
        return managers[0]
    manager = User.objects.filter(
        role=Role.SERVICE_MANAGER, organisation_id=alert.authority_id, is_active=True
    ).order_by("pk")
    return manager.first() or next(iter(told.values()))


def _acknowledge_older(alerts: list[Alert], now: datetime) -> None:
    for alert in alerts:
        if alert.raised_at > now - LIVE_FOR:
            continue
        actor = _acknowledger(alert)
        services.alert_acknowledge(
            actor=actor,
            alert=alert,
            expected_version=alert.version,
            note=ACKNOWLEDGEMENT_NOTES.get(alert.rule.rule_type, ""),
        )
        # Demo only: acknowledged when it happened, and everyone told has read it by then.
        at = alert.raised_at + timedelta(minutes=_rng(alert.key, alert.rule_id).randint(8, 45))
        Alert.objects.filter(pk=alert.pk).update(acknowledged_at=at, updated_at=at)
        Notification.objects.filter(alert=alert).update(read_at=at)


def _escalate_oldest_live(now: datetime) -> None:
    """The oldest live alert climbs the ladder: nobody acknowledged it in time."""
    alert = (
        Alert.objects.open()
        .filter(escalate_at__isnull=False, escalate_at__lt=now)
        .order_by("raised_at", "pk")
        .first()
    )
    for _step in range(2):
        if alert is None or alert.escalate_at is None or alert.escalate_at >= now:
            return
        services.ladder_climb(now=alert.escalate_at)
        alert.refresh_from_db()


def _emails_sent(alert_ids: list[int], now: datetime) -> None:
    """Demo only: the emails went out when the alerts were raised or climbed; seeding sends
    none (the tasks queued on commit find them sent and do nothing)."""
    pending = AlertDelivery.objects.filter(
        alert_id__in=alert_ids, channel=Channel.EMAIL, status=DeliveryStatus.PENDING
    )
    for delivery in pending:
        _sent(delivery, made=delivery.next_attempt_at - services.REQUEUE_AFTER, now=now)
        delivery.save(update_fields=["status", "attempts", "sent_at", "next_attempt_at"])


def _sent(delivery: AlertDelivery, *, made: datetime, now: datetime) -> None:
    """Demo only: the delivery made at `made` went out at once in the app, or by email 40
    seconds later (never after `now`)."""
    in_app = delivery.channel == Channel.IN_APP
    delivery.next_attempt_at = made
    delivery.sent_at = min(made + (timedelta(0) if in_app else timedelta(seconds=40)), now)
    delivery.status = DeliveryStatus.SENT
    delivery.attempts = 0 if in_app else 1


@transaction.atomic
def seed_notices_dated() -> int:
    """Demo only: the notices were made as the demo's episodes, interviews and actions were
    written, stamped with the real clock. Date each to the event it tells (and the episode's
    "told" time with it), mark its emails sent, and the older in-app ones read. Run last."""
    from apps.episodes.models import Episode, EpisodeUpdate, UpdateCategory

    now = timezone.now()
    reported = dict(
        EpisodeUpdate.objects.filter(category=UpdateCategory.REPORTED).values_list(
            "episode_id", "happened_at"
        )
    )
    notices = list(Notice.objects.select_related("episode"))
    told = []
    for notice in notices:
        episode = notice.episode
        if episode is None:
            continue
        start = reported.get(episode.pk, episode.last_seen_at)
        if notice.kind == NoticeKind.EPISODE_RETURNED and episode.returned_at:
            notice.created_at = episode.returned_at
        elif notice.kind == NoticeKind.EPISODE_REPORTED:
            notice.created_at = start
            if episode.social_worker_notified_at:
                episode.social_worker_notified_at = start
                told.append(episode)
        else:
            notice.created_at = min(start + timedelta(hours=1), episode.returned_at or now, now)
    Notice.objects.bulk_update(notices, ["created_at"], batch_size=500)
    Episode.objects.bulk_update(told, ["social_worker_notified_at"], batch_size=500)
    at = {notice.pk: notice.created_at for notice in notices}
    deliveries = list(AlertDelivery.objects.filter(notice__isnull=False))
    for delivery in deliveries:
        made = at[delivery.notice_id]
        _sent(delivery, made=made, now=now)
        if delivery.channel == Channel.IN_APP and now - made > timedelta(days=2):
            delivery.read_at = made + timedelta(minutes=25)
    AlertDelivery.objects.bulk_update(
        deliveries, ["next_attempt_at", "sent_at", "status", "attempts", "read_at"], batch_size=500
    )
    return len(notices)


@transaction.atomic
def seed() -> int:
    """Give the demo authorities their rules and out-of-hours contacts, and, unless they
    already have alerts, raise the demo alerts. Returns how many alerts were created. Needs
    the episodes demo first."""
    authorities = list(Organisation.objects.filter(code__in=OUT_OF_HOURS))
    for authority in authorities:
        _out_of_hours(authority)
        services.rules_seed_defaults(authority=authority)
    if Alert.objects.filter(authority__in=authorities).exists():
        return 0
    now = timezone.now()
    _evaluate_recent(now)
    services.time_rules_evaluate(now=now)
    _record_cse_risk(now)
    alerts = list(
        Alert.objects.filter(authority__in=authorities)
        .select_related("rule", "child")
        .prefetch_related("deliveries__user")
        .order_by("raised_at", "pk")
    )
    _acknowledge_older(alerts, now)
    _escalate_oldest_live(now)
    _emails_sent([alert.pk for alert in alerts], now)
    return len(alerts)

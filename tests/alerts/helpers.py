"""Building alerts through the episode services, for the delivery, concurrency and time tests."""

from datetime import timedelta

from django.utils import timezone

from apps.alerts import services as alerts
from apps.alerts.models import Alert, AlertDelivery, Channel
from apps.episodes import services as episodes
from tests.world import build_world


def world_with_rules():
    """tests.world with authority A's default rules (B has none)."""
    world = build_world()
    alerts.rules_seed_defaults(authority=world.orgs["A"])
    return world


def log_episode(world, child="a1", user="cw_a1", *, days_ago, hours=2, **fields):
    """An episode of `hours` (0: still open) that started `days_ago` days ago at 14:00 UTC, so
    never overnight. Each service call is its own transaction (committed in transaction=True
    tests, which runs the on-commit enqueue)."""
    start = (timezone.now() - timedelta(days=days_ago)).replace(
        hour=14, minute=0, second=0, microsecond=0
    )
    episode = episodes.episode_open(
        actor=world.users[user],
        child=world.children[child],
        kind=fields.pop("kind", "M"),
        last_seen_at=start,
        last_seen_where="Town centre",
        **fields,
    )
    if hours:
        episode = episodes.episode_record_return(
            actor=world.users[user],
            episode=episode,
            expected_version=episode.version,
            returned_at=start + timedelta(hours=hours),
            return_method="own_accord",
        )
    return episode


def cross_repeat_threshold(world, child="a1", user="cw_a1") -> Alert:
    """Three episodes in 30 days: authority A's 'Repeat episodes' rule fires once."""
    for days_ago in (20, 10, 2):
        log_episode(world, child, user, days_ago=days_ago)
    return Alert.objects.get(rule__name="Repeat episodes", child=world.children[child])


def emails(alert=None):
    rows = AlertDelivery.objects.filter(channel=Channel.EMAIL).order_by("pk")
    return rows.filter(alert=alert) if alert is not None else rows

"""The same rule evaluated in two transactions at once makes one alert and one set of
deliveries. Two threads, each with its own PostgreSQL connection; both have read that no
alert exists before either inserts one, and neither has committed (the episode services
serialise a child's writes by locking the child row, so this goes below that lock)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from apps.alerts import services as alerts
from apps.alerts.models import Alert, AlertDelivery, Channel, EscalationRule, Notification
from apps.alerts.services import engine, outbox
from tests.alerts.helpers import log_episode, world_with_rules
from tests.services import need

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def racing(monkeypatch):
    need(connection.vendor == "postgresql", "the race needs PostgreSQL (set DATABASE_URL)")
    enqueued: list[list[int]] = []
    monkeypatch.setattr(outbox, "_enqueue", enqueued.append)  # no broker here
    return enqueued


def race(monkeypatch, work) -> list:
    """Run `work()` in two threads, each in its own transaction; both reach `_raise` (having
    checked for an earlier alert) before either goes on, and each commits on its own."""
    barrier = threading.Barrier(2, timeout=20)
    real_raise = engine._raise

    def raise_together(**kwargs):
        barrier.wait()
        return real_raise(**kwargs)

    monkeypatch.setattr(engine, "_raise", raise_together)
    results, errors = [], []

    def run():
        try:
            with transaction.atomic():
                results.append(work())
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not any(t.is_alive() for t in threads), "a thread is stuck"
    assert errors == []
    return results


def test_episode_evaluate_in_two_transactions_at_once_raises_one_alert(racing, monkeypatch):
    world = world_with_rules()
    # Three episodes in 30 days with the rule off: the threshold is crossed, nothing raised.
    EscalationRule.objects.update(enabled=False)
    for days_ago in (20, 10, 2):
        third = log_episode(world, days_ago=days_ago)
    EscalationRule.objects.filter(name="Repeat episodes").update(enabled=True)
    assert Alert.objects.count() == 0
    racing.clear()  # the episodes' own notices, handed over as each was logged

    results = race(monkeypatch, lambda: alerts.episode_evaluate(episode=third))

    assert sorted(len(r) for r in results) == [0, 1]  # one thread raised it, one found it raised
    (alert,) = Alert.objects.all()
    assert alert.rule.name == "Repeat episodes"
    assert alert.episodes.count() == 3
    sw, sm = world.users["sw_a"].pk, world.users["sm_a"].pk
    assert sorted(alert.deliveries.values_list("user_id", "channel")) == sorted(
        [(sw, Channel.IN_APP), (sw, Channel.EMAIL), (sm, Channel.IN_APP), (sm, Channel.EMAIL)]
    )
    assert sorted(Notification.objects.values_list("user_id", flat=True)) == sorted([sw, sm])
    # Only the winner's commit hands emails to the broker.
    emails = set(alert.deliveries.filter(channel=Channel.EMAIL).values_list("pk", flat=True))
    assert [set(ids) for ids in racing] == [emails]


def test_the_time_rules_run_by_two_beats_at_once_raise_one_alert(racing, monkeypatch):
    world = world_with_rules()
    log_episode(world, days_ago=2, hours=0)  # open since 14:00 two days ago: over 24 hours
    now = timezone.now()

    results = race(monkeypatch, lambda: alerts.time_rules_evaluate(now=now))

    raised = Alert.objects.filter(rule__name="Missing more than 24 hours")
    assert raised.count() == 1
    assert sorted(len(r) for r in results) == [0, 1]
    assert AlertDelivery.objects.filter(alert__in=raised, channel=Channel.EMAIL).count() == 1
    assert now - raised.get().episodes.get().last_seen_at > timedelta(hours=24)

"""The notices of a report through the real pipeline and its faults: a real Celery worker, a
real SMTP server, a Redis of the test's own that can be stopped, PostgreSQL. Each recipient
gets exactly one email when the report is retried, when Redis was down as it was made, and
when the worker sending it is killed mid-send."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.alerts import services as alerts
from apps.alerts.models import AlertDelivery, Channel, DeliveryStatus, Notice
from apps.core.errors import ApplicationError
from tests.episodes.test_views import report
from tests.services import wait_until
from tests.world import build_world

INBOX = "missing@authority-a.test"


@pytest.fixture
def world():
    world = build_world()
    world.orgs["A"].missing_inbox_email = INBOX
    world.orgs["A"].save()
    return world


def notice_emails():
    return list(
        AlertDelivery.objects.filter(notice__isnull=False, channel=Channel.EMAIL).order_by("pk")
    )


def wait_sent(deliveries) -> None:
    ids = [d.pk for d in deliveries]
    wait_until(
        lambda: (
            AlertDelivery.objects.filter(pk__in=ids, status=DeliveryStatus.SENT).count() == len(ids)
        ),
        message=f"notice deliveries {ids} to be sent",
    )


def assert_each_once(sink, deliveries, world) -> None:
    """One message per delivery, each to its own address, nothing else; never the name."""
    ids = sorted(m["Message-ID"] for m in sink.messages)
    assert ids == sorted(d.message_id for d in deliveries)
    assert all(i.startswith("<notice-") for i in ids)
    expected = {world.users["sw_a"].email, world.users["hm_a1"].email, INBOX}
    assert sorted(str(m["To"]) for m in sink.messages) == sorted(expected)
    for message in sink.messages:
        assert "ChildA1" not in message.get_body(("plain",)).get_content()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_retried_report_tells_each_recipient_once_through_a_real_worker(world, pipeline):
    pipeline.worker()
    episode = report(world)  # committed; the emails go to the broker on commit
    sent = notice_emails()
    assert len(sent) == 3
    wait_sent(sent)
    pipeline.settle()
    # The report sent again (a double tap, a retried request): refused, nothing told again.
    with pytest.raises(ApplicationError):
        report(world)
    assert alerts.notice_episode(episode=episode, event="reported") is None
    later = timezone.now() + alerts.REQUEUE_AFTER + timedelta(minutes=1)
    assert alerts.deliveries_requeue(now=later) == []
    pipeline.settle()
    assert Notice.objects.filter(episode=episode).count() == 1
    assert_each_once(pipeline.sink, sent, world)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_with_redis_down_the_report_is_saved_and_its_notices_are_sent_once_when_it_is_back(
    world, pipeline
):
    pipeline.redis.stop()
    report(world)
    waiting = notice_emails()
    assert {(d.status, d.attempts) for d in waiting} == {(DeliveryStatus.PENDING, 0)}
    # In Homeward the social worker and home manager were told at once, broker or not.
    assert (
        AlertDelivery.objects.filter(
            notice__isnull=False, channel=Channel.IN_APP, status=DeliveryStatus.SENT
        ).count()
        == 2
    )
    assert pipeline.sink.messages == []

    pipeline.redis.start()
    pipeline.worker()
    later = timezone.now() + alerts.REQUEUE_AFTER + timedelta(seconds=1)
    assert sorted(alerts.deliveries_requeue(now=later)) == sorted(d.pk for d in waiting)
    wait_sent(waiting)
    pipeline.settle()
    assert_each_once(pipeline.sink, waiting, world)
    assert alerts.deliveries_requeue(now=later + timedelta(minutes=5)) == []


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_send_is_replaced_and_each_notice_arrives_once(
    world, pipeline, settings
):
    settings.ALERT_CLAIM_TIMEOUT_SECONDS = 2
    pipeline.sink.mode = "hang"
    first = pipeline.worker(ALERT_CLAIM_TIMEOUT_SECONDS=300)
    report(world)
    stuck = wait_until(
        lambda: AlertDelivery.objects.filter(
            notice__isnull=False, status=DeliveryStatus.SENDING
        ).first(),
        message="the worker to claim a notice email",
    )
    wait_until(pipeline.sink.hanging.is_set, message="the worker to reach DATA")
    first.kill()
    pipeline.sink.mode = "accept"
    assert pipeline.sink.messages == []

    pipeline.worker()
    wait_until(
        lambda: timezone.now() - stuck.claimed_at > timedelta(seconds=2.5),
        message="the claim to go stale",
    )
    every = notice_emails()
    alerts.deliveries_requeue(now=timezone.now() + alerts.REQUEUE_AFTER)
    wait_sent(every)
    pipeline.settle()
    assert_each_once(pipeline.sink, every, world)
    stuck.refresh_from_db()
    assert stuck.attempts == 2

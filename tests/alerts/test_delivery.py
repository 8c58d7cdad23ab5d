"""Alert email delivery under faults: a real Celery worker, a real SMTP server (aiosmtpd), a
Redis of the test's own that can be stopped, and the pytest PostgreSQL database.

What is shown: each email is delivered exactly once per recipient when everything works, when
Redis was down while alerts were raised, when a worker is killed mid-send, and when two
workers race for the same row; a failing send goes back to the outbox with a growing backoff
and is marked failed after MAX_ATTEMPTS. Tests with a worker need PostgreSQL and
transaction=True (the worker only sees committed rows)."""

import logging
import signal
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from apps.alerts import services as alerts
from apps.alerts.models import Alert, AlertDelivery, DeliveryStatus, Notification
from apps.alerts.services import notices, outbox
from apps.alerts.tasks import deliver
from tests.alerts.helpers import cross_repeat_threshold, emails, log_episode, world_with_rules
from tests.factories import api_key
from tests.services import free_port, wait_until

WITH_WORKER = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world():
    return world_with_rules()


@pytest.fixture(autouse=True)
def _alerts_only(monkeypatch):
    """These tests follow alert emails alone through the faults; the episodes they log would
    also tell the social worker and home manager (notices), whose emails go through the same
    outbox and are followed through the same faults in test_notice_delivery.py. Replaces the
    private step that makes a notice (in this process: the worker only sends rows)."""
    monkeypatch.setattr(notices, "_send", lambda **_: None)


def wait_sent(deliveries) -> None:
    ids = [d.pk for d in deliveries]
    wait_until(
        lambda: (
            AlertDelivery.objects.filter(pk__in=ids, status=DeliveryStatus.SENT).count() == len(ids)
        ),
        message=f"deliveries {ids} to be sent",
    )


def assert_each_sent_once(sink, deliveries) -> None:
    """Every delivery's Message-ID arrived exactly once, to its own address, and nothing else."""
    ids = [m["Message-ID"] for m in sink.messages]
    assert sorted(ids) == sorted(d.message_id for d in deliveries), ids
    for delivery in deliveries:
        (message,) = [m for m in sink.messages if m["Message-ID"] == delivery.message_id]
        assert message["To"] == delivery.email


def text_of(message) -> tuple[str, str]:
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert plain is not None and html is not None, "needs plain text and HTML parts"
    return plain.get_content(), html.get_content()


# Everything up ------------------------------------------------------------------------------


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_crossing_a_threshold_emails_each_recipient_once_through_a_real_worker(world, pipeline):
    pipeline.worker()
    alert = cross_repeat_threshold(world)  # three committed episodes; enqueued on commit

    assert Alert.objects.count() == 1
    sent = list(emails(alert))
    sw, sm = world.users["sw_a"], world.users["sm_a"]
    assert {(d.user_id, d.email) for d in sent} == {(sw.pk, sw.email), (sm.pk, sm.email)}
    assert set(Notification.objects.values_list("user_id", flat=True)) == {sw.pk, sm.pk}
    wait_sent(sent)
    pipeline.settle()

    assert_each_sent_once(pipeline.sink, sent)
    assert len(pipeline.sink.to(sw.email)) == 1 and len(pipeline.sink.to(sm.email)) == 1
    child = world.children["a1"]
    for message in pipeline.sink.messages:
        assert message["Message-ID"].endswith("@homeward.invalid>")
        assert message["Subject"] == "Homeward alert: Repeat episodes (CT, IDA1)"
        plain, html = text_of(message)
        for text in (message["Subject"], plain, html):
            assert child.first_name not in text  # "ChildA1": never the name
        assert "Child: CT (ID IDA1)" in plain
        assert "CT (ID IDA1)" in html
        assert f"/alerts/{alert.pk}/" in plain and f"/alerts/{alert.pk}/" in html
    for delivery in emails(alert):
        assert (delivery.attempts, delivery.last_error) == (1, "")
        assert delivery.sent_at is not None


# Redis down ---------------------------------------------------------------------------------


def when(name, moment) -> dict:
    local = timezone.localtime(moment)
    fields = {"day": local.day, "month": local.month, "year": local.year}
    return {f"{name}_{k}": v for k, v in fields.items()} | {f"{name}_time": f"{local:%H:%M}"}


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_with_redis_down_staff_still_log_episodes_and_beat_sends_every_email_once_later(
    world, pipeline, signed_in, caplog
):
    pipeline.redis.stop()
    caplog.set_level(logging.WARNING, logger="apps.core.services")

    # Through the service: two episodes of a1; then the third through the web page.
    log_episode(world, days_ago=20)
    log_episode(world, days_ago=10)
    child = world.children["a1"]
    response = signed_in(world.users["cw_a1"]).post(
        f"/episodes/report/{child.pk}/",
        {
            "kind": "M",
            **when("last_seen_at", timezone.now() - timedelta(minutes=30)),
            "last_seen_where": "Bus station",
            **{f"reported_to_police_at_{p}": "" for p in ("day", "month", "year", "time")},
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    # Through the API: a2 (placed by A) graded high risk by the police.
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_key(world.users['cw_b1'])}")
    response = api.post(
        "/api/v1/episodes/",
        {
            "child": world.children["a2"].pk,
            "kind": "M",
            "last_seen_at": (timezone.now() - timedelta(hours=1)).isoformat(),
            "last_seen_where": "Park",
            "risk_grade": "high",
        },
        format="json",
    )
    assert response.status_code == 201, response.content

    # The enqueue after commit really met a dead broker, and the rows wait in PostgreSQL.
    assert "Broker unavailable" in caplog.text
    assert set(Alert.objects.values_list("rule__name", flat=True)) == {
        "Repeat episodes",
        "Police risk grade high",
    }
    waiting = list(emails())
    assert len(waiting) == 4  # social worker and service manager, for each alert
    assert {(d.status, d.attempts) for d in waiting} == {(DeliveryStatus.PENDING, 0)}
    assert pipeline.sink.messages == []

    # Redis is back; beat's sweep (after the grace it gives the on-commit task) re-enqueues.
    pipeline.redis.start()
    pipeline.worker()
    assert alerts.deliveries_requeue(now=timezone.now()) == []  # still in their grace
    later = timezone.now() + alerts.REQUEUE_AFTER + timedelta(seconds=1)
    assert sorted(alerts.deliveries_requeue(now=later)) == sorted(d.pk for d in waiting)
    wait_sent(waiting)
    pipeline.settle()

    assert_each_sent_once(pipeline.sink, waiting)
    for user in ("sw_a", "sm_a"):
        addressed = pipeline.sink.to(world.users[user].email)
        assert len(addressed) == 2  # one per alert
        assert len({m["Message-ID"] for m in addressed}) == 2
    # A second sweep finds nothing left to do.
    assert alerts.deliveries_requeue(now=later + timedelta(minutes=5)) == []


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_frozen_redis_does_not_hold_up_logging_an_episode(world, pipeline):
    log_episode(world, days_ago=20)
    log_episode(world, days_ago=10)
    pipeline.redis.process.send_signal(signal.SIGSTOP)  # accepts connections, never answers
    done = threading.Event()

    def third_episode():
        try:
            log_episode(world, days_ago=2)  # crosses the threshold: enqueues on commit
        finally:
            connection.close()
            done.set()

    thread = threading.Thread(target=third_episode, daemon=True)
    thread.start()
    try:
        returned = done.wait(15)
    finally:
        pipeline.redis.process.send_signal(signal.SIGCONT)
        thread.join(30)
    assert returned, "logging the episode waited on the frozen broker"
    assert emails().count() == 2


# A worker killed mid-send -------------------------------------------------------------------


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_send_is_replaced_and_the_email_arrives_once(world, pipeline, settings):
    settings.ALERT_CLAIM_TIMEOUT_SECONDS = 2  # beat's view of a stale claim, as the workers'
    pipeline.sink.mode = "hang"  # takes the message, never answers
    # A long claim (and so SMTP) timeout: this worker blocks until it is killed.
    first = pipeline.worker(ALERT_CLAIM_TIMEOUT_SECONDS=300)
    alert = cross_repeat_threshold(world)

    stuck = wait_until(
        lambda: AlertDelivery.objects.filter(alert=alert, status=DeliveryStatus.SENDING).first(),
        message="the worker to claim a delivery",
    )
    wait_until(pipeline.sink.hanging.is_set, message="the worker to reach DATA")
    first.kill()  # SIGKILL: the row stays SENDING and the task is never acknowledged
    pipeline.sink.mode = "accept"
    stuck.refresh_from_db()
    assert (stuck.status, stuck.attempts) == (DeliveryStatus.SENDING, 1)
    assert pipeline.sink.messages == []

    # While the claim is fresh and the other row is in its grace, beat leaves them alone.
    assert alerts.deliveries_requeue(now=stuck.claimed_at + timedelta(seconds=1)) == []
    pipeline.worker()  # claim timeout 2 s
    wait_until(
        lambda: timezone.now() - stuck.claimed_at > timedelta(seconds=2.5),
        message="the claim to go stale",
    )
    later = timezone.now() + alerts.REQUEUE_AFTER
    both = list(emails(alert))
    assert sorted(alerts.deliveries_requeue(now=later)) == sorted(d.pk for d in both)
    wait_sent(both)
    pipeline.settle()

    assert_each_sent_once(pipeline.sink, both)
    stuck.refresh_from_db()
    assert stuck.attempts == 2  # the killed attempt and the one that sent it


# Racing workers -----------------------------------------------------------------------------


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_real_workers_given_the_same_delivery_send_it_once(world, pipeline):
    alert = cross_repeat_threshold(world)  # enqueued with no worker; purged by worker()
    pipeline.sink.delay = 0.5  # each send is slow, so the two workers overlap
    pipeline.worker(ALERT_CLAIM_TIMEOUT_SECONDS=60)
    pipeline.worker(ALERT_CLAIM_TIMEOUT_SECONDS=60)
    delivery = emails(alert).first()
    for _ in range(4):
        deliver.apply_async((delivery.pk,))
    wait_sent([delivery])
    pipeline.settle()

    assert_each_sent_once(pipeline.sink, [delivery])
    delivery.refresh_from_db()
    assert delivery.attempts == 1


@pytest.fixture
def smtp_settings(settings, smtp_sink):
    """Email from this process goes to the sink over SMTP."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = smtp_sink.host
    settings.EMAIL_PORT = smtp_sink.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    return settings


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_threads_sending_the_same_delivery_at_once_send_it_once(
    world, smtp_sink, smtp_settings, monkeypatch
):
    if connection.vendor != "postgresql":
        from tests.services import need

        need(False, "the claim race needs PostgreSQL (set DATABASE_URL)")
    monkeypatch.setattr(outbox, "_enqueue", lambda ids: None)  # no broker in this test
    delivery = emails(cross_repeat_threshold(world)).first()
    smtp_sink.delay = 0.3
    barrier = threading.Barrier(2, timeout=20)
    results, errors = [], []

    def send():
        try:
            barrier.wait()
            results.append(alerts.delivery_send(delivery_id=delivery.pk))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert sorted(results) == [False, True]
    assert_each_sent_once(smtp_sink, [delivery])
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)


# Failures and backoff -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_refused_email_goes_back_to_the_outbox_with_a_growing_backoff_then_fails(
    smtp_sink, smtp_settings
):
    world = world_with_rules()
    delivery = emails(cross_repeat_threshold(world)).first()
    smtp_sink.mode = "refuse"
    gaps = []
    for attempt in range(1, alerts.MAX_ATTEMPTS + 1):
        assert alerts.delivery_send(delivery_id=delivery.pk) is False
        delivery.refresh_from_db()
        assert delivery.attempts == attempt
        assert delivery.last_error.startswith("SMTPDataError")
        assert "Refused by the test sink" in delivery.last_error
        if attempt < alerts.MAX_ATTEMPTS:
            assert delivery.status == DeliveryStatus.PENDING
            gap = delivery.next_attempt_at - delivery.claimed_at
            gaps.append(gap)
            # Beat's sweep leaves it until the backoff is over, then picks it up.
            due = AlertDelivery.objects.due
            assert not due(delivery.claimed_at).filter(pk=delivery.pk).exists()
            assert due(delivery.next_attempt_at).filter(pk=delivery.pk).exists()
    assert gaps == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 32, 60, 60, 60)]
    assert delivery.status == DeliveryStatus.FAILED
    # Failed is final: not sent again, not swept again.
    smtp_sink.mode = "accept"
    assert alerts.delivery_send(delivery_id=delivery.pk) is False
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, alerts.MAX_ATTEMPTS)
    far = timezone.now() + timedelta(days=30)
    assert not AlertDelivery.objects.due(far).filter(pk=delivery.pk).exists()
    assert smtp_sink.messages == []


@pytest.mark.django_db
def test_after_a_failure_the_next_attempt_sends_it_and_clears_the_error(smtp_sink, smtp_settings):
    world = world_with_rules()
    delivery = emails(cross_repeat_threshold(world)).first()
    smtp_settings.EMAIL_PORT = free_port()  # nothing listens: the mail server is down
    assert alerts.delivery_send(delivery_id=delivery.pk) is False
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_error.startswith("ConnectionRefusedError")
    assert delivery.next_attempt_at > timezone.now()

    smtp_settings.EMAIL_PORT = smtp_sink.port
    assert alerts.delivery_send(delivery_id=delivery.pk) is True
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (
        DeliveryStatus.SENT,
        2,
        "",
    )
    assert_each_sent_once(smtp_sink, [delivery])


@pytest.mark.django_db
def test_a_mail_server_that_never_answers_fails_the_attempt_inside_the_claim_timeout(
    smtp_sink, smtp_settings
):
    """Without an SMTP timeout the worker would wait for ever, outlive its claim, and a second
    worker would send the same email. The send gives up well inside the claim timeout."""
    smtp_settings.ALERT_CLAIM_TIMEOUT_SECONDS = 20  # so each SMTP step may take 1 s
    world = world_with_rules()
    delivery = emails(cross_repeat_threshold(world)).first()
    smtp_sink.mode = "hang"
    assert alerts.delivery_send(delivery_id=delivery.pk) is False
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert "timed out" in delivery.last_error
    assert smtp_sink.messages == []

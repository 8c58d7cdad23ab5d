"""The outbox: one delivery row per recipient and channel, written with the alert, handed to
the broker on commit; `delivery_send` is what the worker does for one email (claim, send, mark),
and `deliveries_requeue` is beat's sweep for whatever the broker never got."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from apps.accounts.models import User
from apps.alerts.models import (
    Alert,
    AlertDelivery,
    Channel,
    DeliveryStatus,
    Notice,
    Notification,
)
from apps.core.services import enqueue_on_commit

logger = logging.getLogger(__name__)

# A delivery waits this long for the task enqueued on commit before beat sends it instead.
REQUEUE_AFTER = timedelta(minutes=2)
# Email retries: 1, 2, 4, 8 ... minutes, at most an hour apart, then marked failed.
MAX_ATTEMPTS = 10


@dataclass(frozen=True)
class Recipient:
    user: User | None
    email: str
    name: str


def _deliver_to(
    subject: Alert | Notice, recipients: list[Recipient], *, level: int, now
) -> list[int]:
    """In-app deliveries at once (an alert's with its Notification); email deliveries into
    the outbox. Skips anyone already told about this alert or notice. Returns the ids of the
    email deliveries to send after commit."""
    if not recipients:
        return []
    of = {"alert": subject} if isinstance(subject, Alert) else {"notice": subject}
    already = set(AlertDelivery.objects.filter(**of).values_list("channel", "user_id", "email"))
    notifications, deliveries = [], []
    for person in recipients:
        user_id = person.user.pk if person.user else None
        if person.user and (Channel.IN_APP, user_id, person.email) not in already:
            if "alert" in of:
                notifications.append(Notification(user=person.user, alert=subject, created_at=now))
            deliveries.append(
                AlertDelivery(
                    **of,
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
                    **of,
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
                **of, channel=Channel.EMAIL, status=DeliveryStatus.PENDING, level=level
            ).values_list("pk", flat=True)
        )
    return email_ids


def _enqueue(ids: list[int]) -> None:
    """After commit: hand each email to the broker. If the broker is down the rows stay
    pending and beat sends them when it is back; logging an episode never fails for this."""
    for pk in ids:
        enqueue_on_commit("apps.alerts.tasks.deliver", pk)


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
        "alert__child", "alert__home", "alert__rule", "notice__child"
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


def child_initials(child) -> str:
    """How every message names a child: initials only, with the ID beside them."""
    return f"{child.first_name[:1]}{child.last_name[:1]}".upper()


def _message(delivery: AlertDelivery, *, subject: str, template: str, context: dict):
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"alerts/email/{template}.txt", context),
        to=[delivery.email],
        headers={"Message-ID": delivery.message_id},
    )
    message.attach_alternative(
        render_to_string(f"alerts/email/{template}.html", context), "text/html"
    )
    return message


def _email(delivery: AlertDelivery) -> EmailMultiAlternatives:
    """The alert or notice email. It names the child only by initials and ID: the details are
    behind sign-in."""
    from django.urls import reverse

    from apps.alerts.services.ladder import ladder_description  # the ladder imports the outbox

    if delivery.notice_id:
        notice = delivery.notice
        context = {"delivery": delivery, "notice": notice, "url": settings.SITE_URL + notice.path}
        return _message(
            delivery, subject=f"Homeward: {notice.title}", template="notice", context=context
        )
    alert = delivery.alert
    child = alert.child
    context = {
        "delivery": delivery,
        "alert": alert,
        "child_initials": child_initials(child),
        "child_ref": child.child_id,
        "home_name": alert.home.name if alert.home else "",
        "url": settings.SITE_URL + reverse("alerts:detail", args=[alert.pk]),
        "ladder": ladder_description(alert) if delivery.level else "",
    }
    subject = f"Homeward alert: {alert.title} ({context['child_initials']}, {child.child_id})"
    return _message(delivery, subject=subject, template="alert", context=context)


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

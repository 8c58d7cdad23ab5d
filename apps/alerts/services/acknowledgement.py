"""Acknowledging an alert, and reading its notifications and notices."""

from django.db import transaction
from django.utils import timezone

from apps.alerts.models import (
    Alert,
    AlertDelivery,
    AlertStatus,
    Channel,
    Notification,
)
from apps.core.errors import ApplicationError
from apps.core.services import save_versioned, validate_instance


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


def notice_mark_read(*, user, delivery: AlertDelivery) -> None:
    """The recipient opened a notice in Homeward: the episode's "Who has been told" shows
    when. Only their own in-app delivery; the first opening counts."""
    AlertDelivery.objects.filter(
        pk=delivery.pk, user=user, channel=Channel.IN_APP, read_at__isnull=True
    ).update(read_at=timezone.now())

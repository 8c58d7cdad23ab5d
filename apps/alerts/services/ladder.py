"""The ladder: an alert not acknowledged in time goes to the authority's service managers,
then to its out-of-hours contact."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Role, User
from apps.alerts.models import (
    Alert,
    AlertStatus,
)
from apps.alerts.services import outbox
from apps.alerts.services.outbox import Recipient

LADDER_LABELS = {
    1: "the authority's service managers",
    2: "the out-of-hours contact",
}


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
            ids = outbox._deliver_to(alert, recipients, level=level, now=now)
            outbox._enqueue(ids)
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

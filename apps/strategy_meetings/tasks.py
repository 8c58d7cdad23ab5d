"""Thin, id-based tasks: each calls one service and is safe to run twice."""

from celery import shared_task

from apps.strategy_meetings import services


@shared_task(ignore_result=True, acks_late=True)
def send_invitations(meeting_id: int) -> None:
    """Bring every attendee's calendar invitation up to the meeting's current revision."""
    services.invitations_send(meeting_id=meeting_id)


@shared_task(ignore_result=True, acks_late=True)
def send_cancellation(meeting_id: int, person: dict) -> None:
    services.cancellation_send(meeting_id=meeting_id, person=person)


@shared_task(ignore_result=True)
def sweep_invitations() -> None:
    """Beat: invitations the broker dropped."""
    services.invitations_sweep()

"""Thin, id-based account tasks: each calls one service and is safe to run twice."""

from celery import shared_task

from apps.accounts import services


@shared_task(ignore_result=True, acks_late=True)
def send_invitation(user_id: int, actor_id: int | None = None) -> None:
    """Email one invitation (the service claims it, so a repeat sends nothing)."""
    services.user_invitation_send(user_id=user_id, actor_id=actor_id)


@shared_task(ignore_result=True)
def send_waiting_invitations() -> None:
    """Beat: invitations the broker never delivered."""
    services.invitations_send_waiting()

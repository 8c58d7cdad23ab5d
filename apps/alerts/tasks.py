"""Thin, id-based tasks: each calls one service and is safe to run twice."""

from celery import shared_task

from apps.alerts import services
from apps.episodes.services import episodes_refresh_overnight


@shared_task(ignore_result=True, acks_late=True)
def deliver(delivery_id: int) -> None:
    """Send one alert email (the service claims the row, so a repeat does nothing)."""
    services.delivery_send(delivery_id=delivery_id)


@shared_task(ignore_result=True)
def evaluate_time_rules() -> None:
    """Beat, every minute: overnight episodes still open, then the time rules."""
    episodes_refresh_overnight()
    services.time_rules_evaluate()


@shared_task(ignore_result=True)
def climb_ladder() -> None:
    services.ladder_climb()


@shared_task(ignore_result=True)
def requeue_deliveries() -> None:
    services.deliveries_requeue()

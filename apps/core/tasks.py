"""Core tasks: the beat heartbeat and a ping used to prove a worker is consuming."""

from celery import shared_task

from apps.core import services


@shared_task
def beat_heartbeat() -> None:
    services.heartbeat_record(name="beat")


@shared_task
def ping(value: str) -> str:
    """Echo: lets tests and operators prove a worker is consuming from the broker."""
    return f"pong {value}"

from celery import shared_task

from apps.children import services


@shared_task
def expire_grants() -> int:
    """Remove time-boxed grants that have expired (scopes already ignore them)."""
    return services.grants_expire()

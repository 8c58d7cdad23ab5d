"""Reads that belong to no single domain app."""

from django.db import connection

from apps.core.models import Heartbeat


def database_is_up() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def broker_is_up() -> bool:
    from config.celery import app, ensure_broker_folders

    try:
        ensure_broker_folders()
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
        return True
    except Exception:
        return False


def heartbeat_last_seen(name: str):
    return Heartbeat.objects.filter(name=name).values_list("seen_at", flat=True).first()

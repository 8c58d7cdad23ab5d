"""The Celery app. Redis is the broker when REDIS_URL is set; otherwise kombu's filesystem
transport under var/ (see settings). The beat schedule is declared here, in code."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("homeward")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every periodic job, in one place. Each entry names the task and why it runs when it does.
app.conf.beat_schedule = {
    # Proves the clock is alive: /healthz reports when beat last ran.
    "core-beat-heartbeat": {
        "task": "apps.core.tasks.beat_heartbeat",
        "schedule": crontab(minute="*"),
    },
    # Time-boxed police access to a child ends at its expiry; scopes already ignore expired
    # grants, this removes the rows so the grant lists stay true.
    "children-expire-grants": {
        "task": "apps.children.tasks.expire_grants",
        "schedule": crontab(minute="*/5"),
    },
    # Escalation (apps.alerts): the time rules (open too long, no police report, interview
    # not held) and open episodes running into the night; unacknowledged alerts climbing the
    # ladder; and the outbox sweep that sends emails the broker or a worker dropped.
    # Invitations (apps.accounts) whose email the broker or a worker dropped.
    "accounts-send-waiting-invitations": {
        "task": "apps.accounts.tasks.send_waiting_invitations",
        "schedule": crontab(minute="*/2"),
    },
    "alerts-evaluate-time-rules": {
        "task": "apps.alerts.tasks.evaluate_time_rules",
        "schedule": crontab(minute="*"),
    },
    "alerts-climb-ladder": {
        "task": "apps.alerts.tasks.climb_ladder",
        "schedule": crontab(minute="*"),
    },
    "alerts-requeue-deliveries": {
        "task": "apps.alerts.tasks.requeue_deliveries",
        "schedule": crontab(minute="*"),
    },
    # Strategy meetings: calendar invitations the broker dropped.
    "strategy-meetings-sweep-invitations": {
        "task": "apps.strategy_meetings.tasks.sweep_invitations",
        "schedule": crontab(minute="*/5"),
    },
}


def ensure_broker_folders() -> None:
    """The filesystem transport needs its folders before a producer or consumer starts."""
    from django.conf import settings

    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if key in options:
            os.makedirs(options[key], exist_ok=True)
    backend = settings.CELERY_RESULT_BACKEND
    if backend.startswith("file://"):
        os.makedirs(backend.removeprefix("file://"), exist_ok=True)

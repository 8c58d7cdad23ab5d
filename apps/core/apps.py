from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"
    verbose_name = "Core"

    def ready(self):
        # With no Redis, the filesystem broker's folders must exist before anything sends or
        # consumes a task (web, worker and beat all load the apps).
        import os

        from django.conf import settings

        from config.celery import ensure_broker_folders

        # Beat keeps its schedule file under var/ whatever the broker.
        os.makedirs(settings.VAR_DIR, exist_ok=True)
        ensure_broker_folders()

from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "apps.alerts"
    label = "alerts"
    verbose_name = "Alerts"

    def ready(self):
        # Its panels on lower apps' pages (apps.core.panels): they do not import this app.
        from apps.alerts import panels

        panels.register()

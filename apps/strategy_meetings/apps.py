from django.apps import AppConfig


class StrategyMeetingsConfig(AppConfig):
    name = "apps.strategy_meetings"
    label = "strategy_meetings"
    verbose_name = "Multi-agency response"

    def ready(self):
        # Its panels on lower apps' pages (apps.core.panels): they do not import this app.
        from apps.strategy_meetings import panels

        panels.register()

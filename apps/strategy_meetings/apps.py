from django.apps import AppConfig


class StrategyMeetingsConfig(AppConfig):
    name = "apps.strategy_meetings"
    label = "strategy_meetings"
    verbose_name = "Multi-agency response"

from django.apps import AppConfig


class StrategyMeetingsConfig(AppConfig):
    name = "apps.strategy_meetings"
    label = "strategy_meetings"
    verbose_name = "Multi-agency response"

    def ready(self):
        # Its panels on lower apps' pages (apps.core.panels): they do not import this app.
        from apps.strategy_meetings import panels

        panels.register()
        # A part of the children scope that is about meetings (apps/core/scope.py,
        # "Contributed parts"): children may not import strategy_meetings.
        from apps.accounts.models import Role
        from apps.children.access import child_scope
        from apps.strategy_meetings import access

        child_scope.contribute(Role.POLICE_LIAISON, access.children_of_recent_meetings)

        # The overdue-actions time rule reads meeting actions: the engine asks this app for
        # them, so alerts (below meetings) never imports meetings.
        from apps.alerts.models import RuleType
        from apps.alerts.services import time_rule_source_register
        from apps.strategy_meetings.selectors import actions_overdue_due, meeting_reviews_due

        time_rule_source_register(rule_type=RuleType.ACTION_OVERDUE, source=actions_overdue_due)
        time_rule_source_register(rule_type=RuleType.MEETING_REVIEW_DUE, source=meeting_reviews_due)

"""The escalation engine and every write about alerts, one module per concern:

- `engine`: `episode_evaluate` runs the event rules for one episode inside the caller's
  transaction (the one call domain services make up into alerts), and raises alerts.
- `time_rules`: `time_rules_evaluate`, from beat every minute, and the registry of time-rule
  sources that apps above alerts fill (`time_rule_source_register`).
- `ladder`: `ladder_climb`, from beat every minute, and `ladder_description`.
- `outbox`: the delivery rows, `delivery_send` (what the worker does for one email: claim,
  send, mark) and `deliveries_requeue` (beat's sweep).
- `rules`: `DEFAULT_RULES`, `rules_seed_defaults`, `rule_update`.
- `acknowledgement`: `alert_acknowledge`, `notifications_mark_read`, `notice_mark_read`.
- `notices`: who is told of an event (`notice_episode`, `notice_placement`,
  `notice_interview_assigned`, `notice_action_assigned`), through the same outbox.

Callers import from here (`from apps.alerts.services import episode_evaluate`); tests that
replace a private step patch it in its own module (`outbox._enqueue`, `engine._raise`).
"""

from apps.alerts.services.acknowledgement import (
    alert_acknowledge,
    notice_mark_read,
    notifications_mark_read,
)
from apps.alerts.services.engine import CSE_RISK_ALERT_LEVELS, episode_evaluate
from apps.alerts.services.ladder import LADDER_LABELS, ladder_climb, ladder_description
from apps.alerts.services.notices import (
    notice_action_assigned,
    notice_episode,
    notice_interview_assigned,
    notice_placement,
)
from apps.alerts.services.outbox import (
    MAX_ATTEMPTS,
    REQUEUE_AFTER,
    Recipient,
    deliveries_requeue,
    delivery_send,
)
from apps.alerts.services.rules import DEFAULT_RULES, rule_update, rules_seed_defaults
from apps.alerts.services.time_rules import (
    CATCH_UP,
    Due,
    review_dates,
    review_summary,
    rules_by_authority,
    time_rule_source_register,
    time_rules_evaluate,
)

__all__ = [
    "CATCH_UP",
    "CSE_RISK_ALERT_LEVELS",
    "DEFAULT_RULES",
    "LADDER_LABELS",
    "MAX_ATTEMPTS",
    "REQUEUE_AFTER",
    "Due",
    "Recipient",
    "alert_acknowledge",
    "deliveries_requeue",
    "delivery_send",
    "episode_evaluate",
    "ladder_climb",
    "ladder_description",
    "notice_action_assigned",
    "notice_episode",
    "notice_interview_assigned",
    "notice_mark_read",
    "notice_placement",
    "notifications_mark_read",
    "review_dates",
    "review_summary",
    "rule_update",
    "rules_by_authority",
    "rules_seed_defaults",
    "time_rule_source_register",
    "time_rules_evaluate",
]

"""The registry through which apps above alerts give the time rules what is due."""

import pytest

from apps.alerts.models import RuleType
from apps.alerts.services import time_rules
from apps.alerts.services.time_rules import TIME_RULE_SOURCES, time_rule_source_register
from apps.strategy_meetings.selectors import actions_overdue_due


def test_strategy_meetings_registers_the_overdue_actions_source_when_it_starts():
    assert TIME_RULE_SOURCES[RuleType.ACTION_OVERDUE] is actions_overdue_due


def test_only_a_time_rule_can_have_a_source():
    with pytest.raises(ValueError):
        time_rule_source_register(rule_type=RuleType.EPISODES_IN_WINDOW, source=lambda **kw: [])


@pytest.mark.django_db
def test_the_time_rules_ask_each_registered_source_with_its_rules(monkeypatch):
    asked = []
    monkeypatch.setitem(
        time_rules.TIME_RULE_SOURCES,
        RuleType.ACTION_OVERDUE,
        lambda *, rules, now: asked.append((rules, now)) or [],
    )
    assert time_rules.time_rules_evaluate() == []
    assert len(asked) == 1 and asked[0][0] == []

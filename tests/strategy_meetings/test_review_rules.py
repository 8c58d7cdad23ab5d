"""The review clocks: a CSE risk assessment's review date and the review a strategy meeting
set raise an alert a number of days before they fall due, once; and an overdue meeting action
owned by someone without an account is emailed to them."""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from apps.alerts import services as alerts
from apps.alerts.models import AlertDelivery, Channel, EscalationRule, RuleType
from apps.alerts.services.time_rules import TIME_RULE_SOURCES
from apps.children import services as children
from apps.strategy_meetings import services
from apps.strategy_meetings.selectors import meeting_reviews_due


@pytest.fixture
def world(world):
    alerts.rules_seed_defaults(authority=world.orgs["A"])
    return world


def assess(world, *, child="a1", days_ago=0, level="high"):
    """An overridden assessment: high is reviewed a month after, medium and low 3 months."""
    return children.assessment_complete(
        actor=world.users["sw_a"],
        child=world.children[child],
        indicators=[],
        answers={},
        assessed_on=timezone.localdate() - timedelta(days=days_ago),
        override_level=level,
        override_reason="Seen with older associates",
    )


def told(alert) -> set[int]:
    deliveries = AlertDelivery.objects.filter(alert=alert, channel=Channel.IN_APP)
    return set(deliveries.values_list("user_id", flat=True))


def of_type(raised, rule_type):
    return [a for a in raised if a.rule.rule_type == rule_type]


class TestCseReviewDue:
    def test_a_week_before_the_review_date_the_social_worker_is_told_once(self, world):
        assessment = assess(world, days_ago=26)  # high: due a month after, in 4 or 5 days
        (alert,) = of_type(alerts.time_rules_evaluate(), RuleType.CSE_REVIEW_DUE)
        assert alert.child == world.children["a1"]
        assert alert.key == f"cse-review:{assessment.pk}"
        assert f"is due for review on {assessment.review_due_on:%-d %b %Y}" in alert.summary
        assert "(high risk)" in alert.summary
        assert told(alert) == {world.users["sw_a"].pk}
        assert of_type(alerts.time_rules_evaluate(), RuleType.CSE_REVIEW_DUE) == []

    def test_not_while_the_review_is_more_than_the_rules_days_away(self, world):
        assessment = assess(world)  # due in a month
        assert of_type(alerts.time_rules_evaluate(), RuleType.CSE_REVIEW_DUE) == []
        week_before = assessment.review_due_on - timedelta(days=7)
        with time_machine.travel(timezone.make_aware(datetime.combine(week_before, time(9)))):
            (alert,) = of_type(alerts.time_rules_evaluate(), RuleType.CSE_REVIEW_DUE)
        assert alert.key == f"cse-review:{assessment.pk}"

    def test_a_newer_assessment_replaces_the_one_falling_due(self, world):
        assess(world, days_ago=26)
        assess(world, level="medium")  # reviewed today: the next review is 3 months away
        assert of_type(alerts.time_rules_evaluate(), RuleType.CSE_REVIEW_DUE) == []

    def test_an_overdue_review_says_it_was_due(self, world):
        assessment = assess(world, days_ago=40)
        (alert,) = of_type(alerts.time_rules_evaluate(), RuleType.CSE_REVIEW_DUE)
        assert f"was due for review on {assessment.review_due_on:%-d %b %Y}" in alert.summary

    def test_the_days_are_the_authoritys_to_change(self, world):
        rule = EscalationRule.objects.get(
            authority=world.orgs["A"], rule_type=RuleType.CSE_REVIEW_DUE
        )
        alerts.rule_update(
            actor=world.users["sm_a"], rule=rule, expected_version=rule.version, days=2
        )
        assess(world, days_ago=26)  # due in 4 or 5 days: outside 2
        assert of_type(alerts.time_rules_evaluate(), RuleType.CSE_REVIEW_DUE) == []

    def test_switched_off_it_raises_nothing(self, world):
        EscalationRule.objects.filter(rule_type=RuleType.CSE_REVIEW_DUE).update(enabled=False)
        assess(world, days_ago=26)
        assert of_type(alerts.time_rules_evaluate(), RuleType.CSE_REVIEW_DUE) == []


def held_meeting(world, *, review_in_days, chair="sm_a"):
    meeting = services.meeting_schedule(
        actor=world.users["sw_a"],
        child=world.children["a1"],
        scheduled_at=timezone.now() + timedelta(minutes=5),
        reason="Three episodes in a month",
        location="Room 4, County Hall",
        chair=world.users[chair],
    )
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        return services.meeting_record(
            actor=world.users["sw_a"],
            meeting=meeting,
            expected_version=meeting.version,
            held_at=timezone.now() - timedelta(hours=1),
            minutes="Agreed a safety plan.",
            decisions=["safety_plan"],
            next_review_on=timezone.localdate() + timedelta(days=review_in_days),
        )


class TestMeetingReviewDue:
    def test_strategy_meetings_registers_the_source_when_it_starts(self):
        assert TIME_RULE_SOURCES[RuleType.MEETING_REVIEW_DUE] is meeting_reviews_due

    def test_a_review_within_a_week_tells_the_chair_and_the_social_worker(self, world):
        meeting = held_meeting(world, review_in_days=5)
        with time_machine.travel(timezone.now() + timedelta(hours=3)):
            (alert,) = of_type(alerts.time_rules_evaluate(), RuleType.MEETING_REVIEW_DUE)
            assert of_type(alerts.time_rules_evaluate(), RuleType.MEETING_REVIEW_DUE) == []
        assert alert.key == f"meeting-review:{meeting.pk}"
        assert "no later meeting is booked" in alert.summary
        assert alert.home == world.homes["A1"]
        assert told(alert) == {world.users["sm_a"].pk, world.users["sw_a"].pk}

    def test_a_review_a_month_away_waits(self, world):
        held_meeting(world, review_in_days=28)
        with time_machine.travel(timezone.now() + timedelta(hours=3)):
            assert of_type(alerts.time_rules_evaluate(), RuleType.MEETING_REVIEW_DUE) == []

    def test_a_later_meeting_booked_stops_it(self, world):
        held_meeting(world, review_in_days=5)
        with time_machine.travel(timezone.now() + timedelta(hours=3)):
            services.meeting_schedule(
                actor=world.users["sw_a"],
                child=world.children["a1"],
                scheduled_at=timezone.now() + timedelta(days=4),
                reason="Review",
                location="Room 4, County Hall",
            )
            assert of_type(alerts.time_rules_evaluate(), RuleType.MEETING_REVIEW_DUE) == []


class TestExternalActionOwner:
    def test_an_overdue_action_is_emailed_to_its_external_owner(self, world):
        meeting = services.meeting_schedule(
            actor=world.users["sw_a"],
            child=world.children["a1"],
            scheduled_at=timezone.now() + timedelta(days=1),
            reason="Three episodes in a month",
            location="Room 4, County Hall",
        )
        nurse = services.attendee_add(
            actor=world.users["sw_a"],
            meeting=meeting,
            name="Pat School-Nurse",
            agency="Shire NHS Trust",
            email="pat.nurse@nhs.example",
        )
        services.action_add(
            actor=world.users["sw_a"],
            meeting=meeting,
            description="Book a health check",
            due_on=timezone.localdate() + timedelta(days=2),
            owner_attendee=nurse,
        )
        with time_machine.travel(timezone.now() + timedelta(days=3, hours=1)):
            (alert,) = of_type(alerts.time_rules_evaluate(), RuleType.ACTION_OVERDUE)
        email = AlertDelivery.objects.get(alert=alert, channel=Channel.EMAIL, user=None)
        assert email.email == "pat.nurse@nhs.example"
        assert told(alert) == {world.users["sw_a"].pk}  # the chair, in Homeward
        mail.outbox.clear()
        assert alerts.delivery_send(delivery_id=email.pk)
        (message,) = mail.outbox
        assert message.to == ["pat.nurse@nhs.example"]
        assert "tell the chair of the meeting" in message.body
        assert "/alerts/" not in message.body  # nothing to sign in to
        assert "Book a health check" in message.body

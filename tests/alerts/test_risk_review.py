"""Police risk grades as the APP uses them: each grade records who gave it and when, and is
reviewed by a time (the force's for the grade, or the officer's); a child still away when that
time passes with no new grade raises an alert to the police liaison officer and the home's
manager, once per grade, counted in real hours across the clock changes."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from apps.accounts.models import Organisation
from apps.alerts import services as alerts
from apps.alerts.models import AlertDelivery, Channel, RuleType
from apps.episodes import services as episodes
from apps.episodes.models import RiskGrade

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(world):
    alerts.rules_seed_defaults(authority=world.orgs["A"])
    return world


def graded(world, grade="high", at=None, **fields):
    at = at or timezone.now()
    with time_machine.travel(at, tick=False):
        return episodes.episode_open(
            actor=world.users["police_1"],
            child=world.children["a1"],
            kind="M",
            last_seen_at=at - timedelta(minutes=30),
            last_seen_where="Bus station",
            risk_grade=grade,
            risk_graded_by="PC 1234 Shah",
            risk_grader_contact="101 ext 5566",
            **fields,
        )


def due(now):
    return [
        a
        for a in alerts.time_rules_evaluate(now=now)
        if a.rule.rule_type == RuleType.RISK_REVIEW_DUE
    ]


def test_the_grades_are_the_apps_four():
    assert RiskGrade.values == ["very_low", "low", "medium", "high"]


def test_a_grade_records_who_gave_it_and_its_review_time(world):
    episode = graded(world, "medium")
    assert episode.risk_graded_by == "PC 1234 Shah"
    assert episode.risk_review_at - episode.risk_graded_at == timedelta(
        hours=episodes.RISK_REVIEW_HOURS["medium"]
    )


def test_the_force_sets_its_own_review_time_per_grade(world):
    Organisation.objects.filter(pk=world.orgs["F1"].pk).update(risk_review_hours={"high": 1})
    episode = graded(world, "high")
    assert episode.risk_review_at - episode.risk_graded_at == timedelta(hours=1)


def test_a_review_time_passed_with_no_new_grade_tells_the_police_and_the_home_once(world):
    start = timezone.now()
    episode = graded(world, "high", at=start)
    review = episode.risk_review_at
    assert due(review - timedelta(minutes=1)) == []
    (alert,) = due(review + timedelta(minutes=1))
    assert "PC 1234 Shah (101 ext 5566)" in alert.summary
    told = set(
        AlertDelivery.objects.filter(alert=alert, channel=Channel.IN_APP).values_list(
            "user_id", flat=True
        )
    )
    assert told == {world.users["police_1"].pk, world.users["hm_a1"].pk}
    assert due(review + timedelta(minutes=2)) == []
    # A new grade has its own review time, and alerts again if that passes too.
    later = review + timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        episode.refresh_from_db()
        episode = episodes.episode_update(
            actor=world.users["police_1"],
            episode=episode,
            expected_version=episode.version,
            risk_grade="medium",
        )
    assert episode.risk_review_at == later + timedelta(hours=6)
    assert due(later + timedelta(hours=1)) == []
    assert len(due(episode.risk_review_at + timedelta(minutes=1))) == 1


def test_no_alert_once_the_child_is_back(world):
    episode = graded(world, "high")
    episodes.episode_record_return(
        actor=world.users["cw_a1"],
        episode=episode,
        expected_version=episode.version,
        returned_at=timezone.now(),
        return_method="own_accord",
    )
    assert due(episode.risk_review_at + timedelta(minutes=1)) == []


@pytest.mark.parametrize(
    "graded_at",
    [
        datetime(2026, 3, 29, 0, 30, tzinfo=UTC),  # 00:30 GMT; the clocks go forward at 01:00
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # 01:30 BST; the clocks go back at 02:00
    ],
)
def test_review_hours_are_real_hours_across_the_clock_changes(world, graded_at):
    episode = graded(world, "high", at=graded_at)
    assert episode.risk_review_at == graded_at + timedelta(hours=2)
    assert due(graded_at + timedelta(hours=1, minutes=59)) == []
    assert len(due(graded_at + timedelta(hours=2, minutes=1))) == 1


def test_a_review_time_in_the_past_is_refused(world):
    from apps.core.errors import ApplicationError

    with pytest.raises(ApplicationError) as error:
        graded(world, "low", risk_review_at=timezone.now() - timedelta(hours=1))
    assert "must be in the future" in error.value.fields["risk_review_at"][0]

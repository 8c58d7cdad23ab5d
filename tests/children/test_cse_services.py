"""CSE risk assessment: the standard indicators, scoring, the child's current level, and the
overnight-at-risk rule it feeds."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.alerts import services as alerts
from apps.alerts.models import Alert, RuleType
from apps.children import services
from apps.children.models import CseIndicator, RiskLevel
from apps.core.errors import ApplicationError
from apps.episodes import services as episodes


class TestCseRiskAssessment:
    def answer_all(self, world, answer="no", timing="", **kwargs):
        indicators = list(CseIndicator.objects.filter(authority=None))
        return services.assessment_complete(
            actor=world.users["sw_a"],
            child=world.children["a1"],
            indicators=indicators,
            answers={i.pk: (answer, timing) for i in indicators},
            **kwargs,
        )

    def test_the_standard_indicators_cover_every_domain(self, world):
        domains = set(CseIndicator.objects.filter(authority=None).values_list("domain", flat=True))
        assert domains == {
            "missing",
            "associates",
            "gifts",
            "substances",
            "online",
            "health",
            "education",
            "behaviour",
        }

    def test_no_concerns_is_low_with_a_review_in_3_months(self, world):
        assessment = self.answer_all(world)
        assert (assessment.score, assessment.level) == (0, RiskLevel.LOW)
        assert (assessment.review_due_on - assessment.assessed_on).days in range(89, 93)

    def test_every_indicator_yes_and_current_is_high_with_a_review_in_a_month(self, world):
        assessment = self.answer_all(world, "yes", "current")
        assert assessment.level == RiskLevel.HIGH
        assert (assessment.review_due_on - assessment.assessed_on).days in range(28, 32)
        world.children["a1"].refresh_from_db()
        assert world.children["a1"].cse_risk == "high"

    def test_historic_concerns_count_half(self, world):
        current = self.answer_all(world, "possible", "current")
        historic = self.answer_all(world, "possible", "historic")
        assert historic.score * 2 in (current.score, current.score - 1)

    def test_an_override_needs_a_reason(self, world):
        with pytest.raises(ApplicationError) as error:
            self.answer_all(world, override_level="high")
        assert "override_reason" in error.value.fields
        assessment = self.answer_all(
            world, override_level="high", override_reason="Disclosure at interview"
        )
        assert (assessment.calculated_level, assessment.level) == ("low", "high")

    def test_every_indicator_must_be_answered(self, world):
        indicators = list(CseIndicator.objects.filter(authority=None))
        with pytest.raises(ApplicationError):
            services.assessment_complete(
                actor=world.users["sw_a"],
                child=world.children["a1"],
                indicators=indicators,
                answers={indicators[0].pk: ("no", "")},
            )

    def test_an_assessment_at_medium_makes_a_following_overnight_absence_fire_the_cse_rule(
        self, world
    ):
        alerts.rules_seed_defaults(authority=world.orgs["A"])
        indicators = list(CseIndicator.objects.filter(authority=None))
        # Enough "possible, current" answers to reach medium, not high.
        answers = {i.pk: ("no", "") for i in indicators}
        for indicator in indicators[:4]:
            answers[indicator.pk] = ("possible", "current")
        assessment = services.assessment_complete(
            actor=world.users["sw_a"],
            child=world.children["a1"],
            indicators=indicators,
            answers=answers,
        )
        assert assessment.level == RiskLevel.MEDIUM
        night = (timezone.now() - timedelta(days=1)).replace(
            hour=23, minute=0, second=0, microsecond=0
        )
        episode = episodes.episode_open(
            actor=world.users["cw_a1"],
            child=world.children["a1"],
            kind="A",
            last_seen_at=night,
            last_seen_where="Station",
        )
        episodes.episode_record_return(
            actor=world.users["cw_a1"],
            episode=episode,
            expected_version=episode.version,
            returned_at=night + timedelta(hours=4),
            return_method="own_accord",
        )
        (alert,) = Alert.objects.filter(rule__rule_type=RuleType.OVERNIGHT_AT_CSE_RISK)
        assert alert.child == world.children["a1"]
        assert "medium" in alert.summary

"""The escalation engine: event rules, window dedupe, recipients and constant queries."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from apps.alerts import services as alerts
from apps.alerts.models import Alert, AlertDelivery, Channel, Notification, RuleType
from apps.episodes import services as episodes


@pytest.fixture
def world(world):
    alerts.rules_seed_defaults(authority=world.orgs["A"])
    return world


def log_episode(world, child="a1", *, days_ago, hours=2, **fields):
    """An episode of `hours` that started `days_ago` days ago at 14:00 UTC (not overnight)."""
    start = (timezone.now() - timedelta(days=days_ago)).replace(
        hour=14, minute=0, second=0, microsecond=0
    )
    episode = episodes.episode_open(
        actor=world.users["cw_a1"],
        child=world.children[child],
        kind="M",
        last_seen_at=start,
        last_seen_where="Town centre",
        **fields,
    )
    if hours:
        episode = episodes.episode_record_return(
            actor=world.users["cw_a1"],
            episode=episode,
            expected_version=episode.version,
            returned_at=start + timedelta(hours=hours),
            return_method="own_accord",
        )
    return episode


def alerts_of(rule_type):
    return list(Alert.objects.filter(rule__rule_type=rule_type))


class TestRepeatEpisodes:
    def test_the_third_episode_in_30_days_raises_one_alert(self, world):
        log_episode(world, days_ago=20)
        log_episode(world, days_ago=10)
        assert alerts_of(RuleType.EPISODES_IN_WINDOW) == []
        third = log_episode(world, days_ago=2)
        (alert,) = alerts_of(RuleType.EPISODES_IN_WINDOW)
        assert alert.child == world.children["a1"]
        assert set(alert.episodes.all()) == set(world.children["a1"].episodes.all())
        assert third in alert.episodes.all()
        assert "3 episodes in 30 days" in alert.summary

    def test_a_fourth_episode_in_the_same_window_does_not_raise_another(self, world):
        for days_ago in (20, 10, 5, 1):
            log_episode(world, days_ago=days_ago)
        assert len(alerts_of(RuleType.EPISODES_IN_WINDOW)) == 1

    def test_episodes_spread_over_more_than_30_days_raise_nothing(self, world):
        for days_ago in (70, 40, 5):
            log_episode(world, days_ago=days_ago)
        assert alerts_of(RuleType.EPISODES_IN_WINDOW) == []

    def test_it_tells_the_social_worker_and_the_service_manager_in_app_and_by_email(self, world):
        for days_ago in (20, 10, 2):
            log_episode(world, days_ago=days_ago)
        (alert,) = alerts_of(RuleType.EPISODES_IN_WINDOW)
        told = {(d.user_id, d.channel) for d in AlertDelivery.objects.filter(alert=alert)}
        sw, sm = world.users["sw_a"].pk, world.users["sm_a"].pk
        assert told == {
            (sw, Channel.IN_APP),
            (sw, Channel.EMAIL),
            (sm, Channel.IN_APP),
            (sm, Channel.EMAIL),
        }
        assert set(Notification.objects.values_list("user_id", flat=True)) == {sw, sm}

    def test_evaluating_again_changes_nothing(self, world):
        for days_ago in (20, 10, 2):
            episode = log_episode(world, days_ago=days_ago)
        before = (Alert.objects.count(), AlertDelivery.objects.count())
        alerts.episode_evaluate(episode=episode)
        alerts.episode_evaluate(episode=episode)
        assert (Alert.objects.count(), AlertDelivery.objects.count()) == before

    def test_another_authority_without_rules_gets_nothing(self, world):
        for days_ago in (20, 10, 2):
            episodes.episode_open(
                actor=world.users["cw_b1"],
                child=world.children["b1"],
                kind="M",
                last_seen_at=timezone.now() - timedelta(days=days_ago),
                last_seen_where="Town",
            )
            episode = world.children["b1"].episodes.open().get()
            episodes.episode_record_return(
                actor=world.users["cw_b1"],
                episode=episode,
                expected_version=episode.version,
                returned_at=episode.last_seen_at + timedelta(hours=1),
                return_method="own_accord",
            )
        assert Alert.objects.count() == 0


class TestPoliceRiskHigh:
    def test_grading_high_raises_an_immediate_alert_once(self, world):
        # log_episode starts today at 14:00 UTC: run at 15:00 UTC, whatever the wall clock says.
        with time_machine.travel(timezone.now().replace(hour=15, minute=0), tick=False):
            episode = log_episode(world, days_ago=0, hours=0, risk_grade="high")
            (alert,) = alerts_of(RuleType.POLICE_RISK_HIGH)
            assert alert.severity == "immediate"
            episodes.episode_update(
                actor=world.users["cw_a1"],
                episode=episode,
                expected_version=episode.version,
                circumstances="Seen getting into a car",
            )
            assert len(alerts_of(RuleType.POLICE_RISK_HIGH)) == 1


class TestQueryCount:
    @pytest.mark.parametrize("history", [1, 200])
    def test_rule_evaluation_is_constant_in_the_history(
        self, world, django_assert_num_queries, history
    ):
        from apps.episodes.models import Episode

        child = world.children["a1"]
        home = world.homes["A1"]
        start = timezone.now() - timedelta(days=3000)
        Episode.objects.bulk_create(
            Episode(
                child=child,
                home=home,
                kind="M",
                last_seen_at=start + timedelta(days=10 * n),
                returned_at=start + timedelta(days=10 * n, hours=2),
                last_seen_where="Old",
                reported_by=world.users["cw_a1"],
            )
            for n in range(history)
        )
        episode = log_episode(world, days_ago=1, hours=0)
        # 1 the authority's event rules, 2 the child's episodes in the longest window.
        with django_assert_num_queries(2):
            assert alerts.episode_evaluate(episode=episode) == []

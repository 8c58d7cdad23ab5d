"""The window rules' arithmetic (apps/alerts/windows.py), shared by the engine and the
benchmark's generator: plain objects, no database."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from apps.alerts import windows
from apps.alerts.models import RuleType

START = datetime(2026, 1, 1, 18, 0, tzinfo=UTC)


def episodes(*days, overnight=()):
    """Episodes last seen on these days after START (ids 1, 2, ...); `overnight`: their ids."""
    return [
        SimpleNamespace(pk=n, last_seen_at=START + timedelta(days=d), overnight=n in overnight)
        for n, d in enumerate(days, start=1)
    ]


def rule(rule_type=RuleType.EPISODES_IN_WINDOW, count=3, days=30):
    return SimpleNamespace(rule_type=rule_type, count=count, days=days)


class TestWindowAlert:
    def test_three_episodes_in_thirty_days_fire_keyed_by_the_first(self):
        history = episodes(0, 10, 20)
        window = windows.window_alert(rule(), history, episode=history[-1])
        assert [e.pk for e in window.episodes] == [1, 2, 3]
        assert window.key == "window:1"
        assert window.ends_at == START + timedelta(days=30)
        assert window.summary == "3 episodes in 30 days"

    def test_an_episode_thirty_days_before_is_outside_the_window(self):
        history = episodes(0, 20, 30)
        assert windows.window_alert(rule(), history, episode=history[-1]) is None
        history = episodes(0, 20, 29)
        assert windows.window_alert(rule(), history, episode=history[-1]) is not None

    def test_later_episodes_are_not_counted(self):
        history = episodes(0, 10, 20, 25)
        window = windows.window_alert(rule(), history, episode=history[1])
        assert window is None
        window = windows.window_alert(rule(), history, episode=history[2])
        assert [e.pk for e in window.episodes] == [1, 2, 3]

    def test_the_overnight_rule_counts_only_overnight_episodes_and_fires_on_one(self):
        overnight = rule(RuleType.OVERNIGHT_IN_WINDOW, count=2)
        history = episodes(0, 5, 10, overnight={1, 3})
        window = windows.window_alert(overnight, history, episode=history[2])
        assert [e.pk for e in window.episodes] == [1, 3]
        assert window.summary == "2 overnight absences in 30 days"
        assert windows.window_alert(overnight, history, episode=history[1]) is None

    def test_other_rules_and_rules_without_a_threshold_never_fire(self):
        history = episodes(0, 1, 2)
        assert (
            windows.window_alert(rule(RuleType.POLICE_RISK_HIGH), history, episode=history[-1])
            is None
        )
        assert windows.window_alert(rule(count=None), history, episode=history[-1]) is None


class TestWindowRepeats:
    def test_an_alert_is_not_repeated_while_an_earlier_window_runs(self):
        begins = START + timedelta(days=10)
        assert windows.window_repeats(begins, [None, START + timedelta(days=11)])
        assert not windows.window_repeats(begins, [START + timedelta(days=10)])
        assert not windows.window_repeats(begins, [None])
        assert not windows.window_repeats(begins, [])

    def test_the_window_opens_its_days_before_it_ends(self):
        assert windows.window_opens(START, 30) == START - timedelta(days=30)

"""The window rules' arithmetic: "3 episodes in 30 days", "2 overnight absences in 30 days".

Pure functions of a child's episodes, without queries or the clock: the engine
(`episode_evaluate` in apps.alerts.services) runs them on the episodes it read, and the
benchmark's generator (benchmarks/generate.py) replays them over the history it makes, so the
two cannot drift apart. An episode here is anything with `pk`, `last_seen_at` and `overnight`
(whether it touched the night, worked out by apps.core.clock.touches_night in UK time);
a rule anything with `rule_type`, `count` and `days`.
"""

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import attrgetter

from apps.alerts.models import RuleType

WINDOW_RULES = {RuleType.EPISODES_IN_WINDOW, RuleType.OVERNIGHT_IN_WINDOW}

_seen = attrgetter("last_seen_at")


@dataclass(frozen=True)
class Window:
    """The episodes a window rule fires on, oldest first."""

    episodes: list
    days: int
    overnight: bool

    @property
    def key(self) -> str:
        """The alert's key: its first episode, so the same run of episodes alerts once."""
        return f"window:{self.episodes[0].pk}"

    @property
    def ends_at(self) -> datetime:
        """When the window that began with the first episode closes."""
        return self.episodes[0].last_seen_at + timedelta(days=self.days)

    @property
    def summary(self) -> str:
        """'3 episodes in 30 days', '2 overnight absences in 30 days'."""
        what = "overnight absences" if self.overnight else "episodes"
        return f"{len(self.episodes)} {what} in {self.days} days"


def window_opens(ending: datetime, days: int) -> datetime:
    """A window of `days` ending at `ending` holds the episodes last seen after this."""
    return ending - timedelta(days=days)


def window_alert(rule, episodes: Sequence, *, episode) -> Window | None:
    """The window `rule` fires on when `episode` is evaluated, or None. `episodes` are the
    child's, sorted by last_seen_at, holding at least those of the window before `episode`
    (and `episode`): the window is those last seen after `days` before it and not after it;
    the overnight rule counts only the overnight ones, and fires only on an overnight episode."""
    if rule.rule_type not in WINDOW_RULES or not (rule.count and rule.days):
        return None
    overnight = rule.rule_type == RuleType.OVERNIGHT_IN_WINDOW
    if overnight and not episode.overnight:
        return None
    ending = episode.last_seen_at
    first = bisect_right(episodes, window_opens(ending, rule.days), key=_seen)
    last = bisect_right(episodes, ending, key=_seen)
    if last - first < rule.count:
        return None
    inside = episodes[first:last]
    if overnight:
        inside = [e for e in inside if e.overnight]
        if len(inside) < rule.count:
            return None
    return Window(list(inside), days=rule.days, overnight=overnight)


def window_repeats(begins: datetime, earlier_ends: Iterable[datetime | None]) -> bool:
    """True while the window of an earlier alert of the same rule (`earlier_ends`: their
    window_ends_at) is still running when this one `begins` (its first episode's
    last_seen_at): 4 episodes in a month is one "3 in 30 days" alert, not two."""
    return any(ends and ends > begins for ends in earlier_ends)

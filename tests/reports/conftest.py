"""A small, hand-computed set of episodes on tests/world.py, for checking every figure.

Now is Monday 23 November 2026, 12:00 UK (GMT). Every child was born on 17 May 2010 (16 on
17 May 2026) and placed on 10 January 2024: a1 at A1 (authority A's own home, in area), a2 at
B1 (placed by A in authority B's home: out of area), b1 at B1, b2 at B2.

    key  child  kind  from (UK time)             to (UK time)               overnight  age
    E0   a1     M     10 Jun 2025 13:00 BST      10 Jun 2025 15:00          no         15
    E9   b2     A     15 Nov 2025 20:00 GMT      15 Nov 2025 23:00          no         15
    E1   a1     M     10 Dec 2025 14:00 GMT      10 Dec 2025 18:00          no         15
    E8   b1     M     10 Feb 2026 10:00 GMT      10 Feb 2026 12:00          no         15
    E2   a1     M     31 Mar 2026 23:30 BST      1 Apr 2026 01:00 BST       yes        15
         (across the SSDA903 year boundary: 2025-26 reports it open, 2026-27 with its end)
    E3   a1     M     1 May 2026 00:30 BST       1 May 2026 03:00 BST       yes        15
         (30 April in UTC: a May episode in UK time)
    E4   a1     A     20 May 2026 19:00 BST      20 May 2026 22:30          no         16
    E6   a2     A     15 Jul 2026 16:00 BST      15 Jul 2026 23:00          no         16
         (flagged: serious police incident)
    E5   a1     M     24 Oct 2026 22:00 BST      25 Oct 2026 07:00 GMT      yes        16
         (across the clock change: 10 hours; flagged: suspected sexual exploitation)
    E7   a2     M     22 Nov 2026 20:00 GMT      open now                   yes        16

Return interviews (due 72 hours after the return): E1 accepted and held in 24 hours, E2
accepted and held after 80 hours (late), E3 declined, E4 nothing recorded, E5 accepted and held
in 24 hours, E6 not possible; E0, E8, E9 nothing recorded.

Alerts of authority A about a1 (rule: acknowledge within 30 minutes), raised in the last 12
months: one acknowledged after 20 minutes, one after 45, one not acknowledged; one more raised
in 2024. One alert of authority B about b1.

Strategy meetings about a1 (chaired by sw_a, nobody else invited):
    M1  from the alert of Sunday 1 Mar 2026, held Friday 6 Mar: the 5th working day, in time
    M2  from the alert of Saturday 2 May 2026, held Tuesday 12 May: the 6th working day (Monday
        4 May is a bank holiday), late
    M3  no alert, scheduled today and not held yet
    M4  from the alert of 2024, held: outside the last 12 months
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
import time_machine

from apps.alerts.models import Alert, AlertStatus, EscalationRule, RuleType, Severity
from apps.core.clock import LONDON
from apps.episodes import services as episodes
from apps.episodes.models import Episode, InterviewOutcome
from tests.world import build_world

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=LONDON)


def uk(year, month, day, hour, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


EPISODES = {
    "E0": ("a1", "M", uk(2025, 6, 10, 13), uk(2025, 6, 10, 15)),
    "E9": ("b2", "A", uk(2025, 11, 15, 20), uk(2025, 11, 15, 23)),
    "E1": ("a1", "M", uk(2025, 12, 10, 14), uk(2025, 12, 10, 18)),
    "E8": ("b1", "M", uk(2026, 2, 10, 10), uk(2026, 2, 10, 12)),
    "E2": ("a1", "M", uk(2026, 3, 31, 23, 30), uk(2026, 4, 1, 1)),
    "E3": ("a1", "M", uk(2026, 5, 1, 0, 30), uk(2026, 5, 1, 3)),
    "E4": ("a1", "A", uk(2026, 5, 20, 19), uk(2026, 5, 20, 22, 30)),
    "E6": ("a2", "A", uk(2026, 7, 15, 16), uk(2026, 7, 15, 23)),
    "E5": ("a1", "M", uk(2026, 10, 24, 22), uk(2026, 10, 25, 7)),
    "E7": ("a2", "M", uk(2026, 11, 22, 20), None),
}


@dataclass
class Figures:
    world: object
    episodes: dict


def _actor(world, child_key):
    return world.users["sw_a" if child_key.startswith("a") else "sw_b"]


def _interview(world, episode, *, outcome, held_after=None, offered=True):
    interview = episode.interview
    returned = episode.returned_at
    fields = {"offered_at": returned + timedelta(hours=2) if offered else None, "outcome": outcome}
    if outcome == InterviewOutcome.ACCEPTED:
        fields.update(
            held_at=returned + held_after,
            held_by="Independent Interviewer",
            independent_of_home=True,
        )
    else:
        fields["outcome_reason"] = "Recorded for the test"
    episodes.interview_record(
        actor=world.users["sw_a"], interview=interview, expected_version=interview.version, **fields
    )


def _alert(rule, child, home, key, raised, acknowledged_after=None):
    acknowledged = raised + acknowledged_after if acknowledged_after is not None else None
    return Alert.objects.create(
        rule=rule,
        authority=rule.authority,
        child=child,
        home=home,
        key=key,
        severity=Severity.HIGH,
        title="Test alert",
        summary="Test",
        action="Test",
        raised_at=raised,
        status=AlertStatus.ACKNOWLEDGED if acknowledged else AlertStatus.OPEN,
        acknowledged_at=acknowledged,
    )


def _meeting(world, alert, *, held):
    from apps.strategy_meetings.models import StrategyMeeting

    meeting = StrategyMeeting.objects.create(
        child=world.children["a1"],
        authority=world.orgs["A"],
        reason="Test",
        scheduled_at=held or NOW + timedelta(days=3),
        location="County Hall",
        chair=world.users["sw_a"],
        created_by=world.users["sw_a"],
        status="held" if held else "scheduled",
        held_at=held,
    )
    if alert is not None:
        meeting.alerts.add(alert)
    return meeting


def build_figures_world() -> Figures:
    world = build_world()
    made = {}
    for key, (child_key, kind, start, end) in EPISODES.items():
        actor = _actor(world, child_key)
        episode = episodes.episode_open(
            actor=actor,
            child=world.children[child_key],
            kind=kind,
            last_seen_at=start,
            last_seen_where="Town",
            suspected_sexual_exploitation=key == "E5",
            serious_police_incident=key == "E6",
        )
        if end is not None:
            episode = episodes.episode_record_return(
                actor=actor,
                episode=episode,
                expected_version=episode.version,
                returned_at=end,
                return_method="own_accord",
            )
        made[key] = Episode.objects.select_related("interview").get(pk=episode.pk)
    hours = timedelta(hours=1)
    _interview(world, made["E1"], outcome=InterviewOutcome.ACCEPTED, held_after=24 * hours)
    _interview(world, made["E2"], outcome=InterviewOutcome.ACCEPTED, held_after=80 * hours)
    _interview(world, made["E3"], outcome=InterviewOutcome.DECLINED)
    _interview(world, made["E5"], outcome=InterviewOutcome.ACCEPTED, held_after=24 * hours)
    _interview(world, made["E6"], outcome=InterviewOutcome.NOT_POSSIBLE)

    def rule(authority):
        return EscalationRule.objects.create(
            authority=authority,
            rule_type=RuleType.POLICE_RISK_HIGH,
            name="High risk",
            severity=Severity.HIGH,
            recipient_roles=["service_manager"],
            action="Call",
            acknowledge_within_minutes=30,
        )

    rule_a, rule_b = rule(world.orgs["A"]), rule(world.orgs["B"])
    a1, home = world.children["a1"], world.homes["A1"]
    minutes = timedelta(minutes=1)
    alert_1 = _alert(rule_a, a1, home, "1", uk(2026, 3, 1, 10), 20 * minutes)
    alert_2 = _alert(rule_a, a1, home, "2", uk(2026, 5, 2, 10), 45 * minutes)
    _alert(rule_a, a1, home, "3", uk(2026, 10, 25, 8))
    alert_4 = _alert(rule_a, a1, home, "4", uk(2024, 6, 1, 10), 5 * minutes)
    _meeting(world, alert_1, held=uk(2026, 3, 6, 15))
    _meeting(world, alert_2, held=uk(2026, 5, 12, 9))
    _meeting(world, None, held=None)
    _meeting(world, alert_4, held=uk(2024, 6, 5, 9))
    _alert(rule_b, world.children["b1"], world.homes["B1"], "5", uk(2026, 2, 10, 11), 5 * minutes)
    return Figures(world=world, episodes=made)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def figures(db, frozen):
    return build_figures_world()

"""The rules beat runs every minute (open too long, no police report, interview not held),
open episodes turning overnight at the authority's night start, and the ladder, driven with
time_machine and explicit `now`s. Authority A has the default rules; tests.world places a1 at
home A1 (home manager hm_a1, force 1) with social worker sw_a; sm_a is A's service manager."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import Organisation
from apps.alerts import services as alerts
from apps.alerts.models import (
    Alert,
    AlertDelivery,
    AlertStatus,
    Channel,
    DeliveryStatus,
    Notification,
    RuleType,
)
from apps.alerts.services import outbox
from apps.children import services as children
from apps.episodes import services as episodes
from apps.episodes.models import Episode, ReturnInterview
from apps.episodes.services import episodes_refresh_overnight
from tests.alerts.helpers import world_with_rules
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
# A Tuesday afternoon in winter (UK time is UTC), a fortnight before "today" in the tests' world.
T0 = datetime(2026, 11, 10, 14, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
EVENING = T0.replace(hour=20)


@pytest.fixture
def world():
    return world_with_rules()


def open_episode(world, at=T0, *, child="a1", user="cw_a1", last_seen_ago=timedelta(0), **fields):
    """Logged by the home at `at` (its created_at), last seen `last_seen_ago` before that."""
    fields.setdefault("kind", "M")
    with time_machine.travel(at, tick=False):
        return episodes.episode_open(
            actor=world.users[user],
            child=world.children[child],
            last_seen_at=at - last_seen_ago,
            last_seen_where="Town centre",
            **fields,
        )


def record_return(world, episode, at, user="cw_a1"):
    with time_machine.travel(at + MIN, tick=False):
        episode.refresh_from_db()
        return episodes.episode_record_return(
            actor=world.users[user],
            episode=episode,
            expected_version=episode.version,
            returned_at=at,
            return_method="own_accord",
        )


def raised(rule_name, now) -> list[Alert]:
    return [a for a in alerts.time_rules_evaluate(now=now) if a.title == rule_name]


def told(alert, level=None) -> set[tuple[str, str]]:
    """(recipient email, channel) of the alert's deliveries."""
    rows = AlertDelivery.objects.filter(alert=alert)
    if level is not None:
        rows = rows.filter(level=level)
    return set(rows.values_list("email", "channel"))


def both(*users) -> set[tuple[str, str]]:
    return {(u.email, channel) for u in users for channel in (Channel.IN_APP, Channel.EMAIL)}


# Open too long ------------------------------------------------------------------------------


class TestOpenLongerThan:
    def test_24_hours_tells_the_service_manager_and_72_hours_raises_a_second_alert(self, world):
        episode = open_episode(world, reported_to_police_at=T0)
        assert raised("Missing more than 24 hours", T0 + timedelta(hours=24) - MIN) == []

        (first,) = raised("Missing more than 24 hours", T0 + timedelta(hours=24) + MIN)
        assert (first.child, first.key) == (world.children["a1"], f"episode:{episode.pk}")
        assert list(first.episodes.all()) == [episode]
        assert told(first) == both(world.users["sm_a"])
        assert "more than 24 hours" in first.summary
        # Every minute after: nothing new until 72 hours.
        assert alerts.time_rules_evaluate(now=T0 + timedelta(hours=30)) == []
        assert raised("Missing more than 72 hours", T0 + timedelta(hours=72) - MIN) == []

        (second,) = raised("Missing more than 72 hours", T0 + timedelta(hours=72) + MIN)
        assert told(second) == both(world.users["sw_a"], world.users["sm_a"])
        assert Alert.objects.filter(rule__rule_type=RuleType.OPEN_LONGER_THAN).count() == 2
        assert alerts.time_rules_evaluate(now=T0 + timedelta(hours=73)) == []

    def test_a_child_who_came_back_in_time_raises_nothing(self, world):
        episode = open_episode(world, reported_to_police_at=T0)
        record_return(world, episode, T0 + timedelta(hours=23))
        assert alerts.time_rules_evaluate(now=T0 + timedelta(hours=80)) == []

    @pytest.mark.parametrize(
        "last_seen_local",
        [
            # Clocks go back at 02:00 BST on Sunday 25 October 2026: that day has 25 hours.
            datetime(2026, 10, 24, 12, 0, tzinfo=LONDON),
            # Clocks go forward at 01:00 GMT on Sunday 28 March 2027: that day has 23 hours.
            datetime(2027, 3, 27, 12, 0, tzinfo=LONDON),
        ],
        ids=["october", "march"],
    )
    def test_24_hours_means_24_real_hours_across_a_clock_change(self, world, last_seen_local):
        last_seen = last_seen_local.astimezone(UTC)
        open_episode(world, last_seen, reported_to_police_at=last_seen)
        day_after = last_seen_local + timedelta(days=1)  # the same wall-clock time next day
        real_hours = (day_after.astimezone(UTC) - last_seen) / timedelta(hours=1)
        assert real_hours in (25, 23)  # the wall clock is an hour out either way
        name = "Missing more than 24 hours"

        assert raised(name, last_seen + timedelta(hours=24) - MIN) == []
        if real_hours == 23:  # March: 12:00 the next day is only 23 hours later
            assert raised(name, day_after.astimezone(UTC) + MIN) == []
        (alert,) = raised(name, last_seen + timedelta(hours=24) + MIN)
        when = (alert.raised_at - last_seen).total_seconds() / 3600
        assert 24 < when < 24.1


# No police report ---------------------------------------------------------------------------


class TestNoPoliceReport:
    NAME = "Missing and not reported to police"

    def test_an_hour_after_the_home_logged_it_the_home_manager_is_told(self, world):
        open_episode(world, last_seen_ago=timedelta(hours=3))  # logged late: counts from the log
        assert raised(self.NAME, T0 + timedelta(hours=1) - MIN) == []
        (alert,) = raised(self.NAME, T0 + timedelta(hours=1) + MIN)
        assert told(alert) == both(world.users["hm_a1"])
        assert alert.severity == "high"
        assert raised(self.NAME, T0 + timedelta(hours=2)) == []  # once

    def test_not_for_a_child_who_is_away_rather_than_missing(self, world):
        open_episode(world, kind="A")
        assert raised(self.NAME, T0 + timedelta(hours=5)) == []

    def test_not_when_the_home_reported_it_to_the_police(self, world):
        episode = open_episode(world)
        with time_machine.travel(T0 + timedelta(minutes=40), tick=False):
            episodes.episode_update(
                actor=world.users["cw_a1"],
                episode=episode,
                expected_version=episode.version,
                reported_to_police_at=T0 + timedelta(minutes=35),
                police_reference="NP-1234",
            )
        assert raised(self.NAME, T0 + timedelta(hours=5)) == []


# Return interview ---------------------------------------------------------------------------


class TestInterviewNotHeld:
    NAME = "Return interview not held"

    @pytest.fixture
    def returned(self, world):
        """a1 missing for two hours, back at T0 + 2h."""
        episode = open_episode(world, reported_to_police_at=T0)
        return record_return(world, episode, T0 + timedelta(hours=2))

    def record(self, world, episode, at, **fields):
        interview = ReturnInterview.objects.get(episode=episode)
        with time_machine.travel(at + MIN, tick=False):
            episodes.interview_record(
                actor=world.users["ri"],
                interview=interview,
                expected_version=interview.version,
                offered_at=at - timedelta(hours=1),
                **fields,
            )

    def test_72_hours_after_the_return_with_no_interview_raises_an_alert(self, world, returned):
        back = returned.returned_at
        assert raised(self.NAME, back + timedelta(hours=72) - MIN) == []
        (alert,) = raised(self.NAME, back + timedelta(hours=72) + MIN)
        assert told(alert) == both(world.users["sw_a"], world.users["sm_a"])
        assert "no outcome recorded" in alert.summary
        assert raised(self.NAME, back + timedelta(hours=80)) == []

    def test_an_interview_held_in_time_raises_nothing(self, world, returned):
        back = returned.returned_at
        self.record(
            world,
            returned,
            back + timedelta(hours=30),
            outcome="accepted",
            held_at=back + timedelta(hours=30),
            held_by="Independent advocate",
            independent_of_home=True,
        )
        assert raised(self.NAME, back + timedelta(hours=73)) == []

    @pytest.mark.parametrize("outcome", ["declined", "not_possible"])
    def test_an_interview_declined_or_not_possible_with_its_reason_raises_nothing(
        self, world, returned, outcome
    ):
        back = returned.returned_at
        self.record(
            world,
            returned,
            back + timedelta(hours=30),
            outcome=outcome,
            outcome_reason="Did not want to talk",
        )
        assert raised(self.NAME, back + timedelta(hours=73)) == []


# Overnight ----------------------------------------------------------------------------------


class TestOvernight:
    @pytest.fixture
    def late_night(self, world):
        """Authority A's night starts at 22:00 (UK time; GMT in November)."""
        Organisation.objects.filter(pk=world.orgs["A"].pk).update(
            night_starts=time(22, 0), night_ends=time(6, 0)
        )
        return T0.replace(hour=22)

    def set_cse_risk(self, world, level):
        """Through an assessment: the one way a child's level is set."""
        children.assessment_complete(
            actor=world.users["sw_a"],
            child=world.children["a1"],
            indicators=[],
            answers={},
            override_level=level,
            override_reason="Older associates",
        )

    def test_an_open_episode_turns_overnight_at_night_start_and_fires_the_cse_rule(
        self, world, late_night
    ):
        self.set_cse_risk(world, "medium")
        episode = open_episode(
            world, T0.replace(hour=20), reported_to_police_at=T0.replace(hour=20)
        )
        assert episode.overnight is False
        assert episodes_refresh_overnight(now=late_night - MIN) == 0
        assert Alert.objects.count() == 0

        assert episodes_refresh_overnight(now=late_night + MIN) == 1
        episode.refresh_from_db()
        assert episode.overnight is True
        (alert,) = Alert.objects.filter(rule__rule_type=RuleType.OVERNIGHT_AT_CSE_RISK)
        assert alert.severity == "immediate"
        assert alert.raised_at == late_night + MIN
        assert "while the CSE risk is medium" in alert.summary
        assert told(alert) == both(
            world.users["sw_a"], world.users["hm_a1"], world.users["police_1"]
        )
        # The next minute: nothing more to change or raise.
        assert episodes_refresh_overnight(now=late_night + 2 * MIN) == 0
        assert Alert.objects.count() == 1

    def test_at_low_cse_risk_it_turns_overnight_without_an_alert(self, world, late_night):
        self.set_cse_risk(world, "low")
        episode = open_episode(
            world, T0.replace(hour=20), reported_to_police_at=T0.replace(hour=20)
        )
        assert episodes_refresh_overnight(now=late_night + MIN) == 1
        episode.refresh_from_db()
        assert episode.overnight is True
        assert Alert.objects.count() == 0


# The ladder ---------------------------------------------------------------------------------


class TestLadder:
    """'Missing and not reported to police' tells the home manager, and allows 30 minutes."""

    NAME = "Missing and not reported to police"

    @pytest.fixture
    def alert(self, world) -> Alert:
        open_episode(world)
        (alert,) = raised(self.NAME, T0 + timedelta(hours=1))
        assert alert.escalate_at == T0 + timedelta(hours=1, minutes=30)
        return alert

    def out_of_hours(self, world):
        Organisation.objects.filter(pk=world.orgs["A"].pk).update(
            out_of_hours_name="Emergency Duty Team", out_of_hours_email="edt@authority-a.example"
        )

    def test_unacknowledged_it_climbs_to_the_service_managers_then_out_of_hours(self, world, alert):
        self.out_of_hours(world)
        step_1 = alert.escalate_at
        assert alerts.ladder_climb(now=step_1 - MIN) == []

        assert alerts.ladder_climb(now=step_1) == [alert]
        alert.refresh_from_db()
        assert (alert.level, alert.escalated_at) == (1, step_1)
        assert told(alert, level=1) == both(world.users["sm_a"])
        assert Notification.objects.filter(alert=alert, user=world.users["sm_a"]).exists()
        assert alerts.ladder_description(alert) == (
            "Escalated to the authority's service managers at 3:30pm on 10 Nov 2026 because "
            "it was not acknowledged within 30 minutes."
        )
        email = AlertDelivery.objects.get(alert=alert, level=1, channel=Channel.EMAIL)
        assert alerts.ladder_description(alert) in outbox._email(email).body

        step_2 = step_1 + timedelta(minutes=30)
        assert alert.escalate_at == step_2
        assert alerts.ladder_climb(now=step_2 - MIN) == []
        assert alerts.ladder_climb(now=step_2) == [alert]
        alert.refresh_from_db()
        assert (alert.level, alert.escalate_at) == (2, None)  # the last step
        (edt,) = AlertDelivery.objects.filter(alert=alert, level=2)
        assert (edt.user, edt.email, edt.recipient_name, edt.channel, edt.status) == (
            None,
            "edt@authority-a.example",
            "Emergency Duty Team",
            Channel.EMAIL,
            DeliveryStatus.PENDING,
        )
        assert alerts.ladder_description(alert).startswith(
            "Escalated to the out-of-hours contact at 4:00pm on 10 Nov 2026"
        )
        assert alerts.ladder_climb(now=step_2 + timedelta(days=1)) == []

    def test_without_an_out_of_hours_contact_the_service_managers_are_the_last_step(
        self, world, alert
    ):
        assert alerts.ladder_climb(now=alert.escalate_at) == [alert]
        alert.refresh_from_db()
        assert (alert.level, alert.escalate_at) == (1, None)
        assert alerts.ladder_climb(now=T0 + timedelta(days=2)) == []

    def test_an_acknowledged_alert_never_climbs(self, world, alert):
        self.out_of_hours(world)
        before = AlertDelivery.objects.filter(alert=alert).count()
        due = alert.escalate_at
        with time_machine.travel(due - 5 * MIN, tick=False):
            alerts.alert_acknowledge(
                actor=world.users["hm_a1"], alert=alert, expected_version=alert.version
            )
        for hours in (1, 2, 24):
            assert alerts.ladder_climb(now=due + timedelta(hours=hours)) == []
        alert.refresh_from_db()
        assert (alert.status, alert.level) == (AlertStatus.ACKNOWLEDGED, 0)
        assert alerts.ladder_description(alert) == ""
        assert AlertDelivery.objects.filter(alert=alert).count() == before


# Constant queries ---------------------------------------------------------------------------


def make_candidates(world, count):
    """`count` authorities, each with default rules and a child with one episode open for 30
    hours (missing, not reported) and one that came back four days ago with no interview."""
    from apps.children.models import Child

    home = world.homes["A1"]
    made = []
    for n in range(count):
        authority = OrganisationFactory(name=f"Authority Q{n}", code=f"Q{n:03d}")
        alerts.rules_seed_defaults(authority=authority)
        made.append(
            Child(
                placing_authority=authority,
                first_name=f"Q{n}",
                last_name="Test",
                date_of_birth=datetime(2010, 1, 1).date(),
                sex="1",
                child_id=f"IDQ{n}",
            )
        )
    kids = Child.objects.bulk_create(made)
    common = {
        "home": home,
        "kind": "M",
        "last_seen_where": "Old",
        "reported_by": world.users["cw_a1"],
    }
    closed = Episode.objects.bulk_create(
        Episode(
            child=kid,
            last_seen_at=T0 - timedelta(days=4, hours=2),
            returned_at=T0 - timedelta(days=4),
            **common,
        )
        for kid in kids
    )
    ReturnInterview.objects.bulk_create(
        ReturnInterview(episode=e, due_at=e.returned_at + timedelta(hours=72)) for e in closed
    )
    Episode.objects.bulk_create(
        Episode(child=kid, last_seen_at=T0 - timedelta(hours=30), **common) for kid in kids
    )
    # Logged when last seen (created_at is set by the database layer at insert).
    Episode.objects.filter(child__in=kids).update(created_at=F("last_seen_at"))


@pytest.mark.parametrize("authorities", [1, 50])
def test_the_time_rules_use_the_same_queries_for_1_or_50_authorities(world, authorities):
    make_candidates(world, authorities)
    # The first run raises three alerts for each authority (24 hours, no police report,
    # interview not held); after that every candidate is already alerted and none fires.
    assert len(alerts.time_rules_evaluate(now=T0)) == 3 * authorities
    with CaptureQueriesContext(connection) as queries:
        assert alerts.time_rules_evaluate(now=T0 + MIN) == []
    # The rules (1); the candidates of each of the 7 time rule types (7: open too long, no
    # police report, interview not held, meeting actions overdue, CSE reviews due, meeting
    # reviews due, police risk grades past review); the alerts already raised on them (1).
    assert len(queries) == 9, "\n".join(q["sql"][:200] for q in queries.captured_queries)

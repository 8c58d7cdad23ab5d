"""Every dashboard figure against the hand-computed episodes of tests/reports/conftest.py.

The default period on 23 Nov 2026 is the last 12 months: 1 Dec 2025 to 23 Nov 2026 (358 days).
Placement nights in it are counted up to last night: 1 Dec 2025 to 22 Nov 2026, 357 nights per
child placed all along.
"""

from datetime import UTC, date, datetime, timedelta

import pytest

from apps.episodes.services import reg40_decide
from apps.reports import selectors
from apps.reports.forms import DashboardFilterForm, period_dates
from apps.reports.selectors import Filters
from apps.reports.tables import DASHBOARD_TABLES
from tests.reports.conftest import NOW

pytestmark = pytest.mark.django_db

TWELVE_MONTHS = Filters(start=date(2025, 12, 1), end=date(2026, 11, 23))


def dashboard(figures, user_key, **filters):
    params = {"start": TWELVE_MONTHS.start, "end": TWELVE_MONTHS.end, **filters}
    return selectors.dashboard(figures.world.users[user_key], Filters(**params), now=NOW)


def counts(c) -> tuple:
    return (c.missing_day, c.missing_overnight, c.away, c.total)


class TestPeriods:
    def test_named_periods_end_today_in_uk_dates(self):
        today = date(2026, 11, 23)
        assert period_dates("12m", today) == (date(2025, 12, 1), today)
        assert period_dates("24m", today) == (date(2024, 12, 1), today)
        assert period_dates("quarter", today) == (date(2026, 7, 1), date(2026, 9, 30))
        assert period_dates("quarter", date(2026, 2, 1)) == (date(2025, 10, 1), date(2025, 12, 31))
        assert period_dates("year", today) == (date(2026, 4, 1), today)
        assert period_dates("year", date(2026, 3, 31)) == (date(2025, 4, 1), date(2026, 3, 31))

    def test_the_overnight_flags_follow_uk_time_across_the_clock_change(self, figures):
        e = figures.episodes
        assert [e[k].overnight for k in ("E1", "E2", "E3", "E4", "E5", "E6", "E7")] == [
            False,
            True,
            True,
            False,
            True,
            False,
            True,
        ]
        # 22:00 BST to 07:00 GMT is 10 hours, not 9.
        assert e["E5"].returned_at - e["E5"].last_seen_at == timedelta(hours=10)


class TestServiceManagerOfA:
    """sm_a sees the episodes of children A places (a1, a2): E0-E7, not E8 (b1) or E9 (b2)."""

    def test_episodes_each_month_in_uk_months(self, figures):
        d = dashboard(figures, "sm_a")
        by_month = {f"{m:%Y-%m}": counts(c) for m, c in d.months}
        assert list(by_month) == [
            "2025-12",
            "2026-01",
            "2026-02",
            "2026-03",
            "2026-04",
            "2026-05",
            "2026-06",
            "2026-07",
            "2026-08",
            "2026-09",
            "2026-10",
            "2026-11",
        ]
        assert by_month["2025-12"] == (1, 0, 0, 1)  # E1
        assert by_month["2026-02"] == (0, 0, 0, 0)  # E8 is b1's: not A's
        assert by_month["2026-03"] == (0, 1, 0, 1)  # E2 began 31 March (UK)
        assert by_month["2026-04"] == (0, 0, 0, 0)  # E3 is 30 April in UTC, May in the UK
        assert by_month["2026-05"] == (0, 1, 1, 2)  # E3, E4
        assert by_month["2026-07"] == (0, 0, 1, 1)  # E6
        assert by_month["2026-10"] == (0, 1, 0, 1)  # E5, across the clock change
        assert by_month["2026-11"] == (0, 1, 0, 1)  # E7, open
        assert counts(d.total) == (1, 4, 2, 7)

    def test_missing_now_with_the_time_gone(self, figures):
        d = dashboard(figures, "sm_a")
        assert [item["episode"].pk for item in d.missing_now] == [figures.episodes["E7"].pk]
        assert d.missing_now[0]["elapsed"] == timedelta(hours=16)

    def test_per_home_episodes_children_nights_and_rate(self, figures):
        d = dashboard(figures, "sm_a")
        rows = {
            h.name: (h.episodes, h.overnight, h.children_involved, h.nights, h.rate)
            for h in d.homes
        }
        assert rows == {
            "Home A1": (5, 3, 1, 357, 14.0),  # 5 * 1000 / 357 = 14.01
            "Home B1": (2, 1, 1, 357, 5.6),  # a2 only: b1's nights are not A's to count
            "All homes": (7, 4, 2, 714, 9.8),
        }

    def test_repeat_missing_children(self, figures):
        d = dashboard(figures, "sm_a")
        assert [(c.child_id, c.episodes, c.most_in_window, c.can_open) for c in d.repeat] == [
            ("IDA1", 5, 3, True)  # E2, E3, E4 within 50 days
        ]

    def test_return_interviews(self, figures):
        i = dashboard(figures, "sm_a").interviews
        assert (i.total, i.due, i.offered, i.held_in_time, i.accepted) == (6, 6, 5, 2, 3)

    def test_alerts_acknowledged_within_their_rules_time(self, figures):
        a = dashboard(figures, "sm_a").alerts
        assert (a.raised, a.in_time, a.late, a.not_acknowledged) == (3, 1, 1, 1)

    def test_strategy_meetings_held_within_5_working_days_of_their_trigger(self, figures):
        m = dashboard(figures, "sm_a").meetings
        assert (m.triggered, m.held_in_time, m.held_late, m.not_held) == (3, 1, 1, 1)
        # The home filter keeps meetings linked to an alert at the home.
        m = dashboard(figures, "sm_a", home_id=figures.world.homes["A1"].pk).meetings
        assert (m.triggered, m.held_in_time, m.held_late, m.not_held) == (2, 1, 1, 0)
        # Authority B and a home manager who was not invited see none of them.
        assert dashboard(figures, "sm_b").meetings.triggered == 0
        assert dashboard(figures, "hm_a1").meetings.triggered == 0

    def test_working_days_skip_the_weekend_and_bank_holidays(self):
        from apps.core.clock import add_working_days

        assert add_working_days(date(2026, 3, 1), 5) == date(2026, 3, 6)  # Sun
        assert add_working_days(date(2026, 11, 20), 1) == date(2026, 11, 23)  # Fri
        # Sat 2 May 2026: Monday 4 May is the early May bank holiday.
        assert add_working_days(date(2026, 5, 2), 5) == date(2026, 5, 11)
        # Thu 24 Dec 2026: Christmas Day (Fri) and Boxing Day's substitute (Mon 28) skipped.
        assert add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)

    def test_five_working_days_across_easter_and_the_spring_clock_change(self):
        # 23:30 UTC on Sun 29 Mar 2026 is 00:30 BST on Mon 30 Mar, the first day of BST. Five
        # working days from Monday skip Good Friday (3 Apr) and Easter Monday (6 Apr): the
        # meeting is in time until the end of Wed 8 Apr, UK time.
        trigger = datetime(2026, 3, 29, 23, 30, tzinfo=UTC)
        assert selectors.held_in_time(trigger, datetime(2026, 4, 8, 22, 59, tzinfo=UTC))
        # 23:30 UTC on 8 Apr is 00:30 BST on Thu 9 Apr: a day late.
        assert not selectors.held_in_time(trigger, datetime(2026, 4, 8, 23, 30, tzinfo=UTC))
        # Counted from 23:30 UTC on Sat 28 Mar (still GMT: Saturday), Monday is day one and
        # the fifth is Tue 7 Apr.
        saturday = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)
        assert selectors.held_in_time(saturday, datetime(2026, 4, 7, 12, tzinfo=UTC))
        assert not selectors.held_in_time(saturday, datetime(2026, 4, 8, 12, tzinfo=UTC))

    def test_five_working_days_across_the_autumn_clock_change(self):
        # 23:30 UTC on Sat 24 Oct 2026 is 00:30 BST on Sun 25 Oct (the clocks go back at
        # 02:00): counted from Sunday, the fifth working day is Fri 30 Oct.
        trigger = datetime(2026, 10, 24, 23, 30, tzinfo=UTC)
        assert selectors.held_in_time(trigger, datetime(2026, 10, 30, 23, 59, tzinfo=UTC))
        assert not selectors.held_in_time(trigger, datetime(2026, 10, 31, 0, 1, tzinfo=UTC))

    def test_period_comparison_and_projection(self, figures):
        c = dashboard(figures, "sm_a").comparison
        assert c.this_period.total == 7
        assert counts(c.a_year_earlier) == (1, 0, 0, 1)  # E0 (E9 is b2's)
        assert (c.change, c.change_percent) == (6, 600)
        assert c.days == 358
        assert c.annualised == 7  # 7 * 365 / 358
        # One baseline, the same dates a year earlier, and the ratio is against it.
        assert (c.baseline.start, c.baseline.end) == (date(2024, 12, 1), date(2025, 11, 23))
        assert c.ratio == 7.0 and c.on_course_to_double

    def test_split_by_age_at_the_start_and_by_area(self, figures):
        d = dashboard(figures, "sm_a")
        assert counts(d.by_age["under_16"]) == (1, 2, 0, 3)  # E1, E2, E3
        assert counts(d.by_age["16_plus"]) == (0, 2, 2, 4)  # E4, E5, E6, E7
        assert counts(d.by_area["in_area"]) == (1, 3, 1, 5)  # a1 at A1
        assert counts(d.by_area["out_of_area"]) == (0, 1, 1, 2)  # a2 at B1

    def test_regulation_40_flags_and_the_decisions_recorded(self, figures):
        r = dashboard(figures, "sm_a").regulation_40
        assert (r.flagged, r.sexual_exploitation, r.serious_police_incident) == (2, 1, 1)
        assert (r.notified, r.not_notifiable, r.decision_needed) == (0, 0, 2)
        decision = figures.episodes["E5"].regulation40
        reg40_decide(
            actor=figures.world.users["hm_a1"],
            decision=decision,
            expected_version=decision.version,
            status="not_notifiable",
            not_notifiable_reason="Strategy meeting found no exploitation",
        )
        r = dashboard(figures, "sm_a").regulation_40
        assert (r.flagged, r.notified, r.not_notifiable, r.decision_needed) == (2, 0, 1, 1)

    def test_filters_by_home_category_and_age_band(self, figures):
        b1 = figures.world.homes["B1"].pk
        d = dashboard(figures, "sm_a", home_id=b1)
        assert counts(d.total) == (0, 1, 1, 2)
        assert [h.name for h in d.homes] == ["Home B1", "All homes"]
        assert dashboard(figures, "sm_a", category="away").total.total == 2
        assert dashboard(figures, "sm_a", category="missing").total.total == 5
        assert dashboard(figures, "sm_a", category="missing_overnight").total.total == 4
        older = dashboard(figures, "sm_a", age_band="16_plus")
        assert older.total.total == 4
        # Nights from the 16th birthday, 17 May 2026, to last night: 190 a child.
        assert [(h.name, h.nights) for h in older.homes] == [
            ("Home A1", 190),
            ("Home B1", 190),
            ("All homes", 380),
        ]
        authority_b = figures.world.orgs["B"].pk
        assert dashboard(figures, "sm_a", authority_id=authority_b).total.total == 0

    def test_a_custom_period_the_last_quarter(self, figures):
        d = dashboard(figures, "sm_a", start=date(2026, 7, 1), end=date(2026, 9, 30))
        assert counts(d.total) == (0, 0, 1, 1)  # E6
        assert [(h.name, h.nights) for h in d.homes][-1] == ("All homes", 184)  # 92 x 2

    def test_every_table_has_the_same_numbers(self, figures):
        d = dashboard(figures, "sm_a")
        tables = {slug: build(d) for slug, build in DASHBOARD_TABLES.items()}
        assert tables["monthly"].footer == ["Total", 1, 4, 2, 7]
        assert tables["homes"].footer == ["All homes", 7, 4, 2, 714, 9.8]
        assert tables["interviews"].rows[1][1:] == [2, 6, 33]
        assert tables["regulation-40"].footer == ["Episodes flagged", 2]
        assert tables["regulation-40"].rows[2] == ["Decision needed", 2]
        assert "on course to double" in tables["comparison"].summary
        assert len(tables["episodes"].rows) == 7
        assert tables["missing-now"].rows[0][5] == "16 hours"


class TestScope:
    def test_a_home_manager_sees_only_their_homes(self, figures):
        d = dashboard(figures, "hm_a1")
        assert counts(d.total) == (1, 3, 1, 5)  # E1-E5 at A1
        assert [(h.name, h.nights) for h in d.homes] == [("Home A1", 357), ("All homes", 357)]
        assert d.missing_now == []
        assert d.comparison.a_year_earlier.total == 1  # E0
        assert d.alerts.raised == 3  # alerts about home A1

    def test_the_other_authority_sees_its_own(self, figures):
        d = dashboard(figures, "sm_b")
        # a2 lives in B's home B1 (E6, E7); b1 (E8); b2's E9 is before the period.
        assert counts(d.total) == (1, 1, 1, 3)
        assert {h.name for h in d.homes} == {"Home B1", "Home B2", "All homes"}
        assert d.alerts.raised == 1
        assert d.repeat == []

    def test_no_figure_reaches_outside_the_scope(self, figures):
        """Every child pk in every table and every episode behind the figures is one the
        user may see episodes of (hand-written in tests/security/test_access_matrix.py)."""
        expected = {
            "sm_a": {"a1", "a2"},
            "hm_a1": {"a1"},
            "sm_b": {"a2", "b1", "b2"},
        }
        pks = {key: child.pk for key, child in figures.world.children.items()}
        for user_key, children in expected.items():
            d = dashboard(figures, user_key, start=date(2024, 1, 10))
            seen = {row.child_pk for row in d.episodes}
            assert seen <= {pks[k] for k in children}, user_key
            for table in (build(d) for build in DASHBOARD_TABLES.values()):
                assert set(table.child_pks) <= {pks[k] for k in children}, (user_key, table.slug)

    def test_the_home_filter_offers_only_homes_the_user_sees(self, figures):
        sm_a = figures.world.users["sm_a"]
        form = DashboardFilterForm(
            {"home": str(figures.world.homes["B2"].pk)}, user=sm_a, today=date(2026, 11, 23)
        )
        assert not form.is_valid()
        assert form.errors["home"] == ["Choose a home from the list"]
        homes = [label for _value, label in form.fields["home"].choices]
        assert homes == ["All homes", "Home A1", "Home B1", "Home P1"]


def test_the_episodes_table_names_each_category_in_full(figures):
    from apps.reports.tables import episodes_table

    table = episodes_table(dashboard(figures, "sm_a"))
    column = table.headers.index("Missing or away")
    names = {row[column] for row in table.rows}
    assert names == {"Missing", "Away from placement without authorisation"}

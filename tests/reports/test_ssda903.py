"""The SSDA903 Missing table: rows for a collection year, and its validation report."""

import io
from datetime import date

import pytest

from apps.reports.ssda903 import RULES, collection_year, ssda903_missing, validate

pytestmark = pytest.mark.django_db

PLACED = {"C1": [(date(2024, 1, 10), None)], "C2": [(date(2024, 1, 10), date(2025, 9, 30))]}


def row(child="C1", dob="17/05/2010", missing="M", start="10/06/2025", end="11/06/2025"):
    return {"CHILD": child, "DOB": dob, "MISSING": missing, "MIS_START": start, "MIS_END": end}


def codes(rows, year=2025, periods=PLACED):
    return [(f.row, f.child, f.code) for f in validate(rows, year=year, periods_of_care=periods)]


class TestValidation:
    def test_good_rows_pass(self):
        rows = [
            row(start="01/04/2025", end="02/04/2025"),
            row(start="02/04/2025", end="03/04/2025"),  # starts the day the last one ended
            row(start="30/03/2026", end=""),  # open at the year end, the child's latest
            row(child="C2", missing="A", start="31/03/2025", end="01/04/2025"),  # from last year
        ]
        assert codes(rows) == []

    def test_each_planted_error_is_reported_with_its_rule(self):
        rows = [
            row(start=""),  # 1: 1004 (no start) - and so no 581, 574 check
            row(start="31/02/2025", end=""),  # 2: 1004 (not a real date)
            row(child="C3", start="01/05/2025", end="2025-05-02"),  # 3: 1005, 581 (not in care)
            row(missing="X", start="01/05/2025", end="02/05/2025"),  # 4: 1006
            row(start="10/05/2025", end="09/05/2025"),  # 5: 567
            row(start="01/04/2026", end=""),  # 6: 570
            row(child="C2", start="20/03/2025", end="25/03/2025"),  # 7: 571 (ended before)
            row(child="C2", dob="01/01/2026", start="01/06/2025", end="02/06/2025"),  # 8: 586
            row(child="C2", start="01/08/2025", end="05/08/2025"),  # 9: fine
            row(child="C2", start="04/08/2025", end="06/08/2025"),  # 10: 574 (overlaps 9)
            row(child="C2", start="01/10/2025", end=""),  # 11: 581 (placement ended 30 Sept)
            row(child="C4", start="01/06/2025", end="01/05/2026"),  # 12: 571 (after), 581
        ]
        assert codes(rows) == [
            (1, "C1", "1004"),
            (2, "C1", "1004"),
            (3, "C3", "1005"),
            (3, "C3", "581"),
            (4, "C1", "1006"),
            (5, "C1", "567"),
            (6, "C1", "570"),
            (7, "C2", "571"),
            (8, "C2", "586"),
            (10, "C2", "574"),
            (11, "C2", "581"),
            (12, "C4", "571"),
            (12, "C4", "581"),
        ]

    def test_a_new_episode_while_one_is_open_breaks_574(self):
        rows = [row(start="01/05/2025", end=""), row(start="03/05/2025", end="04/05/2025")]
        assert codes(rows) == [(2, "C1", "574")]

    def test_the_rules_that_need_placements(self):
        periods = {
            # Moved home on 30 June; care ended on 31 December.
            "C5": [(date(2024, 1, 10), date(2025, 6, 30)), (date(2025, 6, 30), date(2025, 12, 31))],
            "C6": [(date(2024, 1, 10), date(2025, 9, 30))],
            "C7": [(date(2025, 5, 1), None)],
            "C8": [(date(2024, 1, 10), date(2026, 5, 1))],  # ends after the year
            "C1": [(date(2024, 1, 10), None)],
        }
        rows = [
            row(child="C5", start="10/06/2025", end=""),  # 1: 575 (placement ended), 577
            row(child="C6", start="01/09/2025", end="05/10/2025"),  # 2: 577 (ends after care)
            row(child="C7", start="20/04/2025", end="21/04/2025"),  # 3: 578 (before care began)
            row(dob="10/06/2025", start="10/06/2025", end="11/06/2025"),  # 4: 586 (same day)
            row(child="C8", start="30/03/2026", end=""),  # 5: open at the year end: fine
            row(child="C5", start="01/08/2025", end="02/08/2025"),  # 6: after the move: 574 only
        ]
        assert codes(rows, periods=periods) == [
            (1, "C5", "575"),
            (1, "C5", "577"),
            (2, "C6", "577"),
            (3, "C7", "578"),
            (4, "C1", "586"),
            (6, "C5", "574"),
        ]

    def test_every_rule_has_a_message(self):
        assert set(RULES) == {
            "1004",
            "1005",
            "1006",
            "567",
            "570",
            "571",
            "574",
            "575",
            "577",
            "578",
            "586",
            "581",
        }


class TestTheTableFromRecords:
    def test_the_year_boundary_and_open_episodes(self, figures):
        """sm_a's children are a1 and a2 (b1, b2 are B's)."""
        sm_a = figures.world.users["sm_a"]
        earlier = ssda903_missing(sm_a, 2025)  # 1 April 2025 to 31 March 2026
        assert earlier.rows == [
            {
                "CHILD": "IDA1",
                "DOB": "17/05/2010",
                "MISSING": "M",
                "MIS_START": "10/06/2025",
                "MIS_END": "10/06/2025",
            },
            {
                "CHILD": "IDA1",
                "DOB": "17/05/2010",
                "MISSING": "M",
                "MIS_START": "10/12/2025",
                "MIS_END": "10/12/2025",
            },
            # Began 31 March, came back 1 April: not ended by the year end, so blank.
            {
                "CHILD": "IDA1",
                "DOB": "17/05/2010",
                "MISSING": "M",
                "MIS_START": "31/03/2026",
                "MIS_END": "",
            },
        ]
        assert earlier.failures == []
        later = ssda903_missing(sm_a, 2026)
        assert [(r["CHILD"], r["MISSING"], r["MIS_START"], r["MIS_END"]) for r in later.rows] == [
            ("IDA1", "M", "31/03/2026", "01/04/2026"),  # reported again, with its end
            ("IDA1", "M", "01/05/2026", "01/05/2026"),
            ("IDA1", "A", "20/05/2026", "20/05/2026"),
            ("IDA1", "M", "24/10/2026", "25/10/2026"),
            ("IDA2", "A", "15/07/2026", "15/07/2026"),
            ("IDA2", "M", "22/11/2026", ""),  # open now
        ]
        assert later.failures == []

    def test_records_changed_behind_the_services_back_are_reported(self, figures):
        """A placement moved to after the episodes (578: before care began) and a date of birth
        corrected to after an episode (586) are caught."""
        from apps.children.models import Child, Placement

        sm_a = figures.world.users["sm_a"]
        Placement.objects.filter(child=figures.world.children["a2"]).update(
            start_date=date(2026, 8, 1)
        )
        Child.objects.filter(pk=figures.world.children["a1"].pk).update(
            date_of_birth=date(2025, 12, 1)
        )
        failures = [(f.row, f.child, f.code) for f in ssda903_missing(sm_a, 2025).failures]
        assert failures == [(1, "IDA1", "586")]
        failures = [(f.row, f.child, f.code) for f in ssda903_missing(sm_a, 2026).failures]
        assert failures == [(5, "IDA2", "578")]

    def test_collection_year(self):
        assert collection_year(2025) == (date(2025, 4, 1), date(2026, 3, 31))


def test_a_demo_year_passes_its_own_validation(db, settings, tmp_path):
    """The demo authority's year of episodes (apps/episodes/demo.py): no errors in the
    current collection year or the one before."""
    from django.core.management import call_command
    from django.utils import timezone

    from apps.accounts.models import User
    from apps.children.demo import SERVICE_MANAGER
    from apps.reports.selectors import collection_year_of

    call_command("seed_demo", stdout=io.StringIO())
    manager = User.objects.get(email=SERVICE_MANAGER)
    this_year = collection_year_of(timezone.localdate())[0].year
    total = 0
    for year in (this_year - 1, this_year):
        report = ssda903_missing(manager, year)
        assert report.failures == [], year
        total += len(report.rows)
    assert total > 20

    # Every dashboard panel of the demo's service manager and home manager shows something.
    from datetime import date as day

    from apps.children.demo import HOME_MANAGER
    from apps.reports.selectors import Filters, dashboard

    today = timezone.localdate()
    filters = Filters(start=day(today.year - 1, today.month, 1), end=today)
    figures = dashboard(manager, filters)
    assert figures.missing_now
    assert figures.total.missing_day and figures.total.missing_overnight and figures.total.away
    assert figures.homes[-1].nights and figures.homes[-1].rate
    assert figures.repeat
    assert figures.interviews.due and figures.interviews.held_in_time
    assert figures.alerts.raised
    assert figures.by_age["16_plus"].total and figures.by_age["under_16"].total
    assert figures.by_area["in_area"].total and figures.by_area["out_of_area"].total
    assert figures.regulation_40.flagged
    home = dashboard(User.objects.get(email=HOME_MANAGER), filters)
    assert home.total.total and home.homes[-1].nights

"""The report pages: dashboard, exports (streamed and background), SSDA903, police pack."""

import csv
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from apps.children import services as child_services
from apps.children.models import AccessLog, AccessLogKind
from apps.episodes import services as episode_services
from apps.reports.exports import neutralise
from apps.reports.models import ExportJob, ExportStatus
from apps.reports.tables import Link
from apps.reports.tasks import export_job_run_task

pytestmark = pytest.mark.django_db

DASHBOARD = "/reports/dashboard/"
EXPORT = "/reports/export/"


def body(response) -> str:
    return response.content.decode()


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


class TestNeutralise:
    @pytest.mark.parametrize("text", ["=1+1", "+44 7700", "-2", "@SUM(A1)", "\t=1", "\r=1"])
    def test_formula_starts_are_made_text(self, text):
        assert neutralise(text) == "'" + text

    @pytest.mark.parametrize("value", ["Home A1", "", 3, -3, 4.5, None])
    def test_everything_else_is_unchanged(self, value):
        assert neutralise(value) == value

    def test_a_link_is_written_as_its_text(self):
        assert neutralise(Link("=cmd", "/x/")) == "'=cmd"


class TestDashboard:
    def test_service_manager_sees_every_panel(self, figures, signed_in):
        response = signed_in(figures.world.users["sm_a"]).get(DASHBOARD)
        assert response.status_code == 200
        html = body(response)
        for slug in [
            "missing-now",
            "monthly",
            "comparison",
            "homes",
            "repeat",
            "interviews",
            "meetings",
            "alerts",
            "age",
            "area",
            "regulation-40",
        ]:
            assert f'data-testid="table-{slug}"' in html, slug
            assert f'data-testid="summary-{slug}"' in html, slug
        assert "3 strategy meetings: 1 of 3 (33%) held within 5 working days" in html
        assert 'data-testid="on-course-to-double"' in html
        # One baseline, said in words.
        assert "Compared with 1 Dec 2024 to 23 Nov 2025 (the same dates a year earlier)" in html
        assert "7 episodes, 600% more than the 1 then, 7.0 times as many" in html
        # Chart data travels as JSON (json_script), never as inline script.
        assert '<script id="chart-monthly" type="application/json">' in html
        assert re.search(r"<script>(?!</script>)", html) is None
        assert " style=" not in html

    def test_the_url_holds_the_filters_and_bad_input_gets_an_error_summary(
        self, figures, signed_in
    ):
        client = signed_in(figures.world.users["sm_a"])
        b1 = figures.world.homes["B1"].pk
        html = body(client.get(DASHBOARD, {"period": "quarter", "home": b1}))
        assert "1 Jul 2026 to 30 Sep 2026" in html
        assert f"table=homes&amp;filetype=csv&amp;period=quarter&amp;home={b1}" in html
        response = client.get(
            DASHBOARD,
            {
                "period": "custom",
                "date_from": "2026-13-01",
                "date_to": "2026-01-01",
                "home": figures.world.homes["B2"].pk,
            },
        )
        html = body(response)
        assert "govuk-error-summary" in html
        assert "Enter a real date in From" in html
        assert "Choose a home from the list" in html
        assert 'data-testid="table-monthly"' not in html

    @pytest.mark.parametrize("who", ["cw_a1", "sw_a", "police_1", "ri", "admin"])
    def test_other_roles_get_not_found(self, figures, signed_in, who):
        assert signed_in(figures.world.users[who]).get(DASHBOARD).status_code == 404


class TestExports:
    def test_csv_of_a_table_with_the_filters_and_an_access_log_row(self, figures, signed_in):
        user = figures.world.users["sm_a"]
        client = signed_in(user)
        response = client.get(EXPORT, {"table": "homes", "filetype": "csv"})
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith('attachment; filename="homeward-homes')
        assert csv_rows(response) == [
            [
                "Home",
                "Episodes",
                "Overnight episodes",
                "Children involved",
                "Placement nights",
                "Episodes per 1,000 placement nights",
            ],
            ["Home A1", "5", "3", "1", "357", "14.0"],
            ["Home B1", "2", "1", "1", "357", "5.6"],
            ["All homes", "7", "4", "2", "714", "9.8"],
        ]
        log = AccessLog.objects.get(user=user, kind=AccessLogKind.EXPORT)
        assert log.child_id is None and "table=homes" in log.path

    def test_a_table_naming_children_logs_each_child(self, figures, signed_in):
        user = figures.world.users["sm_a"]
        response = signed_in(user).get(EXPORT, {"table": "episodes", "filetype": "csv"})
        rows = csv_rows(response)
        assert len(rows) == 8
        logged = set(
            AccessLog.objects.filter(user=user, kind="export").values_list("child_id", flat=True)
        )
        assert logged == {figures.world.children["a1"].pk, figures.world.children["a2"].pk}

    def test_xlsx_cells_are_neutralised(self, figures, signed_in):
        a1 = figures.world.children["a1"]
        a1.first_name = '=HYPERLINK("http://evil")'
        a1.save()
        response = signed_in(figures.world.users["sm_a"]).get(
            EXPORT, {"table": "episodes", "filetype": "xlsx"}
        )
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][:2] == ("Child ID", "Child")
        names = {row[1] for row in rows[1:]}
        assert names == {'\'=HYPERLINK("http://evil") Test', "ChildA2 Test"}

    def test_bad_filters_or_table_get_an_error_page(self, figures, signed_in):
        client = signed_in(figures.world.users["sm_a"])
        response = client.get(EXPORT, {"table": "homes", "period": "forever"})
        assert response.status_code == 400
        assert "Choose a period from the list" in body(response)
        assert client.get(EXPORT, {"table": "nope"}).status_code == 400
        assert client.get(EXPORT, {"table": "homes", "filetype": "pdf"}).status_code == 400

    def test_a_home_manager_cannot_export_the_ssda903_table(self, figures, signed_in):
        client = signed_in(figures.world.users["hm_a1"])
        assert client.get(EXPORT, {"table": "ssda903"}).status_code == 404
        assert client.get(EXPORT, {"table": "homes"}).status_code == 200

    def test_a_long_export_is_written_by_a_worker_with_progress(
        self, figures, signed_in, settings, django_capture_on_commit_callbacks
    ):
        settings.EXPORT_BACKGROUND_ROWS = 3
        user = figures.world.users["sm_a"]
        client = signed_in(user)
        with django_capture_on_commit_callbacks() as callbacks:
            response = client.get(EXPORT, {"table": "episodes", "filetype": "xlsx"})
        job = ExportJob.objects.get(user=user)
        assert response.status_code == 302
        assert response["Location"] == reverse("reports:export_job", args=[job.pk])
        assert len(callbacks) == 1
        page = client.get(response["Location"])
        assert 'hx-trigger="every 2s"' in body(page)
        status = client.get(reverse("reports:export_job_status", args=[job.pk]))
        assert status.status_code == 200 and "0% done" in body(status)
        # Not ready: the download goes back to the job's page.
        download = reverse("reports:export_job_download", args=[job.pk])
        assert client.get(download).status_code == 302

        export_job_run_task(job.pk)
        export_job_run_task(job.pk)  # a second delivery does nothing
        job.refresh_from_db()
        assert (job.status, job.progress, job.rows) == (ExportStatus.DONE, 100, 7)
        status = client.get(reverse("reports:export_job_status", args=[job.pk]))
        assert status.status_code == 286  # htmx stops polling
        assert "Your export is ready" in body(status)
        response = client.get(download)
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        assert sheet.max_row == 8
        assert AccessLog.objects.filter(user=user, kind="export", child__isnull=False).count() == 2
        assert AccessLog.objects.filter(user=user, kind="export", child__isnull=True).count() == 1

    def test_another_users_job_is_not_found(self, figures, signed_in):
        job = ExportJob.objects.create(
            user=figures.world.users["sm_b"], kind="episodes", file_format="csv"
        )
        client = signed_in(figures.world.users["sm_a"])
        for name in ("export_job", "export_job_status", "export_job_download"):
            assert client.get(reverse(f"reports:{name}", args=[job.pk])).status_code == 404


class TestSsda903Page:
    def test_it_shows_the_validation_and_links_the_files(self, figures, signed_in):
        client = signed_in(figures.world.users["sm_a"])
        html = body(client.get("/reports/ssda903/", {"year": 2026}))
        assert "All 6 rows pass the validation rules." in html
        assert "table=ssda903&amp;filetype=csv&amp;year=2026" in html
        response = client.get(EXPORT, {"table": "ssda903", "year": "2025"})
        assert csv_rows(response)[0] == ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"]
        assert csv_rows(client.get(EXPORT, {"table": "ssda903", "year": "2025"}))[3] == [
            "IDA1",
            "17/05/2010",
            "M",
            "31/03/2026",
            "",
        ]

    def test_a_return_with_errors_is_not_ready_and_its_file_is_refused(
        self, figures, signed_in, api
    ):
        from datetime import date

        from apps.children.models import Child

        # A date of birth changed behind the services' back, after a1's first episode: 586.
        Child.objects.filter(pk=figures.world.children["a1"].pk).update(
            date_of_birth=date(2025, 12, 1)
        )
        client = signed_in(figures.world.users["sm_a"])
        html = body(client.get("/reports/ssda903/", {"year": 2025}))
        assert 'data-testid="ssda903-not-ready"' in html
        assert "table=ssda903&amp;filetype=csv&amp;year=2025" not in html
        refused = client.get(EXPORT, {"table": "ssda903", "year": "2025"})
        assert refused.status_code == 409
        assert "The SSDA903 Missing table is not ready: 1 error in 1 row" in body(refused)
        # The validation report, the list to fix, is always there.
        report = client.get(EXPORT, {"table": "ssda903-errors", "year": "2025"})
        assert report.status_code == 200 and csv_rows(report)[1][2] == "586"
        partner = api(figures.world.users["sm_a"])
        refused = partner.get("/api/v1/reports/export/", {"table": "ssda903", "year": 2025})
        assert refused.status_code == 409
        assert "not ready" in refused.json()["message"]
        data = partner.get("/api/v1/reports/ssda903/", {"year": 2025}).json()
        assert data["ready"] is False and data["failures"][0]["rule"] == "586"

    def test_a_bad_year_gets_an_error_summary(self, figures, signed_in):
        html = body(signed_in(figures.world.users["sm_a"]).get("/reports/ssda903/", {"year": "1"}))
        assert "Choose a collection year from the list" in html


class TestPolicePack:
    def pack(self, figures, key="E7"):
        return f"/reports/police-pack/{figures.episodes[key].pk}/"

    def test_the_pack_holds_parts_1_and_2_the_photo_and_the_reference(self, figures, signed_in):
        e7 = figures.episodes["E7"]
        episode_services.episode_update(
            actor=figures.world.users["police_1"],
            episode=e7,
            expected_version=e7.version,
            police_reference="NP-26-777",
        )
        child_services.associate_add(
            actor=figures.world.users["sw_a"], child=figures.world.children["a2"], name="Dean"
        )
        police = figures.world.users["police_1"]
        html = body(signed_in(police).get(self.pack(figures)))
        assert "NP-26-777" in html
        assert 'data-testid="pack-part-1"' in html and 'data-testid="pack-part-2"' in html
        assert "Dean" in html
        assert AccessLog.objects.filter(user=police, kind=AccessLogKind.PROFILE).count() == 1

    def test_printing_and_downloading_are_logged_as_exports(self, figures, signed_in):
        carer = figures.world.users["cw_b1"]
        client = signed_in(carer)
        printed = client.get(self.pack(figures) + "print/")
        assert "data-print-on-load" in body(printed)
        download = client.get(self.pack(figures) + "download/")
        assert download["Content-Disposition"].startswith('attachment; filename="police-pack-IDA2')
        assert "<style>" in body(download)
        assert AccessLog.objects.filter(user=carer, kind=AccessLogKind.EXPORT).count() == 2

    def test_police_see_part_2_only_after_the_child_is_back(self, figures, signed_in):
        # a1 is back (a2 is missing now, so police_1 sees a2's profile while they search).
        html = body(signed_in(figures.world.users["police_1"]).get(self.pack(figures, "E1")))
        assert 'data-testid="pack-part-2"' in html
        assert 'data-testid="pack-no-part-1"' in html
        assert 'data-testid="pack-photo"' not in html

    @pytest.mark.parametrize("who", ["ri", "admin", "police_2", "cw_a1", "sm_b"])
    def test_others_get_not_found(self, figures, signed_in, who):
        """E0 is a1's episode at A1 (force 1): not theirs to see."""
        assert signed_in(figures.world.users[who]).get(self.pack(figures, "E0")).status_code == (
            404 if who != "cw_a1" else 200
        )


class TestQueryCounts:
    @pytest.mark.parametrize("count", [1, 12])
    def test_the_dashboard_costs_the_same_for_1_and_many_episodes(
        self, db, frozen, signed_in, django_assert_num_queries, count
    ):
        from tests.reports.test_api import many_episodes

        manager = many_episodes(count)
        client = signed_in(manager)
        # 1 session, 2 user, 3 two-factor device, 4 homes for the filter, 5 placing
        # authorities for the filter, 6 the episodes (a year before the period to its end, with
        # child, home, interview and whether the child's record opens), 7 placement nights,
        # 8 alerts, 9 strategy meetings, 10 missing now (child, home, force joined), 11 the
        # user's organisation (caption), 12 unread notifications (header), 13-15 savepoint,
        # session update, release.
        with django_assert_num_queries(15):
            response = client.get(DASHBOARD)
        assert response.status_code == 200
        assert f"{count + 1} episodes from" in body(response)  # and the one open now

    @pytest.mark.parametrize("count", [1, 12])
    def test_an_export_costs_the_same_for_1_and_many_rows(
        self, db, frozen, signed_in, django_assert_num_queries, count
    ):
        from tests.reports.test_api import many_episodes

        manager = many_episodes(count)
        client = signed_in(manager)
        # 1 session, 2 user, 3 device, 4 homes, 5 authorities (the filter form), 6 the count
        # (is it long?), 7 episodes, 8 nights, 9 alerts, 10 strategy meetings, 11 missing
        # now, 12 the access log (one insert for every child), 13-15 savepoint, session
        # update, release.
        with django_assert_num_queries(15):
            response = client.get(EXPORT, {"table": "episodes"})
            rows = csv_rows(response)
        assert len(rows) == count + 2  # the header, the closed episodes and one open

    @pytest.mark.parametrize("count", [1, 12])
    def test_the_police_pack_costs_the_same_for_any_profile(
        self, db, frozen, signed_in, django_assert_num_queries, count
    ):
        from tests.reports.test_api import many_episodes

        manager = many_episodes(count)
        episode = manager.test_episodes[0]
        profile = episode.child
        for n in range(count):
            child_services.place_add(actor=manager, child=profile, name=f"Park {n}")
            child_services.associate_add(actor=manager, child=profile, name=f"Friend {n}")
        client = signed_in(manager)
        # 1 session, 2 user, 3 device, 4 the episode (child, authority, home, force), 5 the
        # child through the child scope, 6 the profile, 7 associates, 8 places, 9 latest
        # updates (with authors), 10 access log insert, 11 organisation (user bar), 12 unread
        # notifications (header), 13-15 savepoint, session update, release.
        with django_assert_num_queries(15):
            response = client.get(f"/reports/police-pack/{episode.pk}/")
        assert response.status_code == 200

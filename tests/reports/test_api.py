"""Dashboard figures and exports through the API: same filters, same scope, same log."""

from datetime import date, timedelta

import pytest

from apps.accounts.models import OrganisationKind, Role
from apps.children.models import AccessLog
from apps.episodes import services as episode_services
from apps.homes import services as home_services
from apps.reports.models import ExportJob
from tests.factories import OrganisationFactory, make_user
from tests.reports.conftest import NOW
from tests.world import place_children

pytestmark = pytest.mark.django_db


def many_episodes(count: int):
    """`count` children of one authority at one home, each with one closed episode in the last
    12 months (the first also missing now). Returns the authority's service manager, with the
    episodes as `test_episodes`."""
    authority = OrganisationFactory(kind=OrganisationKind.LOCAL_AUTHORITY)
    force = OrganisationFactory(kind=OrganisationKind.POLICE_FORCE)
    admin = make_user(Role.ADMINISTRATOR, organisation=authority)
    manager = make_user(Role.SERVICE_MANAGER, organisation=authority)
    home = home_services.home_create(
        actor=admin,
        name="Home",
        ofsted_urn="SC777001",
        operator=authority,
        host_authority=authority,
        police_force=force,
        address_line_1="1 Street",
        town="Town",
        postcode="NE1 8AA",
        capacity=30,
    )
    made = []
    placed = place_children(
        home=home,
        count=count,
        actor=manager,
        placer=manager,
        prefix="M",
        date_of_birth=date(2010, 1, 1),
        start_date=date(2025, 1, 1),
        placing_authority=authority,
        sex="2",
    )
    for n, child in enumerate(placed):
        episode = episode_services.episode_open(
            actor=manager,
            child=child,
            kind="M",
            last_seen_at=NOW - timedelta(days=30 + n),
            last_seen_where="Town",
        )
        episode = episode_services.episode_record_return(
            actor=manager,
            episode=episode,
            expected_version=episode.version,
            returned_at=NOW - timedelta(days=29 + n),
            return_method="own_accord",
        )
        made.append(episode)
    episode_services.episode_open(
        actor=manager,
        child=made[0].child,
        kind="A",
        last_seen_at=NOW - timedelta(hours=2),
        last_seen_where="Park",
    )
    manager.test_episodes = made
    return manager


def api(client):
    return client


class TestDashboardApi:
    def test_the_figures_as_json_with_the_same_filters(self, figures, signed_in):
        client = signed_in(figures.world.users["sm_a"])
        data = client.get("/api/v1/reports/dashboard/").json()
        assert data["period"]["date_from"] == "2025-12-01"
        assert data["comparison"]["this_period"]["total"] == 7
        assert data["comparison"]["on_course_to_double"] is True
        assert [h["name"] for h in data["homes"]] == ["Home A1", "Home B1", "All homes"]
        assert data["homes"][0]["episodes_per_1000_nights"] == 14.0
        assert data["return_interviews"] == {
            "total": 6,
            "due": 6,
            "offered": 5,
            "held_within_72_hours": 2,
            "accepted": 3,
        }
        assert data["strategy_meetings"] == {
            "triggered": 3,
            "held_within_5_working_days": 1,
            "held_later": 1,
            "not_held": 1,
        }
        assert data["tables"]["homes"]["total"] == ["All homes", 7, 4, 2, 714, 9.8]
        b1 = figures.world.homes["B1"].pk
        data = client.get("/api/v1/reports/dashboard/", {"home": b1, "category": "away"}).json()
        assert data["comparison"]["this_period"]["total"] == 1

    def test_bad_filters_get_the_stable_error_body(self, figures, signed_in):
        client = signed_in(figures.world.users["sm_a"])
        response = client.get("/api/v1/reports/dashboard/", {"age_band": "teen"})
        assert response.status_code == 400
        assert response.json()["fields"] == {"age_band": ["Choose an age band from the list"]}

    @pytest.mark.parametrize("who", ["sw_a", "cw_a1", "police_1", "ri", "admin"])
    def test_other_roles_get_not_found(self, figures, signed_in, who):
        response = signed_in(figures.world.users[who]).get("/api/v1/reports/dashboard/")
        assert response.status_code == 404

    @pytest.mark.parametrize("count", [1, 12])
    def test_the_query_count_does_not_grow(
        self, db, frozen, signed_in, django_assert_num_queries, count
    ):
        client = signed_in(many_episodes(count))
        # 1 session, 2 user, 3 device, 4 homes, 5 authorities (the filters), 6 episodes,
        # 7 placement nights, 8 alerts, 9 strategy meetings, 10 missing now, 11-13 savepoint,
        # session save, release.
        with django_assert_num_queries(13):
            response = client.get("/api/v1/reports/dashboard/")
        assert response.json()["comparison"]["this_period"]["total"] == count + 1


class TestExportApi:
    def test_a_table_downloads_and_is_logged(self, figures, signed_in):
        user = figures.world.users["sm_a"]
        response = signed_in(user).get(
            "/api/v1/reports/export/", {"table": "monthly", "filetype": "csv", "period": "24m"}
        )
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert AccessLog.objects.filter(user=user, kind="export").count() == 1

    def test_a_long_export_answers_202_with_the_job(self, figures, signed_in, settings):
        settings.EXPORT_BACKGROUND_ROWS = 2
        user = figures.world.users["sm_a"]
        client = signed_in(user)
        response = client.get("/api/v1/reports/export/", {"table": "episodes", "filetype": "xlsx"})
        assert response.status_code == 202
        job = ExportJob.objects.get(user=user)
        assert response.json()["id"] == job.pk and response.json()["download"] is None
        assert client.get(f"/api/v1/reports/exports/{job.pk}/file/").status_code == 409
        from apps.reports.tasks import export_job_run_task

        export_job_run_task(job.pk)
        status = client.get(f"/api/v1/reports/exports/{job.pk}/").json()
        assert status["status"] == "done" and status["download"].endswith("/file/")
        assert client.get(status["download"]).status_code == 200
        other = signed_in(figures.world.users["sm_b"])
        assert other.get(f"/api/v1/reports/exports/{job.pk}/").status_code == 404

    def test_the_ssda903_table_and_its_validation(self, figures, signed_in):
        client = signed_in(figures.world.users["sm_a"])
        data = client.get("/api/v1/reports/ssda903/", {"year": 2026}).json()
        assert len(data["rows"]) == 6 and data["failures"] == []
        hm = signed_in(figures.world.users["hm_a1"])
        assert hm.get("/api/v1/reports/ssda903/").status_code == 404

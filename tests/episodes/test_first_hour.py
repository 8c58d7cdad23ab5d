"""The first hour: the next-steps checklist of an episode (ticks with who and when, the steps
that write the episode's police fields, the authority's own steps), the service manager's page
of those steps, police liaison officers reporting, and the child's missing banner."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.errors import ApplicationError, StaleVersionError
from apps.episodes import selectors, services
from apps.episodes.models import AuthorityStep, Episode, FirstStep, StepTick
from tests.episodes.test_views import back, body, grant_police, report, when

pytestmark = pytest.mark.django_db


def tick(world, episode, step, user="cw_a1", **fields):
    episode.refresh_from_db()
    return services.step_tick(actor=world.users[user], episode=episode, step=step, **fields)


def left(episode):
    return Episode.objects.with_steps_left().get(pk=episode.pk).steps_left


class TestTicks:
    def test_a_new_episode_has_every_step_left_and_ticks_count_down(self, world):
        episode = report(world)
        # Six steps; "placing authority and social worker told" is done by Homeward's notice
        # to a1's allocated social worker as the report is saved.
        assert left(episode) == 5
        tick(world, episode, FirstStep.SEARCH)
        assert left(episode) == 4
        made = StepTick.objects.get(episode=episode, step=FirstStep.SEARCH)
        assert made.done_by == world.users["cw_a1"]
        assert made.history.count() == 1  # audited

    def test_police_called_writes_the_episode_through_its_service(self, world):
        episode = report(world)
        called = timezone.now() - timedelta(minutes=30)
        tick(
            world,
            episode,
            FirstStep.POLICE_CALLED,
            reported_to_police_at=called,
            police_reference=" CAD 123 ",
        )
        episode.refresh_from_db()
        assert (episode.reported_to_police_at, episode.police_reference) == (called, "CAD 123")
        assert episode.version == 2
        assert left(episode) == 4

    def test_police_called_needs_a_time_and_a_reference(self, world):
        episode = report(world)
        with pytest.raises(ApplicationError) as error:
            tick(world, episode, FirstStep.POLICE_CALLED, police_reference="X")
        assert "reported_to_police_at" in error.value.fields
        with pytest.raises(ApplicationError) as error:
            tick(world, episode, FirstStep.POLICE_CALLED, reported_to_police_at=timezone.now())
        assert "police_reference" in error.value.fields
        assert not StepTick.objects.exists()

    def test_a_police_time_before_last_seen_is_refused_by_the_episode_rules(self, world):
        episode = report(world, hours_ago=1)
        with pytest.raises(ApplicationError):
            tick(
                world,
                episode,
                FirstStep.POLICE_CALLED,
                reported_to_police_at=timezone.now() - timedelta(hours=3),
                police_reference="X",
            )
        assert not StepTick.objects.exists()

    def test_the_risk_grade_step_records_the_grade(self, world):
        episode = report(world)
        tick(world, episode, FirstStep.RISK_GRADE, risk_grade="high")
        episode.refresh_from_db()
        assert episode.risk_grade == "high"
        with pytest.raises(ApplicationError):
            tick(world, episode, FirstStep.RISK_GRADE, risk_grade="awful", expected_version=1)

    def test_the_authority_told_step_is_not_ticked_by_hand_but_read_from_the_notices(self, world):
        world.children["a1"].allocated_social_worker = None
        world.children["a1"].save()
        episode = report(world)  # nobody at the placing authority to tell
        assert episode.social_worker_notified_at is None
        assert left(episode) == 6
        with pytest.raises(ApplicationError):
            tick(world, episode, FirstStep.AUTHORITY_TOLD)
        told = report(world, child="a2")  # a2's social worker is told by Homeward
        assert told.social_worker_notified_at is not None
        assert left(told) == 5
        row = next(r for r in selectors.first_hour_steps(told) if r["code"] == "authority_told")
        assert row["done"] and row["done_at"] == told.social_worker_notified_at

    def test_not_appropriate_to_tell_the_parent_needs_a_reason(self, world):
        episode = report(world)
        with pytest.raises(ApplicationError) as error:
            tick(world, episode, FirstStep.PARENT_TOLD, not_appropriate=True)
        assert "note" in error.value.fields
        made = tick(
            world, episode, FirstStep.PARENT_TOLD, not_appropriate=True, note="Care plan says no"
        )
        assert made.not_appropriate

    def test_a_stale_tick_is_refused(self, world):
        episode = report(world)
        tick(world, episode, FirstStep.SEARCH)
        with pytest.raises(StaleVersionError):  # the page said: not ticked yet
            tick(world, episode, FirstStep.SEARCH, user="hm_a1", expected_version=0)
        again = tick(world, episode, FirstStep.SEARCH, user="hm_a1", expected_version=1)
        assert (again.version, again.done_by) == (2, world.users["hm_a1"])

    def test_a_stale_episode_version_is_refused_for_police_called(self, world):
        episode = report(world)
        with pytest.raises(StaleVersionError):
            tick(
                world,
                episode,
                FirstStep.POLICE_CALLED,
                reported_to_police_at=timezone.now(),
                police_reference="X",
                episode_version=episode.version + 5,
            )
        assert not StepTick.objects.exists()

    def test_an_unknown_step_is_refused(self, world):
        with pytest.raises(ApplicationError):
            tick(world, report(world), "dance")


class TestAuthoritySteps:
    def test_steps_are_added_moved_and_retired(self, world):
        sm = world.users["sm_a"]
        first = services.authority_step_add(actor=sm, authority=sm.organisation, wording="Ring EDT")
        second = services.authority_step_add(
            actor=sm, authority=sm.organisation, wording="Check the child's phone"
        )
        assert (first.order, second.order) == (1, 2)
        services.authority_step_move(actor=sm, step=second, expected_version=1, up=True)
        assert [s.wording for s in AuthorityStep.objects.order_by("order")] == [
            "Check the child's phone",
            "Ring EDT",
        ]
        first.refresh_from_db()
        with pytest.raises(StaleVersionError):
            services.authority_step_set_active(actor=sm, step=first, expected_version=1, active=0)
        services.authority_step_set_active(
            actor=sm, step=first, expected_version=first.version, active=False
        )
        with pytest.raises(ApplicationError):
            services.authority_step_add(actor=sm, authority=sm.organisation, wording="  ")

    def test_an_authority_step_is_asked_for_its_children_only_until_retired(self, world):
        sm = world.users["sm_a"]
        step = services.authority_step_add(actor=sm, authority=sm.organisation, wording="Ring EDT")
        episode = report(world)  # a1, placed by A
        b_episode = report(world, child="b1", user="cw_b1")
        assert (left(episode), left(b_episode)) == (
            6,
            5,
        )  # each child's social worker told by Homeward
        with pytest.raises(ApplicationError):
            tick(world, b_episode, FirstStep.AUTHORITY_STEP, user="cw_b1", authority_step=step)
        tick(world, episode, FirstStep.AUTHORITY_STEP, authority_step=step)
        assert left(episode) == 5
        services.authority_step_set_active(
            actor=sm, step=step, expected_version=step.version, active=False
        )
        other = report(world, child="a2", user="cw_b1")
        assert left(other) == 5


class TestFirstHourUndone:
    def test_it_lists_episodes_with_steps_left_most_urgent_first_in_scope(
        self, world, django_assert_num_queries
    ):
        low = report(world, hours_ago=5)
        high = report(world, child="a2", user="cw_b1", hours_ago=1)
        tick(world, high, FirstStep.RISK_GRADE, user="cw_b1", risk_grade="high")
        with django_assert_num_queries(1):
            rows = list(selectors.first_hour_undone(world.users["sw_a"]))
        assert [row.pk for row in rows] == [high.pk, low.pk]
        assert [row.steps_left for row in rows] == [4, 5]
        assert [r.pk for r in selectors.first_hour_undone(world.users["cw_a1"])] == [low.pk]
        assert list(selectors.first_hour_undone(world.users["sw_b"])) == []


class TestPages:
    def test_after_send_report_the_care_worker_lands_on_next_steps(self, world, signed_in):
        client = signed_in(world.users["cw_a1"])
        response = client.post(
            f"/episodes/report/{world.children['a1'].pk}/",
            {"kind": "M", "last_seen_where": "Park", **when("last_seen_at", timezone.now())},
        )
        episode = Episode.objects.get()
        assert response["Location"] == f"/episodes/{episode.pk}/next-steps/"
        html = body(client.get(response["Location"]))
        assert "999" in html and "101" in html
        assert "5 of 6 steps left" in html

    def test_the_next_steps_page_costs_the_same_queries_with_more_ticks(
        self, world, signed_in, django_assert_max_num_queries
    ):
        episode = report(world)
        client = signed_in(world.users["cw_a1"])
        url = f"/episodes/{episode.pk}/next-steps/"
        client.get(url)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as before:
            client.get(url)
        tick(world, episode, FirstStep.SEARCH)
        tick(world, episode, FirstStep.POLICE_PACK)
        services.authority_step_add(
            actor=world.users["sm_a"], authority=world.orgs["A"], wording="Ring EDT"
        )
        with CaptureQueriesContext(connection) as after:
            html = body(client.get(url))
        assert len(after) == len(before)
        assert html.count("govuk-tag--green") == 3  # with "told", ticked by Homeward

    def test_ticking_search_and_police_called_on_the_web(self, world, signed_in):
        episode = report(world)
        client = signed_in(world.users["cw_a1"])
        base = f"/episodes/{episode.pk}/next-steps/"
        response = client.post(base + "search/", {"version": 0, "episode_version": 1})
        assert response["Location"] == base
        response = client.post(
            base + "police_called/",
            {
                "version": 0,
                "episode_version": 1,
                "police_reference": "CAD 77",
                **when("reported_to_police_at", timezone.now() - timedelta(minutes=2)),
            },
        )
        assert response.status_code == 302
        episode.refresh_from_db()
        assert episode.police_reference == "CAD 77"
        html = body(client.get(base))
        assert "3 of 6 steps left" in html and "Reference CAD 77" in html

    def test_the_risk_grade_step_records_who_gave_it(self, world, signed_in):
        episode = report(world)
        client = signed_in(world.users["cw_a1"])
        url = f"/episodes/{episode.pk}/next-steps/risk_grade/"
        html = body(client.get(url))
        assert "Who gave the grade?" in html
        refused = client.post(url, {"version": 0, "episode_version": 1, "risk_grade": "medium"})
        assert "Enter who gave the grade" in body(refused)
        response = client.post(
            url,
            {
                "version": 0,
                "episode_version": 1,
                "risk_grade": "medium",
                "risk_graded_by": "PC 4411 Okoro",
                "risk_grader_contact": "07700 900123",
            },
        )
        assert response.status_code == 302
        episode.refresh_from_db()
        assert (episode.risk_grade, episode.risk_graded_by) == ("medium", "PC 4411 Okoro")
        assert episode.risk_grader_contact == "07700 900123" and episode.risk_review_at

    def test_a_stale_tick_re_renders_with_the_error_summary(self, world, signed_in):
        episode = report(world)
        tick(world, episode, FirstStep.SEARCH, user="hm_a1")
        client = signed_in(world.users["cw_a1"])
        response = client.post(
            f"/episodes/{episode.pk}/next-steps/search/", {"version": 0, "episode_version": 1}
        )
        assert response.status_code == 200
        html = body(response)
        assert "govuk-error-summary" in html and "after you opened the page" in html

    def test_the_police_pack_tick_is_one_tap_to_the_pack(self, world, signed_in):
        episode = report(world)
        response = signed_in(world.users["cw_a1"]).post(
            f"/episodes/{episode.pk}/next-steps/police_pack/",
            {"version": 0, "episode_version": 1},
        )
        assert response["Location"] == f"/reports/police-pack/{episode.pk}/"
        assert StepTick.objects.filter(step="police_pack").exists()

    def test_unknown_and_derived_steps_answer_404(self, world, signed_in):
        episode = report(world)
        client = signed_in(world.users["cw_a1"])
        for step in ("authority_told", "nope", "authority-999"):
            assert client.get(f"/episodes/{episode.pk}/next-steps/{step}/").status_code == 404

    def test_steps_left_show_on_the_episode_and_the_board(self, world, signed_in):
        episode = report(world)
        client = signed_in(world.users["cw_a1"])
        assert "5 first steps left" in body(client.get(f"/episodes/{episode.pk}/"))
        assert "5 first steps left" in body(client.get("/episodes/missing-now/"))

    def test_the_service_manager_adds_a_step_and_errors_show_in_the_summary(self, world, signed_in):
        client = signed_in(world.users["sm_a"])
        response = client.post("/episodes/first-hour-steps/", {"wording": ""})
        assert "govuk-error-summary" in body(response) and "Enter the step" in body(response)
        client.post("/episodes/first-hour-steps/", {"wording": "Ring EDT"})
        step = AuthorityStep.objects.get()
        html = body(client.get("/episodes/first-hour-steps/"))
        assert "Ring EDT" in html and "Move down" not in html and "Move up" not in html
        assert step.authority == world.orgs["A"]
        client.post(f"/episodes/first-hour-steps/{step.pk}/active/", {"version": 1, "active": "0"})
        step.refresh_from_db()
        assert not step.active
        other = signed_in(world.users["sm_b"])
        assert (
            other.post(f"/episodes/first-hour-steps/{step.pk}/active/", {"version": 2}).status_code
            == 404
        )


class TestPoliceReport:
    def test_a_police_liaison_reports_a_child_in_their_scope(self, world, signed_in):
        grant_police(world, "a1")
        client = signed_in(world.users["police_1"])
        response = client.post(
            f"/episodes/report/{world.children['a1'].pk}/",
            {"kind": "M", "last_seen_where": "Found", **when("last_seen_at", timezone.now())},
        )
        episode = Episode.objects.get()
        assert episode.reported_by == world.users["police_1"]
        assert response["Location"] == f"/episodes/{episode.pk}/next-steps/"

    def test_a_child_out_of_their_scope_is_404(self, world, signed_in):
        client = signed_in(world.users["police_1"])
        url = f"/episodes/report/{world.children['a1'].pk}/"
        assert client.get(url).status_code == 404
        assert client.post(url, {"kind": "M"}).status_code == 404

    def test_police_record_an_update_and_the_return(self, world, signed_in):
        episode = report(world)
        client = signed_in(world.users["police_1"])
        url = f"/episodes/{episode.pk}/return/"
        assert client.get(url).status_code == 200
        response = client.post(
            url,
            {
                "version": episode.version,
                "return_method": "found_by_police",
                **when("returned_at", timezone.now()),
            },
        )
        assert response.status_code == 302
        episode.refresh_from_db()
        assert episode.returned_at is not None


class TestChildBanner:
    def test_an_open_episode_shows_a_banner_instead_of_report_missing(self, world, signed_in):
        client = signed_in(world.users["cw_a1"])
        url = f"/children/{world.children['a1'].pk}/"
        assert "Report missing" in body(client.get(url))
        episode = report(world)
        tick(world, episode, FirstStep.RISK_GRADE, risk_grade="medium")
        html = body(client.get(url))
        assert 'data-testid="child-missing-banner"' in html
        assert "Report missing" not in html
        assert "Record the return" in html and "Add an update" in html and "Medium" in html
        back(world, episode)
        assert "Report missing" in body(client.get(url))

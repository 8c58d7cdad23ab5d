"""The multi-agency response API: meetings, attendees, actions, CSE risk assessments and
Regulation 40 decisions, with If-Match / ETag on updates and the stable error body."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.alerts import services as alert_services
from apps.alerts.models import Alert
from apps.children.models import AccessLog, AccessLogKind
from apps.episodes import services as episodes
from apps.strategy_meetings import services
from apps.strategy_meetings.models import ActionStatus, MeetingStatus, StrategyMeeting
from tests.strategy_meetings.conftest import begun, record, schedule

pytestmark = pytest.mark.django_db


def new_meeting(world, **overrides) -> dict:
    data = {
        "child": world.children["a1"].pk,
        "scheduled_at": (timezone.now() + timedelta(days=3)).isoformat(),
        "reason": "Three episodes in a month",
        "location": "Room 4, County Hall",
        "invite_users": [world.users["police_1"].pk],
    }
    data.update(overrides)
    return data


class TestMeetings:
    def test_a_case_holder_schedules_one(self, world, api):
        response = api(world.users["sw_a"]).post(
            "/api/v1/meetings/", new_meeting(world), format="json"
        )
        assert response.status_code == 201, response.json()
        data = response.json()
        assert response["ETag"] == '"1"'
        assert data["status"] == "scheduled"
        assert {a["user"] for a in data["attendees"]} == {
            world.users["sw_a"].pk,
            world.users["police_1"].pk,
        }

    def test_scheduling_from_an_alert_links_it_and_its_episodes(self, world, api):
        alert_services.rules_seed_defaults(authority=world.orgs["A"])
        episode = episodes.episode_open(
            actor=world.users["cw_a1"],
            child=world.children["a1"],
            kind="M",
            last_seen_at=timezone.now() - timedelta(hours=2),
            last_seen_where="Bus station",
            risk_grade="high",
        )
        alert = Alert.objects.get()
        response = api(world.users["sw_a"]).post(
            "/api/v1/meetings/", new_meeting(world, alert=alert.pk), format="json"
        )
        assert response.status_code == 201
        assert response.json()["alerts"] == [alert.pk]
        assert response.json()["episodes"] == [episode.pk]

    def test_bad_input_is_400_with_field_errors(self, world, api):
        response = api(world.users["sw_a"]).post(
            "/api/v1/meetings/", new_meeting(world, location="", reason=""), format="json"
        )
        assert response.status_code == 400
        assert "reason" in response.json()["fields"]
        response = api(world.users["sw_a"]).post(
            "/api/v1/meetings/", new_meeting(world, location=""), format="json"
        )
        assert response.status_code == 400
        assert response.json()["fields"] == {"location": ["Enter a place or a video link"]}

    def test_someone_who_cannot_be_invited_is_400(self, world, api):
        response = api(world.users["sw_a"]).post(
            "/api/v1/meetings/",
            new_meeting(world, invite_users=[world.users["ri"].pk]),
            format="json",
        )
        assert response.status_code == 400
        assert "invite_users" in response.json()["fields"]

    @pytest.mark.parametrize("user", ["police_1", "hm_a1", "sw_b"])
    def test_only_case_holders_schedule(self, world, api, user):
        response = api(world.users[user]).post(
            "/api/v1/meetings/", new_meeting(world), format="json"
        )
        assert response.status_code == 404

    def test_restricted_minutes_are_left_out_for_the_police(self, world, api):
        meeting = record(world, schedule(world))
        path = f"/api/v1/meetings/{meeting.pk}/"
        mine = api(world.users["sw_a"]).get(path).json()
        police = api(world.users["police_1"]).get(path).json()
        assert mine["restricted_minutes"] == "Health: disclosed to the school nurse."
        assert "restricted_minutes" not in police
        assert police["minutes"] == mine["minutes"]
        assert AccessLog.objects.filter(kind=AccessLogKind.API, user=world.users["police_1"])

    def test_moving_needs_if_match_and_refuses_a_stale_one(self, world, api):
        meeting = schedule(world)
        client = api(world.users["sw_a"])
        path = f"/api/v1/meetings/{meeting.pk}/"
        data = {"scheduled_at": (timezone.now() + timedelta(days=5)).isoformat()}
        assert client.patch(path, data, format="json").status_code == 428
        data["video_link"] = "https://meet.example/abc"
        response = client.patch(path, data, format="json", HTTP_IF_MATCH='"1"')
        assert response.status_code == 200, response.json()
        assert response["ETag"] == '"2"'
        assert response.json()["sequence"] == 1
        stale = client.patch(path, data, format="json", HTTP_IF_MATCH='"1"')
        assert stale.status_code == 412
        assert "changed this record" in stale.json()["message"]

    def test_cancel_and_record(self, world, api):
        meeting = begun(schedule(world))
        client = api(world.users["sw_a"])
        police = meeting.attendees.get(user=world.users["police_1"])
        response = client.post(
            f"/api/v1/meetings/{meeting.pk}/record/",
            {
                "held_at": timezone.now().isoformat(),
                "minutes": "Agreed a plan",
                "decisions": ["safety_plan"],
                "attendance": {str(police.pk): "attended"},
            },
            format="json",
            HTTP_IF_MATCH='"1"',
        )
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == MeetingStatus.HELD
        police.refresh_from_db()
        assert police.attendance == "attended"
        bad = client.post(
            f"/api/v1/meetings/{meeting.pk}/record/",
            {"held_at": timezone.now().isoformat(), "minutes": "x", "decisions": []},
            format="json",
            HTTP_IF_MATCH='"2"',
        )
        assert bad.status_code == 400
        assert bad.json()["fields"] == {"decisions": ["Choose at least one decision"]}
        other = schedule(world)
        response = client.post(
            f"/api/v1/meetings/{other.pk}/cancel/",
            {"reason": "No longer needed"},
            format="json",
            HTTP_IF_MATCH='"1"',
        )
        assert response.status_code == 200
        assert response.json()["status"] == MeetingStatus.CANCELLED

    @pytest.mark.parametrize("count", [1, 8])
    def test_the_list_costs_the_same_queries_for_1_or_n(
        self, world, api, django_assert_num_queries, count
    ):
        for n in range(count):
            schedule(world, scheduled_at=timezone.now() + timedelta(days=1 + n))
        client = api(world.users["sw_a"])
        # 1 the token and its user; 2 COUNT of visible meetings; 3 the page with child, chair
        # and the attendee and open action counts.
        with django_assert_num_queries(3):
            response = client.get("/api/v1/meetings/")
        assert response.json()["count"] == count

    @pytest.mark.parametrize("user", ["ri", "admin"])
    def test_no_meetings_for_interviewers_and_administrators(self, world, api, user):
        assert api(world.users[user]).get("/api/v1/meetings/").status_code == 404


class TestAttendeesAndActions:
    def test_inviting_and_removing(self, world, api):
        meeting = schedule(world, invite=())
        client = api(world.users["sw_a"])
        path = f"/api/v1/meetings/{meeting.pk}/attendees/"
        external = client.post(
            path,
            {"name": "Dr Priya Shah", "agency": "NHS", "email": "priya@nhs.example"},
            format="json",
        )
        assert external.status_code == 201
        user = client.post(path, {"user": world.users["hm_a1"].pk}, format="json")
        assert user.status_code == 201 and user.json()["user"] == world.users["hm_a1"].pk
        missing = client.post(path, {"name": "No email", "agency": "School"}, format="json")
        assert missing.status_code == 400
        assert "email" in missing.json()["fields"]
        assert len(client.get(path).json()) == 3
        removed = client.post(f"{path}{external.json()['id']}/remove/", format="json")
        assert removed.status_code == 204
        assert len(client.get(path).json()) == 2

    def test_actions_created_listed_as_mine_and_completed(self, world, api):
        meeting = schedule(world)
        police = meeting.attendees.get(user=world.users["police_1"])
        response = api(world.users["sw_a"]).post(
            f"/api/v1/meetings/{meeting.pk}/actions/",
            {
                "description": "Disruption visit",
                "owner_attendee": police.pk,
                "due_on": str(timezone.localdate() + timedelta(days=7)),
            },
            format="json",
        )
        assert response.status_code == 201, response.json()
        action_id = response.json()["id"]
        officer = api(world.users["police_1"])
        mine = officer.get("/api/v1/actions/").json()
        assert [row["id"] for row in mine["results"]] == [action_id]
        path = f"/api/v1/actions/{action_id}/complete/"
        assert officer.post(path, {"note": "Done"}, format="json").status_code == 428
        done = officer.post(path, {"note": "Done"}, format="json", HTTP_IF_MATCH='"1"')
        assert done.status_code == 200
        assert done.json()["status"] == ActionStatus.DONE
        again = officer.post(path, {"note": "Again"}, format="json", HTTP_IF_MATCH='"1"')
        assert again.status_code == 400  # already closed
        assert officer.get("/api/v1/actions/").json()["count"] == 0

    def test_an_action_for_someone_not_invited_is_400(self, world, api):
        meeting = schedule(world)
        other = schedule(world, child="a2")
        stranger = other.attendees.get(user=world.users["police_1"])
        response = api(world.users["sw_a"]).post(
            f"/api/v1/meetings/{meeting.pk}/actions/",
            {"description": "x", "owner_attendee": stranger.pk, "due_on": "2099-01-01"},
            format="json",
        )
        assert response.status_code == 400
        assert "owner_attendee" in response.json()["fields"]

    @pytest.mark.parametrize("count", [1, 8])
    def test_my_actions_cost_the_same_queries_for_1_or_n(
        self, world, api, django_assert_num_queries, count
    ):
        meeting = schedule(world)
        for n in range(count):
            services.action_add(
                actor=world.users["sw_a"],
                meeting=meeting,
                description=f"Action {n}",
                due_on=timezone.localdate() + timedelta(days=n),
                owner_user=world.users["police_1"],
            )
        client = api(world.users["police_1"])
        # 1 the token and its user; 2 COUNT of the open actions; 3 the page with the owners.
        with django_assert_num_queries(3):
            response = client.get("/api/v1/actions/")
        assert response.json()["count"] == count


def test_the_schema_describes_the_new_routes(world, api):
    schema = api(world.users["sw_a"]).get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in ("/api/v1/meetings/", "/api/v1/actions/", "/api/v1/regulation-40/"):
        assert path in text
    assert StrategyMeeting.objects.count() == 0

"""Multi-agency response pages: scheduling (from a child and from an alert), the meeting page,
moving, cancelling, inviting, recording, actions and "My actions", CSE risk assessments, the
authority's indicators and Regulation 40 decisions. Each form is tried with bad input (GOV.UK
error summary, nothing lost) and, for versioned records, with a stale version."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.alerts import services as alert_services
from apps.alerts.models import Alert
from apps.children import services as child_services
from apps.episodes import services as episodes
from apps.strategy_meetings import services
from apps.strategy_meetings.models import (
    ActionStatus,
    MeetingAttendee,
    MeetingStatus,
    StrategyMeeting,
)
from tests.strategy_meetings.conftest import begun, day, record, schedule, when

pytestmark = pytest.mark.django_db

STALE = "changed this record"


def body(response) -> str:
    return response.content.decode()


def url(name, *args, **query):
    path = reverse(f"strategy_meetings:{name}", args=args)
    if query:
        path += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return path


def schedule_data(**overrides) -> dict:
    data = {
        **when("scheduled_at", timezone.now() + timedelta(days=3)),
        "duration_minutes": "60",
        "location": "Room 4, County Hall",
        "video_link": "",
        "reason": "Three episodes in a month",
    }
    data.update(overrides)
    return data


def high_risk_alert(world) -> Alert:
    """A "Police risk grade high" alert about a1, raised through the episode services."""
    alert_services.rules_seed_defaults(authority=world.orgs["A"])
    episodes.episode_open(
        actor=world.users["cw_a1"],
        child=world.children["a1"],
        kind="M",
        last_seen_at=timezone.now() - timedelta(hours=2),
        last_seen_where="Bus station",
        risk_grade="high",
    )
    return Alert.objects.get(child=world.children["a1"])


# Scheduling -----------------------------------------------------------------------------------


class TestSchedule:
    def test_a_case_holder_schedules_and_invites(self, signed_in, world):
        client = signed_in(world.users["sw_a"])
        child = world.children["a1"]
        page = client.get(url("schedule", child.pk))
        assert page.status_code == 200
        # The picker offers the home's staff and the force's officer, not the interviewer.
        assert world.users["police_1"].full_name in body(page)
        assert world.users["hm_a1"].full_name in body(page)
        assert world.users["ri"].full_name not in body(page)
        response = client.post(
            url("schedule", child.pk),
            schedule_data(invite_users=[world.users["police_1"].pk]),
        )
        meeting = StrategyMeeting.objects.get(child=child)
        assert response.status_code == 302
        assert response["Location"] == url("detail", meeting.pk)
        assert set(meeting.attendees.values_list("user__email", flat=True)) == {
            world.users["sw_a"].email,
            world.users["police_1"].email,
        }
        assert meeting.chair == world.users["sw_a"]

    def test_bad_input_shows_the_error_summary_and_keeps_what_was_typed(self, signed_in, world):
        client = signed_in(world.users["sw_a"])
        response = client.post(
            url("schedule", world.children["a1"].pk),
            schedule_data(location="", reason="Worried about a new older boyfriend"),
        )
        assert response.status_code == 200
        html = body(response)
        assert "govuk-error-summary" in html
        assert "Enter a place or a video link" in html
        assert "Worried about a new older boyfriend" in html
        assert not StrategyMeeting.objects.exists()

    def test_an_impossible_date_is_an_error_on_the_field(self, signed_in, world):
        client = signed_in(world.users["sw_a"])
        data = schedule_data(scheduled_at_day="31", scheduled_at_month="2")
        response = client.post(url("schedule", world.children["a1"].pk), data)
        assert "When is the meeting? must be a real date" in body(response)

    def test_from_an_alert_the_reason_and_recipients_are_filled_in(self, signed_in, world):
        alert = high_risk_alert(world)
        client = signed_in(world.users["sw_a"])
        page = client.get(url("schedule", world.children["a1"].pk, alert=alert.pk))
        html = body(page)
        assert alert.title in html
        assert 'data-testid="from-alert"' in html
        response = client.post(
            url("schedule", world.children["a1"].pk),
            schedule_data(alert=alert.pk, reason=f"{alert.title}. {alert.summary}"),
        )
        assert response.status_code == 302
        meeting = StrategyMeeting.objects.get()
        assert list(meeting.alerts.all()) == [alert]
        assert set(meeting.episodes.all()) == set(alert.episodes.all())

    def test_an_alert_about_another_child_is_404(self, signed_in, world):
        alert = high_risk_alert(world)
        client = signed_in(world.users["sw_a"])
        response = client.get(url("schedule", world.children["a2"].pk, alert=alert.pk))
        assert response.status_code == 404

    def test_the_alert_page_has_the_button_for_case_holders_only(self, signed_in, world):
        alert = high_risk_alert(world)
        path = reverse("alerts:detail", args=[alert.pk])
        target = url("schedule", world.children["a1"].pk, alert=alert.pk)
        assert target in body(signed_in(world.users["sw_a"]).get(path))

    @pytest.mark.parametrize("user", ["police_1", "hm_a1", "cw_a1", "ri", "sw_b"])
    def test_others_cannot_schedule(self, signed_in, world, user):
        client = signed_in(world.users[user])
        assert client.get(url("schedule", world.children["a1"].pk)).status_code == 404


# The meeting page -----------------------------------------------------------------------------


class TestMeetingPage:
    def test_restricted_minutes_show_to_the_authority_and_invited_people_not_the_police(
        self, signed_in, world
    ):
        meeting = record(world, schedule(world))
        restricted = "Health: disclosed to the school nurse."
        for key, sees in [("sw_a", True), ("sm_a", True), ("hm_a1", True), ("police_1", False)]:
            response = signed_in(world.users[key]).get(url("detail", meeting.pk))
            assert response.status_code == 200, key
            assert "Discussed the pattern of episodes." in body(response), key
            assert (restricted in body(response)) is sees, key

    def test_buttons_follow_the_permissions(self, signed_in, world):
        meeting = schedule(world)
        chair = body(signed_in(world.users["sw_a"]).get(url("detail", meeting.pk)))
        assert url("move", meeting.pk) in chair and url("record", meeting.pk) in chair
        police = body(signed_in(world.users["police_1"]).get(url("detail", meeting.pk)))
        assert url("move", meeting.pk) not in police and url("record", meeting.pk) not in police

    def test_the_meeting_shows_the_childs_cse_level_only(self, signed_in, world):
        child_services.assessment_complete(
            actor=world.users["sw_a"],
            child=world.children["a1"],
            indicators=[],
            answers={},
            override_level="high",
            override_reason="Known to an exploiting group",
        )
        meeting = schedule(world)
        html = body(signed_in(world.users["police_1"]).get(url("detail", meeting.pk)))
        assert 'data-testid="meeting-cse-risk">High' in html
        assert "Known to an exploiting group" not in html

    @pytest.mark.parametrize("user", ["cw_a1", "ri", "sw_b", "police_2", "admin"])
    def test_people_not_invited_and_outside_the_case_get_404(self, signed_in, world, user):
        meeting = schedule(world)
        assert signed_in(world.users[user]).get(url("detail", meeting.pk)).status_code == 404


class TestMoveAndCancel:
    def test_moving_saves_and_redirects(self, signed_in, world):
        meeting = schedule(world)
        client = signed_in(world.users["sw_a"])
        later = timezone.now() + timedelta(days=6)
        response = client.post(
            url("move", meeting.pk),
            {**schedule_data(**when("scheduled_at", later)), "version": meeting.version},
        )
        assert response.status_code == 302
        meeting.refresh_from_db()
        assert meeting.status == MeetingStatus.RESCHEDULED and meeting.sequence == 1

    def test_a_stale_move_is_refused_keeping_what_was_typed(self, signed_in, world):
        meeting = schedule(world)
        client = signed_in(world.users["sw_a"])
        meeting = services.meeting_move(
            actor=world.users["sm_a"],
            meeting=meeting,
            expected_version=meeting.version,
            scheduled_at=timezone.now() + timedelta(days=4),
            location="Room 9",
        )
        response = client.post(
            url("move", meeting.pk),
            {**schedule_data(location="The typed place"), "version": 1},
        )
        html = body(response)
        assert response.status_code == 200
        assert STALE in html and "govuk-error-summary" in html
        assert 'data-testid="latest-version"' in html and "Room 9" in html
        assert 'value="The typed place"' in html
        assert f'name="version" value="{meeting.version}"' in html

    def test_cancelling_needs_a_reason(self, signed_in, world):
        meeting = schedule(world)
        client = signed_in(world.users["sw_a"])
        response = client.post(url("cancel", meeting.pk), {"reason": "", "version": 1})
        assert "Enter why the meeting is cancelled" in body(response)
        response = client.post(url("cancel", meeting.pk), {"reason": "Moved home", "version": 1})
        assert response.status_code == 302
        meeting.refresh_from_db()
        assert meeting.status == MeetingStatus.CANCELLED
        # A cancelled meeting cannot be moved or cancelled again.
        assert client.get(url("move", meeting.pk)).status_code == 404


class TestAttendees:
    def test_an_external_person_is_invited(self, signed_in, world):
        meeting = schedule(world)
        client = signed_in(world.users["sw_a"])
        response = client.post(
            url("attendee_add", meeting.pk),
            {
                "kind": "external",
                "external-name": "Dr Priya Shah",
                "external-agency": "Northshire NHS Trust",
                "external-email": "priya.shah@nhs.example",
            },
        )
        assert response.status_code == 302
        assert meeting.attendees.filter(email="priya.shah@nhs.example", user=None).exists()

    def test_bad_input_keeps_what_was_typed(self, signed_in, world):
        meeting = schedule(world)
        client = signed_in(world.users["sw_a"])
        response = client.post(
            url("attendee_add", meeting.pk),
            {"kind": "external", "external-name": "Dr Priya Shah", "external-agency": "NHS"},
        )
        html = body(response)
        assert "govuk-error-summary" in html
        assert "Enter the attendee&#x27;s email address" in html
        assert 'value="Dr Priya Shah"' in html

    def test_the_same_email_twice_is_an_error_on_the_form(self, signed_in, world):
        meeting = schedule(world)
        client = signed_in(world.users["sw_a"])
        response = client.post(
            url("attendee_add", meeting.pk),
            {
                "kind": "external",
                "external-name": "Twin",
                "external-agency": "Police",
                "external-email": world.users["police_1"].email,
            },
        )
        assert "already invited" in body(response)

    def test_a_homeward_user_is_invited_from_the_picker(self, signed_in, world):
        meeting = schedule(world, invite=())
        client = signed_in(world.users["sw_a"])
        response = client.post(
            url("attendee_add", meeting.pk), {"kind": "user", "user-user": world.users["cw_a1"].pk}
        )
        assert response.status_code == 302
        assert meeting.attendees.filter(user=world.users["cw_a1"]).exists()

    def test_someone_outside_the_picker_cannot_be_chosen(self, signed_in, world):
        meeting = schedule(world, invite=())
        client = signed_in(world.users["sw_a"])
        response = client.post(
            url("attendee_add", meeting.pk), {"kind": "user", "user-user": world.users["ri"].pk}
        )
        assert "Choose someone from the list" in body(response)

    def test_removing_an_attendee(self, signed_in, world):
        meeting = schedule(world)
        attendee = meeting.attendees.get(user=world.users["hm_a1"])
        client = signed_in(world.users["sw_a"])
        response = client.post(url("attendee_remove", meeting.pk, attendee.pk))
        assert response.status_code == 302
        assert not MeetingAttendee.objects.filter(pk=attendee.pk).exists()

    def test_the_chair_cannot_be_removed(self, signed_in, world):
        meeting = schedule(world)
        chair = meeting.attendees.get(user=world.users["sw_a"])
        client = signed_in(world.users["sw_a"])
        response = client.post(url("attendee_remove", meeting.pk, chair.pk), follow=True)
        assert "The chair cannot be removed" in body(response)
        assert MeetingAttendee.objects.filter(pk=chair.pk).exists()


class TestRecord:
    def data(self, meeting, **overrides) -> dict:
        """The record form held ten minutes ago (the meeting's start moved back first)."""
        begun(meeting)
        data = {
            **when("held_at", timezone.now() - timedelta(minutes=10)),
            "minutes": "Agreed a safety plan.",
            "restricted_minutes": "A disclosure to the nurse.",
            "decisions": ["safety_plan", "exploitation_panel"],
            "decision_notes": "",
            **day("next_review_on", timezone.localdate() + timedelta(days=28)),
            "version": meeting.version,
        }
        data.update(overrides)
        return data

    def test_recording_minutes_decisions_and_attendance(self, signed_in, world):
        meeting = schedule(world)
        police = meeting.attendees.get(user=world.users["police_1"])
        client = signed_in(world.users["sw_a"])
        page = client.get(url("record", meeting.pk))
        assert f"attendance_{police.pk}" in body(page)
        response = client.post(
            url("record", meeting.pk),
            self.data(meeting, **{f"attendance_{police.pk}": "apologies"}),
        )
        assert response.status_code == 302
        meeting.refresh_from_db()
        police.refresh_from_db()
        assert meeting.status == MeetingStatus.HELD
        assert meeting.decisions == ["safety_plan", "exploitation_panel"]
        assert meeting.next_review_on == timezone.localdate() + timedelta(days=28)
        assert police.attendance == "apologies"

    def test_no_decision_is_an_error_keeping_the_minutes(self, signed_in, world):
        meeting = schedule(world)
        client = signed_in(world.users["sw_a"])
        response = client.post(
            url("record", meeting.pk), self.data(meeting, decisions=[], minutes="Long minutes")
        )
        html = body(response)
        assert "Choose at least one decision" in html and "govuk-error-summary" in html
        assert "Long minutes" in html

    def test_a_stale_record_is_refused(self, signed_in, world):
        meeting = schedule(world)
        record(world, meeting, actor="sm_a", minutes="The manager's minutes")
        client = signed_in(world.users["sw_a"])
        response = client.post(
            url("record", meeting.pk), self.data(meeting, version=1, minutes="Mine")
        )
        html = body(response)
        assert STALE in html
        assert "The manager&#x27;s minutes" in html  # the latest saved version
        assert "Mine" in html  # what the user typed


class TestActions:
    def test_adding_an_action_for_an_invited_user_and_completing_it_from_my_actions(
        self, signed_in, world
    ):
        meeting = record(world, schedule(world))
        police = meeting.attendees.get(user=world.users["police_1"])
        client = signed_in(world.users["sw_a"])
        response = client.post(
            url("action_add", meeting.pk),
            {
                "description": "Disruption visit to the address",
                "owner": police.pk,
                **day("due_on", timezone.localdate() + timedelta(days=7)),
            },
        )
        assert response.status_code == 302
        action = meeting.actions.get()
        assert action.owner_user == world.users["police_1"]

        officer = signed_in(world.users["police_1"])
        mine = body(officer.get(url("my_actions")))
        assert "Disruption visit to the address" in mine
        response = officer.post(
            url("action_complete", action.pk),
            {
                "note": "Visited; warning notice served",
                "version": action.version,
                "next": "my_actions",
            },
        )
        assert response["Location"] == url("my_actions")
        action.refresh_from_db()
        assert action.status == ActionStatus.DONE

    def test_an_action_needs_an_owner_and_a_date(self, signed_in, world):
        meeting = schedule(world)
        client = signed_in(world.users["sw_a"])
        response = client.post(
            url("action_add", meeting.pk), {"description": "Something", "owner": ""}
        )
        html = body(response)
        assert "Choose who will do it" in html and "Enter when the action is due" in html
        assert "Something</textarea>" in html

    def test_a_past_due_date_is_refused(self, signed_in, world):
        meeting = schedule(world)
        chair = meeting.attendees.get(user=world.users["sw_a"])
        client = signed_in(world.users["sw_a"])
        response = client.post(
            url("action_add", meeting.pk),
            {
                "description": "Something",
                "owner": chair.pk,
                **day("due_on", timezone.localdate() - timedelta(days=1)),
            },
        )
        assert "The due date must be today or later" in body(response)

    def test_a_completed_action_cannot_be_completed_again(self, signed_in, world):
        meeting = schedule(world)
        action = services.action_add(
            actor=world.users["sw_a"],
            meeting=meeting,
            description="Call the school",
            due_on=timezone.localdate(),
            owner_user=world.users["hm_a1"],
        )
        services.action_complete(
            actor=world.users["sw_a"], action=action, expected_version=action.version
        )
        client = signed_in(world.users["hm_a1"])
        response = client.post(url("action_complete", action.pk), {"note": "Done", "version": 1})
        assert "This action is already closed" in body(response)

    def test_someone_else_cannot_complete_an_action(self, signed_in, world):
        meeting = schedule(world)
        action = services.action_add(
            actor=world.users["sw_a"],
            meeting=meeting,
            description="Call the school",
            due_on=timezone.localdate(),
            owner_user=world.users["hm_a1"],
        )
        client = signed_in(world.users["police_1"])
        assert client.get(url("action_complete", action.pk)).status_code == 404

    def test_overdue_actions_are_flagged(self, signed_in, world):
        meeting = schedule(world)
        action = services.action_add(
            actor=world.users["sw_a"],
            meeting=meeting,
            description="Call the school",
            due_on=timezone.localdate(),
            owner_user=world.users["hm_a1"],
        )
        type(action).objects.filter(pk=action.pk).update(
            due_on=timezone.localdate() - timedelta(days=2)
        )
        html = body(signed_in(world.users["hm_a1"]).get(url("my_actions")))
        assert "Overdue" in html and 'data-testid="overdue-warning"' in html


# Lists and their query counts -----------------------------------------------------------------


def many_meetings(world, count: int):
    for n in range(count):
        meeting = schedule(world, scheduled_at=timezone.now() + timedelta(days=1 + n))
        services.action_add(
            actor=world.users["sw_a"],
            meeting=meeting,
            description=f"Action {n}",
            due_on=timezone.localdate() + timedelta(days=3),
            owner_user=world.users["police_1"],
        )


class TestLists:
    @pytest.mark.parametrize("count", [1, 8])
    def test_the_meetings_list_query_count_does_not_grow(
        self, signed_in, world, django_assert_num_queries, count
    ):
        many_meetings(world, count)
        client = signed_in(world.users["sw_a"])
        # 1 session, 2 user, 3 two-factor device, 4 count the meetings (pagination), 5 the
        # page of meetings with child, chair and their counts (one query), 6 the user's
        # organisation (user bar), 7 unread alerts (header), 8-10 savepoint, session update,
        # release (the session is saved on every request).
        with django_assert_num_queries(10):
            response = client.get(url("list"))
        assert body(response).count('data-testid="meeting-row"') == count

    def test_past_meetings_are_listed_apart(self, signed_in, world):
        upcoming = schedule(world)
        cancelled = schedule(world)
        services.meeting_cancel(
            actor=world.users["sw_a"],
            meeting=cancelled,
            expected_version=cancelled.version,
            reason="No longer needed",
        )
        client = signed_in(world.users["sw_a"])
        assert body(client.get(url("list"))).count('data-testid="meeting-row"') == 1
        past = body(client.get(url("list", when="past")))
        assert past.count('data-testid="meeting-row"') == 1
        assert url("detail", cancelled.pk) in past and url("detail", upcoming.pk) not in past

    @pytest.mark.parametrize("count", [1, 8])
    def test_my_actions_query_count_does_not_grow(
        self, signed_in, world, django_assert_num_queries, count
    ):
        many_meetings(world, count)
        client = signed_in(world.users["police_1"])
        # 1 session, 2 user, 3 device, 4 the open actions with meeting and child (one query),
        # 5 the user's organisation, 6 unread alerts, 7-9 session save.
        with django_assert_num_queries(9):
            response = client.get(url("my_actions"))
        assert body(response).count('data-testid="my-action-row"') == count

    @pytest.mark.parametrize("user", ["ri", "admin"])
    def test_interviewers_and_administrators_have_no_meetings(self, signed_in, world, user):
        client = signed_in(world.users[user])
        assert client.get(url("list")).status_code == 404
        assert client.get(url("my_actions")).status_code == 404

    def test_a_childs_meetings(self, signed_in, world):
        meeting = schedule(world)
        html = body(signed_in(world.users["sw_a"]).get(url("child", world.children["a1"].pk)))
        assert url("detail", meeting.pk) in html
        assert url("schedule", world.children["a1"].pk) in html

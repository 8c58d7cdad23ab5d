"""Strategy meetings, invitations, actions, CSE risk assessments and Regulation 40, through
the services."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from apps.alerts import services as alerts
from apps.alerts.models import RuleType
from apps.core.errors import ApplicationError, StaleVersionError
from apps.strategy_meetings import services
from apps.strategy_meetings.models import ActionStatus, MeetingAttendee, MeetingStatus
from tests.strategy_meetings.conftest import begun


def schedule(world, **overrides):
    fields = {
        "actor": world.users["sw_a"],
        "child": world.children["a1"],
        "scheduled_at": timezone.now() + timedelta(days=2),
        "reason": "Three episodes in a month",
        "location": "Room 4, County Hall",
        "invite_users": [world.users["police_1"], world.users["hm_a1"]],
    }
    fields.update(overrides)
    return services.meeting_schedule(**fields)


def parse(ics: bytes):
    calendar = Calendar.from_ical(ics)
    (event,) = calendar.walk("VEVENT")
    attendees = event.get("attendee")
    attendees = attendees if isinstance(attendees, list) else [attendees]
    return calendar, event, {str(a).removeprefix("mailto:") for a in attendees}


class TestInvitations:
    def test_scheduling_invites_the_chair_and_the_named_users(self, world):
        meeting = schedule(world)
        emails = set(meeting.attendees.values_list("email", flat=True))
        assert emails == {
            world.users["sw_a"].email,
            world.users["police_1"].email,
            world.users["hm_a1"].email,
        }

    def test_each_attendee_is_emailed_an_invitation_that_parses(self, world):
        meeting = schedule(world)
        assert services.invitations_send(meeting_id=meeting.pk) == 3
        assert len(mail.outbox) == 3
        message = mail.outbox[0]
        assert message.subject.startswith("Invitation: strategy meeting")
        assert "ChildA1" not in message.subject + message.body  # initials and ID only
        (name, content, mimetype) = message.attachments[0]
        assert name == "invite.ics" and "method=REQUEST" in mimetype
        calendar, event, attendees = parse(content)
        assert str(calendar["method"]) == "REQUEST"
        assert str(event["uid"]) == meeting.uid
        assert int(event["sequence"]) == 0
        assert attendees == set(meeting.attendees.values_list("email", flat=True))
        assert event.decoded("dtstart") == meeting.scheduled_at.replace(microsecond=0)

    def test_sending_twice_sends_nothing_more(self, world):
        meeting = schedule(world)
        services.invitations_send(meeting_id=meeting.pk)
        assert services.invitations_send(meeting_id=meeting.pk) == 0
        assert len(mail.outbox) == 3

    def test_moving_sends_an_update_with_the_same_uid_and_a_higher_sequence(self, world):
        meeting = schedule(world)
        services.invitations_send(meeting_id=meeting.pk)
        mail.outbox.clear()
        later = timezone.now() + timedelta(days=5)
        meeting = services.meeting_move(
            actor=world.users["sw_a"],
            meeting=meeting,
            expected_version=meeting.version,
            scheduled_at=later,
            video_link="https://meet.example/abc",
        )
        assert meeting.status == MeetingStatus.RESCHEDULED
        assert services.invitations_send(meeting_id=meeting.pk) == 3
        calendar, event, _ = parse(mail.outbox[0].attachments[0][1])
        assert str(calendar["method"]) == "REQUEST"
        assert str(event["uid"]) == meeting.uid
        assert int(event["sequence"]) == 1
        assert event.decoded("dtstart") == later.replace(microsecond=0)
        assert mail.outbox[0].subject.startswith("Moved:")

    def test_someone_invited_after_a_move_gets_an_invitation_not_a_move(self, world):
        meeting = schedule(world)
        services.invitations_send(meeting_id=meeting.pk)
        meeting = services.meeting_move(
            actor=world.users["sw_a"],
            meeting=meeting,
            expected_version=meeting.version,
            scheduled_at=timezone.now() + timedelta(days=5),
            location="Room 4, County Hall",
        )
        services.attendee_add(
            actor=world.users["sw_a"],
            meeting=meeting,
            name="Helen Price",
            agency="Northby Academy",
            email="helen.price@school.example",
        )
        mail.outbox.clear()
        assert services.invitations_send(meeting_id=meeting.pk) == 4
        subjects = {m.to[0]: m.subject for m in mail.outbox}
        assert subjects["helen.price@school.example"].startswith("Invitation:")
        assert "has moved" not in next(
            m.body for m in mail.outbox if m.to == ["helen.price@school.example"]
        )
        others = [subject for to, subject in subjects.items() if to != "helen.price@school.example"]
        assert len(others) == 3 and all(subject.startswith("Moved:") for subject in others)

    def test_cancelling_sends_a_cancel_with_a_higher_sequence(self, world):
        meeting = schedule(world)
        services.invitations_send(meeting_id=meeting.pk)
        mail.outbox.clear()
        meeting = services.meeting_cancel(
            actor=world.users["sw_a"],
            meeting=meeting,
            expected_version=meeting.version,
            reason="The child has moved placement",
        )
        services.invitations_send(meeting_id=meeting.pk)
        assert len(mail.outbox) == 3
        calendar, event, _attendees = parse(mail.outbox[0].attachments[0][1])
        assert str(calendar["method"]) == "CANCEL"
        assert str(event["status"]) == "CANCELLED"
        assert int(event["sequence"]) == 1
        assert str(event["uid"]) == meeting.uid

    def test_an_external_attendee_gets_the_current_invitation(self, world):
        meeting = schedule(world, invite_users=[])
        services.invitations_send(meeting_id=meeting.pk)
        services.attendee_add(
            actor=world.users["sw_a"],
            meeting=meeting,
            name="Dr Priya Shah",
            agency="Northshire NHS Trust",
            email="priya.shah@nhs.example",
        )
        mail.outbox.clear()
        assert services.invitations_send(meeting_id=meeting.pk) == 1
        assert mail.outbox[0].to == ["priya.shah@nhs.example"]

    def test_a_removed_attendee_is_sent_a_cancellation_of_their_copy(self, world):
        meeting = schedule(world)
        attendee = MeetingAttendee.objects.get(meeting=meeting, user=world.users["police_1"])
        services.attendee_remove(actor=world.users["sw_a"], attendee=attendee)
        services.cancellation_send(
            meeting_id=meeting.pk, person={"name": attendee.name, "email": attendee.email}
        )
        calendar, _event, attendees = parse(mail.outbox[-1].attachments[0][1])
        assert str(calendar["method"]) == "CANCEL"
        assert attendees == {world.users["police_1"].email}

    def test_the_same_person_cannot_be_invited_twice(self, world):
        meeting = schedule(world)
        with pytest.raises(ApplicationError) as error:
            services.attendee_add(
                actor=world.users["sw_a"], meeting=meeting, user=world.users["police_1"]
            )
        assert "already invited" in error.value.message

    def test_a_return_interviewer_is_invited_as_an_external_person(self, world):
        with pytest.raises(ApplicationError) as error:
            schedule(world, invite_users=[world.users["ri"]])
        assert "external" in error.value.message

    def test_a_meeting_needs_a_place_or_a_link_and_a_future_time(self, world):
        with pytest.raises(ApplicationError) as error:
            schedule(world, location="")
        assert error.value.fields == {"location": ["Enter a place or a video link"]}
        with pytest.raises(ApplicationError) as error:
            schedule(world, scheduled_at=timezone.now() - timedelta(days=1))
        assert "future" in error.value.message


class TestRecordingAndActions:
    def test_a_meeting_is_never_recorded_as_held_before_its_start(self, world):
        meeting = schedule(world)  # in two days
        with pytest.raises(ApplicationError) as error:
            services.meeting_record(
                actor=world.users["sw_a"],
                meeting=meeting,
                expected_version=meeting.version,
                held_at=timezone.now(),
                minutes="Agreed a safety plan.",
                decisions=["safety_plan"],
            )
        assert "it cannot have been held before then" in error.value.fields["held_at"][0]
        meeting.refresh_from_db()
        assert meeting.status == MeetingStatus.SCHEDULED
        # Brought forward and held an hour ago: moved to then first, it can be recorded, at
        # the booked time as the form offers it (to the minute).
        held = (timezone.now() - timedelta(hours=1)).replace(second=30)
        meeting = services.meeting_move(
            actor=world.users["sw_a"],
            meeting=meeting,
            expected_version=meeting.version,
            scheduled_at=held,
            location="Room 4, County Hall",
        )
        meeting = services.meeting_record(
            actor=world.users["sw_a"],
            meeting=meeting,
            expected_version=meeting.version,
            held_at=held.replace(second=0),
            minutes="Agreed a safety plan.",
            decisions=["safety_plan"],
        )
        assert meeting.status == MeetingStatus.HELD

    def test_recording_minutes_decisions_and_attendance(self, world):
        meeting = begun(schedule(world))
        police = meeting.attendees.get(user=world.users["police_1"])
        meeting = services.meeting_record(
            actor=world.users["sw_a"],
            meeting=meeting,
            expected_version=meeting.version,
            held_at=timezone.now(),
            minutes="Agreed a safety plan.",
            restricted_minutes="Intelligence about an adult.",
            decisions=["safety_plan", "exploitation_panel"],
            next_review_on=timezone.localdate() + timedelta(days=28),
            attendance={police.pk: "attended"},
        )
        assert meeting.status == MeetingStatus.HELD
        police.refresh_from_db()
        assert police.attendance == "attended"

    def test_no_further_action_stands_alone(self, world):
        meeting = begun(schedule(world))
        with pytest.raises(ApplicationError) as error:
            services.meeting_record(
                actor=world.users["sw_a"],
                meeting=meeting,
                expected_version=meeting.version,
                held_at=timezone.now(),
                minutes="Discussed.",
                decisions=["no_further_action", "safety_plan"],
            )
        assert "decisions" in error.value.fields

    def test_a_stale_record_is_refused(self, world):
        meeting = begun(schedule(world))
        with pytest.raises(StaleVersionError):
            services.meeting_record(
                actor=world.users["sw_a"],
                meeting=meeting,
                expected_version=meeting.version - 1,
                held_at=timezone.now(),
                minutes="x",
                decisions=["safety_plan"],
            )

    def test_actions_for_a_user_and_an_external_attendee_and_completion(self, world):
        meeting = schedule(world)
        external = services.attendee_add(
            actor=world.users["sw_a"],
            meeting=meeting,
            name="Ms Jo Reid",
            agency="Northshire Academy",
            email="jo.reid@school.example",
        )
        mine = services.action_add(
            actor=world.users["sw_a"],
            meeting=meeting,
            description="Refer to the exploitation panel",
            due_on=timezone.localdate() + timedelta(days=7),
            owner_user=world.users["police_1"],
        )
        theirs = services.action_add(
            actor=world.users["sw_a"],
            meeting=meeting,
            description="Check attendance daily",
            due_on=timezone.localdate() + timedelta(days=7),
            owner_attendee=external,
        )
        assert theirs.owner_name == "Ms Jo Reid"
        done = services.action_complete(
            actor=world.users["police_1"], action=mine, expected_version=mine.version
        )
        assert done.status == ActionStatus.DONE
        assert done.completed_by == world.users["police_1"]
        with pytest.raises(ApplicationError):
            services.action_complete(
                actor=world.users["police_1"], action=done, expected_version=done.version
            )


class TestOverdueActions:
    def test_an_overdue_action_alerts_its_owner_and_the_chair_once(self, world):
        import time_machine

        from apps.alerts.models import AlertDelivery, Channel

        alerts.rules_seed_defaults(authority=world.orgs["A"])
        meeting = schedule(world)
        action = services.action_add(
            actor=world.users["sw_a"],
            meeting=meeting,
            description="Share the safety plan with the school",
            due_on=timezone.localdate() + timedelta(days=3),
            owner_user=world.users["hm_a1"],
        )
        assert alerts.time_rules_evaluate() == []
        with time_machine.travel(timezone.now() + timedelta(days=4, hours=1)):
            (alert,) = alerts.time_rules_evaluate()
            assert alerts.time_rules_evaluate() == []
        assert alert.rule.rule_type == RuleType.ACTION_OVERDUE
        assert alert.child == world.children["a1"]
        assert "Share the safety plan" in alert.summary
        told = set(
            AlertDelivery.objects.filter(alert=alert, channel=Channel.IN_APP).values_list(
                "user_id", flat=True
            )
        )
        assert told == {world.users["hm_a1"].pk, world.users["sw_a"].pk}
        assert action.pk and alert.key == f"action:{action.pk}"

    def test_a_completed_action_raises_nothing(self, world):
        import time_machine

        alerts.rules_seed_defaults(authority=world.orgs["A"])
        meeting = schedule(world)
        action = services.action_add(
            actor=world.users["sw_a"],
            meeting=meeting,
            description="Visit the child",
            due_on=timezone.localdate() + timedelta(days=1),
            owner_user=world.users["sw_a"],
        )
        services.action_complete(
            actor=world.users["sw_a"], action=action, expected_version=action.version
        )
        with time_machine.travel(timezone.now() + timedelta(days=3)):
            assert alerts.time_rules_evaluate() == []

"""Writes about strategy meetings, their attendees and actions.

Every function takes the acting user and assumes the caller checked access
(apps.strategy_meetings.access). Calendar invitations converge: each attendee row records the
invitation revision (`sent_sequence`) last emailed to them, a task sends whatever is behind
after commit, and beat sweeps up anything the broker dropped.
"""

import logging
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from apps.alerts.services import notice_action_assigned
from apps.core.clock import display_time
from apps.core.errors import ApplicationError
from apps.core.services import enqueue_on_commit, save_versioned, validate_instance
from apps.strategy_meetings.models import (
    ActionStatus,
    Attendance,
    Decision,
    MeetingAction,
    MeetingAttendee,
    MeetingStatus,
    StrategyMeeting,
)

logger = logging.getLogger(__name__)


def _error(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, fields={field: [message]})


MOVE_BACK_DAYS = 7


def _not_past(value: datetime, field: str) -> None:
    if value < timezone.now() - timedelta(minutes=5):
        raise _error(field, "The meeting must be in the future")


def _check_where(location: str, video_link: str) -> None:
    if not (location or "").strip() and not (video_link or "").strip():
        raise _error("location", "Enter a place or a video link")


def _enqueue_invitations(meeting_id: int) -> None:
    enqueue_on_commit("apps.strategy_meetings.tasks.send_invitations", meeting_id)


def _invite(meeting: StrategyMeeting, *, user=None, name="", agency="", email="") -> None:
    if user is not None:
        from apps.accounts.models import Role

        if user.role in (Role.RETURN_INTERVIEWER, Role.ADMINISTRATOR) or not user.is_active:
            # They cannot see meetings in Homeward; invite them by email as an external person.
            raise _error("user", f"Invite {user.full_name} as an external attendee instead")
        name = name or user.full_name
        agency = agency or (user.organisation.name if user.organisation_id else "")
        email = user.email
    name, agency, email = (name or "").strip(), (agency or "").strip(), (email or "").strip()
    errors = {}
    if not name:
        errors["name"] = ["Enter the attendee's name"]
    if not agency:
        errors["agency"] = ["Enter the attendee's agency, for example the school or NHS trust"]
    if not email:
        errors["email"] = ["Enter the attendee's email address"]
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], fields=errors)
    attendee = MeetingAttendee(meeting=meeting, user=user, name=name, agency=agency, email=email)
    validate_instance(attendee, exclude=["meeting"])
    try:
        with transaction.atomic():
            attendee.save()
    except IntegrityError:
        raise _error("email", f"{name} is already invited") from None


@transaction.atomic
def meeting_schedule(
    *,
    actor,
    child,
    scheduled_at: datetime,
    reason: str,
    location: str = "",
    video_link: str = "",
    duration_minutes: int = 60,
    chair=None,
    alerts=(),
    episodes=(),
    invite_users=(),
) -> StrategyMeeting:
    """Schedule a meeting; the chair (the actor unless named) and `invite_users` are invited,
    and everyone gets a calendar invitation after commit."""
    _not_past(scheduled_at, "scheduled_at")
    _check_where(location, video_link)
    if not (reason or "").strip():
        raise _error("reason", "Enter why the meeting is needed")
    chair = chair or actor
    meeting = StrategyMeeting(
        child=child,
        authority_id=child.placing_authority_id,
        reason=reason.strip(),
        scheduled_at=scheduled_at,
        duration_minutes=duration_minutes,
        location=(location or "").strip(),
        video_link=(video_link or "").strip(),
        chair=chair,
        created_by=actor,
    )
    validate_instance(meeting, exclude=["uid"])
    meeting._history_user = actor
    meeting.save()
    meeting.alerts.add(*[a for a in alerts if a.child_id == child.pk])
    meeting.episodes.add(*[e for e in episodes if e.child_id == child.pk])
    seen = set()
    for user in [chair, *invite_users]:
        if user.pk not in seen:
            seen.add(user.pk)
            _invite(meeting, user=user)
    _enqueue_invitations(meeting.pk)
    return meeting


@transaction.atomic
def attendee_add(
    *, actor, meeting: StrategyMeeting, user=None, name="", agency="", email=""
) -> MeetingAttendee:
    """Invite a Homeward user or an external person; they get the current invitation."""
    if not meeting.is_upcoming:
        raise _error("name", "People can only be invited to a meeting that has not happened")
    _invite(meeting, user=user, name=name, agency=agency, email=email)
    _enqueue_invitations(meeting.pk)
    return meeting.attendees.order_by("-pk").first()


@transaction.atomic
def attendee_remove(*, actor, attendee: MeetingAttendee) -> None:
    """Uninvite someone: they are sent a cancellation for their copy of the invitation."""
    meeting = attendee.meeting
    if attendee.user_id and attendee.user_id == meeting.chair_id:
        raise _error("attendee", "The chair cannot be removed; change the chair first")
    if attendee.actions.exists():
        raise _error("attendee", f"{attendee.name} owns actions from this meeting")
    details = {"name": attendee.name, "email": attendee.email}
    attendee.delete()
    if meeting.is_upcoming:
        enqueue_on_commit("apps.strategy_meetings.tasks.send_cancellation", meeting.pk, details)


@transaction.atomic
def meeting_move(
    *,
    actor,
    meeting: StrategyMeeting,
    expected_version: int,
    scheduled_at: datetime,
    location: str = "",
    video_link: str = "",
    duration_minutes: int | None = None,
) -> StrategyMeeting:
    """Move a meeting: every attendee gets an update with the same UID and a higher SEQUENCE."""
    if not meeting.is_upcoming:
        raise _error("scheduled_at", "Only a meeting that has not happened can be moved")
    # A meeting brought forward and held already is moved to when it was held (then
    # recorded): up to MOVE_BACK_DAYS ago.
    if scheduled_at < timezone.now() - timedelta(days=MOVE_BACK_DAYS):
        raise _error("scheduled_at", f"A meeting can be moved to at most {MOVE_BACK_DAYS} days ago")
    _check_where(location, video_link)
    meeting.scheduled_at = scheduled_at
    meeting.location = (location or "").strip()
    meeting.video_link = (video_link or "").strip()
    if duration_minutes:
        meeting.duration_minutes = duration_minutes
    meeting.status = MeetingStatus.RESCHEDULED
    meeting.sequence += 1
    validate_instance(meeting)
    save_versioned(
        meeting,
        actor=actor,
        expected_version=expected_version,
        fields=["scheduled_at", "location", "video_link", "duration_minutes", "status", "sequence"],
    )
    _enqueue_invitations(meeting.pk)
    return meeting


@transaction.atomic
def meeting_cancel(
    *, actor, meeting: StrategyMeeting, expected_version: int, reason: str
) -> StrategyMeeting:
    if not meeting.is_upcoming:
        raise _error("reason", "Only a meeting that has not happened can be cancelled")
    if not (reason or "").strip():
        raise _error("reason", "Enter why the meeting is cancelled")
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancelled_reason = reason.strip()
    meeting.sequence += 1
    save_versioned(
        meeting,
        actor=actor,
        expected_version=expected_version,
        fields=["status", "cancelled_reason", "sequence"],
    )
    _enqueue_invitations(meeting.pk)
    return meeting


@transaction.atomic
def meeting_record(
    *,
    actor,
    meeting: StrategyMeeting,
    expected_version: int,
    held_at: datetime,
    minutes: str,
    restricted_minutes: str = "",
    decisions: list[str] = (),
    decision_notes: str = "",
    next_review_on: date | None = None,
    attendance: dict[int, str] | None = None,
) -> StrategyMeeting:
    """Record that the meeting was held: minutes, decisions, attendance, next review."""
    if meeting.status == MeetingStatus.CANCELLED:
        raise _error("held_at", "This meeting was cancelled")
    if held_at > timezone.now() + timedelta(minutes=1):
        raise _error("held_at", "The time held must be now or in the past")
    # To the minute: the form shows times to the minute, and offers the booked time.
    if held_at < meeting.scheduled_at.replace(second=0, microsecond=0):
        raise _error(
            "held_at",
            f"The meeting was booked for {display_time(meeting.scheduled_at)}: it cannot have "
            "been held before then. If it was held earlier, first move it to when it was held",
        )
    if not (minutes or "").strip():
        raise _error("minutes", "Enter the minutes")
    decisions = list(dict.fromkeys(decisions or []))
    if not decisions:
        raise _error("decisions", "Choose at least one decision")
    if set(decisions) - set(Decision.values):
        raise _error("decisions", "Choose decisions from the list")
    if Decision.NO_FURTHER_ACTION in decisions and len(decisions) > 1:
        raise _error("decisions", "No further action cannot be chosen with other decisions")
    if next_review_on is not None and next_review_on < timezone.localdate(held_at):
        raise _error("next_review_on", "The next review must be after the meeting")
    meeting.status = MeetingStatus.HELD
    meeting.held_at = held_at
    meeting.minutes = minutes.strip()
    meeting.restricted_minutes = (restricted_minutes or "").strip()
    meeting.decisions = decisions
    meeting.decision_notes = (decision_notes or "").strip()
    meeting.next_review_on = next_review_on
    validate_instance(meeting)
    save_versioned(
        meeting,
        actor=actor,
        expected_version=expected_version,
        fields=[
            "status",
            "held_at",
            "minutes",
            "restricted_minutes",
            "decisions",
            "decision_notes",
            "next_review_on",
        ],
    )
    for attendee in meeting.attendees.all():
        value = (attendance or {}).get(attendee.pk)
        if value is not None and value in Attendance.values and value != attendee.attendance:
            attendee.attendance = value
            attendee._history_user = actor
            attendee.save(update_fields=["attendance"])
    return meeting


# Actions ----------------------------------------------------------------------------------


@transaction.atomic
def action_add(
    *,
    actor,
    meeting: StrategyMeeting,
    description: str,
    due_on: date,
    owner_user=None,
    owner_attendee: MeetingAttendee | None = None,
) -> MeetingAction:
    if not (description or "").strip():
        raise _error("description", "Enter what needs to be done")
    if (owner_user is None) == (owner_attendee is None):
        raise _error("owner", "Choose who owns the action")
    if owner_attendee is not None:
        if owner_attendee.meeting_id != meeting.pk:
            raise _error("owner", "Choose someone invited to this meeting")
        if owner_attendee.user_id:
            owner_user, owner_attendee = owner_attendee.user, None
    if due_on < timezone.localdate():
        raise _error("due_on", "The due date must be today or later")
    action = MeetingAction(
        meeting=meeting,
        description=description.strip(),
        owner_user=owner_user,
        owner_attendee=owner_attendee,
        due_on=due_on,
    )
    validate_instance(action)
    action._history_user = actor
    action.save()
    notice_action_assigned(
        action=action,
        path=reverse("strategy_meetings:detail", args=[meeting.pk]),
        actor=actor,
    )
    return action


@transaction.atomic
def action_complete(
    *, actor, action: MeetingAction, expected_version: int, note: str = ""
) -> MeetingAction:
    if action.status != ActionStatus.OPEN:
        raise _error("note", "This action is already closed")
    action.status = ActionStatus.DONE
    action.completed_at = timezone.now()
    action.completed_by = actor
    action.completion_note = (note or "").strip()
    save_versioned(
        action,
        actor=actor,
        expected_version=expected_version,
        fields=["status", "completed_at", "completed_by", "completion_note"],
    )
    return action


# Calendar invitations ---------------------------------------------------------------------


def invitation_ics(meeting: StrategyMeeting, *, cancel: bool = False, only=None) -> bytes:
    """The iCalendar (RFC 5546) message for the meeting as it is now: METHOD REQUEST with
    its UID and SEQUENCE, or CANCEL. The summary names the child by initials and ID only."""
    from icalendar import Calendar, Event, vCalAddress, vText

    child = meeting.child
    cal = Calendar()
    cal.add("prodid", "-//Homeward//Strategy meetings//EN")
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if cancel else "REQUEST")
    event = Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", meeting.scheduled_at)
    event.add("dtend", meeting.scheduled_at + timedelta(minutes=meeting.duration_minutes))
    initials = f"{child.first_name[:1]}{child.last_name[:1]}".upper()
    event.add("summary", f"Strategy meeting ({initials}, {child.child_id})")
    where = meeting.location or meeting.video_link
    event.add("location", where)
    from django.urls import reverse

    link = settings.SITE_URL + reverse("strategy_meetings:detail", args=[meeting.pk])
    event.add("description", f"Details in Homeward (sign-in needed): {link}")
    if meeting.video_link:
        event.add("url", meeting.video_link)
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{meeting.chair.email}")
    organizer.params["cn"] = vText(meeting.chair.full_name)
    event["organizer"] = organizer
    people = only if only is not None else list(meeting.attendees.all())
    for person in people:
        address = vCalAddress(
            f"mailto:{person['email'] if isinstance(person, dict) else person.email}"
        )
        address.params["cn"] = vText(person["name"] if isinstance(person, dict) else person.name)
        address.params["role"] = vText("REQ-PARTICIPANT")
        address.params["partstat"] = vText("NEEDS-ACTION")
        address.params["rsvp"] = vText("TRUE")
        event.add("attendee", address, encode=0)
    cal.add_component(event)
    return cal.to_ical()


def _invitation_email(meeting, *, to: str, name: str, cancel: bool, moved=False, only=None):
    """The calendar email: an invitation, a move (to someone sent an earlier revision) or a
    cancellation."""
    from django.core.mail import EmailMultiAlternatives
    from django.template.loader import render_to_string
    from django.urls import reverse

    child = meeting.child
    context = {
        "meeting": meeting,
        "name": name,
        "cancel": cancel,
        "moved": moved and not cancel,
        "initials": f"{child.first_name[:1]}{child.last_name[:1]}".upper(),
        "child_ref": child.child_id,
        "url": settings.SITE_URL + reverse("strategy_meetings:detail", args=[meeting.pk]),
    }
    if cancel:
        subject = "Cancelled: strategy meeting"
    elif context["moved"]:
        subject = "Moved: strategy meeting"
    else:
        subject = "Invitation: strategy meeting"
    subject += f" ({context['initials']}, {child.child_id})"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("strategy_meetings/email/invitation.txt", context),
        to=[to],
    )
    method = "CANCEL" if cancel else "REQUEST"
    message.attach(
        "invite.ics",
        invitation_ics(meeting, cancel=cancel, only=only),
        f"text/calendar; method={method}; charset=UTF-8",
    )
    return message


def invitations_send(*, meeting_id: int) -> int:
    """Email every attendee whose copy is behind the meeting's current revision. Each row is
    claimed with a conditional update before sending, so two workers never both send it; a
    failed send puts the claim back for the next sweep. Returns how many were sent."""
    meeting = StrategyMeeting.objects.select_related("child", "chair").filter(pk=meeting_id).first()
    if meeting is None:
        return 0
    cancel = meeting.status == MeetingStatus.CANCELLED
    target = meeting.sequence
    sent = 0
    behind = meeting.attendees.exclude(sent_sequence=target).order_by("pk")
    for attendee in behind:
        previous = attendee.sent_sequence
        if cancel and previous is None:
            # Never invited before the cancellation: nothing to cancel.
            MeetingAttendee.objects.filter(pk=attendee.pk).update(sent_sequence=target)
            continue
        claimed = MeetingAttendee.objects.filter(pk=attendee.pk, sent_sequence=previous).update(
            sent_sequence=target
        )
        if not claimed:
            continue
        try:
            _invitation_email(
                meeting,
                to=attendee.email,
                name=attendee.name,
                cancel=cancel,
                moved=previous is not None,  # someone invited after a move gets an invitation
            ).send()
        except Exception:
            MeetingAttendee.objects.filter(pk=attendee.pk, sent_sequence=target).update(
                sent_sequence=previous
            )
            logger.warning("Invitation to attendee %s failed", attendee.pk, exc_info=True)
            continue
        sent += 1
    return sent


def cancellation_send(*, meeting_id: int, person: dict) -> None:
    """A cancellation to someone removed from the meeting's attendees."""
    meeting = StrategyMeeting.objects.select_related("child", "chair").filter(pk=meeting_id).first()
    if meeting is not None:
        _invitation_email(
            meeting, to=person["email"], name=person["name"], cancel=True, only=[person]
        ).send()


def invitations_sweep() -> list[int]:
    """Beat: meetings with an attendee whose invitation is behind (the broker was down)."""
    from django.db.models import Exists, OuterRef

    behind = MeetingAttendee.objects.filter(meeting=OuterRef("pk")).exclude(
        sent_sequence=OuterRef("sequence")
    )
    ids = list(
        StrategyMeeting.objects.filter(
            Exists(behind), scheduled_at__gte=timezone.now() - timedelta(days=1)
        ).values_list("pk", flat=True)[:200]
    )
    for pk in ids:
        _enqueue_invitations(pk)
    return ids

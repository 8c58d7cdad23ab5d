"""Invented demo multi-agency response: strategy meetings past and upcoming with their actions
(open, done and overdue), and the Regulation 40 prompts the demo episodes opened (the CSE risk
assessments are apps.children.demo.seed_assessments).

The demo social worker holds the meetings, about children on their caseload who live in a
home: the story child (NS0001, high CSE risk) had a meeting three weeks ago, with a safety plan,
a police disruption action (done), a home action (overdue) and a school action (open, an
external person from the school), and has a review meeting the day after tomorrow with the
demo police officer and home manager invited. A second child has a meeting next week, a third
one that was cancelled.

Every write goes through the services with a demo user as the actor. Demo only: a past meeting
is scheduled in the future and then dated back, an overdue action's due date is moved back, and
each invitation is marked as sent when the meeting was scheduled (no email is sent by seeding,
like apps.alerts.demo).

Idempotent: when any of the social worker's children already has a meeting, no meeting is
added.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.children.demo import HOME_MANAGER, POLICE_LIAISON, SOCIAL_WORKER
from apps.children.models import Child
from apps.core.clock import LONDON
from apps.episodes.demo import STORY_CHILD
from apps.strategy_meetings import services
from apps.strategy_meetings.models import MeetingAction, MeetingAttendee, StrategyMeeting
from apps.strategy_meetings.selectors import invitable_users

SCHOOL = (
    "Mrs Helen Price",
    "Northby Academy (designated safeguarding lead)",
    "h.price@school.example",
)
HEALTH = ("Dr Amir Khan", "Northshire Children's Health", "amir.khan@nhs.example")


def _at(days: int, hour: int):
    """`days` from today (negative: ago) at `hour`:00 UK time."""
    day = timezone.localdate() + timedelta(days=days)
    return (
        timezone.now()
        .astimezone(LONDON)
        .replace(
            year=day.year,
            month=day.month,
            day=day.day,
            hour=hour,
            minute=0,
            second=0,
            microsecond=0,
        )
    )


def _caseload(social_worker) -> list[Child]:
    """The social worker's children who live in a home, the story child first."""
    children = [
        child
        for child in Child.objects.filter(allocated_social_worker=social_worker)
        .select_related("placing_authority")
        .order_by("child_id")
        if child.current_placement is not None
    ]
    children.sort(key=lambda child: child.child_id != STORY_CHILD[1])
    return children


def _invitees(child, emails: set[str]) -> list[User]:
    return [user for user in invitable_users(child) if user.email in emails]


def _sent(meeting) -> None:
    """Demo only: the invitations went out when the meeting was scheduled."""
    meeting.refresh_from_db(fields=["sequence"])
    MeetingAttendee.objects.filter(meeting=meeting).update(sent_sequence=meeting.sequence)


def _schedule(actor, child, *, days: int, hour: int, reason: str, invite, **extra):
    scheduled_at = _at(max(days, 1), hour)
    meeting = services.meeting_schedule(
        actor=actor,
        child=child,
        scheduled_at=scheduled_at,
        reason=reason,
        invite_users=invite,
        **extra,
    )
    if days < 1:  # demo only: date a past meeting back
        StrategyMeeting.objects.filter(pk=meeting.pk).update(scheduled_at=_at(days, hour))
        meeting.refresh_from_db()
    return meeting


def _meetings(social_worker, children) -> int:
    story = children[0]
    invite = _invitees(story, {POLICE_LIAISON, HOME_MANAGER})
    alert = story.alerts.order_by("-raised_at").first()
    past = _schedule(
        social_worker,
        story,
        days=-21,
        hour=10,
        reason="Repeat missing episodes, two of them overnight, and sightings with older males "
        "in a grey hatchback.",
        invite=invite,
        location="Room 4, Northshire County Hall",
        video_link="https://meet.example/northshire-strategy",
        alerts=[alert] if alert else [],
        episodes=list(alert.episodes.all()) if alert else [],
    )
    school = services.attendee_add(
        actor=social_worker, meeting=past, name=SCHOOL[0], agency=SCHOOL[1], email=SCHOOL[2]
    )
    services.attendee_add(
        actor=social_worker, meeting=past, name=HEALTH[0], agency=HEALTH[1], email=HEALTH[2]
    )
    attendance = {attendee.pk: "attended" for attendee in past.attendees.all()}
    attendance[past.attendees.get(email=HEALTH[2]).pk] = "apologies"
    past = services.meeting_record(
        actor=social_worker,
        meeting=past,
        expected_version=past.version,
        held_at=_at(-21, 11),
        minutes="Police shared that the car has been seen near two other homes. The home "
        "reported the child returns with new clothes and a second phone. School attendance has "
        "fallen to 60%.",
        restricted_minutes="Health: the child attended the sexual health clinic last month.",
        decisions=["safety_plan", "disruption", "exploitation_panel"],
        decision_notes="Referral to the MACE panel this month.",
        next_review_on=timezone.localdate() + timedelta(days=2),
        attendance=attendance,
    )
    police = next((u for u in invite if u.email == POLICE_LIAISON), None)
    manager = next((u for u in invite if u.email == HOME_MANAGER), None)
    if police is not None:
        done = services.action_add(
            actor=social_worker,
            meeting=past,
            description="Disruption visit to the address linked to the grey hatchback",
            due_on=timezone.localdate(),
            owner_user=police,
        )
        services.action_complete(
            actor=police,
            action=done,
            expected_version=done.version,
            note="Visited with the housing officer; warning notice served.",
        )
    if manager is not None:
        overdue = services.action_add(
            actor=social_worker,
            meeting=past,
            description="Update the Philomena profile with the new phone and the hatchback",
            due_on=timezone.localdate(),
            owner_user=manager,
        )
        # Demo only: it was due last week.
        MeetingAction.objects.filter(pk=overdue.pk).update(
            due_on=timezone.localdate() - timedelta(days=7)
        )
    services.action_add(
        actor=social_worker,
        meeting=past,
        description="Daily check on attendance, and tell the social worker of any absence",
        due_on=timezone.localdate() + timedelta(days=14),
        owner_attendee=school,
    )
    services.action_add(
        actor=social_worker,
        meeting=past,
        description="Referral to the MACE panel",
        due_on=timezone.localdate() + timedelta(days=5),
        owner_user=social_worker,
    )
    meetings = [past]
    meetings.append(
        _schedule(
            social_worker,
            story,
            days=2,
            hour=14,
            reason="Review of the safety plan agreed three weeks ago.",
            invite=invite,
            video_link="https://meet.example/northshire-review",
        )
    )
    for child, days, reason in [
        (children[1] if len(children) > 1 else None, 7, "Away overnight twice this month."),
        (children[2] if len(children) > 2 else None, 4, "Found in another town after school."),
    ]:
        if child is None:
            continue
        meeting = _schedule(
            social_worker,
            child,
            days=days,
            hour=11,
            reason=reason,
            invite=_invitees(child, {POLICE_LIAISON, HOME_MANAGER}),
            location="Northshire County Hall",
        )
        meetings.append(meeting)
        if days == 4:
            services.meeting_cancel(
                actor=social_worker,
                meeting=meeting,
                expected_version=meeting.version,
                reason="The child moved placement; a new meeting will be held with the new home.",
            )
    for meeting in meetings:
        _sent(meeting)
    return len(meetings)


@transaction.atomic
def seed() -> int:
    """Add the demo meetings unless there are some; return how many meetings were made. Needs
    the children, episodes and alerts demos first (and the assessments,
    apps.children.demo.seed_assessments)."""
    social_worker = User.objects.filter(email=SOCIAL_WORKER).first()
    if social_worker is None:
        return 0
    children = _caseload(social_worker)
    if not children:
        return 0
    if StrategyMeeting.objects.filter(child__in=children).exists():
        return 0
    return _meetings(social_worker, children)

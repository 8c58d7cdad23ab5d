"""Who may see and do what with strategy meetings and their actions (CSE risk assessments:
apps.children.access; Regulation 40 decisions: apps.episodes.access).

Meetings:
- social worker, service manager: meetings about children they can see, and any they are
  invited to; the case holders (allocated social worker, service managers of the placing
  authority) and the chair run them: move, cancel, invite, record, add actions;
- care worker, home manager, police liaison: meetings they are invited to;
- return interviewer, administrator: none (an interviewer can attend as an external person).
Restricted minutes: the chair's authority and invited attendees, never the police.

CSE risk assessments: the case holders see and complete them, with every answer; anyone else
who can see the child sees only the current level (on the child page).

Forbidden answers 404 everywhere. The mechanism: apps/core/scope.py.

This app contributes to apps.children.access.child_scope, for police liaisons, the children
of the meetings they are invited to (StrategyMeetingsConfig.ready).
"""

from datetime import timedelta

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from apps.accounts.models import Role
from apps.alerts.access import get_alert_for_user
from apps.children.access import children_visible_to, is_case_holder
from apps.core.scope import Scope, one_or_404
from apps.strategy_meetings.models import (
    MeetingAction,
    MeetingAttendee,
    StrategyMeeting,
)

CASE_ROLES = (Role.SOCIAL_WORKER, Role.SERVICE_MANAGER)
INVITED_ONLY_ROLES = (Role.CARE_WORKER, Role.HOME_MANAGER, Role.POLICE_LIAISON)


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


# Each part is read through its own index (the meetings about the children they see, the
# meetings they are invited to).


def _about_visible_children(user):
    return StrategyMeeting.objects.filter(
        child_id__in_ids=children_visible_to(user).values("pk")
    ).values("pk")


def _invited(user):
    return MeetingAttendee.objects.filter(user=user).values("meeting_id")


meeting_scope = Scope(
    StrategyMeeting,
    {
        CASE_ROLES: [_about_visible_children, _invited],
        INVITED_ONLY_ROLES: [_invited],
    },
    name="meeting",
)


def meeting_scope_q(user) -> Q:
    """The same rule as one condition, for checks on one meeting."""
    return meeting_scope.condition(user)


def meetings_visible_to(user) -> QuerySet[StrategyMeeting]:
    """Read by primary key from the union of the parts' ids."""
    return meeting_scope.rows(user)


def get_meeting_for_user(user, pk) -> StrategyMeeting:
    return meeting_scope.fetch_or_404(
        user,
        pk,
        queryset=StrategyMeeting.objects.select_related(
            "child", "chair", "authority", "child__placing_authority"
        ),
    )


def get_alert_for_meeting(user, child, alert_pk):
    """The alert a meeting is scheduled from (None when none is named): one the user may see,
    about this child; Http404 otherwise."""
    if alert_pk in (None, ""):
        return None
    alert = get_alert_for_user(user, alert_pk)
    if alert.child_id != child.pk:
        raise Http404("The alert is about another child")
    return alert


# Contributed to apps.children.access.child_scope (StrategyMeetingsConfig.ready) -------------


def children_of_recent_meetings(user):
    """Children a police liaison is invited to a strategy meeting about that is still to come
    or was held in the last 90 days: the officer needs the Philomena profile to take part."""
    return MeetingAttendee.objects.filter(
        user=user,
        meeting__status__in=["scheduled", "rescheduled", "held"],
        meeting__scheduled_at__gte=timezone.now() - timedelta(days=90),
    ).values("meeting__child_id")


def can_schedule_meeting(user, child) -> bool:
    return is_case_holder(user, child)


def can_run_meeting(user, meeting: StrategyMeeting) -> bool:
    """Move, cancel, invite, record minutes and decisions, add actions."""
    return meeting.chair_id == user.pk or is_case_holder(user, meeting.child)


def can_read_restricted_minutes(user, meeting: StrategyMeeting) -> bool:
    if user.role == Role.POLICE_LIAISON:
        return False
    if user.organisation_id and user.organisation_id == meeting.authority_id:
        return True
    return meeting.attendees.filter(user=user).exists()


def can_complete_action(user, action: MeetingAction) -> bool:
    return action.owner_user_id == user.pk or can_run_meeting(user, action.meeting)


def meeting_permissions(user, meeting: StrategyMeeting) -> dict[str, bool]:
    """Flags for templates to hide buttons; views still enforce each one."""
    run = can_run_meeting(user, meeting)
    return {
        "can_run": run and meeting.is_upcoming,
        "can_record": run and meeting.status != "cancelled",
        "can_add_actions": run,
        "can_read_restricted": can_read_restricted_minutes(user, meeting),
    }


def get_attendee_for_meeting(meeting: StrategyMeeting, pk) -> MeetingAttendee:
    return one_or_404(meeting.attendees.all(), pk, "attendee")


def actions_visible_to(user) -> QuerySet[MeetingAction]:
    return MeetingAction.objects.filter(meeting__in=meetings_visible_to(user).values("pk"))


def get_action_for_user(user, pk) -> MeetingAction:
    return one_or_404(
        actions_visible_to(user).select_related(
            "meeting", "meeting__child", "owner_user", "owner_attendee"
        ),
        pk,
        "action",
    )


def can_list_my_actions(user) -> bool:
    return _active(user) and user.role not in (Role.RETURN_INTERVIEWER, Role.ADMINISTRATOR)

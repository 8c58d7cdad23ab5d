"""Reads about meetings and actions that take a user."""

from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from apps.alerts.models import EscalationRule, RecipientRole
from apps.alerts.services import CATCH_UP, Due
from apps.strategy_meetings.access import (
    actions_visible_to,
    meetings_visible_to,
)
from apps.strategy_meetings.models import (
    ActionStatus,
    MeetingAction,
    MeetingAttendee,
    StrategyMeeting,
)


def meeting_list(user, *, upcoming_only: bool = False) -> QuerySet[StrategyMeeting]:
    """The meetings a user can see, soonest upcoming first. One query with child and chair."""
    meetings = meetings_visible_to(user).select_related("child", "chair")
    if upcoming_only:
        meetings = meetings.upcoming().filter(scheduled_at__gte=timezone.now())
    return meetings.annotate(
        attendee_count=Count("attendees", distinct=True),
        open_actions=Count("actions", filter=Q(actions__status=ActionStatus.OPEN), distinct=True),
    ).order_by("-scheduled_at", "-pk")


def meeting_detail(meeting: StrategyMeeting) -> dict:
    """Attendees, actions, alerts and episodes of one meeting the caller may see."""
    return {
        "attendees": list(meeting.attendees.select_related("user", "user__organisation")),
        "actions": list(
            meeting.actions.select_related("owner_user", "owner_attendee", "completed_by")
        ),
        "alerts": list(meeting.alerts.select_related("rule")),
        "episodes": list(meeting.episodes.all()),
    }


def my_actions(user, *, include_done: bool = False) -> QuerySet[MeetingAction]:
    """Actions owned by the user, overdue first. One query."""
    actions = actions_visible_to(user).filter(owner_user=user)
    if not include_done:
        actions = actions.filter(status=ActionStatus.OPEN)
    return actions.select_related("meeting", "meeting__child").order_by("status", "due_on", "pk")


def meetings_for_child(user, child) -> QuerySet[StrategyMeeting]:
    return meeting_list(user).filter(child=child)


def invited_users(meeting: StrategyMeeting) -> QuerySet[MeetingAttendee]:
    return meeting.attendees.filter(user__isnull=False)


# Who can be invited -------------------------------------------------------------------------

INVITABLE_ROLES = (
    "social_worker",
    "service_manager",
    "home_manager",
    "care_worker",
    "police_liaison",
)


def invitable_users(child) -> QuerySet:
    """The people it makes sense to invite to a meeting about `child`: the placing authority's
    social workers and service managers, the managers and staff of the child's current home,
    and the liaison officers of that home's police force. Active users in roles that can see
    a meeting in Homeward (the service refuses anyone else). One query."""
    from apps.accounts.models import Role, User
    from apps.homes.models import HomeUserObjectPermission

    scope = Q(
        role__in=(Role.SOCIAL_WORKER, Role.SERVICE_MANAGER),
        organisation_id=child.placing_authority_id,
    )
    placement = child.current_placement
    if placement is not None:
        home = placement.home
        staff = HomeUserObjectPermission.objects.filter(content_object_id=home.pk).values("user_id")
        scope |= Q(role__in=(Role.HOME_MANAGER, Role.CARE_WORKER), pk__in=staff)
        if home.police_force_id:
            scope |= Q(role=Role.POLICE_LIAISON, organisation_id=home.police_force_id)
    return (
        User.objects.filter(scope, is_active=True)
        .select_related("organisation")
        .order_by("role", "full_name", "pk")
    )


def alert_suggested_attendees(alert) -> list:
    """The users the alert went to (its deliveries), for the meeting it leads to; the caller
    keeps only those who can be invited."""
    from apps.accounts.models import User

    return list(
        User.objects.filter(
            pk__in=alert.deliveries.filter(user__isnull=False).values("user_id"),
            is_active=True,
            role__in=INVITABLE_ROLES,
        )
    )


def actions_overdue_due(*, rules: list[EscalationRule], now: datetime) -> list[Due]:
    """The time-rule source of the "meeting action overdue" rule (registered in
    StrategyMeetingsConfig.ready()): open actions past their due date (UK date), one query."""
    if not rules:
        return []
    by_authority = {rule.authority_id: rule for rule in rules}
    today = timezone.localdate(now)
    actions = MeetingAction.objects.filter(
        status=ActionStatus.OPEN,
        due_on__lt=today,
        due_on__gte=today - CATCH_UP,
        meeting__authority_id__in=list(by_authority),
    ).select_related("meeting__child", "owner_user", "owner_attendee")
    due = []
    for action in actions:
        meeting = action.meeting
        summary = (
            f"{action.description[:200]} (owner {action.owner_name}) was due "
            f"{action.due_on:%-d %b %Y}"
        )
        due.append(
            Due(
                by_authority[meeting.authority_id],
                None,
                f"action:{action.pk}",
                summary,
                child=meeting.child,
                named={
                    RecipientRole.ACTION_OWNER: action.owner_user_id,
                    RecipientRole.MEETING_CHAIR: meeting.chair_id,
                },
            )
        )
    return due

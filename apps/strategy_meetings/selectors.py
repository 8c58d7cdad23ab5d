"""Reads about meetings and actions that take a user."""

from datetime import datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from apps.alerts.models import EscalationRule, RecipientRole
from apps.alerts.services import (
    CATCH_UP,
    Due,
    Recipient,
    review_dates,
    review_summary,
    rules_by_authority,
)
from apps.children.selectors import current_placements
from apps.strategy_meetings.access import (
    actions_visible_to,
    meetings_visible_to,
)
from apps.strategy_meetings.models import (
    ActionStatus,
    MeetingAction,
    MeetingAttendee,
    MeetingStatus,
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
    StrategyMeetingsConfig.ready()): open actions past their due date (UK date), one query.
    An owner with an account is named by user id; an external attendee who owns the action
    is emailed at the address they were invited with."""
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
                    RecipientRole.ACTION_OWNER: action.owner_user_id
                    or getattr(action.owner_attendee, "user_id", None),
                    RecipientRole.MEETING_CHAIR: meeting.chair_id,
                },
                external=_external_owner(action),
            )
        )
    return due


def _external_owner(action: MeetingAction) -> dict:
    """An owner without an account: emailed at the address they were invited with. (An
    invited Homeward user is told through the named roles.)"""
    attendee = action.owner_attendee
    if action.owner_user_id or attendee is None or attendee.user_id or not attendee.email:
        return {}
    recipient = Recipient(user=None, email=attendee.email, name=attendee.name)
    return {RecipientRole.ACTION_OWNER: recipient}


def meetings_awaiting_review() -> QuerySet[StrategyMeeting]:
    """Held meetings that set a review date, with no meeting about the child booked or held
    after them: the review is still to be arranged. One query."""
    later = StrategyMeeting.objects.filter(
        child=OuterRef("child"), scheduled_at__gt=OuterRef("scheduled_at")
    ).exclude(status=MeetingStatus.CANCELLED)
    return StrategyMeeting.objects.filter(
        status=MeetingStatus.HELD, next_review_on__isnull=False
    ).exclude(Exists(later))


def meeting_reviews_to_book(*, children: QuerySet, by) -> QuerySet[StrategyMeeting]:
    """The meetings about `children` whose review is due on or before `by` and not booked,
    soonest first."""
    return (
        meetings_awaiting_review()
        .filter(child__in=children.values("pk"), next_review_on__lte=by)
        .select_related("child")
        .order_by("next_review_on", "pk")
    )


def meeting_reviews_due(*, rules: list[EscalationRule], now: datetime) -> list[Due]:
    """The time-rule source of the "meeting review due" rule (registered in
    StrategyMeetingsConfig.ready()): held meetings whose review date is within the rule's
    days (or passed, up to CATCH_UP ago) and after which no meeting about the child has been
    booked or held. With the home the child lives in now. Two queries."""
    rules = [r for r in rules if r.days]
    if not rules:
        return []
    by_authority = rules_by_authority(rules)
    today, latest, earliest = review_dates(rules, now)
    meetings = (
        meetings_awaiting_review()
        .filter(
            next_review_on__lte=latest,
            next_review_on__gte=earliest,
            child__is_archived=False,
            authority_id__in=list(by_authority),
        )
        .select_related("child")
        .prefetch_related(current_placements("child__placements"))
    )
    due = []
    for meeting in meetings:
        placement = meeting.child.current_placement
        what = f"The strategy meeting of {timezone.localtime(meeting.scheduled_at):%-d %b %Y}"
        for rule in by_authority[meeting.authority_id]:
            if meeting.next_review_on - timedelta(days=rule.days) > today:
                continue
            due.append(
                Due(
                    rule,
                    None,
                    f"meeting-review:{meeting.pk}",
                    review_summary(what, meeting.next_review_on, today)
                    + "; no later meeting is booked",
                    child=meeting.child,
                    home=placement.home if placement else None,
                    named={RecipientRole.MEETING_CHAIR: meeting.chair_id},
                )
            )
    return due

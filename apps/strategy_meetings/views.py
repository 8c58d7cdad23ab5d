"""Multi-agency response pages: strategy meetings (schedule, move, cancel, invite, record,
actions) and "My actions" (CSE risk assessments: apps.children.views).

Each view: parse input, fetch through apps.strategy_meetings.access (forbidden looks like
missing), check the action with `require`, call one service or selector, render. Every GET of
a page about one child is written to the child's access log. Every successful POST redirects
with a success message. Edits of a versioned record carry its version: a stale one is refused
with who changed it and when, keeping what the user typed (apps.episodes.views does the same).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from apps.children.access import children_visible_to, get_child_for_user, require
from apps.children.models import AccessLogKind
from apps.children.services import access_log_record
from apps.children.views import risk_tag
from apps.core.clock import display_time
from apps.core.errors import ApplicationError
from apps.core.forms import now_to_the_minute
from apps.core.web import versioned_edit
from apps.strategy_meetings import access, selectors, services
from apps.strategy_meetings.access import get_meeting_for_user
from apps.strategy_meetings.forms import (
    ActionCompleteForm,
    ActionForm,
    AttendeeExternalForm,
    AttendeeUserForm,
    CancelForm,
    MoveForm,
    RecordForm,
    ScheduleForm,
)
from apps.strategy_meetings.models import ActionStatus, Decision, MeetingStatus

MEETINGS_PER_PAGE = 25
STATUS_TAGS = {
    MeetingStatus.SCHEDULED: "govuk-tag--blue",
    MeetingStatus.RESCHEDULED: "govuk-tag--light-blue",
    MeetingStatus.HELD: "govuk-tag--green",
    MeetingStatus.CANCELLED: "govuk-tag--grey",
}
DECISION_NAMES = dict(Decision.choices)


# Helpers -------------------------------------------------------------------------------------


def _data(request):
    return request.POST if request.method == "POST" else None


def _log(request, child) -> None:
    """Record that the user looked at a page about this child (GETs only)."""
    if request.method == "GET":
        access_log_record(
            user=request.user, child=child, kind=AccessLogKind.RECORD, path=request.path
        )


def meeting_status(meeting) -> dict:
    return {"label": meeting.get_status_display(), "tag": STATUS_TAGS.get(meeting.status, "")}


def action_status(action, today=None) -> dict:
    today = today or timezone.localdate()
    if action.status == ActionStatus.DONE:
        return {"label": "Done", "tag": "govuk-tag--green"}
    if action.status == ActionStatus.CANCELLED:
        return {"label": "Cancelled", "tag": "govuk-tag--grey"}
    if action.due_on < today:
        return {"label": "Overdue", "tag": "govuk-tag--red"}
    return {"label": "Open", "tag": "govuk-tag--blue"}


def _versioned(request, *, form_class, record, refetch, save, form_kwargs=None, initial=None):
    """apps.core.web.versioned_edit for these pages' plain forms, which take the record's
    values as `initial`. Returns (form, latest, record, saved)."""
    form_kwargs = form_kwargs or {}
    return versioned_edit(
        request,
        record=record,
        build=lambda data, record: form_class(
            data, initial={"version": record.version, **(initial or {})}, **form_kwargs
        ),
        save=save,
        refetch=refetch,
    )


# Meetings lists ------------------------------------------------------------------------------


def _meeting_rows(meetings) -> list[dict]:
    return [{"meeting": meeting, "status": meeting_status(meeting)} for meeting in meetings]


@login_required
@require_GET
def meeting_list(request):
    """Upcoming meetings (soonest first) or past ones (newest first) the user may see."""
    require(access.can_list_my_actions(request.user))  # the roles that take part in meetings
    past = request.GET.get("when") == "past"
    now = timezone.now()
    upcoming_q = Q(
        status__in=[MeetingStatus.SCHEDULED, MeetingStatus.RESCHEDULED], scheduled_at__gte=now
    )
    meetings = selectors.meeting_list(request.user)
    if past:
        meetings = meetings.exclude(upcoming_q)
    else:
        meetings = meetings.filter(upcoming_q).order_by("scheduled_at", "pk")
    paginator = Paginator(meetings, MEETINGS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "strategy_meetings/list.html",
        {"page": page, "rows": _meeting_rows(page), "past": past},
    )


@login_required
@require_GET
def child_meetings(request, child_pk):
    child = get_child_for_user(request.user, child_pk)
    meetings = selectors.meetings_for_child(request.user, child)
    _log(request, child)
    return render(
        request,
        "strategy_meetings/child_meetings.html",
        {
            "child": child,
            "rows": _meeting_rows(meetings),
            "can_schedule": access.can_schedule_meeting(request.user, child),
        },
    )


# Scheduling ----------------------------------------------------------------------------------


@login_required
def meeting_schedule(request, child_pk):
    child = get_child_for_user(request.user, child_pk)
    require(access.can_schedule_meeting(request.user, child))
    alert = access.get_alert_for_meeting(
        request.user, child, request.POST.get("alert") or request.GET.get("alert")
    )
    invitable = selectors.invitable_users(child).exclude(pk=request.user.pk)
    initial = {"alert": alert.pk if alert else None}
    if alert is not None:
        initial["reason"] = f"{alert.title}. {alert.summary}"
        suggested = {user.pk for user in selectors.alert_suggested_attendees(alert)}
        suggested.discard(request.user.pk)
        # Anyone the alert went to, even from outside the usual circle, may be picked.
        invitable = (invitable | invitable.model.objects.filter(pk__in=suggested)).distinct()
        initial["invite_users"] = sorted(suggested)
    form = ScheduleForm(_data(request), invitable=invitable, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_schedule(
                actor=request.user,
                child=child,
                scheduled_at=data["scheduled_at"],
                reason=data["reason"],
                location=data["location"],
                video_link=data["video_link"],
                duration_minutes=data["duration_minutes"],
                alerts=[alert] if alert else [],
                episodes=list(alert.episodes.all()) if alert else [],
                invite_users=list(data["invite_users"]),
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(
                request,
                f"The strategy meeting is scheduled for {display_time(meeting.scheduled_at)}. "
                "Everyone invited is being sent a calendar invitation.",
            )
            return redirect("strategy_meetings:detail", pk=meeting.pk)
    _log(request, child)
    return render(
        request,
        "strategy_meetings/schedule_form.html",
        {"child": child, "form": form, "alert": alert},
    )


# One meeting ---------------------------------------------------------------------------------


def _meeting_context(request, meeting, **extra) -> dict:
    return {
        "meeting": meeting,
        "child": meeting.child,
        "status": meeting_status(meeting),
        "permissions": access.meeting_permissions(request.user, meeting),
        **extra,
    }


@login_required
@require_GET
def meeting_detail(request, pk):
    meeting = get_meeting_for_user(request.user, pk)
    detail = selectors.meeting_detail(meeting)
    today = timezone.localdate()
    context = _meeting_context(
        request,
        meeting,
        attendees=detail["attendees"],
        actions=[
            {
                "action": action,
                "status": action_status(action, today),
                "can_complete": action.status == ActionStatus.OPEN
                and access.can_complete_action(request.user, action),
            }
            for action in detail["actions"]
        ],
        alerts=detail["alerts"],
        episodes=detail["episodes"],
        decisions=[DECISION_NAMES.get(value, value) for value in meeting.decisions],
        risk=risk_tag(meeting.child.cse_risk),
        can_open_child=children_visible_to(request.user).filter(pk=meeting.child_id).exists(),
    )
    _log(request, meeting.child)
    return render(request, "strategy_meetings/detail.html", context)


@login_required
def meeting_move(request, pk):
    meeting = get_meeting_for_user(request.user, pk)
    require(access.meeting_permissions(request.user, meeting)["can_run"])
    form, latest, meeting, saved = _versioned(
        request,
        form_class=MoveForm,
        record=meeting,
        initial={
            "scheduled_at": meeting.scheduled_at,
            "duration_minutes": meeting.duration_minutes,
            "location": meeting.location,
            "video_link": meeting.video_link,
        },
        refetch=lambda: get_meeting_for_user(request.user, pk),
        save=lambda form: services.meeting_move(
            actor=request.user,
            meeting=meeting,
            expected_version=form.cleaned_data["version"],
            scheduled_at=form.cleaned_data["scheduled_at"],
            location=form.cleaned_data["location"],
            video_link=form.cleaned_data["video_link"],
            duration_minutes=form.cleaned_data["duration_minutes"],
        ),
    )
    if saved:
        messages.success(
            request,
            f"The meeting has moved to {display_time(meeting.scheduled_at)}. Everyone invited "
            "is being sent the updated invitation.",
        )
        return redirect("strategy_meetings:detail", pk=meeting.pk)
    _log(request, meeting.child)
    return render(
        request,
        "strategy_meetings/move_form.html",
        _meeting_context(request, meeting, form=form, latest=latest),
    )


@login_required
def meeting_cancel(request, pk):
    meeting = get_meeting_for_user(request.user, pk)
    require(access.meeting_permissions(request.user, meeting)["can_run"])
    form, latest, meeting, saved = _versioned(
        request,
        form_class=CancelForm,
        record=meeting,
        refetch=lambda: get_meeting_for_user(request.user, pk),
        save=lambda form: services.meeting_cancel(
            actor=request.user,
            meeting=meeting,
            expected_version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
        ),
    )
    if saved:
        messages.success(
            request, "The meeting is cancelled. Everyone invited is being sent a cancellation."
        )
        return redirect("strategy_meetings:detail", pk=meeting.pk)
    _log(request, meeting.child)
    return render(
        request,
        "strategy_meetings/cancel_form.html",
        _meeting_context(request, meeting, form=form, latest=latest),
    )


# Attendees -----------------------------------------------------------------------------------


@login_required
def attendee_add(request, pk):
    """Two forms on one page: a Homeward user, or an external person (the `kind` posted)."""
    meeting = get_meeting_for_user(request.user, pk)
    require(access.meeting_permissions(request.user, meeting)["can_run"])
    invited = selectors.invited_users(meeting).values("user_id")
    invitable = selectors.invitable_users(meeting.child).exclude(pk__in=invited)
    kind = request.POST.get("kind") if request.method == "POST" else None
    user_form = AttendeeUserForm(
        request.POST if kind == "user" else None, invitable=invitable, prefix="user"
    )
    external_form = AttendeeExternalForm(
        request.POST if kind == "external" else None, prefix="external"
    )
    form = user_form if kind == "user" else external_form
    if kind in ("user", "external") and form.is_valid():
        fields = {"user": form.cleaned_data["user"]} if kind == "user" else dict(form.cleaned_data)
        try:
            attendee = services.attendee_add(actor=request.user, meeting=meeting, **fields)
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(
                request, f"{attendee.name} is invited and is being sent the invitation."
            )
            return redirect("strategy_meetings:detail", pk=meeting.pk)
    _log(request, meeting.child)
    return render(
        request,
        "strategy_meetings/attendee_form.html",
        _meeting_context(
            request,
            meeting,
            user_form=user_form,
            external_form=external_form,
            form=form if kind else None,
            has_invitable=invitable.exists(),
        ),
    )


@login_required
@require_POST
def attendee_remove(request, pk, attendee_pk):
    meeting = get_meeting_for_user(request.user, pk)
    require(access.meeting_permissions(request.user, meeting)["can_run"])
    attendee = access.get_attendee_for_meeting(meeting, attendee_pk)
    try:
        services.attendee_remove(actor=request.user, attendee=attendee)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{attendee.name} is no longer invited and is being told.")
    return redirect("strategy_meetings:detail", pk=meeting.pk)


# Recording the meeting -----------------------------------------------------------------------


@login_required
def meeting_record(request, pk):
    meeting = get_meeting_for_user(request.user, pk)
    require(access.meeting_permissions(request.user, meeting)["can_record"])
    attendees = list(meeting.attendees.all())
    initial = {
        "held_at": meeting.held_at or min(meeting.scheduled_at, now_to_the_minute()),
        "minutes": meeting.minutes,
        "restricted_minutes": meeting.restricted_minutes,
        "decisions": meeting.decisions,
        "decision_notes": meeting.decision_notes,
        "next_review_on": meeting.next_review_on,
    }
    form, latest, meeting, saved = _versioned(
        request,
        form_class=RecordForm,
        record=meeting,
        initial=initial,
        form_kwargs={"attendees": attendees},
        refetch=lambda: get_meeting_for_user(request.user, pk),
        save=lambda form: services.meeting_record(
            actor=request.user,
            meeting=meeting,
            expected_version=form.cleaned_data["version"],
            **form.service_fields(),
        ),
    )
    if saved:
        messages.success(request, "The minutes, decisions and attendance have been recorded.")
        return redirect("strategy_meetings:detail", pk=meeting.pk)
    _log(request, meeting.child)
    return render(
        request,
        "strategy_meetings/record_form.html",
        _meeting_context(request, meeting, form=form, latest=latest),
    )


# Actions -------------------------------------------------------------------------------------


@login_required
def action_add(request, pk):
    meeting = get_meeting_for_user(request.user, pk)
    require(access.meeting_permissions(request.user, meeting)["can_add_actions"])
    form = ActionForm(_data(request), attendees=meeting.attendees.select_related("user"))
    if request.method == "POST" and form.is_valid():
        try:
            action = services.action_add(
                actor=request.user, meeting=meeting, **form.service_fields()
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, f"The action for {action.owner_name} has been added.")
            return redirect("strategy_meetings:detail", pk=meeting.pk)
    _log(request, meeting.child)
    return render(
        request, "strategy_meetings/action_form.html", _meeting_context(request, meeting, form=form)
    )


@login_required
def action_complete(request, action_pk):
    action = access.get_action_for_user(request.user, action_pk)
    require(access.can_complete_action(request.user, action))
    form, latest, action, saved = _versioned(
        request,
        form_class=ActionCompleteForm,
        record=action,
        refetch=lambda: access.get_action_for_user(request.user, action_pk),
        save=lambda form: services.action_complete(
            actor=request.user,
            action=action,
            expected_version=form.cleaned_data["version"],
            note=form.cleaned_data["note"],
        ),
    )
    if saved:
        messages.success(request, "The action is marked as done.")
        back = request.POST.get("next")
        if back == "my_actions":
            return redirect("strategy_meetings:my_actions")
        return redirect("strategy_meetings:detail", pk=action.meeting_id)
    _log(request, action.meeting.child)
    return render(
        request,
        "strategy_meetings/action_complete_form.html",
        {
            "action": action,
            "meeting": action.meeting,
            "child": action.meeting.child,
            "status": action_status(action),
            "form": form,
            "latest": latest,
            "next": request.GET.get("next") or request.POST.get("next") or "",
        },
    )


@login_required
@require_GET
def my_actions(request):
    require(access.can_list_my_actions(request.user))
    show_done = request.GET.get("show") == "all"
    today = timezone.localdate()
    rows = [
        {"action": action, "status": action_status(action, today)}
        for action in selectors.my_actions(request.user, include_done=show_done)
    ]
    return render(
        request,
        "strategy_meetings/my_actions.html",
        {
            "rows": rows,
            "show_done": show_done,
            "overdue": sum(1 for row in rows if row["status"]["label"] == "Overdue"),
        },
    )

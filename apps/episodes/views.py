"""Episode pages: report a child missing, the episode and its timeline, the return, the return
interview, safe-and-well visits; the missing-now board and the return interviews list.

Each view: parse input, fetch through access (forbidden looks like missing), check the action
with `require`, call one service or selector, render. Every GET of a page about one child is
written to the child's access log. Every successful POST redirects with a success message.
"""

import time as clock
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from apps.children import access as children_access
from apps.children.access import get_child_for_user, require
from apps.children.models import AccessLogKind
from apps.children.services import access_log_record
from apps.core.clock import display_time
from apps.core.errors import ApplicationError
from apps.core.forms import now_to_the_minute
from apps.core.pagination import IdsFirst, paginate
from apps.core.panels import page_panels
from apps.core.web import versioned_edit, with_version
from apps.episodes import access, selectors, services
from apps.episodes.access import get_episode_for_user
from apps.episodes.forms import (
    AssignForm,
    AuthorityStepForm,
    EpisodeEditForm,
    EpisodeReportForm,
    InterviewForm,
    InterviewSummaryForm,
    LateRecordForm,
    Reg40Form,
    ReturnForm,
    StepTickForm,
    UpdateForm,
    VisitForm,
)
from apps.episodes.models import (
    EpisodeKind,
    FirstStep,
    InterviewOutcome,
    Reg40Status,
    ReturnInterview,
    RiskGrade,
    UpdateCategory,
)

# The board stops refreshing itself after this long without a page load, so a screen left
# open does not keep the session alive for ever (every request renews the idle timeout).
BOARD_REFRESH_FOR = timedelta(seconds=settings.SESSION_COOKIE_AGE)
# htmx stops polling when it is answered with this status (and still swaps the rows in).
HTMX_STOP_POLLING = 286
# The return interviews list is paginated: a service manager's authority has thousands.
INTERVIEWS_PER_PAGE = 50

KIND_TAGS = {EpisodeKind.MISSING: "govuk-tag--red", EpisodeKind.AWAY: "govuk-tag--yellow"}
RISK_TAGS = {
    RiskGrade.HIGH: "govuk-tag--red",
    RiskGrade.MEDIUM: "govuk-tag--orange",
    RiskGrade.LOW: "govuk-tag--yellow",
    RiskGrade.VERY_LOW: "govuk-tag--green",
    "": "govuk-tag--grey",
}
# Timeline entries whose old and new values are codes: the names to show them by.
VALUE_NAMES = {
    UpdateCategory.KIND_CHANGE: dict(EpisodeKind.choices),
    UpdateCategory.RISK_GRADE: {**dict(RiskGrade.choices), "": "Not graded"},
}


# Helpers -------------------------------------------------------------------------------------


def _data(request):
    return request.POST if request.method == "POST" else None


def _fields(form) -> dict:
    return {name: value for name, value in form.cleaned_data.items() if name != "version"}


def _log(request, child) -> None:
    """Record that the user looked at a page about this child (GETs only)."""
    if request.method == "GET":
        access_log_record(
            user=request.user, child=child, kind=AccessLogKind.RECORD, path=request.path
        )


def _risk(grade: str) -> dict:
    return {
        "label": RiskGrade(grade).label if grade else "Not graded",
        "tag": RISK_TAGS.get(grade, "govuk-tag--grey"),
    }


def _kind(kind: str) -> dict:
    label = "Missing" if kind == EpisodeKind.MISSING else "Away"
    return {"label": label, "tag": KIND_TAGS.get(kind, "govuk-tag--grey")}


def _rough(delta: timedelta) -> str:
    """'45 minutes', '5 hours', '3 days': how long, as the interview's tag says it."""
    minutes = int(delta.total_seconds() // 60)
    if minutes >= 2 * 24 * 60:
        amount, unit = minutes // (24 * 60), "day"
    elif minutes >= 60:
        amount, unit = minutes // 60, "hour"
    elif minutes >= 1:
        amount, unit = minutes, "minute"
    else:
        return "less than a minute"
    return f"{amount} {unit}{'' if amount == 1 else 's'}"


def interview_status(interview: ReturnInterview, now=None) -> dict:
    """The tag of a return interview: 'Due in 5 hours', 'Overdue by 2 hours', 'Held'..."""
    now = now or timezone.now()
    if interview.outcome == InterviewOutcome.ACCEPTED:
        late = interview.held_at is not None and interview.held_at > interview.due_at
        return {"label": "Held late" if late else "Held", "tag": "govuk-tag--green"}
    if interview.outcome:
        return {"label": interview.get_outcome_display(), "tag": "govuk-tag--grey"}
    if interview.due_at > now:
        return {"label": f"Due in {_rough(interview.due_at - now)}", "tag": "govuk-tag--blue"}
    return {"label": f"Overdue by {_rough(now - interview.due_at)}", "tag": "govuk-tag--red"}


def _timeline_rows(updates) -> list[dict]:
    rows = []
    for update in updates:
        names = VALUE_NAMES.get(update.category)
        change = None
        if names is not None:
            change = {
                "old": names.get(update.old_value, update.old_value),
                "new": names.get(update.new_value, update.new_value),
            }
        rows.append({"update": update, "change": change})
    return rows


def _episode_context(request, episode, **extra) -> dict:
    """What every page of one episode shows in its heading."""
    return {
        "episode": episode,
        "child": episode.child,
        "kind": _kind(episode.kind),
        **extra,
    }


# Reporting -----------------------------------------------------------------------------------


@login_required
def episode_report(request, child_pk):
    child = get_child_for_user(request.user, child_pk)
    require(access.can_log_episode(request.user, child))
    form = EpisodeReportForm(_data(request), initial={"last_seen_at": now_to_the_minute()})
    if request.method == "POST" and form.is_valid():
        try:
            episode = services.episode_open(actor=request.user, child=child, **form.cleaned_data)
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            what = "missing" if episode.kind == EpisodeKind.MISSING else "away from placement"
            messages.success(request, f"{child.display_name} has been reported {what}.")
            if not access.sees_episode(request.user, episode):
                # A police officer reporting a child placed outside their force area.
                return redirect("children:detail", pk=child.pk)
            return redirect("episodes:next_steps", pk=episode.pk)
    _log(request, child)
    open_episode = (
        selectors.child_open_episode(request.user, child) if request.method == "GET" else None
    )
    return render(
        request,
        "episodes/report.html",
        {"child": child, "form": form, "open_episode": open_episode},
    )


@login_required
def episode_record_late(request, child_pk):
    """An absence that has already ended, recorded afterwards."""
    child = get_child_for_user(request.user, child_pk)
    require(access.can_log_episode(request.user, child))
    form = LateRecordForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            episode = services.episode_record_late(
                actor=request.user, child=child, **form.cleaned_data
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(
                request,
                f"The episode is recorded, marked as recorded late. The return interview is "
                f"due by {display_time(episode.interview.due_at)}.",
            )
            if not access.sees_episode(request.user, episode):
                return redirect("children:detail", pk=child.pk)
            return redirect("episodes:detail", pk=episode.pk)
    _log(request, child)
    return render(request, "episodes/record_late.html", {"child": child, "form": form})


# One episode ---------------------------------------------------------------------------------


@login_required
def episode_detail(request, pk):
    episode = get_episode_for_user(request.user, pk)
    permissions = access.episode_permissions(request.user, episode)
    interview = getattr(episode, "interview", None)
    context = _episode_context(
        request,
        episode,
        permissions=permissions,
        interview=interview,
        interview_status=interview_status(interview) if interview else None,
    )
    if permissions["full"]:
        context["steps_left"] = [
            row for row in selectors.first_hour_steps(episode) if not row["done"]
        ]
        context.update(
            risk=_risk(episode.risk_grade),
            timeline=_timeline_rows(selectors.episode_timeline(episode)),
            visits=list(selectors.episode_visits(episode)),
            can_open_child=access.can_open_child_record(request.user, episode.child),
        )
        context["can_add_to_profile"] = bool(
            interview
            and (interview.places_mentioned or interview.associates_mentioned)
            and context["can_open_child"]
            and access.can_read_interview_content(request.user)
            and children_access.can_edit_profile(request.user, episode.child)
        )
        context["regulation40"] = _regulation40_prompt(request.user, episode)
        context["reg40_decision"] = selectors.reg40_for_episode(request.user, episode)
        context["panels"] = page_panels("episodes:detail", request, episode=episode)
    _log(request, episode.child)
    return render(request, "episodes/detail.html", context)


def _regulation40_prompt(user, episode):
    """The Regulation 40 decision waiting for the home manager."""
    decision = selectors.reg40_pending_for_episode(user, episode)
    if decision is None or not access.can_decide_reg40(user, decision):
        return None
    return decision


@login_required
def update_add(request, pk):
    episode = get_episode_for_user(request.user, pk)
    require(access.can_update_episode(request.user, episode))
    form = UpdateForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.episode_add_update(actor=request.user, episode=episode, **form.cleaned_data)
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, "Your update has been added to the timeline.")
            return redirect("episodes:detail", pk=episode.pk)
    _log(request, episode.child)
    return render(
        request, "episodes/update_form.html", _episode_context(request, episode, form=form)
    )


@login_required
def episode_edit(request, pk):
    episode = get_episode_for_user(request.user, pk)
    require(access.can_update_episode(request.user, episode))
    police = access.can_edit_police_details(request.user, episode)
    form, latest, episode, saved = versioned_edit(
        request,
        record=episode,
        build=lambda data, record: EpisodeEditForm(data, record=record, police=police),
        save=lambda form: services.episode_update(
            actor=request.user,
            episode=episode,
            expected_version=form.cleaned_data["version"],
            **_fields(form),
        ),
        refetch=lambda: get_episode_for_user(request.user, pk),
    )
    if saved:
        messages.success(request, "The report has been updated.")
        return redirect("episodes:detail", pk=episode.pk)
    _log(request, episode.child)
    return render(
        request,
        "episodes/edit_form.html",
        _episode_context(request, episode, form=form, latest=latest),
    )


@login_required
def episode_return(request, pk):
    episode = get_episode_for_user(request.user, pk)
    require(access.episode_permissions(request.user, episode)["can_record_return"])
    now = now_to_the_minute()
    form, latest, episode, saved = versioned_edit(
        request,
        record=episode,
        build=lambda data, record: ReturnForm(data, record=record, initial={"returned_at": now}),
        save=lambda form: services.episode_record_return(
            actor=request.user,
            episode=episode,
            expected_version=form.cleaned_data["version"],
            **_fields(form),
        ),
        refetch=lambda: get_episode_for_user(request.user, pk),
    )
    if saved:
        messages.success(
            request,
            f"{episode.child.display_name}'s return has been recorded. The return interview is "
            f"due by {display_time(episode.interview.due_at)}.",
        )
        return redirect("episodes:detail", pk=episode.pk)
    _log(request, episode.child)
    return render(
        request,
        "episodes/return_form.html",
        _episode_context(request, episode, form=form, latest=latest),
    )


def _interview_of(episode) -> ReturnInterview:
    interview = getattr(episode, "interview", None)
    if interview is None:
        raise Http404("No return interview yet")
    return interview


@login_required
def interview_share(request, pk):
    """The social worker shares a summary of the interview with the home and the police."""
    episode = get_episode_for_user(request.user, pk)
    interview = _interview_of(episode)
    require(access.can_share_interview_summary(request.user, interview))
    form, latest, interview, saved = versioned_edit(
        request,
        record=interview,
        build=lambda data, record: InterviewSummaryForm(data, record=record),
        save=lambda form: services.interview_share_summary(
            actor=request.user,
            interview=interview,
            expected_version=form.cleaned_data["version"],
            summary=form.cleaned_data["shared_summary"],
        ),
        refetch=lambda: _interview_of(get_episode_for_user(request.user, pk)),
    )
    if saved:
        messages.success(request, "The summary is shared with the home and the police.")
        return redirect("episodes:detail", pk=episode.pk)
    _log(request, episode.child)
    return render(
        request,
        "episodes/interview_share.html",
        _episode_context(request, episode, form=form, latest=latest, interview=interview),
    )


@login_required
def interview_record(request, pk):
    episode = get_episode_for_user(request.user, pk)
    interview = _interview_of(episode)
    require(access.can_record_interview(request.user, interview))
    form, latest, interview, saved = versioned_edit(
        request,
        record=interview,
        build=lambda data, record: InterviewForm(data, record=record),
        save=lambda form: services.interview_record(
            actor=request.user,
            interview=interview,
            expected_version=form.cleaned_data["version"],
            **_fields(form),
        ),
        refetch=lambda: _interview_of(get_episode_for_user(request.user, pk)),
    )
    if saved:
        messages.success(request, "The return interview has been recorded.")
        return redirect("episodes:detail", pk=episode.pk)
    _log(request, episode.child)
    return render(
        request,
        "episodes/interview_form.html",
        _episode_context(
            request,
            episode,
            form=form,
            latest=latest,
            interview=interview,
            interview_status=interview_status(interview),
        ),
    )


@login_required
@require_POST
def interview_to_profile(request, pk):
    """Add the places and people mentioned in the interview to the Philomena profile."""
    episode = get_episode_for_user(request.user, pk)
    interview = _interview_of(episode)
    child = get_child_for_user(request.user, episode.child_id)
    require(access.can_read_interview_content(request.user))  # it copies what the child said
    require(children_access.can_edit_profile(request.user, child))
    people, places = services.interview_add_to_profile(actor=request.user, interview=interview)
    if people or places:
        messages.success(
            request,
            f"Added {people} {'person' if people == 1 else 'people'} and {places} "
            f"place{'' if places == 1 else 's'} to {child.display_name}'s Philomena profile.",
        )
    else:
        messages.success(request, "Everything mentioned is already in the Philomena profile.")
    return redirect("episodes:detail", pk=episode.pk)


@login_required
def interview_assign(request, pk):
    episode = get_episode_for_user(request.user, pk)
    interview = _interview_of(episode)
    require(access.can_assign_interview(request.user, interview))
    form = AssignForm(
        _data(request),
        interviewers=selectors.return_interviewers(),
        initial={"interviewer": interview.assigned_to_id},
    )
    if request.method == "POST" and form.is_valid():
        interviewer = form.cleaned_data["interviewer"]
        try:
            services.interview_assign(
                actor=request.user, interview=interview, interviewer=interviewer
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(
                request,
                f"{episode.child.display_name}'s return interview is assigned to "
                f"{interviewer.full_name}.",
            )
            return redirect("episodes:detail", pk=episode.pk)
    _log(request, episode.child)
    return render(
        request,
        "episodes/assign_form.html",
        _episode_context(request, episode, form=form, interview=interview),
    )


@login_required
def visit_add(request, pk):
    episode = get_episode_for_user(request.user, pk)
    require(access.episode_permissions(request.user, episode)["can_record_visit"])
    form = VisitForm(
        _data(request),
        initial={"visited_at": now_to_the_minute(), "officer_name": request.user.full_name},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_record(actor=request.user, episode=episode, **form.cleaned_data)
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, "The safe and well visit has been recorded.")
            return redirect("episodes:detail", pk=episode.pk)
    _log(request, episode.child)
    return render(
        request, "episodes/visit_form.html", _episode_context(request, episode, form=form)
    )


# One child's episodes ------------------------------------------------------------------------


@login_required
def child_episodes(request, child_pk):
    child = get_child_for_user(request.user, child_pk)
    episodes = list(selectors.child_episodes(request.user, child))
    _log(request, child)
    return render(
        request,
        "episodes/child_episodes.html",
        {
            "child": child,
            "rows": [
                {"episode": episode, "kind": _kind(episode.kind), "risk": _risk(episode.risk_grade)}
                for episode in episodes
            ],
            "has_open": any(episode.is_open for episode in episodes),
            "can_report": access.can_log_episode(request.user, child)
            and child.current_placement is not None,
        },
    )


# Missing now ---------------------------------------------------------------------------------


def _board_rows(user) -> list[dict]:
    return [
        {"episode": episode, "kind": _kind(episode.kind), "risk": _risk(episode.risk_grade)}
        for episode in selectors.missing_now(user)
    ]


@login_required
@require_GET
def missing_now(request):
    require(access.can_see_missing_now(request.user))
    return render(
        request,
        "episodes/missing_now.html",
        {
            "rows": _board_rows(request.user),
            "opened": int(clock.time()),
            "returned": [
                {"episode": episode, "kind": _kind(episode.kind)}
                for episode in selectors.recently_returned(request.user)
            ],
        },
    )


@require_GET
def missing_now_rows(request):
    """The board's rows alone, fetched by htmx every 30 seconds to refresh the table."""
    if not request.user.is_authenticated:
        if request.headers.get("HX-Request"):
            # A redirect would be followed by the browser and the sign-in page swapped into
            # the table: tell htmx to load the sign-in page in place of the board instead.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = (
                f"{reverse(settings.LOGIN_URL)}?next={reverse('episodes:missing_now')}"
            )
            return response
        return redirect_to_login(request.get_full_path())
    require(access.can_see_missing_now(request.user))
    # When the board page was loaded (the page puts it in the URL it polls). Not a security
    # boundary, only a guard against a screen left on: without it, the rows are just fresh.
    try:
        opened = int(request.GET.get("opened", ""))
    except ValueError:
        opened = int(clock.time())
    stale = clock.time() - opened > BOARD_REFRESH_FOR.total_seconds()
    return render(
        request,
        "episodes/_missing_now_rows.html",
        {"rows": _board_rows(request.user), "stopped": stale},
        status=HTMX_STOP_POLLING if stale else 200,
    )


# Return interviews ---------------------------------------------------------------------------


@login_required
@require_GET
def interview_list(request):
    require(access.can_list_interviews(request.user))
    overdue_only = request.GET.get("overdue") == "1"
    now = timezone.now()
    interviews = selectors.interviews_for(request.user, overdue_only=overdue_only, now=now)
    related = ("episode", "episode__child", "episode__home", "assigned_to")
    page, page_range = paginate(request, IdsFirst(interviews, related=related), INTERVIEWS_PER_PAGE)
    return render(
        request,
        "episodes/interviews.html",
        {
            "rows": [
                {"interview": interview, "status": interview_status(interview, now)}
                for interview in page
            ],
            "page": page,
            "page_range": page_range,
            "overdue_only": overdue_only,
            "full": access.can_see_full_episode(request.user),
        },
    )


# Regulation 40 -------------------------------------------------------------------------------

REG40_TAGS = {
    Reg40Status.PENDING: "govuk-tag--red",
    Reg40Status.NOTIFIED: "govuk-tag--green",
    Reg40Status.NOT_NOTIFIABLE: "govuk-tag--grey",
    Reg40Status.WITHDRAWN: "govuk-tag--grey",
}


def reg40_tag(decision) -> dict:
    return {"label": decision.get_status_display(), "tag": REG40_TAGS.get(decision.status, "")}


@login_required
@require_GET
def reg40_list(request):
    require(access.can_list_reg40(request.user))
    show_all = request.GET.get("show") == "all"
    decisions = selectors.reg40_list(request.user, pending_only=not show_all)
    return render(
        request,
        "episodes/reg40_list.html",
        {
            "rows": [
                {
                    "decision": decision,
                    "status": reg40_tag(decision),
                    "can_decide": decision.status != Reg40Status.WITHDRAWN
                    and access.can_decide_reg40(request.user, decision),
                }
                for decision in decisions
            ],
            "show_all": show_all,
        },
    )


@login_required
def reg40_decide(request, pk):
    decision = access.get_reg40_for_user(request.user, pk)
    require(access.can_decide_reg40(request.user, decision))
    initial = {
        "status": decision.status if decision.status != Reg40Status.PENDING else None,
        "notified_at": decision.notified_at,
        "ofsted_reference": decision.ofsted_reference,
        "not_notifiable_reason": decision.not_notifiable_reason,
    }
    form, latest, decision, saved = versioned_edit(
        request,
        record=decision,
        build=lambda data, record: Reg40Form(data, initial={"version": record.version, **initial}),
        refetch=lambda: access.get_reg40_for_user(request.user, pk),
        save=lambda form: services.reg40_decide(
            actor=request.user,
            decision=decision,
            expected_version=form.cleaned_data["version"],
            status=form.cleaned_data["status"],
            notified_at=form.cleaned_data["notified_at"],
            ofsted_reference=form.cleaned_data["ofsted_reference"],
            not_notifiable_reason=form.cleaned_data["not_notifiable_reason"],
        ),
    )
    if saved:
        messages.success(request, "The Regulation 40 decision has been recorded.")
        return redirect("episodes:reg40_list")
    _log(request, decision.episode.child)
    return render(
        request,
        "episodes/reg40_form.html",
        {
            "decision": decision,
            "episode": decision.episode,
            "child": decision.episode.child,
            "status": reg40_tag(decision),
            "form": form,
            "latest": latest,
        },
    )


# The first hour ------------------------------------------------------------------------------

# Steps asked in a form of their own; the others are ticked with one button.
STEPS_WITH_FORMS = {FirstStep.POLICE_CALLED, FirstStep.RISK_GRADE, FirstStep.PARENT_TOLD}


@login_required
@require_GET
def next_steps(request, pk):
    """The first hour: the statutory steps and the authority's own, each ticked with who and
    when. Where the care worker lands after "Send report"."""
    episode = get_episode_for_user(request.user, pk)
    require(access.episode_permissions(request.user, episode)["full"])
    rows = selectors.first_hour_steps(episode)
    _log(request, episode.child)
    return render(
        request,
        "episodes/next_steps.html",
        _episode_context(
            request,
            episode,
            rows=rows,
            left=sum(1 for row in rows if not row["done"]),
            with_forms=[step.value for step in STEPS_WITH_FORMS],
            can_tick=access.can_tick_steps(request.user, episode),
        ),
    )


def _step_of(episode, step: str):
    """The step named in the URL: a FirstStep code, or `authority-<pk>`; Http404 otherwise."""
    if step.startswith("authority-"):
        wanted = step.removeprefix("authority-")
        for row in selectors.first_hour_steps(episode):
            if row["authority_step"] is not None and str(row["authority_step"].pk) == wanted:
                return row
        raise Http404("No such step")
    for row in selectors.first_hour_steps(episode):
        if row["authority_step"] is None and row["code"] == step and not row.get("derived"):
            return row
    raise Http404("No such step")


@login_required
def step_tick(request, pk, step):
    episode = get_episode_for_user(request.user, pk)
    require(access.can_tick_steps(request.user, episode))
    row = _step_of(episode, step)
    tick = row["tick"]
    initial = {"version": tick.version if tick else 0, "episode_version": episode.version}
    if row["code"] == FirstStep.POLICE_CALLED:
        initial |= {
            "reported_to_police_at": episode.reported_to_police_at or now_to_the_minute(),
            "police_reference": episode.police_reference,
        }
    elif row["code"] == FirstStep.RISK_GRADE:
        initial |= {
            "risk_grade": episode.risk_grade or None,
            "risk_graded_by": episode.risk_graded_by,
            "risk_grader_contact": episode.risk_grader_contact,
        }
    form = StepTickForm(_data(request), step=row["code"], initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.step_tick(
                actor=request.user,
                episode=episode,
                step=row["code"],
                authority_step=row["authority_step"],
                expected_version=form.cleaned_data["version"],
                episode_version=form.cleaned_data["episode_version"],
                **form.tick_fields(),
            )
        except ApplicationError as error:
            form.add_application_error(error)
            # Shown again with what was typed and the versions now stored (as versioned_edit
            # does for one record; a tick carries two).
            episode = get_episode_for_user(request.user, pk)
            row = _step_of(episode, step)
            form.data = with_version(form.data, row["tick"].version if row["tick"] else 0)
            form.data["episode_version"] = str(episode.version)
        else:
            if row["code"] == FirstStep.POLICE_PACK:
                return redirect("reports:police_pack", pk=episode.pk)
            messages.success(request, f"Ticked: {row['label']}.")
            return redirect("episodes:next_steps", pk=episode.pk)
    _log(request, episode.child)
    return render(
        request,
        "episodes/step_form.html",
        _episode_context(request, episode, form=form, row=row),
    )


# An authority's own first-hour steps ---------------------------------------------------------


@login_required
def authority_steps(request):
    require(access.can_manage_authority_steps(request.user))
    form = AuthorityStepForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.authority_step_add(
                actor=request.user,
                authority=request.user.organisation,
                wording=form.cleaned_data["wording"],
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, "The step has been added to the first hour.")
            return redirect("episodes:authority_steps")
    return render(
        request,
        "episodes/authority_steps.html",
        {
            "steps": (steps := list(selectors.authority_steps_for(request.user))),
            "active_count": sum(1 for step in steps if step.active),
            "form": form,
        },
    )


def _version(request) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return 0


def _step_change(request, pk, change, done: str):
    step = access.get_authority_step_for_user(request.user, pk)
    try:
        change(step)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("episodes:authority_steps")


@login_required
@require_POST
def authority_step_move(request, pk):
    up = request.POST.get("direction") != "down"
    return _step_change(
        request,
        pk,
        lambda step: services.authority_step_move(
            actor=request.user, step=step, expected_version=_version(request), up=up
        ),
        "The step has been moved.",
    )


@login_required
@require_POST
def authority_step_active(request, pk):
    active = request.POST.get("active") == "1"
    return _step_change(
        request,
        pk,
        lambda step: services.authority_step_set_active(
            actor=request.user, step=step, expected_version=_version(request), active=active
        ),
        "The step is asked again." if active else "The step has been retired.",
    )

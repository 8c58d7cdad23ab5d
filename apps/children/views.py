"""Children pages: the record's tabs, its photo, and the forms that change it.

Each view: parse input, fetch the child through access (forbidden looks like missing), check
the action with `require`, call one service or selector, render. Every GET of a child's page
is written to the access log. Every successful POST redirects with a success message.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from apps.children import access, selectors, services
from apps.children.access import get_child_for_user, require
from apps.children.forms import (
    AllocateForm,
    AssessmentForm,
    AssociateForm,
    ChildEditForm,
    ChildForm,
    IndicatorForm,
    PhotoForm,
    PlaceForm,
    PlacementEndForm,
    PlacementForm,
    PoliceGrantForm,
    ProfileForm,
    in_domain_order,
)
from apps.children.models import AccessLogKind, RiskLevel
from apps.children.services import access_log_record
from apps.core.errors import ApplicationError
from apps.core.pagination import paginate
from apps.core.panels import page_panels
from apps.core.web import versioned_edit
from apps.homes.selectors import homes_for_placement

CHILDREN_PER_PAGE = 25
VIEWS_PER_PAGE = 50
POLICE_GRANT_DEFAULT_DAYS = 7
# Photos are served with a type chosen from a fixed list, never guessed from the upload.
PHOTO_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
}


# Helpers -------------------------------------------------------------------------------------


def _data(request):
    return request.POST if request.method == "POST" else None


def _fields(form) -> dict:
    return {name: value for name, value in form.cleaned_data.items() if name != "version"}


def _log(request, child, kind: str = AccessLogKind.RECORD) -> None:
    """Record that the user looked at this page of the child's record (GETs only)."""
    if request.method == "GET":
        access_log_record(user=request.user, child=child, kind=kind, path=request.path)


def _record(request, child, tab: str, **extra) -> dict:
    """Context shared by the pages of one child's record (heading and sub-navigation)."""
    return {
        "child": child,
        "tab": tab,
        "permissions": access.child_permissions(request.user, child),
        **extra,
    }


# Lists and the record's tabs -----------------------------------------------------------------


@login_required
def child_list(request):
    search = request.GET.get("q", "").strip()[:100]
    page, page_range = paginate(
        request, selectors.child_list(user=request.user, search=search), CHILDREN_PER_PAGE
    )
    today = timezone.localdate()
    rows = [{"child": child, "age": child.age_on(today)} for child in page]
    return render(
        request,
        "children/list.html",
        {
            "page": page,
            "page_range": page_range,
            "rows": rows,
            "search": search,
            "can_create": access.can_create_children(request.user),
        },
    )


@login_required
def child_detail(request, pk):
    child = get_child_for_user(request.user, pk)
    profile = selectors.child_profile(child=child)
    _log(request, child, AccessLogKind.RECORD)
    return render(
        request,
        "children/detail.html",
        _record(
            request,
            child,
            "summary",
            age=child.age_on(timezone.localdate()),
            placement=child.current_placement,
            staleness=selectors.child_staleness(child=child, profile=profile),
            **_multi_agency(request.user, child),
            panels=page_panels("children:detail", request, child=child),
        ),
    )


def _multi_agency(user, child) -> dict:
    """The child's current CSE risk assessment (its date and review, for the summary row),
    and whether the user may open the assessments."""
    return {
        "cse_assessment": selectors.current_assessment(child) if child.cse_risk else None,
        "can_see_assessments": access.is_case_holder(user, child),
    }


@login_required
def child_profile(request, pk):
    child = get_child_for_user(request.user, pk)
    profile = selectors.child_profile(child=child)
    _log(request, child, AccessLogKind.PROFILE)
    return render(
        request,
        "children/profile.html",
        _record(
            request,
            child,
            "profile",
            profile=profile,
            associates=selectors.profile_associates(profile=profile),
            places=selectors.profile_places(profile=profile),
        ),
    )


@login_required
def child_placements(request, pk):
    child = get_child_for_user(request.user, pk)
    _log(request, child)
    return render(
        request,
        "children/placements.html",
        _record(request, child, "placements", placements=selectors.child_placements(child=child)),
    )


@login_required
def child_history(request, pk):
    child = get_child_for_user(request.user, pk)
    _log(request, child, AccessLogKind.HISTORY)
    return render(
        request,
        "children/history.html",
        _record(request, child, "history", entries=selectors.child_history(child=child)),
    )


@login_required
def child_access_log(request, pk):
    child = get_child_for_user(request.user, pk)
    require(access.can_view_access_log(request.user, child))
    _log(request, child)  # first, so the list includes this view
    page, page_range = paginate(request, selectors.child_access_log(child=child), VIEWS_PER_PAGE)
    return render(
        request,
        "children/access_log.html",
        _record(request, child, "access_log", page=page, page_range=page_range),
    )


@login_required
def child_photo(request, pk):
    """The child's photo, only through this access-checked view, never cached."""
    child = get_child_for_user(request.user, pk)
    if not child.photo:
        raise Http404("No photo")
    extension = child.photo.name.rsplit(".", 1)[-1].lower()
    try:
        photo = child.photo.open("rb")
    except FileNotFoundError:
        raise Http404("No photo") from None
    _log(request, child, AccessLogKind.PHOTO)
    response = FileResponse(
        photo, content_type=PHOTO_TYPES.get(extension, "application/octet-stream")
    )
    response["Cache-Control"] = "private, no-store"
    return response


# The child record ----------------------------------------------------------------------------


@login_required
def child_create(request):
    require(access.can_create_children(request.user))
    form = ChildForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            child = services.child_create(actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, f"{child.full_name} has been added.")
            return redirect("children:detail", pk=child.pk)
    return render(request, "children/child_form.html", {"form": form, "child": None})


@login_required
def child_edit(request, pk):
    child = get_child_for_user(request.user, pk)
    require(access.can_edit_child(request.user, child))
    form, latest, child, saved = versioned_edit(
        request,
        record=child,
        build=lambda data, record: ChildEditForm(data, record=record),
        save=lambda form: services.child_update(
            actor=request.user,
            child=child,
            expected_version=form.cleaned_data["version"],
            **_fields(form),
        ),
        refetch=lambda: get_child_for_user(request.user, pk),  # as saved, not as typed
    )
    if saved:
        messages.success(request, f"{child.full_name}'s details have been updated.")
        return redirect("children:detail", pk=child.pk)
    _log(request, child)
    return render(
        request,
        "children/child_form.html",
        _record(request, child, "summary", form=form, latest=latest),
    )


@login_required
def photo_edit(request, pk):
    child = get_child_for_user(request.user, pk)
    require(access.can_edit_profile(request.user, child))
    form = PhotoForm(_data(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.child_photo_set(
                actor=request.user,
                child=child,
                photo=form.cleaned_data["photo"],
                taken_on=form.cleaned_data["photo_taken_on"],
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, f"The photo of {child.display_name} has been updated.")
            return redirect("children:detail", pk=child.pk)
    _log(request, child, AccessLogKind.PROFILE)
    return render(
        request, "children/photo_form.html", _record(request, child, "summary", form=form)
    )


# Philomena profile ---------------------------------------------------------------------------


@login_required
def profile_edit(request, pk):
    child = get_child_for_user(request.user, pk)
    require(access.can_edit_profile(request.user, child))
    profile = selectors.child_profile(child=child)
    form, latest, profile, saved = versioned_edit(
        request,
        record=profile,
        build=lambda data, record: ProfileForm(data, record=record),
        save=lambda form: services.profile_update(
            actor=request.user,
            child=child,
            expected_version=form.cleaned_data["version"],
            **_fields(form),
        ),
        refetch=lambda: selectors.child_profile(child=child),
    )
    if saved:
        messages.success(request, "The Philomena profile has been updated.")
        return redirect("children:profile", pk=child.pk)
    _log(request, child, AccessLogKind.PROFILE)
    return render(
        request,
        "children/profile_form.html",
        _record(request, child, "profile", form=form, latest=latest),
    )


@dataclass(frozen=True)
class _ProfileItem:
    """How to fetch, add, change and remove one kind of list item of the profile."""

    noun: str
    add_title: str
    change_title: str
    form: Any
    get: Any
    add: Any
    update: Any
    remove: Any


PROFILE_ITEMS = {
    "associate": _ProfileItem(
        noun="associate",
        add_title="Add an associate",
        change_title="Change an associate",
        form=AssociateForm,
        get=access.get_associate_for_child,
        add=services.associate_add,
        update=services.associate_update,
        remove=services.associate_remove,
    ),
    "place": _ProfileItem(
        noun="place",
        add_title="Add a place",
        change_title="Change a place",
        form=PlaceForm,
        get=access.get_place_for_child,
        add=services.place_add,
        update=services.place_update,
        remove=services.place_remove,
    ),
}


@login_required
def profile_item_form(request, pk, kind: str, item_pk=None):
    """Add (item_pk None) or change an associate or a place of the child's profile."""
    child = get_child_for_user(request.user, pk)
    require(access.can_edit_profile(request.user, child))
    spec = PROFILE_ITEMS[kind]
    item = spec.get(child, item_pk) if item_pk is not None else None
    form = spec.form(_data(request), record=item)
    if request.method == "POST" and form.is_valid():
        try:
            if item is None:
                item = spec.add(actor=request.user, child=child, **form.cleaned_data)
                done = "added"
            else:
                item = spec.update(actor=request.user, **{kind: item}, **form.cleaned_data)
                done = "updated"
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, f"{item.name} has been {done}.")
            return redirect("children:profile", pk=child.pk)
    _log(request, child, AccessLogKind.PROFILE)
    return render(
        request,
        "children/profile_item_form.html",
        _record(
            request,
            child,
            "profile",
            form=form,
            item=item,
            noun=spec.noun,
            title=spec.change_title if item_pk is not None else spec.add_title,
        ),
    )


@login_required
@require_POST
def profile_item_remove(request, pk, kind: str, item_pk):
    child = get_child_for_user(request.user, pk)
    require(access.can_edit_profile(request.user, child))
    spec = PROFILE_ITEMS[kind]
    item = spec.get(child, item_pk)
    spec.remove(actor=request.user, **{kind: item})
    messages.success(request, f"{item.name} has been removed.")
    return redirect("children:profile", pk=child.pk)


# Placements ----------------------------------------------------------------------------------


@login_required
def placement_add(request, pk):
    child = get_child_for_user(request.user, pk)
    require(access.can_manage_placements(request.user, child))
    form = PlacementForm(_data(request), homes=homes_for_placement(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            placement = services.placement_start(
                actor=request.user,
                child=child,
                home=form.cleaned_data["home"],
                start_date=form.cleaned_data["start_date"],
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(
                request, f"{child.display_name} has been placed at {placement.home.name}."
            )
            return redirect("children:placements", pk=child.pk)
    _log(request, child)
    return render(
        request, "children/placement_form.html", _record(request, child, "placements", form=form)
    )


@login_required
def placement_end(request, pk, placement_pk):
    child = get_child_for_user(request.user, pk)
    require(access.can_manage_placements(request.user, child))
    placement = access.get_placement_for_child(child, placement_pk)
    form, latest, placement, saved = versioned_edit(
        request,
        record=placement,
        build=lambda data, record: PlacementEndForm(
            data, initial={"version": record.version, "end_date": timezone.localdate()}
        ),
        save=lambda form: services.placement_end(
            actor=request.user,
            placement=placement,
            end_date=form.cleaned_data["end_date"],
            expected_version=form.cleaned_data["version"],
        ),
        refetch=lambda: access.get_placement_for_child(child, placement_pk),
    )
    if saved:
        messages.success(request, f"The placement at {placement.home.name} has ended.")
        return redirect("children:placements", pk=child.pk)
    _log(request, child)
    return render(
        request,
        "children/placement_end.html",
        _record(request, child, "placements", form=form, placement=placement, latest=latest),
    )


# Allocation and police access ----------------------------------------------------------------


@login_required
def child_allocate(request, pk):
    child = get_child_for_user(request.user, pk)
    require(access.can_allocate(request.user, child))
    form = AllocateForm(
        _data(request),
        social_workers=selectors.social_workers_for_allocation(child=child),
        initial={"social_worker": child.allocated_social_worker_id},
    )
    if request.method == "POST" and form.is_valid():
        social_worker = form.cleaned_data["social_worker"]
        try:
            services.child_allocate(actor=request.user, child=child, social_worker=social_worker)
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(
                request, f"{child.display_name} is allocated to {social_worker.full_name}."
            )
            return redirect("children:detail", pk=child.pk)
    _log(request, child)
    return render(request, "children/allocate.html", _record(request, child, "summary", form=form))


def _end_of_day(day):
    """Midnight at the end of `day`, Europe/London."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


@login_required
def police_access(request, pk):
    child = get_child_for_user(request.user, pk)
    require(access.can_grant_police_access(request.user, child))
    default_end = timezone.localdate() + timedelta(days=POLICE_GRANT_DEFAULT_DAYS)
    form = PoliceGrantForm(
        _data(request),
        officers=selectors.police_officers_for_grant(),
        initial={"expires_at": default_end},
    )
    if request.method == "POST" and form.is_valid():
        officer = form.cleaned_data["officer"]
        try:
            services.police_grant_create(
                actor=request.user,
                child=child,
                officer=officer,
                reason=form.cleaned_data["reason"],
                expires_at=_end_of_day(form.cleaned_data["expires_at"]),
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, f"{officer.full_name} can see {child.display_name}'s record.")
            return redirect("children:police_access", pk=child.pk)
    _log(request, child)
    return render(
        request,
        "children/police_access.html",
        _record(
            request,
            child,
            "summary",
            form=form,
            grants=selectors.child_police_grants(child=child),
        ),
    )


@login_required
@require_POST
def police_access_revoke(request, pk, grant_pk):
    child = get_child_for_user(request.user, pk)
    require(access.can_grant_police_access(request.user, child))
    grant = access.get_police_grant_for_child(child, grant_pk)
    services.police_grant_revoke(actor=request.user, grant=grant)
    messages.success(
        request, f"{grant.user.full_name} can no longer see {child.display_name}'s record."
    )
    return redirect("children:police_access", pk=child.pk)


# CSE risk assessments ------------------------------------------------------------------------


RISK_TAGS = {
    RiskLevel.HIGH: "govuk-tag--red",
    RiskLevel.MEDIUM: "govuk-tag--orange",
    RiskLevel.LOW: "govuk-tag--green",
    "": "govuk-tag--grey",
}


def risk_tag(level: str) -> dict:
    return {
        "label": RiskLevel(level).label if level else "Not assessed",
        "tag": RISK_TAGS.get(level, "govuk-tag--grey"),
    }


def _assessment_rows(assessments) -> list[dict]:
    return [
        {"assessment": assessment, "risk": risk_tag(assessment.level)} for assessment in assessments
    ]


@login_required
@require_GET
def assessment_list(request, child_pk):
    child = access.get_child_for_assessments(request.user, child_pk)
    assessments = list(child.cse_assessments.select_related("assessed_by"))
    _log(request, child)
    return render(
        request,
        "children/assessments.html",
        {
            "child": child,
            "rows": _assessment_rows(assessments),
            "current": assessments[0] if assessments else None,
            "risk": risk_tag(child.cse_risk),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_GET
def assessment_detail(request, child_pk, pk):
    child = access.get_child_for_assessments(request.user, child_pk)
    assessment = access.get_assessment_for_child(child, pk)
    groups: dict[str, dict] = {}
    answers = {answer.indicator_id: answer for answer in assessment.answers.all()}
    for indicator in in_domain_order([answer.indicator for answer in answers.values()]):
        answer = answers[indicator.pk]
        domain = answer.indicator.get_domain_display()
        groups.setdefault(domain, {"domain": domain, "answers": []})["answers"].append(answer)
    _log(request, child)
    return render(
        request,
        "children/assessment_detail.html",
        {
            "child": child,
            "assessment": assessment,
            "risk": risk_tag(assessment.level),
            "calculated": risk_tag(assessment.calculated_level),
            "groups": list(groups.values()),
        },
    )


@login_required
def assessment_new(request, child_pk):
    child = access.get_child_for_assessments(request.user, child_pk)
    indicators = selectors.indicators_for(child.placing_authority)
    form = AssessmentForm(
        _data(request),
        indicators=indicators,
        initial={"assessed_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assessment = services.assessment_complete(
                actor=request.user,
                child=child,
                indicators=indicators,
                answers=form.answers(),
                assessed_on=data["assessed_on"],
                override_level=data["override_level"],
                override_reason=data["override_reason"],
                summary=data["summary"],
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(
                request,
                f"{child.display_name}'s CSE risk is {assessment.get_level_display().lower()} "
                f"(score {assessment.score}). The next review is due by "
                f"{assessment.review_due_on:%-d %B %Y}.",
            )
            return redirect("children:assessment", child_pk=child.pk, pk=assessment.pk)
    _log(request, child)
    return render(request, "children/assessment_form.html", {"child": child, "form": form})


@login_required
def indicators(request):
    """The standard indicators and the authority's own; a service manager adds their own."""
    require(access.can_manage_indicators(request.user))
    authority = request.user.organisation
    form = IndicatorForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            indicator = services.indicator_add(
                actor=request.user,
                authority=authority,
                domain=form.cleaned_data["domain"],
                text=form.cleaned_data["text"],
                weight=int(form.cleaned_data["weight"]),
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, f"‘{indicator.text}’ has been added to the screening tool.")
            return redirect("children:indicators")
    groups: dict[str, dict] = {}
    for indicator in in_domain_order(selectors.indicators_for(authority)):
        domain = indicator.get_domain_display()
        groups.setdefault(domain, {"domain": domain, "indicators": []})["indicators"].append(
            indicator
        )
    return render(
        request,
        "children/indicators.html",
        {"authority": authority, "groups": list(groups.values()), "form": form},
    )

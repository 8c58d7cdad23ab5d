"""Alert pages: the alerts list, one alert and acknowledging it; the authority's escalation
rules, changing one, and the out-of-hours contact.

Each view: parse input, fetch through access (forbidden looks like missing), check the action
with `require`, call one service or selector, render. Every successful POST redirects with a
success message.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from apps.accounts import services as accounts_services
from apps.alerts import access, selectors, services
from apps.alerts.access import (
    get_alert_for_user,
    get_authority_for_user,
    get_notice_for_user,
    get_rule_for_user,
)
from apps.alerts.forms import AcknowledgeForm, AlertFilterForm, OutOfHoursForm, RuleForm
from apps.alerts.models import RULE_PARAMETERS, AlertStatus, RecipientRole, Severity
from apps.children.access import require
from apps.children.models import AccessLogKind
from apps.children.services import access_log_record
from apps.core.errors import ApplicationError
from apps.core.pagination import paginate
from apps.core.panels import page_panels
from apps.core.web import versioned_edit

ALERTS_PER_PAGE = 25
SEVERITY_TAGS = {
    Severity.IMMEDIATE: "govuk-tag--red",
    Severity.HIGH: "govuk-tag--orange",
    Severity.STANDARD: "govuk-tag--blue",
}
STATUS_TAGS = {AlertStatus.OPEN: "govuk-tag--red", AlertStatus.ACKNOWLEDGED: "govuk-tag--green"}
LADDER_STEPS = {0: "First recipients", 1: "Service managers", 2: "Out-of-hours contact"}
ROLE_NAMES = dict(RecipientRole.choices)


# Helpers -------------------------------------------------------------------------------------


def _data(request):
    return request.POST if request.method == "POST" else None


def severity_tag(alert) -> dict:
    return {"label": alert.get_severity_display(), "tag": SEVERITY_TAGS.get(alert.severity, "")}


def status_tag(alert) -> dict:
    return {"label": alert.get_status_display(), "tag": STATUS_TAGS.get(alert.status, "")}


def ladder_step(level: int) -> str:
    return LADDER_STEPS.get(level, f"Step {level + 1}")


def recipients_text(rule) -> str:
    return "; ".join(str(ROLE_NAMES.get(role, role)) for role in rule.recipient_roles)


# The alerts list -----------------------------------------------------------------------------


@login_required
@require_GET
def alert_list(request):
    """Everyone signed in has a list: at least the alerts sent to them."""
    form = AlertFilterForm(request.GET, homes=selectors.alert_homes(request.user))
    filters = form.filters()
    page, page_range = paginate(
        request, selectors.alert_list(request.user, **filters), ALERTS_PER_PAGE
    )
    rows = [
        {
            "alert": alert,
            "severity": severity_tag(alert),
            "status": status_tag(alert),
            "step": ladder_step(alert.level),
        }
        for alert in page
    ]
    return render(
        request,
        "alerts/list.html",
        {
            "filter_form": form,
            "filtered": any(request.GET.get(name) for name in form.fields),
            "page": page,
            "page_range": page_range,
            "rows": rows,
            "can_manage_rules": access.can_manage_rules(request.user),
        },
    )


# One alert -----------------------------------------------------------------------------------


def _detail(request, alert, *, form):
    return render(
        request,
        "alerts/detail.html",
        {
            "alert": alert,
            "severity": severity_tag(alert),
            "status": status_tag(alert),
            "step": ladder_step(alert.level),
            "ladder": services.ladder_description(alert),
            "episodes": selectors.alert_episodes(request.user, alert),
            "deliveries": [
                {"delivery": delivery, "step": ladder_step(delivery.level)}
                for delivery in selectors.alert_deliveries(alert)
            ],
            "child_visible": access.can_open_child(request.user, alert),
            "form": form,
            "can_acknowledge": alert.is_open and access.can_acknowledge(request.user, alert),
            "panels": page_panels("alerts:detail", request, alert=alert),
        },
    )


@login_required
@require_GET
def alert_detail(request, pk):
    alert = get_alert_for_user(request.user, pk)
    services.notifications_mark_read(user=request.user, alert=alert)
    access_log_record(
        user=request.user, child=alert.child, kind=AccessLogKind.RECORD, path=request.path
    )
    return _detail(request, alert, form=AcknowledgeForm(record=alert))


@login_required
@require_POST
def alert_acknowledge(request, pk):
    alert = get_alert_for_user(request.user, pk)
    require(access.can_acknowledge(request.user, alert))
    form, _latest, alert, saved = versioned_edit(
        request,
        record=alert,
        build=lambda data, record: AcknowledgeForm(data, record=record),
        save=lambda form: services.alert_acknowledge(
            actor=request.user,
            alert=alert,
            expected_version=form.cleaned_data["version"],
            note=form.cleaned_data["note"],
        ),
        refetch=lambda: get_alert_for_user(request.user, pk),  # as saved, not as changed
    )
    if saved:
        messages.success(request, "You have acknowledged the alert. The ladder has stopped.")
        return redirect("alerts:detail", pk=alert.pk)
    return _detail(request, alert, form=form)


# Escalation rules ----------------------------------------------------------------------------


@login_required
@require_GET
def rule_list(request):
    authority = get_authority_for_user(request.user)
    rules = [
        {"rule": rule, "recipients": recipients_text(rule)}
        for rule in selectors.rule_list(request.user)
    ]
    return render(request, "alerts/rules.html", {"authority": authority, "rules": rules})


@login_required
def rule_edit(request, pk):
    rule = get_rule_for_user(request.user, pk)
    form, latest, rule, saved = versioned_edit(
        request,
        record=rule,
        build=lambda data, record: RuleForm(data, rule=record),
        save=lambda form: services.rule_update(
            actor=request.user,
            rule=rule,
            expected_version=form.cleaned_data["version"],
            **{name: value for name, value in form.cleaned_data.items() if name != "version"},
        ),
        refetch=lambda: get_rule_for_user(request.user, pk),  # as saved, not as typed
    )
    if saved:
        messages.success(request, f"‘{rule.name}’ has been updated.")
        return redirect("alerts:rules")
    return render(
        request,
        "alerts/rule_form.html",
        {
            "rule": rule,
            "form": form,
            "latest": latest,
            "parameters": RULE_PARAMETERS[rule.rule_type],
        },
    )


@login_required
def out_of_hours_edit(request):
    authority = get_authority_for_user(request.user)
    form = OutOfHoursForm(
        _data(request),
        initial={
            "out_of_hours_name": authority.out_of_hours_name,
            "out_of_hours_email": authority.out_of_hours_email,
            "missing_inbox_email": authority.missing_inbox_email,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            accounts_services.authority_out_of_hours_update(
                actor=request.user,
                authority=authority,
                name=form.cleaned_data["out_of_hours_name"],
                email=form.cleaned_data["out_of_hours_email"],
                missing_inbox_email=form.cleaned_data["missing_inbox_email"],
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, "The contacts have been updated.")
            return redirect("alerts:rules")
    return render(request, "alerts/out_of_hours_form.html", {"authority": authority, "form": form})


# Notices -------------------------------------------------------------------------------------

NOTICES_PER_PAGE = 50


@login_required
@require_GET
def notice_list(request):
    """What the user has been told in Homeward: a child reported missing, back, re-graded; a
    task given to them. Unread first in weight, newest first in order."""
    page, page_range = paginate(request, selectors.notice_inbox(request.user), NOTICES_PER_PAGE)
    return render(request, "alerts/notices.html", {"page": page, "page_range": page_range})


@login_required
@require_GET
def notice_open(request, pk):
    """Opening a notice marks it read (the episode's "Who has been told" shows when) and
    leads to the record it is about."""
    delivery = get_notice_for_user(request.user, pk)
    services.notice_mark_read(user=request.user, delivery=delivery)
    return redirect(delivery.notice.path)

"""Report pages: the dashboard, exports (streamed, or written by a worker with a progress page),
the SSDA903 Missing table with its validation, and the police pack of an episode.

Each view: parse input, check access (forbidden looks like missing), call one selector or
service, render. Every export, and every print or download of a police pack, is written to
the access log.
"""

import base64
import copy

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from apps.children.access import require
from apps.children.models import AccessLogKind
from apps.children.services import access_log_record
from apps.core.errors import ApplicationError
from apps.episodes.access import get_episode_for_user
from apps.reports import access, exports, selectors, services
from apps.reports.forms import DashboardFilterForm, Ssda903Form, parse
from apps.reports.models import ExportStatus
from apps.reports.ssda903 import RULES, ssda903_missing
from apps.reports.tables import (
    DASHBOARD_TABLES,
    LARGE_TABLES,
    SSDA903_TABLES,
    build,
    export_size,
)

# htmx stops polling when it is answered with this status (and still swaps the content in).
HTMX_STOP_POLLING = 286
FILE_FORMATS = ("csv", "xlsx")
SSDA903_PREVIEW_ROWS = 50
CHART_COLOURS = ["#1d70b8", "#4c2c92", "#f47738"]


# The dashboard -------------------------------------------------------------------------------


def _charts(tables) -> dict:
    """The data of each chart: the same numbers as its table (the table is built first)."""
    monthly = tables["monthly"]
    homes = tables["homes"]
    comparison = tables["comparison"]
    return {
        "monthly": {
            "type": "bar",
            "stacked": True,
            "labels": [row[0] for row in monthly.rows],
            "series": [
                {
                    "label": monthly.headers[i],
                    "data": [row[i] for row in monthly.rows],
                    "colour": CHART_COLOURS[i - 1],
                }
                for i in (1, 2, 3)
            ],
            "axis": "Episodes",
        },
        "homes": {
            "type": "bar",
            "horizontal": True,
            "labels": [row[0] for row in homes.rows],
            "series": [
                {
                    "label": homes.headers[5],
                    "data": [row[5] for row in homes.rows],
                    "colour": CHART_COLOURS[0],
                }
            ],
            "axis": "Episodes per 1,000 placement nights",
        },
        "comparison": {
            "type": "bar",
            "labels": [row[0] for row in comparison.rows],
            "series": [
                {
                    "label": "This period",
                    "data": [row[1] for row in comparison.rows],
                    "colour": CHART_COLOURS[0],
                },
                {
                    "label": "A year earlier",
                    "data": [row[2] for row in comparison.rows],
                    "colour": CHART_COLOURS[2],
                },
            ],
            "axis": "Episodes",
        },
    }


SECTION_ORDER = [
    "missing-now",
    "monthly",
    "comparison",
    "homes",
    "repeat",
    "interviews",
    "meetings",
    "alerts",
    "age",
    "area",
    "regulation-40",
]
EMPTY = {
    "missing-now": "No one is missing or away now",
    "repeat": "No child was missing 3 or more times within 90 days",
}
NOTES = {
    "alerts": "The home and placing authority filters apply to alerts; category and age do not.",
    "regulation-40": "An episode is flagged when it is recorded as suspected sexual "
    "exploitation or a serious police incident; the home's manager records the decision.",
    "homes": "Placement nights count each night a child lived at the home in the period.",
    "meetings": "A meeting's trigger is the earliest alert it was scheduled from, or the day it "
    "was scheduled. Working days are Monday to Friday. Category and age do not apply.",
}


@login_required
@require_GET
def dashboard(request):
    require(access.can_see_dashboard(request.user))
    now = timezone.now()
    form = DashboardFilterForm(request.GET, user=request.user, today=timezone.localdate(now))
    context = {"form": form}
    if form.is_valid():
        figures = selectors.dashboard(request.user, form.filters(), now=now)
        tables = {
            slug: build(figures) for slug, build in DASHBOARD_TABLES.items() if slug != "episodes"
        }
        charts = _charts(tables)
        context.update(
            figures=figures,
            all_homes=figures.homes[-1],
            sections=[
                {
                    "table": tables[slug],
                    "chart": charts.get(slug),
                    "chart_id": f"chart-{slug}",
                    "note": NOTES.get(slug, ""),
                    "empty": EMPTY.get(slug, "None in this period"),
                }
                for slug in SECTION_ORDER
            ],
            query=form.query_string(),
            can_export_ssda903=access.can_export_ssda903(request.user),
        )
    return render(request, "reports/dashboard.html", context)


# Exports -------------------------------------------------------------------------------------


def _export_error(request, message: str, status: int = 400, back=None, back_to="Dashboard"):
    return render(
        request,
        "reports/export_error.html",
        {"message": message, "back": back or reverse("reports:dashboard"), "back_to": back_to},
        status=status,
    )


@login_required
@require_GET
def export(request):
    """?table=<name>&filetype=csv|xlsx plus the dashboard's filters (or ?year= for SSDA903).

    A short table streams back at once; a long one (over EXPORT_BACKGROUND_ROWS rows) is
    written by a worker, and the browser goes to the job's page to watch and download it.
    """
    user = request.user
    require(access.can_see_dashboard(user) or access.can_export_ssda903(user))
    params = request.GET.dict()
    slug = params.pop("table", "")
    file_format = params.pop("filetype", "csv")
    if slug not in DASHBOARD_TABLES and slug not in SSDA903_TABLES:
        return _export_error(request, "Choose a table to export")
    if file_format not in FILE_FORMATS:
        return _export_error(request, "Choose CSV or XLSX")
    now = timezone.now()
    try:
        parsed = parse(user, slug, params, today=timezone.localdate(now))
        services.ssda903_ready_check(user=user, slug=slug, year=parsed)
    except services.NotReady as error:
        return _export_error(
            request, error.message, status=409, back=reverse("reports:ssda903"), back_to="SSDA903"
        )
    except ApplicationError as error:
        return _export_error(request, error.message)
    if slug in LARGE_TABLES and services.is_large(export_size(user, slug, parsed)):
        job = services.export_job_create(
            actor=user, kind=slug, file_format=file_format, params=params
        )
        return redirect("reports:export_job", pk=job.pk)
    table = build(user, slug, parsed, now=now)
    services.export_record(user=user, table=table, path=request.get_full_path())
    return file_response(table, file_format, now)


def file_response(table, file_format: str, now):
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
    name = exports.filename(table, file_format, stamp)
    if file_format == "csv":
        response = StreamingHttpResponse(
            exports.csv_lines(table), content_type=exports.CONTENT_TYPES["csv"]
        )
    else:
        response = HttpResponse(
            exports.xlsx_bytes(table), content_type=exports.CONTENT_TYPES["xlsx"]
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def export_job(request, pk):
    job = access.get_export_job_for_user(request.user, pk)
    return render(request, "reports/export_job.html", {"job": job})


@require_GET
def export_job_status(request, pk):
    """The job's status alone, fetched by htmx every 2 seconds until it has finished."""
    if not request.user.is_authenticated:
        if request.headers.get("HX-Request"):
            # Not the sign-in page swapped into the status box: load it in place of the page.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = (
                f"{reverse(settings.LOGIN_URL)}?next={reverse('reports:export_job', args=[pk])}"
            )
            return response
        return redirect_to_login(request.get_full_path())
    job = access.get_export_job_for_user(request.user, pk)
    return render(
        request,
        "reports/_export_job_status.html",
        {"job": job},
        status=HTMX_STOP_POLLING if job.is_finished else 200,
    )


@login_required
@require_GET
def export_job_download(request, pk):
    job = access.get_export_job_for_user(request.user, pk)
    if job.status != ExportStatus.DONE or not job.file:
        return redirect("reports:export_job", pk=job.pk)
    services.export_download_record(user=request.user, job=job, path=request.get_full_path())
    response = FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=job.filename,
        content_type=exports.CONTENT_TYPES[job.file_format],
    )
    response["Cache-Control"] = "private, no-store"
    return response


# SSDA903 -------------------------------------------------------------------------------------


@login_required
@require_GET
def ssda903(request):
    require(access.can_export_ssda903(request.user))
    form = Ssda903Form(request.GET, today=timezone.localdate())
    context = {"form": form, "rules": RULES}
    if form.is_valid():
        year = form.cleaned_data["year"]
        report = ssda903_missing(request.user, year)
        rows_table = SSDA903_TABLES["ssda903"](report)
        preview_table = copy.copy(rows_table)
        preview_table.rows = rows_table.rows[:SSDA903_PREVIEW_ROWS]
        context.update(
            report=report,
            rows_table=rows_table,
            preview_table=preview_table,
            errors_table=SSDA903_TABLES["ssda903-errors"](report),
            year_query=f"year={year}",
            preview=preview_table.rows,
        )
    return render(request, "reports/ssda903.html", context)


# The police pack -----------------------------------------------------------------------------


def _pack(request, pk, *, kind: str):
    episode = get_episode_for_user(request.user, pk)
    require(access.can_open_police_pack(request.user, episode))
    pack = selectors.police_pack(request.user, episode)
    access_log_record(user=request.user, child=episode.child, kind=kind, path=request.path)
    return pack


@login_required
@require_GET
def police_pack(request, pk):
    pack = _pack(request, pk, kind=AccessLogKind.PROFILE)
    return render(request, "reports/police_pack.html", {**pack, "printing": False})


@login_required
@require_GET
def police_pack_print(request, pk):
    """The same page, logged as an export, which opens the browser's print dialogue."""
    pack = _pack(request, pk, kind=AccessLogKind.EXPORT)
    return render(request, "reports/police_pack.html", {**pack, "printing": True})


@login_required
@require_GET
def police_pack_download(request, pk):
    """The pack as one self-contained HTML file (styles and photo inside), logged as an
    export: to attach to an email to the police or keep with the missing person report."""
    pack = _pack(request, pk, kind=AccessLogKind.EXPORT)
    photo = None
    child = pack["child"]
    if pack["part_1"] and child.photo:
        try:
            with child.photo.open("rb") as file:
                data = base64.b64encode(file.read()).decode()
        except FileNotFoundError:
            data = None
        if data:
            extension = child.photo.name.rsplit(".", 1)[-1].lower()
            kind = {"png": "png", "gif": "gif", "webp": "webp"}.get(extension, "jpeg")
            photo = f"data:image/{kind};base64,{data}"
    html = render_to_string(
        "reports/police_pack_download.html", {**pack, "photo_data": photo}, request=request
    )
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = (
        f'attachment; filename="police-pack-{child.child_id}-{stamp}.html"'
    )
    response["Cache-Control"] = "private, no-store"
    return response

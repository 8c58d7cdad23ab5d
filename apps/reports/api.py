"""Dashboard figures and exports in the REST API, with the same filters and rules as the web:
the figures come from apps.reports.selectors with the caller's scope, every export is written
to the access log, and a long export is written by a worker (202 with the job to poll)."""

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.children.access import require
from apps.core.api import error_responses
from apps.core.errors import ApplicationError
from apps.reports import access, selectors, services
from apps.reports.forms import parse, parse_dashboard, parse_year
from apps.reports.models import ExportStatus
from apps.reports.ssda903 import ssda903_missing
from apps.reports.tables import (
    DASHBOARD_TABLES,
    LARGE_TABLES,
    SSDA903_TABLES,
    build,
    export_size,
    plain,
)
from apps.reports.views import FILE_FORMATS, file_response

TAGS = ["reports"]

FILTER_PARAMETERS = [
    OpenApiParameter(
        "period",
        OpenApiTypes.STR,
        enum=["12m", "24m", "quarter", "year", "custom"],
        description="A named period ending today (default 12m), or custom with date_from and "
        "date_to.",
    ),
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="First day (UK), custom."),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="Last day (UK), custom."),
    OpenApiParameter("home", OpenApiTypes.INT, description="A home's id."),
    OpenApiParameter("authority", OpenApiTypes.INT, description="A placing authority's id."),
    OpenApiParameter("category", OpenApiTypes.STR, enum=["missing", "missing_overnight", "away"]),
    OpenApiParameter("age_band", OpenApiTypes.STR, enum=["16_plus", "under_16"]),
]
YEAR_PARAMETER = OpenApiParameter(
    "year",
    OpenApiTypes.INT,
    description="SSDA903 collection year by its first year: 2025 is 1 April 2025 to 31 March "
    "2026 (default: the current one).",
)


class TableOutputSerializer(serializers.Serializer):
    title = serializers.CharField()
    caption = serializers.CharField()
    summary = serializers.CharField()
    headers = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.ListField(child=serializers.JSONField()))
    total = serializers.ListField(child=serializers.JSONField(), allow_null=True)

    class Meta:
        ref_name = "ReportTable"


def table_data(table) -> dict:
    return {
        "title": table.title,
        "caption": table.caption,
        "summary": table.summary,
        "headers": table.headers,
        "rows": [[plain(cell) for cell in row] for row in table.rows],
        "total": [plain(cell) for cell in table.footer] if table.footer else None,
    }


def _counts(counts) -> dict:
    return counts.as_dict()


class DashboardApi(APIView):
    class OutputSerializer(serializers.Serializer):
        period = serializers.DictField()
        missing_now = serializers.ListField(child=serializers.DictField())
        months = serializers.ListField(child=serializers.DictField())
        homes = serializers.ListField(child=serializers.DictField())
        repeat_missing = serializers.ListField(child=serializers.DictField())
        return_interviews = serializers.DictField()
        strategy_meetings = serializers.DictField()
        alerts = serializers.DictField()
        comparison = serializers.DictField()
        by_age = serializers.DictField()
        by_area = serializers.DictField()
        regulation_40 = serializers.DictField()
        tables = serializers.DictField(child=TableOutputSerializer())

        class Meta:
            ref_name = "Dashboard"

    @extend_schema(
        tags=TAGS,
        operation_id="reports_dashboard",
        summary="Dashboard figures for your scope and the filters",
        description="Service managers and home managers. The same figures as the dashboard "
        "page, and every table as the page shows it. Times are UTC; months are UK months.",
        parameters=FILTER_PARAMETERS,
        responses={200: OutputSerializer, **error_responses(400, 404)},
    )
    def get(self, request):
        require(access.can_see_dashboard(request.user))
        now = timezone.now()
        filters = parse_dashboard(
            request.user, request.query_params.dict(), today=timezone.localdate(now)
        )
        d = selectors.dashboard(request.user, filters, now=now)
        c = d.comparison
        data = {
            "period": {
                "date_from": filters.start,
                "date_to": filters.end,
                "home": filters.home_id,
                "authority": filters.authority_id,
                "category": filters.category,
                "age_band": filters.age_band,
            },
            "missing_now": [
                {
                    "episode": item["episode"].pk,
                    "child": item["episode"].child_id,
                    "home": item["episode"].home_id,
                    "kind": item["episode"].kind,
                    "last_seen_at": item["episode"].last_seen_at,
                    "elapsed_minutes": int(item["elapsed"].total_seconds() // 60),
                }
                for item in d.missing_now
            ],
            "months": [
                {"month": f"{month:%Y-%m}", **_counts(counts)} for month, counts in d.months
            ],
            "homes": [
                {
                    "home": home.home_id or None,
                    "name": home.name,
                    "episodes": home.episodes,
                    "overnight_episodes": home.overnight,
                    "children_involved": home.children_involved,
                    "placement_nights": home.nights,
                    "episodes_per_1000_nights": home.rate,
                }
                for home in d.homes
            ],
            "repeat_missing": [
                {
                    "child": child.child_pk,
                    "child_id": child.child_id,
                    "episodes": child.episodes,
                    "most_in_90_days": child.most_in_window,
                    "latest_started_at": child.latest,
                }
                for child in d.repeat
            ],
            "return_interviews": {
                "total": d.interviews.total,
                "due": d.interviews.due,
                "offered": d.interviews.offered,
                "held_within_72_hours": d.interviews.held_in_time,
                "accepted": d.interviews.accepted,
            },
            "strategy_meetings": {
                "triggered": d.meetings.triggered,
                "held_within_5_working_days": d.meetings.held_in_time,
                "held_later": d.meetings.held_late,
                "not_held": d.meetings.not_held,
            },
            "alerts": {
                "raised": d.alerts.raised,
                "acknowledged_in_time": d.alerts.in_time,
                "acknowledged_late": d.alerts.late,
                "not_acknowledged": d.alerts.not_acknowledged,
            },
            "comparison": {
                "this_period": _counts(c.this_period),
                "a_year_earlier": _counts(c.a_year_earlier),
                "change": c.change,
                "change_percent": c.change_percent,
                "compared_with": {
                    "date_from": c.baseline.start.isoformat(),
                    "date_to": c.baseline.end.isoformat(),
                },
                "annualised": c.annualised,
                "ratio": c.ratio,
                "on_course_to_double": c.on_course_to_double,
            },
            "by_age": {band: _counts(counts) for band, counts in d.by_age.items()},
            "by_area": {area: _counts(counts) for area, counts in d.by_area.items()},
            "regulation_40": {
                "flagged_episodes": d.regulation_40.flagged,
                "suspected_sexual_exploitation": d.regulation_40.sexual_exploitation,
                "serious_police_incident": d.regulation_40.serious_police_incident,
                "notified": d.regulation_40.notified,
                "not_notifiable": d.regulation_40.not_notifiable,
                "decision_needed": d.regulation_40.decision_needed,
            },
            "tables": {
                slug: table_data(build(d))
                for slug, build in DASHBOARD_TABLES.items()
                if slug != "episodes"
            },
        }
        return Response(data)


class ExportJobOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    filetype = serializers.CharField(source="file_format")
    status = serializers.CharField()
    progress = serializers.IntegerField()
    rows = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    error = serializers.CharField()
    download = serializers.SerializerMethodField()

    class Meta:
        ref_name = "ExportJob"

    def get_download(self, job) -> str | None:
        if job.status != ExportStatus.DONE:
            return None
        return reverse("api:reports_export_job_file", args=[job.pk])


class ExportApi(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="reports_export",
        summary="Download a table as CSV or XLSX",
        description="`table` is one of: "
        + ", ".join([*DASHBOARD_TABLES, *SSDA903_TABLES])
        + ". Dashboard tables take the dashboard filters; ssda903 and ssda903-errors take "
        "`year` (service managers). A long export answers 202 with the job to poll. Every "
        "export is written to the access log.",
        parameters=[
            OpenApiParameter("table", OpenApiTypes.STR, required=True),
            OpenApiParameter("filetype", OpenApiTypes.STR, enum=list(FILE_FORMATS)),
            *FILTER_PARAMETERS,
            YEAR_PARAMETER,
        ],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="The file"),
            202: ExportJobOutputSerializer,
            **error_responses(400, 404, 409),
        },
    )
    def get(self, request):
        user = request.user
        require(access.can_see_dashboard(user) or access.can_export_ssda903(user))
        params = request.query_params.dict()
        slug = params.pop("table", "")
        file_format = params.pop("filetype", "csv")
        if slug not in DASHBOARD_TABLES and slug not in SSDA903_TABLES:
            raise ApplicationError("Choose a table to export", fields={"table": ["Unknown"]})
        if file_format not in FILE_FORMATS:
            raise ApplicationError("Choose CSV or XLSX", fields={"filetype": ["csv or xlsx"]})
        now = timezone.now()
        parsed = parse(user, slug, params, today=timezone.localdate(now))
        services.ssda903_ready_check(user=user, slug=slug, year=parsed)
        if slug in LARGE_TABLES and services.is_large(export_size(user, slug, parsed)):
            job = services.export_job_create(
                actor=user, kind=slug, file_format=file_format, params=params
            )
            return Response(ExportJobOutputSerializer(job).data, status=status.HTTP_202_ACCEPTED)
        table = build(user, slug, parsed, now=now)
        services.export_record(user=user, table=table, path=request.get_full_path())
        return file_response(table, file_format, now)


class ExportJobApi(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="reports_export_job",
        summary="One of your export jobs, with its progress",
        responses={200: ExportJobOutputSerializer, **error_responses(404)},
    )
    def get(self, request, pk: int):
        job = access.get_export_job_for_user(request.user, pk)
        return Response(ExportJobOutputSerializer(job).data)


class ExportJobFileApi(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="reports_export_job_file",
        summary="Download the file of a finished export job (the download is logged)",
        responses={
            200: OpenApiResponse(OpenApiTypes.BINARY, description="The file"),
            409: OpenApiResponse(description="Not finished yet"),
            **error_responses(404),
        },
    )
    def get(self, request, pk: int):
        from django.http import FileResponse

        from apps.reports import exports

        job = access.get_export_job_for_user(request.user, pk)
        if job.status != ExportStatus.DONE or not job.file:
            return Response(
                {"message": "This export has not finished yet.", "fields": {}},
                status=status.HTTP_409_CONFLICT,
            )
        services.export_download_record(user=request.user, job=job, path=request.get_full_path())
        return FileResponse(
            job.file.open("rb"),
            as_attachment=True,
            filename=job.filename,
            content_type=exports.CONTENT_TYPES[job.file_format],
        )


class Ssda903Api(APIView):
    class OutputSerializer(serializers.Serializer):
        year = serializers.IntegerField()
        first_day = serializers.DateField()
        last_day = serializers.DateField()
        ready = serializers.BooleanField(
            help_text="No validation error: the table can be downloaded and sent."
        )
        rows = serializers.ListField(child=serializers.DictField())
        failures = serializers.ListField(child=serializers.DictField())

        class Meta:
            ref_name = "Ssda903Missing"

    @extend_schema(
        tags=TAGS,
        operation_id="reports_ssda903",
        summary="The SSDA903 Missing table of a collection year, with its validation",
        description="Service managers: children their authority places. Each failure names "
        "its row (1 is the first data row), CHILD and rule code. The read is logged.",
        parameters=[YEAR_PARAMETER],
        responses={200: OutputSerializer, **error_responses(400, 404)},
    )
    def get(self, request):
        if not access.can_export_ssda903(request.user):
            raise Http404("Not found")
        year = parse_year(request.query_params.dict(), today=timezone.localdate())
        report = ssda903_missing(request.user, year)
        services.export_record(
            user=request.user,
            table=SSDA903_TABLES["ssda903"](report),
            path=request.get_full_path(),
        )
        return Response(
            {
                "year": year,
                "first_day": report.first_day,
                "last_day": report.last_day,
                "ready": report.ready,
                "rows": report.rows,
                "failures": [
                    {"row": f.row, "child": f.child, "rule": f.code, "message": f.message}
                    for f in report.failures
                ],
            }
        )

from django.urls import path

from apps.reports import api

urlpatterns = [
    path("reports/dashboard/", api.DashboardApi.as_view(), name="reports_dashboard"),
    path("reports/export/", api.ExportApi.as_view(), name="reports_export"),
    path("reports/exports/<int:pk>/", api.ExportJobApi.as_view(), name="reports_export_job"),
    path(
        "reports/exports/<int:pk>/file/",
        api.ExportJobFileApi.as_view(),
        name="reports_export_job_file",
    ),
    path("reports/ssda903/", api.Ssda903Api.as_view(), name="reports_ssda903"),
]

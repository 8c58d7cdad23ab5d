from django.urls import path

from apps.reports import views

app_name = "reports"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("export/", views.export, name="export"),
    path("exports/<int:pk>/", views.export_job, name="export_job"),
    path("exports/<int:pk>/status/", views.export_job_status, name="export_job_status"),
    path("exports/<int:pk>/download/", views.export_job_download, name="export_job_download"),
    path("ssda903/", views.ssda903, name="ssda903"),
    path("police-pack/<int:pk>/", views.police_pack, name="police_pack"),
    path("police-pack/<int:pk>/print/", views.police_pack_print, name="police_pack_print"),
    path(
        "police-pack/<int:pk>/download/",
        views.police_pack_download,
        name="police_pack_download",
    ),
]

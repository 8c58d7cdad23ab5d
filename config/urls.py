from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from apps.core import views as core_views


def _superusers_only(request) -> bool:
    """The Django admin is for superusers: staff who are not see its sign-in page."""
    return request.user.is_active and request.user.is_superuser


admin.site.has_permission = _superusers_only

api_v1 = [
    path("", include("apps.accounts.api_urls")),
    path("", include("apps.homes.api_urls")),
    path("", include("apps.children.api_urls")),
    path("", include("apps.episodes.api_urls")),
    path("", include("apps.reports.api_urls")),
    path("", include("apps.alerts.api_urls")),
    path("", include("apps.strategy_meetings.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
]

urlpatterns = [
    path("", include("apps.site.urls")),
    path("account/", include("apps.accounts.urls")),
    path("homes/", include("apps.homes.urls")),
    path("", include("apps.children.urls")),  # /children/ and /meetings/ (CSE)
    path("", include("apps.episodes.urls")),  # /episodes/ and /meetings/regulation-40/
    path("reports/", include("apps.reports.urls")),
    path("alerts/", include("apps.alerts.urls")),
    path("meetings/", include("apps.strategy_meetings.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"))),
    path("healthz", core_views.healthz, name="healthz"),
]

handler404 = "apps.site.views.not_found"
handler500 = "apps.site.views.server_error"
handler403 = "apps.site.views.permission_denied"
handler400 = "apps.site.views.bad_request"

from django.urls import path

from apps.alerts import api

urlpatterns = [
    path("alerts/", api.AlertListApi.as_view(), name="alert_list"),
    path("alerts/<int:pk>/", api.AlertDetailApi.as_view(), name="alert_detail"),
    path(
        "alerts/<int:pk>/acknowledge/",
        api.AlertAcknowledgeApi.as_view(),
        name="alert_acknowledge",
    ),
    path("alerts/rules/", api.RuleListApi.as_view(), name="alert_rule_list"),
    path("alerts/rules/<int:pk>/", api.RuleDetailApi.as_view(), name="alert_rule_detail"),
]

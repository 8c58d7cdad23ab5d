from django.urls import path

from apps.alerts import views

app_name = "alerts"

urlpatterns = [
    path("", views.alert_list, name="list"),
    path("<int:pk>/", views.alert_detail, name="detail"),
    path("<int:pk>/acknowledge/", views.alert_acknowledge, name="acknowledge"),
    # Notices told to the signed-in user.
    path("notices/", views.notice_list, name="notices"),
    path("notices/<int:pk>/", views.notice_open, name="notice_open"),
    # The authority's escalation rules (service managers).
    path("rules/", views.rule_list, name="rules"),
    path("rules/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("rules/out-of-hours/", views.out_of_hours_edit, name="out_of_hours"),
]

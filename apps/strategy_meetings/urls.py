from django.urls import path

from apps.strategy_meetings import views

app_name = "strategy_meetings"

urlpatterns = [
    # Lists.
    path("", views.meeting_list, name="list"),
    path("my-actions/", views.my_actions, name="my_actions"),
    # A child's meetings.
    path("child/<int:child_pk>/", views.child_meetings, name="child"),
    path("child/<int:child_pk>/schedule/", views.meeting_schedule, name="schedule"),
    # One meeting.
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/move/", views.meeting_move, name="move"),
    path("<int:pk>/cancel/", views.meeting_cancel, name="cancel"),
    path("<int:pk>/record/", views.meeting_record, name="record"),
    path("<int:pk>/attendees/new/", views.attendee_add, name="attendee_add"),
    path(
        "<int:pk>/attendees/<int:attendee_pk>/remove/",
        views.attendee_remove,
        name="attendee_remove",
    ),
    path("<int:pk>/actions/new/", views.action_add, name="action_add"),
    path("actions/<int:action_pk>/complete/", views.action_complete, name="action_complete"),
]

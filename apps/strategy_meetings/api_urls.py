from django.urls import path

from apps.strategy_meetings import api

urlpatterns = [
    path("meetings/", api.MeetingListApi.as_view(), name="meeting_list"),
    path("meetings/<int:pk>/", api.MeetingDetailApi.as_view(), name="meeting_detail"),
    path("meetings/<int:pk>/cancel/", api.MeetingCancelApi.as_view(), name="meeting_cancel"),
    path("meetings/<int:pk>/record/", api.MeetingRecordApi.as_view(), name="meeting_record"),
    path(
        "meetings/<int:pk>/attendees/",
        api.MeetingAttendeeListApi.as_view(),
        name="meeting_attendees",
    ),
    path(
        "meetings/<int:pk>/attendees/<int:attendee_pk>/remove/",
        api.MeetingAttendeeRemoveApi.as_view(),
        name="meeting_attendee_remove",
    ),
    path("meetings/<int:pk>/actions/", api.MeetingActionListApi.as_view(), name="meeting_actions"),
    path("actions/", api.MyActionListApi.as_view(), name="action_list"),
    path("actions/<int:pk>/complete/", api.ActionCompleteApi.as_view(), name="action_complete"),
]

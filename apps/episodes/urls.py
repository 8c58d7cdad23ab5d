from django.urls import include, path

from apps.episodes import views

app_name = "episodes"

# Mounted at the site root (config/urls.py): the episode pages under /episodes/, and the
# Regulation 40 decisions under /meetings/regulation-40/, where they have always been.
episode_patterns = [
    # Lists.
    path("missing-now/", views.missing_now, name="missing_now"),
    path("missing-now/rows/", views.missing_now_rows, name="missing_now_rows"),
    path("interviews/", views.interview_list, name="interviews"),
    # An authority's own first-hour steps.
    path("first-hour-steps/", views.authority_steps, name="authority_steps"),
    path("first-hour-steps/<int:pk>/move/", views.authority_step_move, name="authority_step_move"),
    path(
        "first-hour-steps/<int:pk>/active/",
        views.authority_step_active,
        name="authority_step_active",
    ),
    # A child's episodes, and reporting one.
    path("child/<int:child_pk>/", views.child_episodes, name="child"),
    path("report/<int:child_pk>/", views.episode_report, name="report"),
    path("record-late/<int:child_pk>/", views.episode_record_late, name="record_late"),
    # One episode.
    path("<int:pk>/", views.episode_detail, name="detail"),
    path("<int:pk>/edit/", views.episode_edit, name="edit"),
    path("<int:pk>/next-steps/", views.next_steps, name="next_steps"),
    path("<int:pk>/next-steps/<slug:step>/", views.step_tick, name="step_tick"),
    path("<int:pk>/updates/new/", views.update_add, name="update_add"),
    path("<int:pk>/return/", views.episode_return, name="return"),
    path("<int:pk>/interview/", views.interview_record, name="interview"),
    path("<int:pk>/interview/assign/", views.interview_assign, name="interview_assign"),
    path("<int:pk>/interview/share/", views.interview_share, name="interview_share"),
    path(
        "<int:pk>/interview/to-profile/",
        views.interview_to_profile,
        name="interview_to_profile",
    ),
    path("<int:pk>/visits/new/", views.visit_add, name="visit"),
]

reg40_patterns = [
    path("", views.reg40_list, name="reg40_list"),
    path("<int:pk>/", views.reg40_decide, name="reg40_decide"),
]

urlpatterns = [
    path("episodes/", include(episode_patterns)),
    path("meetings/regulation-40/", include(reg40_patterns)),
]

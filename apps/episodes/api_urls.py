from django.urls import path

from apps.episodes import api

urlpatterns = [
    path("episodes/", api.EpisodeListApi.as_view(), name="episode_list"),
    path("episodes/<int:pk>/", api.EpisodeDetailApi.as_view(), name="episode_detail"),
    path("episodes/<int:pk>/return/", api.EpisodeReturnApi.as_view(), name="episode_return"),
    path(
        "episodes/<int:pk>/updates/",
        api.EpisodeUpdateListApi.as_view(),
        name="episode_updates",
    ),
    path(
        "episodes/<int:pk>/interview/",
        api.EpisodeInterviewApi.as_view(),
        name="episode_interview",
    ),
    path(
        "episodes/<int:pk>/interview/assign/",
        api.EpisodeInterviewAssignApi.as_view(),
        name="episode_interview_assign",
    ),
    path("episodes/<int:pk>/visits/", api.EpisodeVisitListApi.as_view(), name="episode_visits"),
    path("regulation-40/", api.Reg40ListApi.as_view(), name="reg40_list"),
    path("regulation-40/<int:pk>/", api.Reg40DetailApi.as_view(), name="reg40_detail"),
    path("regulation-40/<int:pk>/decide/", api.Reg40DecideApi.as_view(), name="reg40_decide"),
]

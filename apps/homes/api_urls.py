from django.urls import path

from apps.homes import api

urlpatterns = [
    path("homes/", api.HomeListApi.as_view(), name="home_list"),
    path("homes/<int:pk>/", api.HomeDetailApi.as_view(), name="home_detail"),
]

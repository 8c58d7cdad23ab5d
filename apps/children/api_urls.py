from django.urls import path

from apps.children import api

urlpatterns = [
    path("children/", api.ChildListApi.as_view(), name="child_list"),
    path("children/<int:pk>/", api.ChildDetailApi.as_view(), name="child_detail"),
    path(
        "children/<int:pk>/placements/",
        api.ChildPlacementListApi.as_view(),
        name="child_placements",
    ),
    path("children/<int:pk>/profile/", api.ChildProfileApi.as_view(), name="child_profile"),
    path(
        "children/<int:pk>/profile/associates/",
        api.ProfileAssociateListApi.as_view(),
        name="child_profile_associates",
    ),
    path(
        "children/<int:pk>/profile/places/",
        api.ProfilePlaceListApi.as_view(),
        name="child_profile_places",
    ),
    path(
        "children/<int:pk>/cse-indicators/",
        api.ChildIndicatorListApi.as_view(),
        name="child_cse_indicators",
    ),
    path(
        "children/<int:pk>/cse-assessments/",
        api.ChildAssessmentListApi.as_view(),
        name="child_cse_assessments",
    ),
    path("placements/<int:pk>/", api.PlacementDetailApi.as_view(), name="placement_detail"),
    path("placements/<int:pk>/end/", api.PlacementEndApi.as_view(), name="placement_end"),
]

from django.urls import include, path

from apps.children import views

app_name = "children"

ASSOCIATE = {"kind": "associate"}
PLACE = {"kind": "place"}

child_urlpatterns = [
    path("", views.child_list, name="list"),
    path("new/", views.child_create, name="create"),
    # The record's tabs.
    path("<int:pk>/", views.child_detail, name="detail"),
    path("<int:pk>/profile/", views.child_profile, name="profile"),
    path("<int:pk>/placements/", views.child_placements, name="placements"),
    path("<int:pk>/history/", views.child_history, name="history"),
    path("<int:pk>/viewed/", views.child_access_log, name="access_log"),
    path("<int:pk>/photo/", views.child_photo, name="photo"),
    # Changes.
    path("<int:pk>/edit/", views.child_edit, name="edit"),
    path("<int:pk>/photo/edit/", views.photo_edit, name="photo_edit"),
    path("<int:pk>/profile/edit/", views.profile_edit, name="profile_edit"),
    path("<int:pk>/associates/new/", views.profile_item_form, ASSOCIATE, name="associate_add"),
    path(
        "<int:pk>/associates/<int:item_pk>/edit/",
        views.profile_item_form,
        ASSOCIATE,
        name="associate_edit",
    ),
    path(
        "<int:pk>/associates/<int:item_pk>/remove/",
        views.profile_item_remove,
        ASSOCIATE,
        name="associate_remove",
    ),
    path("<int:pk>/places/new/", views.profile_item_form, PLACE, name="place_add"),
    path("<int:pk>/places/<int:item_pk>/edit/", views.profile_item_form, PLACE, name="place_edit"),
    path(
        "<int:pk>/places/<int:item_pk>/remove/",
        views.profile_item_remove,
        PLACE,
        name="place_remove",
    ),
    path("<int:pk>/placements/new/", views.placement_add, name="placement_add"),
    path("<int:pk>/placements/<int:placement_pk>/end/", views.placement_end, name="placement_end"),
    path("<int:pk>/allocate/", views.child_allocate, name="allocate"),
    path("<int:pk>/police-access/", views.police_access, name="police_access"),
    path(
        "<int:pk>/police-access/<int:grant_pk>/revoke/",
        views.police_access_revoke,
        name="police_access_revoke",
    ),
]

# CSE risk assessments keep the paths they had under the multi-agency response (/meetings/).
cse_urlpatterns = [
    path("cse-indicators/", views.indicators, name="indicators"),
    path("child/<int:child_pk>/cse/", views.assessment_list, name="assessments"),
    path("child/<int:child_pk>/cse/new/", views.assessment_new, name="assessment_new"),
    path("child/<int:child_pk>/cse/<int:pk>/", views.assessment_detail, name="assessment"),
]

# Included at the root (config/urls.py): /children/... and the CSE pages under /meetings/.
urlpatterns = [
    path("children/", include(child_urlpatterns)),
    path("meetings/", include(cse_urlpatterns)),
]

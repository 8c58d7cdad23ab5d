from django.urls import path

from apps.homes import views

app_name = "homes"

urlpatterns = [
    path("", views.home_list, name="list"),
    path("new/", views.home_create, name="create"),
    path("<int:pk>/", views.home_detail, name="detail"),
    path("<int:pk>/edit/", views.home_edit, name="edit"),
    path("<int:pk>/staff/", views.home_staff, name="staff"),
    path("<int:pk>/staff/<int:user_pk>/remove/", views.home_staff_remove, name="staff_remove"),
]

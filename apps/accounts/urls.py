from django.urls import path

from apps.accounts import views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.login_view, name="login"),
    path("sign-out/", views.LogoutView.as_view(), name="logout"),
    path("two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/", views.two_factor_verify, name="two_factor_verify"),
    path("", views.account, name="account"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("users/", views.user_list, name="user_list"),
    path("users/invite/", views.user_invite, name="user_invite"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/edit/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/homes/", views.user_homes_edit, name="user_homes"),
    path(
        "users/<int:pk>/invitation/",
        views.user_invitation_resend,
        name="user_invitation_resend",
    ),
    path(
        "users/<int:pk>/deactivate/",
        views.user_status,
        {"action": "deactivate"},
        name="user_deactivate",
    ),
    path(
        "users/<int:pk>/reactivate/",
        views.user_status,
        {"action": "reactivate"},
        name="user_reactivate",
    ),
    path("users/<int:pk>/tokens/new/", views.api_token_create, name="api_token_create"),
    path(
        "users/<int:pk>/tokens/<int:token_pk>/revoke/",
        views.api_token_revoke,
        name="api_token_revoke",
    ),
    path("invitation/<uidb64>/<token>/", views.invitation, name="invitation"),
]

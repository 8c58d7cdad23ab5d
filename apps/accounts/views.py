from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login

from apps.accounts import selectors, services
from apps.accounts.forms import (
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
    SignInForm,
    TokenForm,
)
from apps.core.errors import ApplicationError


def _safe_next(request) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@sensitive_post_parameters("password")
@never_cache
def login_view(request):
    if request.user.is_authenticated and (not settings.REQUIRE_2FA or request.user.is_verified()):
        return redirect(_safe_next(request) or "site:start")
    form = SignInForm(request.POST if request.method == "POST" else None)
    attempts_left = None
    if request.method == "POST" and form.is_valid():
        # Axes watches this call: once the account is locked its middleware replaces whatever
        # this view returns with the lockout page.
        user = authenticate(
            request, email=form.cleaned_data["email"], password=form.cleaned_data["password"]
        )
        if user is not None:
            auth_login(request, user)
            if settings.REQUIRE_2FA:
                next_url = _safe_next(request)
                if next_url:
                    request.session["two_factor_next"] = next_url
                return redirect("accounts:two_factor_verify")
            return redirect(_safe_next(request) or "site:start")
        form.add_error(None, "Enter a correct email address and password")
        failures = getattr(request, "axes_failures_since_start", None)
        if failures is not None:
            attempts_left = max(settings.AXES_FAILURE_LIMIT - failures, 0)
    return render(
        request,
        "accounts/login.html",
        {"form": form, "next": _safe_next(request) or "", "attempts_left": attempts_left},
    )


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, "You have signed out.")
        return response


def _qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    return image.to_string(encoding="unicode")


@login_required
@never_cache
def two_factor_setup(request):
    """Show a QR code and key for a new authenticator app, then confirm it with a code."""
    if selectors.user_has_confirmed_device(request.user):
        return redirect("accounts:two_factor_verify")
    device = services.two_factor_device_for_setup(user=request.user)
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.two_factor_device_confirm(
                user=request.user, token=form.cleaned_data["token"]
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            otp_login(request, device)
            messages.success(request, "Two-factor sign-in is set up.")
            return redirect(request.session.pop("two_factor_next", None) or "site:start")
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": _qr_svg(device.config_url),
            "secret": b32encode(device.bin_key).decode(),
        },
    )


@login_required
@never_cache
def two_factor_verify(request):
    if request.user.is_verified():
        return redirect("site:start")
    if not selectors.user_has_confirmed_device(request.user):
        return redirect("accounts:two_factor_setup")
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.two_factor_verify(user=request.user, token=form.cleaned_data["token"])
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            otp_login(request, device)
            return redirect(request.session.pop("two_factor_next", None) or "site:start")
    return render(request, "accounts/two_factor_verify.html", {"form": form})


@login_required
def account(request):
    return render(
        request,
        "accounts/account.html",
        {"has_device": selectors.user_has_confirmed_device(request.user)},
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"

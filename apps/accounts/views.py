import datetime
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from apps.accounts import access, selectors, services
from apps.accounts.forms import (
    ApiTokenForm,
    InviteForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
    SignInForm,
    TokenForm,
    UserEditForm,
    UserHomesForm,
)
from apps.accounts.models import Role
from apps.core.clock import LONDON
from apps.core.errors import ApplicationError, StaleVersionError
from apps.core.pagination import paginate
from apps.core.scope import require
from apps.core.web import versioned_edit


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


# People: users, invitations, API tokens ------------------------------------------------------

USERS_PER_PAGE = 50


@login_required
def user_list(request):
    search = request.GET.get("q", "").strip()[:100]
    page, page_range = paginate(
        request, selectors.users_managed_by(request.user, search=search), USERS_PER_PAGE
    )
    return render(
        request,
        "accounts/users/list.html",
        {
            "users": list(page),
            "page": page,
            "page_range": page_range,
            "search": search,
            "can_invite": access.can_invite(request.user),
        },
    )


@login_required
def user_detail(request, pk):
    person = access.get_user_for_manager(request.user, pk)
    is_admin = access.can_manage_accounts(request.user)
    return render(
        request,
        "accounts/users/detail.html",
        {
            "person": person,
            "homes": selectors.user_homes(person),
            "tokens": list(selectors.user_api_tokens(person)) if is_admin else [],
            "is_admin": is_admin,
            "is_self": person.pk == request.user.pk,
            "works_in_homes": person.role in (Role.CARE_WORKER, Role.HOME_MANAGER),
            "invitation_open": not person.has_usable_password(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def user_status(request, pk, action):
    """Deactivate or reactivate a user: a confirmation page, then POST."""
    person = access.get_user_for_manager(request.user, pk)
    if request.method == "POST":
        try:
            if action == "deactivate":
                services.user_deactivate(actor=request.user, user=person)
                messages.success(request, f"{person.full_name} can no longer sign in.")
            else:
                services.user_reactivate(actor=request.user, user=person)
                messages.success(request, f"{person.full_name} can sign in again.")
        except ApplicationError as error:
            messages.error(request, error.message)
        return redirect("accounts:user_detail", pk=person.pk)
    return render(
        request, "accounts/users/status_confirm.html", {"person": person, "action": action}
    )


@login_required
def user_invite(request):
    require(access.can_invite(request.user))
    is_home_manager = not access.can_manage_accounts(request.user)
    form = InviteForm(
        request.POST if request.method == "POST" else None,
        home_choices=selectors.user_home_choices(request.user),
        home_manager=is_home_manager,
    )
    if request.method == "POST" and form.is_valid():
        fields = {"role": None, "organisation": None, "homes": (), **form.cleaned_data}
        try:
            person = services.user_invite(actor=request.user, **fields)
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, f"An invitation is on its way to {person.email}.")
            return redirect("accounts:user_detail", pk=person.pk)
    return render(request, "accounts/users/invite.html", {"form": form})


@login_required
def user_edit(request, pk):
    person = access.get_user_for_administrator(request.user, pk)

    def save(form):
        changes = {
            name: value
            for name, value in form.cleaned_data.items()
            if name != "version" and value != getattr(person, name)
        }
        services.user_update(
            actor=request.user,
            user=person,
            expected_version=form.cleaned_data["version"],
            **changes,
        )

    form, latest, person, saved = versioned_edit(
        request,
        record=person,
        build=lambda data, record: UserEditForm(data, person=record),
        save=save,
        refetch=lambda: access.get_user_for_administrator(request.user, pk),
    )
    if saved:
        messages.success(request, f"{person.full_name}’s account is updated.")
        return redirect("accounts:user_detail", pk=person.pk)
    return render(
        request, "accounts/users/edit.html", {"form": form, "person": person, "latest": latest}
    )


@login_required
@require_POST
def user_invitation_resend(request, pk):
    """Send a new set-password link to someone who has not set a password yet."""
    person = access.get_user_for_manager(request.user, pk)
    try:
        services.user_invitation_resend(actor=request.user, user=person)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"A new invitation is on its way to {person.email}.")
    return redirect("accounts:user_detail", pk=person.pk)


@login_required
def user_homes_edit(request, pk):
    """The homes a care worker or home manager works in: an administrator gives any open
    home, a home manager the homes they manage."""
    person = access.get_user_for_manager(request.user, pk)
    if person.role not in (Role.CARE_WORKER, Role.HOME_MANAGER):
        raise Http404("Only care workers and home managers work in homes")
    choices = selectors.user_home_choices(request.user)

    def build(data):
        current = selectors.user_home_ids_among(person, choices)
        return UserHomesForm(data, choices=choices, current=current)

    def as_now():
        """Refused as stale: the form bound to the homes as they are now."""
        current = [str(pk) for pk in selectors.user_home_ids_among(person, choices)]
        form = build({"homes": current, "shown": ",".join(current)})
        form.is_valid()
        return form

    form = build(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_homes_replace(
                actor=request.user,
                user=person,
                home_pks=form.cleaned_data["homes"],
                shown=form.cleaned_data["shown"],
            )
        except ApplicationError as error:
            if isinstance(error, StaleVersionError):
                form = as_now()
            form.add_application_error(error)
        else:
            messages.success(request, f"{person.full_name}’s homes are updated.")
            if access.can_see_user(request.user, person):
                return redirect("accounts:user_detail", pk=person.pk)
            return redirect("accounts:user_list")
    return render(request, "accounts/users/homes.html", {"form": form, "person": person})


@login_required
@never_cache
def api_token_create(request, pk):
    person = access.get_user_for_administrator(request.user, pk)
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        expires_on = form.cleaned_data["expires_on"]
        expires_at = datetime.datetime.combine(expires_on, datetime.time(23, 59), tzinfo=LONDON)
        try:
            token, key = services.api_token_issue(
                actor=request.user,
                user=person,
                name=form.cleaned_data["name"],
                expires_at=expires_at,
            )
        except ApplicationError as error:
            form.add_error("expires_on", error.message)
        else:
            # The key is shown once, on this response; only its hash is kept.
            return render(
                request,
                "accounts/users/token_created.html",
                {"person": person, "token": token, "key": key},
            )
    return render(request, "accounts/users/token_form.html", {"form": form, "person": person})


@login_required
@require_POST
def api_token_revoke(request, pk, token_pk):
    person = access.get_user_for_administrator(request.user, pk)
    token = access.get_api_token_for_administrator(request.user, person, token_pk)
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, f"The token ‘{token.name}’ is revoked.")
    return redirect("accounts:user_detail", pk=person.pk)


@sensitive_post_parameters("new_password1", "new_password2")
@never_cache
def invitation(request, uidb64, token):
    """The set-password link of an invitation (no sign-in needed)."""
    person = services.user_from_invitation(uidb64=uidb64, token=token)
    if person is None:
        return render(request, "accounts/users/invitation_expired.html", status=410)
    form = SetPasswordForm(person, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.user_invitation_accept(user=person, password=form.cleaned_data["new_password1"])
        messages.success(request, "Your password is set. Sign in with your email address.")
        return redirect("accounts:login")
    return render(request, "accounts/users/invitation.html", {"form": form, "person": person})

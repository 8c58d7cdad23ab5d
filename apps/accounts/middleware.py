"""Two-factor sign-in for every user when REQUIRE_2FA is on.

A signed-in user whose session is not yet verified with a one-time code may only reach the
two-factor pages, sign out, and static files; everything else redirects there.
"""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from apps.accounts import selectors

_ALLOWED_PREFIXES = ("/static/", "/healthz")


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.REQUIRE_2FA and self._needs_verification(request):
            allowed = {
                reverse("accounts:two_factor_setup"),
                reverse("accounts:two_factor_verify"),
                reverse("accounts:logout"),
            }
            if request.path.startswith("/api/"):
                # A browser session that has not finished two-factor sign-in gets no API access.
                # (Partner systems use tokens, which this middleware never sees as signed in.)
                return JsonResponse(
                    {"message": "Finish two-factor sign-in first.", "fields": {}}, status=403
                )
            if request.path not in allowed and not request.path.startswith(_ALLOWED_PREFIXES):
                if selectors.user_has_confirmed_device(request.user):
                    return redirect("accounts:two_factor_verify")
                return redirect("accounts:two_factor_setup")
        return self.get_response(request)

    @staticmethod
    def _needs_verification(request) -> bool:
        user = getattr(request, "user", None)
        return bool(user and user.is_authenticated and not user.is_verified())

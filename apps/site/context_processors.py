from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils.functional import cached_property

from apps.site.navigation import navigation_for


def is_active(url: str, current: str) -> bool:
    """A menu item is active on its own page and every page under it ("Children" on
    /children/7/profile/); the start page "/" only on itself, or it would be active everywhere."""
    if url == "/":
        return current == "/"
    return current == url or (url.endswith("/") and current.startswith(url))


def active_url(urls: list[str], current: str) -> str | None:
    """The one menu item to mark: of the items `current` is on or under, the most specific."""
    matches = [url for url in urls if is_active(url, current)]
    return max(matches, key=len) if matches else None


class HeaderAlerts:
    """The header's counts, the alerts the user must act on and the notices not yet opened,
    read only when a page's header shows them: one query for both on a full page, none on a
    partial (the missing-now board's rows) or for anonymous users."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def _counts(self) -> dict[str, int]:
        from apps.alerts.selectors import unread_counts

        return unread_counts(self.user)

    @property
    def to_act_on(self) -> int:
        return self._counts["alerts"]

    @property
    def alerts_url(self) -> str:
        """The alerts list showing the same alerts as the count."""
        from apps.alerts.selectors import TO_ACT_ON

        return f"{reverse('alerts:list')}?{urlencode(TO_ACT_ON)}"

    @property
    def notices(self) -> int:
        return self._counts["notices"]


def homeward(request):
    """What the base template needs on every page."""
    user = getattr(request, "user", None)
    current = request.path
    # Until the security code is entered every link leads back to the two-factor page.
    if (
        settings.REQUIRE_2FA
        and user is not None
        and user.is_authenticated
        and not (user.is_verified())
    ):
        user = None
    items = [(item.label, item.url) for item in navigation_for(user)]
    # The header's Notices link sits under /alerts/: on a notices page it is the one marked,
    # not "Alerts" in the menu.
    notices = reverse("alerts:notices") if user is not None and user.is_authenticated else None
    active = active_url([url for _, url in items] + ([notices] if notices else []), current)
    nav = [{"label": label, "url": url, "active": url == active} for label, url in items]
    return {
        "navigation": nav,
        "notices_active": notices is not None and active == notices,
        "header_alerts": HeaderAlerts(user) if user is not None and user.is_authenticated else None,
        "phase": settings.HOMEWARD_PHASE,
        "require_2fa": settings.REQUIRE_2FA,
        "support_email": settings.HOMEWARD_SUPPORT_EMAIL,
    }

"""What the alerts app shows on lower apps' pages (apps.core.panels), registered in ready()."""

from apps.alerts import selectors
from apps.core.panels import register_panel


def child_alerts(request, *, child) -> dict | None:
    """The banner of the child's alerts not yet acknowledged, on the child's summary."""
    alerts = selectors.child_open_alerts(request.user, child)
    return {"alerts": alerts} if alerts else None


def episode_told(request, *, episode) -> dict:
    """ "Who has been told" on the episode's page: each notice, each recipient and channel,
    when it was sent and when it was read."""
    return {"deliveries": selectors.episode_told(episode)}


def register() -> None:
    register_panel(
        page="episodes:detail",
        slot="told",
        template="alerts/_episode_told.html",
        context=episode_told,
    )
    register_panel(
        page="children:detail",
        slot="banner",
        template="alerts/_child_alerts.html",
        context=child_alerts,
    )

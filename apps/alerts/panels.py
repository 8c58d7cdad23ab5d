"""What the alerts app shows on lower apps' pages (apps.core.panels), registered in ready()."""

from apps.alerts import selectors
from apps.core.panels import register_panel


def child_alerts(request, *, child) -> dict | None:
    """The banner of the child's alerts not yet acknowledged, on the child's summary."""
    alerts = selectors.child_open_alerts(request.user, child)
    return {"alerts": alerts} if alerts else None


def register() -> None:
    register_panel(
        page="children:detail",
        slot="banner",
        template="alerts/_child_alerts.html",
        context=child_alerts,
    )

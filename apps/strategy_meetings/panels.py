"""What the multi-agency response shows on lower apps' pages (apps.core.panels), registered in
ready()."""

from apps.core.panels import register_panel
from apps.strategy_meetings import access


def child_meetings(request, *, child) -> dict:
    """The "Strategy meetings" row of the child's summary, with "Schedule" for a case holder."""
    return {"can_schedule_meeting": access.can_schedule_meeting(request.user, child)}


def alert_meeting(request, *, alert) -> dict | None:
    """ "Schedule a strategy meeting" on an alert, for those who may schedule one."""
    return {} if access.can_schedule_meeting(request.user, alert.child) else None


def register() -> None:
    register_panel(
        page="children:detail",
        slot="summary",
        template="strategy_meetings/_child_meetings.html",
        context=child_meetings,
    )
    register_panel(
        page="alerts:detail",
        slot="actions",
        template="strategy_meetings/_alert_meeting.html",
        context=alert_meeting,
    )

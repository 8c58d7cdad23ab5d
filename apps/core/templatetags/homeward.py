"""Template filters for showing times and durations the way people say them."""

from datetime import datetime, timedelta

from django import template

from apps.core.clock import display_time

register = template.Library()


@register.filter
def timeuntil_minutes(value) -> str:
    """A duration as '30 minutes', '1 hour 15 minutes' or '2 days 3 hours'."""
    if not isinstance(value, timedelta):
        return str(value or "")
    minutes = max(int(value.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    for amount, unit in ((days, "day"), (hours, "hour"), (minutes, "minute")):
        if amount:
            parts.append(f"{amount} {unit}{'' if amount == 1 else 's'}")
    if days:
        parts = parts[:2]
    return " ".join(parts) or "less than a minute"


@register.filter
def uk_datetime(value) -> str:
    """A moment as '29 Nov 2026, 7:40pm' in UK time (apps.core.clock.display_time); '' for
    anything that is not a datetime, as Django's `date` filter gives."""
    if not isinstance(value, datetime):
        return ""
    return display_time(value)


@register.filter
def uk_cell(value):
    """A table cell as the page shows it: a moment as '29 Nov 2026, 7:40pm', anything else
    as it is."""
    return display_time(value) if isinstance(value, datetime) else value

"""Time helpers: store UTC, reason in UK local time.

"Overnight" is a local-time idea: the night window is 00:00-06:00 on the clock on the wall,
which is 23:00-05:00 UTC in summer and 00:00-06:00 UTC in winter. Windows are built from
local dates with zoneinfo, so the nights of the clock changes come out right.
"""

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def display_time(value: datetime | None) -> str:
    """'29 Nov 2026, 7:40pm' in UK time: how the pages show a moment (also the `uk_datetime`
    template filter and templates/components/datetime.html). None shows as ''."""
    from django.utils import dateformat, timezone

    if value is None:
        return ""
    local = timezone.localtime(value, LONDON)
    return dateformat.format(local, "j M Y, g:i") + dateformat.format(local, "A").lower()


def display_date(value: date | None) -> str:
    """'29 Nov 2026': how the pages show a day (the `date:"j M Y"` of the templates)."""
    if value is None:
        return ""
    return f"{value.day} {value:%b} {value.year}"


def local_window(day: date, starts: time, ends: time) -> tuple[datetime, datetime]:
    """The night window that starts on local `day` (it may end the next day)."""
    start = datetime.combine(day, starts, tzinfo=LONDON)
    end_day = day if starts < ends else day + timedelta(days=1)
    end = datetime.combine(end_day, ends, tzinfo=LONDON)
    return start, end


def touches_night(
    start: datetime, end: datetime, *, starts: time = time(0, 0), ends: time = time(6, 0)
) -> bool:
    """True if the span [start, end) overlaps any local night window."""
    if end <= start:
        return False
    first = start.astimezone(LONDON).date() - timedelta(days=1)
    last = end.astimezone(LONDON).date()
    day = first
    while day <= last:
        window_start, window_end = local_window(day, starts, ends)
        if start < window_end and end > window_start:
            return True
        day += timedelta(days=1)
    return False


# Working days ---------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    """The bank holidays of England and Wales in `year` (the `holidays` package: a maintained
    calendar, substitute days included; Wales keeps England's)."""
    import holidays

    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    """Monday to Friday, and not a bank holiday of England and Wales."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(day: date, days: int) -> date:
    """The UK date `days` working days after `day` (weekends and bank holidays of England and
    Wales skipped)."""
    while days:
        day += timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day

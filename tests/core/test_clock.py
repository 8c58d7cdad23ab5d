"""The night window in UK local time, across both clock changes of 2026.

Spring forward: Sunday 29 March 2026, 01:00 GMT becomes 02:00 BST.
Fall back: Sunday 25 October 2026, 02:00 BST becomes 01:00 GMT.
"""

from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.core.clock import LONDON, touches_night


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "end", "overnight"),
    [
        # Summer (BST): 23:30 UTC is 00:30 local, inside the window.
        (utc(2026, 7, 1, 22, 0), utc(2026, 7, 1, 23, 30), True),
        # Summer: 05:30 UTC is 06:30 local, after the window.
        (utc(2026, 7, 2, 5, 30), utc(2026, 7, 2, 9, 0), False),
        # Winter (GMT): 23:30 UTC is 23:30 local, before the window.
        (utc(2026, 1, 10, 20, 0), utc(2026, 1, 10, 23, 59), False),
        # Winter: 05:30 UTC is 05:30 local, inside.
        (utc(2026, 1, 11, 5, 30), utc(2026, 1, 11, 9, 0), True),
        # Spring-forward night: 23:15 UTC on Saturday is 23:15 GMT, before the window...
        (utc(2026, 3, 28, 22, 0), utc(2026, 3, 28, 23, 59), False),
        # ...and 05:30 UTC on Sunday is 06:30 BST: the window (which lost an hour) has ended.
        (utc(2026, 3, 29, 5, 30), utc(2026, 3, 29, 8, 0), False),
        # 04:30 UTC on Sunday is 05:30 BST, inside.
        (utc(2026, 3, 29, 4, 30), utc(2026, 3, 29, 4, 45), True),
        # Fall-back night: 23:30 UTC on Saturday is 00:30 BST, inside (the window is 7 h long).
        (utc(2026, 10, 24, 23, 30), utc(2026, 10, 24, 23, 45), True),
        # 05:30 UTC on Sunday is 05:30 GMT, still inside.
        (utc(2026, 10, 25, 5, 30), utc(2026, 10, 25, 5, 45), True),
        # 06:10 UTC is 06:10 GMT, after.
        (utc(2026, 10, 25, 6, 10), utc(2026, 10, 25, 12, 0), False),
        # A day-time absence of 17 hours that never crosses midnight local.
        (utc(2026, 7, 1, 5, 0), utc(2026, 7, 1, 22, 59), False),
    ],
)
def test_the_night_window_is_local_time(start, end, overnight):
    assert touches_night(start, end) is overnight


def test_a_window_across_midnight_can_be_configured():
    # 22:00-07:00 local; 21:30 UTC in summer is 22:30 BST.
    assert touches_night(
        utc(2026, 7, 1, 21, 30), utc(2026, 7, 1, 21, 45), starts=time(22), ends=time(7)
    )
    assert not touches_night(
        utc(2026, 7, 1, 7, 30), utc(2026, 7, 1, 20, 30), starts=time(22), ends=time(7)
    )


@given(
    start=st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2028, 1, 1), timezones=st.just(UTC)
    ),
    minutes=st.integers(1, 60 * 24 * 3),
)
def test_matches_a_minute_by_minute_check(start, minutes):
    end = start + timedelta(minutes=minutes)
    probe, expected = start, False
    while probe < end:
        if probe.astimezone(LONDON).hour < 6:
            expected = True
            break
        probe += timedelta(minutes=1)
    assert touches_night(start, end) is expected

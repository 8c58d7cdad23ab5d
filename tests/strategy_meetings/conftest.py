"""Shared state for the multi-agency response tests, built through the services.

tests.world: sw_a is the allocated social worker of a1, a2 and ax (authority A); a1 lives at
home A1 (care worker cw_a1, manager hm_a1; force 1 covers it, police_1); ri is a return
interviewer. No invitation is sent: the broker is never reached from these tests.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.strategy_meetings import services


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    """Invitations wait on their rows (sent_sequence): nothing is published to Redis."""
    queued: list[int] = []
    monkeypatch.setattr(services, "_enqueue_invitations", queued.append)
    return queued


def when(name: str, moment) -> dict:
    """The four boxes of a date-and-time question, in UK time."""
    local = timezone.localtime(moment)
    return {
        f"{name}_day": local.day,
        f"{name}_month": local.month,
        f"{name}_year": local.year,
        f"{name}_time": f"{local:%H:%M}",
    }


def day(name: str, value) -> dict:
    return {f"{name}_day": value.day, f"{name}_month": value.month, f"{name}_year": value.year}


def schedule(world, child="a1", actor="sw_a", invite=("police_1", "hm_a1"), **overrides):
    fields = {
        "actor": world.users[actor],
        "child": world.children[child],
        "scheduled_at": timezone.now() + timedelta(days=2),
        "reason": "Three episodes in a month",
        "location": "Room 4, County Hall",
        "invite_users": [world.users[key] for key in invite],
    }
    fields.update(overrides)
    return services.meeting_schedule(**fields)


def begun(meeting, hours: int = 2):
    """Test only: the meeting's booked start moved to `hours` ago without a new revision, so
    it can be recorded as held (never before its start)."""
    from apps.strategy_meetings.models import StrategyMeeting

    StrategyMeeting.objects.filter(pk=meeting.pk).update(
        scheduled_at=timezone.now() - timedelta(hours=hours)
    )
    meeting.refresh_from_db()
    return meeting


def record(world, meeting, actor="sw_a", **overrides):
    """Record `meeting` as held five minutes ago (its start is moved back first)."""
    begun(meeting)
    fields = {
        "actor": world.users[actor],
        "meeting": meeting,
        "expected_version": meeting.version,
        "held_at": timezone.now() - timedelta(minutes=5),
        "minutes": "Discussed the pattern of episodes.",
        "restricted_minutes": "Health: disclosed to the school nurse.",
        "decisions": ["safety_plan"],
    }
    fields.update(overrides)
    return services.meeting_record(**fields)

"""The demo multi-agency response (apps.strategy_meetings.demo), loaded by seed_demo: meetings
past and upcoming, actions open, done and overdue, assessments at each level; run twice, the
second run adds nothing."""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from apps.accounts.models import User
from apps.children.demo import POLICE_LIAISON, SOCIAL_WORKER
from apps.children.models import CseRiskAssessment
from apps.strategy_meetings.models import (
    ActionStatus,
    MeetingAction,
    MeetingAttendee,
    MeetingStatus,
    StrategyMeeting,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    from apps.alerts.services import outbox

    monkeypatch.setattr(outbox, "_enqueue", lambda ids: None)


def counts() -> dict[str, int]:
    return {
        model.__name__: model._default_manager.count()
        for model in apps.get_app_config("strategy_meetings").get_models()
    }


def test_the_demo_has_meetings_actions_and_assessments_and_is_idempotent():
    call_command("seed_demo", stdout=StringIO())
    first = counts()
    call_command("seed_demo", stdout=StringIO())
    assert counts() == first

    today = timezone.localdate()
    meetings = StrategyMeeting.objects.all()
    assert meetings.filter(status=MeetingStatus.HELD, scheduled_at__lt=timezone.now()).exists()
    assert meetings.filter(status=MeetingStatus.SCHEDULED, scheduled_at__gt=timezone.now())
    assert meetings.filter(status=MeetingStatus.CANCELLED).exists()
    actions = MeetingAction.objects.all()
    assert actions.filter(status=ActionStatus.OPEN, due_on__lt=today).exists()  # overdue
    assert actions.filter(status=ActionStatus.OPEN, due_on__gte=today).exists()
    assert actions.filter(status=ActionStatus.DONE).exists()
    levels = set(CseRiskAssessment.objects.values_list("level", flat=True))
    assert levels == {"low", "medium", "high"}
    # Nothing waits to be emailed: seeding sends no invitation.
    assert not MeetingAttendee.objects.filter(sent_sequence__isnull=True).exists()
    # The demo officer has an upcoming meeting and a completed action.
    police = User.objects.get(email=POLICE_LIAISON)
    assert MeetingAttendee.objects.filter(user=police).exists()
    assert StrategyMeeting.objects.filter(chair__email=SOCIAL_WORKER).count() >= 3

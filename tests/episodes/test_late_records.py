"""An episode that has already ended is recorded afterwards (a weekend's absences written up
on Monday): the start and the return on one form with why it is late; the same checks, rules
and notices run; it is marked as recorded late on the episode, its timeline and the export."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.alerts.models import Notice
from apps.core.errors import ApplicationError
from apps.episodes import services
from apps.episodes.models import Episode, UpdateCategory

pytestmark = pytest.mark.django_db


def late(world, *, days_ago=3, hours=20, child="a1", **fields):
    gone = timezone.now() - timedelta(days=days_ago)
    values = {
        "kind": "A",
        "last_seen_at": gone,
        "last_seen_where": "The park",
        "returned_at": gone + timedelta(hours=hours),
        "return_method": "own_accord",
        "late_reason": "The weekend staff could not sign in",
    }
    values.update(fields)
    return services.episode_record_late(
        actor=world.users["cw_a1"], child=world.children[child], **values
    )


def test_a_late_record_is_an_ended_episode_with_its_interview_due_from_the_return(world):
    episode = late(world)
    assert not episode.is_open and episode.recorded_late
    assert episode.home == world.homes["A1"]
    first = episode.updates.order_by("happened_at").first()
    assert first.category == UpdateCategory.REPORTED
    assert first.text == "Recorded late by Test Care worker: The weekend staff could not sign in"
    assert episode.interview.due_at == episode.returned_at + timedelta(hours=72)
    # The social worker is told, as on any return.
    assert Notice.objects.filter(episode=episode).exists()


def test_it_needs_a_reason_and_a_return_after_last_seen(world):
    with pytest.raises(ApplicationError) as error:
        late(world, late_reason=" ")
    assert "late_reason" in error.value.fields
    with pytest.raises(ApplicationError) as error:
        late(world, hours=-1)
    assert "returned_at" in error.value.fields
    assert not Episode.objects.exists()


def test_it_may_not_overlap_another_episode_but_a_child_missing_now_does_not_block_it(world):
    late(world, days_ago=3)
    with pytest.raises(ApplicationError) as error:
        late(world, days_ago=3, hours=2)
    assert "overlap" in error.value.message
    services.episode_open(
        actor=world.users["cw_a1"],
        child=world.children["a1"],
        kind="M",
        last_seen_at=timezone.now() - timedelta(hours=1),
        last_seen_where="Bus station",
    )
    assert late(world, days_ago=6).recorded_late


def test_the_rules_run_on_a_late_record_too(world):
    from apps.alerts import services as alerts
    from apps.alerts.models import Alert, RuleType

    alerts.rules_seed_defaults(authority=world.orgs["A"])
    for days in (20, 10, 3):
        late(world, days_ago=days)
    (alert,) = Alert.objects.filter(rule__rule_type=RuleType.EPISODES_IN_WINDOW)
    assert alert.episodes.count() == 3


def test_a_care_worker_records_it_on_the_web_and_it_shows_as_late(world, signed_in):
    client = signed_in(world.users["cw_a1"])
    child = world.children["a1"]
    url = reverse("episodes:record_late", args=[child.pk])
    assert "Record an absence after it ended" in client.get(url).content.decode()
    gone = timezone.localtime(timezone.now() - timedelta(days=2))
    back = gone + timedelta(hours=5)
    data = {
        "kind": "A",
        "last_seen_at_day": gone.day,
        "last_seen_at_month": gone.month,
        "last_seen_at_year": gone.year,
        "last_seen_at_time": f"{gone:%H:%M}",
        "last_seen_where": "The park",
        "returned_at_day": back.day,
        "returned_at_month": back.month,
        "returned_at_year": back.year,
        "returned_at_time": f"{back:%H:%M}",
        "return_method": "own_accord",
    }
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "Enter why this is recorded after the child came back" in refused.content.decode()
    response = client.post(url, {**data, "late_reason": "No signal at the cottage"})
    assert response.status_code == 302
    episode = Episode.objects.get(child=child)
    assert response.url == reverse("episodes:detail", args=[episode.pk])
    page = client.get(response.url).content.decode()
    assert 'data-testid="recorded-late"' in page

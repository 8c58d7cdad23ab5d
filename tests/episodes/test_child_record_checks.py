"""Records that must agree with each other: a placement does not end while the child is
missing or away (the episode would be left open on an ended placement, SSDA903 rule 575), and
a date of birth falls before every placement and episode (rule 586 counts the same day)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.children import services as children
from apps.core.errors import ApplicationError
from apps.episodes import services as episodes

pytestmark = pytest.mark.django_db


def gone(world, hours=3):
    return episodes.episode_open(
        actor=world.users["cw_a1"],
        child=world.children["a1"],
        kind="M",
        last_seen_at=timezone.now() - timedelta(hours=hours),
        last_seen_where="Bus station",
    )


def current(world):
    return world.children["a1"].placements.get(end_date__isnull=True)


def test_a_placement_does_not_end_while_the_child_is_missing(world):
    episode = gone(world)
    placement = current(world)
    with pytest.raises(ApplicationError) as error:
        children.placement_end(
            actor=world.users["admin"],
            placement=placement,
            end_date=timezone.localdate(),
            expected_version=placement.version,
        )
    assert "Record their return before ending this placement" in error.value.fields["end_date"][0]
    assert current(world).end_date is None
    episodes.episode_record_return(
        actor=world.users["cw_a1"],
        episode=episode,
        expected_version=episode.version,
        returned_at=timezone.now() - timedelta(minutes=10),
        return_method="own_accord",
    )
    ended = children.placement_end(
        actor=world.users["admin"],
        placement=placement,
        end_date=timezone.localdate(),
        expected_version=placement.version,
    )
    assert ended.end_date == timezone.localdate()


def test_a_move_to_another_home_waits_for_the_return_too(world):
    gone(world)
    with pytest.raises(ApplicationError) as error:
        children.placement_start(
            actor=world.users["admin"],
            child=world.children["a1"],
            home=world.homes["P1"],
            start_date=timezone.localdate(),
        )
    assert "has been missing since" in error.value.message
    assert current(world).home == world.homes["A1"]


def edit_birth(world, born):
    child = world.children["a1"]
    child.refresh_from_db()
    return children.child_update(
        actor=world.users["sw_a"],
        child=child,
        expected_version=child.version,
        date_of_birth=born,
    )


def test_a_date_of_birth_on_or_after_an_episode_is_refused(world):
    episode = gone(world, hours=24 * 40)
    started = timezone.localdate(episode.last_seen_at)
    first_placement = world.children["a1"].placements.order_by("start_date").first().start_date
    assert first_placement < started
    with pytest.raises(ApplicationError) as error:
        edit_birth(world, started)  # the same day counts
    assert "before the child's first" in error.value.fields["date_of_birth"][0]
    world.children["a1"].refresh_from_db()
    assert world.children["a1"].date_of_birth < first_placement


def test_a_date_of_birth_after_the_first_placement_is_refused(world):
    first = world.children["a1"].placements.order_by("start_date").first().start_date
    with pytest.raises(ApplicationError) as error:
        edit_birth(world, first + timedelta(days=1))
    assert "before the child's first placement" in error.value.fields["date_of_birth"][0]
    assert edit_birth(world, first - timedelta(days=1)).date_of_birth == first - timedelta(days=1)


def test_an_episode_is_never_reported_on_the_day_of_birth(world):
    """SSDA903 rule 586 counts a start on the date of birth as an error: so does the report."""
    child = world.children["a1"]
    child.date_of_birth = timezone.localdate() - timedelta(days=1)
    child.save(update_fields=["date_of_birth"])  # test only: a baby placed yesterday
    with pytest.raises(ApplicationError) as error:
        episodes.episode_open(
            actor=world.users["cw_a1"],
            child=child,
            kind="M",
            last_seen_at=timezone.now().replace(hour=0, minute=30) - timedelta(days=1),
            last_seen_where="Bus station",
        )
    assert "after the child's birth" in error.value.fields["last_seen_at"][0]

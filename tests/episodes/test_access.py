from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from apps.children.access import children_visible_to, get_child_for_user
from apps.episodes import services
from apps.episodes.access import episodes_visible_to, get_episode_for_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(world):
    world.episodes = {
        key: services.episode_open(
            actor=world.users["sw_a" if key.startswith("a") else "sw_b"],
            child=world.children[key],
            kind="M",
            last_seen_at=timezone.now() - timedelta(hours=3),
            last_seen_where="Town centre",
        )
        for key in ["a1", "a2", "b1", "b2"]
    }
    return world


# Episodes are from homes: a1 at A1, a2 and b1 at B1, b2 at B2. Force 1 covers A1, P1, B1.
EXPECTED = {
    "cw_a1": {"a1"},
    "hm_a1": {"a1"},
    "cw_b1": {"a2", "b1"},
    "sw_a": {"a1", "a2"},
    "sw_b": {"b1", "b2"},
    "police_1": {"a1", "a2", "b1"},
    "police_2": {"b2"},
    "sm_a": {"a1", "a2"},
    "sm_b": {"a2", "b1", "b2"},
    "ri": set(),
    "admin": set(),
}


@pytest.mark.parametrize("user_key", sorted(EXPECTED))
def test_each_user_sees_exactly_their_episodes(world, user_key):
    user = world.users[user_key]
    by_pk = {episode.pk: key for key, episode in world.episodes.items()}
    assert {by_pk[e.pk] for e in episodes_visible_to(user)} == EXPECTED[user_key]
    for key, episode in world.episodes.items():
        if key in EXPECTED[user_key]:
            assert get_episode_for_user(user, episode.pk) == episode
        else:
            with pytest.raises(Http404):
                get_episode_for_user(user, episode.pk)


def test_police_see_a_missing_childs_record_only_while_missing_from_their_area(world):
    officer, child = world.users["police_1"], world.children["a1"]
    assert child in children_visible_to(officer)
    assert world.children["b2"] not in children_visible_to(officer)  # force 2's home
    episode = world.episodes["a1"]
    services.episode_record_return(
        actor=world.users["cw_a1"],
        episode=episode,
        expected_version=episode.version,
        returned_at=timezone.now(),
        return_method="found_by_police",
    )
    assert child not in children_visible_to(officer)
    with pytest.raises(Http404):
        get_child_for_user(officer, child.pk)
    # The episode itself stays visible to the force: they record the safe-and-well visit.
    assert get_episode_for_user(officer, episode.pk) == episode


def test_a_return_interviewer_sees_only_episodes_assigned_to_them(world):
    interviewer = world.users["ri"]
    episode = world.episodes["b1"]
    services.episode_record_return(
        actor=world.users["sw_b"],
        episode=episode,
        expected_version=episode.version,
        returned_at=timezone.now(),
        return_method="own_accord",
    )
    services.interview_assign(
        actor=world.users["sw_b"], interview=episode.interview, interviewer=interviewer
    )
    assert list(episodes_visible_to(interviewer)) == [episode]

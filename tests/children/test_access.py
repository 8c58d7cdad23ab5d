"""Each role sees exactly the children and homes the access model gives it."""

from datetime import timedelta

import pytest
import time_machine
from django.http import Http404
from django.utils import timezone

from apps.children import services
from apps.children.access import children_visible_to, get_child_for_user, placements_visible_to
from apps.homes.access import get_home_for_user, homes_visible_to
from tests.world import World

pytestmark = pytest.mark.django_db


def keys(objects, mapping):
    reverse = {obj.pk: key for key, obj in mapping.items()}
    return {reverse[obj.pk] for obj in objects}


@pytest.mark.parametrize("user_key", sorted(World.VISIBLE_CHILDREN))
def test_each_user_sees_exactly_their_children(world, user_key):
    user = world.users[user_key]
    seen = keys(children_visible_to(user), world.children)
    assert seen == World.VISIBLE_CHILDREN[user_key]


@pytest.mark.parametrize("user_key", sorted(World.VISIBLE_HOMES))
def test_each_user_sees_exactly_their_homes(world, user_key):
    user = world.users[user_key]
    assert keys(homes_visible_to(user), world.homes) == World.VISIBLE_HOMES[user_key]


@pytest.mark.parametrize("user_key", sorted(World.VISIBLE_CHILDREN))
def test_fetching_an_out_of_scope_child_is_a_404_like_a_missing_one(world, user_key):
    user = world.users[user_key]
    for key, child in world.children.items():
        if key in World.VISIBLE_CHILDREN[user_key]:
            assert get_child_for_user(user, child.pk) == child
        else:
            with pytest.raises(Http404):
                get_child_for_user(user, child.pk)
    with pytest.raises(Http404):
        get_child_for_user(user, 999_999)
    with pytest.raises(Http404):
        get_child_for_user(user, "not-a-number")


def test_a_police_officer_sees_addresses_of_homes_in_their_own_force_only(world):
    officer = world.users["police_1"]
    for _key, home in world.homes.items():
        if home.police_force == officer.organisation:
            assert get_home_for_user(officer, home.pk).address_line_1
        else:
            with pytest.raises(Http404):
                get_home_for_user(officer, home.pk)


def test_a_time_boxed_grant_gives_a_police_officer_the_child_until_it_expires(world):
    officer, child = world.users["police_1"], world.children["b1"]
    now = timezone.now()
    services.police_grant_create(
        actor=world.users["sw_b"],
        child=child,
        officer=officer,
        reason="Joint visit after a missing episode",
        expires_at=now + timedelta(days=2),
    )
    assert list(children_visible_to(officer)) == [child]
    with time_machine.travel(now + timedelta(days=2, seconds=1)):
        # Expired: no access at once, even before the beat task removes the row.
        assert list(children_visible_to(officer)) == []
        with pytest.raises(Http404):
            get_child_for_user(officer, child.pk)
        assert services.grants_expire() == 1
    assert child.grants.filter(user=officer).count() == 0


def test_moving_a_child_moves_the_care_workers_who_can_see_them(world):
    child = world.children["a1"]
    assert child in children_visible_to(world.users["cw_a1"])
    services.placement_start(
        actor=world.users["sw_a"],
        child=child,
        home=world.homes["B1"],
        start_date=timezone.localdate(),
    )
    assert child not in children_visible_to(world.users["cw_a1"])
    assert child in children_visible_to(world.users["cw_b1"])


def test_reallocating_a_child_moves_the_social_workers_access(world):
    from tests.factories import make_user

    child = world.children["a1"]
    new_worker = make_user("social_worker", organisation=world.orgs["A"])
    services.child_allocate(actor=world.users["sm_a"], child=child, social_worker=new_worker)
    assert child in children_visible_to(new_worker)
    assert child not in children_visible_to(world.users["sw_a"])


def test_placements_follow_the_childs_scope(world):
    placements = placements_visible_to(world.users["cw_b1"])
    assert {p.child_id for p in placements} == {
        world.children["a2"].pk,
        world.children["b1"].pk,
    }


def test_a_deactivated_user_sees_nothing(world):
    user = world.users["sm_a"]
    user.is_active = False
    user.save()
    assert not children_visible_to(user).exists()
    assert not homes_visible_to(user).exists()

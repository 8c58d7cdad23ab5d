"""A home's page lists its children and its staff: the same number of queries for 1 of each
as for 20 (the homes list is in test_views.py and test_api.py)."""

import pytest

from apps.accounts.models import Role
from apps.homes import services
from tests.factories import make_user
from tests.world import place_children

pytestmark = pytest.mark.django_db


def rows(response, testid: str) -> int:
    table = response.content.decode().split(f'data-testid="{testid}"')[1].split("</table>")[0]
    return table.count('<tr class="govuk-table__row"') - 1


def crowd(world, count: int):
    """Home P1 (run by the provider, empty in the world) with `count` children placed now and
    `count` care workers."""
    home = world.homes["P1"]
    manager = world.users["sm_a"]
    place_children(home=home, count=count, actor=world.users["sw_a"], placer=manager, prefix="P")
    for _ in range(count):
        carer = make_user(Role.CARE_WORKER, organisation=home.operator)
        services.home_staff_grant(actor=world.users["admin"], home=home, user=carer)
    return home


@pytest.mark.parametrize("count", [1, 20])
def test_a_homes_page_costs_the_same_for_1_or_20_children_and_staff(
    world, signed_in, django_assert_num_queries, count
):
    home = crowd(world, count)
    client = signed_in(world.users["sm_a"])
    # 1 session, 2 user, 3 two-factor device, 4 the home through the access scope, with its
    # organisations, 5 the children placed there now whom the user may see, with their
    # authorities, 6 the staff grants with users and permissions, 7 the signed-in user's
    # organisation, 8 unread alerts, 9-11 savepoint, session update, release.
    with django_assert_num_queries(11):
        response = client.get(f"/homes/{home.pk}/")
    assert rows(response, "home-children") == count
    assert rows(response, "home-staff") == count

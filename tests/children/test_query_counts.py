"""The lists of a child's record cost the same number of queries for 1 row as for 20 (the
children list itself is in test_views.py and test_api.py)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.children import services
from apps.children.models import AccessLog, AccessLogKind
from tests.factories import api_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    def as_user(user):
        client = APIClient()
        key = api_key(user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return as_user


def rows(response, testid: str) -> int:
    """Body rows of the table marked `testid` (every row but the header)."""
    table = response.content.decode().split(f'data-testid="{testid}"')[1].split("</table>")[0]
    return table.count('<tr class="govuk-table__row"') - 1


def moves(world, count: int):
    """Child ax placed `count` times, a week apart (each move ends the last placement)."""
    child = world.children["ax"]
    for n in range(count):
        services.placement_start(
            actor=world.users["sm_a"],
            child=child,
            home=world.homes["A1" if n % 2 else "B1"],
            start_date=date(2020, 1, 1) + timedelta(weeks=n),
        )
    return child


@pytest.mark.parametrize("count", [1, 20])
def test_the_placements_tab_costs_the_same_for_1_or_20_placements(
    world, signed_in, django_assert_num_queries, count
):
    child = moves(world, count)
    client = signed_in(world.users["sw_a"])
    # 1 session, 2 user, 3 two-factor device, 4 the child through the access scope, 5 the
    # access-log row, 6 the placements with homes and the placing authority, 7 the
    # signed-in user's organisation (user bar), 8 the user's unread alerts (the header's
    # count), 9-11 savepoint, session update, release.
    with django_assert_num_queries(11):
        response = client.get(f"/children/{child.pk}/placements/")
    assert rows(response, "placements") == count


@pytest.mark.parametrize("count", [1, 20])
def test_the_viewed_by_tab_costs_the_same_for_1_or_20_views(
    world, signed_in, django_assert_num_queries, count
):
    child = world.children["a1"]
    manager = world.users["sm_a"]
    AccessLog.objects.bulk_create(
        AccessLog(
            user=world.users["sw_a"],
            child=child,
            kind=AccessLogKind.RECORD,
            viewed_at=timezone.now() - timedelta(minutes=n + 1),
        )
        for n in range(count - 1)  # the page's own view is the last one
    )
    client = signed_in(manager)
    # 1 session, 2 user, 3 two-factor device, 4 the child through the access scope, 5 the
    # access-log row of this view, 6 count for the paginator, 7 the page of views with users
    # and their organisations, 8 the signed-in user's organisation, 9 unread alerts,
    # 10-12 savepoint, session update, release.
    with django_assert_num_queries(12):
        response = client.get(f"/children/{child.pk}/viewed/")
    assert rows(response, "access-log") == count


@pytest.mark.parametrize("count", [1, 20])
def test_the_profile_costs_the_same_for_1_or_20_associates_and_places(
    world, api, django_assert_num_queries, count
):
    child = world.children["a1"]
    for n in range(count):
        services.associate_add(actor=world.users["sw_a"], child=child, name=f"Person {n}")
        services.place_add(actor=world.users["sw_a"], child=child, name=f"Place {n}")
    client = api(world.users["sw_a"])
    client.get("/api/v1/me/")  # the token's first use notes last_used_at (once a minute)
    # 1 the token and its user, 2 the child through the access scope, 3 the profile, 4 its
    # associates, 5 its places, 6 the access-log row.
    with django_assert_num_queries(6):
        response = client.get(f"/api/v1/children/{child.pk}/profile/")
    assert len(response.json()["associates"]) == count
    assert len(response.json()["places"]) == count

"""The episode lists not covered in test_views.py and test_api.py cost the same number of
queries for 1 row as for 20."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.episodes import services

pytestmark = pytest.mark.django_db


def rows(response, testid: str) -> int:
    table = response.content.decode().split(f'data-testid="{testid}"')[1].split("</table>")[0]
    return table.count('<tr class="govuk-table__row"') - 1


def history(world, count: int):
    """`count` closed episodes of child a1 (each with its return interview), a day apart."""
    child, carer = world.children["a1"], world.users["cw_a1"]
    start = timezone.now() - timedelta(days=count + 1)
    for n in range(count):
        episode = services.episode_open(
            actor=carer,
            child=child,
            kind="M",
            last_seen_at=start + timedelta(days=n),
            last_seen_where="Town",
        )
        services.episode_record_return(
            actor=carer,
            episode=episode,
            expected_version=episode.version,
            returned_at=episode.last_seen_at + timedelta(hours=2),
            return_method="own_accord",
        )
    return child


@pytest.mark.parametrize("who", ["cw_a1", "sw_a", "sm_a"])
@pytest.mark.parametrize("count", [1, 20])
def test_a_childs_episodes_cost_the_same_for_1_or_20(
    world, signed_in, django_assert_num_queries, who, count
):
    child = history(world, count)
    client = signed_in(world.users[who])
    # 1 session, 2 user, 3 two-factor device, 4 the child through the access scope, 5 the
    # episodes the user may see with homes and interviews (one query), 6 the access-log row,
    # 7 the child's current placement (may a report be made here), 8 the signed-in user's
    # organisation, 9 unread alerts, 10-12 savepoint, session update, release.
    with django_assert_num_queries(12):
        response = client.get(f"/episodes/child/{child.pk}/")
    assert rows(response, "child-episodes") == count

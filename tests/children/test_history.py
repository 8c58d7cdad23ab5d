"""The History tab reads as people say things: names, not ids; UK dates and local times."""

from datetime import date

import pytest

from apps.children import selectors, services
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_history_names_people_and_shows_dates_in_words(world):
    child = world.children["a1"]
    newcomer = make_user("social_worker", organisation=world.orgs["A"])
    services.child_allocate(actor=world.users["sm_a"], child=child, social_worker=newcomer)
    services.child_update(
        actor=world.users["sm_a"],
        child=child,
        expected_version=child.version,
        date_of_birth=date(2010, 6, 1),
    )
    changes = {}  # the newest change of each field
    for entry in selectors.child_history(child=child):
        for label, old, new in entry.changes:
            changes.setdefault(label, (old, new))
    assert changes["Allocated social worker"] == (
        world.users["sw_a"].full_name,
        newcomer.full_name,
    )
    assert changes["Date of birth"] == ("17 May 2010", "1 Jun 2010")


def test_a_review_with_no_changes_is_listed_without_noise(world):
    child = world.children["a1"]
    services.profile_update(
        actor=world.users["cw_a1"], child=child, expected_version=child.profile.version
    )
    entry = selectors.child_history(child=child)[0]
    assert entry.action == "Reviewed, no changes"
    assert entry.changes == []
    assert entry.who == world.users["cw_a1"].full_name


def test_history_costs_the_same_queries_for_few_and_many_changes(
    world, django_assert_max_num_queries
):
    child = world.children["a1"]
    for n in range(15):
        services.associate_add(actor=world.users["cw_a1"], child=child, name=f"Person {n}")
        services.child_update(
            actor=world.users["sm_a"],
            child=child,
            expected_version=child.version,
            preferred_name=f"Name {n}",
        )
    # profile ids, five history sources, one name lookup per related model named (up to 3).
    with django_assert_max_num_queries(9):
        entries = selectors.child_history(child=child)
    assert len(entries) > 30

"""The shared builders of tests/world.py do what their callers' assertions rely on."""

from datetime import date

import pytest

from apps.children.models import Placement
from tests.world import place_children

pytestmark = pytest.mark.django_db


def test_place_children_adds_and_places_n_children_at_the_home(world):
    home = world.homes["P1"]
    made = place_children(
        home=home,
        count=3,
        actor=world.users["sw_a"],
        placer=world.users["sm_a"],
        prefix="Q",
        start_date=date(2024, 3, 4),
        sex="2",
    )
    assert [(c.first_name, c.last_name, c.child_id) for c in made] == [
        ("Child", "Q00", "Q000"),
        ("Child", "Q01", "Q001"),
        ("Child", "Q02", "Q002"),
    ]
    assert {c.sex for c in made} == {"2"}
    assert {c.date_of_birth for c in made} == {date(2012, 1, 1)}
    assert {c.placing_authority for c in made} == {world.orgs["A"]}  # the adder's authority
    placements = Placement.objects.filter(child__in=made, end_date__isnull=True)
    assert sorted((p.child_id, p.home_id, p.start_date) for p in placements) == sorted(
        (c.pk, home.pk, date(2024, 3, 4)) for c in made
    )
    assert place_children(home=home, count=0, actor=world.users["sw_a"], placer=None) == []

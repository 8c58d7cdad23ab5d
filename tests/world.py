"""A small, hand-drawn world of organisations, homes, children and users, built through the
services, with the visibility each user should have written out by hand (not derived from
the access code it tests).

    Authority A (LA)  Authority B (LA)  Provider P  Force 1  Force 2

    Home A1: run by A,  in A, force 1      child a1 (placed by A)
    Home P1: run by P,  in A, force 1      (empty)
    Home B1: run by B,  in B, force 1      child a2 (placed by A: out of area), child b1
    Home B2: run by B,  in B, force 2      child b2
    No home:                               child ax (placed by A, not placed now)

`place_children` adds N more children at one home, for the tests that count rows or queries.
"""

from dataclasses import dataclass, field
from datetime import date

from apps.accounts.models import OrganisationKind, Role
from apps.children import services as children
from apps.children.models import Child
from apps.homes import services as homes
from tests.factories import OrganisationFactory, make_user


@dataclass
class World:
    orgs: dict = field(default_factory=dict)
    homes: dict = field(default_factory=dict)
    children: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)

    # Who should see what, by key. Written by hand from ARCHITECTURE.md's access model.
    VISIBLE_HOMES = {
        "cw_a1": {"A1"},
        "hm_a1": {"A1"},
        "cw_b1": {"B1"},
        "sw_a": {"A1", "B1"},
        "sw_b": {"B1", "B2"},
        "police_1": {"A1", "P1", "B1"},
        "police_2": {"B2"},
        "sm_a": {"A1", "P1", "B1"},
        "sm_b": {"B1", "B2"},
        "ri": set(),
        "admin": {"A1", "P1", "B1", "B2"},
    }
    VISIBLE_CHILDREN = {
        "cw_a1": {"a1"},
        "hm_a1": {"a1"},
        "cw_b1": {"a2", "b1"},
        "sw_a": {"a1", "a2", "ax"},
        "sw_b": {"b1", "b2"},
        "police_1": set(),
        "police_2": set(),
        "sm_a": {"a1", "a2", "ax"},
        "sm_b": {"a2", "b1", "b2"},
        "ri": set(),
        "admin": set(),
    }


def _home(actor, key, operator, host, force, n):
    return homes.home_create(
        actor=actor,
        name=f"Home {key}",
        ofsted_urn=f"SC{n:06d}",
        operator=operator,
        host_authority=host,
        police_force=force,
        address_line_1=f"{n} Test Street",
        town="Testbury",
        postcode="NE1 8AA",
        capacity=4,
    )


def build_world() -> World:
    world = World()
    o = world.orgs
    o["A"] = OrganisationFactory(kind=OrganisationKind.LOCAL_AUTHORITY, name="Authority A")
    o["B"] = OrganisationFactory(kind=OrganisationKind.LOCAL_AUTHORITY, name="Authority B")
    o["P"] = OrganisationFactory(kind=OrganisationKind.PROVIDER, name="Provider P")
    o["F1"] = OrganisationFactory(kind=OrganisationKind.POLICE_FORCE, name="Force 1")
    o["F2"] = OrganisationFactory(kind=OrganisationKind.POLICE_FORCE, name="Force 2")

    u = world.users
    u["admin"] = make_user(Role.ADMINISTRATOR, organisation=o["A"])
    u["sm_a"] = make_user(Role.SERVICE_MANAGER, organisation=o["A"])
    u["sm_b"] = make_user(Role.SERVICE_MANAGER, organisation=o["B"])
    u["sw_a"] = make_user(Role.SOCIAL_WORKER, organisation=o["A"])
    u["sw_b"] = make_user(Role.SOCIAL_WORKER, organisation=o["B"])
    u["cw_a1"] = make_user(Role.CARE_WORKER, organisation=o["A"])
    u["hm_a1"] = make_user(Role.HOME_MANAGER, organisation=o["A"])
    u["cw_b1"] = make_user(Role.CARE_WORKER, organisation=o["B"])
    u["police_1"] = make_user(Role.POLICE_LIAISON, organisation=o["F1"])
    u["police_2"] = make_user(Role.POLICE_LIAISON, organisation=o["F2"])
    u["ri"] = make_user(Role.RETURN_INTERVIEWER, organisation=o["A"])

    admin = u["admin"]
    h = world.homes
    h["A1"] = _home(admin, "A1", o["A"], o["A"], o["F1"], 1)
    h["P1"] = _home(admin, "P1", o["P"], o["A"], o["F1"], 2)
    h["B1"] = _home(admin, "B1", o["B"], o["B"], o["F1"], 3)
    h["B2"] = _home(admin, "B2", o["B"], o["B"], o["F2"], 4)
    homes.home_staff_grant(actor=admin, home=h["A1"], user=u["cw_a1"])
    homes.home_staff_grant(actor=admin, home=h["A1"], user=u["hm_a1"], manager=True)
    homes.home_staff_grant(actor=admin, home=h["B1"], user=u["cw_b1"])

    c = world.children

    def child(key, authority, social_worker):
        return children.child_create(
            actor=social_worker,
            first_name=f"Child{key.upper()}",
            last_name="Test",
            date_of_birth=date(2010, 5, 17),
            sex="1",
            child_id=f"ID{key.upper()}",
            placing_authority=authority,
        )

    c["a1"] = child("a1", o["A"], u["sw_a"])
    c["a2"] = child("a2", o["A"], u["sw_a"])
    c["ax"] = child("ax", o["A"], u["sw_a"])
    c["b1"] = child("b1", o["B"], u["sw_b"])
    c["b2"] = child("b2", o["B"], u["sw_b"])
    start = date(2024, 1, 10)
    for key, home in [("a1", "A1"), ("a2", "B1"), ("b1", "B1"), ("b2", "B2")]:
        children.placement_start(actor=admin, child=c[key], home=h[home], start_date=start)
    return world


def place_children(
    *,
    home,
    count: int,
    actor,
    placer,
    prefix: str = "N",
    date_of_birth: date = date(2012, 1, 1),
    start_date: date = date(2024, 1, 1),
    placing_authority=None,
    **child_fields,
) -> list[Child]:
    """`count` children added by `actor` and placed at `home` by `placer` from `start_date`:
    "Child N00", "Child N01"... with child ids N000, N001... (for another `prefix`, its
    letter). `child_fields` go to `child_create` (e.g. `sex`)."""
    made = []
    for n in range(count):
        fields = {
            "first_name": "Child",
            "last_name": f"{prefix}{n:02d}",
            "date_of_birth": date_of_birth,
            "sex": "1",
            "child_id": f"{prefix}{n:03d}",
        }
        child = children.child_create(
            actor=actor, placing_authority=placing_authority, **fields | child_fields
        )
        children.placement_start(actor=placer, child=child, home=home, start_date=start_date)
        made.append(child)
    return made

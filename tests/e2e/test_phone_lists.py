"""Phone-first lists: every list page at 390x844 shows each row as a card (urgent fields first,
nothing scrolling sideways) and keeps its table on a desktop; axe at both sizes. The header's
search box finds a child by name or ID, only among the children the user may see.

The world is tests/world.py with authority A's default rules: a1 (home A1) is missing now at
high risk, a2 came back (an interview is due), sw_a has a meeting about a1 and an action.
Screenshots go to artifacts/screenshots/phone-list-*.png.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from apps.alerts import services as alerts
from apps.alerts.services import outbox
from apps.episodes import services as episodes
from apps.episodes.models import ReturnMethod
from apps.strategy_meetings import services as meetings
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import PHONE_VIEWPORT, screenshot

A1_NAME = "ChildA1 Test"


@pytest.fixture
def world(world, monkeypatch):
    monkeypatch.setattr(outbox, "_enqueue", lambda ids: None)
    alerts.rules_seed_defaults(authority=world.orgs["A"])
    sw, cw = world.users["sw_a"], world.users["cw_a1"]
    now = timezone.now()
    episodes.episode_open(
        actor=cw,
        child=world.children["a1"],
        kind="M",
        last_seen_at=now - timedelta(hours=3),
        last_seen_where="Bus station on the ring road",
        risk_grade="high",
        suspected_sexual_exploitation=True,  # a Regulation 40 decision for the home manager
    )
    away = episodes.episode_open(
        actor=sw,
        child=world.children["a2"],
        kind="A",
        last_seen_at=now - timedelta(hours=6),
        last_seen_where="Town centre",
    )
    episodes.episode_record_return(
        actor=sw,
        episode=away,
        expected_version=away.version,
        returned_at=now - timedelta(hours=1),
        return_method=ReturnMethod.OWN_ACCORD,
    )
    meeting = meetings.meeting_schedule(
        actor=sw,
        child=world.children["a1"],
        scheduled_at=now + timedelta(days=2),
        reason="Missing at high risk",
        location="Room 4, County Hall",
        video_link="",
        invite_users=[world.users["hm_a1"]],
    )
    meetings.action_add(
        actor=sw,
        meeting=meeting,
        description="Update the Philomena profile with the new phone number",
        due_on=timezone.localdate(),
        owner_user=sw,
    )
    return world


# name, who, path (a callable of the world), the row, the urgent fields (data-label) of a row.
LISTS = [
    (
        "missing-now",
        "sw_a",
        lambda w: "/episodes/missing-now/",
        "[data-testid=missing-row]",
        ["Time gone", "Last seen", "Police risk grade"],
    ),
    (
        "children",
        "sw_a",
        lambda w: "/children/",
        "[data-testid=children-table] tbody tr",
        ["Status", "Lives at"],
    ),
    (
        "home-children",
        "cw_a1",
        lambda w: f"/homes/{w.homes['A1'].pk}/",
        "[data-testid=home-children] tbody tr",
        ["Status", "Child ID"],
    ),
    (
        "child-episodes",
        "sw_a",
        lambda w: f"/episodes/child/{w.children['a1'].pk}/",
        "[data-testid=child-episodes] tbody tr",
        ["Missing or away", "Came back", "Time gone"],
    ),
    (
        "alerts",
        "sw_a",
        lambda w: "/alerts/",
        "[data-testid=alert-row]",
        ["Severity", "Child", "Raised"],
    ),
    (
        "interviews",
        "sw_a",
        lambda w: "/episodes/interviews/",
        "[data-testid=interview-row]",
        ["Came back", "Due by", "Status"],
    ),
    ("meetings", "sw_a", lambda w: "/meetings/", "[data-testid=meeting-row]", ["Child", "Status"]),
    (
        "my-actions",
        "sw_a",
        lambda w: "/meetings/my-actions/",
        "[data-testid=my-action-row]",
        ["Action", "Due", "Status"],
    ),
    (
        "rules",
        "sm_a",
        lambda w: "/alerts/rules/",
        "[data-testid=rule-row]",
        ["When", "Who is told"],
    ),
    (
        "notices",
        "sw_a",
        lambda w: "/alerts/notices/",
        "[data-testid=notice-row]",
        ["What is asked of you", "Told"],
    ),
    (
        "homes",
        "sm_a",
        lambda w: "/homes/",
        "[data-testid=homes-table] tbody tr",
        ["Town", "Run by"],
    ),
    (
        "regulation-40",
        "hm_a1",
        lambda w: "/meetings/regulation-40/",
        "[data-testid=reg40-row]",
        ["Home", "Why", "Status"],
    ),
    (
        "users",
        "admin",
        lambda w: "/account/users/",
        "[data-testid=users-table] tbody tr",
        ["Role", "Status", "Last sign-in"],
    ),
]


def fits_sideways(page: Page) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{page.url} scrolls sideways: {widths}"


@pytest.mark.parametrize(("name", "who", "path", "row", "urgent"), LISTS, ids=[x[0] for x in LISTS])
def test_each_list_is_cards_on_a_phone_and_a_table_on_a_desktop(
    page: Page, phone_page: Page, sign_in, world, settings, name, who, path, row, urgent
):
    settings.REQUIRE_2FA = False
    user = world.users[who]
    url = path(world)

    sign_in(user, on=phone_page)
    phone_page.goto(url)
    first = phone_page.locator(row).first
    expect(first).to_be_visible()
    fits_sideways(phone_page)
    for label in urgent:
        cell = first.locator(f'[data-label="{label}"]')
        expect(cell).to_be_visible()
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE_VIEWPORT["width"], (name, label)
        # A card: the column's name heads its value on the phone.
        assert (
            phone_page.evaluate(
                "(el) => getComputedStyle(el, '::before').content", cell.element_handle()
            )
            == f'"{label}"'
        )
    assert_accessible(phone_page)
    screenshot(phone_page, f"phone-list-{name}")

    sign_in(user, on=page)
    page.goto(url)
    # A desktop keeps the table: the column headings show and the label is not repeated.
    expect(page.locator(row).first.locator("xpath=ancestor::table//thead")).to_be_visible()
    assert page.evaluate(
        "(el) => getComputedStyle(el, '::before').content",
        page.locator(row).first.locator(f'[data-label="{urgent[0]}"]').element_handle(),
    ) in ("none", "normal")
    assert_accessible(page)


def test_the_missing_child_shows_missing_on_the_children_list(
    phone_page: Page, sign_in, world, settings
):
    settings.REQUIRE_2FA = False
    sign_in(world.users["sw_a"], on=phone_page)
    phone_page.goto("/children/")
    a1 = phone_page.locator("[data-testid=children-table] tbody tr").filter(has_text=A1_NAME)
    expect(a1.get_by_test_id("child-status")).to_have_text("Missing")
    expect(a1).to_contain_text("since")


def test_header_search_finds_only_children_in_scope(phone_page: Page, sign_in, world, settings):
    """cw_a1 works at home A1 (child a1); a2 and b1 live at B1, out of their scope."""
    settings.REQUIRE_2FA = False
    phone = phone_page
    sign_in(world.users["cw_a1"], on=phone)
    fits_sideways(phone)

    search = phone.get_by_role("search", name="Find a child")
    search.get_by_label("Find a child by name or child ID").fill("ChildA")
    search.get_by_role("button", name="Search").click()

    table = phone.get_by_test_id("children-table")
    expect(table).to_contain_text(A1_NAME)
    expect(table).not_to_contain_text("ChildA2")
    expect(table.get_by_test_id("child-status")).to_have_text("Missing")
    fits_sideways(phone)
    assert_accessible(phone)
    screenshot(phone, "phone-list-header-search")

    # By child ID, from another page; a child out of scope is never listed, even by exact ID.
    phone.goto("/episodes/missing-now/")
    search.get_by_label("Find a child by name or child ID").fill(world.children["b1"].child_id)
    search.get_by_role("button", name="Search").click()
    expect(phone.get_by_test_id("children-empty")).to_be_visible()
    expect(phone.locator("main")).not_to_contain_text("ChildB1")

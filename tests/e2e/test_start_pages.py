"""Every role signs in (with its authenticator app) and lands on its own start page."""

import pytest
from playwright.sync_api import Page, expect

from apps.accounts.models import Role
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import PHONE_VIEWPORT, add_authenticator, screenshot
from tests.factories import make_user

START_HEADINGS = {
    Role.CARE_WORKER: "Your homes",
    Role.HOME_MANAGER: "Your homes",
    Role.SOCIAL_WORKER: "Your caseload",
    Role.RETURN_INTERVIEWER: "Your return interviews",
    Role.POLICE_LIAISON: "Your force area",
    Role.SERVICE_MANAGER: "Your authority",
    Role.ADMINISTRATOR: "Administration",
}


def test_every_role_has_a_start_page():
    assert set(START_HEADINGS) == set(Role)


def expect_start_page(page: Page, user) -> None:
    heading = START_HEADINGS[user.role]
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page).to_have_title(f"{heading} – Homeward")
    signed_in_as = page.get_by_test_id("signed-in-as")
    expect(signed_in_as).to_contain_text(f"Signed in as {user.full_name}")
    expect(signed_in_as).to_contain_text(user.get_role_display())
    expect(signed_in_as).to_contain_text(user.organisation.name)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    # Two-factor sign-in is on, so the demo warning must not show.
    expect(page.get_by_test_id("demo-2fa-banner")).to_have_count(0)


@pytest.mark.parametrize("role", [role.value for role in Role])
def test_role_lands_on_its_start_page(page: Page, sign_in, role):
    user = make_user(role, email=f"{role.replace('_', '.')}@test.example")

    sign_in(user, secret=add_authenticator(user))

    expect_start_page(page, user)
    assert_accessible(page)
    screenshot(page, f"start-{role.replace('_', '-')}")


def test_start_page_on_a_phone(phone_page: Page, sign_in):
    """Care workers report from their phones: the start page must work at 390x844."""
    phone = phone_page
    user = make_user(Role.CARE_WORKER, email="on.the.phone@test.example")

    sign_in(user, secret=add_authenticator(user), on=phone)

    expect_start_page(phone, user)
    # Nothing is wider than the screen (no sideways scrolling).
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    assert_accessible(phone)
    screenshot(phone, "start-care-worker-phone")


def test_care_worker_queue_on_a_phone(phone_page: Page, sign_in):
    """The care worker's queue with a child missing: report buttons, the board, no sideways
    scroll at 390px, no serious axe violations."""
    from datetime import timedelta

    from django.utils import timezone

    from apps.episodes import services as episodes
    from tests.world import build_world

    world = build_world()
    episodes.episode_open(
        actor=world.users["cw_a1"],
        child=world.children["a1"],
        kind="M",
        last_seen_at=timezone.now() - timedelta(hours=2),
        last_seen_where="Bus station",
    )
    user = world.users["cw_a1"]
    sign_in(user, secret=add_authenticator(user), on=phone_page)
    expect(phone_page.get_by_test_id("missing-row")).to_have_count(1)
    assert (
        phone_page.evaluate("() => document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    )
    assert_accessible(phone_page)
    screenshot(phone_page, "start-queue-care-worker-phone")

"""The first hour in the browser: a police liaison officer reports a child missing, and the
next-steps and first-hour-steps pages pass axe on a phone and a desktop (the care worker's
phone journey through next steps and the child's banner is in test_episodes.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from apps.children import services as children
from apps.episodes import services as episodes
from apps.episodes.models import Episode
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import PHONE_VIEWPORT, add_authenticator, screenshot

A1_NAME = "ChildA1 Test"


def test_a_police_liaison_reports_a_child_missing(page: Page, sign_in, world):
    police = world.users["police_1"]
    a1 = world.children["a1"]
    children.police_grant_create(
        actor=world.users["sw_a"],
        child=a1,
        officer=police,
        reason="Found in the street",
        expires_at=timezone.now() + timedelta(days=2),
    )
    sign_in(police, secret=add_authenticator(police))
    page.goto(f"/children/{a1.pk}/")
    page.get_by_test_id("episode-actions").get_by_role("button", name="Report missing").click()
    page.get_by_label("Missing", exact=True).check()
    page.get_by_label("Where were they last seen?").fill("Found at the bus station")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Next steps")
    episode = Episode.objects.get(child=a1)
    assert episode.reported_by == police and episode.is_open
    page.goto(f"/children/{a1.pk}/")
    expect(page.get_by_test_id("child-missing-banner")).to_contain_text("Missing now")
    screenshot(page, "first-hour-police-banner")


def _pages(world):
    episode = episodes.episode_open(
        actor=world.users["cw_a1"],
        child=world.children["a1"],
        kind="M",
        last_seen_at=timezone.now() - timedelta(minutes=40),
        last_seen_where="Park",
    )
    sm = world.users["sm_a"]
    episodes.authority_step_add(actor=sm, authority=sm.organisation, wording="Ring the EDT")
    retired = episodes.authority_step_add(actor=sm, authority=sm.organisation, wording="Old step")
    episodes.authority_step_set_active(actor=sm, step=retired, expected_version=1, active=False)
    return episode


@pytest.mark.parametrize("device_name", ["desktop", "phone"])
def test_the_first_hour_pages_pass_axe_on_a_phone_and_a_desktop(
    page: Page, phone_page: Page, sign_in, world, device_name
):
    episode = _pages(world)
    cw, sm = world.users["cw_a1"], world.users["sm_a"]
    device = phone_page if device_name == "phone" else page
    sign_in(cw, secret=add_authenticator(cw), on=device)
    device.goto(f"/episodes/{episode.pk}/next-steps/")
    expect(device.get_by_role("heading", name="Ring the EDT")).to_be_visible()
    assert_accessible(device)
    screenshot(device, f"first-hour-next-steps-{device_name}")
    if device_name == "phone":
        assert (
            device.evaluate("() => document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
        )
    device.context.clear_cookies()
    sign_in(sm, secret=add_authenticator(sm), on=device)
    device.goto("/episodes/first-hour-steps/")
    expect(device.get_by_test_id("authority-step")).to_have_count(2)
    assert_accessible(device)
    screenshot(device, f"first-hour-authority-steps-{device_name}")
    device.get_by_role("button", name="Add the step").click()
    expect(device.locator(".govuk-error-summary")).to_contain_text("Enter the step")
    assert_accessible(device)

"""A care worker, on a phone, records the weekend's absence after the child came back: the
start and the return on one form with why it is late; the episode shows it was recorded late
and the return interview is due from the return. tests.world: a1 lives at home A1 (cw_a1)."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from apps.episodes.models import Episode
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import PHONE_VIEWPORT, screenshot

A1_NAME = "ChildA1 Test"


def fill_when(page: Page, name: str, moment) -> None:
    local = timezone.localtime(moment)
    page.locator(f'input[name="{name}_day"]').fill(str(local.day))
    page.locator(f'input[name="{name}_month"]').fill(str(local.month))
    page.locator(f'input[name="{name}_year"]').fill(str(local.year))
    page.locator(f'input[name="{name}_time"]').fill(f"{local:%H:%M}")


def test_a_care_worker_records_an_absence_after_it_ended(
    phone_page: Page, sign_in, world, settings
):
    settings.REQUIRE_2FA = False
    phone = sign_in(world.users["cw_a1"], on=phone_page)
    phone.goto(f"/children/{world.children['a1'].pk}/")
    phone.get_by_test_id("record-late").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Record an absence after it ended")
    assert_accessible(phone)

    gone = (timezone.now() - timedelta(days=2)).replace(second=0, microsecond=0)
    back = gone + timedelta(hours=6)
    phone.get_by_label("Away from placement").check()
    fill_when(phone, "last_seen_at", gone)
    phone.get_by_label("Where were they last seen?").fill("The skate park")
    fill_when(phone, "returned_at", back)
    phone.get_by_label("Returned of their own accord").check()
    # Without the reason: a GOV.UK error summary, and nothing typed is lost.
    phone.get_by_role("button", name="Record the absence").click()
    summary = phone.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter why this is recorded after the child came back")
    expect(phone.get_by_label("Where were they last seen?")).to_have_value("The skate park")
    assert_accessible(phone)
    phone.get_by_label("Why is this recorded now, after they came back?").fill(
        "Nobody on the weekend shift could sign in"
    )
    screenshot(phone, "late-record-phone")
    phone.get_by_role("button", name="Record the absence").click()

    expect(phone.get_by_test_id("episode-child")).to_have_text(A1_NAME)
    expect(phone.get_by_test_id("recorded-late")).to_be_visible()
    episode = Episode.objects.get(child=world.children["a1"])
    assert episode.recorded_late and episode.returned_at == back
    assert episode.interview.due_at == back + timedelta(hours=72)
    expect(phone.locator("main")).to_contain_text("Recorded late by")
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    assert_accessible(phone)
    screenshot(phone, "late-record-episode-phone")

"""Dashboards, exports and the police pack, clicked through as a service manager would.

The world is tests/world.py: sm_a is the service manager of authority A, which places a1 (at
its own home A1) and a2 (at authority B's home B1). Episodes are made through the services in
the last whole quarter, and a2 is missing now. Every new page is checked with axe and saved
to artifacts/screenshots/reports-*.png at desktop and phone widths.
"""

import csv
import io
import re
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from apps.children.models import AccessLog, AccessLogKind
from apps.core.clock import LONDON
from apps.episodes import services as episodes
from apps.reports.forms import period_dates
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import PHONE_VIEWPORT, add_authenticator, screenshot


@pytest.fixture
def world(world):
    sw = world.users["sw_a"]
    first, _last = period_dates("quarter", timezone.localdate())
    for child, home_days, kind in [
        ("a1", 3, "M"),
        ("a1", 20, "A"),
        ("a1", 40, "M"),
        ("a2", 10, "A"),
    ]:
        start = datetime.combine(first + timedelta(days=home_days), time(21, 0), tzinfo=LONDON)
        episode = episodes.episode_open(
            actor=sw,
            child=world.children[child],
            kind=kind,
            last_seen_at=start,
            last_seen_where="Town centre",
        )
        episodes.episode_record_return(
            actor=sw,
            episode=episode,
            expected_version=episode.version,
            returned_at=start + timedelta(hours=9),
            return_method="own_accord",
        )
    episodes.episode_open(
        actor=sw,
        child=world.children["a2"],
        kind="M",
        last_seen_at=timezone.now() - timedelta(hours=5),
        last_seen_where="Bus station",
        police_reference="NP-26-4242",
        clothing="Red hoodie",
    )
    return world


def checked(page: Page, name: str) -> None:
    assert_accessible(page)
    screenshot(page, f"reports-{name}")


def test_service_manager_filters_downloads_and_opens_the_police_pack(
    page: Page, sign_in, world, phone_page: Page
):
    sm = world.users["sm_a"]
    secret = add_authenticator(sm)
    sign_in(sm, secret=secret)

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    expect(page.locator("canvas[data-chart]")).to_have_count(3)
    page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length === 3")
    checked(page, "dashboard")

    # Filter to home A1 and the last quarter.
    filters = page.get_by_test_id("filters")
    filters.get_by_label("Period").select_option(label="Last quarter")
    filters.get_by_label("Home").select_option(label="Home A1")
    filters.get_by_role("button", name="Apply filters").click()
    first, last = period_dates("quarter", timezone.localdate())
    expect(page.get_by_test_id("period")).to_contain_text(
        f"{first.day} {first:%b %Y} to {last.day} {last:%b %Y} · Home A1"
    )
    assert "period=quarter" in page.url and f"home={world.homes['A1'].pk}" in page.url
    expect(page.get_by_test_id("summary-monthly")).to_contain_text("3 episodes from")
    homes = page.get_by_test_id("table-homes")
    expect(homes.locator("tbody tr")).to_have_count(1)
    expect(homes.locator("tbody th")).to_have_text("Home A1")
    page.wait_for_function("() => Object.keys(Chart.instances).length === 3")
    checked(page, "dashboard-filtered")

    # Download the per-home table as CSV: the same numbers, and the export is logged.
    with page.expect_download() as info:
        page.get_by_test_id("export-homes").get_by_role("link", name="CSV").click()
    download = info.value
    assert download.suggested_filename.startswith("homeward-homes-")
    rows = list(csv.reader(io.StringIO(download.path().read_text(encoding="utf-8-sig"))))
    assert rows[0][0] == "Home" and rows[1][:2] == ["Home A1", "3"]
    assert AccessLog.objects.filter(user=sm, kind=AccessLogKind.EXPORT).exists()

    # A bad filter: the GOV.UK error summary.
    page.goto("/reports/dashboard/?period=custom&date_from=2026-02-30&date_to=")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a real date in From")
    checked(page, "dashboard-error")

    # The police pack of the child missing now, from the dashboard's Missing now table.
    page.goto("/reports/dashboard/")
    page.get_by_test_id("table-missing-now").get_by_role("link", name="ChildA2 Test").click()
    page.get_by_test_id("police-pack-link").click()
    expect(page.get_by_test_id("pack-child")).to_have_text("ChildA2 Test")
    expect(page.get_by_test_id("pack-police-reference")).to_have_text("NP-26-4242")
    expect(page.get_by_test_id("pack-part-2")).to_contain_text("Red hoodie")
    checked(page, "police-pack")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the pack").click()
    assert info.value.suggested_filename.startswith("police-pack-IDA2-")
    assert AccessLog.objects.filter(
        user=sm, kind=AccessLogKind.EXPORT, child=world.children["a2"]
    ).exists()

    # The SSDA903 table and its validation.
    page.goto("/reports/dashboard/")
    page.get_by_role("link", name="SSDA903 Missing table and its validation").click()
    expect(page.get_by_test_id("ssda903-result")).to_contain_text("pass")
    checked(page, "ssda903")

    # Phone width: each page fits, nothing wider than the screen but the tables' own regions.
    # The same session on a phone (a second sign-in would reuse the security code, refused).
    phone_page.context.add_cookies(page.context.cookies())
    for name, url in [
        ("dashboard", f"/reports/dashboard/?period=quarter&home={world.homes['A1'].pk}"),
        ("police-pack", "/reports/dashboard/"),
        ("ssda903", "/reports/ssda903/"),
    ]:
        phone_page.goto(url)
        if name == "police-pack":
            phone_page.get_by_test_id("table-missing-now").get_by_role("link").first.click()
            phone_page.get_by_test_id("police-pack-link").click()
            # Measured once the pack has loaded, not during the navigation.
            phone_page.wait_for_url(re.compile(r"/reports/police-pack/\d+/"))
        width = phone_page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE_VIEWPORT["width"], (name, width)
        checked(phone_page, f"phone-{name}")

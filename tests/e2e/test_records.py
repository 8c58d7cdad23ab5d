"""Children's records and homes, clicked through the way each role would use them.

Each journey starts on the user's start page (after a real sign-in with two-factor) and moves
through the service navigation ("Children", "Homes") and the record's tabs; only the pages a
person would reach by typing an address (the 404 checks) are opened by URL. Every page is
checked with axe and saved to artifacts/screenshots/records-*.png.

The world is tests/world.py: child a1 lives at home A1 (authority A, force 1), where care worker
cw_a1 works; sw_a is a1's social worker; sm_a is authority A's service manager; b1 lives at B1.
"""

import re

from django.test import Client
from django.utils import timezone
from django.utils.dateformat import format as date_format
from playwright.sync_api import Locator, Page, expect

from apps.children import services as children
from apps.children.models import AccessLog, Associate, PhilomenaProfile
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import PHONE_VIEWPORT, add_authenticator, screenshot
from tests.helpers import sign_in as client_sign_in

A1_NAME = "ChildA1 Test"
B1_NAME = "ChildB1 Test"
PAGE_NOT_FOUND = "Page not found"


# Helpers -------------------------------------------------------------------------------------


def checked(page: Page, name: str) -> None:
    """Every page a journey visits: no serious axe violation, and a screenshot of it."""
    assert_accessible(page)
    screenshot(page, f"records-{name}")


def today_text() -> str:
    """Today as the record pages print dates ("4 Mar 2026")."""
    return date_format(timezone.localdate(), "j M Y")


def follow_menu(page: Page, label: str) -> None:
    """Click a link in the service navigation, opening the menu first on a small screen."""
    menu = page.get_by_role("navigation", name="Menu")
    toggle = menu.get_by_role("button", name="Menu")
    if toggle.is_visible():
        toggle.click()
    menu.get_by_role("link", name=label, exact=True).click()


def open_tab(page: Page, label: str) -> None:
    """Click one of the child's record tabs (Summary, Philomena profile, History...)."""
    page.get_by_role("navigation", name="Child's record").get_by_role(
        "link", name=label, exact=True
    ).click()
    expect(
        page.get_by_role("navigation", name="Child's record").get_by_role(
            "link", name=label, exact=True
        )
    ).to_have_attribute("aria-current", "page")


def summary_value(page: Page, key: str) -> Locator:
    """The value cell of the summary-list row whose key is `key`."""
    row = page.locator(".govuk-summary-list__row").filter(
        has=page.locator(".govuk-summary-list__key", has_text=re.compile(f"^{re.escape(key)}$"))
    )
    return row.locator(".govuk-summary-list__value")


def children_table_names(page: Page) -> list[str]:
    table = page.get_by_test_id("children-table")
    if not table.count():
        return []
    return [name.strip() for name in table.locator("tbody th").all_inner_texts()]


def open_child_from_list(page: Page, name: str = A1_NAME) -> None:
    """From anywhere: Children in the menu, then the child's name in the list."""
    follow_menu(page, "Children")
    expect(page.get_by_role("heading", level=1)).to_have_text("Children")
    page.get_by_test_id("children-table").get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_test_id("child-name")).to_have_text(name)


def expect_no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE_VIEWPORT["width"], f"{page.url} is {width}px wide on a 390px screen"


def expect_page_not_found(page: Page, response) -> None:
    assert response is not None and response.status == 404, response and response.status
    expect(page.get_by_role("heading", level=1)).to_have_text(PAGE_NOT_FOUND)
    expect(page).to_have_title(f"{PAGE_NOT_FOUND} – Homeward")
    # Nothing about the child shows, not even their name in the page.
    expect(page.get_by_test_id("child-name")).to_have_count(0)


def error_summary(page: Page) -> Locator:
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    return summary


# 1. A care worker keeps a child's Philomena profile -----------------------------------------


def test_care_worker_updates_the_philomena_profile_and_adds_an_associate(
    page: Page, sign_in, world
):
    cw = world.users["cw_a1"]
    a1 = world.children["a1"]
    sign_in(cw, secret=add_authenticator(cw))
    assert_accessible(page)  # start page (its screenshot is start-care-worker.png)

    follow_menu(page, "Children")
    expect(page.get_by_role("heading", level=1)).to_have_text("Children")
    assert children_table_names(page) == [A1_NAME]
    expect(page.get_by_test_id("children-table")).to_contain_text("Home A1")
    checked(page, "children-list-care-worker")

    page.get_by_role("link", name=A1_NAME, exact=True).click()
    expect(page.get_by_test_id("child-name")).to_have_text(A1_NAME)
    expect(page.get_by_test_id("current-placement")).to_contain_text("Home A1")
    expect(page.get_by_test_id("warning-profile")).to_contain_text("never been reviewed")
    checked(page, "child-summary-care-worker")

    open_tab(page, "Philomena profile")
    expect(page.get_by_role("heading", level=2, name="Philomena profile")).to_be_visible()
    expect(page.get_by_test_id("profile-reviewed")).to_have_text(
        "This profile has never been reviewed."
    )
    expect(summary_value(page, "Hair")).to_have_text("Not recorded")
    checked(page, "profile-before")

    page.get_by_role("button", name="Edit profile").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit the Philomena profile")
    expect(page.get_by_label("Hair")).to_have_value("")
    checked(page, "profile-edit")

    page.get_by_label("Hair").fill("Shoulder-length, dyed red")
    page.get_by_label("Social media").fill("Snapchat: red_jay_a1\nTikTok: @jaya1")
    page.get_by_role("button", name="Save and mark as reviewed").click()

    expect(page).to_have_url(re.compile(rf"/children/{a1.pk}/profile/$"))
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("The Philomena profile has been updated.")
    expect(summary_value(page, "Hair")).to_have_text("Shoulder-length, dyed red")
    expect(summary_value(page, "Social media")).to_contain_text("Snapchat: red_jay_a1")
    expect(summary_value(page, "Social media")).to_contain_text("TikTok: @jaya1")
    reviewed = page.get_by_test_id("profile-reviewed")
    expect(reviewed).to_contain_text(f"Last reviewed {today_text()}")
    expect(reviewed).to_contain_text(f"by {cw.full_name}")
    checked(page, "profile-saved")

    profile = PhilomenaProfile.objects.get(child=a1)
    assert profile.hair == "Shoulder-length, dyed red"
    # Browsers send a textarea's line breaks as CRLF, and the form keeps them as sent.
    assert profile.social_media.splitlines() == ["Snapchat: red_jay_a1", "TikTok: @jaya1"]
    assert profile.last_reviewed_by == cw
    assert timezone.localdate(profile.last_reviewed_at) == timezone.localdate()

    page.get_by_role("link", name="Add an associate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an associate")
    checked(page, "associate-add")

    page.get_by_label("Name", exact=True).fill("Dean Marsh")
    page.get_by_label("Relationship to the child").fill("Older friend, about 19")
    page.get_by_label("Contact details").fill("Instagram: @deanm")
    page.get_by_label("This person is a concern").check()
    page.get_by_label("Notes").fill("Picks her up in a grey car near the park.")
    page.get_by_role("button", name="Add associate").click()

    expect(page).to_have_url(re.compile(rf"/children/{a1.pk}/profile/$"))
    expect(banner).to_contain_text("Dean Marsh has been added.")
    row = page.get_by_test_id("associates").locator("tbody tr").filter(has_text="Dean Marsh")
    expect(row).to_have_count(1)
    expect(row.locator(".govuk-tag")).to_have_text("Concern")
    expect(row).to_contain_text("Older friend, about 19")
    expect(row).to_contain_text("Instagram: @deanm")
    checked(page, "profile-with-associate")

    associate = Associate.objects.get(profile__child=a1)
    assert (associate.name, associate.is_concern) == ("Dean Marsh", True)


def test_profile_edit_form_works_on_a_phone(phone_page: Page, sign_in, world):
    phone = phone_page
    cw = world.users["cw_a1"]
    a1 = world.children["a1"]
    sign_in(cw, secret=add_authenticator(cw), on=phone)

    open_child_from_list(phone)
    open_tab(phone, "Philomena profile")
    phone.get_by_role("button", name="Edit profile").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Edit the Philomena profile")

    expect_no_sideways_scroll(phone)
    # Every field is labelled and fits the screen.
    for label in ["Height", "Build", "Hair", "Eye colour", "Social media", "Other information"]:
        field = phone.get_by_label(label)
        field.scroll_into_view_if_needed()
        box = field.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE_VIEWPORT["width"], label
    assert_accessible(phone)
    screenshot(phone, "records-phone-profile-edit")

    phone.get_by_label("Hair").tap()
    phone.get_by_label("Hair").fill("Short, black, shaved at the sides")
    phone.get_by_label("Social media").fill("Instagram: @a1_on_the_phone")
    phone.get_by_role("button", name="Save and mark as reviewed").tap()

    expect(phone).to_have_url(re.compile(rf"/children/{a1.pk}/profile/$"))
    expect(phone.locator(".govuk-notification-banner--success")).to_contain_text(
        "The Philomena profile has been updated."
    )
    expect(summary_value(phone, "Hair")).to_have_text("Short, black, shaved at the sides")
    expect(phone.get_by_test_id("profile-reviewed")).to_contain_text(today_text())
    assert_accessible(phone)
    screenshot(phone, "records-phone-profile-saved")
    assert PhilomenaProfile.objects.get(child=a1).social_media == "Instagram: @a1_on_the_phone"


# 2. Bad input keeps what was typed, and saves nothing ----------------------------------------


def test_over_long_profile_value_is_refused_and_what_was_typed_is_kept(page: Page, sign_in, world):
    cw = world.users["cw_a1"]
    a1 = world.children["a1"]
    before = PhilomenaProfile.objects.get(child=a1)
    sign_in(cw, secret=add_authenticator(cw))
    open_child_from_list(page)
    open_tab(page, "Philomena profile")
    page.get_by_role("button", name="Edit profile").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit the Philomena profile")

    hair = page.get_by_label("Hair")
    # The browser stops typing at 200 characters; a pasted or scripted value is not stopped
    # there, so take the limit off and check the server refuses it too.
    expect(hair).to_have_attribute("maxlength", "200")
    hair.evaluate("input => input.removeAttribute('maxlength')")
    too_long = "Long brown hair, " * 12 + "in a plait"  # 214 characters
    hair.fill(too_long)
    page.get_by_label("Eye colour").fill("Green")
    page.get_by_label("Social media").fill("Snapchat: kept_after_error")
    page.get_by_role("button", name="Save and mark as reviewed").click()

    summary = error_summary(page)
    expect(page).to_have_title(re.compile(r"\(error\) – Homeward$"))
    link = summary.get_by_role("link", name=re.compile("200 characters"))
    expect(link).to_have_attribute("href", "#id_hair")
    expect(page.locator("#id_hair-error")).to_contain_text("200 characters")
    expect(hair).to_have_attribute("aria-describedby", re.compile("id_hair-error"))
    # What was typed is still there, in every field.
    expect(hair).to_have_value(too_long)
    expect(page.get_by_label("Eye colour")).to_have_value("Green")
    expect(page.get_by_label("Social media")).to_have_value("Snapchat: kept_after_error")
    checked(page, "profile-edit-too-long")

    link.click()
    expect(hair).to_be_focused()

    after = PhilomenaProfile.objects.get(child=a1)
    assert after.version == before.version
    assert (after.hair, after.eyes, after.social_media) == ("", "", "")
    assert after.last_reviewed_at is None


def test_associate_without_a_name_is_refused_and_what_was_typed_is_kept(page: Page, sign_in, world):
    cw = world.users["cw_a1"]
    sign_in(cw, secret=add_authenticator(cw))
    open_child_from_list(page)
    open_tab(page, "Philomena profile")
    page.get_by_role("link", name="Add an associate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an associate")

    page.get_by_label("Relationship to the child").fill("Cousin")
    page.get_by_label("Contact details").fill("07700 900123")
    page.get_by_label("This person is a concern").check()
    page.get_by_label("Notes").fill("Meets her after school.")
    page.get_by_role("button", name="Add associate").click()

    summary = error_summary(page)
    link = summary.get_by_role("link", name="Enter the person's name")
    expect(link).to_have_attribute("href", "#id_name")
    expect(page.locator("#id_name-error")).to_contain_text("Enter the person's name")
    expect(page.get_by_label("Relationship to the child")).to_have_value("Cousin")
    expect(page.get_by_label("Contact details")).to_have_value("07700 900123")
    expect(page.get_by_label("This person is a concern")).to_be_checked()
    expect(page.get_by_label("Notes")).to_have_value("Meets her after school.")
    checked(page, "associate-add-no-name")

    link.click()
    expect(page.get_by_label("Name", exact=True)).to_be_focused()
    assert not Associate.objects.exists()


# 3. A social worker sees who changed what ----------------------------------------------------


def test_social_worker_sees_a_care_workers_change_in_the_history(page: Page, sign_in, world):
    cw = world.users["cw_a1"]
    sw = world.users["sw_a"]
    a1 = world.children["a1"]
    profile = PhilomenaProfile.objects.get(child=a1)
    children.profile_update(
        actor=cw,
        child=a1,
        expected_version=profile.version,
        hair="Short and brown",
        social_media="Snapchat: a1_snaps",
    )
    children.profile_update(
        actor=cw,
        child=a1,
        expected_version=profile.version + 1,
        hair="Long and dyed blue",
    )

    sign_in(sw, secret=add_authenticator(sw))
    assert_accessible(page)
    open_child_from_list(page)
    checked(page, "child-summary-social-worker")

    open_tab(page, "History")
    expect(page.get_by_role("heading", level=2, name="History")).to_be_visible()
    history = page.get_by_test_id("history")
    rows = history.locator("tbody tr").filter(has_text="Philomena profile")
    changes = rows.filter(has_text="Hair:")
    expect(changes).to_have_count(2)
    # Newest first: blue replaced brown, which replaced nothing.
    latest, first = changes.nth(0), changes.nth(1)
    for row in (latest, first):
        cells = row.locator("td")
        expect(cells.nth(0)).to_contain_text(today_text())
        expect(cells.nth(1)).to_have_text(cw.full_name)
        expect(cells.nth(2)).to_have_text("Philomena profile")
    expect(latest.locator("li").filter(has_text="Hair:")).to_have_text(
        re.compile(r"^Hair: Short and brown\s*→?\s*(changed to)?\s*Long and dyed blue$")
    )
    expect(first.locator("li").filter(has_text="Hair:")).to_have_text(
        re.compile(r"^Hair: \(blank\)\s*→?\s*(changed to)?\s*Short and brown$")
    )
    expect(first.locator("li").filter(has_text="Social media:")).to_have_text(
        re.compile(r"^Social media: \(blank\)\s*→?\s*(changed to)?\s*Snapchat: a1_snaps$")
    )
    # Social media did not change the second time, so it is not listed against it.
    expect(latest.locator("li").filter(has_text="Social media:")).to_have_count(0)
    # The record's creation by the social worker is there too, further down.
    created = history.locator("tbody tr").filter(has_text="Child record").filter(has_text="Created")
    expect(created).to_contain_text(sw.full_name)
    checked(page, "history-social-worker")


# 4. A service manager sees who viewed the record; nobody else can ----------------------------


def test_service_manager_sees_who_viewed_the_record(page: Page, sign_in, world, browser):
    cw = world.users["cw_a1"]
    sw = world.users["sw_a"]
    sm = world.users["sm_a"]
    a1 = world.children["a1"]
    # The care worker and the social worker open the record (real requests to the views).
    for viewer in (cw, sw):
        response = client_sign_in(Client(), viewer).get(f"/children/{a1.pk}/")
        assert response.status_code == 200
    assert set(AccessLog.objects.filter(child=a1).values_list("user", flat=True)) == {
        cw.pk,
        sw.pk,
    }

    sign_in(sm, secret=add_authenticator(sm))
    assert_accessible(page)
    open_child_from_list(page)
    checked(page, "child-summary-service-manager")

    open_tab(page, "Who viewed this record")
    expect(page.get_by_role("heading", level=2, name="Who viewed this record")).to_be_visible()
    log = page.get_by_test_id("access-log")
    rows = log.locator("tbody tr")
    # Newest first: this page, the summary just now, then the social worker, the care worker.
    expect(rows).to_have_count(4)
    expected = [
        (sm, "Child record"),
        (sm, "Child record"),
        (sw, "Child record"),
        (cw, "Child record"),
    ]
    for index, (user, what) in enumerate(expected):
        cells = rows.nth(index).locator("td")
        expect(cells.nth(0)).to_contain_text(today_text())
        expect(cells.nth(0)).to_have_text(re.compile(r"\d{1,2}:\d{2}(am|pm)\s*$"))
        expect(cells.nth(1)).to_contain_text(user.full_name)
        expect(cells.nth(1)).to_contain_text(user.get_role_display())
        expect(cells.nth(2)).to_have_text(user.organisation.name)
        expect(cells.nth(3)).to_have_text(what)
    checked(page, "access-log-service-manager")


def test_care_worker_cannot_see_who_viewed_the_record(page: Page, sign_in, world):
    cw = world.users["cw_a1"]
    a1 = world.children["a1"]
    sign_in(cw, secret=add_authenticator(cw))
    open_child_from_list(page)
    record_tabs = page.get_by_role("navigation", name="Child's record")
    expect(record_tabs.get_by_role("link", name="Who viewed this record")).to_have_count(0)
    assert_accessible(page)

    response = page.goto(f"/children/{a1.pk}/viewed/")

    expect_page_not_found(page, response)
    checked(page, "access-log-care-worker-404")
    assert not AccessLog.objects.filter(child=a1, path__endswith="/viewed/").exists()


# 5. A care worker never sees a child of another home -----------------------------------------


def test_care_worker_cannot_find_or_open_a_child_of_another_home(page: Page, sign_in, world):
    cw = world.users["cw_a1"]
    b1 = world.children["b1"]
    sign_in(cw, secret=add_authenticator(cw))

    for url in (f"/children/{b1.pk}/", f"/children/{b1.pk}/profile/"):
        response = page.goto(url)
        expect_page_not_found(page, response)
        expect(page.locator("body")).not_to_contain_text("ChildB1")
    checked(page, "child-of-another-home-404")
    assert not AccessLog.objects.filter(child=b1).exists()

    page.get_by_role("link", name="Go to your start page").click()
    follow_menu(page, "Children")
    assert children_table_names(page) == [A1_NAME]

    search = page.get_by_label("Search by name or child ID")
    for text in ("ChildB1", "IDB1", "idb1"):
        search.fill(text)
        page.get_by_role("search", name="Children").get_by_role("button", name="Search").click()
        expect(page.get_by_test_id("children-empty")).to_contain_text(f"No children match ‘{text}’")
        assert children_table_names(page) == []
        search = page.get_by_label("Search by name or child ID")
        expect(search).to_have_value(text)
    checked(page, "children-search-no-match")

    # A search every child matches still shows only a1.
    search.fill("Test")
    page.get_by_role("search", name="Children").get_by_role("button", name="Search").click()
    assert children_table_names(page) == [A1_NAME]
    expect(page.locator("main")).not_to_contain_text(B1_NAME)
    checked(page, "children-search-care-worker")


# 6. A police liaison officer sees the homes in their force area ------------------------------


def test_police_liaison_sees_the_homes_in_their_force_area(page: Page, sign_in, world):
    officer = world.users["police_1"]
    sign_in(officer, secret=add_authenticator(officer))
    assert_accessible(page)

    follow_menu(page, "Homes")
    expect(page.get_by_role("heading", level=1)).to_have_text("Homes")
    table = page.get_by_test_id("homes-table")
    expect(table.locator("caption")).to_have_text("3 homes")
    names = [name.strip() for name in table.locator("tbody th").all_inner_texts()]
    assert names == ["Home A1", "Home B1", "Home P1"]
    expect(page.locator("main")).not_to_contain_text("Home B2")
    for key in ("A1", "B1", "P1"):
        row = table.locator("tbody tr").filter(has_text=f"Home {key}")
        expect(row).to_contain_text("Testbury")
        expect(row).to_contain_text("NE1 8AA")
    checked(page, "homes-list-police")

    for key, operator in (("A1", "Authority A"), ("B1", "Authority B"), ("P1", "Provider P")):
        home = world.homes[key]
        table.get_by_role("link", name=f"Home {key}", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Home {key}")
        address = summary_value(page, "Address")
        for line in (home.address_line_1, home.town, home.postcode):
            expect(address).to_contain_text(line)
        expect(summary_value(page, "Police force area")).to_have_text("Force 1")
        expect(summary_value(page, "Run by")).to_have_text(operator)
        # Police see homes, not the children in them.
        expect(page.get_by_role("heading", name="Children living here")).to_have_count(0)
        expect(page.locator("main")).not_to_contain_text("ChildA")
        expect(page.locator("main")).not_to_contain_text("ChildB")
        expect(page.get_by_role("button", name="Edit home")).to_have_count(0)
        checked(page, f"home-{key.lower()}-police")
        page.locator(".govuk-back-link", has_text="Homes").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Homes")

    response = page.goto(f"/homes/{world.homes['B2'].pk}/")
    expect_page_not_found(page, response)


# Known problems, kept as strict expected failures: when a fix lands these pass, pytest reports
# XPASS(strict) as a failure, and the marker must be removed. ---------------------------------


def test_record_pages_fit_a_phone(phone_page: Page, sign_in, world):
    phone = phone_page
    cw = world.users["cw_a1"]
    a1 = world.children["a1"]
    children.associate_add(
        actor=world.users["sw_a"],
        child=a1,
        name="Dean Marsh-Whitworth",
        relationship="Older friend",
        contact="Instagram: @dean_marsh_whitworth_1999",
        notes="Picks her up in a grey car near the park most evenings.",
        is_concern=True,
    )
    sign_in(cw, secret=add_authenticator(cw), on=phone)
    widths = {}

    def measure(name: str) -> None:
        # The page itself must not scroll sideways. A table may: inside a region of its own,
        # named by its caption and focusable, so it can be scrolled from the keyboard too.
        widths[name] = phone.evaluate("() => document.documentElement.scrollWidth")
        tables = phone.locator("main table")
        for index in range(tables.count()):
            table = tables.nth(index)
            region = table.locator("xpath=..")
            expect(region).to_have_attribute("role", "region")
            expect(region).to_have_attribute("tabindex", "0")
            expect(region).to_have_css("overflow-x", "auto")
            caption = " ".join(table.locator("caption").inner_text().split())
            expect(region).to_have_accessible_name(caption)
        assert_accessible(phone)
        screenshot(phone, f"records-phone-{name}")

    open_child_from_list(phone)
    measure("child-summary")
    phone.locator(".govuk-back-link", has_text="Children").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Children")
    measure("children-list")
    phone.get_by_role("link", name=A1_NAME, exact=True).click()
    open_tab(phone, "Philomena profile")
    expect(phone.get_by_test_id("associates")).to_contain_text("Dean Marsh-Whitworth")
    measure("profile-with-associate")
    open_tab(phone, "History")
    measure("history")
    follow_menu(phone, "Homes")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Homes")
    measure("homes-list")
    phone.get_by_role("link", name="Home A1", exact=True).click()
    # The home's page has loaded (measuring during the navigation finds no document).
    expect(phone.get_by_role("heading", level=1)).to_have_text("Home A1")
    measure("home-a1")

    too_wide = {name: width for name, width in widths.items() if width > PHONE_VIEWPORT["width"]}
    assert not too_wide, f"wider than the 390px screen: {too_wide}"


def test_history_names_people_and_shows_uk_times(page: Page, sign_in, world):
    cw = world.users["cw_a1"]
    sw = world.users["sw_a"]
    a1 = world.children["a1"]
    profile = PhilomenaProfile.objects.get(child=a1)
    children.profile_update(
        actor=cw, child=a1, expected_version=profile.version, hair="Short and brown"
    )

    sign_in(sw, secret=add_authenticator(sw))
    open_child_from_list(page)
    open_tab(page, "History")
    history = page.get_by_test_id("history")
    expect(history).to_contain_text("Hair: (blank)")

    changes = history.locator("li")
    allocated = changes.filter(has_text="Allocated social worker:")
    # People by name, never by database id.
    expect(allocated).to_have_text(re.compile(rf"{re.escape(sw.full_name)}\s*$"))
    # Reviewing is said by the entry itself (who, when), not as raw field changes.
    expect(changes.filter(has_text="Last reviewed")).to_have_count(0)
    # Times as the rest of the page prints them (UK time), never ISO UTC.
    expect(history).not_to_contain_text("+00:00")

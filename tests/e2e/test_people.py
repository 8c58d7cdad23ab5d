"""An administrator invites a new care worker, who sets a password from the link a real
worker emails through SMTP, and signs in to their own start page (the people pages, not the
Django admin). A home manager changes a care worker's homes on a phone."""

import re

from playwright.sync_api import Page, expect

from apps.accounts.models import OrganisationKind, Role
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import (
    SETUP_URL,
    START_URL,
    add_authenticator,
    enter_security_code,
    screenshot,
    submit_sign_in,
    totp_code,
)
from tests.factories import OrganisationFactory, make_user

LINK = re.compile(r"https?://[^\s\"]+(/account/invitation/[^\s\"]+/)")
NEW_PASSWORD = "a-long-new-password-for-e2e"


def test_an_administrator_invites_a_care_worker_who_signs_in(
    page: Page, sign_in, smtp_sink, redis_server, celery_publisher, celery_worker_process
):
    celery_worker_process(redis_server.url)
    from apps.homes.services import home_create

    authority = OrganisationFactory(kind=OrganisationKind.LOCAL_AUTHORITY, name="Northshire")
    force = OrganisationFactory(kind=OrganisationKind.POLICE_FORCE, name="Northshire Police")
    admin = make_user(Role.ADMINISTRATOR, organisation=authority)
    home_create(
        actor=admin,
        name="Elm House",
        ofsted_urn="SC900001",
        operator=authority,
        host_authority=authority,
        police_force=force,
        address_line_1="1 Elm Road",
        town="Northtown",
        postcode="NE1 8AA",
        capacity=4,
    )
    sign_in(admin, secret=add_authenticator(admin))

    page.get_by_role("navigation").get_by_role("link", name="Users").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Users")
    expect(page.get_by_test_id("users-table")).to_contain_text(admin.email)
    assert_accessible(page)
    screenshot(page, "people-users-list")

    page.get_by_role("button", name="Invite a user").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invite a user")
    assert_accessible(page)
    page.get_by_label("Email address").fill("jo.new@test.example")
    page.get_by_label("Full name").fill("Jo New")
    page.get_by_label("Role").select_option(Role.CARE_WORKER)
    page.get_by_label("Organisation").select_option(label="Northshire")
    page.get_by_label("Elm House").check()
    screenshot(page, "people-invite")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Jo New")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "An invitation is on its way to jo.new@test.example"
    )
    screenshot(page, "people-user-detail")

    smtp_sink.wait_for(1)
    (message,) = smtp_sink.messages
    assert str(message["To"]) == "jo.new@test.example"
    path = LINK.search(message.get_body(("plain",)).get_content()).group(1)
    page.reload()
    expect(page.get_by_test_id("invitation-state")).to_contain_text("Emailed")
    expect(page.get_by_test_id("user-summary")).to_contain_text("Elm House")
    page.get_by_role("button", name="Sign out").click()

    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose your password")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your password is set")

    submit_sign_in(page, "jo.new@test.example", NEW_PASSWORD)
    expect(page).to_have_url(SETUP_URL)
    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    enter_security_code(page, totp_code(secret))
    expect(page).to_have_url(START_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your homes")
    # The home given on invitation is theirs to see.
    page.goto("/homes/")
    expect(page.get_by_test_id("homes-table")).to_contain_text("Elm House")

    # The link worked once.
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link has expired")


def test_a_home_manager_changes_a_care_workers_homes_on_a_phone(
    phone_page: Page, sign_in, world, settings
):
    """hm_a1 manages Home A1 and a second home of authority A; cw_a1 works at A1."""
    from tests.world import _home

    settings.REQUIRE_2FA = False
    manager, carer = world.users["hm_a1"], world.users["cw_a1"]
    a2 = _home(world.users["admin"], "A2", world.orgs["A"], world.orgs["A"], world.orgs["F1"], 9)
    from apps.homes import services as homes

    homes.home_staff_grant(actor=world.users["admin"], home=a2, user=manager, manager=True)
    phone = sign_in(manager, on=phone_page)

    phone.goto("/account/users/")
    expect(phone.get_by_test_id("users-table")).to_contain_text(carer.email)
    fits = "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    assert phone.evaluate(fits)
    assert_accessible(phone)
    phone.get_by_role("link", name=carer.full_name).click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text(carer.full_name)
    assert phone.evaluate(fits)
    assert_accessible(phone)
    phone.get_by_test_id("change-homes").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Homes they work in")
    expect(phone.get_by_label("Home A1")).to_be_checked()
    phone.get_by_label("Home A2").check()
    assert phone.evaluate(fits)
    assert_accessible(phone)
    screenshot(phone, "people-user-homes-phone")
    phone.get_by_role("button", name="Save homes").click()
    expect(phone.locator(".govuk-notification-banner")).to_contain_text("homes are updated")
    expect(phone.get_by_test_id("user-summary")).to_contain_text("Home A2")

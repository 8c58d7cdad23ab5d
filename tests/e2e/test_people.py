"""An administrator invites a new care worker, who sets a password from the emailed link and
signs in to their own start page (the people pages, not the Django admin)."""

import re

from django.core import mail
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


def test_an_administrator_invites_a_care_worker_who_signs_in(page: Page, sign_in, mailoutbox):
    authority = OrganisationFactory(kind=OrganisationKind.LOCAL_AUTHORITY, name="Northshire")
    admin = make_user(Role.ADMINISTRATOR, organisation=authority)
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
    screenshot(page, "people-invite")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Jo New")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Invitation sent")
    screenshot(page, "people-user-detail")

    assert len(mail.outbox) == 1
    path = LINK.search(mail.outbox[0].body).group(1)
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

    # The link worked once.
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link has expired")

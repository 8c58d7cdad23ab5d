"""Signing in and out through the real sign-in page, including the lockout after 5 failures."""

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import Page, expect

from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import (
    SIGN_IN_URL,
    fill_sign_in,
    screenshot,
    submit_sign_in,
)
from tests.factories import TEST_PASSWORD, make_user

WRONG_PASSWORD = "not-the-right-password"


def expect_sign_in_error(page: Page) -> None:
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(summary).to_contain_text("Enter a correct email address and password")
    expect(page).to_have_title("Sign in (error) – Homeward")


def expect_locked_out(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account is locked")
    expect(page).to_have_title("Your account is locked – Homeward")
    expect(page.get_by_label("Password", exact=True)).to_have_count(0)


def test_sign_in_page_is_accessible(page: Page):
    page.goto("/")
    expect(page).to_have_url(SIGN_IN_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Homeward")
    expect(page.get_by_label("Email address")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "sign-in")


def test_wrong_password_shows_the_error_summary(page: Page):
    user = make_user("care_worker", email="wrong.password@test.example")

    submit_sign_in(page, user.email, WRONG_PASSWORD)

    expect_sign_in_error(page)
    expect(page).to_have_url(SIGN_IN_URL)
    # The email is kept so the person only retypes the password; the password is not echoed.
    expect(page.get_by_label("Email address")).to_have_value(user.email)
    expect(page.get_by_label("Password", exact=True)).to_have_value("")
    # One failure is no reason to warn about the lockout yet.
    expect(page.get_by_test_id("attempts-left")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "sign-in-errors")


def test_empty_form_names_each_missing_field(page: Page):
    page.goto("/account/sign-in/")
    page.get_by_role("button", name="Sign in").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter your email address")
    expect(summary).to_contain_text("Enter your password")
    # Each summary link takes the person to its field.
    summary.get_by_role("link", name="Enter your email address").click()
    expect(page.get_by_label("Email address")).to_be_focused()
    assert_accessible(page)


def test_fifth_failure_locks_the_account_even_against_the_right_password(page: Page):
    assert django_settings.AXES_FAILURE_LIMIT == 5
    user = make_user("care_worker", email="locked.out@test.example")
    page.goto("/account/sign-in/")

    warnings = {
        1: None,
        2: None,
        3: "You have 2 more attempts before your account is locked.",
        4: "You have 1 more attempt before your account is locked.",
    }
    for failure, warning in warnings.items():
        fill_sign_in(page, user.email, WRONG_PASSWORD)
        expect_sign_in_error(page)
        attempts_left = page.get_by_test_id("attempts-left")
        if warning is None:
            expect(attempts_left).to_have_count(0)
        else:
            expect(attempts_left).to_contain_text(warning)
        if failure == 4:
            assert_accessible(page)
            screenshot(page, "sign-in-last-attempt-warning")

    fill_sign_in(page, user.email, WRONG_PASSWORD)
    expect_locked_out(page)
    assert_accessible(page)
    screenshot(page, "locked-out")

    # Back to the sign-in page: now even the right password gets the lockout page.
    submit_sign_in(page, user.email, TEST_PASSWORD)
    expect_locked_out(page)
    page.goto("/")
    expect(page).to_have_url(SIGN_IN_URL)


def test_lockout_is_per_account(page: Page):
    """Staff share office IPs: one person's lockout must not stop a colleague signing in."""
    locked = make_user("care_worker", email="clumsy@test.example")
    colleague = make_user("care_worker", email="colleague@test.example")
    page.goto("/account/sign-in/")
    for _ in range(5):
        fill_sign_in(page, locked.email, WRONG_PASSWORD)
    expect_locked_out(page)

    submit_sign_in(page, colleague.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")


@pytest.fixture
def without_2fa(settings):
    settings.REQUIRE_2FA = False


@pytest.mark.usefixtures("without_2fa")
def test_sign_out_returns_to_sign_in(page: Page, sign_in):
    user = make_user("social_worker", email="signing.out@test.example")
    sign_in(user)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your caseload")

    page.get_by_role("button", name="Sign out").click()

    expect(page).to_have_url(SIGN_IN_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Homeward")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed out.")
    expect(page.get_by_test_id("signed-in-as")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "signed-out")

    page.goto("/")
    expect(page).to_have_url(SIGN_IN_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Homeward")
    # The message was shown once only.
    expect(page.get_by_text("You have signed out.")).to_have_count(0)


def test_lockout_page_says_when_to_try_again_in_words(page: Page):
    user = make_user("care_worker", email="cooling.off@test.example")
    page.goto("/account/sign-in/")
    for _ in range(5):
        fill_sign_in(page, user.email, WRONG_PASSWORD)
    expect_locked_out(page)

    main = page.get_by_role("main")
    expect(main).to_contain_text("Try again in 30 minutes")

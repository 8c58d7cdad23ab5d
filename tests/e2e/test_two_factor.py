"""Two-factor sign-in: a new user sets up an authenticator app, then uses it on the next sign-in."""

from datetime import timedelta

from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import (
    SETUP_URL,
    SIGN_IN_URL,
    START_URL,
    VERIFY_URL,
    add_authenticator,
    enter_security_code,
    screenshot,
    submit_sign_in,
    totp_code,
    wrong_totp_code,
)
from tests.factories import make_user


def let_throttle_pass(user) -> None:
    TOTPDevice.objects.filter(user=user).update(
        throttling_failure_timestamp=timezone.now() - timedelta(minutes=5)
    )


def test_set_up_then_use_an_authenticator_app(page: Page, settings):
    assert settings.REQUIRE_2FA
    user = make_user("care_worker", email="new.starter@test.example")

    # First sign-in: the password alone is not enough; the user must set up an app.
    submit_sign_in(page, user.email)
    expect(page).to_have_url(SETUP_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    expect(page.locator(".hw-qr svg")).to_be_visible()
    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    assert len(secret) >= 16, secret
    assert_accessible(page)
    screenshot(page, "two-factor-setup")

    # Nothing else is reachable until the code is confirmed.
    page.goto("/")
    expect(page).to_have_url(SETUP_URL)
    # Reloading keeps the same key, so a QR code already scanned stays valid.
    expect(page.get_by_test_id("totp-secret")).to_have_text(secret)

    enter_security_code(page, wrong_totp_code(secret))
    expect(page).to_have_url(SETUP_URL)
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(summary).to_contain_text("The code is not right")
    expect(page.locator("#id_token-error")).to_contain_text("The code is not right")
    assert_accessible(page)
    screenshot(page, "two-factor-setup-errors")

    # After a wrong code django-otp refuses any code for a second; a person takes longer than
    # that to look at their phone again. Let that second pass without sleeping.
    let_throttle_pass(user)
    enter_security_code(page, totp_code(secret))
    expect(page).to_have_url(START_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your homes")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Two-factor sign-in is set up."
    )

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(SIGN_IN_URL)

    # Next sign-in: asked for a code from the app it set up.
    submit_sign_in(page, user.email)
    expect(page).to_have_url(VERIFY_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    page.goto("/")
    expect(page).to_have_url(VERIFY_URL)
    assert_accessible(page)
    screenshot(page, "two-factor-verify")

    # A code is accepted once only: the one used at setup is spent, so type the app's next one.
    enter_security_code(page, totp_code(secret, steps_ahead=1))
    expect(page).to_have_url(START_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your homes")
    expect(page.get_by_test_id("signed-in-as")).to_contain_text(user.full_name)


def test_verify_page_says_so_when_codes_are_throttled(page: Page):
    """After several wrong codes django-otp refuses even the right one for a while."""
    user = make_user("care_worker", email="throttled@test.example")
    secret = add_authenticator(user)
    submit_sign_in(page, user.email)
    expect(page).to_have_url(VERIFY_URL)
    # As if the person had just typed 6 wrong codes: the device refuses codes for 32 seconds.
    TOTPDevice.objects.filter(user=user).update(
        throttling_failure_count=6, throttling_failure_timestamp=timezone.now()
    )

    enter_security_code(page, totp_code(secret))

    expect(page).to_have_url(VERIFY_URL)
    error = page.locator("#id_token-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("Too many wrong codes")

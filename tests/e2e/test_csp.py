"""With the Content Security Policy enforced, pages load without violations or script errors.

The other journeys open their browser context with ``bypass_csp=True`` so that axe can be
injected; this one keeps the policy on, so a blocked inline script or style shows up here.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import SETUP_URL, START_URL, enter_security_code, submit_sign_in, totp_code
from tests.factories import make_user


@pytest.fixture
def strict_page(browser, browser_context_args):
    context = browser.new_context(**{**browser_context_args, "bypass_csp": False})
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"uncaught {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"console {message.type}: {message.text}")
            if message.type == "error"
            else None
        ),
    )
    page.problems = problems
    yield page
    context.close()


def test_pages_run_under_the_content_security_policy(strict_page: Page):
    page = strict_page
    user = make_user("care_worker", email="csp@test.example")

    page.goto("/account/sign-in/")
    page.get_by_role("button", name="Sign in").click()  # the error summary's script runs
    expect(page.locator(".govuk-error-summary")).to_be_focused()

    submit_sign_in(page, user.email)
    expect(page).to_have_url(SETUP_URL)
    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    enter_security_code(page, totp_code(secret))
    expect(page).to_have_url(START_URL)
    # GOV.UK Frontend started: its module scripts ran under the policy.
    expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))

    assert page.problems == []

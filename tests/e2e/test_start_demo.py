"""The demo of `make run`: every role signs in with the demo password and finds its start page
full of work, on a desktop and on a phone, with nothing scrolling sideways and no serious axe
violation. The demo is loaded once (seed_demo, as `make run` does) for all the roles.
Screenshots go to artifacts/screenshots/demo-start-*.png."""

from io import StringIO

from django.core.management import call_command
from playwright.sync_api import Browser, expect

from apps.accounts import demo as accounts_demo
from apps.accounts.models import Role
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import PHONE_VIEWPORT, START_URL, screenshot, submit_sign_in

# Each role's queues, by test id: each must have at least one row with the demo data.
QUEUES = {
    Role.CARE_WORKER: ["queue-report", "queue-missing"],
    Role.HOME_MANAGER: ["queue-missing", "queue-alerts", "reg40-prompt"],
    Role.SOCIAL_WORKER: ["queue-caseload", "queue-missing", "queue-reviews", "queue-actions"],
    Role.RETURN_INTERVIEWER: ["queue-interviews"],
    Role.POLICE_LIAISON: ["queue-missing", "queue-no-visit", "queue-from-elsewhere"],
    Role.SERVICE_MANAGER: ["queue-alerts-severity", "queue-missing", "queue-meetings"],
    Role.ADMINISTRATOR: ["queue-admin"],
}


def test_every_role_finds_its_start_page_full_of_demo_work(
    browser: Browser, browser_context_args, settings
):
    settings.REQUIRE_2FA = False  # as under `make run`
    call_command("seed_demo", stdout=StringIO())
    assert set(QUEUES) == set(Role)
    for email, _name, role, _org in accounts_demo.USERS:
        for size, extra in (
            ("desktop", {}),
            ("phone", {"viewport": PHONE_VIEWPORT, "is_mobile": True, "has_touch": True}),
        ):
            context = browser.new_context(**{**browser_context_args, **extra})
            page = context.new_page()
            submit_sign_in(page, email, accounts_demo.DEMO_PASSWORD)
            expect(page).to_have_url(START_URL)
            for queue in QUEUES[role]:
                shown = page.get_by_test_id(queue)
                expect(shown).to_be_visible()
                expect(shown.locator("tr, li, a, dd").first).to_be_visible()
            widths = page.evaluate(
                "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            assert widths[0] <= widths[1], (email, size, widths)
            assert_accessible(page)
            screenshot(page, f"demo-start-{role.replace('_', '-')}-{size}")
            context.close()

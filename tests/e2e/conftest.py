"""Browser journeys: Playwright on the system Chromium against pytest-django's live server.

Every test in this folder is marked ``e2e`` and runs against ``live_server`` with
``transactional_db`` (the server thread must see the rows a test creates). One browser is shared
by the whole session; each test gets a fresh context, so no cookies carry over.

Screenshots of each distinct page go to artifacts/screenshots/ (git-ignored).
"""

import base64
import re
import time
from pathlib import Path

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

from tests.factories import TEST_PASSWORD

E2E_DIR = Path(__file__).resolve().parent
REPO_ROOT = E2E_DIR.parent.parent
SCREENSHOT_DIR = REPO_ROOT / "artifacts" / "screenshots"

# Playwright cannot download browsers on these machines: use Debian's Chromium.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP_VIEWPORT = {"width": 1280, "height": 900}
PHONE_VIEWPORT = {"width": 390, "height": 844}

SIGN_IN_URL = re.compile(r"/account/sign-in/(\?.*)?$")
SETUP_URL = re.compile(r"/account/two-factor/setup/$")
VERIFY_URL = re.compile(r"/account/two-factor/$")
START_URL = re.compile(r"^https?://[^/]+/$")


def pytest_configure(config):
    # pytest-playwright's own `base_url` fixture triggers this pytest deprecation; not ours.
    config.addinivalue_line(
        "filterwarnings",
        "ignore:Session-scoped fixtures defined as instance methods:"
        "pytest.PytestRemovedIn10Warning",
    )


def pytest_collection_modifyitems(config, items):
    # This hook sees the whole session's items: mark only the ones collected from this folder.
    for item in items:
        if E2E_DIR in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, live_server):
    # The app's CSP allows no inline script, and axe is injected as one: bypass CSP here.
    # tests/e2e/test_csp.py opens its own context with the policy enforced.
    return {
        **browser_context_args,
        "base_url": live_server.url,
        "bypass_csp": True,
        "viewport": DESKTOP_VIEWPORT,
        "locale": "en-GB",
        "timezone_id": "Europe/London",
    }


@pytest.fixture(autouse=True)
def _e2e_database(live_server, transactional_db):
    """Every journey talks to the live server, which must see what the test commits."""


@pytest.fixture
def phone_page(browser, browser_context_args):
    """A page in a context of its own, the size of a phone (390x844, touch, mobile viewport)."""
    args = {**browser_context_args, "viewport": PHONE_VIEWPORT, "is_mobile": True}
    context = browser.new_context(**args, has_touch=True)
    yield context.new_page()
    context.close()


# Helpers ---------------------------------------------------------------------------------


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot to artifacts/screenshots/<name>.png."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def fill_sign_in(page: Page, email: str, password: str = TEST_PASSWORD) -> None:
    """Fill in and submit the sign-in form already on the page, as a person would."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Homeward")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def submit_sign_in(page: Page, email: str, password: str = TEST_PASSWORD) -> None:
    """Open the sign-in page, then fill in and submit it."""
    page.goto("/account/sign-in/")
    fill_sign_in(page, email, password)


def enter_security_code(page: Page, code: str) -> None:
    """Type a code into the two-factor setup or verify form and continue."""
    page.get_by_label("Security code").fill(code)
    page.get_by_role("button", name="Continue").click()


def totp_code(secret: str, *, steps_ahead: int = 0) -> str:
    """The 6-digit code an authenticator app shows for a base32 key, `steps_ahead` 30 s later."""
    totp = TOTP(base64.b32decode(secret))
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def wrong_totp_code(secret: str) -> str:
    """A 6-digit code that no time step the server tolerates (now ±1) accepts."""
    valid = {totp_code(secret, steps_ahead=offset) for offset in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in valid)


def add_authenticator(user) -> str:
    """Give `user` a confirmed authenticator app, as if set up earlier; returns its base32 key."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return base64.b32encode(device.bin_key).decode()


@pytest.fixture
def sign_in(page: Page):
    """Sign `user` in through the real UI; returns the page, on the user's start page.

    Two-factor sign-in is on by default: pass the key from `add_authenticator` and the code is
    typed into "Enter your security code". With ``settings.REQUIRE_2FA = False`` pass no key.
    """

    def _sign_in(user, *, secret: str | None = None, on: Page | None = None) -> Page:
        target = on or page
        submit_sign_in(target, user.email)
        if secret is not None:
            expect(target).to_have_url(VERIFY_URL)
            enter_security_code(target, totp_code(secret))
        expect(target).to_have_url(START_URL)
        return target

    return _sign_in

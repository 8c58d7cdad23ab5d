from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.models import Role
from tests.factories import TEST_PASSWORD, make_user

pytestmark = pytest.mark.django_db
LOGIN = "/account/sign-in/"


def totp_now(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def post_login(client, email, password, **extra):
    return client.post(LOGIN, {"email": email, "password": password, **extra})


def test_wrong_password_re_renders_the_form_with_an_error_summary(client):
    user = make_user()
    response = post_login(client, user.email, "wrong-password")
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Enter a correct email address and password" in html
    assert user.email in html  # what was typed is kept
    assert "_auth_user_id" not in client.session


def test_empty_form_names_each_missing_field(client):
    html = client.post(LOGIN, {}).content.decode()
    assert 'href="#id_email">Enter your email address' in html
    assert 'href="#id_password">Enter your password' in html


def test_email_is_not_case_sensitive(client, settings):
    settings.REQUIRE_2FA = False
    user = make_user()
    response = post_login(client, user.email.upper(), TEST_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("site:start")


def test_the_fifth_failure_locks_the_account_even_for_the_right_password(client, settings):
    settings.REQUIRE_2FA = False
    user = make_user()
    for attempt in range(1, 5):
        html = post_login(client, user.email, "wrong").content.decode()
        assert "Enter a correct email address and password" in html, attempt
    assert "1 more attempt before your account is locked" in html
    locked = post_login(client, user.email, "wrong")
    assert "Your account is locked" in locked.content.decode()
    sixth = post_login(client, user.email, TEST_PASSWORD)
    assert "Your account is locked" in sixth.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_lockout_is_per_account_not_per_address(client, settings):
    settings.REQUIRE_2FA = False
    locked_user, colleague = make_user(), make_user()
    for _ in range(5):
        post_login(client, locked_user.email, "wrong")
    response = post_login(client, colleague.email, TEST_PASSWORD)
    assert response.status_code == 302


def test_a_successful_sign_in_clears_earlier_failures(client, settings):
    settings.REQUIRE_2FA = False
    user = make_user()
    for _ in range(4):
        post_login(client, user.email, "wrong")
    assert post_login(client, user.email, TEST_PASSWORD).status_code == 302
    client.post("/account/sign-out/")
    for _ in range(4):
        post_login(client, user.email, "wrong")
    assert post_login(client, user.email, TEST_PASSWORD).status_code == 302


def test_next_is_followed_only_within_the_site(client, settings):
    settings.REQUIRE_2FA = False
    user = make_user()
    response = post_login(client, user.email, TEST_PASSWORD, next="https://evil.example/")
    assert response["Location"] == reverse("site:start")
    client.post("/account/sign-out/")
    response = post_login(client, user.email, TEST_PASSWORD, next="/account/")
    assert response["Location"] == "/account/"


class TestTwoFactor:
    def test_a_user_without_a_device_is_sent_to_set_one_up(self, client):
        user = make_user()
        response = post_login(client, user.email, TEST_PASSWORD)
        assert response["Location"] == reverse("accounts:two_factor_verify")
        response = client.get(response["Location"])
        assert response["Location"] == reverse("accounts:two_factor_setup")

    def test_no_page_is_reachable_before_the_code_is_entered(self, client):
        user = make_user()
        post_login(client, user.email, TEST_PASSWORD)
        for path in ["/", "/account/", "/admin/"]:
            response = client.get(path)
            assert response.status_code == 302
            assert response["Location"] == reverse("accounts:two_factor_setup"), path

    def test_the_api_refuses_a_session_that_has_not_finished_two_factor(self, client):
        user = make_user()
        post_login(client, user.email, TEST_PASSWORD)
        response = client.get("/api/v1/me/")
        assert response.status_code == 403
        assert response.json()["message"] == "Finish two-factor sign-in first."

    def test_setup_shows_the_same_key_on_reload_and_confirms_with_a_right_code(self, client):
        user = make_user()
        post_login(client, user.email, TEST_PASSWORD)
        first = client.get(reverse("accounts:two_factor_setup"))
        second = client.get(reverse("accounts:two_factor_setup"))
        assert first.context["secret"] == second.context["secret"]
        assert "<svg" in first.content.decode()
        device = TOTPDevice.objects.get(user=user)
        assert not device.confirmed

        wrong = client.post(reverse("accounts:two_factor_setup"), {"token": "000000"})
        assert "The code is not right" in wrong.content.decode()
        # A wrong code throttles the device briefly; a person retypes after a few seconds.
        throttled = client.post(reverse("accounts:two_factor_setup"), {"token": totp_now(device)})
        assert "Too many wrong codes" in throttled.content.decode()

        with time_machine.travel(timezone.now() + timedelta(seconds=5)):
            device.refresh_from_db()
            right = client.post(reverse("accounts:two_factor_setup"), {"token": totp_now(device)})
        assert right["Location"] == reverse("site:start")
        device.refresh_from_db()
        assert device.confirmed
        assert client.get("/").status_code == 200

    def test_a_returning_user_enters_a_code_to_reach_their_start_page(self, client):
        user = make_user()
        device = TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
        post_login(client, user.email, TEST_PASSWORD)
        assert client.get("/")["Location"] == reverse("accounts:two_factor_verify")
        wrong = client.post(reverse("accounts:two_factor_verify"), {"token": "12345"})
        assert "Enter the 6-digit security code" in wrong.content.decode()
        right = client.post(reverse("accounts:two_factor_verify"), {"token": totp_now(device)})
        assert right["Location"] == reverse("site:start")
        assert client.get("/").status_code == 200


def test_sign_out_ends_the_session(client, signed_in):
    signed_in(make_user())
    response = client.post("/account/sign-out/", follow=True)
    assert "You have signed out." in response.content.decode()
    assert client.get("/")["Location"].startswith(LOGIN)


def test_sign_out_needs_a_post(client, signed_in):
    signed_in(make_user())
    assert client.get("/account/sign-out/").status_code == 405


def test_sessions_expire_after_thirty_idle_minutes_and_renew_on_each_request(client, signed_in):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        signed_in(make_user())
    # Each request renews the 30 minutes: 25 + 25 idle minutes keep the session alive...
    with time_machine.travel(start + timedelta(minutes=25), tick=False):
        assert client.get("/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=50), tick=False):
        assert client.get("/").status_code == 200
    # ...but 31 idle minutes end it.
    with time_machine.travel(start + timedelta(minutes=81), tick=False):
        assert client.get("/")["Location"].startswith(LOGIN)


def test_password_reset_sends_a_link_that_sets_a_new_password(client):
    user = make_user()
    client.post(reverse("accounts:password_reset"), {"email": user.email})
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password/reset/" in line)
    path = link.split("testserver", 1)[1]
    response = client.get(path, follow=True)
    form_path = response.redirect_chain[-1][0]
    new_password = "a-new-long-passphrase-42"
    done = client.post(form_path, {"new_password1": new_password, "new_password2": new_password})
    assert done["Location"] == reverse("accounts:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(new_password)


def test_password_reset_does_not_reveal_whether_an_address_has_an_account(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@test.example"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_password_change_rejects_a_short_password_with_an_error_summary(client, signed_in):
    signed_in(make_user())
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    html = response.content.decode()
    assert "There is a problem" in html
    assert "too short" in html


@pytest.mark.parametrize(
    ("role", "heading"),
    [
        (Role.CARE_WORKER, "Your homes"),
        (Role.HOME_MANAGER, "Your homes"),
        (Role.SOCIAL_WORKER, "Your caseload"),
        (Role.RETURN_INTERVIEWER, "Your return interviews"),
        (Role.POLICE_LIAISON, "Your force area"),
        (Role.SERVICE_MANAGER, "Your authority"),
        (Role.ADMINISTRATOR, "Administration"),
    ],
)
def test_each_role_lands_on_its_own_start_page(client, signed_in, role, heading):
    user = make_user(role)
    signed_in(user)
    html = client.get("/").content.decode()
    assert f'<h1 class="govuk-heading-l">{heading}</h1>' in html
    assert user.organisation.name in html


def test_only_superusers_see_the_administration_link(client, signed_in):
    signed_in(make_user(Role.CARE_WORKER))
    assert "/admin/" not in client.get("/").content.decode()
    client.logout()
    admin = make_user(Role.ADMINISTRATOR)
    signed_in(admin)
    html = client.get("/").content.decode()
    assert 'href="/admin/"' not in html  # the Django admin is for superusers only
    assert 'href="/account/users/"' in html
    client.logout()
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    signed_in(admin)
    assert 'href="/admin/"' in client.get("/").content.decode()

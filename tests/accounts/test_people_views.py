"""People and access managed in Homeward: the users list, the user page, invitations and their
set-password link, deactivation, API tokens, and the Django admin for superusers only."""

import datetime
import re

import pytest
import time_machine
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from apps.accounts import services
from apps.accounts.models import ApiToken, Role, User
from tests.factories import TEST_PASSWORD, api_key, make_user
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://[^\s\"]+/account/invitation/[^\s\"]+/")


def invite(client, **fields):
    """Invite through the page; the invitation's task runs as the transaction commits."""
    data = {"email": "new.carer@test.example", "full_name": "New Carer", "role": Role.CARE_WORKER}
    data.update(fields)
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("accounts:user_invite"), data)


@pytest.fixture
def admin_client(world, signed_in):
    return signed_in(world.users["admin"])


@pytest.mark.usefixtures("tasks_run_at_once")
class TestInvitation:
    def test_an_invitation_sends_one_email_with_a_link(self, world, admin_client, mailoutbox):
        response = invite(admin_client, organisation=world.orgs["A"].pk)
        user = User.objects.get(email="new.carer@test.example")
        assert response.status_code == 302
        assert response.url == reverse("accounts:user_detail", args=[user.pk])
        assert not user.has_usable_password()
        assert len(mailoutbox) == 1
        assert mailoutbox[0].to == ["new.carer@test.example"]
        assert LINK.search(mailoutbox[0].body)
        assert LINK.search(mailoutbox[0].alternatives[0][0])

    def test_the_link_sets_the_password_once(self, world, admin_client, mailoutbox):
        invite(admin_client, organisation=world.orgs["A"].pk)
        client = Client()
        url = LINK.search(mailoutbox[0].body).group(0)
        assert client.get(url).status_code == 200
        password = "a-long-new-password-1"
        response = client.post(url, {"new_password1": password, "new_password2": password})
        assert response.status_code == 302
        assert response.url == reverse("accounts:login")
        assert User.objects.get(email="new.carer@test.example").check_password(password)
        used = client.get(url)
        assert used.status_code == 410
        assert b"This link has expired" in used.content

    def test_a_weak_password_is_refused(self, world, admin_client, mailoutbox):
        invite(admin_client, organisation=world.orgs["A"].pk)
        client = Client()
        url = LINK.search(mailoutbox[0].body).group(0)
        response = client.post(url, {"new_password1": "password", "new_password2": "password"})
        assert response.status_code == 200
        assert not User.objects.get(email="new.carer@test.example").has_usable_password()

    def test_an_expired_link_is_refused(self, world, admin_client, mailoutbox, settings):
        invite(admin_client, organisation=world.orgs["A"].pk)
        client = Client()
        url = LINK.search(mailoutbox[0].body).group(0)
        later = timezone.now() + datetime.timedelta(seconds=settings.INVITATION_TIMEOUT_SECONDS)
        with time_machine.travel(later + datetime.timedelta(minutes=1)):
            response = client.get(url)
        assert response.status_code == 410
        assert b"This link has expired" in response.content
        assert b"administrator" in response.content

    def test_a_role_that_does_not_fit_the_organisation_is_refused(
        self, world, admin_client, mailoutbox
    ):
        response = invite(admin_client, organisation=world.orgs["F1"].pk)
        assert response.status_code == 200
        assert not User.objects.filter(email="new.carer@test.example").exists()
        assert mailoutbox == []

    def test_a_home_manager_invites_care_workers_to_their_homes_only(
        self, world, signed_in, mailoutbox
    ):
        client = signed_in(world.users["hm_a1"])
        refused = invite(client, role=Role.ADMINISTRATOR, homes=[world.homes["B1"].pk])
        assert refused.status_code == 200
        assert not User.objects.filter(email="new.carer@test.example").exists()
        assert invite(client).status_code == 200  # no home chosen
        response = invite(client, role=Role.ADMINISTRATOR, homes=[world.homes["A1"].pk])
        assert response.status_code == 302
        user = User.objects.get(email="new.carer@test.example")
        assert (user.role, user.organisation) == (Role.CARE_WORKER, world.orgs["A"])
        assert len(mailoutbox) == 1
        detail = client.get(response.url)  # the new care worker is in their scope
        assert "Home A1" in detail.content.decode()

    def test_an_administrator_gives_homes_on_invitation(self, world, admin_client, mailoutbox):
        response = invite(
            admin_client, organisation=world.orgs["A"].pk, homes=[world.homes["A1"].pk]
        )
        assert response.status_code == 302
        assert "Home A1" in admin_client.get(response.url).content.decode()

    def test_the_user_page_says_it_was_emailed_and_resends_a_new_link(
        self, world, admin_client, mailoutbox
    ):
        response = invite(admin_client, organisation=world.orgs["A"].pk)
        page = admin_client.get(response.url).content.decode()
        assert "Emailed" in page and "no password set yet" in page
        resend = reverse(
            "accounts:user_invitation_resend",
            args=[User.objects.get(email="new.carer@test.example").pk],
        )
        later = timezone.now() + datetime.timedelta(minutes=5)
        with time_machine.travel(later), TestCase.captureOnCommitCallbacks(execute=True):
            again = admin_client.post(resend)
        assert again.status_code == 302
        assert len(mailoutbox) == 2 and LINK.search(mailoutbox[1].body)
        assert "A new invitation is on its way" in admin_client.get(again.url).content.decode()

    def test_no_resend_once_the_password_is_set(self, world, admin_client, mailoutbox):
        invite(admin_client, organisation=world.orgs["A"].pk)
        user = User.objects.get(email="new.carer@test.example")
        services.user_invitation_accept(user=user, password="a-long-new-password-1")
        url = reverse("accounts:user_invitation_resend", args=[user.pk])
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = admin_client.post(url, follow=True)
        assert "has already set a password" in response.content.decode()
        assert len(mailoutbox) == 1
        assert 'data-testid="resend-invitation"' not in response.content.decode()

    def test_an_invitation_the_broker_dropped_is_sent_by_the_sweep_once(
        self, world, admin_client, mailoutbox, monkeypatch
    ):
        from celery import current_app

        def broker_down(*args, **kwargs):
            raise ConnectionError("broker down")

        monkeypatch.setattr(current_app, "send_task", broker_down)
        response = invite(admin_client, organisation=world.orgs["A"].pk)
        assert response.status_code == 302  # the user is made; the email waits
        assert mailoutbox == []
        page = admin_client.get(response.url).content.decode()
        assert "Waiting to be emailed" in page
        assert services.invitations_send_waiting() == 0  # not yet: the task may still come
        later = timezone.now() + services.INVITATION_REQUEUE_AFTER + datetime.timedelta(seconds=1)
        assert services.invitations_send_waiting(now=later) == 1
        assert services.invitations_send_waiting(now=later) == 0
        assert len(mailoutbox) == 1 and LINK.search(mailoutbox[0].body)

    def test_other_roles_cannot_invite(self, world, signed_in):
        response = invite(signed_in(world.users["sw_a"]), organisation=world.orgs["A"].pk)
        assert response.status_code == 404


class TestUsers:
    def test_the_list_shows_the_columns(self, world, admin_client):
        carer = world.users["cw_a1"]
        carer.last_login = datetime.datetime(2026, 11, 29, 19, 40, tzinfo=datetime.UTC)
        carer.save(update_fields=["last_login"])
        response = admin_client.get(reverse("accounts:user_list"))
        text = response.content.decode()
        assert carer.email in text
        assert "29 Nov 2026, 7:40pm" in text
        assert 'data-label="Last sign-in"' in text

    def test_a_home_manager_sees_only_their_homes_staff(self, world, signed_in):
        client = signed_in(world.users["hm_a1"])
        text = client.get(reverse("accounts:user_list")).content.decode()
        assert world.users["cw_a1"].email in text
        assert world.users["cw_b1"].email not in text
        other = reverse("accounts:user_detail", args=[world.users["cw_b1"].pk])
        assert client.get(other).status_code == 404
        assert (
            client.post(
                reverse("accounts:user_deactivate", args=[world.users["cw_b1"].pk])
            ).status_code
            == 404
        )
        assert User.objects.get(pk=world.users["cw_b1"].pk).is_active

    def test_other_roles_see_no_users_page(self, world, signed_in):
        client = signed_in(world.users["sw_a"])
        assert client.get(reverse("accounts:user_list")).status_code == 404

    def test_deactivate_blocks_sign_in(self, world, admin_client):
        carer = world.users["cw_a1"]
        response = admin_client.post(reverse("accounts:user_deactivate", args=[carer.pk]))
        assert response.status_code == 302
        assert not User.objects.get(pk=carer.pk).is_active
        client = Client()
        response = client.post(
            reverse("accounts:login"), {"email": carer.email, "password": TEST_PASSWORD}
        )
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
        admin_client.post(reverse("accounts:user_reactivate", args=[carer.pk]))
        assert User.objects.get(pk=carer.pk).is_active

    def test_an_edit_changes_role_and_organisation(self, world, admin_client):
        carer = world.users["cw_a1"]
        url = reverse("accounts:user_edit", args=[carer.pk])
        response = admin_client.post(
            url,
            {"role": Role.HOME_MANAGER, "organisation": world.orgs["A"].pk, "version": 1},
        )
        assert response.status_code == 302
        saved = User.objects.get(pk=carer.pk)
        assert (saved.role, saved.version) == (Role.HOME_MANAGER, 2)
        police_force = world.orgs["F1"].pk
        refused = admin_client.post(
            url, {"role": Role.SOCIAL_WORKER, "organisation": police_force, "version": 2}
        )
        assert refused.status_code == 200
        assert User.objects.get(pk=carer.pk).role == Role.HOME_MANAGER

    def test_a_stale_edit_is_refused_and_shows_the_latest_version(self, world, admin_client):
        carer = world.users["cw_a1"]
        url = reverse("accounts:user_edit", args=[carer.pk])
        assert 'name="version" value="1"' in admin_client.get(url).content.decode()
        services.user_update(
            actor=world.users["admin"], user=carer, expected_version=1, role=Role.HOME_MANAGER
        )
        response = admin_client.post(
            url, {"role": Role.CARE_WORKER, "organisation": world.orgs["A"].pk, "version": 1}
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "after you opened it" in html
        assert 'data-testid="latest-version"' in html and "Home manager" in html
        assert User.objects.get(pk=carer.pk).role == Role.HOME_MANAGER
        # What they chose is kept, with the new version, so saving again is one click.
        assert 'name="version" value="2"' in html

    @pytest.mark.parametrize("count", [1, 15])
    def test_the_list_costs_the_same_for_1_or_15_more_users(
        self, world, admin_client, django_assert_max_num_queries, count
    ):
        for _ in range(count):
            make_user(Role.CARE_WORKER, organisation=world.orgs["A"])
        with django_assert_max_num_queries(10):
            response = admin_client.get(reverse("accounts:user_list"))
        assert response.status_code == 200


class TestApiTokens:
    def test_issue_shows_the_key_once_and_revoke_answers_401(self, world, admin_client):
        client = Client()
        carer = world.users["cw_a1"]
        expires = timezone.localdate() + datetime.timedelta(days=30)
        response = admin_client.post(
            reverse("accounts:api_token_create", args=[carer.pk]),
            {
                "name": "CAD link",
                "expires_on_day": expires.day,
                "expires_on_month": expires.month,
                "expires_on_year": expires.year,
            },
        )
        assert response.status_code == 200
        key = re.search(r'data-testid="api-token-key">([0-9a-f]+)<', response.content.decode())[1]
        token = ApiToken.objects.get(user=carer, name="CAD link")
        detail = admin_client.get(reverse("accounts:user_detail", args=[carer.pk]))
        assert key not in detail.content.decode()
        assert "CAD link" in detail.content.decode()
        auth = {"HTTP_AUTHORIZATION": f"Token {key}"}
        assert client.get("/api/v1/me/", **auth).status_code == 200
        admin_client.post(reverse("accounts:api_token_revoke", args=[carer.pk, token.pk]))
        assert client.get("/api/v1/me/", **auth).status_code == 401

    def test_an_expiry_in_the_past_is_refused(self, world, admin_client):
        carer = world.users["cw_a1"]
        response = admin_client.post(
            reverse("accounts:api_token_create", args=[carer.pk]),
            {"name": "Old", "expires_on_day": 1, "expires_on_month": 1, "expires_on_year": 2020},
        )
        assert response.status_code == 200
        assert not ApiToken.objects.filter(name="Old").exists()

    def test_a_token_of_another_user_is_404(self, world, admin_client):
        other_key = api_key(world.users["cw_b1"])
        token = services.api_token_use(key=other_key)
        url = reverse("accounts:api_token_revoke", args=[world.users["cw_a1"].pk, token.pk])
        assert admin_client.post(url).status_code == 404


class TestDjangoAdmin:
    def test_staff_who_are_not_superusers_are_refused(self, world, client):
        staff = make_user(Role.ADMINISTRATOR, organisation=None)
        staff.is_staff = True
        staff.save(update_fields=["is_staff"])
        sign_in(client, staff)
        response = client.get("/admin/")
        assert response.status_code == 302
        assert "/admin/login/" in response.url

    def test_superusers_reach_the_admin(self, world, client):
        root = make_user(Role.ADMINISTRATOR, organisation=None)
        root.is_staff = root.is_superuser = True
        root.save(update_fields=["is_staff", "is_superuser"])
        sign_in(client, root)
        assert client.get("/admin/").status_code == 200

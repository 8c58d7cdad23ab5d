from datetime import timedelta

import pytest

from apps.accounts import services
from apps.accounts.models import OrganisationKind, Role
from apps.core.errors import ApplicationError
from tests.factories import OrganisationFactory, make_user

pytestmark = pytest.mark.django_db


def test_a_police_officer_cannot_belong_to_a_council():
    council = OrganisationFactory(kind=OrganisationKind.LOCAL_AUTHORITY)
    with pytest.raises(ApplicationError) as error:
        services.user_create(
            email="pc@test.example",
            full_name="PC Test",
            role=Role.POLICE_LIAISON,
            organisation=council,
        )
    assert error.value.fields == {
        "role": ["A police liaison officer cannot belong to a local authority."]
    }


def test_every_role_but_administrator_needs_an_organisation():
    with pytest.raises(ApplicationError) as error:
        services.user_create(
            email="x@test.example", full_name="X", role=Role.CARE_WORKER, organisation=None
        )
    assert "organisation" in error.value.fields
    admin = services.user_create(
        email="root@test.example", full_name="Root", role=Role.ADMINISTRATOR, organisation=None
    )
    assert admin.organisation is None


def test_email_addresses_are_unique_whatever_their_case():
    user = make_user(email="Sam.Okafor@Test.example")
    assert user.email == "sam.okafor@test.example"
    with pytest.raises(ApplicationError) as error:
        make_user(email="SAM.OKAFOR@test.example")
    assert error.value.fields["email"] == ["A user with this email address already exists."]


def test_a_user_created_without_a_password_cannot_sign_in_until_reset():
    user = services.user_create(
        email="new@test.example", full_name="New", role=Role.ADMINISTRATOR, organisation=None
    )
    assert not user.has_usable_password()


def test_organisation_codes_are_unique():
    services.organisation_create(kind=OrganisationKind.PROVIDER, name="A", code="ABC")
    with pytest.raises(ApplicationError):
        services.organisation_create(kind=OrganisationKind.PROVIDER, name="B", code="abc")


def test_the_database_refuses_a_user_with_no_organisation_unless_administrator():
    from django.db import IntegrityError

    from apps.accounts.models import User

    with pytest.raises(IntegrityError):
        User.objects.create(email="raw@test.example", full_name="Raw", role=Role.CARE_WORKER)


class TestInvitationLink:
    def test_the_link_finds_its_user_until_the_password_is_set(self):
        user = make_user()
        uidb64, token = services.user_invitation_link_parts(user=user)
        assert services.user_from_invitation(uidb64=uidb64, token=token) == user
        user.set_password("a new long password 123")
        user.save()
        assert services.user_from_invitation(uidb64=uidb64, token=token) is None

    def test_the_link_expires_after_its_own_timeout(self, settings, monkeypatch):
        settings.INVITATION_TIMEOUT_SECONDS = 72 * 60 * 60
        settings.PASSWORD_RESET_TIMEOUT = 60  # the reset timeout does not apply
        user = make_user()
        uidb64, token = services.user_invitation_link_parts(user=user)
        made = services.invitation_tokens._now()
        monkeypatch.setattr(services.invitation_tokens, "_now", lambda: made + timedelta(hours=71))
        assert services.user_from_invitation(uidb64=uidb64, token=token) == user
        monkeypatch.setattr(services.invitation_tokens, "_now", lambda: made + timedelta(hours=73))
        assert services.user_from_invitation(uidb64=uidb64, token=token) is None

    def test_a_password_reset_token_is_not_an_invitation(self):
        from django.contrib.auth.tokens import default_token_generator

        user = make_user()
        uidb64, _ = services.user_invitation_link_parts(user=user)
        reset = default_token_generator.make_token(user)
        assert services.user_from_invitation(uidb64=uidb64, token=reset) is None


class TestDeactivate:
    def test_a_deactivated_user_cannot_sign_in_and_a_reactivated_one_can(self, client):
        from tests.accounts.test_sign_in import post_login
        from tests.factories import TEST_PASSWORD

        admin = make_user(Role.ADMINISTRATOR)
        user = make_user()
        services.user_deactivate(actor=admin, user=user)
        assert user.history.first().history_user == admin
        response = post_login(client, user.email, TEST_PASSWORD)
        assert response.status_code == 200  # the form again, with its error
        services.user_reactivate(actor=admin, user=user)
        assert post_login(client, user.email, TEST_PASSWORD).status_code == 302

    def test_nobody_deactivates_themself(self):
        admin = make_user(Role.ADMINISTRATOR)
        with pytest.raises(ApplicationError):
            services.user_deactivate(actor=admin, user=admin)

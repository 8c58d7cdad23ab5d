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

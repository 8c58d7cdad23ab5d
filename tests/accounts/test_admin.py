"""The Django admin writes organisations and users through the accounts services: an authority
added there gets the default escalation rules; a user's role must fit the organisation."""

import pytest

from apps.accounts.models import Organisation, OrganisationKind, Role, User
from apps.alerts.models import EscalationRule
from tests.factories import OrganisationFactory, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(signed_in):
    admin = make_user(Role.ADMINISTRATOR, organisation=None)
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    return signed_in(admin)


def organisation_form(**fields) -> dict:
    return {
        "kind": OrganisationKind.LOCAL_AUTHORITY,
        "name": "Newshire Council",
        "code": "NEW1",
        "night_starts": "23:00:00",
        "night_ends": "06:00:00",
        "return_interview_hours": "72",
        "out_of_hours_name": "",
        "out_of_hours_email": "",
        **fields,
    }


class TestOrganisationAdmin:
    def test_an_authority_added_in_the_admin_gets_the_default_rules(self, admin_client):
        response = admin_client.post("/admin/accounts/organisation/add/", organisation_form())
        assert response.status_code == 302
        authority = Organisation.objects.get(code="NEW1")
        assert str(authority.night_starts) == "23:00:00"
        assert EscalationRule.objects.filter(authority=authority).exists()

    def test_a_police_force_added_in_the_admin_gets_no_rules(self, admin_client):
        form = organisation_form(kind=OrganisationKind.POLICE_FORCE, code="POL1")
        admin_client.post("/admin/accounts/organisation/add/", form)
        assert not EscalationRule.objects.filter(authority__code="POL1").exists()

    def test_a_force_changed_into_an_authority_in_the_admin_gets_the_default_rules(
        self, admin_client
    ):
        force = OrganisationFactory(kind=OrganisationKind.POLICE_FORCE, code="POL2")
        form = organisation_form(name=force.name, code="POL2")
        response = admin_client.post(f"/admin/accounts/organisation/{force.pk}/change/", form)
        assert response.status_code == 302
        force.refresh_from_db()
        assert force.kind == OrganisationKind.LOCAL_AUTHORITY
        assert EscalationRule.objects.filter(authority=force).exists()


class TestUserAdmin:
    def test_a_user_added_in_the_admin_is_created_by_the_service(self, admin_client):
        authority = OrganisationFactory()
        response = admin_client.post(
            "/admin/accounts/user/add/",
            {
                "email": "  New.Worker@Test.Example ",
                "full_name": " New Worker ",
                "organisation": authority.pk,
                "role": Role.SOCIAL_WORKER,
                "usable_password": "true",
                "password1": "a-long-test-password-1",
                "password2": "a-long-test-password-1",
            },
        )
        assert response.status_code == 302
        user = User.objects.get(email="new.worker@test.example")
        assert user.full_name == "New Worker"
        assert user.check_password("a-long-test-password-1")
        assert response["Location"] == f"/admin/accounts/user/{user.pk}/change/"

    def test_a_role_that_does_not_fit_the_organisation_is_refused_and_nothing_saved(
        self, admin_client
    ):
        user = make_user(Role.SOCIAL_WORKER)
        force = OrganisationFactory(kind=OrganisationKind.POLICE_FORCE)
        response = admin_client.post(
            f"/admin/accounts/user/{user.pk}/change/",
            {
                "email": user.email,
                "full_name": "Changed Name",
                "job_title": "",
                "phone": "",
                "organisation": force.pk,
                "role": Role.SOCIAL_WORKER,
                "is_active": "on",
            },
            follow=True,
        )
        assert "cannot belong to a police force" in response.content.decode()
        user.refresh_from_db()
        assert (user.full_name, user.organisation_id) != ("Changed Name", force.pk)

    def test_a_change_in_the_admin_saves_through_the_service(self, admin_client):
        user = make_user(Role.SOCIAL_WORKER)
        response = admin_client.post(
            f"/admin/accounts/user/{user.pk}/change/",
            {
                "email": "Moved@Test.Example",
                "full_name": user.full_name,
                "job_title": "Senior practitioner",
                "phone": "",
                "organisation": user.organisation_id,
                "role": Role.SOCIAL_WORKER,
                "is_active": "on",
            },
        )
        assert response.status_code == 302
        user.refresh_from_db()
        assert (user.email, user.job_title) == ("moved@test.example", "Senior practitioner")


def form_data(response) -> dict:
    """The admin change form's fields as the browser would post them unchanged."""
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form.initial.get(name, field.initial)
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = getattr(value, "pk", value)
    return data


class TestHomeAdmin:
    def test_a_home_changed_in_the_admin_is_saved_by_the_service_as_a_new_version(
        self, admin_client
    ):
        from tests.world import build_world

        home = build_world().homes["A1"]
        url = f"/admin/homes/home/{home.pk}/change/"
        data = form_data(admin_client.get(url))
        data.update(name="Renamed House", postcode="sw1a 1aa")
        response = admin_client.post(url, data)
        assert response.status_code == 302
        stored = type(home).objects.get(pk=home.pk)
        # The service normalises the postcode and bumps the version.
        assert (stored.name, stored.postcode) == ("Renamed House", "SW1A 1AA")
        assert stored.version == home.version + 1

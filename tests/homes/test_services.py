import pytest

from apps.core.errors import ApplicationError, StaleVersionError
from apps.homes import services
from apps.homes.access import can_edit_home, granted_home_ids
from apps.homes.models import Home
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def home_fields(world, **overrides):
    fields = {
        "name": "Willow House",
        "ofsted_urn": "SC654321",
        "operator": world.orgs["A"],
        "host_authority": world.orgs["A"],
        "police_force": world.orgs["F1"],
        "address_line_1": "1 Willow Lane",
        "town": "Testbury",
        "postcode": "ne18aa",
        "capacity": 3,
    }
    return fields | overrides


def test_a_home_is_created_with_its_postcode_normalised(world):
    home = services.home_create(actor=world.users["admin"], **home_fields(world))
    assert home.postcode == "NE1 8AA"
    assert home.history.first().history_user == world.users["admin"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"postcode": "NOT A CODE"}, "postcode"),
        ({"ofsted_urn": "123456"}, "ofsted_urn"),
        ({"ofsted_urn": "SC000001"}, "ofsted_urn"),  # taken by home A1
        ({"capacity": 0}, "__all__"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(world, overrides, field):
    before = Home.objects.count()
    with pytest.raises(ApplicationError) as error:
        services.home_create(actor=world.users["admin"], **home_fields(world, **overrides))
    assert field in error.value.fields
    assert Home.objects.count() == before


def test_the_host_authority_must_be_a_local_authority(world):
    with pytest.raises(ApplicationError) as error:
        services.home_create(
            actor=world.users["admin"], **home_fields(world, host_authority=world.orgs["P"])
        )
    assert set(error.value.fields) == {"host_authority"}


def test_a_stale_home_edit_is_refused(world):
    home = world.homes["A1"]
    version = home.version
    services.home_update(
        actor=world.users["admin"],
        home=Home.objects.get(pk=home.pk),
        expected_version=version,
        capacity=5,
    )
    with pytest.raises(StaleVersionError):
        services.home_update(
            actor=world.users["hm_a1"],
            home=Home.objects.get(pk=home.pk),
            expected_version=version,
            capacity=6,
        )
    assert Home.objects.get(pk=home.pk).capacity == 5


def test_staff_must_work_for_the_organisation_that_runs_the_home(world):
    with pytest.raises(ApplicationError):
        services.home_staff_grant(
            actor=world.users["admin"], home=world.homes["A1"], user=world.users["cw_b1"]
        )


def test_granting_twice_is_harmless_and_revoking_removes_access(world):
    worker = make_user("care_worker", organisation=world.orgs["P"])
    home = world.homes["P1"]
    services.home_staff_grant(actor=world.users["admin"], home=home, user=worker)
    services.home_staff_grant(actor=world.users["admin"], home=home, user=worker)
    assert list(granted_home_ids(worker).values_list("content_object_id", flat=True)) == [home.pk]
    services.home_staff_revoke(actor=world.users["admin"], home=home, user=worker)
    assert not granted_home_ids(worker).exists()


def test_only_the_manager_of_a_home_may_edit_it(world):
    assert can_edit_home(world.users["hm_a1"], world.homes["A1"])
    assert not can_edit_home(world.users["cw_a1"], world.homes["A1"])
    assert not can_edit_home(world.users["hm_a1"], world.homes["B1"])
    assert can_edit_home(world.users["sm_b"], world.homes["B1"])
    assert not can_edit_home(world.users["sm_a"], world.homes["P1"])  # hosted, not run by A


def test_a_service_manager_adds_homes_their_own_authority_runs_only(world):
    with pytest.raises(ApplicationError) as error:
        services.home_create(
            actor=world.users["sm_a"], **home_fields(world, operator=world.orgs["P"])
        )
    assert set(error.value.fields) == {"operator"}
    home = services.home_create(actor=world.users["sm_a"], **home_fields(world))
    assert home.operator == world.orgs["A"]

"""The homes API: /api/v1/homes/ and /api/v1/homes/<id>/."""

import pytest

from apps.accounts.models import Role
from apps.homes import services
from apps.homes.models import Home
from tests.factories import OrganisationFactory, make_user

pytestmark = pytest.mark.django_db


def new_home_data(world, **overrides):
    data = {
        "name": "Juniper House",
        "ofsted_urn": "sc765432",
        "operator": world.orgs["A"].code,
        "host_authority": world.orgs["A"].code,
        "police_force": world.orgs["F1"].code,
        "address_line_1": "1 Juniper Way",
        "town": "Testbury",
        "postcode": "ne18aa",
        "capacity": 4,
    }
    return {**data, **overrides}


def names(response) -> set[str]:
    return {row["name"] for row in response.json()["results"]}


class TestList:
    def test_it_lists_only_the_homes_the_user_may_see(self, world, api):
        for key, expected in [("cw_a1", {"A1"}), ("police_2", {"B2"}), ("ri", set())]:
            response = api(world.users[key]).get("/api/v1/homes/")
            assert response.status_code == 200
            assert names(response) == {f"Home {home}" for home in expected}

    def test_it_searches_by_name_urn_and_postcode(self, world, api):
        client = api(world.users["admin"])
        assert names(client.get("/api/v1/homes/", {"q": "b2"})) == {"Home B2"}
        assert names(client.get("/api/v1/homes/", {"q": "SC000003"})) == {"Home B1"}
        assert len(names(client.get("/api/v1/homes/", {"q": "ne1 8aa"}))) == 4

    def test_it_is_paginated(self, world, api):
        body = api(world.users["admin"]).get("/api/v1/homes/").json()
        assert body["count"] == 4
        assert body["next"] is None
        assert len(body["results"]) == 4

    def test_it_counts_children_for_staff_but_not_for_police(self, world, api):
        staff = api(world.users["cw_b1"]).get("/api/v1/homes/").json()["results"]
        assert [row["children_now"] for row in staff] == [2]
        police = api(world.users["police_1"]).get("/api/v1/homes/").json()["results"]
        assert {row["children_now"] for row in police} == {None}

    @pytest.mark.parametrize("count", [1, 20])
    def test_it_costs_the_same_queries_for_1_or_20_homes(
        self, api, django_assert_num_queries, count
    ):
        authority = OrganisationFactory()
        force = OrganisationFactory(kind="police_force")
        admin = make_user(Role.ADMINISTRATOR, organisation=authority)
        for n in range(count):
            services.home_create(
                actor=admin,
                name=f"Home {n}",
                ofsted_urn=f"SC{n + 1:06d}",
                operator=authority,
                host_authority=authority,
                police_force=force,
                address_line_1="1 High Street",
                town="Testbury",
                postcode="NE1 8AA",
                capacity=3,
            )
        client = api(admin)
        # 1. the token and its user; 2. COUNT of visible homes; 3. the page of homes with
        # their organisations and children-now count (one query).
        with django_assert_num_queries(3):
            response = client.get("/api/v1/homes/")
        assert response.json()["count"] == count


class TestCreate:
    def test_a_service_manager_adds_a_home(self, world, api):
        response = api(world.users["sm_a"]).post(
            "/api/v1/homes/", new_home_data(world), format="json"
        )
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["ofsted_urn"] == "SC765432"
        assert body["postcode"] == "NE1 8AA"
        assert body["operator"]["code"] == world.orgs["A"].code
        assert response["ETag"] == '"1"'
        home = Home.objects.get(pk=body["id"])
        assert home.history.first().history_user == world.users["sm_a"]

    def test_a_role_that_never_adds_homes_is_refused_with_403(self, world, api):
        for key in ["cw_a1", "hm_a1", "sw_a", "police_1", "ri"]:
            response = api(world.users[key]).post(
                "/api/v1/homes/", new_home_data(world), format="json"
            )
            assert response.status_code == 403
            assert response.json()["message"] == "Your role cannot add homes."
        assert not Home.objects.filter(name="Juniper House").exists()

    def test_a_bad_postcode_is_a_400_naming_the_field(self, world, api):
        response = api(world.users["admin"]).post(
            "/api/v1/homes/", new_home_data(world, postcode="ZZ9 99Z"), format="json"
        )
        assert response.status_code == 400
        assert response.json() == {
            "message": "Enter a real UK postcode, like NE1 8AA",
            "fields": {"postcode": ["Enter a real UK postcode, like NE1 8AA"]},
        }

    def test_an_unknown_organisation_code_is_a_400_in_the_same_shape(self, world, api):
        response = api(world.users["admin"]).post(
            "/api/v1/homes/", new_home_data(world, operator="NOPE"), format="json"
        )
        assert response.status_code == 400
        body = response.json()
        assert set(body["fields"]) == {"operator"}
        assert body["message"].startswith("operator: ")

    def test_a_police_force_cannot_run_a_home(self, world, api):
        response = api(world.users["admin"]).post(
            "/api/v1/homes/",
            new_home_data(world, operator=world.orgs["F1"].code),
            format="json",
        )
        assert response.status_code == 400
        assert set(response.json()["fields"]) == {"operator"}


class TestDetail:
    def test_it_shows_a_visible_home_with_its_etag(self, world, api):
        home = world.homes["A1"]
        response = api(world.users["cw_a1"]).get(f"/api/v1/homes/{home.pk}/")
        assert response.status_code == 200
        assert response.json()["name"] == "Home A1"
        assert response["ETag"] == f'"{home.version}"'

    def test_a_home_out_of_scope_looks_missing(self, world, api):
        home = world.homes["B2"]
        assert api(world.users["cw_a1"]).get(f"/api/v1/homes/{home.pk}/").status_code == 404
        assert api(world.users["cw_a1"]).get("/api/v1/homes/999999/").status_code == 404


class TestUpdate:
    def url(self, world, key="A1"):
        return f"/api/v1/homes/{world.homes[key].pk}/"

    def test_the_home_manager_changes_their_home_with_if_match(self, world, api):
        home = world.homes["A1"]
        response = api(world.users["hm_a1"]).patch(
            self.url(world), {"capacity": 6}, format="json", HTTP_IF_MATCH=f'"{home.version}"'
        )
        assert response.status_code == 200, response.json()
        assert response.json()["capacity"] == 6
        assert response["ETag"] == f'"{home.version + 1}"'
        home.refresh_from_db()
        assert home.capacity == 6
        assert home.history.first().history_user == world.users["hm_a1"]

    def test_without_if_match_it_answers_428(self, world, api):
        response = api(world.users["hm_a1"]).patch(self.url(world), {"capacity": 6}, format="json")
        assert response.status_code == 428
        assert "If-Match" in response.json()["message"]
        assert Home.objects.get(pk=world.homes["A1"].pk).capacity == 4

    def test_a_stale_if_match_answers_412_and_changes_nothing(self, world, api):
        home = world.homes["A1"]
        client = api(world.users["hm_a1"])
        first = client.patch(
            self.url(world), {"capacity": 5}, format="json", HTTP_IF_MATCH=f'"{home.version}"'
        )
        assert first.status_code == 200
        second = client.patch(
            self.url(world), {"capacity": 6}, format="json", HTTP_IF_MATCH=f'"{home.version}"'
        )
        assert second.status_code == 412
        assert "changed this record" in second.json()["message"]
        assert Home.objects.get(pk=home.pk).capacity == 5

    def test_a_nonsense_if_match_is_412(self, world, api):
        response = api(world.users["hm_a1"]).patch(
            self.url(world), {"capacity": 6}, format="json", HTTP_IF_MATCH="banana"
        )
        assert response.status_code == 412

    def test_staff_who_may_see_but_not_edit_the_home_get_404(self, world, api):
        home = world.homes["A1"]
        for key in ["cw_a1", "police_1", "sw_a"]:
            response = api(world.users[key]).patch(
                self.url(world), {"capacity": 6}, format="json", HTTP_IF_MATCH=f'"{home.version}"'
            )
            assert response.status_code == 404, key

    def test_a_bad_value_is_a_400(self, world, api):
        home = world.homes["A1"]
        response = api(world.users["hm_a1"]).patch(
            self.url(world), {"capacity": 0}, format="json", HTTP_IF_MATCH=f'"{home.version}"'
        )
        assert response.status_code == 400
        assert set(response.json()["fields"]) == {"capacity"}

    def test_a_browser_session_works_too(self, world, signed_in):
        client = signed_in(world.users["hm_a1"])
        home = world.homes["A1"]
        response = client.patch(
            self.url(world),
            '{"name": "Home A1 renamed"}',
            content_type="application/json",
            HTTP_IF_MATCH=f'"{home.version}"',
        )
        assert response.status_code == 200
        assert response.json()["name"] == "Home A1 renamed"

"""The children API: children, placements, Philomena profiles, associates and places."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from apps.accounts.models import Role
from apps.children import services
from apps.children.models import AccessLog, AccessLogKind, Child, Placement
from apps.homes import services as home_services
from tests.factories import OrganisationFactory, make_user
from tests.world import place_children

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_media(tmp_path, monkeypatch):
    """Photos go to this test's own folder (tests/conftest.py moves PRIVATE_MEDIA_ROOT)."""
    from django.conf import settings

    return settings.PRIVATE_MEDIA_ROOT


def api_logs(child) -> int:
    return AccessLog.objects.filter(child=child, kind=AccessLogKind.API).count()


def if_match(record) -> dict:
    return {"HTTP_IF_MATCH": f'"{record.version}"'}


NEW_CHILD = {
    "first_name": "Robin",
    "last_name": "Hart",
    "date_of_birth": "2011-03-04",
    "sex": "2",
    "child_id": "NEW42",
}


class TestChildList:
    def test_it_lists_only_the_children_the_user_may_see(self, world, api):
        expected = {"sm_a": {"a1", "a2", "ax"}, "cw_b1": {"a2", "b1"}, "police_1": set()}
        for key, keys in expected.items():
            body = api(world.users[key]).get("/api/v1/children/").json()
            assert {row["id"] for row in body["results"]} == {world.children[k].pk for k in keys}, (
                key
            )

    def test_it_searches_by_name_and_child_id(self, world, api):
        client = api(world.users["sm_a"])
        rows = client.get("/api/v1/children/", {"q": "ida2"}).json()["results"]
        assert [row["child_id"] for row in rows] == ["IDA2"]

    def test_it_shows_the_current_placement_and_whether_it_is_out_of_area(self, world, api):
        rows = api(world.users["sm_a"]).get("/api/v1/children/").json()["results"]
        by_id = {row["child_id"]: row for row in rows}
        assert by_id["IDA1"]["current_placement"]["out_of_area"] is False
        assert by_id["IDA2"]["current_placement"]["out_of_area"] is True
        assert by_id["IDA2"]["current_placement"]["home"]["name"] == "Home B1"
        assert by_id["IDAX"]["current_placement"] is None

    def test_a_list_is_not_logged_as_a_view_of_each_record(self, world, api):
        api(world.users["sm_a"]).get("/api/v1/children/")
        assert not AccessLog.objects.exists()

    @pytest.mark.parametrize("count", [1, 20])
    def test_it_costs_the_same_queries_for_1_or_20_children(
        self, api, django_assert_num_queries, count
    ):
        authority = OrganisationFactory()
        force = OrganisationFactory(kind="police_force")
        manager = make_user(Role.SERVICE_MANAGER, organisation=authority)
        social_worker = make_user(Role.SOCIAL_WORKER, organisation=authority)
        home = home_services.home_create(
            actor=manager,
            name="Home",
            ofsted_urn="SC111111",
            operator=authority,
            host_authority=authority,
            police_force=force,
            address_line_1="1 High Street",
            town="Testbury",
            postcode="NE1 8AA",
            capacity=30,
        )
        place_children(home=home, count=count, actor=social_worker, placer=manager, prefix="C")
        client = api(manager)
        # 1. the token and its user; 2. COUNT of visible children; 3. the page of children
        # with placing authority and social worker; 4. their current placements with homes.
        with django_assert_num_queries(4):
            response = client.get("/api/v1/children/")
        assert response.json()["count"] == count


class TestChildCreate:
    def test_a_social_worker_adds_a_child_allocated_to_them(self, world, api):
        sw = world.users["sw_a"]
        response = api(sw).post("/api/v1/children/", NEW_CHILD, format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["allocated_social_worker"]["id"] == sw.pk
        assert body["placing_authority"]["code"] == world.orgs["A"].code
        assert response["ETag"] == '"1"'
        assert Child.objects.get(pk=body["id"]).history.first().history_user == sw

    def test_a_service_manager_names_the_social_worker(self, world, api):
        sw = world.users["sw_a"]
        response = api(world.users["sm_a"]).post(
            "/api/v1/children/", {**NEW_CHILD, "allocated_social_worker": sw.pk}, format="json"
        )
        assert response.status_code == 201
        assert response.json()["allocated_social_worker"]["id"] == sw.pk

    def test_another_authoritys_social_worker_is_refused(self, world, api):
        response = api(world.users["sm_a"]).post(
            "/api/v1/children/",
            {**NEW_CHILD, "allocated_social_worker": world.users["sw_b"].pk},
            format="json",
        )
        assert response.status_code == 400
        assert set(response.json()["fields"]) == {"social_worker"}
        assert not Child.objects.filter(child_id="NEW42").exists()

    def test_roles_that_never_add_children_get_403(self, world, api):
        for key in ["cw_a1", "hm_a1", "police_1", "admin", "ri"]:
            response = api(world.users[key]).post("/api/v1/children/", NEW_CHILD, format="json")
            assert response.status_code == 403, key
        assert not Child.objects.filter(child_id="NEW42").exists()

    def test_a_duplicate_child_id_is_a_400(self, world, api):
        response = api(world.users["sw_a"]).post(
            "/api/v1/children/", {**NEW_CHILD, "child_id": "IDA1"}, format="json"
        )
        assert response.status_code == 400
        assert response.json()["fields"] == {
            "child_id": ["Another child of this authority already has this ID"]
        }

    def test_a_missing_field_is_a_400_in_the_stable_shape(self, world, api):
        data = {key: value for key, value in NEW_CHILD.items() if key != "sex"}
        response = api(world.users["sw_a"]).post("/api/v1/children/", data, format="json")
        assert response.status_code == 400
        assert response.json() == {
            "message": "sex: This field is required.",
            "fields": {"sex": ["This field is required."]},
        }


class TestChildDetail:
    def test_it_shows_the_child_and_logs_the_view(self, world, api):
        child = world.children["a1"]
        response = api(world.users["sw_a"]).get(f"/api/v1/children/{child.pk}/")
        assert response.status_code == 200
        assert response.json()["child_id"] == "IDA1"
        assert response["ETag"] == f'"{child.version}"'
        log = AccessLog.objects.get(child=child)
        assert log.kind == AccessLogKind.API
        assert log.user == world.users["sw_a"]
        assert log.path == f"/api/v1/children/{child.pk}/"

    def test_a_child_out_of_scope_looks_missing_and_is_not_logged(self, world, api):
        child = world.children["b2"]
        for key in ["sw_a", "cw_a1", "police_1", "admin", "ri"]:
            response = api(world.users[key]).get(f"/api/v1/children/{child.pk}/")
            assert response.status_code == 404, key
        assert api(world.users["sw_a"]).get("/api/v1/children/999999/").status_code == 404
        assert not AccessLog.objects.exists()

    def test_the_photo_is_a_link_to_the_checked_route_never_a_file_path(
        self, world, api, private_media
    ):
        child = world.children["a1"]
        services.child_photo_set(
            actor=world.users["sw_a"],
            child=child,
            photo=SimpleUploadedFile("face.jpg", b"not really a jpeg", "image/jpeg"),
            taken_on=date(2025, 1, 1),
        )
        response = api(world.users["sw_a"]).get(f"/api/v1/children/{child.pk}/")
        body = response.json()
        assert body["photo_url"] == f"/children/{child.pk}/photo/"
        assert body["photo_taken_on"] == "2025-01-01"
        assert "photos/" not in response.content.decode()
        assert (
            api(world.users["sw_a"])
            .get(f"/api/v1/children/{world.children['a2'].pk}/")
            .json()["photo_url"]
            is None
        )


class TestChildUpdate:
    def url(self, child):
        return f"/api/v1/children/{child.pk}/"

    def test_the_allocated_social_worker_changes_the_record(self, world, api):
        child = world.children["a1"]
        response = api(world.users["sw_a"]).patch(
            self.url(child), {"preferred_name": "Ace"}, format="json", **if_match(child)
        )
        assert response.status_code == 200, response.json()
        assert response.json()["display_name"] == "Ace Test"
        assert response["ETag"] == f'"{child.version + 1}"'

    def test_the_cse_level_is_refused_as_it_is_set_by_an_assessment(self, world, api):
        child = world.children["a1"]
        response = api(world.users["sw_a"]).patch(
            self.url(child), {"cse_risk": "high"}, format="json", **if_match(child)
        )
        assert response.status_code == 400
        assert "Set by a CSE risk assessment" in response.json()["fields"]["cse_risk"][0]
        child.refresh_from_db()
        assert (child.cse_risk, child.version) == ("", 1)

    def test_without_if_match_it_is_428(self, world, api):
        child = world.children["a1"]
        response = api(world.users["sw_a"]).patch(
            self.url(child), {"preferred_name": "Ace"}, format="json"
        )
        assert response.status_code == 428

    def test_a_stale_version_is_412(self, world, api):
        child = world.children["a1"]
        api(world.users["sm_a"]).patch(
            self.url(child), {"preferred_name": "One"}, format="json", **if_match(child)
        )
        response = api(world.users["sw_a"]).patch(
            self.url(child), {"preferred_name": "Two"}, format="json", **if_match(child)
        )
        assert response.status_code == 412
        assert response.json()["message"].startswith("Test Service manager changed this record")
        child.refresh_from_db()
        assert child.preferred_name == "One"

    def test_people_who_see_the_child_but_do_not_hold_the_case_get_404(self, world, api):
        child = world.children["a1"]
        for key in ["cw_a1", "hm_a1", "sm_b"]:
            response = api(world.users[key]).patch(
                self.url(child), {"preferred_name": "X"}, format="json", **if_match(child)
            )
            assert response.status_code == 404, key


class TestPlacements:
    def test_the_list_shows_history_with_out_of_area_and_is_logged(self, world, api):
        child = world.children["a2"]
        response = api(world.users["sw_a"]).get(f"/api/v1/children/{child.pk}/placements/")
        assert response.status_code == 200
        [row] = response.json()["results"]
        assert row["home"]["name"] == "Home B1"
        assert row["out_of_area"] is True
        assert row["is_current"] is True
        assert api_logs(child) == 1

    def test_the_list_of_a_child_out_of_scope_is_404(self, world, api):
        child = world.children["b1"]
        response = api(world.users["sw_a"]).get(f"/api/v1/children/{child.pk}/placements/")
        assert response.status_code == 404

    @pytest.mark.parametrize("count", [1, 20])
    def test_the_list_costs_the_same_queries_for_1_or_20_placements(
        self, world, api, django_assert_num_queries, count
    ):
        child = world.children["ax"]
        sm = world.users["sm_a"]
        start = date(2020, 1, 1)
        for n in range(count):
            services.placement_start(
                actor=sm, child=child, home=world.homes["A1"], start_date=start + timedelta(n)
            )
        client = api(world.users["sw_a"])
        # 1. the token and its user; 2. the child, through the access scope; 3. the access-log
        # row; 4. COUNT of placements; 5. the page with homes and the placing authority.
        with django_assert_num_queries(5):
            response = client.get(f"/api/v1/children/{child.pk}/placements/")
        assert response.json()["count"] == count

    def test_the_case_holder_moves_the_child(self, world, api):
        child = world.children["a1"]
        today = timezone.localdate()
        response = api(world.users["sw_a"]).post(
            f"/api/v1/children/{child.pk}/placements/",
            {"home": world.homes["B1"].pk, "start_date": today.isoformat()},
            format="json",
        )
        assert response.status_code == 201, response.json()
        assert response.json()["out_of_area"] is True
        assert Placement.objects.filter(child=child, end_date=today).count() == 1
        created = Placement.objects.get(pk=response.json()["id"])
        assert created.history.first().history_user == world.users["sw_a"]

    def test_an_overlapping_placement_is_a_400(self, world, api):
        child = world.children["a1"]
        response = api(world.users["sw_a"]).post(
            f"/api/v1/children/{child.pk}/placements/",
            {"home": world.homes["B1"].pk, "start_date": "2023-01-01", "end_current": False},
            format="json",
        )
        assert response.status_code == 400
        assert set(response.json()["fields"]) == {"start_date"}

    def test_a_closed_home_cannot_be_chosen(self, world, api):
        home = world.homes["P1"]
        home_services.home_update(
            actor=world.users["admin"], home=home, expected_version=home.version, is_active=False
        )
        child = world.children["ax"]
        response = api(world.users["sw_a"]).post(
            f"/api/v1/children/{child.pk}/placements/",
            {"home": home.pk, "start_date": "2025-01-01"},
            format="json",
        )
        assert response.status_code == 400
        assert set(response.json()["fields"]) == {"home"}
        assert not Placement.objects.filter(child=child).exists()

    def test_care_staff_cannot_place_children(self, world, api):
        child = world.children["a1"]
        response = api(world.users["hm_a1"]).post(
            f"/api/v1/children/{child.pk}/placements/",
            {"home": world.homes["A1"].pk, "start_date": "2025-01-01"},
            format="json",
        )
        assert response.status_code == 404

    def test_one_placement_is_shown_and_logged(self, world, api):
        placement = Placement.objects.get(child=world.children["a2"])
        response = api(world.users["cw_b1"]).get(f"/api/v1/placements/{placement.pk}/")
        assert response.status_code == 200
        assert response["ETag"] == f'"{placement.version}"'
        assert api_logs(world.children["a2"]) == 1
        other = Placement.objects.get(child=world.children["b2"])
        response = api(world.users["cw_b1"]).get(f"/api/v1/placements/{other.pk}/")
        assert response.status_code == 404

    def test_the_case_holder_ends_a_placement_with_if_match(self, world, api):
        placement = Placement.objects.get(child=world.children["a1"])
        url = f"/api/v1/placements/{placement.pk}/end/"
        client = api(world.users["sw_a"])
        assert client.post(url, {"end_date": "2025-06-01"}, format="json").status_code == 428
        stale = {"HTTP_IF_MATCH": f'"{placement.version + 5}"'}
        assert (
            client.post(url, {"end_date": "2025-06-01"}, format="json", **stale).status_code == 412
        )
        response = client.post(
            url, {"end_date": "2025-06-01"}, format="json", **if_match(placement)
        )
        assert response.status_code == 200, response.json()
        assert response.json()["end_date"] == "2025-06-01"
        assert response.json()["is_current"] is False
        assert response["ETag"] == f'"{placement.version + 1}"'

    def test_an_end_before_the_start_is_a_400(self, world, api):
        placement = Placement.objects.get(child=world.children["a1"])
        response = api(world.users["sw_a"]).post(
            f"/api/v1/placements/{placement.pk}/end/",
            {"end_date": "2020-01-01"},
            format="json",
            **if_match(placement),
        )
        assert response.status_code == 400
        assert set(response.json()["fields"]) == {"end_date"}

    def test_care_staff_cannot_end_placements(self, world, api):
        placement = Placement.objects.get(child=world.children["a1"])
        response = api(world.users["hm_a1"]).post(
            f"/api/v1/placements/{placement.pk}/end/",
            {"end_date": "2025-06-01"},
            format="json",
            **if_match(placement),
        )
        assert response.status_code == 404


class TestProfile:
    def url(self, child, rest=""):
        return f"/api/v1/children/{child.pk}/profile/{rest}"

    def test_it_shows_part_1_with_associates_and_places_and_is_logged(self, world, api):
        child = world.children["a1"]
        services.associate_add(actor=world.users["sw_a"], child=child, name="Jay", is_concern=True)
        services.place_add(actor=world.users["sw_a"], child=child, name="Park", why="Meets Jay")
        response = api(world.users["cw_a1"]).get(self.url(child))
        assert response.status_code == 200
        body = response.json()
        assert [a["name"] for a in body["associates"]] == ["Jay"]
        assert body["associates"][0]["is_concern"] is True
        assert [p["name"] for p in body["places"]] == ["Park"]
        assert body["staleness"]["profile_never_reviewed"] is True
        assert body["staleness"]["photo_missing"] is True
        assert response["ETag"] == f'"{body["version"]}"'
        assert api_logs(child) == 1

    def test_care_staff_keep_the_profile_with_if_match(self, world, api):
        child = world.children["a1"]
        client = api(world.users["cw_a1"])
        version = client.get(self.url(child))["ETag"]
        response = client.patch(
            self.url(child), {"hair": "Brown, short"}, format="json", HTTP_IF_MATCH=version
        )
        assert response.status_code == 200, response.json()
        assert response.json()["hair"] == "Brown, short"
        assert response.json()["last_reviewed_by"]["id"] == world.users["cw_a1"].pk
        stale = client.patch(
            self.url(child), {"hair": "Blonde"}, format="json", HTTP_IF_MATCH=version
        )
        assert stale.status_code == 412
        assert client.patch(self.url(child), {"hair": "Blonde"}, format="json").status_code == 428

    def test_a_police_officer_with_a_grant_reads_but_cannot_edit(self, world, api):
        child = world.children["a1"]
        services.police_grant_create(
            actor=world.users["sw_a"],
            child=child,
            officer=world.users["police_1"],
            reason="Missing now",
            expires_at=timezone.now() + timedelta(days=2),
        )
        client = api(world.users["police_1"])
        response = client.get(self.url(child))
        assert response.status_code == 200
        patch = client.patch(
            self.url(child), {"hair": "X"}, format="json", HTTP_IF_MATCH=response["ETag"]
        )
        assert patch.status_code == 404

    def test_associates_and_places_are_added(self, world, api):
        child = world.children["a1"]
        client = api(world.users["hm_a1"])
        associate = client.post(
            self.url(child, "associates/"),
            {"name": "Kai", "relationship": "Friend", "is_concern": True},
            format="json",
        )
        assert associate.status_code == 201, associate.json()
        assert associate.json()["is_concern"] is True
        place = client.post(self.url(child, "places/"), {"name": "Bus station"}, format="json")
        assert place.status_code == 201
        body = client.get(self.url(child)).json()
        assert [a["name"] for a in body["associates"]] == ["Kai"]
        assert [p["name"] for p in body["places"]] == ["Bus station"]

    def test_an_associate_needs_a_name(self, world, api):
        child = world.children["a1"]
        response = api(world.users["hm_a1"]).post(
            self.url(child, "associates/"), {"relationship": "Friend"}, format="json"
        )
        assert response.status_code == 400
        assert set(response.json()["fields"]) == {"name"}

    def test_people_who_may_not_keep_the_profile_cannot_add_to_it(self, world, api):
        child = world.children["a1"]
        for key in ["sm_b", "police_1", "admin"]:
            response = api(world.users[key]).post(
                self.url(child, "associates/"), {"name": "Kai"}, format="json"
            )
            assert response.status_code == 404, key

"""Homes pages: list, detail, add, edit, staff. State is built through the services
(tests.world); each page is tried anonymous, forbidden, permitted and with bad input."""

import pytest

from apps.accounts.models import OrganisationKind, Role
from apps.homes import services
from apps.homes.models import Home, HomeUserObjectPermission
from tests.factories import OrganisationFactory, make_user
from tests.world import World

pytestmark = pytest.mark.django_db

HOME_NAMES = {"A1": "Home A1", "P1": "Home P1", "B1": "Home B1", "B2": "Home B2"}


def body(response) -> str:
    return response.content.decode()


def home_data(world, **overrides) -> dict:
    data = {
        "name": "Willow House",
        "ofsted_urn": "SC900001",
        "operator": world.orgs["A"].pk,
        "host_authority": world.orgs["A"].pk,
        "police_force": world.orgs["F1"].pk,
        "address_line_1": "1 Willow Lane",
        "address_line_2": "",
        "town": "Testbury",
        "postcode": "ne1 8aa",
        "phone": "",
        "capacity": "4",
        "ofsted_rating": "good",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def edit_data(home, **overrides) -> dict:
    data = {
        "name": home.name,
        "ofsted_urn": home.ofsted_urn,
        "operator": home.operator_id,
        "host_authority": home.host_authority_id,
        "police_force": home.police_force_id,
        "address_line_1": home.address_line_1,
        "address_line_2": home.address_line_2,
        "town": home.town,
        "postcode": home.postcode,
        "phone": home.phone,
        "capacity": str(home.capacity),
        "ofsted_rating": home.ofsted_rating,
        "is_active": "on" if home.is_active else "",
        "version": str(home.version),
    }
    data.update(overrides)
    return data


# List ----------------------------------------------------------------------------------------


class TestHomeList:
    url = "/homes/"

    @pytest.mark.parametrize("who", sorted(World.VISIBLE_HOMES))
    def test_each_role_sees_exactly_its_homes(self, world, signed_in, who):
        html = body(signed_in(world.users[who]).get(self.url))
        shown = {key for key, name in HOME_NAMES.items() if name in html}
        assert shown == world.VISIBLE_HOMES[who]

    def test_it_shows_the_columns_of_a_home(self, world, signed_in):
        html = body(signed_in(world.users["police_2"]).get(self.url))
        home = world.homes["B2"]
        assert f'href="/homes/{home.pk}/"' in html
        for text in ["SC000004", "Testbury", "NE1 8AA", "Authority B", "Not yet inspected"]:
            assert text in html
        assert "1 home" in html

    def test_it_searches_by_name_urn_and_postcode(self, world, signed_in):
        client = signed_in(world.users["admin"])
        assert "Home B1" in body(client.get(self.url, {"q": "b1"}))
        assert "Home A1" not in body(client.get(self.url, {"q": "b1"}))
        by_urn = body(client.get(self.url, {"q": "sc000002"}))
        assert "Home P1" in by_urn
        assert "Home A1" not in by_urn
        assert "4 homes" in body(client.get(self.url, {"q": "NE1 8AA"}))

    def test_it_says_when_nothing_matches(self, world, signed_in):
        html = body(signed_in(world.users["admin"]).get(self.url, {"q": "nowhere"}))
        assert "No homes match ‘nowhere’" in html

    def test_it_says_when_there_are_no_homes_to_see(self, world, signed_in):
        html = body(signed_in(world.users["ri"]).get(self.url))
        assert "There are no homes for you to see yet." in html

    @pytest.mark.parametrize("who", ["police_1", "admin"])
    def test_police_and_administrators_do_not_see_how_many_children_live_there(
        self, world, signed_in, who
    ):
        html = body(signed_in(world.users[who]).get(self.url))
        assert "Home A1" in html  # the home and its address, yes
        assert "Testbury" in html
        assert "Children now" not in html
        assert "govuk-table__cell--numeric" not in html

    @pytest.mark.parametrize("who", ["cw_a1", "sw_a", "sm_a"])
    def test_those_who_see_the_children_see_how_many_live_there(self, world, signed_in, who):
        assert "Children now" in body(signed_in(world.users[who]).get(self.url))

    def test_only_those_who_may_add_homes_see_the_button(self, world, signed_in):
        add = 'href="/homes/new/"'
        assert add in body(signed_in(world.users["sm_a"]).get(self.url))
        assert add in body(signed_in(world.users["admin"]).get(self.url))
        assert add not in body(signed_in(world.users["hm_a1"]).get(self.url))

    @pytest.mark.parametrize("count", [1, 20])
    def test_the_query_count_does_not_grow_with_the_rows(
        self, signed_in, django_assert_num_queries, count
    ):
        authority = OrganisationFactory(kind=OrganisationKind.LOCAL_AUTHORITY)
        force = OrganisationFactory(kind=OrganisationKind.POLICE_FORCE)
        admin = make_user(Role.ADMINISTRATOR, organisation=authority)
        for n in range(count):
            services.home_create(
                actor=admin,
                name=f"Home {n}",
                ofsted_urn=f"SC{n + 100:06d}",
                operator=authority,
                host_authority=authority,
                police_force=force,
                address_line_1="1 Street",
                town="Town",
                postcode="NE1 8AA",
                capacity=3,
            )
        client = signed_in(admin)
        # 1 session, 2 user, 3 two-factor device, 4 count for the paginator, 5 the page of
        # homes with their organisations and children counts (one query), 6 the signed-in
        # user's organisation (user bar), 7 the user's unread alerts (the header's count),
        # 8-10 savepoint, session update, release (the session is saved on every request).
        with django_assert_num_queries(10):
            response = client.get(self.url)
        assert body(response).count('<tr class="govuk-table__row">') == count + 1


# Detail --------------------------------------------------------------------------------------


class TestHomeDetail:
    def test_it_is_missing_for_a_user_who_cannot_see_the_home(self, world, signed_in):
        client = signed_in(world.users["cw_a1"])
        assert client.get(f"/homes/{world.homes['B1'].pk}/").status_code == 404
        assert client.get("/homes/999999/").status_code == 404

    def test_it_shows_the_home_its_children_and_staff(self, world, signed_in):
        home = world.homes["B1"]
        html = body(signed_in(world.users["sm_b"]).get(f"/homes/{home.pk}/"))
        for text in ["Home B1", "3 Test Street", "NE1 8AA", "SC000003", "Force 1", "Open"]:
            assert text in html
        a2, b1 = world.children["a2"], world.children["b1"]
        assert f'href="/children/{a2.pk}/"' in html
        assert f'href="/children/{b1.pk}/"' in html
        # a2 is placed by authority A in authority B's home.
        assert html.count("Out of area") == 1
        assert world.users["cw_b1"].full_name in html

    def test_it_shows_the_manager_flag(self, world, signed_in):
        html = body(signed_in(world.users["hm_a1"]).get(f"/homes/{world.homes['A1'].pk}/"))
        assert "Manager</strong>" in html

    def test_police_see_the_home_but_not_its_children(self, world, signed_in):
        html = body(signed_in(world.users["police_1"]).get(f"/homes/{world.homes['B1'].pk}/"))
        assert "Home B1" in html
        assert "Children living here" not in html
        assert "ChildA2" not in html

    def test_police_do_not_see_who_works_in_the_home(self, world, signed_in):
        home = world.homes["A1"]
        html = body(signed_in(world.users["police_1"]).get(f"/homes/{home.pk}/"))
        assert "1 Test Street" in html  # the address, yes
        assert "Staff</h2>" not in html
        assert 'data-testid="home-staff"' not in html
        for who in ("cw_a1", "hm_a1"):
            assert world.users[who].full_name not in html

    @pytest.mark.parametrize("who", ["admin", "hm_a1", "cw_a1", "sm_a"])
    def test_others_who_see_the_home_see_its_staff(self, world, signed_in, who):
        home = world.homes["A1"]
        html = body(signed_in(world.users[who]).get(f"/homes/{home.pk}/"))
        assert 'data-testid="home-staff"' in html
        assert world.users["cw_a1"].full_name in html

    def test_buttons_follow_what_the_user_may_do(self, world, signed_in):
        home = world.homes["A1"]
        edit, staff = f'href="/homes/{home.pk}/edit/"', f'href="/homes/{home.pk}/staff/"'
        manager_view = body(signed_in(world.users["hm_a1"]).get(f"/homes/{home.pk}/"))
        assert edit in manager_view
        assert staff in manager_view
        worker_view = body(signed_in(world.users["cw_a1"]).get(f"/homes/{home.pk}/"))
        assert edit not in worker_view
        assert staff not in worker_view


# Add and edit --------------------------------------------------------------------------------


class TestHomeCreate:
    url = "/homes/new/"

    @pytest.mark.parametrize("who", ["cw_a1", "hm_a1", "sw_a", "police_1"])
    def test_it_is_missing_for_those_who_may_not_add_homes(self, world, signed_in, who):
        client = signed_in(world.users[who])
        assert client.get(self.url).status_code == 404
        assert client.post(self.url, home_data(world)).status_code == 404
        assert not Home.objects.filter(name="Willow House").exists()

    def test_the_operator_defaults_to_the_service_managers_authority(self, world, signed_in):
        html = body(signed_in(world.users["sm_a"]).get(self.url))
        assert f'<option value="{world.orgs["A"].pk}" selected>Authority A</option>' in html

    def test_the_selects_offer_only_fitting_organisations(self, world, signed_in):
        form = signed_in(world.users["admin"]).get(self.url).context["form"]
        assert set(form.fields["host_authority"].queryset) == {world.orgs["A"], world.orgs["B"]}
        assert set(form.fields["police_force"].queryset) == {world.orgs["F1"], world.orgs["F2"]}
        assert world.orgs["P"] in form.fields["operator"].queryset
        assert world.orgs["F1"] not in form.fields["operator"].queryset

    def test_a_service_manager_adds_a_home(self, world, signed_in):
        response = signed_in(world.users["sm_a"]).post(self.url, home_data(world), follow=True)
        home = Home.objects.get(ofsted_urn="SC900001")
        assert response.redirect_chain == [(f"/homes/{home.pk}/", 302)]
        assert home.postcode == "NE1 8AA"
        assert home.operator == world.orgs["A"]
        assert "Willow House has been added." in body(response)

    def test_bad_input_is_shown_and_nothing_is_saved(self, world, signed_in):
        client = signed_in(world.users["admin"])
        response = client.post(
            self.url, home_data(world, name="", capacity="four", host_authority=world.orgs["F1"].pk)
        )
        assert response.status_code == 200
        html = body(response)
        assert "There is a problem" in html
        assert 'href="#id_name">Enter the name of the home' in html
        assert "The number of beds must be a whole number, like 4" in html
        assert 'href="#id_host_authority"' in html
        assert 'value="1 Willow Lane"' in html  # what was typed is kept
        assert not Home.objects.filter(ofsted_urn="SC900001").exists()

    def test_a_rule_the_service_enforces_is_shown_on_its_field(self, world, signed_in):
        response = signed_in(world.users["admin"]).post(
            self.url, home_data(world, ofsted_urn="SC000001")
        )
        assert response.status_code == 200
        html = body(response)
        assert "There is a problem" in html
        assert 'href="#id_ofsted_urn">' in html
        assert Home.objects.filter(ofsted_urn="SC000001").count() == 1

    def test_a_malformed_urn_is_refused(self, world, signed_in):
        response = signed_in(world.users["admin"]).post(
            self.url, home_data(world, ofsted_urn="123")
        )
        assert "Enter the Ofsted URN as SC followed by 6 digits" in body(response)
        assert not Home.objects.filter(name="Willow House").exists()


class TestHomeEdit:
    def url(self, home):
        return f"/homes/{home.pk}/edit/"

    def test_it_is_missing_for_a_user_who_cannot_see_the_home(self, world, signed_in):
        assert signed_in(world.users["cw_a1"]).get(self.url(world.homes["B1"])).status_code == 404

    @pytest.mark.parametrize("who", ["cw_a1", "police_1", "sw_a"])
    def test_it_is_missing_for_those_who_see_the_home_but_may_not_edit_it(
        self, world, signed_in, who
    ):
        home = world.homes["A1"]
        client = signed_in(world.users[who])
        assert client.get(self.url(home)).status_code == 404
        assert client.post(self.url(home), edit_data(home, name="Taken")).status_code == 404
        home.refresh_from_db()
        assert home.name == "Home A1"

    def test_the_home_manager_edits_the_home(self, world, signed_in):
        home = world.homes["A1"]
        client = signed_in(world.users["hm_a1"])
        assert 'name="version" value="1"' in body(client.get(self.url(home)))
        response = client.post(self.url(home), edit_data(home, name="Elm House", capacity="5"))
        assert response.status_code == 302
        assert response["Location"] == f"/homes/{home.pk}/"
        home.refresh_from_db()
        assert (home.name, home.capacity, home.version) == ("Elm House", 5, 2)

    def test_bad_input_is_shown_and_nothing_is_saved(self, world, signed_in):
        home = world.homes["B1"]
        response = signed_in(world.users["sm_b"]).post(
            self.url(home), edit_data(home, postcode="nowhere")
        )
        assert response.status_code == 200
        assert "Enter a real UK postcode" in body(response)
        home.refresh_from_db()
        assert home.postcode == "NE1 8AA"
        assert home.version == 1

    def test_a_stale_edit_names_who_changed_it_and_overwrites_nothing(self, world, signed_in):
        home = world.homes["B1"]
        loaded = edit_data(home)  # version 1, as the form was loaded
        other = world.users["admin"]
        services.home_update(actor=other, home=home, expected_version=1, name="Renamed")
        response = signed_in(world.users["sm_b"]).post(
            self.url(home), {**loaded, "name": "My name"}
        )
        assert response.status_code == 200
        html = body(response)
        assert "There is a problem" in html
        assert f"{other.full_name} changed this record at" in html
        assert 'value="My name"' in html  # what the user typed is kept
        assert 'data-testid="latest-version"' in html
        assert "Renamed" in html  # the saved version is shown beside it
        assert 'name="version" value="2"' in html  # saving again is a deliberate choice
        home.refresh_from_db()
        assert (home.name, home.version) == ("Renamed", 2)


# Staff ---------------------------------------------------------------------------------------


class TestHomeStaff:
    def url(self, home):
        return f"/homes/{home.pk}/staff/"

    @pytest.mark.parametrize("who", ["cw_a1", "police_1", "sw_a", "hm_a1"])
    def test_it_is_missing_for_those_who_may_not_manage_staff(self, world, signed_in, who):
        home = world.homes["B1"] if who == "hm_a1" else world.homes["A1"]
        assert signed_in(world.users[who]).get(self.url(home)).status_code == 404

    def test_it_lists_the_staff_and_who_may_be_added(self, world, signed_in):
        home = world.homes["A1"]
        newcomer = make_user(Role.CARE_WORKER, organisation=world.orgs["A"])
        outsider = make_user(Role.CARE_WORKER, organisation=world.orgs["B"])
        response = signed_in(world.users["hm_a1"]).get(self.url(home))
        html = body(response)
        assert world.users["cw_a1"].full_name in html
        assert f'action="/homes/{home.pk}/staff/{world.users["cw_a1"].pk}/remove/"' in html
        candidates = set(response.context["form"].fields["user"].queryset)
        assert newcomer in candidates
        assert outsider not in candidates
        assert world.users["sw_a"] not in candidates

    def test_a_manager_gives_a_care_worker_access(self, world, signed_in):
        home = world.homes["A1"]
        newcomer = make_user(Role.CARE_WORKER, organisation=world.orgs["A"])
        response = signed_in(world.users["hm_a1"]).post(
            self.url(home), {"user": newcomer.pk}, follow=True
        )
        assert response.redirect_chain == [(self.url(home), 302)]
        assert f"{newcomer.full_name} can now work in Home A1." in body(response)
        assert HomeUserObjectPermission.objects.filter(user=newcomer, content_object=home).exists()

    def test_a_care_worker_cannot_be_made_a_manager(self, world, signed_in):
        home = world.homes["A1"]
        newcomer = make_user(Role.CARE_WORKER, organisation=world.orgs["A"])
        response = signed_in(world.users["sm_a"]).post(
            self.url(home), {"user": newcomer.pk, "manager": "on"}
        )
        assert response.status_code == 200
        html = body(response)
        assert 'href="#id_manager">Only a home manager can manage a home.' in html
        assert not HomeUserObjectPermission.objects.filter(user=newcomer).exists()

    def test_someone_from_another_organisation_cannot_be_chosen(self, world, signed_in):
        home = world.homes["A1"]
        outsider = make_user(Role.CARE_WORKER, organisation=world.orgs["B"])
        response = signed_in(world.users["sm_a"]).post(self.url(home), {"user": outsider.pk})
        assert "Choose a person from the list" in body(response)
        assert not HomeUserObjectPermission.objects.filter(user=outsider).exists()

    def test_an_empty_form_says_what_is_missing(self, world, signed_in):
        response = signed_in(world.users["sm_a"]).post(self.url(world.homes["A1"]), {})
        assert "Choose the person to give access to" in body(response)

    def test_a_manager_removes_a_member_of_staff(self, world, signed_in):
        home, worker = world.homes["A1"], world.users["cw_a1"]
        url = f"/homes/{home.pk}/staff/{worker.pk}/remove/"
        client = signed_in(world.users["hm_a1"])
        assert client.get(url).status_code == 405
        response = client.post(url, follow=True)
        assert response.redirect_chain == [(self.url(home), 302)]
        assert f"{worker.full_name} no longer has access to Home A1." in body(response)
        assert not HomeUserObjectPermission.objects.filter(
            user=worker, content_object=home
        ).exists()

    def test_removing_is_missing_for_someone_not_on_the_staff_or_a_forbidden_user(
        self, world, signed_in
    ):
        home = world.homes["A1"]
        client = signed_in(world.users["hm_a1"])
        assert (
            client.post(f"/homes/{home.pk}/staff/{world.users['cw_b1'].pk}/remove/").status_code
            == 404
        )
        worker_url = f"/homes/{home.pk}/staff/{world.users['hm_a1'].pk}/remove/"
        assert signed_in(world.users["cw_a1"]).post(worker_url).status_code == 404
        assert HomeUserObjectPermission.objects.filter(user=world.users["hm_a1"]).exists()

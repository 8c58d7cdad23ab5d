"""Children pages: the list, the record's tabs, the photo, and every form that changes the
record. State is built through the services (tests.world); each page is tried anonymous,
forbidden, permitted, with bad input and, for versioned records, with a stale version."""

import io
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from apps.accounts.models import OrganisationKind, Role
from apps.children import services
from apps.children.models import (
    AccessLog,
    AccessLogKind,
    Associate,
    Child,
    ChildUserObjectPermission,
    Place,
    Placement,
)
from tests.factories import OrganisationFactory, make_user
from tests.world import World, place_children

pytestmark = pytest.mark.django_db

SIGN_IN = "/account/sign-in/"
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def photo_storage(tmp_path, monkeypatch):
    """Photos go to this test's own folder (tests/conftest.py moves PRIVATE_MEDIA_ROOT)."""
    from django.conf import settings

    return settings.PRIVATE_MEDIA_ROOT


def body(response) -> str:
    return response.content.decode()


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


def png_upload(name="face.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def date_fields(name: str, day: date) -> dict:
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


def child_data(**overrides) -> dict:
    data = {
        "first_name": "Alex",
        "last_name": "Morgan",
        "preferred_name": "",
        **date_fields("date_of_birth", date(2011, 4, 2)),
        "sex": "2",
        "ethnicity": "WBRI",
        "child_id": "NEW001",
    }
    data.update(overrides)
    return data


def edit_data(child: Child, **overrides) -> dict:
    data = {
        "first_name": child.first_name,
        "last_name": child.last_name,
        "preferred_name": child.preferred_name,
        **date_fields("date_of_birth", child.date_of_birth),
        "sex": child.sex,
        "ethnicity": child.ethnicity,
        "child_id": child.child_id,
        "version": str(child.version),
    }
    data.update(overrides)
    return data


def assert_redirects_to_sign_in(response, path):
    assert response.status_code == 302
    assert response["Location"] == f"{SIGN_IN}?next={path}"


def logged(user, child, kind) -> int:
    return AccessLog.objects.filter(user=user, child=child, kind=kind).count()


# List ----------------------------------------------------------------------------------------


class TestChildList:
    url = "/children/"

    @pytest.mark.parametrize("who", sorted(World.VISIBLE_CHILDREN))
    def test_each_role_sees_exactly_its_children(self, world, signed_in, who):
        html = body(signed_in(world.users[who]).get(self.url))
        shown = {key for key in world.children if f">ID{key.upper()}<" in html}
        assert shown == World.VISIBLE_CHILDREN[who]

    def test_it_shows_the_columns_of_a_child(self, world, signed_in):
        html = body(signed_in(world.users["sm_b"]).get(self.url))
        a2 = world.children["a2"]
        assert f'href="/children/{a2.pk}/"' in html
        for text in ["ChildA2 Test", "17 May 2010", "Home B1", "Authority A", "Out of area"]:
            assert text in html
        assert world.users["sw_a"].full_name in html
        assert "3 children" in html

    def test_it_searches_by_name_and_child_id(self, world, signed_in):
        client = signed_in(world.users["sw_a"])
        by_name = body(client.get(self.url, {"q": "childa2"}))
        assert ">IDA2<" in by_name
        assert ">IDA1<" not in by_name
        by_id = body(client.get(self.url, {"q": "idax"}))
        assert ">IDAX<" in by_id
        assert "1 child " in by_id
        assert "No children match ‘zzz’" in body(client.get(self.url, {"q": "zzz"}))

    def test_it_pages_25_at_a_time(self, world, signed_in):
        sw = world.users["sw_a"]
        for n in range(23):
            services.child_create(
                actor=sw,
                first_name="Zed",
                last_name=f"Page{n:02d}",
                date_of_birth=date(2012, 1, 1),
                sex="1",
                child_id=f"PG{n:03d}",
            )
        client = signed_in(sw)
        first = body(client.get(self.url))
        assert "26 children" in first
        assert first.count('<tr class="govuk-table__row">') == 26
        assert 'href="?page=2"' in first
        second = body(client.get(self.url, {"page": 2}))
        assert second.count('<tr class="govuk-table__row">') == 2
        assert ">IDAX<" in second  # ordered by last name: Page00…Page22, then Test

    def test_only_those_who_may_add_children_see_the_button(self, world, signed_in):
        add = 'href="/children/new/"'
        assert add in body(signed_in(world.users["sw_a"]).get(self.url))
        assert add in body(signed_in(world.users["sm_a"]).get(self.url))
        assert add not in body(signed_in(world.users["cw_a1"]).get(self.url))

    @pytest.mark.parametrize("count", [1, 20])
    def test_the_query_count_does_not_grow_with_the_rows(
        self, signed_in, django_assert_num_queries, count
    ):
        authority = OrganisationFactory(kind=OrganisationKind.LOCAL_AUTHORITY)
        force = OrganisationFactory(kind=OrganisationKind.POLICE_FORCE)
        manager = make_user(Role.SERVICE_MANAGER, organisation=authority)
        social_worker = make_user(Role.SOCIAL_WORKER, organisation=authority)
        from apps.homes.services import home_create

        home = home_create(
            actor=manager,
            name="Home",
            ofsted_urn="SC777777",
            operator=authority,
            host_authority=authority,
            police_force=force,
            address_line_1="1 Street",
            town="Town",
            postcode="NE1 8AA",
            capacity=30,
        )
        place_children(home=home, count=count, actor=social_worker, placer=manager)
        client = signed_in(manager)
        # 1 session, 2 user, 3 two-factor device, 4 count for the paginator, 5 the page of
        # children with authority and social worker, 6 their current placements with homes,
        # 7 the signed-in user's organisation (user bar), 8 the user's unread alerts (the
        # header's count), 9-11 savepoint, session update, release (the session is saved on
        # every request).
        with django_assert_num_queries(11):
            response = client.get(self.url)
        assert body(response).count("Out of area") == 0
        assert body(response).count(">Home<") == count


# The record's tabs ---------------------------------------------------------------------------

TABS = [
    ("", AccessLogKind.RECORD),
    ("profile/", AccessLogKind.PROFILE),
    ("placements/", AccessLogKind.RECORD),
    ("history/", AccessLogKind.HISTORY),
]


class TestRecordTabs:
    @pytest.mark.parametrize(("tab", "kind"), TABS)
    def test_it_requires_sign_in(self, world, client, tab, kind):
        url = f"/children/{world.children['a1'].pk}/{tab}"
        assert_redirects_to_sign_in(client.get(url), url)
        assert not AccessLog.objects.exists()

    @pytest.mark.parametrize(("tab", "kind"), TABS)
    @pytest.mark.parametrize("who", ["cw_b1", "police_1", "admin", "ri", "sm_b"])
    def test_it_is_missing_for_a_user_who_cannot_see_the_child(
        self, world, signed_in, tab, kind, who
    ):
        url = f"/children/{world.children['a1'].pk}/{tab}"
        assert signed_in(world.users[who]).get(url).status_code == 404
        assert not AccessLog.objects.exists()

    @pytest.mark.parametrize(("tab", "kind"), TABS)
    @pytest.mark.parametrize("who", ["cw_a1", "hm_a1", "sw_a", "sm_a"])
    def test_each_view_is_written_to_the_access_log(self, world, signed_in, tab, kind, who):
        child, user = world.children["a1"], world.users[who]
        url = f"/children/{child.pk}/{tab}"
        response = signed_in(user).get(url)
        assert response.status_code == 200
        assert "ChildA1 Test" in body(response)
        assert 'aria-current="page"' in body(response)
        entry = AccessLog.objects.get()
        assert (entry.user, entry.child, entry.kind, entry.path) == (user, child, kind, url)

    def test_the_tab_of_the_page_is_marked_current(self, world, signed_in):
        child = world.children["a1"]
        html = body(signed_in(world.users["sw_a"]).get(f"/children/{child.pk}/history/"))
        assert f'href="/children/{child.pk}/history/" aria-current="page"' in html
        assert f'href="/children/{child.pk}/" aria-current' not in html
        # Only service managers see who viewed the record.
        assert f"/children/{child.pk}/viewed/" not in html
        html = body(signed_in(world.users["sm_a"]).get(f"/children/{child.pk}/"))
        assert f'href="/children/{child.pk}/viewed/"' in html


class TestSummary:
    def url(self, child):
        return f"/children/{child.pk}/"

    def test_it_shows_the_child(self, world, signed_in):
        a2 = world.children["a2"]
        with time_machine.travel(datetime(2026, 5, 17, 12, tzinfo=LONDON)):
            html = body(signed_in(world.users["sw_a"]).get(self.url(a2)))
        for text in [
            "ChildA2 Test",
            "17 May 2010 (age 16)",
            "Male",
            "Information not yet obtained",
            "IDA2",
            "Authority A",
            world.users["sw_a"].full_name,
            "Home B1, Testbury",
            "since 10 Jan 2024",
            "Out of area",
        ]:
            assert text in html, text

    def test_a_child_with_no_photo_and_no_review_gets_both_warnings(self, world, signed_in):
        html = body(signed_in(world.users["sw_a"]).get(self.url(world.children["a1"])))
        assert "There is no photo of ChildA1 Test" in html
        assert "The Philomena profile has never been reviewed." in html
        assert "No photo" in html

    def test_old_photos_and_old_reviews_are_warned_about(self, world, signed_in, photo_storage):
        child, sw = world.children["a1"], world.users["sw_a"]
        long_ago = timezone.now() - timedelta(days=95)
        with time_machine.travel(long_ago):
            services.profile_update(actor=sw, child=child, expected_version=1)
        services.child_photo_set(
            actor=sw, child=child, photo=png_upload(), taken_on=long_ago.date()
        )
        html = body(signed_in(sw).get(self.url(child)))
        assert "The photo is more than 90 days old" in html
        assert "The Philomena profile was last reviewed more than 90 days ago" in html

    def test_a_recent_photo_and_review_give_no_warning(self, world, signed_in, photo_storage):
        child, sw = world.children["a1"], world.users["sw_a"]
        services.profile_update(actor=sw, child=child, expected_version=1)
        services.child_photo_set(
            actor=sw, child=child, photo=png_upload(), taken_on=timezone.localdate()
        )
        html = body(signed_in(sw).get(self.url(child)))
        assert "govuk-warning-text__text" not in html.split('id="main-content"')[1]
        assert f'src="/children/{child.pk}/photo/?v=' in html
        assert 'alt="Photo of ChildA1 Test"' in html
        assert f"Taken on {timezone.localdate():%-d %b %Y}" in html

    def test_buttons_follow_what_the_user_may_do(self, world, signed_in):
        child = world.children["a1"]
        edit, allocate = f"/children/{child.pk}/edit/", f"/children/{child.pk}/allocate/"
        police, photo = f"/children/{child.pk}/police-access/", f"/children/{child.pk}/photo/edit/"
        manager = body(signed_in(world.users["sm_a"]).get(self.url(child)))
        assert all(link in manager for link in [edit, allocate, police, photo])
        social_worker = body(signed_in(world.users["sw_a"]).get(self.url(child)))
        assert all(link in social_worker for link in [edit, police, photo])
        assert allocate not in social_worker
        carer = body(signed_in(world.users["cw_a1"]).get(self.url(child)))
        assert photo in carer
        assert not any(link in carer for link in [edit, allocate, police])


class TestProfileTab:
    def test_it_shows_the_profile_associates_and_places(self, world, signed_in):
        child, cw = world.children["a1"], world.users["cw_a1"]
        services.profile_update(
            actor=cw,
            child=child,
            expected_version=1,
            height="160 cm",
            phone_numbers="07700 900000\n07700 900001",
            vulnerabilities="Risk of exploitation",
        )
        services.associate_add(actor=cw, child=child, name="Jay", is_concern=True)
        services.associate_add(actor=cw, child=child, name="Sam", relationship="Friend")
        services.place_add(actor=cw, child=child, name="Bus station", why="Meets friends")
        html = body(signed_in(world.users["sw_a"]).get(f"/children/{child.pk}/profile/"))
        for text in ["160 cm", "07700 900001", "Risk of exploitation", "Jay", "Friend"]:
            assert text in html
        assert "Bus station" in html
        assert html.count("Concern</strong>") == 1
        assert f"Last reviewed {timezone.localdate():%-d %b %Y}" in html
        assert f"by {cw.full_name}" in html

    def test_a_profile_never_reviewed_says_so(self, world, signed_in):
        child = world.children["a1"]
        html = body(signed_in(world.users["sw_a"]).get(f"/children/{child.pk}/profile/"))
        assert "This profile has never been reviewed." in html
        assert "No associates recorded." in html


class TestPlacementsTab:
    def test_it_lists_placements_newest_first(self, world, signed_in):
        child, sw = world.children["a1"], world.users["sw_a"]
        services.placement_start(
            actor=sw, child=child, home=world.homes["P1"], start_date=date(2025, 3, 1)
        )
        html = body(signed_in(sw).get(f"/children/{child.pk}/placements/"))
        assert html.index("Home P1") < html.index("Home A1")
        assert "1 Mar 2025" in html
        assert "Current</strong>" in html
        current = Placement.objects.get(child=child, end_date__isnull=True)
        assert f"/children/{child.pk}/placements/{current.pk}/end/" in html

    def test_only_case_holders_may_change_placements(self, world, signed_in):
        child = world.children["a1"]
        html = body(signed_in(world.users["cw_a1"]).get(f"/children/{child.pk}/placements/"))
        assert "/placements/new/" not in html
        assert "/end/" not in html


class TestHistoryTab:
    def test_it_shows_who_changed_what_and_when_in_uk_time(self, world, signed_in):
        child, sw = world.children["a1"], world.users["sw_a"]
        # 13:05 UTC in July is 2:05pm British Summer Time.
        with time_machine.travel(datetime(2027, 7, 1, 13, 5, tzinfo=ZoneInfo("UTC"))):
            services.child_update(
                actor=sw, child=child, expected_version=child.version, first_name="Alexa"
            )
        html = body(signed_in(sw).get(f"/children/{child.pk}/history/"))
        assert "1 Jul 2027, 2:05pm" in html
        assert sw.full_name in html
        assert "First name: ChildA1" in html
        assert "Alexa" in html
        assert "Created" in html


class TestAccessLogTab:
    def url(self, child):
        return f"/children/{child.pk}/viewed/"

    @pytest.mark.parametrize("who", ["sw_a", "cw_a1", "hm_a1", "sm_b"])
    def test_it_is_missing_for_everyone_but_a_service_manager_who_sees_the_child(
        self, world, signed_in, who
    ):
        assert signed_in(world.users[who]).get(self.url(world.children["a1"])).status_code == 404

    def test_a_service_manager_sees_who_viewed_the_record(self, world, signed_in):
        child, carer = world.children["a1"], world.users["cw_a1"]
        signed_in(carer).get(f"/children/{child.pk}/profile/")
        manager = world.users["sm_a"]
        response = signed_in(manager).get(self.url(child))
        html = body(response)
        assert carer.full_name in html
        assert "Philomena profile" in html
        assert logged(manager, child, AccessLogKind.RECORD) == 1

    def test_it_pages_50_at_a_time(self, world, signed_in):
        child, manager = world.children["a1"], world.users["sm_a"]
        AccessLog.objects.bulk_create(
            AccessLog(user=manager, child=child, kind="record", viewed_at=timezone.now())
            for _ in range(60)
        )
        client = signed_in(manager)
        assert 'href="?page=2"' in body(client.get(self.url(child)))
        second = body(client.get(self.url(child), {"page": 2}))
        # 60 views, plus the two of this page itself: 12 rows on page 2, after the heading row.
        assert second.count('<tr class="govuk-table__row">') == 1 + 12


# Photo ---------------------------------------------------------------------------------------


class TestPhoto:
    def url(self, child):
        return f"/children/{child.pk}/photo/"

    @pytest.fixture
    def with_photo(self, world, photo_storage):
        child = world.children["a1"]
        services.child_photo_set(
            actor=world.users["sw_a"], child=child, photo=png_upload(), taken_on=date(2026, 1, 2)
        )
        return child

    @pytest.mark.parametrize("who", ["cw_b1", "police_1", "admin", "sm_b"])
    def test_it_is_missing_for_a_user_who_cannot_see_the_child(
        self, world, with_photo, signed_in, who
    ):
        response = signed_in(world.users[who]).get(self.url(with_photo))
        assert response.status_code == 404
        assert b"\x89PNG" not in response.content
        assert not AccessLog.objects.filter(kind=AccessLogKind.PHOTO).exists()

    @pytest.mark.parametrize("who", ["cw_a1", "sw_a", "sm_a"])
    def test_it_serves_the_bytes_privately_to_those_who_may_see_the_child(
        self, world, with_photo, signed_in, who
    ):
        response = signed_in(world.users[who]).get(self.url(with_photo))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert response["Cache-Control"] == "private, no-store"
        assert b"".join(response.streaming_content) == png_bytes()
        assert logged(world.users[who], with_photo, AccessLogKind.PHOTO) == 1

    def test_it_is_missing_when_there_is_no_photo(self, world, signed_in):
        assert signed_in(world.users["sw_a"]).get(self.url(world.children["a1"])).status_code == 404


# The child record ----------------------------------------------------------------------------


class TestChildCreate:
    url = "/children/new/"

    @pytest.mark.parametrize("who", ["cw_a1", "hm_a1", "police_1", "admin", "ri"])
    def test_it_is_missing_for_those_who_may_not_add_children(self, world, signed_in, who):
        client = signed_in(world.users[who])
        assert client.get(self.url).status_code == 404
        assert client.post(self.url, child_data()).status_code == 404
        assert not Child.objects.filter(child_id="NEW001").exists()

    def test_the_form_uses_the_govuk_date_input(self, world, signed_in):
        html = body(signed_in(world.users["sw_a"]).get(self.url))
        assert (
            '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Date of birth' in html
        )
        for part, label in [("0", "Day"), ("1", "Month"), ("2", "Year")]:
            assert f'for="id_date_of_birth_{part}">{label}</label>' in html
        assert 'name="date_of_birth_year"' in html

    def test_a_social_worker_adds_a_child_allocated_to_them(self, world, signed_in):
        sw = world.users["sw_a"]
        response = signed_in(sw).post(self.url, child_data(), follow=True)
        child = Child.objects.get(child_id="NEW001")
        assert response.redirect_chain == [(f"/children/{child.pk}/", 302)]
        assert "Alex Morgan has been added." in body(response)
        assert child.date_of_birth == date(2011, 4, 2)
        assert child.placing_authority == world.orgs["A"]
        assert child.allocated_social_worker == sw

    def test_bad_input_is_shown_and_nothing_is_saved(self, world, signed_in):
        response = signed_in(world.users["sw_a"]).post(
            self.url,
            child_data(first_name="", sex="", date_of_birth_month="", date_of_birth_day="31"),
        )
        assert response.status_code == 200
        html = body(response)
        assert "There is a problem" in html
        assert 'href="#id_first_name">Enter the child&#x27;s first name' in html
        assert 'href="#id_sex_0">Select the child&#x27;s sex' in html
        assert 'href="#id_date_of_birth_0">Date of birth must include a month' in html
        assert 'name="date_of_birth_day" value="31"' in html  # what was typed is kept
        assert not Child.objects.filter(child_id="NEW001").exists()

    def test_every_error_summary_link_lands_on_an_element_of_the_page(self, world, signed_in):
        # A radio error (sex) and a date error (date of birth): neither field has an element
        # with the field's own id, so each must link to its first radio and its day box.
        response = signed_in(world.users["sw_a"]).post(
            self.url, child_data(sex="", date_of_birth_year="")
        )
        html = body(response)
        summary = re.search(r'<div class="govuk-error-summary".*?</ul>', html, re.S).group(0)
        links = re.findall(r'href="#([^"]+)"', summary)
        assert links == ["id_date_of_birth_0", "id_sex_0"]
        ids = set(re.findall(r'\sid="([^"]+)"', html))
        assert set(links) <= ids
        # ...and those elements are the first radio and the day box.
        first_radio = re.search(r'<input[^>]*id="id_sex_0"[^>]*>', html).group(0)
        assert 'type="radio"' in first_radio
        day = re.search(r'<input[^>]*id="id_date_of_birth_0"[^>]*>', html).group(0)
        assert 'name="date_of_birth_day"' in day

    def test_an_impossible_date_is_not_a_real_date(self, world, signed_in):
        response = signed_in(world.users["sw_a"]).post(
            self.url,
            child_data(
                **date_fields("date_of_birth", date(2011, 2, 1)) | {"date_of_birth_day": "30"}
            ),
        )
        assert "Date of birth must be a real date" in body(response)

    def test_a_rule_the_service_enforces_is_shown_on_its_field(self, world, signed_in):
        response = signed_in(world.users["sw_a"]).post(self.url, child_data(child_id="IDA1"))
        assert response.status_code == 200
        assert 'href="#id_child_id">Another child of this authority already has this ID' in body(
            response
        )
        assert Child.objects.filter(child_id__iexact="IDA1").count() == 1

    def test_a_date_of_birth_in_the_future_is_refused(self, world, signed_in):
        tomorrow = timezone.localdate() + timedelta(days=1)
        response = signed_in(world.users["sm_a"]).post(
            self.url, child_data(**date_fields("date_of_birth", tomorrow))
        )
        assert "Date of birth must be today or in the past" in body(response)
        assert not Child.objects.filter(child_id="NEW001").exists()


class TestChildEdit:
    def url(self, child):
        return f"/children/{child.pk}/edit/"

    def test_it_is_missing_for_a_user_who_cannot_see_the_child(self, world, signed_in):
        child = world.children["b1"]
        client = signed_in(world.users["sw_a"])
        assert client.get(self.url(child)).status_code == 404
        assert client.post(self.url(child), edit_data(child, first_name="X")).status_code == 404

    @pytest.mark.parametrize("who", ["cw_a1", "hm_a1"])
    def test_care_staff_may_not_edit_the_record(self, world, signed_in, who):
        child = world.children["a1"]
        client = signed_in(world.users[who])
        assert client.get(self.url(child)).status_code == 404
        assert client.post(self.url(child), edit_data(child, first_name="X")).status_code == 404
        child.refresh_from_db()
        assert (child.first_name, child.version) == ("ChildA1", 1)

    def test_the_social_worker_edits_the_record(self, world, signed_in):
        child = world.children["a1"]
        client = signed_in(world.users["sw_a"])
        html = body(client.get(self.url(child)))
        assert 'name="date_of_birth_day" value="17"' in html
        response = client.post(self.url(child), edit_data(child, preferred_name="Lex"), follow=True)
        assert response.redirect_chain == [(f"/children/{child.pk}/", 302)]
        assert "details have been updated" in body(response)
        child.refresh_from_db()
        assert (child.preferred_name, child.version) == ("Lex", 2)

    def test_bad_input_is_shown_and_nothing_is_saved(self, world, signed_in):
        child = world.children["a1"]
        response = signed_in(world.users["sw_a"]).post(
            self.url(child), edit_data(child, last_name="", date_of_birth_year="20")
        )
        assert response.status_code == 200
        html = body(response)
        assert "There is a problem" in html
        assert "Date of birth must be a real date" in html
        child.refresh_from_db()
        assert (child.last_name, child.version) == ("Test", 1)

    def test_a_stale_edit_names_who_changed_it_and_overwrites_nothing(self, world, signed_in):
        child = world.children["a1"]
        loaded = edit_data(child)
        manager = world.users["sm_a"]
        services.child_update(actor=manager, child=child, expected_version=1, last_name="Newer")
        response = signed_in(world.users["sw_a"]).post(
            self.url(child), {**loaded, "preferred_name": "Typed"}
        )
        assert response.status_code == 200
        html = body(response)
        assert "There is a problem" in html
        assert f"{manager.full_name} changed this record at" in html
        assert 'value="Typed"' in html
        assert "Newer" in html  # the latest saved version is shown
        assert 'name="version" value="2"' in html
        child.refresh_from_db()
        assert (child.last_name, child.preferred_name, child.version) == ("Newer", "", 2)

    def test_a_get_writes_the_access_log(self, world, signed_in):
        child, sw = world.children["a1"], world.users["sw_a"]
        signed_in(sw).get(self.url(child))
        assert logged(sw, child, AccessLogKind.RECORD) == 1


class TestPhotoEdit:
    def url(self, child):
        return f"/children/{child.pk}/photo/edit/"

    def test_it_is_missing_for_those_who_may_not_keep_the_profile(self, world, signed_in):
        assert (
            signed_in(world.users["cw_a1"]).get(self.url(world.children["b1"])).status_code == 404
        )
        # sm_b sees a2 (placed in its home) but is not its case holder.
        assert signed_in(world.users["sm_b"]).get(self.url(world.children["a2"])).status_code == 404

    def test_a_care_worker_uploads_a_photo(self, world, signed_in, photo_storage):
        child = world.children["a1"]
        client = signed_in(world.users["cw_a1"])
        assert 'enctype="multipart/form-data"' in body(client.get(self.url(child)))
        response = client.post(
            self.url(child),
            {"photo": png_upload(), **date_fields("photo_taken_on", date(2026, 1, 5))},
        )
        assert response.status_code == 302
        child.refresh_from_db()
        assert child.photo_taken_on == date(2026, 1, 5)
        assert child.photo.read() == png_bytes()

    def test_a_file_that_is_not_a_photo_is_refused(self, world, signed_in, photo_storage):
        child = world.children["a1"]
        fake = SimpleUploadedFile("face.png", b"<script>alert(1)</script>", "image/png")
        response = signed_in(world.users["cw_a1"]).post(
            self.url(child), {"photo": fake, **date_fields("photo_taken_on", date(2026, 1, 5))}
        )
        assert response.status_code == 200
        assert "The selected file must be a JPEG or PNG photo" in body(response)
        child.refresh_from_db()
        assert not child.photo

    def test_a_missing_photo_and_date_are_named(self, world, signed_in):
        response = signed_in(world.users["cw_a1"]).post(self.url(world.children["a1"]), {})
        html = body(response)
        assert "Select a photo" in html
        assert "Enter the date the photo was taken" in html


# Philomena profile ---------------------------------------------------------------------------


class TestProfileEdit:
    def url(self, child):
        return f"/children/{child.pk}/profile/edit/"

    def test_it_is_missing_for_those_who_may_not_keep_the_profile(self, world, signed_in):
        assert (
            signed_in(world.users["cw_a1"]).get(self.url(world.children["b1"])).status_code == 404
        )
        assert signed_in(world.users["sm_b"]).get(self.url(world.children["a2"])).status_code == 404

    def test_a_care_worker_updates_and_reviews_the_profile(self, world, signed_in):
        child, cw = world.children["a1"], world.users["cw_a1"]
        client = signed_in(cw)
        assert logged(cw, child, AccessLogKind.PROFILE) == 0
        client.get(self.url(child))
        assert logged(cw, child, AccessLogKind.PROFILE) == 1
        response = client.post(self.url(child), {"version": "1", "hair": "Short, brown"})
        assert response.status_code == 302
        assert response["Location"] == f"/children/{child.pk}/profile/"
        profile = child.profile
        profile.refresh_from_db()
        assert (profile.hair, profile.version, profile.last_reviewed_by) == ("Short, brown", 2, cw)

    def test_bad_input_is_shown_and_nothing_is_saved(self, world, signed_in):
        child = world.children["a1"]
        response = signed_in(world.users["cw_a1"]).post(
            self.url(child), {"version": "1", "height": "x" * 51}
        )
        assert response.status_code == 200
        assert "There is a problem" in body(response)
        child.profile.refresh_from_db()
        assert child.profile.version == 1

    def test_a_tampered_version_is_reported_in_the_summary(self, world, signed_in):
        response = signed_in(world.users["cw_a1"]).post(
            self.url(world.children["a1"]), {"version": "abc", "hair": "Red"}
        )
        assert "This page is out of date" in body(response)

    def test_a_stale_edit_names_who_changed_it_and_overwrites_nothing(self, world, signed_in):
        child = world.children["a1"]
        manager = world.users["hm_a1"]
        services.profile_update(actor=manager, child=child, expected_version=1, eyes="Green")
        response = signed_in(world.users["cw_a1"]).post(
            self.url(child), {"version": "1", "eyes": "Blue"}
        )
        assert response.status_code == 200
        html = body(response)
        assert f"{manager.full_name} changed this record at" in html
        assert "Blue" in html
        assert "Green" in html
        child.profile.refresh_from_db()
        assert (child.profile.eyes, child.profile.version) == ("Green", 2)


class TestAssociatesAndPlaces:
    def test_a_care_worker_adds_changes_and_removes_an_associate(self, world, signed_in):
        child = world.children["a1"]
        client = signed_in(world.users["cw_a1"])
        response = client.post(
            f"/children/{child.pk}/associates/new/",
            {"name": "Jay", "relationship": "Older friend", "is_concern": "on"},
            follow=True,
        )
        assert response.redirect_chain == [(f"/children/{child.pk}/profile/", 302)]
        assert "Jay has been added." in body(response)
        associate = Associate.objects.get()
        assert associate.is_concern
        edit = f"/children/{child.pk}/associates/{associate.pk}/edit/"
        assert 'value="Older friend"' in body(client.get(edit))
        client.post(edit, {"name": "Jay B", "relationship": "Older friend"})
        associate.refresh_from_db()
        assert (associate.name, associate.is_concern) == ("Jay B", False)
        remove = f"/children/{child.pk}/associates/{associate.pk}/remove/"
        assert client.get(remove).status_code == 405
        assert client.post(remove).status_code == 302
        assert not Associate.objects.exists()

    def test_an_associate_needs_a_name(self, world, signed_in):
        child = world.children["a1"]
        response = signed_in(world.users["cw_a1"]).post(
            f"/children/{child.pk}/associates/new/", {"relationship": "Friend"}
        )
        assert response.status_code == 200
        assert "Enter the person&#x27;s name" in body(response)
        assert not Associate.objects.exists()

    def test_another_childs_items_are_missing_through_this_child(self, world, signed_in):
        sw = world.users["sw_a"]
        theirs = services.associate_add(actor=sw, child=world.children["a2"], name="Other")
        place = services.place_add(actor=sw, child=world.children["a2"], name="Park")
        mine = world.children["a1"]
        client = signed_in(world.users["cw_a1"])  # sees a1 only
        assert client.get(f"/children/{mine.pk}/associates/{theirs.pk}/edit/").status_code == 404
        assert client.post(f"/children/{mine.pk}/associates/{theirs.pk}/remove/").status_code == 404
        assert client.post(f"/children/{mine.pk}/places/{place.pk}/remove/").status_code == 404
        assert Associate.objects.filter(pk=theirs.pk).exists()
        assert Place.objects.filter(pk=place.pk).exists()

    def test_those_who_may_not_keep_the_profile_cannot_add(self, world, signed_in):
        child = world.children["a2"]
        client = signed_in(world.users["sm_b"])  # sees a2, not its case holder
        assert client.get(f"/children/{child.pk}/places/new/").status_code == 404
        assert client.post(f"/children/{child.pk}/places/new/", {"name": "X"}).status_code == 404
        assert not Place.objects.exists()

    def test_a_social_worker_adds_changes_and_removes_a_place(self, world, signed_in):
        child = world.children["a1"]
        client = signed_in(world.users["sw_a"])
        client.post(f"/children/{child.pk}/places/new/", {"name": "Bus station", "why": "Meets"})
        place = Place.objects.get()
        client.post(f"/children/{child.pk}/places/{place.pk}/edit/", {"name": "Coach station"})
        place.refresh_from_db()
        assert place.name == "Coach station"
        response = client.post(f"/children/{child.pk}/places/{place.pk}/remove/", follow=True)
        assert "Coach station has been removed." in body(response)
        assert not Place.objects.exists()


# Placements ----------------------------------------------------------------------------------


class TestPlacementAdd:
    def url(self, child):
        return f"/children/{child.pk}/placements/new/"

    @pytest.mark.parametrize("who", ["cw_a1", "hm_a1"])
    def test_care_staff_may_not_place_children(self, world, signed_in, who):
        child = world.children["a1"]
        client = signed_in(world.users[who])
        assert client.get(self.url(child)).status_code == 404
        data = {"home": world.homes["P1"].pk, **date_fields("start_date", date(2025, 1, 1))}
        assert client.post(self.url(child), data).status_code == 404
        assert Placement.objects.filter(child=child).count() == 1

    def test_a_social_worker_places_a_child_in_any_open_home(self, world, signed_in):
        child, home = world.children["ax"], world.homes["B2"]  # sw_a cannot see home B2
        client = signed_in(world.users["sw_a"])
        form = client.get(self.url(child)).context["form"]
        assert set(form.fields["home"].queryset) == set(world.homes.values())
        response = client.post(
            self.url(child), {"home": home.pk, **date_fields("start_date", date(2025, 6, 1))}
        )
        assert response.status_code == 302
        assert response["Location"] == f"/children/{child.pk}/placements/"
        placement = Placement.objects.get(child=child)
        assert (placement.home, placement.start_date) == (home, date(2025, 6, 1))

    def test_a_closed_home_cannot_be_chosen(self, world, signed_in):
        from apps.homes.services import home_update

        home = world.homes["B2"]
        home_update(actor=world.users["admin"], home=home, expected_version=1, is_active=False)
        child = world.children["ax"]
        response = signed_in(world.users["sm_a"]).post(
            self.url(child), {"home": home.pk, **date_fields("start_date", date(2025, 6, 1))}
        )
        assert response.status_code == 200
        assert "Choose a home from the list" in body(response)
        assert not Placement.objects.filter(child=child).exists()

    def test_a_start_before_birth_is_refused_by_the_service(self, world, signed_in):
        child = world.children["ax"]
        response = signed_in(world.users["sw_a"]).post(
            self.url(child),
            {"home": world.homes["A1"].pk, **date_fields("start_date", date(2009, 1, 1))},
        )
        assert response.status_code == 200
        assert 'href="#id_start_date_0">The start date must be after' in body(response)
        assert not Placement.objects.filter(child=child).exists()


class TestPlacementEnd:
    def url(self, child, placement):
        return f"/children/{child.pk}/placements/{placement.pk}/end/"

    def current(self, child):
        return Placement.objects.get(child=child, end_date__isnull=True)

    def test_care_staff_may_not_end_a_placement(self, world, signed_in):
        child = world.children["a1"]
        placement = self.current(child)
        response = signed_in(world.users["hm_a1"]).post(
            self.url(child, placement),
            {"version": "1", **date_fields("end_date", date(2025, 1, 1))},
        )
        assert response.status_code == 404
        placement.refresh_from_db()
        assert placement.end_date is None

    def test_another_childs_placement_is_missing_through_this_child(self, world, signed_in):
        child, other = world.children["a1"], world.children["a2"]
        url = self.url(child, self.current(other))
        assert signed_in(world.users["sw_a"]).get(url).status_code == 404

    def test_the_social_worker_ends_the_placement(self, world, signed_in):
        child = world.children["a1"]
        placement = self.current(child)
        client = signed_in(world.users["sw_a"])
        assert 'name="version" value="1"' in body(client.get(self.url(child, placement)))
        response = client.post(
            self.url(child, placement),
            {"version": "1", **date_fields("end_date", date(2025, 1, 1))},
            follow=True,
        )
        assert "The placement at Home A1 has ended." in body(response)
        placement.refresh_from_db()
        assert (placement.end_date, placement.version) == (date(2025, 1, 1), 2)

    def test_a_stale_end_names_who_changed_it_and_overwrites_nothing(self, world, signed_in):
        child = world.children["a1"]
        placement = self.current(child)
        manager = world.users["sm_a"]
        services.placement_end(
            actor=manager, placement=placement, end_date=date(2024, 6, 1), expected_version=1
        )
        response = signed_in(world.users["sw_a"]).post(
            self.url(child, placement),
            {"version": "1", **date_fields("end_date", date(2025, 1, 1))},
        )
        assert response.status_code == 200
        html = body(response)
        assert f"{manager.full_name} changed this record at" in html
        assert "1 Jun 2024" in html  # the saved end date is shown
        placement.refresh_from_db()
        assert placement.end_date == date(2024, 6, 1)

    def test_an_end_before_the_start_is_refused(self, world, signed_in):
        child = world.children["a1"]
        placement = self.current(child)
        response = signed_in(world.users["sw_a"]).post(
            self.url(child, placement),
            {"version": "1", **date_fields("end_date", date(2023, 1, 1))},
        )
        assert "The end date must be on or after the start date" in body(response)
        placement.refresh_from_db()
        assert placement.end_date is None


# Allocation and police access ----------------------------------------------------------------


class TestAllocate:
    def url(self, child):
        return f"/children/{child.pk}/allocate/"

    @pytest.mark.parametrize("who", ["sw_a", "cw_a1", "sm_b"])
    def test_only_a_service_manager_of_the_placing_authority_may_allocate(
        self, world, signed_in, who
    ):
        child = world.children["a2"]
        assert signed_in(world.users[who]).get(self.url(child)).status_code == 404

    def test_a_service_manager_allocates_a_social_worker(self, world, signed_in):
        child = world.children["a1"]
        newcomer = make_user(Role.SOCIAL_WORKER, organisation=world.orgs["A"])
        client = signed_in(world.users["sm_a"])
        candidates = set(
            client.get(self.url(child)).context["form"].fields["social_worker"].queryset
        )
        assert candidates == {world.users["sw_a"], newcomer}
        response = client.post(self.url(child), {"social_worker": newcomer.pk}, follow=True)
        assert f"is allocated to {newcomer.full_name}" in body(response)
        child.refresh_from_db()
        assert child.allocated_social_worker == newcomer
        # The previous social worker's access moved with the allocation.
        assert signed_in(world.users["sw_a"]).get(f"/children/{child.pk}/").status_code == 404

    def test_a_social_worker_of_another_authority_cannot_be_chosen(self, world, signed_in):
        child = world.children["a1"]
        response = signed_in(world.users["sm_a"]).post(
            self.url(child), {"social_worker": world.users["sw_b"].pk}
        )
        assert response.status_code == 200
        assert "Choose a social worker from the list" in body(response)
        child.refresh_from_db()
        assert child.allocated_social_worker == world.users["sw_a"]


class TestPoliceAccess:
    def url(self, child):
        return f"/children/{child.pk}/police-access/"

    def grant_data(self, world, **overrides):
        ends = timezone.localdate() + timedelta(days=7)
        data = {
            "officer": world.users["police_1"].pk,
            "reason": "Child missing from Home A1",
            **date_fields("expires_at", ends),
        }
        data.update(overrides)
        return data

    @pytest.mark.parametrize("who", ["cw_a1", "hm_a1", "police_1", "sm_b"])
    def test_it_is_missing_for_those_who_may_not_grant_access(self, world, signed_in, who):
        child = world.children["a2"]
        client = signed_in(world.users[who])
        assert client.get(self.url(child)).status_code == 404
        assert client.post(self.url(child), self.grant_data(world)).status_code == 404
        assert not ChildUserObjectPermission.objects.filter(expires_at__isnull=False).exists()

    def test_the_default_expiry_is_in_seven_days(self, world, signed_in):
        html = body(signed_in(world.users["sw_a"]).get(self.url(world.children["a1"])))
        ends = timezone.localdate() + timedelta(days=7)
        assert f'name="expires_at_day" value="{ends.day}"' in html
        assert "No police officers have access to this record now." in html

    def test_a_social_worker_grants_and_revokes_police_access(self, world, signed_in):
        child, officer = world.children["a1"], world.users["police_1"]
        assert signed_in(officer).get(f"/children/{child.pk}/").status_code == 404
        client = signed_in(world.users["sw_a"])
        response = client.post(self.url(child), self.grant_data(world), follow=True)
        assert f"{officer.full_name} can see ChildA1 Test" in body(response)
        grant = ChildUserObjectPermission.objects.get(user=officer)
        ends = timezone.localdate() + timedelta(days=8)
        assert timezone.localtime(grant.expires_at) == datetime(
            ends.year, ends.month, ends.day, tzinfo=LONDON
        )
        assert "Child missing from Home A1" in body(client.get(self.url(child)))
        assert signed_in(officer).get(f"/children/{child.pk}/").status_code == 200
        revoke = f"/children/{child.pk}/police-access/{grant.pk}/revoke/"
        assert signed_in(officer).post(revoke).status_code == 404
        assert signed_in(world.users["sw_a"]).post(revoke).status_code == 302
        assert signed_in(officer).get(f"/children/{child.pk}/").status_code == 404

    def test_the_social_workers_own_grant_cannot_be_revoked_here(self, world, signed_in):
        child = world.children["a1"]
        own = ChildUserObjectPermission.objects.get(user=world.users["sw_a"], content_object=child)
        response = signed_in(world.users["sm_a"]).post(
            f"/children/{child.pk}/police-access/{own.pk}/revoke/"
        )
        assert response.status_code == 404
        assert ChildUserObjectPermission.objects.filter(pk=own.pk).exists()

    def test_bad_input_is_shown_and_nothing_is_granted(self, world, signed_in):
        child = world.children["a1"]
        far = timezone.localdate() + timedelta(days=120)
        response = signed_in(world.users["sw_a"]).post(
            self.url(child), self.grant_data(world, reason="", **date_fields("expires_at", far))
        )
        assert response.status_code == 200
        assert "Enter why the officer needs to see this child&#x27;s record" in body(response)
        response = signed_in(world.users["sw_a"]).post(
            self.url(child), self.grant_data(world, **date_fields("expires_at", far))
        )
        assert 'href="#id_expires_at_0">Access can be granted for 90 days at most' in body(response)
        assert not ChildUserObjectPermission.objects.filter(user=world.users["police_1"]).exists()


class TestChildStatusAndHeaderSearch:
    """The header's search box sends `q` to the children list: scoped, with each child's status."""

    url = "/children/"

    def test_search_by_id_never_finds_a_child_out_of_scope(self, world, signed_in):
        client = signed_in(world.users["cw_a1"])
        for q in (world.children["b1"].child_id, "ChildB1", "Child"):
            page = body(client.get(self.url, {"q": q}))
            for key in ("b1", "a2"):  # the search term is echoed; the child's link never is
                assert f'href="/children/{world.children[key].pk}/"' not in page
        assert "ChildA1" in body(client.get(self.url, {"q": world.children["a1"].child_id}))

    def test_a_child_missing_now_shows_missing_since_on_the_list_and_the_home(
        self, world, signed_in
    ):
        from apps.episodes import services as episodes

        episodes.episode_open(
            actor=world.users["cw_a1"],
            child=world.children["a1"],
            kind="A",
            last_seen_at=timezone.now() - timedelta(hours=1),
            last_seen_where="Park",
        )
        client = signed_in(world.users["cw_a1"])
        listed = body(client.get(self.url, {"q": "ChildA1"}))
        assert 'data-testid="child-status">Away</strong>' in listed and "since " in listed
        home = body(client.get(f"/homes/{world.homes['A1'].pk}/"))
        assert 'data-testid="child-status">Away</strong>' in home
        assert 'data-testid="header-search"' in home

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.utils import timezone

from apps.children import services
from apps.children.models import Associate, Child, Placement
from apps.core.errors import ApplicationError, StaleVersionError

pytestmark = pytest.mark.django_db


def fields_of(error) -> set[str]:
    return set(error.value.fields)


class TestChildren:
    def test_child_ids_are_unique_within_an_authority_only(self, world):
        sw_a, sw_b = world.users["sw_a"], world.users["sw_b"]
        with pytest.raises(ApplicationError) as error:
            services.child_create(
                actor=sw_a,
                first_name="X",
                last_name="Y",
                date_of_birth=date(2012, 1, 1),
                sex="2",
                child_id="ida1",
            )
        assert error.value.fields == {
            "child_id": ["Another child of this authority already has this ID"]
        }
        other = services.child_create(
            actor=sw_b,
            first_name="X",
            last_name="Y",
            date_of_birth=date(2012, 1, 1),
            sex="2",
            child_id="IDA1",
        )
        assert other.placing_authority == world.orgs["B"]

    def test_a_social_worker_who_adds_a_child_is_allocated_to_them(self, world):
        sw = world.users["sw_a"]
        child = services.child_create(
            actor=sw,
            first_name="New",
            last_name="Child",
            date_of_birth=date(2013, 2, 3),
            sex="1",
            child_id="NEW1",
        )
        assert child.allocated_social_worker == sw
        assert child.profile.pk is not None

    def test_date_of_birth_cannot_be_in_the_future(self, world):
        with pytest.raises(ApplicationError) as error:
            services.child_create(
                actor=world.users["sw_a"],
                first_name="A",
                last_name="B",
                date_of_birth=timezone.localdate() + timedelta(days=1),
                sex="1",
                child_id="F1",
            )
        assert fields_of(error) == {"date_of_birth"}

    def test_a_stale_edit_is_refused_and_names_who_changed_it(self, world):
        child = world.children["a1"]
        sw, sm = world.users["sw_a"], world.users["sm_a"]
        opened_version = child.version
        services.child_update(
            actor=sm,
            child=Child.objects.get(pk=child.pk),
            expected_version=opened_version,
            preferred_name="Jay",
        )
        mine = Child.objects.get(pk=child.pk)
        with pytest.raises(StaleVersionError) as error:
            services.child_update(
                actor=sw, child=mine, expected_version=opened_version, preferred_name="J"
            )
        assert sm.full_name in error.value.message
        assert Child.objects.get(pk=child.pk).preferred_name == "Jay"

    def test_every_change_is_in_history_with_its_author(self, world):
        child = world.children["a1"]
        services.child_update(
            actor=world.users["sm_a"],
            child=child,
            expected_version=child.version,
            last_name="Renamed",
        )
        latest = child.history.order_by("-history_date").first()
        assert latest.history_user == world.users["sm_a"]
        assert latest.last_name == "Renamed"

    def test_a_photo_over_5_mb_is_refused(self, world):
        big = SimpleUploadedFile("big.jpg", b"x" * (5 * 1024 * 1024 + 1), "image/jpeg")
        with pytest.raises(ApplicationError) as error:
            services.child_photo_set(
                actor=world.users["cw_a1"],
                child=world.children["a1"],
                photo=big,
                taken_on=timezone.localdate(),
            )
        assert fields_of(error) == {"photo"}


class TestPlacements:
    def test_a_move_ends_the_current_placement_on_the_day_the_next_starts(self, world):
        child = world.children["a1"]
        today = timezone.localdate()
        services.placement_start(
            actor=world.users["sw_a"], child=child, home=world.homes["P1"], start_date=today
        )
        placements = list(Placement.objects.filter(child=child).order_by("start_date"))
        assert [p.home.name for p in placements] == ["Home A1", "Home P1"]
        assert placements[0].end_date == today
        assert placements[1].end_date is None

    def test_a_placement_before_the_current_one_would_overlap(self, world):
        with pytest.raises(ApplicationError) as error:
            services.placement_start(
                actor=world.users["sw_a"],
                child=world.children["a1"],
                home=world.homes["P1"],
                start_date=date(2023, 6, 1),
            )
        assert "overlap" in error.value.message
        assert Placement.objects.filter(child=world.children["a1"]).count() == 1

    def test_a_past_placement_can_be_added_before_the_first_one(self, world):
        child = world.children["ax"]
        first = services.placement_start(
            actor=world.users["sw_a"],
            child=child,
            home=world.homes["A1"],
            start_date=date(2023, 1, 1),
        )
        services.placement_end(
            actor=world.users["sw_a"],
            placement=first,
            end_date=date(2023, 3, 1),
            expected_version=first.version,
        )
        with pytest.raises(ApplicationError):
            services.placement_start(
                actor=world.users["sw_a"],
                child=child,
                home=world.homes["P1"],
                start_date=date(2023, 2, 1),
                end_current=False,
            )

    def test_an_end_before_the_start_is_refused(self, world):
        placement = Placement.objects.get(child=world.children["a1"])
        with pytest.raises(ApplicationError) as error:
            services.placement_end(
                actor=world.users["sw_a"],
                placement=placement,
                end_date=date(2023, 1, 1),
                expected_version=placement.version,
            )
        assert fields_of(error) == {"end_date"}

    def test_the_database_refuses_two_current_placements(self, world):
        with pytest.raises(IntegrityError):
            Placement.objects.create(
                child=world.children["a1"], home=world.homes["P1"], start_date=date(2025, 1, 1)
            )

    def test_out_of_area_is_derived_from_the_homes_host_authority(self, world):
        a1 = Placement.objects.get(child=world.children["a1"])
        a2 = Placement.objects.get(child=world.children["a2"])
        assert not a1.out_of_area
        assert a2.out_of_area
        flags = dict(
            Placement.objects.with_out_of_area().values_list("child__child_id", "out_of_area_flag")
        )
        assert flags["IDA1"] is False
        assert flags["IDA2"] is True


class TestProfile:
    def test_saving_the_profile_marks_it_reviewed_by_the_author(self, world):
        child = world.children["a1"]
        profile = child.profile
        updated = services.profile_update(
            actor=world.users["cw_a1"],
            child=child,
            expected_version=profile.version,
            hair="Short, dyed red",
            social_media="Snapchat: @example",
        )
        assert updated.last_reviewed_by == world.users["cw_a1"]
        assert updated.hair == "Short, dyed red"

    def test_associates_and_places_are_kept_with_history(self, world):
        child = world.children["a1"]
        associate = services.associate_add(
            actor=world.users["cw_a1"],
            child=child,
            name="Older male 'Dee'",
            relationship="Friend",
            is_concern=True,
        )
        services.place_add(
            actor=world.users["cw_a1"], child=child, name="Bus station", why="Meets friends"
        )
        associate_id = associate.pk
        services.associate_remove(actor=world.users["cw_a1"], associate=associate)
        records = Associate.history.filter(id=associate_id).order_by("history_date")
        assert [(r.history_type, r.history_user) for r in records] == [
            ("+", world.users["cw_a1"]),
            ("-", world.users["cw_a1"]),
        ]
        assert child.profile.places.count() == 1


class TestPoliceGrants:
    def test_only_police_liaison_officers_get_time_boxed_access(self, world):
        with pytest.raises(ApplicationError) as error:
            services.police_grant_create(
                actor=world.users["sw_a"],
                child=world.children["a1"],
                officer=world.users["cw_b1"],
                reason="x",
                expires_at=timezone.now() + timedelta(days=1),
            )
        assert fields_of(error) == {"officer"}

    @pytest.mark.parametrize(
        ("reason", "days", "field"),
        [("", 1, "reason"), ("Visit", -1, "expires_at"), ("Visit", 92, "expires_at")],
    )
    def test_a_grant_needs_a_reason_and_a_near_future_expiry(self, world, reason, days, field):
        with pytest.raises(ApplicationError) as error:
            services.police_grant_create(
                actor=world.users["sw_a"],
                child=world.children["a1"],
                officer=world.users["police_1"],
                reason=reason,
                expires_at=timezone.now() + timedelta(days=days),
            )
        assert fields_of(error) == {field}


def test_a_child_can_only_be_added_by_their_own_authority(world):
    with pytest.raises(ApplicationError) as error:
        services.child_create(
            actor=world.users["sm_a"],
            placing_authority=world.orgs["B"],
            first_name="X",
            last_name="Y",
            date_of_birth=date(2012, 1, 1),
            sex="1",
            child_id="Q1",
        )
    assert fields_of(error) == {"placing_authority"}


def test_a_police_grant_may_run_to_the_end_of_the_ninetieth_day(world):
    grant = services.police_grant_create(
        actor=world.users["sw_a"],
        child=world.children["a1"],
        officer=world.users["police_1"],
        reason="Investigation",
        expires_at=timezone.now() + timedelta(days=90, hours=23),
    )
    assert grant.expires_at > timezone.now()

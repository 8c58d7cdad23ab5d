from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import IntegrityError
from django.utils import timezone

from apps.core.errors import ApplicationError, StaleVersionError
from apps.episodes import services
from apps.episodes.models import Episode, ReturnInterview, UpdateCategory

pytestmark = pytest.mark.django_db


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def report(world, child="a1", user="cw_a1", **extra):
    fields = {
        "kind": "M",
        "last_seen_at": timezone.now() - timedelta(hours=2),
        "last_seen_where": "Outside the home",
    }
    return services.episode_open(
        actor=world.users[user], child=world.children[child], **(fields | extra)
    )


def back(world, episode, user="cw_a1", **extra):
    fields = {"returned_at": timezone.now() - timedelta(minutes=5), "return_method": "own_accord"}
    return services.episode_record_return(
        actor=world.users[user],
        episode=episode,
        expected_version=episode.version,
        **(fields | extra),
    )


def test_reporting_records_the_home_and_starts_the_timeline(world):
    episode = report(world)
    assert episode.home == world.homes["A1"]
    assert episode.reported_by == world.users["cw_a1"]
    assert [u.category for u in episode.updates.all()] == [UpdateCategory.REPORTED]


def test_a_second_open_episode_is_refused_with_a_clear_message(world):
    report(world)
    with pytest.raises(ApplicationError) as error:
        report(world, user="sw_a")
    assert "already has an open episode" in error.value.message
    assert Episode.objects.filter(child=world.children["a1"]).count() == 1


def test_the_database_refuses_two_open_episodes(world):
    first = report(world)
    with pytest.raises(IntegrityError):
        Episode.objects.create(
            child=first.child,
            home=first.home,
            kind="A",
            last_seen_at=timezone.now(),
            last_seen_where="x",
            reported_by=world.users["cw_a1"],
        )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("last_seen_at", timedelta(hours=3), "must be now or in the past"),
        ("reported_to_police_at", timedelta(hours=1), "must be now or in the past"),
    ],
)
def test_future_times_are_refused(world, field, value, message):
    with pytest.raises(ApplicationError) as error:
        report(world, **{field: timezone.now() + value})
    assert message in error.value.fields[field][0]


def test_a_child_without_a_placement_cannot_be_reported(world):
    with pytest.raises(ApplicationError) as error:
        report(world, child="ax", user="sw_a")
    assert set(error.value.fields) == {"child"}


def test_an_episode_cannot_start_inside_an_earlier_one(world):
    first = report(world, last_seen_at=timezone.now() - timedelta(hours=10))
    back(world, first, returned_at=timezone.now() - timedelta(hours=4))
    with pytest.raises(ApplicationError) as error:
        report(world, last_seen_at=timezone.now() - timedelta(hours=6))
    assert "overlap" in error.value.message
    later = report(world, last_seen_at=timezone.now() - timedelta(hours=3))
    assert later.is_open


def test_the_return_must_come_after_last_seen(world):
    episode = report(world)
    with pytest.raises(ApplicationError) as error:
        back(world, episode, returned_at=episode.last_seen_at - timedelta(minutes=1))
    assert set(error.value.fields) == {"returned_at"}


def test_a_bad_postcode_where_found_is_refused(world):
    episode = report(world)
    with pytest.raises(ApplicationError) as error:
        back(world, episode, found_postcode="NOPE")
    assert set(error.value.fields) == {"found_postcode"}
    assert Episode.objects.get(pk=episode.pk).is_open


def test_changing_kind_and_risk_grade_is_kept_on_the_timeline(world):
    episode = report(world, kind="A")
    services.episode_update(
        actor=world.users["police_1"],
        episode=episode,
        expected_version=episode.version,
        kind="M",
        risk_grade="high",
        police_reference="NP-123",
    )
    services.episode_update(
        actor=world.users["police_1"],
        episode=episode,
        expected_version=episode.version,
        risk_grade="medium",
    )
    grades = [
        (u.old_value, u.new_value, u.author)
        for u in episode.updates.filter(category=UpdateCategory.RISK_GRADE).order_by("pk")
    ]
    assert grades == [
        ("", "high", world.users["police_1"]),
        ("high", "medium", world.users["police_1"]),
    ]
    kinds = episode.updates.filter(category=UpdateCategory.KIND_CHANGE)
    assert [(k.old_value, k.new_value) for k in kinds] == [("A", "M")]


def test_a_stale_edit_is_refused_and_names_who_changed_it(world):
    episode = report(world)
    opened = episode.version
    services.episode_update(
        actor=world.users["police_1"],
        episode=Episode.objects.get(pk=episode.pk),
        expected_version=opened,
        police_reference="NP-1",
    )
    with pytest.raises(StaleVersionError) as error:
        services.episode_update(
            actor=world.users["cw_a1"],
            episode=Episode.objects.get(pk=episode.pk),
            expected_version=opened,
            police_reference="NP-2",
        )
    assert world.users["police_1"].full_name in error.value.message
    assert Episode.objects.get(pk=episode.pk).police_reference == "NP-1"


class TestClocks:
    def test_the_interview_is_due_72_real_hours_after_return_across_the_autumn_change(self, world):
        # Returned 20:00 BST Saturday 24 Oct 2026; clocks go back at 02:00 on Sunday.
        with time_machine.travel(utc(2026, 10, 28, 12, 0)):
            episode = report(world, last_seen_at=utc(2026, 10, 24, 15, 0))
            back(world, episode, returned_at=utc(2026, 10, 24, 19, 0))
        interview = ReturnInterview.objects.get(episode=episode)
        assert interview.due_at == utc(2026, 10, 27, 19, 0)
        # On the wall clock that is 19:00 GMT on Tuesday, not 20:00: 72 hours, not 3 days.
        assert timezone.localtime(interview.due_at).hour == 19

    def test_the_interview_is_due_72_real_hours_after_return_across_the_spring_change(self, world):
        with time_machine.travel(utc(2026, 4, 2, 12, 0)):
            episode = report(world, last_seen_at=utc(2026, 3, 28, 12, 0))
            back(world, episode, returned_at=utc(2026, 3, 28, 18, 0))  # 18:00 GMT
        due = ReturnInterview.objects.get(episode=episode).due_at
        assert due == utc(2026, 3, 31, 18, 0)
        assert timezone.localtime(due).hour == 19  # 19:00 BST on the wall

    @pytest.mark.parametrize(
        ("start", "end", "overnight"),
        [
            # Spring-forward night: 23:30 GMT Sat to 00:30 BST Sun (= 23:30 UTC) is overnight.
            (utc(2026, 3, 28, 22, 0), utc(2026, 3, 28, 23, 30) + timedelta(hours=1), True),
            # Autumn: 22:00-23:30 UTC on Saturday is 23:00-00:30 BST: overnight.
            (utc(2026, 10, 24, 22, 0), utc(2026, 10, 24, 23, 30), True),
            # Autumn Sunday 06:05 GMT to noon: after the window.
            (utc(2026, 10, 25, 6, 5), utc(2026, 10, 25, 12, 0), False),
        ],
    )
    def test_overnight_is_derived_in_uk_time_on_the_clock_change_nights(
        self, world, start, end, overnight
    ):
        with time_machine.travel(utc(2026, 11, 1, 12, 0)):
            episode = report(world, last_seen_at=start)
            back(world, episode, returned_at=end)
        assert Episode.objects.get(pk=episode.pk).overnight is overnight

    def test_the_authority_can_move_its_night_window(self, world):
        from datetime import time

        authority = world.orgs["A"]
        authority.night_starts, authority.night_ends = time(22, 0), time(7, 0)
        authority.save()
        with time_machine.travel(utc(2026, 11, 2, 12, 0)):
            # 22:30-23:00 GMT: overnight under 22:00-07:00, not under the default.
            episode = report(world, last_seen_at=utc(2026, 11, 1, 22, 30))
            back(world, episode, returned_at=utc(2026, 11, 1, 23, 0))
        assert Episode.objects.get(pk=episode.pk).overnight is True


class TestInterview:
    def test_an_accepted_interview_needs_when_and_who_and_independence(self, world):
        episode = back(world, report(world))
        interview = episode.interview
        with pytest.raises(ApplicationError) as error:
            services.interview_record(
                actor=world.users["sw_a"],
                interview=interview,
                expected_version=interview.version,
                outcome="accepted",
                offered_at=timezone.now(),
            )
        assert set(error.value.fields) == {"held_at"}

    def test_a_declined_interview_needs_a_reason(self, world):
        episode = back(world, report(world))
        interview = episode.interview
        with pytest.raises(ApplicationError) as error:
            services.interview_record(
                actor=world.users["sw_a"],
                interview=interview,
                expected_version=interview.version,
                outcome="declined",
                offered_at=timezone.now(),
            )
        assert set(error.value.fields) == {"outcome_reason"}

    def test_a_held_interview_is_recorded(self, world):
        episode = back(world, report(world))
        interview = episode.interview
        services.interview_record(
            actor=world.users["sw_a"],
            interview=interview,
            expected_version=interview.version,
            outcome="accepted",
            offered_at=timezone.now(),
            held_at=timezone.now(),
            held_by="R. Iqbal",
            independent_of_home=True,
            push_factors="Rows with staff",
            cse_concern=True,
        )
        interview.refresh_from_db()
        assert interview.is_done and interview.cse_concern
        assert not interview.is_overdue()


def test_a_visit_needs_the_return_first(world):
    episode = report(world)
    with pytest.raises(ApplicationError):
        services.visit_record(
            actor=world.users["police_1"],
            episode=episode,
            visited_at=timezone.now(),
            officer_name="PC 1",
            location="Home",
            outcome="Safe",
        )


def test_places_and_people_mentioned_join_the_profile_in_one_step(world):
    from apps.children.services import associate_add

    child = world.children["a1"]
    associate_add(actor=world.users["cw_a1"], child=child, name="Dee")
    episode = back(world, report(world))
    interview = episode.interview
    services.interview_record(
        actor=world.users["sw_a"],
        interview=interview,
        expected_version=interview.version,
        outcome="accepted",
        offered_at=timezone.now(),
        held_at=timezone.now(),
        held_by="R",
        independent_of_home=True,
        cse_concern=True,
        places_mentioned="Bus station\nKebab shop on Mill Road; bus station",
        associates_mentioned="DEE\nOlder man called Jay",
    )
    added = services.interview_add_to_profile(actor=world.users["sw_a"], interview=interview)
    assert added == (1, 2)  # Dee was already known; the bus station is named twice
    profile = child.profile
    assert sorted(p.name for p in profile.places.all()) == [
        "Bus station",
        "Kebab shop on Mill Road",
    ]
    jay = profile.associates.get(name="Older man called Jay")
    assert jay.is_concern and "return interview" in jay.notes
    # Doing it again adds nothing.
    assert services.interview_add_to_profile(actor=world.users["sw_a"], interview=interview) == (
        0,
        0,
    )


def test_recently_returned_lets_the_police_find_a_closed_episode(world):
    from apps.episodes.selectors import recently_returned

    episode = back(world, report(world))
    assert list(recently_returned(world.users["police_1"])) == [episode]
    assert list(recently_returned(world.users["police_2"])) == []
    later = timezone.now() + timedelta(days=8)
    assert list(recently_returned(world.users["police_1"], now=later)) == []

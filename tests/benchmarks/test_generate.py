"""The data generator at its tiny scale: the rules hold, the shape is the issue's, the access
code finds what the grants say, and the same seed gives the same rows. PostgreSQL only (COPY).
"""

import random
from datetime import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count

from apps.accounts.models import Role, User
from apps.alerts.models import Alert, AlertDelivery, Notification
from apps.children.access import children_visible_to
from apps.children.models import (
    Child,
    ChildUserObjectPermission,
    CseRiskAssessment,
    PhilomenaProfile,
    Placement,
)
from apps.core.clock import touches_night
from apps.episodes.access import episodes_visible_to
from apps.episodes.models import (
    Episode,
    EpisodeUpdate,
    Regulation40Decision,
    ReturnInterview,
    SafeAndWellVisit,
)
from apps.homes.access import homes_visible_to
from apps.homes.models import Home, HomeUserObjectPermission
from apps.strategy_meetings.models import MeetingAction, StrategyMeeting
from benchmarks import generate
from benchmarks.loader import Loader
from tests.factories import OrganisationFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the generator loads with PostgreSQL COPY"
    ),
]

UNTIL = datetime(2026, 3, 29, 12, 0)  # naive UTC; the clocks went forward at 01:00 that day
SEED = 7


def load(seed: int = SEED) -> dict[str, int]:
    """The tiny scale, on the test's own connection and transaction, with every deferred
    foreign key checked at the end."""
    with connection.cursor() as cursor:
        loader = Loader.inline(cursor)
        counts, tables = generate.generate(
            generate.SCALES["tiny"], seed=seed, until=UNTIL, loader=loader
        )
        loader.close()
        loader.check_constraints()
        generate.finish(cursor, tables, vacuum=False)
    return counts


@pytest.fixture(scope="module")
def tiny(django_db_setup, django_db_blocker):
    """Generated once for the module, kept in the test database and emptied afterwards."""
    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            generate.reset(cursor)
        counts = load()
        yield counts
        with connection.cursor() as cursor:
            generate.reset(cursor)


def scalar(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


class TestRules:
    def test_it_makes_every_kind_of_record(self, tiny):
        for table in generate.TABLES:
            assert tiny.get(table.db_table, 0) > 0, table.db_table

    def test_episodes_of_a_child_never_overlap(self, tiny):
        overlapping = scalar(
            """
            SELECT count(*) FROM episodes_episode a JOIN episodes_episode b
              ON a.child_id = b.child_id AND a.id < b.id
             AND a.last_seen_at < coalesce(b.returned_at, 'infinity')
             AND b.last_seen_at < coalesce(a.returned_at, 'infinity')
            """
        )
        assert overlapping == 0

    def test_a_child_has_at_most_one_open_episode(self, tiny):
        assert (
            scalar(
                "SELECT count(*) FROM (SELECT child_id FROM episodes_episode "
                "WHERE returned_at IS NULL GROUP BY child_id HAVING count(*) > 1) x"
            )
            == 0
        )

    def test_episodes_are_in_the_past_after_birth_and_end_after_they_start(self, tiny):
        assert not Episode.objects.filter(last_seen_at__gt=UNTIL.isoformat() + "+00:00").exists()
        assert (
            scalar(
                "SELECT count(*) FROM episodes_episode e "
                "JOIN children_child c ON c.id = e.child_id "
                "WHERE (e.last_seen_at AT TIME ZONE 'Europe/London')::date < c.date_of_birth "
                "OR e.returned_at <= e.last_seen_at"
            )
            == 0
        )

    def test_each_episode_is_at_the_home_the_child_was_placed_at(self, tiny):
        misplaced = scalar(
            """
            SELECT count(*) FROM episodes_episode e
            WHERE NOT EXISTS (
                SELECT 1 FROM children_placement p
                WHERE p.child_id = e.child_id AND p.home_id = e.home_id
                  AND p.start_date <= (e.last_seen_at AT TIME ZONE 'Europe/London')::date
                  AND (p.end_date IS NULL
                       OR p.end_date >= (e.last_seen_at AT TIME ZONE 'Europe/London')::date))
            """
        )
        assert misplaced == 0

    def test_an_open_episode_is_of_a_child_placed_now(self, tiny):
        assert not (
            Episode.objects.open().exclude(child__placements__end_date__isnull=True).exists()
        )

    def test_placements_never_overlap_and_one_at_most_is_current(self, tiny):
        assert (
            scalar(
                """
            SELECT count(*) FROM children_placement a JOIN children_placement b
              ON a.child_id = b.child_id AND a.id < b.id
             AND a.start_date < coalesce(b.end_date, 'infinity')
             AND b.start_date < coalesce(a.end_date, 'infinity')
            """
            )
            == 0
        )
        assert (
            scalar(
                "SELECT max(n) FROM (SELECT count(*) n FROM children_placement "
                "WHERE end_date IS NULL GROUP BY child_id) x"
            )
            == 1
        )

    def test_overnight_is_what_touches_night_says(self, tiny):
        for episode in Episode.objects.select_related("child__placing_authority").iterator():
            authority = episode.child.placing_authority
            end = episode.returned_at or UNTIL.replace(tzinfo=episode.last_seen_at.tzinfo)
            expected = touches_night(
                episode.last_seen_at, end, starts=authority.night_starts, ends=authority.night_ends
            )
            assert episode.overnight == expected, episode.pk

    def test_every_closed_episode_has_its_return_interview(self, tiny):
        assert Episode.objects.closed().filter(interview__isnull=True).count() == 0
        assert ReturnInterview.objects.filter(episode__returned_at__isnull=True).count() == 0

    @pytest.mark.parametrize(
        "model",
        [
            Home,
            Child,
            Placement,
            PhilomenaProfile,
            Episode,
            EpisodeUpdate,
            ReturnInterview,
            SafeAndWellVisit,
            Alert,
            AlertDelivery,
            Notification,
            StrategyMeeting,
            MeetingAction,
            CseRiskAssessment,
            Regulation40Decision,
            User,
        ],
    )
    def test_a_sample_passes_the_model_validation(self, tiny, model):
        """Field choices, lengths, validators and every model constraint, in Django's terms."""
        ids = list(model.objects.values_list("pk", flat=True))
        for obj in model.objects.filter(pk__in=random.Random(1).sample(ids, min(15, len(ids)))):
            try:
                obj.full_clean(exclude=["password", "photo"])
            except ValidationError as error:
                pytest.fail(f"{model.__name__} {obj.pk}: {error.message_dict}")


@pytest.fixture(scope="module")
def figures(tiny, django_db_blocker):
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        return generate.shape(cursor, UNTIL)


class TestShape:
    def test_about_11_percent_of_children_go_missing_in_a_year(self, figures):
        assert 0.08 <= figures["share_missing_in_a_year"] <= 0.14

    def test_a_missing_child_has_6_to_7_episodes_a_year_on_average(self, figures):
        assert 5.0 <= figures["episodes_per_missing_child_year"] <= 8.5

    def test_the_number_of_episodes_has_a_long_tail(self, tiny):
        counts = sorted(
            Episode.objects.values("child").annotate(n=Count("id")).values_list("n", flat=True)
        )
        assert counts[-1] >= 4 * counts[len(counts) // 2]

    def test_about_48_percent_of_episodes_are_of_children_aged_16_and_over(self, figures):
        assert 0.38 <= figures["share_16_and_over"] <= 0.58

    def test_about_90_percent_last_less_than_two_days(self, figures):
        assert 0.85 <= figures["share_under_2_days"] <= 0.95

    def test_a_realistic_share_are_overnight(self, figures):
        assert 0.3 <= figures["share_overnight"] <= 0.6


class TestAccess:
    """The grants the access code reads are there: each role sees what it should."""

    def test_a_social_worker_sees_the_children_allocated_to_them(self, tiny):
        worker = User.objects.filter(role=Role.SOCIAL_WORKER).order_by("pk").first()
        allocated = set(
            Child.objects.filter(allocated_social_worker=worker).values_list("pk", flat=True)
        )
        assert allocated
        assert set(children_visible_to(worker).values_list("pk", flat=True)) == allocated
        grants = ChildUserObjectPermission.objects.filter(user=worker, expires_at__isnull=True)
        assert set(grants.values_list("content_object_id", flat=True)) == allocated

    def test_care_staff_see_their_homes_and_the_children_placed_there_now(self, tiny):
        grant = HomeUserObjectPermission.objects.filter(user__role=Role.CARE_WORKER).first()
        carer = grant.user
        homes = set(homes_visible_to(carer).values_list("pk", flat=True))
        assert grant.content_object_id in homes
        placed = set(
            Placement.objects.current().filter(home_id__in=homes).values_list("child_id", flat=True)
        )
        assert set(children_visible_to(carer).values_list("pk", flat=True)) == placed
        assert episodes_visible_to(carer).exists()

    def test_home_managers_manage_their_homes(self, tiny):
        manager = User.objects.filter(role=Role.HOME_MANAGER).first()
        assert HomeUserObjectPermission.objects.filter(
            user=manager, permission__codename="manage_home"
        ).exists()

    def test_police_see_the_homes_of_their_force(self, tiny):
        officer = User.objects.filter(role=Role.POLICE_LIAISON).first()
        assert (
            homes_visible_to(officer).count()
            == Home.objects.filter(police_force_id=officer.organisation_id).count()
        )


class TestCommand:
    def test_the_same_seed_gives_the_same_rows(self, tiny):
        digest = "SELECT md5(string_agg(e::text, '|' ORDER BY e.id)) FROM episodes_episode e"
        first = scalar(digest)
        with connection.cursor() as cursor:
            generate.reset(cursor)
        load()
        assert scalar(digest) == first

    def test_it_refuses_a_database_with_other_data(self, tiny):
        OrganisationFactory(code="REAL-1")
        with pytest.raises(CommandError, match="did not make"):
            call_command("generate_data", "--scale", "tiny")

    def test_it_refuses_to_add_to_generated_data_without_reset(self, tiny):
        with pytest.raises(CommandError, match="--reset"):
            call_command("generate_data", "--scale", "tiny")

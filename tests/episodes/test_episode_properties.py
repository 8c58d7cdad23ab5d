"""Property: no sequence of report / update / return operations, valid or not, leaves a child
with two open episodes or with episodes whose spans overlap."""

import itertools
from datetime import timedelta

from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from apps.core.errors import ApplicationError
from apps.episodes import services
from apps.episodes.models import Episode
from tests.world import build_world

operation = st.one_of(
    st.tuples(st.just("open"), st.integers(0, 200)),  # last seen N hours ago
    st.tuples(st.just("return"), st.integers(0, 200)),  # returned N hours ago
    st.tuples(st.just("move_start"), st.integers(0, 200)),  # last seen moved to N hours ago
)


class EpisodeSequences(TestCase):
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(operations=st.lists(operation, min_size=1, max_size=12))
    def test_no_sequence_makes_overlaps_or_two_open_episodes(self, operations):
        world = build_world()
        child, actor = world.children["a1"], world.users["cw_a1"]
        now = timezone.now()
        for name, hours in operations:
            at = now - timedelta(hours=hours)
            latest = Episode.objects.filter(child=child).order_by("-last_seen_at").first()
            try:
                if name == "open":
                    services.episode_open(
                        actor=actor,
                        child=child,
                        kind="M",
                        last_seen_at=at,
                        last_seen_where="Town",
                    )
                elif name == "return" and latest is not None:
                    services.episode_record_return(
                        actor=actor,
                        episode=latest,
                        expected_version=latest.version,
                        returned_at=at,
                        return_method="own_accord",
                    )
                elif name == "move_start" and latest is not None:
                    services.episode_update(
                        actor=actor,
                        episode=latest,
                        expected_version=latest.version,
                        last_seen_at=at,
                    )
            except ApplicationError:
                pass  # refused, with a message: that is allowed; a broken state is not

            episodes = list(Episode.objects.filter(child=child).order_by("last_seen_at"))
            assert sum(1 for e in episodes if e.returned_at is None) <= 1
            for earlier, later in itertools.pairwise(episodes):
                assert earlier.returned_at is not None, "only the latest may be open"
                assert earlier.returned_at <= later.last_seen_at, "episodes overlap"
            for episode in episodes:
                assert episode.returned_at is None or episode.returned_at > episode.last_seen_at

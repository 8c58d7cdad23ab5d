"""Who sees what of the multi-agency response, role by role, written out by hand from the issue
and ARCHITECTURE.md (not derived from apps.strategy_meetings.access, which it tests).

The world: a meeting about a1 chaired by sw_a, with police_1 and hm_a1 invited and held with
restricted minutes; a meeting about b1 chaired by sw_b; a CSE risk assessment of a1 (high); a
flagged episode of a1 at home A1 (open, so police_1 sees a1; its Regulation 40 decision is
tested in tests/episodes/test_regulation40.py).
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.children import services as child_services
from apps.episodes import services as episodes
from apps.strategy_meetings import access, services
from apps.strategy_meetings.models import StrategyMeeting
from tests.strategy_meetings.conftest import record, schedule

pytestmark = pytest.mark.django_db

ALL = [
    "admin",
    "sm_a",
    "sm_b",
    "sw_a",
    "sw_b",
    "cw_a1",
    "hm_a1",
    "cw_b1",
    "police_1",
    "police_2",
    "ri",
]
# Meeting about a1: the case holders (sw_a, sm_a) and those invited (police_1, hm_a1).
SEE_A1_MEETING = {"sw_a", "sm_a", "police_1", "hm_a1"}
# Restricted minutes: the chair's authority (A) and invited attendees, never the police.
RESTRICTED_A1 = {"sw_a", "sm_a", "hm_a1"}
# Who runs it (move, cancel, invite, record, add actions): the chair and the case holders.
RUN_A1 = {"sw_a", "sm_a"}
# The meeting about b1: its case holders, and nobody invited.
SEE_B1_MEETING = {"sw_b", "sm_b"}
# CSE assessment detail: the case holders of the child only.
ASSESSMENT_A1 = {"sw_a", "sm_a"}
# The child's CSE level: everyone who sees the child (the child page), which includes police_1
# while a1 is missing from A1 (the flagged episode below is open): the level, not the detail.
LEVEL_A1 = {"sw_a", "sm_a", "cw_a1", "hm_a1", "police_1"}


@pytest.fixture
def state(world):
    a1 = record(world, schedule(world))
    b1 = schedule(world, child="b1", actor="sw_b", invite=())
    assessment = child_services.assessment_complete(
        actor=world.users["sw_a"],
        child=world.children["a1"],
        indicators=[],
        answers={},
        override_level="high",
        override_reason="Seen with adults known to exploit children",
    )
    episode = episodes.episode_open(
        actor=world.users["cw_a1"],
        child=world.children["a1"],
        kind="M",
        last_seen_at=timezone.now() - timedelta(hours=2),
        last_seen_where="Bus station",
        suspected_sexual_exploitation=True,
    )
    return {"a1": a1, "b1": b1, "assessment": assessment, "reg40": episode.regulation40}


def status(client, name, *args) -> int:
    return client.get(reverse(name, args=args)).status_code


@pytest.mark.parametrize("user", ALL)
def test_meeting_pages_by_role(signed_in, world, state, user):
    client = signed_in(world.users[user])
    a1, b1 = state["a1"], state["b1"]
    assert (status(client, "strategy_meetings:detail", a1.pk) == 200) is (user in SEE_A1_MEETING)
    assert (status(client, "strategy_meetings:detail", b1.pk) == 200) is (user in SEE_B1_MEETING)
    runs = user in RUN_A1
    assert (status(client, "strategy_meetings:record", a1.pk) == 200) is runs
    assert (status(client, "strategy_meetings:action_add", a1.pk) == 200) is runs
    if user in SEE_A1_MEETING:
        html = client.get(reverse("strategy_meetings:detail", args=[a1.pk])).content.decode()
        assert ("Health: disclosed to the school nurse." in html) is (user in RESTRICTED_A1)
        assert 'data-testid="meeting-cse-risk">High' in html  # the level, for all who see it
        assert "Seen with adults known to exploit children" not in html


@pytest.mark.parametrize("user", ALL)
def test_the_access_functions_agree(world, state, user):
    person = world.users[user]
    a1 = state["a1"]
    seen = access.meetings_visible_to(person).filter(pk=a1.pk).exists()
    assert seen is (user in SEE_A1_MEETING)
    # The scope as one condition (meeting_scope_q) is the same rule as the list's union of ids.
    assert StrategyMeeting.objects.filter(access.meeting_scope_q(person), pk=a1.pk).exists() is (
        seen
    )
    if seen:
        assert access.can_read_restricted_minutes(person, a1) is (user in RESTRICTED_A1)
        assert access.meeting_permissions(person, a1)["can_record"] is (user in RUN_A1)


@pytest.mark.parametrize("user", ALL)
def test_assessments_and_levels_by_role(signed_in, world, state, user):
    client = signed_in(world.users[user])
    child = world.children["a1"]
    assessment = state["assessment"]
    detail = status(client, "children:assessment", child.pk, assessment.pk)
    assert (detail == 200) is (user in ASSESSMENT_A1)
    assert (status(client, "children:assessments", child.pk) == 200) is (user in ASSESSMENT_A1)
    page = client.get(reverse("children:detail", args=[child.pk]))
    if user in LEVEL_A1:
        assert 'data-testid="cse-risk"><strong class="govuk-tag govuk-tag--red">High' in (
            page.content.decode()
        )
    else:
        assert page.status_code == 404


def test_police_invited_see_the_meeting_but_not_the_restricted_minutes_in_the_api(
    world, state, client
):

    from tests.factories import api_key

    key = api_key(world.users["police_1"])
    response = client.get(f"/api/v1/meetings/{state['a1'].pk}/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert "restricted_minutes" not in response.json()


def test_a_return_interviewer_sees_nothing(signed_in, world, state):
    client = signed_in(world.users["ri"])
    for name in ("strategy_meetings:list", "strategy_meetings:my_actions"):
        assert status(client, name) == 404
    assert status(client, "strategy_meetings:detail", state["a1"].pk) == 404


def test_an_attendee_of_another_meeting_is_404(signed_in, world, state):
    """Sub-objects are fetched through their meeting: a1's page cannot reach b1's attendee."""
    client = signed_in(world.users["sw_a"])
    foreign = state["b1"].attendees.get()
    path = reverse("strategy_meetings:attendee_remove", args=[state["a1"].pk, foreign.pk])
    assert client.post(path).status_code == 404


class TestPoliceInvitedSeeThePhilomenaProfile:
    """The issue: police see meetings they are invited to and the child's Philomena profile."""

    def test_an_invited_officer_opens_the_profile_and_an_uninvited_one_does_not(
        self, world, signed_in
    ):
        from apps.children.access import children_visible_to

        a2 = world.children["a2"]  # placed at B1 (force 1), not missing
        url = reverse("children:profile", args=[a2.pk])
        assert signed_in(world.users["police_1"]).get(url).status_code == 404
        schedule(world, child="a2", invite=("police_1",))
        assert a2 in children_visible_to(world.users["police_1"])
        assert a2 not in children_visible_to(world.users["police_2"])
        assert signed_in(world.users["police_1"]).get(url).status_code == 200

    def test_the_profile_closes_when_the_meeting_is_cancelled(self, world):
        from apps.children.access import children_visible_to

        meeting = schedule(world, child="a2", invite=("police_1",))
        services.meeting_cancel(
            actor=world.users["sw_a"],
            meeting=meeting,
            expected_version=meeting.version,
            reason="Moved to a panel",
        )
        assert world.children["a2"] not in children_visible_to(world.users["police_1"])

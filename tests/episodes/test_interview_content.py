"""What the child said in a return interview (push and pull factors, places, people,
disclosures, the CSE concern) is read by their social worker, return interviewers and managers;
the home's care workers and the police see that it was held and its outcome, and the summary
the social worker shares with them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.episodes import services
from tests.factories import api_key

pytestmark = pytest.mark.django_db

SAID = "Met Lee at the retail park; he gave her a phone"


@pytest.fixture
def interview(world):
    episode = services.episode_open(
        actor=world.users["cw_a1"],
        child=world.children["a1"],
        kind="M",
        last_seen_at=timezone.now() - timedelta(hours=6),
        last_seen_where="Outside the home",
    )
    episode = services.episode_record_return(
        actor=world.users["cw_a1"],
        episode=episode,
        expected_version=episode.version,
        returned_at=timezone.now() - timedelta(hours=2),
        return_method="own_accord",
    )
    interview = episode.interview
    return services.interview_record(
        actor=world.users["sw_a"],
        interview=interview,
        expected_version=interview.version,
        outcome="accepted",
        offered_at=timezone.now() - timedelta(hours=1),
        held_at=timezone.now() - timedelta(minutes=30),
        held_by="R. Iqbal",
        independent_of_home=True,
        disclosures=SAID,
        places_mentioned="Retail park",
        cse_concern=True,
    )


def page(signed_in, user, interview) -> str:
    response = signed_in(user).get(reverse("episodes:detail", args=[interview.episode_id]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("reader", ["sw_a", "hm_a1", "sm_a"])
def test_the_people_who_act_on_it_read_what_the_child_said(world, signed_in, interview, reader):
    html = page(signed_in, world.users[reader], interview)
    assert SAID in html and "Retail park" in html
    assert 'data-testid="interview-restricted"' not in html


@pytest.mark.parametrize("other", ["cw_a1", "police_1"])
def test_care_workers_and_police_see_the_outcome_not_what_was_said(
    world, signed_in, interview, other
):
    html = page(signed_in, world.users[other], interview)
    assert "Accepted and held" in html
    assert SAID not in html and "Retail park" not in html
    assert 'data-testid="interview-restricted"' in html
    assert 'data-testid="share-summary"' not in html
    share = reverse("episodes:interview_share", args=[interview.episode_id])
    assert signed_in(world.users[other]).get(share).status_code == 404
    to_profile = reverse("episodes:interview_to_profile", args=[interview.episode_id])
    assert signed_in(world.users[other]).post(to_profile).status_code == 404


def test_the_api_leaves_it_out_for_a_care_worker(world, client, interview):
    path = f"/api/v1/episodes/{interview.episode_id}/interview/"
    mine = client.get(path, HTTP_AUTHORIZATION=f"Token {api_key(world.users['sw_a'])}").json()
    assert mine["disclosures"] == SAID and mine["cse_concern"] is True
    carer = client.get(path, HTTP_AUTHORIZATION=f"Token {api_key(world.users['cw_a1'])}").json()
    assert carer["outcome"] == "accepted" and carer["shared_summary"] == ""
    assert "disclosures" not in carer and "cse_concern" not in carer


def test_the_social_worker_shares_a_summary_the_home_and_police_then_see(
    world, signed_in, interview
):
    share = reverse("episodes:interview_share", args=[interview.episode_id])
    client = signed_in(world.users["sw_a"])
    assert client.get(share).status_code == 200
    summary = "She may be contacted by an older man; tell the police of any new phone."
    response = client.post(share, {"shared_summary": summary, "version": interview.version})
    assert response.status_code == 302
    for other in ("cw_a1", "police_1"):
        html = page(signed_in, world.users[other], interview)
        assert "tell the police of any new phone" in html and SAID not in html
        assert 'data-testid="interview-shared-summary"' in html
    # A second edit on the version first shown is refused, not saved over the first.
    client = signed_in(world.users["sw_a"])  # the test client is one: sign in again
    stale = client.post(share, {"shared_summary": "Nothing", "version": interview.version})
    assert stale.status_code == 200 and "after you opened it" in stale.content.decode()
    interview.refresh_from_db()
    assert interview.shared_summary == summary
    assert interview.summary_shared_by == world.users["sw_a"]

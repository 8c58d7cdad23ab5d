"""Regulation 40 decisions (apps.episodes): the prompt a flagged episode opens, the home
manager's decision, who sees it, on the web and in the API.

tests.world: a1 lives at home A1 (care worker cw_a1, manager hm_a1; force 1 covers it,
police_1); sw_a is a1's allocated social worker, sm_a a service manager of authority A; sw_b
and sm_b are authority B's; ri is a return interviewer.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.core.errors import ApplicationError
from apps.episodes import access
from apps.episodes import services as episodes
from apps.episodes.models import Reg40Status
from tests.factories import make_user

pytestmark = pytest.mark.django_db

STALE = "changed this record"

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
# Regulation 40 on a1's episode at A1: the home's staff and the case holders see it; the
# home's manager decides; the police never see it.
REG40_SEE = {"cw_a1", "hm_a1", "sw_a", "sm_a"}
REG40_DECIDE = {"hm_a1"}


def body(response) -> str:
    return response.content.decode()


def url(name, *args):
    return reverse(f"episodes:{name}", args=args)


def when(name: str, moment) -> dict:
    """The four boxes of a date-and-time question, in UK time."""
    local = timezone.localtime(moment)
    return {
        f"{name}_day": local.day,
        f"{name}_month": local.month,
        f"{name}_year": local.year,
        f"{name}_time": f"{local:%H:%M}",
    }


def flagged_episode(world):
    return episodes.episode_open(
        actor=world.users["cw_a1"],
        child=world.children["a1"],
        kind="M",
        last_seen_at=timezone.now() - timedelta(hours=2),
        last_seen_where="Bus station",
        suspected_sexual_exploitation=True,
    )


class TestApi:
    def flagged(self, world, child="a1", user="cw_a1"):
        return episodes.episode_open(
            actor=world.users[user],
            child=world.children[child],
            kind="M",
            last_seen_at=timezone.now() - timedelta(hours=2),
            last_seen_where="Bus station",
            serious_police_incident=True,
        ).regulation40

    def test_the_home_manager_decides_with_if_match(self, world, api):
        decision = self.flagged(world)
        client = api(world.users["hm_a1"])
        assert [row["id"] for row in client.get("/api/v1/regulation-40/").json()["results"]] == [
            decision.pk
        ]
        path = f"/api/v1/regulation-40/{decision.pk}/decide/"
        bad = client.post(path, {"status": "notified"}, format="json", HTTP_IF_MATCH='"1"')
        assert bad.status_code == 400
        assert bad.json()["fields"] == {"notified_at": ["Enter when Ofsted was notified"]}
        good = client.post(
            path,
            {"status": "not_notifiable", "not_notifiable_reason": "Not serious after all"},
            format="json",
            HTTP_IF_MATCH='"1"',
        )
        assert good.status_code == 200 and good["ETag"] == '"2"'
        stale = client.post(
            path,
            {"status": "not_notifiable", "not_notifiable_reason": "Again"},
            format="json",
            HTTP_IF_MATCH='"1"',
        )
        assert stale.status_code == 412

    @pytest.mark.parametrize("user", ["cw_a1", "sw_a"])
    def test_care_staff_and_case_holders_see_but_do_not_decide(self, world, api, user):
        decision = self.flagged(world)
        client = api(world.users[user])
        assert client.get(f"/api/v1/regulation-40/{decision.pk}/").status_code == 200
        response = client.post(
            f"/api/v1/regulation-40/{decision.pk}/decide/", {}, format="json", HTTP_IF_MATCH='"1"'
        )
        assert response.status_code == 404

    @pytest.mark.parametrize("user", ["police_1", "ri", "sw_b"])
    def test_others_see_nothing(self, world, api, user):
        decision = self.flagged(world)
        client = api(world.users[user])
        assert client.get(f"/api/v1/regulation-40/{decision.pk}/").status_code == 404
        assert client.get("/api/v1/regulation-40/").json()["count"] == 0

    @pytest.mark.parametrize("count", [1, 3])
    def test_the_list_costs_the_same_queries_for_1_or_n(
        self, world, api, django_assert_num_queries, count
    ):
        # Returned flagged episodes of a1, oldest first (episodes may not overlap).
        for n in reversed(range(count)):
            episode = episodes.episode_open(
                actor=world.users["cw_a1"],
                child=world.children["a1"],
                kind="M",
                last_seen_at=timezone.now() - timedelta(days=n + 1, hours=5),
                last_seen_where="Bus station",
                suspected_sexual_exploitation=True,
            )
            episodes.episode_record_return(
                actor=world.users["cw_a1"],
                episode=episode,
                expected_version=episode.version,
                returned_at=timezone.now() - timedelta(days=n + 1, hours=4),
                return_method="own_accord",
            )
        client = api(world.users["hm_a1"])
        # 1 the token and its user; 2 COUNT of the pending decisions; 3 the page with the
        # episode, its child and the home.
        with django_assert_num_queries(3):
            response = client.get("/api/v1/regulation-40/")
        assert response.json()["count"] == count


class TestDecisions:
    def test_flagging_an_episode_opens_a_prompt_once(self, world):
        episode = episodes.episode_open(
            actor=world.users["cw_a1"],
            child=world.children["a1"],
            kind="M",
            last_seen_at=timezone.now() - timedelta(hours=2),
            last_seen_where="Park",
            suspected_sexual_exploitation=True,
        )
        decision = episode.regulation40
        assert decision.status == Reg40Status.PENDING
        assert decision.home == world.homes["A1"]
        episodes.episode_update(
            actor=world.users["cw_a1"],
            episode=episode,
            expected_version=episode.version,
            serious_police_incident=True,
        )
        assert type(decision).objects.filter(episode=episode).count() == 1

    def test_clearing_the_flags_withdraws_the_prompt_and_flagging_again_reopens_it(self, world):
        episode = flagged_episode(world)
        decision = episode.regulation40
        episode = episodes.episode_update(
            actor=world.users["cw_a1"],
            episode=episode,
            expected_version=episode.version,
            suspected_sexual_exploitation=False,
        )
        decision.refresh_from_db()
        assert decision.status == Reg40Status.WITHDRAWN
        history = list(decision.history.order_by("history_date").values_list("status", flat=True))
        assert history == [Reg40Status.PENDING, Reg40Status.WITHDRAWN]
        assert decision.history.latest("history_date").history_user == world.users["cw_a1"]
        with pytest.raises(ApplicationError) as error:
            episodes.reg40_decide(
                actor=world.users["hm_a1"],
                decision=decision,
                expected_version=decision.version,
                status=Reg40Status.NOT_NOTIFIABLE,
                not_notifiable_reason="No longer suspected",
            )
        assert "withdrawn" in error.value.message
        episodes.episode_update(
            actor=world.users["cw_a1"],
            episode=episode,
            expected_version=episode.version,
            serious_police_incident=True,
        )
        decision.refresh_from_db()
        assert decision.status == Reg40Status.PENDING
        assert decision.trigger == "A serious incident involving the police"

    def test_a_recorded_decision_stays_when_the_flags_are_cleared(self, world):
        episode = flagged_episode(world)
        decision = episodes.reg40_decide(
            actor=world.users["hm_a1"],
            decision=episode.regulation40,
            expected_version=1,
            status=Reg40Status.NOT_NOTIFIABLE,
            not_notifiable_reason="Discussed with the placing authority",
        )
        episodes.episode_update(
            actor=world.users["cw_a1"],
            episode=episode,
            expected_version=episode.version,
            suspected_sexual_exploitation=False,
        )
        decision.refresh_from_db()
        assert decision.status == Reg40Status.NOT_NOTIFIABLE

    def test_an_unflagged_episode_opens_none(self, world):
        episode = episodes.episode_open(
            actor=world.users["cw_a1"],
            child=world.children["a1"],
            kind="M",
            last_seen_at=timezone.now() - timedelta(hours=2),
            last_seen_where="Park",
        )
        assert not hasattr(episode, "regulation40") or episode.regulation40 is None

    def test_deciding_needs_the_time_and_reference_or_a_reason(self, world):
        episode = episodes.episode_open(
            actor=world.users["cw_a1"],
            child=world.children["a1"],
            kind="M",
            last_seen_at=timezone.now() - timedelta(hours=2),
            last_seen_where="Park",
            serious_police_incident=True,
        )
        decision = episode.regulation40
        with pytest.raises(ApplicationError) as error:
            episodes.reg40_decide(
                actor=world.users["hm_a1"],
                decision=decision,
                expected_version=decision.version,
                status="notified",
                notified_at=timezone.now(),
            )
        assert "ofsted_reference" in error.value.fields
        with pytest.raises(ApplicationError) as error:
            episodes.reg40_decide(
                actor=world.users["hm_a1"],
                decision=decision,
                expected_version=decision.version,
                status="not_notifiable",
            )
        assert "not_notifiable_reason" in error.value.fields
        decided = episodes.reg40_decide(
            actor=world.users["hm_a1"],
            decision=decision,
            expected_version=decision.version,
            status="notified",
            notified_at=timezone.now(),
            ofsted_reference="OFS-2026-0142",
        )
        assert decided.status == Reg40Status.NOTIFIED
        assert decided.decided_by == world.users["hm_a1"]


class TestPages:
    def test_the_home_manager_is_prompted_on_the_episode_and_start_pages(self, signed_in, world):
        episode = flagged_episode(world)
        decision = episode.regulation40
        client = signed_in(world.users["hm_a1"])
        target = url("reg40_decide", decision.pk)
        assert target in body(client.get(reverse("episodes:detail", args=[episode.pk])))
        assert target in body(client.get(reverse("site:start")))
        assert target in body(client.get(url("reg40_list")))
        # Care workers and social workers see the episode without the prompt.
        for key in ("cw_a1", "sw_a"):
            html = body(
                signed_in(world.users[key]).get(reverse("episodes:detail", args=[episode.pk]))
            )
            assert 'data-testid="reg40-prompt"' not in html, key

    def test_recording_the_decision(self, signed_in, world):
        decision = flagged_episode(world).regulation40
        client = signed_in(world.users["hm_a1"])
        response = client.post(
            url("reg40_decide", decision.pk),
            {
                "status": "notified",
                **when("notified_at", timezone.now() - timedelta(minutes=30)),
                "ofsted_reference": "OF-2026-77",
                "version": decision.version,
            },
        )
        assert response.status_code == 302
        decision.refresh_from_db()
        assert decision.status == Reg40Status.NOTIFIED
        assert "No decisions are waiting" in body(client.get(url("reg40_list")))
        # The decision shows on the episode, to everyone who sees the record.
        for key in ("hm_a1", "cw_a1", "sw_a"):
            page = body(signed_in(world.users[key]).get(url("detail", decision.episode_id)))
            assert 'data-testid="reg40-decision"' in page, key
            assert "Notified to Ofsted" in page and "OF-2026-77" in page, key

    def test_not_notifiable_needs_a_reason(self, signed_in, world):
        decision = flagged_episode(world).regulation40
        client = signed_in(world.users["hm_a1"])
        response = client.post(
            url("reg40_decide", decision.pk),
            {"status": "not_notifiable", "ofsted_reference": "kept", "version": 1},
        )
        html = body(response)
        assert "Enter why this is not notifiable" in html and "govuk-error-summary" in html

    def test_a_stale_decision_is_refused(self, signed_in, world):
        decision = flagged_episode(world).regulation40
        episodes.reg40_decide(
            actor=world.users["hm_a1"],
            decision=decision,
            expected_version=decision.version,
            status="not_notifiable",
            not_notifiable_reason="Only a missing episode",
        )
        client = signed_in(world.users["hm_a1"])
        response = client.post(
            url("reg40_decide", decision.pk),
            {"status": "not_notifiable", "not_notifiable_reason": "Mine", "version": 1},
        )
        html = body(response)
        assert STALE in html and "Only a missing episode" in html

    @pytest.mark.parametrize("user", ["cw_a1", "sw_a", "police_1", "ri"])
    def test_only_the_home_manager_decides(self, signed_in, world, user):
        decision = flagged_episode(world).regulation40
        client = signed_in(world.users[user])
        assert client.get(url("reg40_decide", decision.pk)).status_code == 404

    def test_another_homes_manager_does_not_see_it(self, signed_in, world):
        decision = flagged_episode(world).regulation40
        other = make_user("home_manager", organisation=world.orgs["B"])
        client = signed_in(other)
        assert client.get(url("reg40_decide", decision.pk)).status_code == 404
        assert "No decisions are waiting" in body(client.get(url("reg40_list")))


# Who sees and decides (from tests/strategy_meetings/test_access.py) -----------------------


@pytest.mark.parametrize("user", ALL)
def test_the_access_functions_agree(world, user):
    decision = flagged_episode(world).regulation40
    person = world.users[user]
    assert access.reg40_visible_to(person).filter(pk=decision.pk).exists() is (user in REG40_SEE)


@pytest.mark.parametrize("user", ALL)
def test_regulation_40_by_role(signed_in, world, user):
    decision = flagged_episode(world).regulation40
    client = signed_in(world.users[user])
    decide = client.get(url("reg40_decide", decision.pk)).status_code
    assert (decide == 200) is (user in REG40_DECIDE)


def test_a_return_interviewer_sees_no_list(signed_in, world):
    flagged_episode(world)
    assert signed_in(world.users["ri"]).get(url("reg40_list")).status_code == 404

"""The episodes API: episodes, their timeline, return interviews and safe-and-well visits."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from apps.children import services as children_services
from apps.children.models import AccessLog, AccessLogKind
from apps.episodes import services
from apps.episodes.models import Episode, ReturnInterview, UpdateCategory

pytestmark = pytest.mark.django_db

# Who sees whose episodes, by hand from ARCHITECTURE.md's access model, for the world of
# `episodes` below: one episode per child; home P1 has child ax; only a2's episode is closed,
# and its interview is assigned to the return interviewer.
VISIBLE_EPISODES = {
    "cw_a1": {"a1"},
    "hm_a1": {"a1"},
    "cw_b1": {"a2", "b1"},
    "sw_a": {"a1", "a2", "ax"},
    "sw_b": {"b1", "b2"},
    "police_1": {"a1", "ax", "a2", "b1"},  # homes A1, P1 and B1 are in force 1's area
    "police_2": {"b2"},
    "sm_a": {"a1", "a2", "ax"},
    "sm_b": {"a2", "b1", "b2"},
    "ri": {"a2"},
    "admin": set(),
}
DETAIL_ONLY = {"circumstances", "clothing", "police_reference", "risk_grade", "last_seen_where"}


def report(world, child="a1", user="cw_a1", **extra) -> Episode:
    fields = {
        "kind": "M",
        "last_seen_at": timezone.now() - timedelta(hours=3),
        "last_seen_where": "Outside the home",
        "clothing": "Red hoodie",
        "circumstances": "Left after an argument",
    }
    return services.episode_open(
        actor=world.users[user], child=world.children[child], **(fields | extra)
    )


def back(world, episode, user="cw_a1", **extra) -> Episode:
    fields = {"returned_at": timezone.now() - timedelta(minutes=30), "return_method": "own_accord"}
    return services.episode_record_return(
        actor=world.users[user], episode=episode, expected_version=episode.version, **fields | extra
    )


@pytest.fixture
def episodes(world) -> dict[str, Episode]:
    """One episode per child: a2's is closed with the interview assigned to `ri`."""
    children_services.placement_start(
        actor=world.users["admin"],
        child=world.children["ax"],
        home=world.homes["P1"],
        start_date=date(2024, 2, 1),
    )
    reporters = {"a1": "cw_a1", "ax": "sw_a", "a2": "cw_b1", "b1": "cw_b1", "b2": "sw_b"}
    made = {key: report(world, key, user) for key, user in reporters.items()}
    made["a2"] = back(world, made["a2"], user="cw_b1")
    services.interview_assign(
        actor=world.users["sw_a"], interview=made["a2"].interview, interviewer=world.users["ri"]
    )
    return made


def if_match(record) -> dict:
    return {"HTTP_IF_MATCH": f'"{record.version}"'}


def api_logs(child) -> int:
    return AccessLog.objects.filter(child=child, kind=AccessLogKind.API).count()


NEW_EPISODE = {
    "kind": "M",
    "last_seen_where": "Bus stop on Elm Grove",
    "clothing": "Black coat",
}


def new_episode(world, child="a1", **extra) -> dict:
    last_seen = (timezone.now() - timedelta(hours=1)).isoformat()
    return {**NEW_EPISODE, "child": world.children[child].pk, "last_seen_at": last_seen} | extra


class TestEpisodeList:
    def test_each_role_sees_only_the_episodes_it_may(self, world, episodes, api):
        for key, keys in VISIBLE_EPISODES.items():
            body = api(world.users[key]).get("/api/v1/episodes/").json()
            assert {row["id"] for row in body["results"]} == {episodes[k].pk for k in keys}, key

    def test_it_filters_by_open_child_and_home(self, world, episodes, api):
        client = api(world.users["police_1"])

        def ids(**params):
            rows = client.get("/api/v1/episodes/", params).json()["results"]
            return {row["id"] for row in rows}

        assert ids(open="true") == {episodes[k].pk for k in ["a1", "ax", "b1"]}
        assert ids(open="false") == {episodes["a2"].pk}
        assert ids(child=world.children["ax"].pk) == {episodes["ax"].pk}
        assert ids(home=world.homes["B1"].pk) == {episodes["a2"].pk, episodes["b1"].pk}
        assert ids(home=world.homes["B1"].pk, open="true") == {episodes["b1"].pk}

    def test_filtering_by_a_child_out_of_scope_finds_nothing(self, world, episodes, api):
        response = api(world.users["cw_a1"]).get(
            "/api/v1/episodes/", {"child": world.children["b2"].pk}
        )
        assert response.status_code == 200
        assert response.json()["count"] == 0

    def test_a_bad_filter_is_a_400(self, world, api):
        response = api(world.users["cw_a1"]).get("/api/v1/episodes/", {"child": "abc"})
        assert response.status_code == 400
        assert set(response.json()["fields"]) == {"child"}

    def test_return_interviewers_get_the_minimum_detail(self, world, episodes, api):
        [row] = api(world.users["ri"]).get("/api/v1/episodes/").json()["results"]
        assert not DETAIL_ONLY & set(row)
        assert row["child"]["display_name"] == "ChildA2 Test"
        assert row["interview"]["assigned_to"]["id"] == world.users["ri"].pk
        [row] = api(world.users["cw_a1"]).get("/api/v1/episodes/").json()["results"]
        assert DETAIL_ONLY.issubset(row)
        assert row["circumstances"] == "Left after an argument"
        assert row["interview"] is None

    def test_a_list_is_not_logged_as_a_view_of_each_child(self, world, episodes, api):
        api(world.users["sw_a"]).get("/api/v1/episodes/")
        assert not AccessLog.objects.exists()

    @pytest.mark.parametrize("count", [1, 20])
    def test_it_costs_the_same_queries_for_1_or_20_episodes(
        self, world, api, django_assert_num_queries, count
    ):
        start = timezone.now() - timedelta(days=count + 1)
        for n in range(count):
            episode = report(world, last_seen_at=start + timedelta(days=n))
            episode = back(world, episode, returned_at=episode.last_seen_at + timedelta(hours=2))
            services.interview_assign(
                actor=world.users["sw_a"],
                interview=episode.interview,
                interviewer=world.users["ri"],
            )
        client = api(world.users["cw_a1"])
        # 1. the token and its user; 2. COUNT of visible episodes; 3. the ids of the page's
        # episodes; 4. those episodes with child, home, reporters and the interview with its
        # interviewer (apps.core.pagination.IdsFirst).
        with django_assert_num_queries(4):
            response = client.get("/api/v1/episodes/")
        assert response.json()["count"] == count


class TestEpisodeCreate:
    def test_care_staff_report_a_child_at_their_home(self, world, api):
        response = api(world.users["cw_a1"]).post(
            "/api/v1/episodes/", new_episode(world), format="json"
        )
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["home"]["id"] == world.homes["A1"].pk
        assert body["reported_by"]["id"] == world.users["cw_a1"].pk
        assert body["is_open"] is True
        assert response["ETag"] == '"1"'
        episode = Episode.objects.get(pk=body["id"])
        assert episode.history.first().history_user == world.users["cw_a1"]
        assert [u.category for u in episode.updates.all()] == [UpdateCategory.REPORTED]

    def test_a_child_the_user_cannot_see_or_report_is_a_404(self, world, api):
        for key, child in [
            ("cw_a1", "b2"),
            ("sw_b", "a1"),
            ("police_1", "a1"),
            ("ri", "a1"),
            ("admin", "a1"),
        ]:
            response = api(world.users[key]).post(
                "/api/v1/episodes/", new_episode(world, child), format="json"
            )
            assert response.status_code == 404, key
        response = api(world.users["sw_a"]).post(
            "/api/v1/episodes/", {**new_episode(world), "child": 999999}, format="json"
        )
        assert response.status_code == 404
        assert not Episode.objects.exists()

    def test_a_second_open_episode_is_a_400(self, world, api):
        report(world)
        response = api(world.users["sw_a"]).post(
            "/api/v1/episodes/", new_episode(world), format="json"
        )
        assert response.status_code == 400
        assert "already has an open episode" in response.json()["message"]
        assert set(response.json()["fields"]) == {"last_seen_at"}

    def test_an_overlap_with_an_earlier_episode_is_a_400(self, world, api):
        earlier = report(world, last_seen_at=timezone.now() - timedelta(hours=10))
        back(world, earlier, returned_at=timezone.now() - timedelta(hours=4))
        data = new_episode(world, last_seen_at=(timezone.now() - timedelta(hours=6)).isoformat())
        response = api(world.users["cw_a1"]).post("/api/v1/episodes/", data, format="json")
        assert response.status_code == 400
        assert response.json()["fields"] == {
            "last_seen_at": ["This would overlap another episode of the child"]
        }

    @pytest.mark.parametrize(
        ("extra", "field"),
        [
            ({"last_seen_at": "2099-01-01T10:00:00Z"}, "last_seen_at"),
            ({"reported_to_police_at": "2099-01-01T10:00:00Z"}, "reported_to_police_at"),
            ({"reported_to_police_at": "2020-01-01T10:00:00Z"}, "reported_to_police_at"),
            ({"circumstances": "x" * 4001}, "circumstances"),
            ({"kind": "X"}, "kind"),
            ({"risk_grade": "extreme"}, "risk_grade"),
            ({"last_seen_where": ""}, "last_seen_where"),
        ],
    )
    def test_bad_input_is_a_400_naming_the_field(self, world, api, extra, field):
        response = api(world.users["cw_a1"]).post(
            "/api/v1/episodes/", new_episode(world, **extra), format="json"
        )
        assert response.status_code == 400
        body = response.json()
        assert set(body["fields"]) == {field}
        assert body["message"]
        assert not Episode.objects.exists()

    def test_a_missing_field_is_a_400_in_the_stable_shape(self, world, api):
        data = {k: v for k, v in new_episode(world).items() if k != "last_seen_at"}
        response = api(world.users["cw_a1"]).post("/api/v1/episodes/", data, format="json")
        assert response.status_code == 400
        assert response.json() == {
            "message": "last_seen_at: This field is required.",
            "fields": {"last_seen_at": ["This field is required."]},
        }


class TestEpisodeDetail:
    def url(self, episode, rest=""):
        return f"/api/v1/episodes/{episode.pk}/{rest}"

    def test_it_shows_the_episode_and_logs_the_view(self, world, episodes, api):
        episode = episodes["a1"]
        response = api(world.users["cw_a1"]).get(self.url(episode))
        assert response.status_code == 200
        body = response.json()
        assert body["clothing"] == "Red hoodie"
        assert body["child"]["id"] == world.children["a1"].pk
        assert 170 <= body["duration_minutes"] <= 190
        assert response["ETag"] == f'"{episode.version}"'
        log = AccessLog.objects.get(child=world.children["a1"])
        assert (log.kind, log.user, log.path) == (
            AccessLogKind.API,
            world.users["cw_a1"],
            self.url(episode),
        )

    def test_an_episode_out_of_scope_looks_missing_and_is_not_logged(self, world, episodes, api):
        for key, keys in VISIBLE_EPISODES.items():
            for child, episode in episodes.items():
                if child not in keys:
                    response = api(world.users[key]).get(self.url(episode))
                    assert response.status_code == 404, (key, child)
        assert api(world.users["sw_a"]).get("/api/v1/episodes/999999/").status_code == 404
        assert not AccessLog.objects.exists()

    def test_the_return_interviewer_gets_the_minimum_and_the_view_is_logged(
        self, world, episodes, api
    ):
        response = api(world.users["ri"]).get(self.url(episodes["a2"]))
        assert response.status_code == 200
        body = response.json()
        assert not DETAIL_ONLY & set(body)
        assert not {"return_method", "concerns", "reported_by", "appearance"} & set(body)
        assert body["returned_at"] is not None
        assert body["interview"]["is_overdue"] is False
        assert api_logs(world.children["a2"]) == 1

    def test_the_police_record_the_reference_and_risk_grade_with_if_match(
        self, world, episodes, api
    ):
        episode = episodes["a1"]
        response = api(world.users["police_1"]).patch(
            self.url(episode),
            {"police_reference": "NP-2025-0042", "risk_grade": "high"},
            format="json",
            **if_match(episode),
        )
        assert response.status_code == 200, response.json()
        assert response.json()["risk_grade"] == "high"
        assert response["ETag"] == f'"{episode.version + 1}"'
        grades = episode.updates.filter(category=UpdateCategory.RISK_GRADE)
        assert [(g.new_value, g.author) for g in grades] == [("high", world.users["police_1"])]

    def test_without_if_match_it_is_428(self, world, episodes, api):
        response = api(world.users["cw_a1"]).patch(
            self.url(episodes["a1"]), {"clothing": "Blue coat"}, format="json"
        )
        assert response.status_code == 428
        assert set(response.json()["fields"]) == {"If-Match"}

    def test_a_stale_version_is_412_and_nothing_is_overwritten(self, world, episodes, api):
        episode = episodes["a1"]
        first = api(world.users["hm_a1"]).patch(
            self.url(episode), {"clothing": "Blue coat"}, format="json", **if_match(episode)
        )
        assert first.status_code == 200
        response = api(world.users["cw_a1"]).patch(
            self.url(episode), {"clothing": "Green coat"}, format="json", **if_match(episode)
        )
        assert response.status_code == 412
        assert response.json()["message"].startswith("Test Home manager changed this record")
        episode.refresh_from_db()
        assert episode.clothing == "Blue coat"

    def test_bad_changes_are_a_400(self, world, episodes, api):
        episode = episodes["a1"]
        client = api(world.users["cw_a1"])
        for data, field in [
            ({"last_seen_at": "2099-01-01T00:00:00Z"}, "last_seen_at"),
            ({"clothing": "x" * 1001}, "clothing"),
            ({"police_reference": "x" * 51}, "police_reference"),
        ]:
            response = client.patch(self.url(episode), data, format="json", **if_match(episode))
            assert response.status_code == 400, data
            assert set(response.json()["fields"]) == {field}

    def test_people_who_see_it_but_may_not_change_it_get_404(self, world, episodes, api):
        episode = episodes["a2"]
        response = api(world.users["ri"]).patch(
            self.url(episode), {"clothing": "X"}, format="json", **if_match(episode)
        )
        assert response.status_code == 404


class TestReturn:
    def url(self, episode):
        return f"/api/v1/episodes/{episode.pk}/return/"

    def data(self, **extra):
        returned = (timezone.now() - timedelta(minutes=10)).isoformat()
        return {"returned_at": returned, "return_method": "found_by_police"} | extra

    def test_care_staff_record_the_return_and_the_interview_clock_starts(
        self, world, episodes, api
    ):
        episode = episodes["a1"]
        response = api(world.users["cw_a1"]).post(
            self.url(episode),
            self.data(found_postcode="ne18aa"),
            format="json",
            **if_match(episode),
        )
        assert response.status_code == 200, response.json()
        body = response.json()
        assert body["is_open"] is False
        assert body["found_postcode"] == "NE1 8AA"
        assert body["return_recorded_by"]["id"] == world.users["cw_a1"].pk
        assert body["interview"]["assigned_to"] is None
        assert response["ETag"] == f'"{episode.version + 1}"'
        episode.refresh_from_db()
        interview = ReturnInterview.objects.get(episode=episode)
        assert interview.due_at - episode.returned_at == timedelta(hours=72)

    def test_if_match_is_required_and_checked(self, world, episodes, api):
        episode = episodes["a1"]
        client = api(world.users["cw_a1"])
        assert client.post(self.url(episode), self.data(), format="json").status_code == 428
        stale = {"HTTP_IF_MATCH": f'"{episode.version + 3}"'}
        assert (
            client.post(self.url(episode), self.data(), format="json", **stale).status_code == 412
        )
        assert Episode.objects.get(pk=episode.pk).is_open

    @pytest.mark.parametrize(
        ("extra", "field"),
        [
            ({"returned_at": "2020-01-01T10:00:00Z"}, "returned_at"),  # before last seen
            ({"returned_at": "2099-01-01T10:00:00Z"}, "returned_at"),
            ({"found_postcode": "NOPE"}, "found_postcode"),
            ({"return_method": "teleported"}, "return_method"),
            ({"concerns": "x" * 4001}, "concerns"),
        ],
    )
    def test_bad_input_is_a_400(self, world, episodes, api, extra, field):
        episode = episodes["a1"]
        response = api(world.users["cw_a1"]).post(
            self.url(episode), self.data(**extra), format="json", **if_match(episode)
        )
        assert response.status_code == 400
        assert set(response.json()["fields"]) == {field}
        assert Episode.objects.get(pk=episode.pk).is_open

    def test_a_second_return_is_a_400(self, world, episodes, api):
        episode = episodes["a2"]
        response = api(world.users["cw_b1"]).post(
            self.url(episode), self.data(), format="json", **if_match(episode)
        )
        assert response.status_code == 400
        assert set(response.json()["fields"]) == {"returned_at"}

    def test_police_out_of_the_area_and_other_homes_do_not_record_returns(
        self, world, episodes, api
    ):
        episode = episodes["a1"]
        response = api(world.users["police_2"]).post(
            self.url(episode), self.data(), format="json", **if_match(episode)
        )
        assert response.status_code == 404
        response = api(world.users["cw_b1"]).post(
            self.url(episode), self.data(), format="json", **if_match(episode)
        )
        assert response.status_code == 404


class TestTimeline:
    def url(self, episode):
        return f"/api/v1/episodes/{episode.pk}/updates/"

    def test_it_lists_the_timeline_newest_first_and_logs_the_view(self, world, episodes, api):
        episode = episodes["a1"]
        services.episode_add_update(
            actor=world.users["cw_a1"],
            episode=episode,
            category=UpdateCategory.CALL,
            text="Rang her phone, no answer",
            happened_at=timezone.now() - timedelta(hours=2),
        )
        response = api(world.users["police_1"]).get(self.url(episode))
        assert response.status_code == 200
        rows = response.json()["results"]
        assert [row["category"] for row in rows] == ["reported", "call"]
        assert rows[1]["author"]["id"] == world.users["cw_a1"].pk
        assert api_logs(world.children["a1"]) == 1

    def test_the_police_add_a_sighting(self, world, episodes, api):
        episode = episodes["a1"]
        response = api(world.users["police_1"]).post(
            self.url(episode),
            {"category": "sighting", "text": "Seen at the bus station"},
            format="json",
        )
        assert response.status_code == 201, response.json()
        assert response.json()["author"]["id"] == world.users["police_1"].pk
        assert episode.updates.filter(category=UpdateCategory.SIGHTING).count() == 1

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"category": "sighting", "text": ""}, "text"),
            ({"category": "return", "text": "Back"}, "category"),
            (
                {"category": "note", "text": "x", "happened_at": "2099-01-01T00:00:00Z"},
                "happened_at",
            ),
            (
                {"category": "note", "text": "x", "happened_at": "2020-01-01T00:00:00Z"},
                "happened_at",
            ),
        ],
    )
    def test_bad_updates_are_a_400(self, world, episodes, api, data, field):
        response = api(world.users["cw_a1"]).post(self.url(episodes["a1"]), data, format="json")
        assert response.status_code == 400
        assert set(response.json()["fields"]) == {field}

    def test_return_interviewers_neither_read_nor_add_to_the_timeline(self, world, episodes, api):
        client = api(world.users["ri"])
        assert client.get(self.url(episodes["a2"])).status_code == 404
        response = client.post(
            self.url(episodes["a2"]), {"category": "note", "text": "x"}, format="json"
        )
        assert response.status_code == 404
        assert not AccessLog.objects.exists()

    @pytest.mark.parametrize("count", [1, 20])
    def test_it_costs_the_same_queries_for_1_or_20_updates(
        self, world, api, django_assert_num_queries, count
    ):
        episode = report(world)
        for n in range(count - 1):  # the report is the first entry
            services.episode_add_update(
                actor=world.users["cw_a1"], episode=episode, category="note", text=f"Note {n}"
            )
        client = api(world.users["cw_a1"])
        # 1. the token and its user; 2. the episode, through the access scope; 3. the
        # access-log row; 4. COUNT of updates; 5. the page with authors.
        with django_assert_num_queries(5):
            response = client.get(self.url(episode))
        assert response.json()["count"] == count


class TestInterview:
    def url(self, episode, rest=""):
        return f"/api/v1/episodes/{episode.pk}/interview/{rest}"

    def held(self, **extra):
        return {
            "offered_at": (timezone.now() - timedelta(minutes=20)).isoformat(),
            "outcome": "accepted",
            "held_at": (timezone.now() - timedelta(minutes=10)).isoformat(),
            "held_by": "Test Return interviewer",
            "independent_of_home": True,
            "push_factors": "Arguments at the home",
        } | extra

    def test_there_is_none_while_the_episode_is_open(self, world, episodes, api):
        client = api(world.users["sw_a"])
        assert client.get(self.url(episodes["a1"])).status_code == 404
        response = client.post(
            self.url(episodes["a1"], "assign/"), {"interviewer": world.users["ri"].pk}
        )
        assert response.status_code == 404

    def test_it_shows_the_interview_with_its_clock_and_logs_the_view(self, world, episodes, api):
        episode = episodes["a2"]
        response = api(world.users["ri"]).get(self.url(episode))
        assert response.status_code == 200
        body = response.json()
        interview = episode.interview
        assert body["id"] == interview.pk
        assert body["assigned_to"]["id"] == world.users["ri"].pk
        assert body["is_overdue"] is False
        assert response["ETag"] == f'"{interview.version}"'
        assert api_logs(world.children["a2"]) == 1

    def test_the_case_holder_assigns_it(self, world, episodes, api):
        episode = episodes["a1"]
        back(world, episode)
        other = world.users["ri"]
        response = api(world.users["sw_a"]).post(
            self.url(episode, "assign/"), {"interviewer": other.pk}, format="json"
        )
        assert response.status_code == 200, response.json()
        assert response.json()["assigned_to"]["id"] == other.pk
        # The interviewer now sees the episode.
        assert api(other).get(f"/api/v1/episodes/{episode.pk}/").status_code == 200

    def test_only_a_return_interviewer_can_be_assigned(self, world, episodes, api):
        response = api(world.users["sw_a"]).post(
            self.url(episodes["a2"], "assign/"),
            {"interviewer": world.users["cw_a1"].pk},
            format="json",
        )
        assert response.status_code == 400
        assert set(response.json()["fields"]) == {"interviewer"}

    def test_care_staff_and_police_do_not_assign(self, world, episodes, api):
        for key in ["cw_b1", "police_1", "ri"]:
            response = api(world.users[key]).post(
                self.url(episodes["a2"], "assign/"),
                {"interviewer": world.users["ri"].pk},
                format="json",
            )
            assert response.status_code == 404, key

    def test_the_assigned_interviewer_records_it_with_if_match(self, world, episodes, api):
        interview = episodes["a2"].interview
        client = api(world.users["ri"])
        url = self.url(episodes["a2"])
        assert client.patch(url, self.held(), format="json").status_code == 428
        response = client.patch(url, self.held(), format="json", **if_match(interview))
        assert response.status_code == 200, response.json()
        body = response.json()
        assert body["outcome"] == "accepted"
        assert body["recorded_by"]["id"] == world.users["ri"].pk
        assert response["ETag"] == f'"{interview.version + 1}"'
        stale = client.patch(url, {"cse_concern": True}, format="json", **if_match(interview))
        assert stale.status_code == 412

    @pytest.mark.parametrize(
        ("extra", "field"),
        [
            ({"held_at": None}, "held_at"),
            ({"held_by": ""}, "held_by"),
            ({"outcome": "declined", "outcome_reason": ""}, "outcome_reason"),
            ({"held_at": "2020-01-01T10:00:00Z"}, "held_at"),  # before the return
            ({"offered_at": "2099-01-01T10:00:00Z"}, "offered_at"),
            ({"disclosures": "x" * 8001}, "disclosures"),
        ],
    )
    def test_an_incomplete_record_is_a_400(self, world, episodes, api, extra, field):
        interview = episodes["a2"].interview
        response = api(world.users["ri"]).patch(
            self.url(episodes["a2"]), self.held(**extra), format="json", **if_match(interview)
        )
        assert response.status_code == 400
        assert set(response.json()["fields"]) == {field}

    def test_the_offer_alone_may_be_recorded(self, world, episodes, api):
        interview = episodes["a2"].interview
        offered = (timezone.now() - timedelta(minutes=20)).isoformat()
        response = api(world.users["ri"]).patch(
            self.url(episodes["a2"]), {"offered_at": offered}, format="json", **if_match(interview)
        )
        assert response.status_code == 200, response.json()

    def test_people_who_may_not_record_it_get_404(self, world, episodes, api):
        interview = episodes["a2"].interview
        for key in ["cw_b1", "police_1", "sw_b"]:
            response = api(world.users[key]).patch(
                self.url(episodes["a2"]), self.held(), format="json", **if_match(interview)
            )
            assert response.status_code == 404, key


class TestVisits:
    def url(self, episode):
        return f"/api/v1/episodes/{episode.pk}/visits/"

    def data(self, **extra):
        visited = (timezone.now() - timedelta(minutes=5)).isoformat()
        return {
            "visited_at": visited,
            "officer_name": "PC Test 1234",
            "location": "The home",
            "outcome": "Safe and well; no injuries",
        } | extra

    def test_the_forces_officer_records_a_visit_and_it_is_listed(self, world, episodes, api):
        episode = episodes["a2"]
        client = api(world.users["police_1"])
        response = client.post(self.url(episode), self.data(), format="json")
        assert response.status_code == 201, response.json()
        assert response.json()["officer"]["id"] == world.users["police_1"].pk
        rows = api(world.users["sw_a"]).get(self.url(episode)).json()["results"]
        assert [row["officer_name"] for row in rows] == ["PC Test 1234"]
        assert api_logs(world.children["a2"]) == 1

    def test_others_cannot_record_visits(self, world, episodes, api):
        for key in ["police_2", "sw_a", "cw_b1", "ri"]:
            response = api(world.users[key]).post(
                self.url(episodes["a2"]), self.data(), format="json"
            )
            assert response.status_code == 404, key

    def test_return_interviewers_do_not_see_visits(self, world, episodes, api):
        assert api(world.users["ri"]).get(self.url(episodes["a2"])).status_code == 404

    @pytest.mark.parametrize(
        ("child", "extra", "field"),
        [
            ("a1", {}, "visited_at"),  # still missing
            ("a2", {"visited_at": "2020-01-01T10:00:00Z"}, "visited_at"),  # before the return
            ("a2", {"visited_at": "2099-01-01T10:00:00Z"}, "visited_at"),
            ("a2", {"outcome": ""}, "outcome"),
        ],
    )
    def test_bad_visits_are_a_400(self, world, episodes, api, child, extra, field):
        response = api(world.users["police_1"]).post(
            self.url(episodes[child]), self.data(**extra), format="json"
        )
        assert response.status_code == 400
        assert set(response.json()["fields"]) == {field}

    @pytest.mark.parametrize("count", [1, 20])
    def test_it_costs_the_same_queries_for_1_or_20_visits(
        self, world, api, django_assert_num_queries, count
    ):
        episode = report(world)
        episode = back(world, episode, returned_at=timezone.now() - timedelta(hours=2))
        for n in range(count):
            services.visit_record(
                actor=world.users["police_1"],
                episode=episode,
                visited_at=timezone.now() - timedelta(minutes=n + 1),
                officer_name="PC Test",
                location="The home",
                outcome="Safe",
            )
        client = api(world.users["police_1"])
        # 1. the token and its user; 2. the episode, through the access scope; 3. the
        # access-log row; 4. COUNT of visits; 5. the page with officers.
        with django_assert_num_queries(5):
            response = client.get(self.url(episode))
        assert response.json()["count"] == count

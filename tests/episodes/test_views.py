"""Episode pages: reporting a child missing, the episode page, its forms, the missing-now board
and the return interviews list. State is built through the services (tests.world: a1 lives at
home A1 with care worker cw_a1; force 1 covers homes A1, P1 and B1); each page is tried
anonymous, out of scope, forbidden, permitted, with bad input and, for versioned records, with a
stale version."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from apps.accounts.models import OrganisationKind, Role
from apps.children import services as children
from apps.children.models import AccessLog, AccessLogKind
from apps.core.forms import parse_clock
from apps.episodes import services
from apps.episodes.models import Episode, EpisodeUpdate, ReturnInterview, SafeAndWellVisit
from apps.homes import services as homes
from tests.factories import OrganisationFactory, make_user
from tests.world import place_children

pytestmark = pytest.mark.django_db

SIGN_IN = "/account/sign-in/"
LONDON = ZoneInfo("Europe/London")
SCRIPT = "<script>alert('x')</script>"
ESCAPED = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"


def body(response) -> str:
    return response.content.decode()


def when(name: str, moment: datetime) -> dict:
    """The four boxes of a date-and-time question, in UK time."""
    local = timezone.localtime(moment)
    return {
        f"{name}_day": local.day,
        f"{name}_month": local.month,
        f"{name}_year": local.year,
        f"{name}_time": f"{local:%H:%M}",
    }


def no_time(name: str) -> dict:
    return {f"{name}_{part}": "" for part in ("day", "month", "year", "time")}


def report(world, child="a1", user="cw_a1", hours_ago=3, **extra) -> Episode:
    fields = {
        "kind": "M",
        "last_seen_at": timezone.now() - timedelta(hours=hours_ago),
        "last_seen_where": "Outside the home",
    }
    return services.episode_open(
        actor=world.users[user], child=world.children[child], **(fields | extra)
    )


def back(world, episode, user="cw_a1", minutes_ago=5, **extra) -> Episode:
    episode.refresh_from_db()
    fields = {
        "returned_at": timezone.now() - timedelta(minutes=minutes_ago),
        "return_method": "own_accord",
    }
    return services.episode_record_return(
        actor=world.users[user], episode=episode, expected_version=episode.version, **fields | extra
    )


def assign(world, episode, by="sw_a", to="ri"):
    return services.interview_assign(
        actor=world.users[by],
        interview=ReturnInterview.objects.get(episode=episode),
        interviewer=world.users[to],
    )


def logged(user, child) -> int:
    return AccessLog.objects.filter(user=user, child=child, kind=AccessLogKind.RECORD).count()


# Reporting -----------------------------------------------------------------------------------


class TestReport:
    def url(self, child):
        return f"/episodes/report/{child.pk}/"

    def data(self, **overrides) -> dict:
        data = {
            "kind": "M",
            **when("last_seen_at", timezone.now() - timedelta(minutes=30)),
            "last_seen_where": "Bus station, Market Street",
            **no_time("reported_to_police_at"),
        }
        data.update(overrides)
        return data

    def test_it_is_missing_for_a_child_the_user_cannot_see(self, world, signed_in):
        client = signed_in(world.users["cw_a1"])
        assert client.get(self.url(world.children["b1"])).status_code == 404
        assert client.post(self.url(world.children["b1"]), self.data()).status_code == 404
        assert client.get("/episodes/report/999999/").status_code == 404

    def test_police_who_see_the_child_may_report_them(self, world, signed_in):
        # Police see a1's record through a grant; they may learn first (issue 13).
        episode = report(world)
        back(world, episode)
        grant_police(world, "a1")
        client = signed_in(world.users["police_1"])
        assert client.get(f"/children/{world.children['a1'].pk}/").status_code == 200
        assert client.get(self.url(world.children["a1"])).status_code == 200
        assert client.post(self.url(world.children["a1"]), self.data()).status_code != 404
        other = signed_in(world.users["police_2"])
        assert other.get(self.url(world.children["a1"])).status_code == 404

    def test_it_is_one_screen_with_three_questions_and_the_rest_folded_away(self, world, signed_in):
        moment = datetime(2026, 11, 23, 2, 5, 40, tzinfo=LONDON)
        with time_machine.travel(moment, tick=False):
            html = body(signed_in(world.users["cw_a1"]).get(self.url(world.children["a1"])))
        assert html.count("<h1") == 1
        assert "Is the child missing or away?" in html
        assert "Nobody knows where they are." in html  # the hints come from the definitions
        assert "coming back later than agreed" in html
        # Last seen defaults to now, to the minute, in UK time.
        for name, value in [("day", "23"), ("month", "11"), ("year", "2026"), ("time", "02:05")]:
            assert f'name="last_seen_at_{name}" value="{value}"' in html
        folded = html.split('<details class="govuk-details">')[1].split("</details>")[0]
        assert "Add more now (you can add these later)" in folded
        for name in ["last_seen_with", "clothing", "police_reference", "risk_grade"]:
            assert f'name="{name}"' in folded
        required = html.split('<details class="govuk-details">')[0]
        for name in ["kind", "last_seen_at_day", "last_seen_at_time", "last_seen_where"]:
            assert f'name="{name}"' in required

    def test_a_care_worker_reports_a_child_missing(self, world, signed_in):
        child = world.children["a1"]
        client = signed_in(world.users["cw_a1"])
        response = client.post(self.url(child), self.data())
        episode = Episode.objects.get(child=child)
        assert response.status_code == 302
        assert response["Location"] == f"/episodes/{episode.pk}/next-steps/"
        html = body(client.get(response["Location"]))
        assert "ChildA1 Test has been reported missing." in html
        assert (episode.kind, episode.home, episode.reported_by) == (
            "M",
            world.homes["A1"],
            world.users["cw_a1"],
        )
        assert episode.last_seen_where == "Bus station, Market Street"

    def test_the_details_folded_away_are_saved_too(self, world, signed_in):
        child = world.children["a1"]
        reported = timezone.now() - timedelta(minutes=10)
        signed_in(world.users["sw_a"]).post(
            self.url(child),
            self.data(
                kind="A",
                last_seen_with="Two older boys",
                clothing="Red hoodie",
                police_reference="NP-2026-1234",
                risk_grade="medium",
                **when("reported_to_police_at", reported),
            ),
        )
        episode = Episode.objects.get(child=child)
        assert (episode.kind, episode.clothing, episode.police_reference) == (
            "A",
            "Red hoodie",
            "NP-2026-1234",
        )
        assert episode.risk_grade == "medium"
        assert episode.reported_to_police_at == reported.replace(second=0, microsecond=0)

    @pytest.mark.parametrize(
        ("typed", "read_as"), [("2305", "23:05"), ("23.05", "23:05"), ("11pm", "23:00")]
    )
    def test_the_time_may_be_typed_on_a_number_pad(self, world, signed_in, typed, read_as):
        yesterday = timezone.localdate() - timedelta(days=1)
        data = self.data(
            last_seen_at_day=yesterday.day,
            last_seen_at_month=yesterday.month,
            last_seen_at_year=yesterday.year,
            last_seen_at_time=typed,
        )
        signed_in(world.users["cw_a1"]).post(self.url(world.children["a1"]), data)
        seen = timezone.localtime(Episode.objects.get().last_seen_at)
        assert (seen.date(), f"{seen:%H:%M}") == (yesterday, read_as)

    @pytest.mark.parametrize(
        ("overrides", "message"),
        [
            ({"kind": ""}, "Select whether the child is missing or away"),
            ({"last_seen_where": ""}, "Enter where the child was last seen"),
            (no_time("last_seen_at"), "Enter when the child was last seen"),
            ({"last_seen_at_time": "25:99"}, "must be a real time, like 23:05"),
            ({"last_seen_at_time": ""}, "When were they last seen? must include a time"),
            ({"last_seen_at_month": "13"}, "When were they last seen? must be a real date"),
            ({"last_seen_where": "x" * 301}, "must be 300 characters or fewer"),
            ({"police_reference": "x" * 51}, "Police reference must be 50 characters or fewer"),
            ({"risk_grade": "extreme"}, "Select a valid choice"),
        ],
    )
    def test_bad_input_is_shown_and_nothing_is_saved(self, world, signed_in, overrides, message):
        typed = "Near the canal bridge"
        data = self.data(**({"last_seen_where": typed} | overrides))
        response = signed_in(world.users["cw_a1"]).post(self.url(world.children["a1"]), data)
        assert response.status_code == 200
        html = body(response)
        assert "There is a problem" in html
        assert message in html
        if "last_seen_where" not in overrides:
            assert f'value="{typed}"' in html  # what was typed is kept
        assert not Episode.objects.exists()

    def test_a_time_in_the_future_is_refused_by_the_service(self, world, signed_in):
        data = self.data(**when("last_seen_at", timezone.now() + timedelta(hours=2)))
        response = signed_in(world.users["cw_a1"]).post(self.url(world.children["a1"]), data)
        assert response.status_code == 200
        assert "The time last seen must be now or in the past" in body(response)
        assert not Episode.objects.exists()

    def test_an_error_in_the_folded_details_opens_them(self, world, signed_in):
        data = self.data(police_reference="x" * 51)
        html = body(signed_in(world.users["cw_a1"]).post(self.url(world.children["a1"]), data))
        assert '<details class="govuk-details" open>' in html
        assert 'href="#id_police_reference"' in html

    def test_a_second_open_episode_is_refused(self, world, signed_in):
        report(world)
        response = signed_in(world.users["sw_a"]).post(self.url(world.children["a1"]), self.data())
        assert response.status_code == 200
        assert "There is a problem" in body(response)
        assert "This child already has an open episode" in body(response)
        assert Episode.objects.count() == 1

    def test_a_child_already_missing_is_sent_to_the_open_episode(self, world, signed_in):
        episode = report(world)
        html = body(signed_in(world.users["cw_a1"]).get(self.url(world.children["a1"])))
        assert "ChildA1 Test is already recorded as missing" in html
        assert f'href="/episodes/{episode.pk}/"' in html
        assert 'name="last_seen_where"' not in html

    def test_a_child_with_no_placement_cannot_be_reported(self, world, signed_in):
        response = signed_in(world.users["sw_a"]).post(self.url(world.children["ax"]), self.data())
        assert response.status_code == 200
        assert "This child has no current placement" in body(response)
        assert not Episode.objects.exists()

    def test_html_typed_in_is_shown_escaped(self, world, signed_in):
        client = signed_in(world.users["cw_a1"])
        client.post(self.url(world.children["a1"]), self.data(last_seen_where=SCRIPT))
        html = body(client.get(f"/episodes/{Episode.objects.get().pk}/"))
        assert ESCAPED in html
        assert SCRIPT not in html

    def test_a_get_writes_the_access_log(self, world, signed_in):
        user, child = world.users["cw_a1"], world.children["a1"]
        signed_in(user).get(self.url(child))
        assert logged(user, child) == 1


def grant_police(world, key, officer="police_1"):
    children.police_grant_create(
        actor=world.users["sw_a"],
        child=world.children[key],
        officer=world.users[officer],
        reason="Investigation",
        expires_at=timezone.now() + timedelta(days=2),
    )


class TestReportButtons:
    def test_the_child_summary_offers_report_missing_to_those_who_may(self, world, signed_in):
        child = world.children["a1"]
        button = f'href="/episodes/report/{child.pk}/"'
        for who in ["cw_a1", "hm_a1", "sw_a", "sm_a"]:
            html = body(signed_in(world.users[who]).get(f"/children/{child.pk}/"))
            assert button in html, who
            assert "govuk-button--warning" in html
        grant_police(world, "a1")  # police who see the child may report them too (issue 13)
        police = body(signed_in(world.users["police_1"]).get(f"/children/{child.pk}/"))
        assert button in police
        assert f'href="/episodes/child/{child.pk}/"' in police
        assert button not in body(signed_in(world.users["admin"]).get(f"/children/{child.pk}/"))

    def test_the_home_page_offers_report_missing_next_to_each_child(self, world, signed_in):
        html = body(signed_in(world.users["cw_b1"]).get(f"/homes/{world.homes['B1'].pk}/"))
        for key in ["a2", "b1"]:
            assert f'href="/episodes/report/{world.children[key].pk}/"' in html
        assert 'Report missing<span class="govuk-visually-hidden">: ChildA2 Test</span>' in html


# The episode page ----------------------------------------------------------------------------


class TestDetail:
    def url(self, episode):
        return f"/episodes/{episode.pk}/"

    @pytest.mark.parametrize("who", ["cw_b1", "sw_b", "police_2", "ri", "admin"])
    def test_it_is_missing_for_those_who_cannot_see_the_episode(self, world, signed_in, who):
        episode = report(world)
        assert signed_in(world.users[who]).get(self.url(episode)).status_code == 404

    def test_an_unknown_episode_is_missing(self, world, signed_in):
        assert signed_in(world.users["cw_a1"]).get("/episodes/999999/").status_code == 404

    def test_it_shows_the_report_philomena_part_2_and_the_timeline(self, world, signed_in):
        seen = datetime(2026, 11, 22, 23, 40, tzinfo=LONDON)
        with time_machine.travel(datetime(2026, 11, 23, 2, 5, tzinfo=LONDON), tick=False):
            episode = services.episode_open(
                actor=world.users["cw_a1"],
                child=world.children["a1"],
                kind="M",
                last_seen_at=seen,
                last_seen_where="Bus station",
                last_seen_with="Two older boys",
                clothing="Red hoodie",
                police_reference="NP-1",
                risk_grade="medium",
            )
            services.episode_update(
                actor=world.users["police_1"],
                episode=episode,
                expected_version=1,
                risk_grade="high",
            )
            html = body(signed_in(world.users["sw_a"]).get(self.url(episode)))
        assert html.count("<h1") == 1
        for text in [
            "ChildA1 Test",
            "Missing</strong>",
            "Overnight</strong>",
            "22 Nov 2026, 11:40pm",
            "Bus station",
            "Two older boys",
            "Red hoodie",
            "NP-1",
            "High</strong>",
            "Home A1",
            "2 hours 25 minutes",
            "Philomena part 2",
            world.users["cw_a1"].full_name,
        ]:
            assert text in html, text
        timeline = html.split('data-testid="timeline"')[1].split("</ol>")[0]
        # Newest first: the police's change of grade, the grade at the report, the report.
        assert timeline.index("Medium <span") < timeline.index("Reported")
        assert 'Medium <span aria-hidden="true">→</span>' in timeline
        assert world.users["police_1"].full_name in timeline

    def test_buttons_follow_what_the_user_may_do(self, world, signed_in):
        episode = report(world)
        url = self.url(episode)
        ret, update = f"/episodes/{episode.pk}/return/", f"/episodes/{episode.pk}/updates/new/"
        visit = f"/episodes/{episode.pk}/visits/new/"
        carer = body(signed_in(world.users["cw_a1"]).get(url))
        assert ret in carer and update in carer and visit not in carer
        police = body(signed_in(world.users["police_1"]).get(url))
        assert update in police and ret in police and visit not in police
        back(world, episode)
        police = body(signed_in(world.users["police_1"]).get(url))
        assert visit in police and ret not in police
        assert f"/episodes/{episode.pk}/interview/assign/" not in police

    def test_the_interview_tag_counts_down_then_up(self, world, signed_in):
        start = datetime(2026, 11, 20, 12, 0, tzinfo=LONDON)
        with time_machine.travel(start, tick=False):
            episode = report(world)
            back(world, episode, minutes_ago=60)  # due 71 hours from now
        for hours, tag in [(66, "Due in 5 hours"), (73, "Overdue by 2 hours")]:
            with time_machine.travel(start + timedelta(hours=hours), tick=False):
                assert tag in body(signed_in(world.users["sw_a"]).get(self.url(episode)))

    def test_a_return_interviewer_sees_only_the_name_the_dates_and_the_interview(
        self, world, signed_in
    ):
        episode = report(world, clothing="Red hoodie", police_reference="NP-9")
        back(world, episode)
        assign(world, episode)
        response = signed_in(world.users["ri"]).get(self.url(episode))
        assert response.status_code == 200
        html = body(response)
        assert "ChildA1 Test" in html
        assert "Return interview" in html
        assert f"/episodes/{episode.pk}/interview/" in html
        for hidden in ["Outside the home", "Red hoodie", "NP-9", "Philomena", "Home A1"]:
            assert hidden not in html, hidden
        assert 'data-testid="episode-kind"' not in html  # not even missing or away
        assert f"/children/{world.children['a1'].pk}/" not in html

    def test_a_get_writes_the_access_log(self, world, signed_in):
        episode = report(world)
        user = world.users["police_1"]
        signed_in(user).get(self.url(episode))
        assert logged(user, episode.child) == 1


# Updates -------------------------------------------------------------------------------------


class TestUpdateAdd:
    def url(self, episode):
        return f"/episodes/{episode.pk}/updates/new/"

    def test_it_is_missing_out_of_scope_and_for_return_interviewers(self, world, signed_in):
        episode = report(world)
        assert signed_in(world.users["cw_b1"]).get(self.url(episode)).status_code == 404
        back(world, episode)
        assign(world, episode)
        client = signed_in(world.users["ri"])
        assert client.get(f"/episodes/{episode.pk}/").status_code == 200  # sees it
        assert client.get(self.url(episode)).status_code == 404  # may not add to it
        assert client.post(self.url(episode), {"category": "note", "text": "x"}).status_code == 404

    def test_police_add_a_sighting_to_the_timeline(self, world, signed_in):
        episode = report(world)
        client = signed_in(world.users["police_1"])
        response = client.post(
            self.url(episode),
            {
                "category": "sighting",
                "text": f"Seen near the park {SCRIPT}",
                **no_time("happened_at"),
            },
        )
        assert response.status_code == 302
        html = body(client.get(response["Location"]))
        assert "Your update has been added to the timeline." in html
        assert "Sighting" in html
        assert f"Seen near the park {ESCAPED}" in html
        assert SCRIPT not in html
        update = EpisodeUpdate.objects.get(episode=episode, category="sighting")
        assert update.author == world.users["police_1"]

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"category": "", "text": "x"}, "Select what kind of update it is"),
            ({"category": "note", "text": ""}, "Enter what happened"),
            ({"category": "note", "text": "x" * 4001}, "must be 4000 characters or fewer"),
            ({"category": "return", "text": "x"}, "Select a valid choice"),
        ],
    )
    def test_bad_input_is_shown_and_nothing_is_saved(self, world, signed_in, data, message):
        episode = report(world)
        response = signed_in(world.users["cw_a1"]).post(
            self.url(episode), {**data, **no_time("happened_at")}
        )
        assert response.status_code == 200
        assert "There is a problem" in body(response)
        assert message in body(response)
        assert episode.updates.count() == 1  # only "Reported"

    def test_a_time_in_the_future_is_refused(self, world, signed_in):
        episode = report(world)
        data = {
            "category": "call",
            "text": "Rang",
            **when("happened_at", timezone.now() + timedelta(hours=1)),
        }
        response = signed_in(world.users["cw_a1"]).post(self.url(episode), data)
        assert "The time must be now or in the past" in body(response)
        assert episode.updates.count() == 1


# Changing the report -------------------------------------------------------------------------


def edit_data(episode: Episode, **overrides) -> dict:
    data = {
        "kind": episode.kind,
        **when("last_seen_at", episode.last_seen_at),
        "last_seen_where": episode.last_seen_where,
        "last_seen_with": episode.last_seen_with,
        "clothing": episode.clothing,
        "appearance": episode.appearance,
        "circumstances": episode.circumstances,
        **no_time("reported_to_police_at"),
        "police_reference": episode.police_reference,
        "risk_grade": episode.risk_grade,
        "version": str(episode.version),
    }
    data.update(overrides)
    return data


class TestEdit:
    def url(self, episode):
        return f"/episodes/{episode.pk}/edit/"

    def test_it_is_missing_out_of_scope_and_for_return_interviewers(self, world, signed_in):
        episode = report(world)
        assert signed_in(world.users["sw_b"]).get(self.url(episode)).status_code == 404
        back(world, episode)
        assign(world, episode)
        assert signed_in(world.users["ri"]).get(self.url(episode)).status_code == 404

    def test_police_change_the_grade_and_reference(self, world, signed_in):
        episode = report(world, risk_grade="medium")
        client = signed_in(world.users["police_1"])
        response = client.post(
            self.url(episode),
            edit_data(
                episode,
                kind="A",
                risk_grade="high",
                police_reference="NP-77",
                suspected_sexual_exploitation="on",
            ),
        )
        assert response.status_code == 302
        html = body(client.get(response["Location"]))
        assert "The report has been updated." in html
        episode.refresh_from_db()
        assert (episode.kind, episode.risk_grade) == ("A", "high")
        assert episode.police_reference == "NP-77"
        assert episode.suspected_sexual_exploitation
        timeline = html.split('data-testid="timeline"')[1]
        assert "Medium <span" in timeline and "High" in timeline
        assert "Missing <span" in timeline
        assert "Away from placement without authorisation" in timeline

    def test_saving_unchanged_keeps_the_stored_seconds(self, world, signed_in):
        episode = report(world)
        stored = episode.last_seen_at
        assert stored.second or stored.microsecond  # the service stored it to the microsecond
        signed_in(world.users["cw_a1"]).post(self.url(episode), edit_data(episode))
        episode.refresh_from_db()
        assert episode.last_seen_at == stored

    def test_bad_input_is_shown_and_nothing_is_saved(self, world, signed_in):
        episode = report(world)
        client = signed_in(world.users["cw_a1"])
        future = edit_data(episode, **when("last_seen_at", timezone.now() + timedelta(hours=3)))
        response = client.post(self.url(episode), future)
        assert "There is a problem" in body(response)
        assert "The time last seen must be now or in the past" in body(response)
        long = edit_data(episode, circumstances="x" * 4001)
        assert "must be 4000 characters or fewer" in body(client.post(self.url(episode), long))
        episode.refresh_from_db()
        assert (episode.version, episode.circumstances) == (1, "")

    def test_a_stale_edit_names_who_changed_it_and_overwrites_nothing(self, world, signed_in):
        episode = report(world)
        loaded = edit_data(episode)
        officer = world.users["police_1"]
        services.episode_update(
            actor=officer, episode=episode, expected_version=1, police_reference="NP-NEWER"
        )
        response = signed_in(world.users["cw_a1"]).post(
            self.url(episode), {**loaded, "clothing": "Typed by the carer"}
        )
        assert response.status_code == 200
        html = body(response)
        assert "There is a problem" in html
        assert f"{officer.full_name} changed this record at" in html
        assert "Typed by the carer" in html  # what they typed is kept
        assert "NP-NEWER" in html  # the latest saved version is shown
        assert 'name="version" value="2"' in html
        episode.refresh_from_db()
        assert (episode.police_reference, episode.clothing, episode.version) == ("NP-NEWER", "", 2)


# The return ----------------------------------------------------------------------------------


def return_data(episode, **overrides) -> dict:
    data = {
        **when("returned_at", timezone.now() - timedelta(minutes=10)),
        "return_method": "found_by_police",
        "found_where": "Friend's flat",
        "found_postcode": "",
        "returned_with": "",
        "condition": "",
        "concerns": "",
        "version": str(episode.version),
    }
    data.update(overrides)
    return data


class TestReturn:
    def url(self, episode):
        return f"/episodes/{episode.pk}/return/"

    def test_it_is_missing_out_of_scope_for_police_and_once_returned(self, world, signed_in):
        episode = report(world)
        assert signed_in(world.users["cw_b1"]).get(self.url(episode)).status_code == 404
        police = signed_in(world.users["police_2"])  # another force's area
        assert police.get(self.url(episode)).status_code == 404
        assert police.post(self.url(episode), return_data(episode)).status_code == 404
        back(world, episode)
        assert signed_in(world.users["cw_a1"]).get(self.url(episode)).status_code == 404

    def test_a_care_worker_records_the_return_and_the_interview_clock_starts(
        self, world, signed_in
    ):
        episode = report(world)
        client = signed_in(world.users["cw_a1"])
        response = client.post(
            self.url(episode), return_data(episode, found_postcode="ne1 8aa", concerns=SCRIPT)
        )
        assert response.status_code == 302
        html = body(client.get(response["Location"]))
        assert "ChildA1 Test&#x27;s return has been recorded" in html
        assert "The return interview is due by" in html
        assert ESCAPED in html and SCRIPT not in html
        episode.refresh_from_db()
        assert episode.returned_at is not None
        assert episode.found_postcode == "NE1 8AA"
        interview = ReturnInterview.objects.get(episode=episode)
        assert interview.due_at == episode.returned_at + timedelta(hours=72)

    @pytest.mark.parametrize(
        ("overrides", "message"),
        [
            ({"return_method": ""}, "Select how the child came back"),
            ({"found_postcode": "NOT A PC"}, "postcode"),
            ({"condition": "x" * 2001}, "must be 2000 characters or fewer"),
            (no_time("returned_at"), "Enter when the child came back"),
        ],
    )
    def test_bad_input_is_shown_and_nothing_is_saved(self, world, signed_in, overrides, message):
        episode = report(world)
        response = signed_in(world.users["cw_a1"]).post(
            self.url(episode), return_data(episode, **overrides)
        )
        assert response.status_code == 200
        assert "There is a problem" in body(response)
        assert message in body(response)
        episode.refresh_from_db()
        assert episode.returned_at is None
        assert not ReturnInterview.objects.exists()

    @pytest.mark.parametrize(
        ("moment", "message"),
        [
            (timedelta(hours=-5), "The return must be after the child was last seen"),
            (timedelta(hours=2), "The time of return must be now or in the past"),
        ],
    )
    def test_a_return_before_last_seen_or_in_the_future_is_refused(
        self, world, signed_in, moment, message
    ):
        episode = report(world, hours_ago=3)
        data = return_data(episode, **when("returned_at", timezone.now() + moment))
        response = signed_in(world.users["cw_a1"]).post(self.url(episode), data)
        assert message in body(response)
        episode.refresh_from_db()
        assert episode.returned_at is None

    def test_a_stale_return_names_who_changed_it_and_overwrites_nothing(self, world, signed_in):
        episode = report(world)
        loaded = return_data(episode)
        manager = world.users["sm_a"]
        services.episode_update(
            actor=manager, episode=episode, expected_version=1, clothing="Blue coat"
        )
        response = signed_in(world.users["cw_a1"]).post(self.url(episode), loaded)
        assert response.status_code == 200
        assert f"{manager.full_name} changed this record at" in body(response)
        assert "Friend&#x27;s flat" in body(response)
        episode.refresh_from_db()
        assert episode.returned_at is None


# The return interview ------------------------------------------------------------------------


def interview_data(interview, **overrides) -> dict:
    data = {
        **when("offered_at", timezone.now() - timedelta(minutes=30)),
        "outcome": "accepted",
        "outcome_reason": "",
        **when("held_at", timezone.now() - timedelta(minutes=20)),
        "held_by": "Jo Independent",
        "independent_of_home": "True",
        "push_factors": "Arguments at the home",
        "pull_factors": "",
        "places_mentioned": "",
        "associates_mentioned": "",
        "disclosures": "",
        "cse_concern": "on",
        "version": str(interview.version),
    }
    data.update(overrides)
    return data


class TestInterview:
    def url(self, episode):
        return f"/episodes/{episode.pk}/interview/"

    @pytest.fixture
    def returned(self, world):
        episode = report(world, hours_ago=5)
        back(world, episode, minutes_ago=60)
        return episode

    def test_it_is_missing_before_the_return(self, world, signed_in):
        episode = report(world)
        assert signed_in(world.users["sw_a"]).get(self.url(episode)).status_code == 404

    @pytest.mark.parametrize("who", ["cw_a1", "hm_a1", "police_1", "ri", "sw_b"])
    def test_it_is_missing_for_those_who_may_not_record_it(self, world, signed_in, returned, who):
        assert signed_in(world.users[who]).get(self.url(returned)).status_code == 404

    def test_the_assigned_interviewer_records_it(self, world, signed_in, returned):
        assign(world, returned)
        client = signed_in(world.users["ri"])
        interview = returned.interview
        response = client.post(self.url(returned), interview_data(interview))
        assert response.status_code == 302
        html = body(client.get(response["Location"]))
        assert "The return interview has been recorded." in html
        assert "Held</strong>" in html
        assert "Arguments at the home" in html
        interview.refresh_from_db()
        assert (interview.outcome, interview.held_by, interview.independent_of_home) == (
            "accepted",
            "Jo Independent",
            True,
        )
        assert interview.cse_concern

    @pytest.mark.parametrize(
        ("overrides", "message"),
        [
            ({**no_time("held_at")}, "Enter when the interview was held"),
            ({"outcome": "declined"}, "Enter why the interview did not happen"),
            ({"disclosures": "x" * 8001}, "must be 8000 characters or fewer"),
            ({"offered_at_time": "99"}, "must be a real time"),
        ],
    )
    def test_bad_input_is_shown_and_nothing_is_saved(
        self, world, signed_in, returned, overrides, message
    ):
        response = signed_in(world.users["sw_a"]).post(
            self.url(returned), interview_data(returned.interview, **overrides)
        )
        assert response.status_code == 200
        assert "There is a problem" in body(response)
        assert message in body(response)
        interview = ReturnInterview.objects.get(episode=returned)
        assert (interview.outcome, interview.version) == ("", 1)

    def test_only_the_offer_may_be_recorded(self, world, signed_in, returned):
        data = interview_data(
            returned.interview,
            outcome="",
            independent_of_home="",
            held_by="",
            **no_time("held_at"),
        )
        response = signed_in(world.users["sw_a"]).post(self.url(returned), data)
        assert response.status_code == 302
        assert ReturnInterview.objects.get(episode=returned).offered_at is not None

    def test_a_stale_interview_names_who_changed_it_and_overwrites_nothing(
        self, world, signed_in, returned
    ):
        interview = returned.interview
        loaded = interview_data(interview)
        manager = world.users["sm_a"]
        services.interview_record(
            actor=manager,
            interview=interview,
            expected_version=1,
            offered_at=timezone.now() - timedelta(minutes=40),
        )
        response = signed_in(world.users["sw_a"]).post(self.url(returned), loaded)
        assert response.status_code == 200
        assert f"{manager.full_name} changed this record at" in body(response)
        assert "Jo Independent" in body(response)
        interview.refresh_from_db()
        assert (interview.outcome, interview.version) == ("", 2)


class TestInterviewAssign:
    def url(self, episode):
        return f"/episodes/{episode.pk}/interview/assign/"

    @pytest.fixture
    def returned(self, world):
        episode = report(world)
        back(world, episode)
        return episode

    @pytest.mark.parametrize("who", ["cw_a1", "police_1", "sw_b"])
    def test_it_is_missing_for_those_who_may_not_assign(self, world, signed_in, returned, who):
        assert signed_in(world.users[who]).get(self.url(returned)).status_code == 404

    def test_the_social_worker_assigns_an_interviewer_who_then_sees_it(
        self, world, signed_in, returned
    ):
        interviewer = world.users["ri"]
        client = signed_in(world.users["sw_a"])
        assert interviewer.full_name in body(client.get(self.url(returned)))
        response = client.post(self.url(returned), {"interviewer": interviewer.pk})
        assert response.status_code == 302
        assert "return interview is assigned to Test Return interviewer" in body(
            client.get(response["Location"])
        )
        assert ReturnInterview.objects.get(episode=returned).assigned_to == interviewer

    def test_someone_who_is_not_an_interviewer_cannot_be_chosen(self, world, signed_in, returned):
        response = signed_in(world.users["sw_a"]).post(
            self.url(returned), {"interviewer": world.users["cw_a1"].pk}
        )
        assert response.status_code == 200
        assert "Choose a return interviewer from the list" in body(response)
        assert ReturnInterview.objects.get(episode=returned).assigned_to is None


class TestVisit:
    def url(self, episode):
        return f"/episodes/{episode.pk}/visits/new/"

    def data(self, **overrides):
        data = {
            **when("visited_at", timezone.now() - timedelta(minutes=2)),
            "officer_name": "PC Lee 1234",
            "location": "Home A1",
            "outcome": "Safe and well",
            "concerns": "",
        }
        data.update(overrides)
        return data

    def test_only_police_of_the_homes_area_may_record_it_after_the_return(self, world, signed_in):
        episode = report(world)
        assert signed_in(world.users["police_1"]).get(self.url(episode)).status_code == 404
        back(world, episode)
        for who in ["cw_a1", "sw_a", "police_2"]:
            assert signed_in(world.users[who]).get(self.url(episode)).status_code == 404, who
        assert signed_in(world.users["police_1"]).get(self.url(episode)).status_code == 200

    def test_the_officer_records_a_visit(self, world, signed_in):
        episode = report(world)
        back(world, episode, minutes_ago=30)
        client = signed_in(world.users["police_1"])
        response = client.post(self.url(episode), self.data(concerns=SCRIPT))
        assert response.status_code == 302
        html = body(client.get(response["Location"]))
        assert "The safe and well visit has been recorded." in html
        assert "PC Lee 1234" in html
        assert ESCAPED in html and SCRIPT not in html

    def test_a_visit_before_the_return_is_refused(self, world, signed_in):
        episode = report(world)
        back(world, episode, minutes_ago=5)
        data = self.data(**when("visited_at", timezone.now() - timedelta(hours=1)))
        response = signed_in(world.users["police_1"]).post(self.url(episode), data)
        assert response.status_code == 200
        assert "The visit must be after the child returned" in body(response)
        assert not SafeAndWellVisit.objects.exists()


# A child's episodes --------------------------------------------------------------------------


class TestChildEpisodes:
    def url(self, child):
        return f"/episodes/child/{child.pk}/"

    def test_it_is_missing_for_a_child_the_user_cannot_see(self, world, signed_in):
        client = signed_in(world.users["cw_b1"])
        assert client.get(self.url(world.children["a1"])).status_code == 404

    def test_it_lists_the_childs_episodes_newest_first(self, world, signed_in):
        first = report(world, hours_ago=50)
        back(world, first, minutes_ago=47 * 60)
        second = report(world, hours_ago=2)
        html = body(signed_in(world.users["cw_a1"]).get(self.url(world.children["a1"])))
        assert html.index(f"/episodes/{second.pk}/") < html.index(f"/episodes/{first.pk}/")
        assert "Not back yet" in html
        assert "/episodes/report/" not in html  # already missing: go to the open episode


# Missing now ---------------------------------------------------------------------------------


BOARD = "/episodes/missing-now/"
ROWS = "/episodes/missing-now/rows/"


class TestMissingNow:
    def test_htmx_polling_after_sign_out_loads_the_sign_in_page(self, client):
        response = client.get(ROWS, headers={"HX-Request": "true"})
        assert response.status_code == 204
        assert response["HX-Redirect"] == f"{SIGN_IN}?next={BOARD}"

    @pytest.mark.parametrize("who", ["admin", "ri"])
    def test_it_is_missing_for_administrators_and_return_interviewers(self, world, signed_in, who):
        client = signed_in(world.users[who])
        assert client.get(BOARD).status_code == 404
        assert client.get(ROWS).status_code == 404

    @pytest.mark.parametrize(
        ("who", "expected"),
        [
            ("cw_a1", {"a1"}),
            ("cw_b1", {"a2", "b1"}),
            ("sw_a", {"a1", "a2"}),
            ("police_1", {"a1", "a2", "b1"}),
            ("police_2", {"b2"}),
            ("sm_b", {"a2", "b1", "b2"}),
        ],
    )
    def test_each_role_sees_the_open_episodes_it_may(self, world, signed_in, who, expected):
        for key in ["a1", "a2", "b1", "b2"]:
            report(world, child=key, user="sw_a" if key.startswith("a") else "sw_b")
        html = body(signed_in(world.users[who]).get(BOARD))
        shown = {key for key in ["a1", "a2", "b1", "b2"] if f"Child{key.upper()} Test" in html}
        assert shown == expected

    def test_the_page_refreshes_its_rows_with_htmx_without_inline_script(self, world, signed_in):
        report(world)
        html = body(signed_in(world.users["cw_a1"]).get(BOARD))
        assert html.count("<h1") == 1
        assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false' in html
        assert '<script src="/static/dist/htmx.min.js" defer></script>' in html
        assert f'hx-get="{ROWS}?opened=' in html
        assert 'hx-trigger="every 30s"' in html
        assert "<script>" not in html and " style=" not in html
        assert "ChildA1 Test" in html

    def test_it_says_when_no_one_is_missing(self, world, signed_in):
        client = signed_in(world.users["cw_a1"])
        assert "No one is missing" in body(client.get(BOARD))
        episode = report(world)
        back(world, episode)
        assert "No one is missing" in body(client.get(ROWS))

    def test_the_rows_are_ordered_by_risk_then_longest_gone(self, world, signed_in):
        report(world, child="a2", user="sw_a", hours_ago=9)  # not graded
        report(world, child="b1", user="sw_b", hours_ago=2, risk_grade="high")
        report(world, child="a1", user="sw_a", hours_ago=5, risk_grade="high")
        response = signed_in(world.users["police_1"]).get(ROWS)
        html = body(response)
        assert response.status_code == 200
        assert "<html" not in html and "<tbody" not in html  # the rows alone
        order = [html.index(f"Child{key} Test") for key in ["A1", "B1", "A2"]]
        assert order == sorted(order)
        assert "5 hours" in html and "9 hours" in html

    def test_a_board_left_open_stops_refreshing_after_the_session_idle_time(
        self, world, signed_in, settings
    ):
        report(world)
        client = signed_in(world.users["cw_a1"])
        now = int(timezone.now().timestamp())
        fresh = client.get(ROWS, {"opened": now - 60})
        assert fresh.status_code == 200
        old = client.get(ROWS, {"opened": now - settings.SESSION_COOKIE_AGE - 60})
        assert old.status_code == 286  # htmx stops polling on 286
        assert "This list has stopped refreshing itself" in body(old)
        assert "ChildA1 Test" in body(old)

    @pytest.mark.parametrize("count", [1, 20])
    def test_the_query_count_does_not_grow_with_the_rows(
        self, signed_in, django_assert_num_queries, count
    ):
        carer, _social_worker = many_missing(count)
        client = signed_in(carer)
        # 1 session, 2 user, 3 two-factor device, 4 the open episodes with child, home and
        # force (one query), 5 the children back in the last week (one query), 6 the signed-in
        # user's organisation (user bar and caption), 7 the user's unread alerts (the header's
        # count), 8-10 savepoint, session update, release (the session is saved on every
        # request).
        with django_assert_num_queries(10):
            response = client.get(BOARD)
        assert body(response).count('data-testid="missing-row"') == count
        # The rows alone: 1 session, 2 user, 3 device, 4 the open episodes, 5-7 session save.
        with django_assert_num_queries(7):
            response = client.get(ROWS, {"opened": int(timezone.now().timestamp())})
        assert body(response).count('data-testid="missing-row"') == count


def many_missing(count: int, *, returned: bool = False):
    """`count` children of one authority placed in one home, each missing now (or back).
    Returns the home's care worker and the children's social worker."""
    authority = OrganisationFactory(kind=OrganisationKind.LOCAL_AUTHORITY)
    force = OrganisationFactory(kind=OrganisationKind.POLICE_FORCE)
    admin = make_user(Role.ADMINISTRATOR, organisation=authority)
    carer = make_user(Role.CARE_WORKER, organisation=authority)
    social_worker = make_user(Role.SOCIAL_WORKER, organisation=authority)
    home = homes.home_create(
        actor=admin,
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
    homes.home_staff_grant(actor=admin, home=home, user=carer)
    placed = place_children(home=home, count=count, actor=social_worker, placer=admin)
    for n, child in enumerate(placed):
        episode = services.episode_open(
            actor=carer,
            child=child,
            kind="M" if n % 2 else "A",
            last_seen_at=timezone.now() - timedelta(hours=n + 2),
            last_seen_where="Town",
            risk_grade=["high", "", "low"][n % 3],
        )
        if returned:
            services.episode_record_return(
                actor=carer,
                episode=episode,
                expected_version=episode.version,
                returned_at=timezone.now() - timedelta(hours=1),
                return_method="own_accord",
            )
    return carer, social_worker


# Return interviews ---------------------------------------------------------------------------


INTERVIEWS = "/episodes/interviews/"


class TestInterviewList:
    @pytest.mark.parametrize("who", ["cw_a1", "hm_a1", "police_1", "admin"])
    def test_it_is_missing_for_those_who_do_not_hold_interviews(self, world, signed_in, who):
        assert signed_in(world.users[who]).get(INTERVIEWS).status_code == 404

    @pytest.fixture
    def interviews(self, world):
        """a1 back 80 hours ago (overdue), a2 back an hour ago, b1 back 10 hours ago."""
        episodes = {}
        for key, social_worker, hours in [
            ("a1", "sw_a", 80),
            ("a2", "sw_a", 1),
            ("b1", "sw_b", 10),
        ]:
            episode = report(world, child=key, user=social_worker, hours_ago=hours + 2)
            back(world, episode, user=social_worker, minutes_ago=hours * 60)
            episodes[key] = episode
        return episodes

    def test_a_return_interviewer_sees_only_those_assigned_to_them(
        self, world, signed_in, interviews
    ):
        assign(world, interviews["a2"])
        html = body(signed_in(world.users["ri"]).get(INTERVIEWS))
        assert "Your return interviews" in html
        assert "ChildA2 Test" in html
        assert "ChildA1 Test" not in html and "ChildB1 Test" not in html
        assert "Home B1" not in html  # the minimum: name, dates, the interview

    def test_a_social_worker_sees_their_childrens_overdue_first_then_by_due_time(
        self, world, signed_in, interviews
    ):
        client = signed_in(world.users["sw_a"])
        services.interview_record(
            actor=world.users["sw_a"],
            interview=interviews["a2"].interview,
            expected_version=1,
            offered_at=timezone.now(),
            outcome="declined",
            outcome_reason="Did not want to talk",
        )
        html = body(client.get(INTERVIEWS))
        assert "ChildB1 Test" not in html
        assert html.index("ChildA1 Test") < html.index("ChildA2 Test")  # still to do first
        assert "Overdue by 8 hours" in html
        assert "Declined by the child" in html
        overdue = body(client.get(INTERVIEWS, {"overdue": "1"}))
        assert "ChildA1 Test" in overdue and "ChildA2 Test" not in overdue
        assert 'name="overdue" type="checkbox" value="1" checked' in overdue

    def test_a_service_manager_filters_to_the_overdue(self, world, signed_in, interviews):
        html = body(signed_in(world.users["sm_b"]).get(INTERVIEWS, {"overdue": "1"}))
        assert "No return interviews are overdue." in html  # a2 and b1 are in time

    @pytest.mark.parametrize("count", [1, 20])
    def test_the_query_count_does_not_grow_with_the_rows(
        self, signed_in, django_assert_num_queries, count
    ):
        _carer, social_worker = many_missing(count, returned=True)
        client = signed_in(social_worker)
        # 1 session, 2 user, 3 two-factor device, 4 count for the paginator, 5 the ids of the
        # page's interviews, 6 those interviews with episode, child, home and interviewer, 7 the
        # signed-in user's organisation (user bar and caption), 8 the user's unread alerts (the
        # header's count), 9-11 savepoint, session update, release.
        with django_assert_num_queries(11):
            response = client.get(INTERVIEWS)
        assert body(response).count('data-testid="interview-row"') == count


# Navigation and start pages ------------------------------------------------------------------


class TestNavigation:
    def nav(self, client) -> list[str]:
        html = body(client.get("/"))
        nav = re.search(r'<ul class="govuk-service-navigation__list".*?</ul>', html, re.S).group(0)
        links = re.findall(r"<a .*?</a>", nav, re.S)
        return [re.sub(r"<[^>]+>", "", link).strip() for link in links]

    @pytest.mark.parametrize("who", ["cw_a1", "hm_a1", "sw_a", "police_1", "sm_a"])
    def test_missing_now_comes_first_after_start(self, world, signed_in, who):
        assert self.nav(signed_in(world.users[who]))[:2] == ["Start", "Missing now"]

    @pytest.mark.parametrize(
        ("who", "shown"),
        [("ri", True), ("sw_a", True), ("sm_a", True), ("cw_a1", False), ("admin", False)],
    )
    def test_return_interviews_is_there_for_those_who_hold_them(self, world, signed_in, who, shown):
        items = self.nav(signed_in(world.users[who]))
        assert ("Return interviews" in items) is shown
        if who in ("ri", "admin"):
            assert "Missing now" not in items

    def test_the_return_interviewers_start_page_links_to_their_interviews(self, world, signed_in):
        html = body(signed_in(world.users["ri"]).get("/"))
        assert f'href="{INTERVIEWS}"' in html


# Pieces --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("23:05", (23, 5)),
        ("2305", (23, 5)),
        ("905", (9, 5)),
        ("9", (9, 0)),
        ("11:05 p.m.", (23, 5)),
        ("12am", (0, 0)),
        ("noon", (12, 0)),
        ("24:00", None),
        ("13pm", None),
        ("12:60", None),
        ("soon", None),
    ],
)
def test_a_time_is_read_the_ways_people_type_it(text, expected):
    parsed = parse_clock(text)
    assert (None if parsed is None else (parsed.hour, parsed.minute)) == expected


class TestGapsClosed:
    """The board lists children who came back this week; an interview feeds the profile."""

    def test_police_reach_a_returned_episode_from_the_board(self, client, world):
        from datetime import timedelta as _td

        from django.utils import timezone as _tz

        from apps.episodes import services as _services
        from tests.helpers import sign_in as _sign_in

        episode = _services.episode_open(
            actor=world.users["cw_a1"],
            child=world.children["a1"],
            kind="M",
            last_seen_at=_tz.now() - _td(hours=5),
            last_seen_where="Park",
        )
        _services.episode_record_return(
            actor=world.users["cw_a1"],
            episode=episode,
            expected_version=episode.version,
            returned_at=_tz.now() - _td(hours=1),
            return_method="found_by_police",
        )
        _sign_in(client, world.users["police_1"])
        html = client.get("/episodes/missing-now/").content.decode()
        assert "Came back in the last 7 days" in html
        assert f'href="/episodes/{episode.pk}/"' in html

    def test_the_home_manager_adds_what_the_child_mentioned_to_the_profile(self, client, world):
        """The home's manager reads what the child said and keeps the profile; a care worker,
        who does not read it (episodes.access.can_read_interview_content), is not offered it."""
        from django.utils import timezone as _tz

        from apps.episodes import services as _services
        from tests.helpers import sign_in as _sign_in

        episode = _services.episode_open(
            actor=world.users["cw_a1"],
            child=world.children["a1"],
            kind="A",
            last_seen_at=_tz.now() - _tz.timedelta(hours=5),
            last_seen_where="Park",
        )
        episode = _services.episode_record_return(
            actor=world.users["cw_a1"],
            episode=episode,
            expected_version=episode.version,
            returned_at=_tz.now() - _tz.timedelta(hours=1),
            return_method="own_accord",
        )
        interview = episode.interview
        _services.interview_record(
            actor=world.users["sw_a"],
            interview=interview,
            expected_version=interview.version,
            offered_at=_tz.now(),
            places_mentioned="Skate park",
        )
        _sign_in(client, world.users["cw_a1"])
        page = client.get(f"/episodes/{episode.pk}/").content.decode()
        assert "Add the places and people mentioned to the Philomena profile" not in page
        assert "Skate park" not in page
        _sign_in(client, world.users["hm_a1"])
        page = client.get(f"/episodes/{episode.pk}/").content.decode()
        assert "Add the places and people mentioned to the Philomena profile" in page
        response = client.post(f"/episodes/{episode.pk}/interview/to-profile/", follow=True)
        assert "Added 0 people and 1 place" in response.content.decode()
        assert world.children["a1"].profile.places.filter(name="Skate park").exists()

"""Start pages are work queues (apps.site.selectors.start_page): each role sees its own items,
never an out-of-scope one, for a fixed number of queries whatever the data.

tests.world: a1 lives at home A1 (cw_a1, hm_a1; force 1, police_1); a2 and b1 live at B1;
b2 at B2 (force 2, police_2); sw_a holds a1, a2; sw_b holds b1, b2.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.episodes import services as episodes
from apps.site.selectors import start_page
from tests.world import place_children

pytestmark = pytest.mark.django_db


def gone(world, child, actor="cw_a1", hours=2):
    return episodes.episode_open(
        actor=world.users[actor],
        child=world.children[child] if isinstance(child, str) else child,
        kind="M",
        last_seen_at=timezone.now() - timedelta(hours=hours),
        last_seen_where="Bus station",
    )


def back(world, episode, actor="cw_a1"):
    return episodes.episode_record_return(
        actor=world.users[actor],
        episode=episode,
        expected_version=episode.version,
        returned_at=timezone.now() - timedelta(minutes=30),
        return_method="own_accord",
    )


def body(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_care_worker_sees_their_home_only(signed_in, world):
    gone(world, "a1")
    gone(world, "b1", actor="cw_b1")
    html = body(signed_in(world.users["cw_a1"]).get(reverse("site:start")))
    assert "ChildA1" in html
    assert "ChildB1" not in html
    queue = start_page(world.users["cw_a1"])
    assert queue["missing"]["count"] == 1
    assert queue["first_hour"]["count"] == 1


def test_home_manager_sees_reg40_with_date_and_alerts(signed_in, world):
    episode = episodes.episode_open(
        actor=world.users["cw_a1"],
        child=world.children["a1"],
        kind="M",
        last_seen_at=timezone.now() - timedelta(hours=2),
        last_seen_where="Bus station",
        suspected_sexual_exploitation=True,
    )
    html = body(signed_in(world.users["hm_a1"]).get(reverse("site:start")))
    assert reverse("episodes:reg40_decide", args=[episode.regulation40.pk]) in html
    assert 'data-testid="queue-alerts-severity"' in html


def test_social_worker_caseload_and_scope(signed_in, world):
    gone(world, "a2", actor="cw_b1")
    queue = start_page(world.users["sw_a"])
    names = {child.first_name for child in queue["caseload"]["items"]}
    assert names == {"ChildA1", "ChildA2", "ChildAX"} or names >= {"ChildA1", "ChildA2"}
    html = body(signed_in(world.users["sw_a"]).get(reverse("site:start")))
    assert "ChildB1" not in html and "ChildB2" not in html
    assert "Missing" in html


def test_return_interviewer_sees_unassigned_with_address(signed_in, world):
    back(world, gone(world, "a1"))
    queue = start_page(world.users["ri"])
    assert queue["unassigned"]["count"] <= 1
    body(signed_in(world.users["ri"]).get(reverse("site:start")))


def test_police_see_their_force_area_only(signed_in, world):
    gone(world, "a1")
    gone(world, "b2", actor="admin")
    p1 = start_page(world.users["police_1"])
    assert [e.child.first_name for e in p1["missing"]["items"]] == ["ChildA1"]
    back(world, p1["missing"]["items"][0])
    p1 = start_page(world.users["police_1"])
    assert p1["no_visit"]["count"] == 1
    html = body(signed_in(world.users["police_1"]).get(reverse("site:start")))
    assert "ChildB2" not in html


@pytest.mark.parametrize("key", ["sm_a", "admin"])
def test_service_manager_and_admin_pages_render(signed_in, world, key):
    body(signed_in(world.users[key]).get(reverse("site:start")))


@pytest.mark.parametrize("key", ["cw_a1", "hm_a1", "sw_a", "ri", "police_1", "sm_a", "admin"])
def test_queries_are_constant(world, key, django_assert_max_num_queries):
    user = world.users[key]
    gone(world, "a1")
    place_children(
        home=world.homes["A1"],
        count=1,
        prefix="O",
        actor=world.users["sw_a"],
        placer=world.users["admin"],
        placing_authority=world.orgs["A"],
    )
    with django_assert_max_num_queries(25) as one:
        start_page(user)
    few = len(one.captured_queries)
    made = place_children(
        home=world.homes["A1"],
        count=8,
        actor=world.users["sw_a"],
        placer=world.users["admin"],
        placing_authority=world.orgs["A"],
    )
    for child in made:
        back(world, gone(world, child))
    for child in made[:4]:
        gone(world, child, hours=0.2)
    with django_assert_max_num_queries(few):
        start_page(user)


def test_social_worker_sees_cse_and_meeting_reviews_due_soonest_first(signed_in, world):
    from apps.children import services as children
    from apps.strategy_meetings import services as meetings

    today = timezone.localdate()
    for key, days_ago in (("a1", 40), ("a2", 0), ("b1", 26)):
        children.assessment_complete(
            actor=world.users["sw_a" if key != "b1" else "sw_b"],
            child=world.children[key],
            indicators=[],
            answers={},
            assessed_on=today - timedelta(days=days_ago),
            override_level="high",
            override_reason="Older associates",
        )
    meeting = meetings.meeting_schedule(
        actor=world.users["sw_a"],
        child=world.children["a2"],
        scheduled_at=timezone.now() + timedelta(minutes=5),
        reason="Repeat episodes",
        location="County Hall",
    )
    import time_machine

    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        meetings.meeting_record(
            actor=world.users["sw_a"],
            meeting=meeting,
            expected_version=meeting.version,
            held_at=timezone.now(),
            minutes="Agreed a plan.",
            decisions=["safety_plan"],
            next_review_on=today + timedelta(days=10),
        )
    reviews = start_page(world.users["sw_a"])["reviews"]
    # a1's review is overdue; a2's assessment is a month away (outside 14 days); a2's meeting
    # review is in 10 days. b1 is sw_b's.
    assert reviews["count"] == 2 and reviews["overdue"] == 1
    assert [(r["kind"], r["child"].first_name) for r in reviews["items"]] == [
        ("cse", "ChildA1"),
        ("meeting", "ChildA2"),
    ]
    html = body(signed_in(world.users["sw_a"]).get(reverse("site:start")))
    assert "Reviews due (2, 1 overdue)" in html
    assert reverse("children:assessment_new", args=[world.children["a1"].pk]) in html
    assert reverse("strategy_meetings:detail", args=[meeting.pk]) in html
    assert "ChildB1" not in html
    assert start_page(world.users["sw_b"])["reviews"]["count"] == 1


def test_police_see_homes_with_children_from_other_areas_as_counts(signed_in, world):
    # a2 is placed by A at B1 (in B, force 1): B1 has one child from another area.
    queue = start_page(world.users["police_1"])["from_elsewhere"]
    assert [(h.name, h.from_elsewhere) for h in queue["items"]] == [(world.homes["B1"].name, 1)]
    html = body(signed_in(world.users["police_1"]).get(reverse("site:start")))
    assert 'data-testid="from-elsewhere-row"' in html
    assert "ChildA2" not in html  # counts, not records
    assert start_page(world.users["police_2"])["from_elsewhere"]["count"] == 0


def test_service_manager_sees_meeting_timeliness_with_the_dashboard_link(signed_in, world):
    from apps.strategy_meetings import services as meetings

    meetings.meeting_schedule(
        actor=world.users["sw_a"],
        child=world.children["a1"],
        scheduled_at=timezone.now() + timedelta(days=2),
        reason="Repeat episodes",
        location="County Hall",
    )
    figures = start_page(world.users["sm_a"])["meetings"]["figures"]
    assert (figures.triggered, figures.not_held) == (1, 1)
    html = body(signed_in(world.users["sm_a"]).get(reverse("site:start")))
    assert f'href="{reverse("reports:dashboard")}#meetings"' in html
    assert "Strategy meetings held in time" in html

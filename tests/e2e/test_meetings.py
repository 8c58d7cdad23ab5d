"""The multi-agency response, clicked through: a social worker schedules a strategy meeting from
an alert in one step, invites someone from the school, records the minutes, decisions and two
actions; the police officer who owns one completes it from "My actions". Then every other new
page (lists, move, cancel, CSE risk assessment, indicators, Regulation 40), on a desktop and a
phone.

The world is tests/world.py with authority A's default escalation rules: a1 lives at home A1
(care worker cw_a1, manager hm_a1; force 1, police_1); sw_a is a1's social worker; sm_a is A's
service manager. Each page is checked with axe and saved to
artifacts/screenshots/meetings-*.png (desktop) and meetings-*-phone.png.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from apps.alerts import services as alerts
from apps.alerts.models import Alert
from apps.alerts.services import outbox
from apps.children import services as child_services
from apps.children.selectors import indicators_for
from apps.episodes import services as episodes
from apps.strategy_meetings import services as meetings
from apps.strategy_meetings.models import ActionStatus, MeetingAction, StrategyMeeting
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import PHONE_VIEWPORT, add_authenticator, screenshot

SCHOOL_EMAIL = "h.price@school.example"


@pytest.fixture
def world(world):
    alerts.rules_seed_defaults(authority=world.orgs["A"])
    return world


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    """Nothing is published to the shared Redis: invitations and alert emails wait on their
    rows. The live server runs in this process, so this reaches it too."""
    monkeypatch.setattr(outbox, "_enqueue", lambda ids: None)
    monkeypatch.setattr(meetings, "_enqueue_invitations", lambda meeting_id: None)


def checked(page: Page, name: str) -> None:
    """Every new page: no serious axe violation, and a screenshot of it."""
    assert_accessible(page)
    if page.viewport_size and page.viewport_size["width"] == PHONE_VIEWPORT["width"]:
        assert (
            page.evaluate("() => document.documentElement.scrollWidth") <= (PHONE_VIEWPORT["width"])
        ), f"{name} scrolls sideways on a phone"
        screenshot(page, f"meetings-{name}-phone")
    else:
        screenshot(page, f"meetings-{name}")


def fill_when(page: Page, name: str, moment) -> None:
    local = timezone.localtime(moment)
    page.locator(f'input[name="{name}_day"]').fill(str(local.day))
    page.locator(f'input[name="{name}_month"]').fill(str(local.month))
    page.locator(f'input[name="{name}_year"]').fill(str(local.year))
    if page.locator(f'input[name="{name}_time"]').count():
        page.locator(f'input[name="{name}_time"]').fill(f"{local:%H:%M}")


def high_risk_alert(world) -> Alert:
    episodes.episode_open(
        actor=world.users["cw_a1"],
        child=world.children["a1"],
        kind="M",
        last_seen_at=timezone.now() - timedelta(hours=3),
        last_seen_where="Bus station",
        risk_grade="high",
    )
    return Alert.objects.get(child=world.children["a1"])


def test_a_meeting_from_an_alert_to_an_action_done(
    page: Page, browser, browser_context_args, sign_in, world
):
    alert = high_risk_alert(world)
    sw = world.users["sw_a"]
    sign_in(sw, secret=add_authenticator(sw))

    # The alert page has the button: one step to the form, filled in from the alert.
    page.goto(f"/alerts/{alert.pk}/")
    page.get_by_test_id("schedule-meeting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Schedule a strategy meeting")
    expect(page.get_by_label("Why is the meeting needed?")).to_have_value(
        f"{alert.title}. {alert.summary}"
    )
    checked(page, "schedule")
    # Bad input first: the error summary, and nothing typed is lost.
    page.get_by_role("button", name="Schedule and send invitations").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter when the meeting is")
    expect(page.get_by_label("Why is the meeting needed?")).to_have_value(
        f"{alert.title}. {alert.summary}"
    )
    checked(page, "schedule-errors")
    fill_when(page, "scheduled_at", timezone.now() + timedelta(days=2))
    page.get_by_label("Place").fill("Room 4, County Hall")
    # The people the alert went to are ticked; add the officer and the home's manager.
    for key in ("police_1", "hm_a1"):
        page.locator(f'input[name="invite_users"][value="{world.users[key].pk}"]').check()
    page.get_by_role("button", name="Schedule and send invitations").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("is scheduled")
    meeting = StrategyMeeting.objects.get()
    assert list(meeting.alerts.all()) == [alert]
    assert meeting.episodes.count() == 1
    invited = set(meeting.attendees.values_list("user__email", flat=True))
    assert {world.users[key].email for key in ("sw_a", "sm_a", "police_1", "hm_a1")} <= invited
    checked(page, "detail")

    # Invite the school's safeguarding lead.
    page.get_by_role("link", name="Invite someone").click()
    page.get_by_label("Name", exact=True).fill("Helen Price")
    page.get_by_label("Agency").fill("Northby Academy")
    page.get_by_label("Email address").fill(SCHOOL_EMAIL)
    checked(page, "invite")
    page.get_by_role("button", name="Invite this person").click()
    expect(page.get_by_test_id("attendees")).to_contain_text("Helen Price")

    # The meeting has happened (test only: its start moved to an hour ago, as if two days had
    # passed); it is never recorded as held before its start.
    StrategyMeeting.objects.filter(pk=meeting.pk).update(
        scheduled_at=timezone.now() - timedelta(hours=1)
    )
    page.reload()

    # Record the meeting: minutes, restricted minutes, decisions, attendance.
    page.get_by_role("button", name="Record the meeting").click()
    page.get_by_label("Minutes", exact=True).fill("Agreed a safety plan with the home.")
    page.get_by_label("Restricted minutes").fill("Disclosure to the school nurse.")
    page.get_by_label("Safety plan agreed").check()
    page.get_by_label("Police disruption activity").check()
    school = page.get_by_role("group", name="Helen Price (Northby Academy)")
    school.get_by_label("Attended").check()
    checked(page, "record")
    page.get_by_role("button", name="Save the record").click()
    expect(page.get_by_test_id("minutes")).to_have_text("Agreed a safety plan with the home.")
    expect(page.get_by_test_id("restricted-minutes")).to_contain_text("school nurse")

    # Two actions: one for the police officer, one for the home's manager.
    due = timezone.localdate() + timedelta(days=7)
    for description, owner in [
        ("Disruption visit to the address", world.users["police_1"]),
        ("Update the Philomena profile", world.users["hm_a1"]),
    ]:
        page.get_by_role("button", name="Add an action").click()
        page.get_by_label("What needs to be done?").fill(description)
        page.get_by_label("Who will do it?").select_option(
            label=f"{owner.full_name} ({owner.organisation.name})"
        )
        page.locator('input[name="due_on_day"]').fill(str(due.day))
        page.locator('input[name="due_on_month"]').fill(str(due.month))
        page.locator('input[name="due_on_year"]').fill(str(due.year))
        if description.startswith("Disruption"):
            checked(page, "action")
        page.get_by_role("button", name="Add action").click()
        expect(page.get_by_test_id("actions")).to_contain_text(description)
    checked(page, "detail-held")

    # The officer signs in, opens "My actions" and completes theirs.
    officer = world.users["police_1"]
    context = browser.new_context(**browser_context_args)
    other = context.new_page()
    sign_in(officer, secret=add_authenticator(officer), on=other)
    other.get_by_role("navigation", name="Menu").get_by_role("link", name="My actions").click()
    expect(other.get_by_test_id("my-action-row")).to_have_count(1)
    checked(other, "my-actions")
    other.get_by_role("link", name="Mark as done").click()
    other.get_by_label("What was done?").fill("Visited; warning notice served.")
    checked(other, "action-complete")
    other.get_by_role("button", name="Mark as done").click()
    expect(other.get_by_test_id("my-actions-empty")).to_be_visible()
    action = MeetingAction.objects.get(description="Disruption visit to the address")
    assert action.status == ActionStatus.DONE
    # The officer sees the meeting but not its restricted minutes.
    other.goto(f"/meetings/{meeting.pk}/")
    expect(other.get_by_test_id("minutes")).to_be_visible()
    expect(other.get_by_test_id("restricted-minutes")).to_have_count(0)
    checked(other, "detail-police")
    context.close()


def test_every_other_page_on_a_desktop_and_a_phone(
    page: Page, phone_page: Page, sign_in, world, settings
):
    """The lists, move, cancel, the CSE risk assessment pages, the indicators and Regulation 40,
    as their users see them. Two-factor sign-in is off here: each user signs in four times, and
    a security code is accepted once (tests/e2e/test_two_factor.py covers it)."""
    settings.REQUIRE_2FA = False
    sw, sm, hm = world.users["sw_a"], world.users["sm_a"], world.users["hm_a1"]
    child = world.children["a1"]
    meeting = meetings.meeting_schedule(
        actor=sw,
        child=child,
        scheduled_at=timezone.now() + timedelta(days=3),
        reason="Away overnight twice this month",
        location="Room 4, County Hall",
        video_link="https://meet.example/a-very-long-meeting-link-that-should-wrap-on-a-phone",
        invite_users=[hm, world.users["police_1"]],
    )
    meetings.action_add(
        actor=sw,
        meeting=meeting,
        description="Update the Philomena profile with the new phone number",
        due_on=timezone.localdate(),
        owner_user=hm,
    )
    listed = indicators_for(child.placing_authority)
    assessment = child_services.assessment_complete(
        actor=sw,
        child=child,
        indicators=listed,
        answers={i.pk: ("yes", "historic") if i.weight > 1 else ("no", "") for i in listed},
        summary="Concerns are mostly historic.",
    )
    decision = episodes.episode_open(
        actor=world.users["cw_a1"],
        child=child,
        kind="M",
        last_seen_at=timezone.now() - timedelta(hours=2),
        last_seen_where="Bus station",
        suspected_sexual_exploitation=True,
    ).regulation40

    pages = {
        sw: [
            ("list", "/meetings/"),
            ("child-meetings", f"/meetings/child/{child.pk}/"),
            ("detail-upcoming", f"/meetings/{meeting.pk}/"),
            ("move", f"/meetings/{meeting.pk}/move/"),
            ("cancel", f"/meetings/{meeting.pk}/cancel/"),
            ("child-page", f"/children/{child.pk}/"),
            ("assessments", f"/meetings/child/{child.pk}/cse/"),
            ("assessment", f"/meetings/child/{child.pk}/cse/{assessment.pk}/"),
            ("assessment-form", f"/meetings/child/{child.pk}/cse/new/"),
        ],
        sm: [("indicators", "/meetings/cse-indicators/")],
        hm: [
            ("start-reg40", "/"),
            ("my-actions-overdue", "/meetings/my-actions/"),
            ("reg40-list", "/meetings/regulation-40/"),
            ("reg40-form", f"/meetings/regulation-40/{decision.pk}/"),
            ("episode-reg40", f"/episodes/{decision.episode_id}/"),
        ],
    }
    for user, visits in pages.items():
        for target in (page, phone_page):
            target.context.clear_cookies()
            sign_in(user, on=target)
            for name, path in visits:
                target.goto(path)
                expect(target.get_by_role("heading", level=1)).to_be_visible()
                checked(target, name)

"""Missing and away episodes, clicked through the way each role would use them.

Each journey signs in through the real UI (with two-factor) and moves through the service
navigation ("Children", "Missing now", "Return interviews") and the buttons on each page.
State another person would have made earlier (an open episode, a return, an assignment) is
made through apps.episodes.services first. Every page visited is checked with axe, and each new
page is saved to artifacts/screenshots/episodes-*.png.

The world is tests/world.py: child a1 lives at home A1 (authority A, police force 1), where care
worker cw_a1 works; sw_a is the social worker of a1, a2 (at B1, also force 1) and ax; police_1
covers homes A1, P1 and B1; "ri" is a return interviewer.
"""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.dateformat import format as date_format
from playwright.sync_api import Locator, Page, expect

from apps.children import services as children
from apps.episodes import services as episodes
from apps.episodes.models import (
    Episode,
    EpisodeKind,
    InterviewOutcome,
    ReturnInterview,
    ReturnMethod,
    RiskGrade,
    SafeAndWellVisit,
)
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import PHONE_VIEWPORT, add_authenticator, screenshot

UK = ZoneInfo("Europe/London")
A1_NAME = "ChildA1 Test"
A2_NAME = "ChildA2 Test"
A3_NAME = "ChildA3 Test"
B1_NAME = "ChildB1 Test"
# What the reporter wrote about the circumstances: nobody but the case holders may read it.
CIRCUMSTANCES = "Argued with staff about phone time, said she was going to see Dean."
POLICE_REFERENCE = "NP-2026-0042"


# Helpers -------------------------------------------------------------------------------------


def checked(page: Page, name: str) -> None:
    """Every new page a journey visits: no serious axe violation, and a screenshot of it."""
    assert_accessible(page)
    screenshot(page, f"episodes-{name}")


def uk_time(value: datetime) -> str:
    """A moment as the episode pages print it, in UK time: '23 Nov 2026, 2:05pm'."""
    local = value.astimezone(UK)
    return date_format(local, "j M Y, g:i") + date_format(local, "A").lower()


def follow_menu(page: Page, label: str) -> None:
    """Click a link in the service navigation, opening the menu first on a small screen."""
    menu = page.get_by_role("navigation", name="Menu")
    toggle = menu.get_by_role("button", name="Menu")
    if toggle.is_visible():
        toggle.click()
    menu.get_by_role("link", name=label, exact=True).click()


def success_banner(page: Page) -> Locator:
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_be_visible()
    return banner


def summary_value(scope: Locator, key: str) -> Locator:
    """The value cell of the summary-list row whose key is `key`, inside `scope`."""
    row = scope.locator(".govuk-summary-list__row").filter(
        has=scope.page.locator(
            ".govuk-summary-list__key", has_text=re.compile(f"^{re.escape(key)}$")
        )
    )
    return row.locator(".govuk-summary-list__value")


def date_time_group(page: Page, legend: str) -> Locator:
    """The GOV.UK date-and-time boxes whose legend starts with `legend`."""
    return page.get_by_role("group", name=re.compile(f"^{re.escape(legend)}"))


def fill_date_time(page: Page, legend: str, value: datetime) -> None:
    """Type a moment (UK time) into the day, month, year and time boxes under `legend`."""
    local = value.astimezone(UK)
    group = date_time_group(page, legend)
    group.get_by_label("Day").fill(str(local.day))
    group.get_by_label("Month").fill(str(local.month))
    group.get_by_label("Year").fill(str(local.year))
    group.get_by_label("Time").fill(f"{local:%H:%M}")


def open_episode(actor, child, *, ago: timedelta, **fields) -> Episode:
    return episodes.episode_open(
        actor=actor,
        child=child,
        kind=fields.pop("kind", EpisodeKind.MISSING),
        last_seen_at=timezone.now() - ago,
        last_seen_where=fields.pop("last_seen_where", "The bus station on Market Street"),
        **fields,
    )


def record_return(actor, episode: Episode, *, ago: timedelta) -> Episode:
    episode.refresh_from_db()
    return episodes.episode_record_return(
        actor=actor,
        episode=episode,
        expected_version=episode.version,
        returned_at=timezone.now() - ago,
        return_method=ReturnMethod.OWN_ACCORD,
    )


class Actions:
    """Clicks and fills a person makes, counted (the report must take only a handful)."""

    def __init__(self):
        self.count = 0

    def click(self, locator: Locator) -> None:
        self.count += 1
        locator.click()

    def fill(self, locator: Locator, value: str) -> None:
        self.count += 1
        locator.fill(value)

    def check(self, locator: Locator) -> None:
        self.count += 1
        locator.check()


# 1. A care worker reports a child missing from their phone, then records the return --------


def test_care_worker_reports_a_child_missing_on_a_phone_and_records_the_return(
    phone_page: Page, sign_in, world
):
    phone = phone_page
    cw = world.users["cw_a1"]
    a1 = world.children["a1"]
    sign_in(cw, secret=add_authenticator(cw), on=phone)

    actions = Actions()
    # Page loads the carer waits through (main-frame navigations), counted with the actions.
    loads = []
    phone.on("framenavigated", lambda frame: frame == phone.main_frame and loads.append(frame.url))
    # Start page -> Children -> the child -> "Report missing".
    menu = phone.get_by_role("navigation", name="Menu")
    actions.click(menu.get_by_role("button", name="Menu"))
    actions.click(menu.get_by_role("link", name="Children", exact=True))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Children")
    actions.click(phone.get_by_test_id("children-table").get_by_role("link", name=A1_NAME))
    expect(phone.get_by_test_id("child-name")).to_have_text(A1_NAME)
    report_button = phone.get_by_test_id("episode-actions").get_by_role(
        "button", name="Report missing"
    )
    expect(report_button).to_be_visible()
    actions.click(report_button)

    expect(phone.get_by_role("heading", level=1)).to_have_text("Report missing or away")
    # Last seen 20 minutes ago to the minute, as the carer would type it (the return, prefilled
    # with now, is later). Read after the form came: its date boxes hold today, or yesterday
    # when midnight passed since, which only happens when last seen is also yesterday.
    now = datetime.now(UK)
    last_seen = (now - timedelta(minutes=20)).replace(second=0, microsecond=0)
    form = phone.locator("main form")
    # One screen: the questions that must be answered, the rest folded away under "Add more".
    required = form.locator(":scope > .govuk-form-group")
    questions = [
        " ".join(text.split())
        for text in required.locator("legend, label.govuk-label--s").all_inner_texts()
    ]
    assert 1 <= required.count() <= 6, questions
    assert questions == [
        "Is the child missing or away?",
        "When were they last seen?",
        "Where were they last seen?",
    ]
    assert not any("(optional)" in question for question in questions)
    details = form.locator("details")
    expect(details).not_to_have_attribute("open", re.compile(".*"))
    optional = [
        " ".join(text.split())
        for text in details.locator("legend, label.govuk-label--s").all_text_contents()
    ]
    assert optional and all(text.endswith("(optional)") for text in optional), optional
    # Date boxes come filled in with now; nothing is wider than the phone.
    expect(date_time_group(phone, "When were they last seen?").get_by_label("Year")).to_have_value(
        str(now.year)
    )
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    checked(phone, "phone-report")

    actions.check(phone.get_by_label("Missing", exact=True))
    if last_seen.date() != now.date():  # just after midnight: yesterday's date typed as well
        fill_date_time(phone, "When were they last seen?", last_seen)
    time_box = date_time_group(phone, "When were they last seen?").get_by_label("Time")
    actions.fill(time_box, f"{last_seen:%H:%M}")
    actions.fill(phone.get_by_label("Where were they last seen?"), "Outside the Co-op on Elm Road")
    actions.click(phone.get_by_role("button", name="Send report"))

    # They land on the first hour's next steps.
    expect(phone.get_by_role("heading", level=1)).to_have_text("Next steps")
    assert actions.count <= 8, f"{actions.count} clicks and fills to report a child missing"
    assert len(loads) <= 4, f"{len(loads)} page loads to report a child missing: {loads}"
    expect(success_banner(phone)).to_contain_text(f"{A1_NAME} has been reported missing.")
    expect(phone.get_by_test_id("police-numbers")).to_contain_text("999")
    expect(phone.get_by_test_id("police-numbers")).to_contain_text("101")
    expect(phone.get_by_test_id("steps-left-count")).to_have_text("5 of 6 steps left.")
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    checked(phone, "phone-next-steps")
    # Search done: one tap.
    search = phone.get_by_test_id("step-search")
    search.get_by_role("button", name=re.compile("^Mark as done")).click()
    expect(success_banner(phone)).to_contain_text("Ticked: Search of the home and grounds done.")
    expect(phone.get_by_test_id("step-search")).to_contain_text(cw.full_name)
    # Police called: the time (now, filled in) and the reference.
    phone.get_by_test_id("step-police_called").get_by_role(
        "button", name=re.compile("^Record the call")
    ).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Police called")
    checked(phone, "phone-step-police-called")
    phone.get_by_label("Police reference").fill(POLICE_REFERENCE)
    phone.get_by_role("button", name="Save").click()
    expect(phone.get_by_test_id("steps-left-count")).to_have_text("3 of 6 steps left.")
    expect(phone.get_by_test_id("step-police_called")).to_contain_text(
        f"Reference {POLICE_REFERENCE}"
    )
    checked(phone, "phone-next-steps-ticked")
    phone.get_by_role("link", name="Go to the episode").click()
    expect(phone.get_by_test_id("episode-child")).to_have_text(A1_NAME)
    expect(phone.get_by_test_id("episode-kind")).to_have_text("Missing")
    expect(phone.get_by_test_id("police-reference")).to_have_text(POLICE_REFERENCE)
    expect(phone.get_by_test_id("episode-steps-left")).to_contain_text("3 first steps left")
    summary = phone.get_by_test_id("philomena-part-2")
    expect(summary_value(summary, "Last seen")).to_have_text(uk_time(last_seen))
    expect(summary_value(summary, "Where")).to_have_text("Outside the Co-op on Elm Road")
    checked(phone, "phone-reported")

    episode = Episode.objects.get(child=a1)
    assert episode.is_open and episode.kind == EpisodeKind.MISSING
    assert episode.reported_by == cw and episode.home == world.homes["A1"]
    assert episode.last_seen_at == last_seen

    assert episode.police_reference == POLICE_REFERENCE and episode.reported_to_police_at

    # The child's page shows the banner instead of "Report missing"; the return from there.
    phone.get_by_role("link", name=f"{A1_NAME}'s record").click()
    banner = phone.get_by_test_id("child-missing-banner")
    expect(banner).to_contain_text("Missing now")
    expect(banner).to_contain_text(f"missing since {uk_time(last_seen)}")
    expect(banner.get_by_test_id("banner-risk")).to_have_text("Not graded")
    expect(phone.get_by_role("button", name="Report missing")).to_have_count(0)
    expect(banner.get_by_role("button", name="Add an update")).to_be_visible()
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    checked(phone, "phone-child-banner")
    # The return: they came back of their own accord.
    banner.get_by_role("button", name="Record the return").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Record the return")
    checked(phone, "phone-return")
    phone.get_by_label("Returned of their own accord").check()
    phone.get_by_role("button", name="Record return").click()

    expect(phone.get_by_test_id("episode-child")).to_have_text(A1_NAME)
    episode.refresh_from_db()
    assert not episode.is_open
    assert episode.return_method == ReturnMethod.OWN_ACCORD
    assert episode.return_recorded_by == cw
    interview = ReturnInterview.objects.get(episode=episode)
    assert interview.due_at == episode.returned_at + timedelta(hours=72)
    due = uk_time(interview.due_at)
    expect(success_banner(phone)).to_contain_text(
        f"{A1_NAME}'s return has been recorded. The return interview is due by {due}."
    )
    expect(summary_value(phone.get_by_test_id("episode-return"), "How")).to_have_text(
        "Returned of their own accord"
    )
    expect(phone.locator("main")).to_contain_text(f"Due by {due}")
    expect(phone.get_by_test_id("interview-status")).to_have_text(re.compile(r"^Due in "))
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    checked(phone, "phone-returned")


# 2. Two people change the same report at once: the second is told, nothing is lost ---------


def test_second_editor_sees_a_conflict_and_nothing_is_overwritten(
    page: Page, sign_in, world, browser, browser_context_args
):
    cw = world.users["cw_a1"]
    sw = world.users["sw_a"]
    a1 = world.children["a1"]
    episode = open_episode(cw, a1, ago=timedelta(hours=2))
    assert episode.version == 1

    sign_in(cw, secret=add_authenticator(cw))
    other_context = browser.new_context(**browser_context_args)
    try:
        other = other_context.new_page()
        sign_in(sw, secret=add_authenticator(sw), on=other)

        # Both open the report from the Missing now board and press "Change the report".
        for who in (page, other):
            follow_menu(who, "Missing now")
            expect(who.get_by_role("heading", level=1)).to_have_text("Missing now")
            who.get_by_test_id("missing-now").get_by_role("link", name=A1_NAME).click()
            expect(who.get_by_test_id("episode-child")).to_have_text(A1_NAME)
            who.get_by_role("button", name="Change the report").click()
            expect(who.get_by_role("heading", level=1)).to_have_text("Change the report")
        checked(page, "edit")

        # The care worker saves the police reference first.
        page.get_by_label("Police reference").fill(POLICE_REFERENCE)
        page.get_by_role("button", name="Save changes").click()
        expect(success_banner(page)).to_contain_text("The report has been updated.")
        expect(page.get_by_test_id("police-reference")).to_have_text(POLICE_REFERENCE)
        assert_accessible(page)

        # The social worker, on the page opened before that save, changes it differently.
        other.get_by_label("Police reference").fill("NP-2026-9999")
        other.get_by_label("Who were they with?").fill("Two older boys")
        other.get_by_role("button", name="Save changes").click()

        summary = other.locator(".govuk-error-summary")
        expect(summary).to_be_visible()
        expect(summary).to_contain_text(
            re.compile(
                rf"{re.escape(cw.full_name)} changed this record at \d{{1,2}}:\d{{2}}[ap]m "
                rf"on {re.escape(date_format(timezone.localdate(), 'j M Y'))}, after you opened it"
            )
        )
        expect(summary).to_contain_text("Your changes have not been saved")
        latest = other.get_by_test_id("latest-version")
        expect(summary_value(latest, "Police reference")).to_have_text(POLICE_REFERENCE)
        # What the social worker typed is still there, to make again.
        expect(other.get_by_label("Police reference")).to_have_value("NP-2026-9999")
        expect(other.get_by_label("Who were they with?")).to_have_value("Two older boys")
        checked(other, "edit-conflict")
    finally:
        other_context.close()

    episode.refresh_from_db()
    assert episode.version == 2
    assert episode.police_reference == POLICE_REFERENCE
    assert episode.last_seen_with == ""
    # The report, Homeward filling in when the social worker was told, and the one save.
    assert episode.history.count() == 3


# 3. The police liaison officer records a safe-and-well visit after the return ---------------


def test_police_liaison_records_a_safe_and_well_visit_after_the_return(page: Page, sign_in, world):
    cw = world.users["cw_a1"]
    officer = world.users["police_1"]
    a1 = world.children["a1"]
    episode = open_episode(
        cw, a1, ago=timedelta(hours=5), circumstances=CIRCUMSTANCES, risk_grade=RiskGrade.MEDIUM
    )

    sign_in(officer, secret=add_authenticator(officer))
    assert_accessible(page)
    # While the child is missing, the board lists them (a home in the officer's force area).
    follow_menu(page, "Missing now")
    expect(page.get_by_role("heading", level=1)).to_have_text("Missing now")
    row = page.get_by_test_id("missing-row").filter(has_text=A1_NAME)
    expect(row).to_contain_text("Home A1")
    checked(page, "missing-now-police")
    row.get_by_role("link", name=A1_NAME).click()
    expect(page.get_by_test_id("episode-child")).to_have_text(A1_NAME)
    # The police may record the return (#13: whoever learns first), and there is no visit
    # to record yet.
    expect(page.get_by_role("button", name="Record the return")).to_have_count(1)
    expect(page.get_by_role("button", name="Record a safe and well visit")).to_have_count(0)
    checked(page, "detail-police-open")

    # The home records the return; the officer, still on the episode page, reloads it. Once the
    # child is back no page lists the episode for the police (Missing now drops it, the child's
    # record closes to them, a home's page lists no episodes), so this is the only way there
    # short of typing the address: a known gap.
    record_return(cw, episode, ago=timedelta(minutes=2))
    page.reload()
    expect(page.locator("main")).to_contain_text("Returned")
    page.get_by_role("button", name="Record a safe and well visit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a safe and well visit")
    expect(page.get_by_label("Officer")).to_have_value(officer.full_name)
    checked(page, "visit")

    page.get_by_label("Officer").fill(f"{officer.full_name}, PC 4521")
    page.get_by_label("Where was the visit?").fill("Home A1, in the lounge")
    page.get_by_label("Outcome").fill("Safe and well. Tired, no injuries.")
    page.get_by_role("button", name="Record visit").click()

    expect(page.get_by_test_id("episode-child")).to_have_text(A1_NAME)
    expect(success_banner(page)).to_contain_text("The safe and well visit has been recorded.")
    card = page.get_by_test_id("visit")
    expect(card).to_have_count(1)
    expect(summary_value(card, "Officer")).to_have_text(f"{officer.full_name}, PC 4521")
    expect(summary_value(card, "Outcome")).to_have_text("Safe and well. Tired, no injuries.")
    expect(summary_value(card, "Concerns")).to_have_text("None recorded")
    checked(page, "detail-police-visit")

    visit = SafeAndWellVisit.objects.get(episode=episode)
    assert visit.officer == officer
    assert visit.location == "Home A1, in the lounge"

    # Closed, the episode has left the board.
    page.locator(".govuk-back-link", has_text="Missing now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Missing now")
    expect(page.get_by_test_id("missing-none")).to_have_text("No one is missing")


# 4. A return interviewer records the interview assigned to them -----------------------------


def test_return_interviewer_records_an_assigned_interview_and_sees_only_the_minimum(
    page: Page, sign_in, world
):
    cw = world.users["cw_a1"]
    sw = world.users["sw_a"]
    ri = world.users["ri"]
    a1 = world.children["a1"]
    episode = open_episode(
        cw,
        a1,
        ago=timedelta(hours=8),
        circumstances=CIRCUMSTANCES,
        police_reference=POLICE_REFERENCE,
        risk_grade=RiskGrade.HIGH,
        last_seen_with="Dean Marsh",
    )
    record_return(cw, episode, ago=timedelta(hours=3))
    interview = ReturnInterview.objects.get(episode=episode)
    episodes.interview_assign(actor=sw, interview=interview, interviewer=ri)
    secrets = [CIRCUMSTANCES, POLICE_REFERENCE, "Dean Marsh", "Market Street", "High", "Home A1"]

    def shows_nothing_more(where: Page) -> None:
        main = where.locator("main")
        for text in secrets:
            expect(main).not_to_contain_text(text)

    sign_in(ri, secret=add_authenticator(ri))
    assert_accessible(page)
    page.get_by_test_id("start-interviews").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your return interviews")
    row = page.get_by_test_id("interview-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(uk_time(interview.due_at))
    expect(row.locator(".govuk-tag")).to_have_text(re.compile(r"^Due in "))
    shows_nothing_more(page)
    checked(page, "interviews-return-interviewer")

    row.get_by_role("link", name=A1_NAME).click()
    expect(page.get_by_test_id("episode-child")).to_have_text(A1_NAME)
    expect(page.get_by_test_id("episode-dates")).to_contain_text(uk_time(episode.last_seen_at))
    shows_nothing_more(page)
    expect(page.get_by_test_id("philomena-part-2")).to_have_count(0)
    expect(page.get_by_test_id("police-reference")).to_have_count(0)
    checked(page, "detail-return-interviewer")

    page.get_by_role("button", name="Record the return interview").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the return interview")
    shows_nothing_more(page)
    checked(page, "interview")

    now = timezone.now()
    offered, held = now - timedelta(hours=2), now - timedelta(minutes=30)
    fill_date_time(page, "When was the interview offered?", offered)
    page.get_by_role("group", name="Outcome").get_by_label("Accepted and held").check()
    fill_date_time(page, "When was it held?", held)
    page.get_by_label("Who held it?").fill(ri.full_name)
    page.get_by_role(
        "group", name=re.compile("^Is the person who held it independent")
    ).get_by_label("Yes").check()
    page.get_by_label("Push factors").fill("Rows with staff about phone time")
    page.get_by_label("Pull factors").fill("An older boyfriend with a car")
    page.get_by_label("Disclosures").fill("Was given vodka and a new phone by an older man.")
    page.get_by_label("There is a concern about sexual exploitation").check()
    page.get_by_role("button", name="Save interview").click()

    expect(page.get_by_test_id("episode-child")).to_have_text(A1_NAME)
    expect(success_banner(page)).to_contain_text("The return interview has been recorded.")
    expect(page.get_by_test_id("interview-status")).to_have_text("Held")
    record = page.get_by_test_id("interview")
    expect(summary_value(record, "Outcome")).to_have_text("Accepted and held")
    expect(summary_value(record, "Held")).to_contain_text(f"by {ri.full_name}")
    expect(summary_value(record, "Held")).to_contain_text("Independent of the home")
    expect(summary_value(record, "Sexual exploitation")).to_have_text("Concern")
    shows_nothing_more(page)
    checked(page, "detail-interview-held")

    interview.refresh_from_db()
    assert interview.outcome == InterviewOutcome.ACCEPTED
    assert interview.held_by == ri.full_name
    assert interview.independent_of_home is True
    assert interview.cse_concern is True
    assert interview.recorded_by == ri
    assert interview.held_at == held.replace(second=0, microsecond=0)

    page.locator(".govuk-back-link", has_text="Return interviews").click()
    expect(page.get_by_test_id("interview-row").locator(".govuk-tag")).to_have_text("Held")


# 5. The Missing now board: highest risk first, then longest gone; refreshes itself -----------


def test_missing_now_board_orders_by_risk_then_time_and_refreshes_itself(
    page: Page, sign_in, world
):
    cw = world.users["cw_a1"]
    sw = world.users["sw_a"]
    cw_b1 = world.users["cw_b1"]
    # A third child of sw_a's, at home P1.
    a3 = children.child_create(
        actor=sw,
        first_name="ChildA3",
        last_name="Test",
        date_of_birth=datetime(2011, 2, 3).date(),
        sex="2",
        child_id="IDA3",
        placing_authority=world.orgs["A"],
    )
    children.placement_start(
        actor=world.users["admin"],
        child=a3,
        home=world.homes["P1"],
        start_date=datetime(2024, 3, 1).date(),
    )
    a1_episode = open_episode(
        cw, world.children["a1"], ago=timedelta(hours=3), risk_grade=RiskGrade.LOW
    )
    open_episode(sw, world.children["a2"], ago=timedelta(hours=1), risk_grade=RiskGrade.HIGH)
    open_episode(
        sw, a3, ago=timedelta(hours=5, minutes=10), risk_grade=RiskGrade.HIGH, kind=EpisodeKind.AWAY
    )
    # Not sw_a's child: never on their board.
    open_episode(cw_b1, world.children["b1"], ago=timedelta(hours=6), risk_grade=RiskGrade.HIGH)

    sign_in(sw, secret=add_authenticator(sw))
    # A fake clock, so the 30-second refresh can be brought forward (it runs from now on).
    page.clock.install()
    follow_menu(page, "Missing now")
    expect(page.get_by_role("heading", level=1)).to_have_text("Missing now")
    rows = page.get_by_test_id("missing-row")
    expect(rows).to_have_count(3)
    expect(rows.locator("th > a:first-child")).to_have_text([A3_NAME, A2_NAME, A1_NAME])
    expect(page.get_by_test_id("missing-now")).not_to_contain_text(B1_NAME)
    expect(rows.nth(0)).to_contain_text("High")
    expect(rows.nth(0)).to_contain_text("Away")
    expect(rows.nth(0).locator('[data-label="Time gone"]')).to_contain_text("5 hours 10 minutes")
    expect(rows.nth(1)).to_contain_text("High")
    expect(rows.nth(1).locator('[data-label="Time gone"]')).to_contain_text("1 hour")
    expect(rows.nth(2)).to_contain_text("Low")
    expect(rows.nth(2).locator('[data-label="Time gone"]')).to_contain_text("3 hours")
    checked(page, "missing-now")

    # The police grade a1 high: the board moves a1 above a2 (gone longer) without a reload.
    page.evaluate("() => { window.boardNotReloaded = true }")
    a1_episode.refresh_from_db()
    episodes.episode_update(
        actor=cw,
        episode=a1_episode,
        expected_version=a1_episode.version,
        risk_grade=RiskGrade.HIGH,
    )
    with page.expect_response(re.compile(r"/episodes/missing-now/rows/\?opened=\d+$")) as answer:
        page.clock.fast_forward("00:31")
    assert answer.value.status == 200
    expect(rows.locator("th > a:first-child")).to_have_text([A3_NAME, A1_NAME, A2_NAME])
    expect(rows.nth(1)).to_contain_text("High")
    assert page.evaluate("() => window.boardNotReloaded === true")
    checked(page, "missing-now-refreshed")


# 6. Bad input on the report: the error summary, what was typed kept, nothing saved -----------


def test_report_with_a_time_last_seen_in_the_future_is_refused_and_kept(page: Page, sign_in, world):
    cw = world.users["cw_a1"]
    a1 = world.children["a1"]
    sign_in(cw, secret=add_authenticator(cw))
    follow_menu(page, "Children")
    page.get_by_test_id("children-table").get_by_role("link", name=A1_NAME).click()
    page.get_by_test_id("episode-actions").get_by_role("button", name="Report missing").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report missing or away")

    tomorrow = (datetime.now(UK) + timedelta(days=1)).replace(hour=21, minute=30)
    page.get_by_label("Away from placement").check()
    fill_date_time(page, "When were they last seen?", tomorrow)
    page.get_by_label("Where were they last seen?").fill("At her aunt's flat, Ash Grove")
    page.locator("details summary").click()
    page.get_by_label("Who were they with?").fill("Her cousin Kayleigh")
    page.get_by_role("button", name="Send report").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    link = summary.get_by_role("link", name="The time last seen must be now or in the past")
    expect(link).to_be_visible()
    expect(page).to_have_title(re.compile(r"\(error\) – Homeward$"))
    group = date_time_group(page, "When were they last seen?")
    expect(group).to_contain_text("The time last seen must be now or in the past")
    # What was typed is all still there.
    expect(page.get_by_label("Away from placement")).to_be_checked()
    expect(group.get_by_label("Day")).to_have_value(str(tomorrow.day))
    expect(group.get_by_label("Month")).to_have_value(str(tomorrow.month))
    expect(group.get_by_label("Year")).to_have_value(str(tomorrow.year))
    expect(group.get_by_label("Time")).to_have_value("21:30")
    expect(page.get_by_label("Where were they last seen?")).to_have_value(
        "At her aunt's flat, Ash Grove"
    )
    expect(page.get_by_label("Who were they with?")).to_have_value("Her cousin Kayleigh")
    checked(page, "report-future")

    link.click()
    expect(group.get_by_label("Day")).to_be_focused()
    assert not Episode.objects.filter(child=a1).exists()

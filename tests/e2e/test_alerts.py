"""Alerts, clicked through: a social worker acknowledging one, a threshold crossed from the
report-missing page (and its emails, one per person, through a real worker and SMTP sink), and
a service manager changing a rule.

The world is tests/world.py with authority A's default escalation rules: child a1 lives at
home A1 (authority A), where care worker cw_a1 works; sw_a is the social worker of a1 and a2;
sm_a is A's service manager. Earlier episodes are made through apps.episodes.services. Each new
page is checked with axe and saved to artifacts/screenshots/alerts-*.png.
"""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from apps.alerts import services as alerts
from apps.alerts.models import (
    Alert,
    AlertDelivery,
    AlertStatus,
    Channel,
    DeliveryStatus,
    EscalationRule,
    Notification,
    RuleType,
)
from apps.alerts.services import outbox
from apps.episodes import services as episodes
from apps.episodes.models import Episode, EpisodeKind, ReturnMethod, RiskGrade
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import PHONE_VIEWPORT, add_authenticator, screenshot
from tests.services import wait_until

UK = ZoneInfo("Europe/London")
A1_NAME = "ChildA1 Test"
A2_NAME = "ChildA2 Test"
NOTE = "Strategy meeting booked for Thursday with the police and school."


@pytest.fixture
def world(world):
    alerts.rules_seed_defaults(authority=world.orgs["A"])
    return world


@pytest.fixture
def no_broker(monkeypatch):
    """Emails wait in the outbox: nothing is published to the shared Redis (the journeys that
    are not about email). The live server runs in this process, so this reaches it too."""
    queued: list[int] = []
    monkeypatch.setattr(outbox, "_enqueue", queued.extend)
    return queued


# Helpers -------------------------------------------------------------------------------------


def checked(page: Page, name: str) -> None:
    """Every new page: no serious axe violation, and a screenshot of it."""
    assert_accessible(page)
    screenshot(page, f"alerts-{name}")


def fits(page: Page) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]


def follow_menu(page: Page, label: str) -> None:
    """Click a link in the service navigation, opening the menu first on a small screen."""
    menu = page.get_by_role("navigation", name="Menu")
    toggle = menu.get_by_role("button", name="Menu")
    if toggle.is_visible():
        toggle.click()
    menu.get_by_role("link", name=label, exact=True).click()


def header_alerts(page: Page):
    return page.get_by_test_id("header-alerts")


def log_episode(world, child="a1", *, days_ago: int, hours: int | None = 2, **fields) -> Episode:
    """An episode that started `days_ago` days ago at 14:00 UTC (not overnight), back after
    `hours` (None: still away)."""
    start = (timezone.now() - timedelta(days=days_ago)).replace(
        hour=14, minute=0, second=0, microsecond=0
    )
    episode = episodes.episode_open(
        actor=world.users["cw_a1"] if child == "a1" else world.users["sw_a"],
        child=world.children[child],
        kind=EpisodeKind.MISSING,
        last_seen_at=start,
        last_seen_where="Town centre",
        **fields,
    )
    if hours is not None:
        episode = episodes.episode_record_return(
            actor=world.users["sw_a"],
            episode=episode,
            expected_version=episode.version,
            returned_at=start + timedelta(hours=hours),
            return_method=ReturnMethod.OWN_ACCORD,
        )
    return episode


def summary_value(scope, key: str):
    row = scope.locator(".govuk-summary-list__row").filter(
        has=scope.page.locator(
            ".govuk-summary-list__key", has_text=re.compile(f"^{re.escape(key)}$")
        )
    )
    return row.locator(".govuk-summary-list__value")


# 1. A social worker acknowledges an alert -----------------------------------------------------


def test_social_worker_opens_an_alert_from_the_header_and_acknowledges_it(
    page: Page, phone_page: Page, sign_in, world, no_broker
):
    sw = world.users["sw_a"]
    # Three episodes of a1 in 30 days (the rule "Repeat episodes"), and a2 graded high risk.
    first = log_episode(world, days_ago=20)
    second = log_episode(world, days_ago=10)
    third = log_episode(world, days_ago=2)
    log_episode(world, "a2", days_ago=1, hours=None, risk_grade=RiskGrade.HIGH)
    repeat = Alert.objects.get(rule__rule_type=RuleType.EPISODES_IN_WINDOW)
    assert Alert.objects.count() == 2
    assert Notification.objects.filter(user=sw, read_at__isnull=True).count() == 2

    sign_in(sw, secret=add_authenticator(sw))
    expect(header_alerts(page)).to_contain_text(": 2 to acknowledge")
    header_alerts(page).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alerts")
    rows = page.get_by_test_id("alert-row")
    expect(rows).to_have_count(2)
    row = rows.filter(has_text="Repeat episodes")
    expect(row).to_contain_text(A1_NAME)
    expect(row).to_contain_text("High")
    expect(row).to_contain_text("Not acknowledged")
    expect(row).to_contain_text("New")
    checked(page, "list")

    row.get_by_role("link", name="Repeat episodes").click()
    expect(page.get_by_test_id("alert-title")).to_have_text("Repeat episodes")
    expect(page.get_by_test_id("alert-status")).to_have_text("Not acknowledged")
    expect(page.get_by_test_id("alert-summary")).to_contain_text("3 episodes in 30 days")
    expect(page.get_by_test_id("alert-action")).to_contain_text("What to do")
    expect(page.get_by_test_id("alert-action")).to_contain_text("Consider a strategy meeting")
    # The episodes that triggered it, oldest first, each a link to the episode.
    triggers = page.get_by_test_id("alert-episodes").get_by_role("link")
    expect(triggers).to_have_count(3)
    for link, episode in zip(triggers.all(), (first, second, third), strict=True):
        assert link.get_attribute("href").endswith(f"/episodes/{episode.pk}/")
        expect(link).to_contain_text("Missing from")
    expect(page.get_by_test_id("alert-deliveries")).to_contain_text(sw.full_name)
    # Opening it has read it, but it is still waiting for someone to act: the count holds.
    expect(header_alerts(page)).to_contain_text(re.compile(r": 2 to acknowledge$"))
    checked(page, "detail")

    page.get_by_label("Note").fill(NOTE)
    page.get_by_role("button", name="Acknowledge alert").click()

    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("You have acknowledged the alert")
    expect(page.get_by_test_id("alert-status")).to_have_text("Acknowledged")
    acknowledgement = page.get_by_test_id("alert-acknowledgement")
    expect(acknowledgement).to_contain_text(f"by {sw.full_name}")
    expect(acknowledgement).to_contain_text(NOTE)
    expect(page.get_by_role("button", name="Acknowledge alert")).to_have_count(0)
    expect(header_alerts(page)).to_contain_text(re.compile(r": 1 to acknowledge$"))
    checked(page, "detail-acknowledged")

    repeat.refresh_from_db()
    assert repeat.status == AlertStatus.ACKNOWLEDGED
    assert repeat.acknowledged_by == sw
    assert repeat.acknowledgement_note == NOTE
    assert repeat.escalate_at is None  # the ladder has stopped

    page.locator(".govuk-back-link", has_text="Alerts").click()
    expect(rows.filter(has_text="Repeat episodes")).to_contain_text("Acknowledged")
    expect(rows.filter(has_text="Police risk grade high")).to_contain_text("New")
    assert_accessible(page)

    # The same pages on a phone (the same session, so no second two-factor code).
    phone = phone_page
    phone.context.add_cookies(page.context.cookies())
    phone.goto("/")
    expect(header_alerts(phone)).to_contain_text(": 1 to acknowledge")
    follow_menu(phone, "Alerts")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Alerts")
    expect(phone.get_by_test_id("alert-row")).to_have_count(2)
    fits(phone)
    checked(phone, "phone-list")
    phone.get_by_role("link", name="Police risk grade high").click()
    expect(phone.get_by_test_id("alert-title")).to_have_text("Police risk grade high")
    expect(phone.locator("main")).to_contain_text(A2_NAME)
    # Read on the phone, not acknowledged: still one to act on.
    expect(header_alerts(phone)).to_contain_text(": 1 to acknowledge")
    fits(phone)
    checked(phone, "phone-detail")


# 2. Crossing the threshold from the report-missing page: one alert, one email each ------------


def test_the_third_episode_reported_in_the_browser_raises_one_alert_and_one_email_each(
    page: Page, sign_in, world, smtp_sink, redis_server, celery_publisher, celery_worker_process
):
    cw = world.users["cw_a1"]
    sw, sm = world.users["sw_a"], world.users["sm_a"]
    a1 = world.children["a1"]
    log_episode(world, days_ago=20)
    log_episode(world, days_ago=10)
    assert not Alert.objects.exists()
    # A real worker on the test database, sending by SMTP to the sink; the live server (this
    # process) publishes to the same private Redis.
    celery_worker_process(redis_server.url)

    sign_in(cw, secret=add_authenticator(cw))
    now = datetime.now(UK)
    last_seen = max(now - timedelta(minutes=20), now.replace(hour=0, minute=0)).replace(
        second=0, microsecond=0
    )
    follow_menu(page, "Children")
    page.get_by_test_id("children-table").get_by_role("link", name=A1_NAME).click()
    page.get_by_test_id("episode-actions").get_by_role("button", name="Report missing").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report missing or away")
    page.get_by_label("Missing", exact=True).check()
    page.get_by_role("group", name=re.compile("^When were they last seen?")).get_by_label(
        "Time"
    ).fill(f"{last_seen:%H:%M}")
    page.get_by_label("Where were they last seen?").fill("Outside the Co-op on Elm Road")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Next steps")

    third = Episode.objects.get(child=a1, returned_at__isnull=True)
    alert = Alert.objects.get()
    assert alert.rule.rule_type == RuleType.EPISODES_IN_WINDOW
    assert set(alert.episodes.all()) == set(a1.episodes.all())
    assert third in alert.episodes.all()
    emails = AlertDelivery.objects.filter(alert=alert, channel=Channel.EMAIL)
    assert sorted(emails.values_list("user_id", flat=True)) == sorted([sw.pk, sm.pk])

    # Exactly one email each arrives, even after beat's outbox sweep has run again. (The
    # report's notices go out beside it: to sw_a and hm_a1, one each, Homeward: subjects.)
    smtp_sink.wait_for(4)
    wait_until(
        lambda: not emails.exclude(status=DeliveryStatus.SENT).exists(),
        message="both deliveries to be marked sent",
    )
    alerts.deliveries_requeue(now=timezone.now() + timedelta(minutes=10))
    broker = redis_server.client()  # acks are late: a task in progress stays in "unacked"
    wait_until(
        lambda: broker.llen("celery") == 0 and broker.hlen("unacked") == 0,
        message="the worker to drain its queue after the sweep",
    )
    alert_mail = [m for m in smtp_sink.messages if m["Subject"].startswith("Homeward alert")]
    assert sorted(str(m["To"]) for m in alert_mail) == sorted([sw.email, sm.email])
    for message in alert_mail:
        assert message["Subject"].startswith("Homeward alert: Repeat episodes (CT, IDA1)")
        assert f"/alerts/{alert.pk}/" in message.get_body(("plain",)).get_content()
    assert len({m["Message-ID"] for m in alert_mail}) == 2
    # The third report's notices (the earlier episodes' went out in the sweep too).
    notice_mail = [
        m
        for m in smtp_sink.messages
        if m not in alert_mail
        and "reported missing" in m["Subject"]
        and f"/episodes/{third.pk}/" in m.get_body(("plain",)).get_content()
    ]
    assert sorted(str(m["To"]) for m in notice_mail) == sorted(
        [sw.email, world.users["hm_a1"].email]
    )
    assert set(emails.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert Alert.objects.count() == 1


# 3. A service manager changes a rule's threshold --------------------------------------------


def test_service_manager_changes_the_repeat_episodes_threshold(
    page: Page, sign_in, world, no_broker, phone_page: Page
):
    sm = world.users["sm_a"]
    rule = EscalationRule.objects.get(authority=world.orgs["A"], name="Repeat episodes")
    sign_in(sm, secret=add_authenticator(sm))
    follow_menu(page, "Escalation rules")
    expect(page.get_by_role("heading", level=1)).to_have_text("Escalation rules")
    row = page.get_by_test_id("rule-row").filter(has_text="Repeat episodes")
    expect(row).to_contain_text("3 episodes of any kind within 30 days")
    checked(page, "rules")

    row.get_by_role("link", name="Change Repeat episodes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change the rule ‘Repeat episodes’")
    expect(page.get_by_label("Number of episodes")).to_have_value("3")
    checked(page, "rule-edit")

    # One episode is not a pattern: refused, and what was typed is kept.
    page.get_by_label("Number of episodes").fill("1")
    page.get_by_label("Number of days").fill("45")
    page.get_by_label("What to do").fill("Hold a strategy meeting within 5 working days")
    page.get_by_role("button", name="Save rule").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(summary.get_by_role("link")).to_have_text(
        ["The number of episodes must be between 2 and 50"]
    )
    expect(page).to_have_title(re.compile(r"\(error\) – Homeward$"))
    expect(page.get_by_label("Number of episodes")).to_have_value("1")
    expect(page.get_by_label("Number of days")).to_have_value("45")
    expect(page.get_by_label("What to do")).to_have_value(
        "Hold a strategy meeting within 5 working days"
    )
    expect(page.get_by_label("Name", exact=True)).to_have_value("Repeat episodes")
    told = page.get_by_role("group", name="Who is told")
    expect(told.get_by_role("checkbox")).to_have_count(4)
    expect(told.get_by_label("The child's social worker")).to_be_checked()
    expect(told.get_by_label("Service managers of the placing authority")).to_be_checked()
    expect(told.get_by_label("Managers of the home")).not_to_be_checked()
    checked(page, "rule-edit-error")
    summary.get_by_role("link").click()
    expect(page.get_by_label("Number of episodes")).to_be_focused()
    rule.refresh_from_db()
    assert (rule.count, rule.days) == (3, 30)

    page.get_by_label("Number of episodes").fill("4")
    page.get_by_role("button", name="Save rule").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Escalation rules")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "‘Repeat episodes’ has been updated."
    )
    expect(row).to_contain_text("4 episodes of any kind within 45 days")
    checked(page, "rules-changed")
    rule.refresh_from_db()
    assert (rule.count, rule.days) == (4, 45)
    assert rule.action == "Hold a strategy meeting within 5 working days"
    assert rule.version == 2

    # The rules page on a phone.
    phone_page.context.add_cookies(page.context.cookies())
    phone_page.goto("/alerts/rules/")
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Escalation rules")
    fits(phone_page)
    checked(phone_page, "phone-rules")
    phone_page.goto(f"/alerts/rules/{rule.pk}/")
    fits(phone_page)
    checked(phone_page, "phone-rule-edit")

"""Who is told, clicked through on a phone: a care worker at B1 reports a2 missing (a2 is
placed by authority A in authority B's area, force 1: out of area). Through a real worker and
a real SMTP server, a2's social worker, B1's manager, A's missing-children inbox, and B's and
force 1's inboxes each get exactly one email, and the two people with accounts one notice in
Homeward; the social worker opens theirs; the return tells them all once more.
"""

import re
from datetime import datetime, timedelta

from playwright.sync_api import Page, expect

from apps.accounts.models import Role
from apps.alerts.models import AlertDelivery, Channel, NoticeKind
from apps.homes import services as homes
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import PHONE_VIEWPORT, add_authenticator, screenshot
from tests.e2e.test_episodes import UK, date_time_group, fill_date_time, follow_menu
from tests.factories import make_user
from tests.services import wait_until

A2_NAME = "ChildA2 Test"
INBOXES = {"A": "missing@authority-a.test", "B": "mash@authority-b.test", "F1": "mispers@f1.test"}


def checked(page: Page, name: str) -> None:
    assert_accessible(page)
    screenshot(page, f"notices-{name}")


def fits(page: Page) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]


def test_a_report_on_a_phone_tells_everyone_once_and_the_return_tells_them_again(
    phone_page: Page,
    page: Page,
    sign_in,
    world,
    smtp_sink,
    redis_server,
    celery_publisher,
    celery_worker_process,
):
    for code, address in INBOXES.items():
        world.orgs[code].missing_inbox_email = address
        world.orgs[code].save()
    hm_b1 = make_user(Role.HOME_MANAGER, organisation=world.orgs["B"])
    homes.home_staff_grant(
        actor=world.users["admin"], home=world.homes["B1"], user=hm_b1, manager=True
    )
    cw, sw = world.users["cw_b1"], world.users["sw_a"]
    everyone = sorted([sw.email, hm_b1.email, *INBOXES.values()])
    celery_worker_process(redis_server.url)

    phone = phone_page
    sign_in(cw, secret=add_authenticator(cw), on=phone)
    follow_menu(phone, "Children")
    phone.get_by_test_id("children-table").get_by_role("link", name=A2_NAME).click()
    phone.get_by_test_id("episode-actions").get_by_role("button", name="Report missing").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Report missing or away")
    now = datetime.now(UK)
    last_seen = (now - timedelta(minutes=20)).replace(second=0, microsecond=0)
    phone.get_by_label("Missing", exact=True).check()
    if last_seen.date() != now.date():
        fill_date_time(phone, "When were they last seen?", last_seen)
    date_time_group(phone, "When were they last seen?").get_by_label("Time").fill(
        f"{last_seen:%H:%M}"
    )
    phone.get_by_label("Where were they last seen?").fill("Outside the station")
    phone.get_by_role("button", name="Send report").click()

    # The next steps, with "placing authority and social worker told" ticked by Homeward.
    expect(phone.get_by_role("heading", level=1)).to_have_text("Next steps")
    expect(phone.get_by_test_id("steps-left-count")).to_have_text("5 of 6 steps left.")
    phone.get_by_test_id("step-search").get_by_role(
        "button", name=re.compile("^Mark as done")
    ).click()
    expect(phone.get_by_test_id("steps-left-count")).to_have_text("4 of 6 steps left.")
    fits(phone)
    checked(phone, "phone-next-steps")

    # Within a minute, one email to each, through the worker and SMTP; in Homeward, one each.
    smtp_sink.wait_for(5, timeout=60)
    assert sorted(str(m["To"]) for m in smtp_sink.messages) == everyone
    for message in smtp_sink.messages:
        assert "reported missing" in message["Subject"] and "CT (ID IDA2)" in message["Subject"]
        assert "ChildA2" not in message["Subject"] + message.get_body(("plain",)).get_content()
    in_app = AlertDelivery.objects.filter(
        notice__kind=NoticeKind.EPISODE_REPORTED, channel=Channel.IN_APP
    )
    assert sorted(in_app.values_list("user_id", flat=True)) == sorted([sw.pk, hm_b1.pk])

    # The social worker sees it in the header, opens it, and lands on the episode.
    sign_in(sw, secret=add_authenticator(sw), on=page)
    expect(page.get_by_test_id("header-notices")).to_contain_text("1 unread notice")
    page.get_by_test_id("header-notices").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notices")
    row = page.get_by_test_id("notice-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("CT (ID IDA2) reported missing from")
    checked(page, "list")
    row.get_by_role("link").click()
    expect(page.get_by_test_id("episode-child")).to_have_text(A2_NAME)
    told = page.get_by_test_id("who-told")
    expect(told.get_by_test_id("told-row")).to_have_count(7)  # 5 emails, 2 in Homeward
    expect(told).to_contain_text(INBOXES["F1"])
    expect(page.get_by_test_id("header-notices")).not_to_contain_text("unread")
    checked(page, "episode-told")

    # Back on the phone: the child's page shows the banner; the return from there.
    phone.goto(re.search(r"/episodes/\d+/", page.url).group(0))
    phone.get_by_role("link", name=f"{A2_NAME}'s record").click()
    banner = phone.get_by_test_id("child-missing-banner")
    expect(banner).to_contain_text("Missing now")
    banner.get_by_role("button", name="Record the return").click()
    phone.get_by_label("Returned of their own accord").check()
    phone.get_by_role("button", name="Record return").click()
    expect(phone.get_by_test_id("episode-child")).to_have_text(A2_NAME)

    smtp_sink.wait_for(10, timeout=60)
    back = [m for m in smtp_sink.messages if "is back at" in m["Subject"]]
    assert sorted(str(m["To"]) for m in back) == everyone
    wait_until(lambda: len(smtp_sink.messages) == 10, message="no more than ten emails")
    assert len({m["Message-ID"] for m in smtp_sink.messages}) == 10
    page.reload()
    expect(page.get_by_test_id("header-notices")).to_contain_text("1 unread notice")
    expect(page.get_by_test_id("who-told").get_by_test_id("told-row")).to_have_count(14)

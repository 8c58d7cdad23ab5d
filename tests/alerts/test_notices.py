"""Who is told (PRODUCT.md): the notices of a report, a change of kind or police risk grade, a
return, an out-of-area placement, an interview or an action given; each told once, through
the outbox, naming the child by initials and ID only; the notices page and the episode's "Who
has been told". The world (tests/world.py): a1 lives at A1 (authority A, force 1) placed by
A; a2 lives at B1 (in authority B's area, force 1) placed by A, so out of area; sw_a is their
social worker and hm_a1 manages A1."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from apps.alerts.models import AlertDelivery, Channel, DeliveryStatus, Notice, NoticeKind
from apps.alerts.services import delivery_send, notice_episode
from apps.children import services as children
from apps.core.errors import ApplicationError
from apps.episodes import services as episodes
from apps.homes import services as homes
from tests.episodes.test_views import back, body, report

pytestmark = pytest.mark.django_db

A_INBOX = "missing@authority-a.test"
B_INBOX = "mash@authority-b.test"
F1_INBOX = "mispers@force-1.test"


@pytest.fixture
def inboxes(world):
    for code, address in (("A", A_INBOX), ("B", B_INBOX), ("F1", F1_INBOX)):
        world.orgs[code].missing_inbox_email = address
        world.orgs[code].save()
    return world


def told(notice) -> set[tuple[str, str]]:
    """(who, channel) of each delivery: a user's email address, or the inbox's."""
    return {(d.email, d.channel) for d in notice.deliveries.all()}


def both(user) -> set[tuple[str, str]]:
    return {(user.email, Channel.IN_APP), (user.email, Channel.EMAIL)}


class TestAReport:
    def test_tells_the_social_worker_the_home_manager_and_the_placing_inbox_not_the_reporter(
        self, inboxes
    ):
        world = inboxes
        episode = report(world)  # a1 by cw_a1, in area
        notice = Notice.objects.get(episode=episode)
        assert notice.kind == NoticeKind.EPISODE_REPORTED
        assert told(notice) == both(world.users["sw_a"]) | both(world.users["hm_a1"]) | {
            (A_INBOX, Channel.EMAIL)
        }
        # In area: neither the host authority (A itself) nor the force's inbox.
        assert F1_INBOX not in {email for email, _ in told(notice)}
        episode.refresh_from_db()
        assert episode.social_worker_notified_at == notice.created_at

    def test_of_a_child_placed_out_of_area_tells_the_host_authority_and_host_police(self, inboxes):
        world = inboxes
        episode = report(world, child="a2", user="cw_b1")  # a2 at B1: host B, force 1
        addresses = {email for email, _ in told(Notice.objects.get(episode=episode))}
        assert {A_INBOX, B_INBOX, F1_INBOX} <= addresses
        assert world.users["sw_a"].email in addresses

    def test_names_the_child_by_initials_and_id_only_and_links_to_the_episode(self, inboxes):
        world = inboxes
        episode = report(world)
        notice = Notice.objects.get(episode=episode)
        child = world.children["a1"]
        for text in (notice.title, notice.body, notice.ask):
            assert child.first_name not in text and child.last_name not in text
        assert "CT (ID IDA1)" in notice.title
        assert notice.path == f"/episodes/{episode.pk}/"
        inbox = AlertDelivery.objects.get(notice=notice, email=A_INBOX)
        assert delivery_send(delivery_id=inbox.pk)
        [message] = mail.outbox
        assert message.to == [A_INBOX]
        assert message.subject == f"Homeward: {notice.title}"
        assert f"/episodes/{episode.pk}/" in message.body
        assert "What is asked of you: " in message.body
        assert child.first_name not in message.body + message.alternatives[0][0]
        assert message.extra_headers["Message-ID"].startswith(f"<notice-{notice.pk}.delivery-")

    def test_with_nobody_to_tell_leaves_the_told_time_empty(self, world):
        world.children["a1"].allocated_social_worker = None
        world.children["a1"].save()
        homes.home_staff_revoke(
            actor=world.users["admin"], home=world.homes["A1"], user=world.users["hm_a1"]
        )
        episode = report(world)
        assert Notice.objects.get(episode=episode).deliveries.count() == 0
        assert episode.social_worker_notified_at is None

    def test_a_retried_report_tells_nobody_twice(self, inboxes):
        world = inboxes
        episode = report(world)
        before = AlertDelivery.objects.count()
        with pytest.raises(ApplicationError):
            report(world)  # the same report again: refused as overlapping
        assert notice_episode(episode=episode, event="reported") is None  # told already
        assert AlertDelivery.objects.count() == before
        assert Notice.objects.filter(episode=episode).count() == 1


class TestLaterEvents:
    def test_a_change_of_grade_tells_again_once_and_other_edits_do_not(self, inboxes):
        world = inboxes
        episode = report(world)
        episode = episodes.episode_update(
            actor=world.users["police_1"],
            episode=episode,
            expected_version=episode.version,
            risk_grade="high",
        )
        episode = episodes.episode_update(
            actor=world.users["cw_a1"],
            episode=episode,
            expected_version=episode.version,
            clothing="Grey hoodie",
        )
        kinds = list(Notice.objects.filter(episode=episode).values_list("kind", flat=True))
        assert sorted(kinds) == sorted([NoticeKind.EPISODE_REPORTED, NoticeKind.EPISODE_CHANGED])
        changed = Notice.objects.get(episode=episode, kind=NoticeKind.EPISODE_CHANGED)
        assert "police risk grade high" in changed.title
        assert both(world.users["sw_a"]) <= told(changed)

    def test_the_return_tells_them_and_asks_for_the_interview(self, inboxes):
        world = inboxes
        episode = back(world, report(world))
        returned = Notice.objects.get(episode=episode, kind=NoticeKind.EPISODE_RETURNED)
        assert "is back at" in returned.title and "interview" in returned.ask
        assert (A_INBOX, Channel.EMAIL) in told(returned)

    def test_the_interviewer_is_told_of_the_interview_given_to_them(self, world):
        episode = back(world, report(world))
        interview = episode.interview
        episodes.interview_assign(
            actor=world.users["sw_a"], interview=interview, interviewer=world.users["ri"]
        )
        notice = Notice.objects.get(kind=NoticeKind.INTERVIEW_ASSIGNED)
        assert told(notice) == both(world.users["ri"])
        assert notice.path == f"/episodes/{episode.pk}/interview/"

    def test_an_out_of_area_placement_tells_the_host_inboxes_when_it_starts_and_ends(self, inboxes):
        world = inboxes
        child = children.child_create(
            actor=world.users["sw_a"],
            first_name="Newly",
            last_name="Placed",
            date_of_birth=date(2011, 3, 3),
            sex="2",
            child_id="NEW1",
            placing_authority=world.orgs["A"],
        )
        start = timezone.localdate() - timedelta(days=3)
        placement = children.placement_start(
            actor=world.users["sw_a"], child=child, home=world.homes["B1"], start_date=start
        )
        started = Notice.objects.get(kind=NoticeKind.PLACEMENT_STARTED, child=child)
        assert told(started) == {(B_INBOX, Channel.EMAIL), (F1_INBOX, Channel.EMAIL)}
        assert "NP (ID NEW1)" in started.title and "Newly" not in started.body
        children.placement_end(
            actor=world.users["sw_a"],
            placement=placement,
            end_date=timezone.localdate(),
            expected_version=placement.version,
        )
        assert Notice.objects.filter(kind=NoticeKind.PLACEMENT_ENDED, child=child).count() == 1
        # In area: a placement at A1 (authority A's own area) tells no host.
        children.placement_start(
            actor=world.users["sw_a"],
            child=child,
            home=world.homes["A1"],
            start_date=timezone.localdate(),
        )
        assert Notice.objects.filter(kind=NoticeKind.PLACEMENT_STARTED, child=child).count() == 1


class TestPages:
    def test_the_notices_page_lists_mine_and_opening_one_marks_it_read(self, world, signed_in):
        episode = report(world)
        client = signed_in(world.users["sw_a"])
        html = body(client.get("/alerts/notices/"))
        assert "CT (ID IDA1) reported missing" in html
        assert "ChildA1" not in html
        assert ": 1 unread notice<" in body(client.get("/"))
        mine = AlertDelivery.objects.get(user=world.users["sw_a"], channel=Channel.IN_APP)
        response = client.get(f"/alerts/notices/{mine.pk}/")
        assert response.status_code == 302 and response["Location"] == f"/episodes/{episode.pk}/"
        mine.refresh_from_db()
        assert mine.read_at is not None
        assert "unread notice" not in body(client.get("/"))
        # Someone else's notice is missing to them.
        other = signed_in(world.users["sw_b"])
        assert other.get(f"/alerts/notices/{mine.pk}/").status_code == 404
        assert "CT (ID IDA1)" not in body(other.get("/alerts/notices/"))

    def test_the_episode_shows_who_has_been_told(self, inboxes, signed_in):
        world = inboxes
        episode = report(world)
        mine = AlertDelivery.objects.get(user=world.users["sw_a"], channel=Channel.IN_APP)
        mine.read_at = timezone.now()
        mine.save()
        html = body(signed_in(world.users["sw_a"]).get(f"/episodes/{episode.pk}/"))
        assert "Who has been told" in html
        assert A_INBOX in html and world.users["hm_a1"].full_name in html
        assert html.count('data-testid="told-row"') == 5
        assert "Not known (email)" in html and ", by Homeward" in html
        assert DeliveryStatus.PENDING.label in html  # emails not yet sent say so

    def test_the_notices_page_costs_the_same_queries_for_one_and_many(self, world, signed_in):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client = signed_in(world.users["sw_a"])
        report(world)
        with CaptureQueriesContext(connection) as one:
            client.get("/alerts/notices/")
        children.placement_start(
            actor=world.users["admin"],
            child=world.children["ax"],
            home=world.homes["A1"],
            start_date=timezone.localdate(),
        )
        report(world, child="ax")
        report(world, child="a2", user="cw_b1")
        with CaptureQueriesContext(connection) as many:
            html = body(client.get("/alerts/notices/"))
        assert html.count('data-testid="notice-row"') == 3
        assert len(many) == len(one)

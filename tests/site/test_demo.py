"""manage.py seed_demo: the invented demo world of `make run`. Idempotent; never in production."""

from datetime import timedelta
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from PIL import Image

from apps.accounts import demo as accounts_demo
from apps.accounts.models import Organisation, OrganisationKind, User
from apps.alerts import demo as alerts_demo
from apps.alerts.models import Alert, AlertDelivery, Channel, DeliveryStatus, Notification
from apps.alerts.services import DEFAULT_RULES
from apps.children import demo as children_demo
from apps.children.access import children_visible_to
from apps.children.models import Child, ChildUserObjectPermission, Placement
from apps.children.selectors import child_staleness
from apps.episodes import access as episode_access
from apps.episodes import demo as episodes_demo
from apps.episodes.models import Episode, InterviewOutcome, ReturnInterview, SafeAndWellVisit
from apps.homes import access as home_access
from apps.homes.access import homes_visible_to
from apps.homes.models import Home

pytestmark = pytest.mark.django_db

# accounts.demo refreshes its organisations and users with update_or_create, which writes a
# history row each run; everything else must be untouched by a second run.
REWRITTEN_EACH_RUN = {"HistoricalOrganisation", "HistoricalUser"}


@pytest.fixture(autouse=True)
def private_media(tmp_path, monkeypatch):
    """Photos go to this test's own folder (tests/conftest.py moves PRIVATE_MEDIA_ROOT)."""
    from django.conf import settings

    return settings.PRIVATE_MEDIA_ROOT


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {
        model.__name__: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label
        in {"accounts", "homes", "children", "episodes", "alerts", "core", "guardian"}
        and model.__name__ not in REWRITTEN_EACH_RUN
    }


def user(email) -> User:
    return User.objects.get(email=email)


def test_running_it_twice_leaves_the_same_data_and_lists_the_sign_ins():
    first = seed()
    counts = row_counts()
    second = seed()
    assert row_counts() == counts
    assert counts["Home"] == 8
    assert counts["Child"] == 40
    assert counts["Episode"] >= 40
    assert counts["EscalationRule"] == 2 * len(DEFAULT_RULES)
    assert counts["Alert"] >= 4

    for output in (first, second):
        assert f"password for all: {accounts_demo.DEMO_PASSWORD}" in output
        for email, *_ in accounts_demo.USERS + children_demo.USERS:
            assert email in output
        assert "Social worker (Eastbrook)" in output


def test_the_demo_shows_each_part_of_the_access_model(private_media):
    seed()
    homes = {home.ofsted_urn: home for home in Home.objects.select_related("operator")}
    assert [h.operator.code for h in homes.values()].count("BPC") == 2
    harbour = homes["SC900108"]
    assert (harbour.host_authority.code, harbour.police_force.code) == ("E902", "EBP")
    assert all(h.police_force.code == "NSP" for urn, h in homes.items() if urn != "SC900108")

    care_worker = user("care.worker@northshire.example")
    manager = user("home.manager@northshire.example")
    assert homes_visible_to(care_worker).count() == 2
    assert homes_visible_to(manager).count() == 3
    assert all(home_access.is_home_manager_of(manager, home) for home in homes_visible_to(manager))

    northshire_sw = user("social.worker@northshire.example")
    eastbrook_sw = user("social.worker@eastbrook.example")
    northshire = Child.objects.filter(placing_authority__code="N901")
    allocated = northshire.filter(allocated_social_worker=northshire_sw).count()
    assert allocated > northshire.count() * 0.75
    assert set(children_visible_to(eastbrook_sw)) == set(
        Child.objects.filter(placing_authority__code="E902")
    )
    assert not children_visible_to(eastbrook_sw).filter(placing_authority__code="N901").exists()

    current = list(Placement.objects.current().select_related("child", "home"))
    out_of_area = [p for p in current if p.out_of_area]
    assert any(p.home.host_authority.code == "E902" for p in out_of_area)  # Northshire's
    assert any(p.child.placing_authority.code == "E902" for p in out_of_area)  # Eastbrook's
    ended = Placement.objects.filter(end_date__isnull=False)
    assert ended.count() >= 10  # placement history

    police = user("police.liaison@northshire-police.example")
    [grant] = ChildUserObjectPermission.objects.filter(user=police)
    assert timezone.now() < grant.expires_at <= timezone.now() + timedelta(days=8)
    # The granted child, the children missing now from homes in the force's area, and the
    # children of strategy meetings the officer is invited to (upcoming or recent).
    missing_here = Child.objects.filter(
        episodes__returned_at__isnull=True, episodes__home__police_force__code="NSP"
    )
    invited = Child.objects.filter(
        strategy_meetings__attendees__user=police,
        strategy_meetings__status__in=["scheduled", "rescheduled", "held"],
        strategy_meetings__scheduled_at__gte=timezone.now() - timedelta(days=90),
    )
    assert invited.exists()
    assert set(children_visible_to(police)) == {grant.content_object, *missing_here, *invited}
    assert grant.content_object in missing_here  # NS0001 is missing now
    assert not children_visible_to(police).filter(child_id="NS0027").exists()  # another force


def test_profiles_and_photos_are_filled_with_some_out_of_date(private_media):
    seed()
    children = list(Child.objects.select_related("profile"))
    staleness = [child_staleness(child=c, profile=c.profile) for c in children]
    assert sum(s.photo_stale for s in staleness) >= 3
    assert sum(s.profile_stale for s in staleness) >= 3
    assert sum(not s.any for s in staleness) >= 15
    assert sum(c.profile.associates.filter(is_concern=True).exists() for c in children) >= 3
    assert sum(c.profile.places.filter(is_concern=True).exists() for c in children) >= 2

    with_photo = [c for c in children if c.photo]
    assert len(with_photo) >= 30
    with Image.open(with_photo[0].photo.path) as image:
        assert image.format == "JPEG"
        assert image.size == (320, 320)
    assert str(with_photo[0].photo.path).startswith(str(private_media))


def test_the_plan_is_the_same_every_time():
    today = timezone.localdate()
    assert children_demo.plan(today) == children_demo.plan(today)
    names = [(p.first_name, p.last_name) for p in children_demo.plan(today)]
    assert len(set(names)) == len(names) == 40


def test_it_refuses_to_run_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="never loaded"):
        call_command("seed_demo", stdout=StringIO())
    assert not Home.objects.exists()


def test_a_year_of_episodes_has_the_shape_councils_report():
    seed()
    now = timezone.now()
    episodes = list(Episode.objects.select_related("child"))
    assert min(e.last_seen_at for e in episodes) < now - timedelta(days=300)
    per_child = {}
    for episode in episodes:
        per_child[episode.child_id] = per_child.get(episode.child_id, 0) + 1
    assert sum(6 <= n <= 10 for n in per_child.values()) >= 3  # missing again and again
    assert Child.objects.count() - len(per_child) >= 10  # many never
    away = [e for e in episodes if e.kind == "A"]
    assert 0.35 < len(away) / len(episodes) < 0.65
    closed = [e for e in episodes if not e.is_open]
    assert sum(e.duration < timedelta(days=1) for e in closed) > len(closed) * 0.7
    assert 5 <= sum(e.overnight for e in episodes) < len(episodes) / 2
    assert sum(e.duration > timedelta(hours=72) for e in closed) >= 3
    assert all(e.updates.count() >= 2 for e in closed)  # reported and returned, at least


def test_some_are_open_now_with_the_police_involved():
    seed()
    open_now = list(Episode.objects.open().select_related("child", "home__police_force"))
    assert 3 <= len(open_now) <= 4
    [high] = [e for e in open_now if e.risk_grade == "high"]
    assert high.police_reference
    assert high.child.child_id == "NS0001"  # the child the demo officer holds a grant for
    assert any(e.kind == "A" and e.duration < timedelta(hours=3) for e in open_now)
    assert any(e.kind == "M" and e.overnight for e in open_now)
    police = user("police.liaison@northshire-police.example")
    seen = set(episode_access.episodes_visible_to(police).open())
    assert high in seen
    # The demo officer's visits and risk grades, and the timeline shows each grade.
    assert SafeAndWellVisit.objects.filter(officer=police).count() >= 3
    grades = high.updates.filter(category="risk_grade").order_by("happened_at")
    assert [g.new_value for g in grades] == ["medium", "high"]
    # The report is dated when it happened, not when the demo was loaded.
    assert high.updates.order_by("happened_at").first().happened_at < now_minus(hours=24)


def now_minus(**kwargs):
    return timezone.now() - timedelta(**kwargs)


def test_return_interviews_are_mostly_on_time_with_a_few_overdue():
    seed()
    interviewer = user(episodes_demo.RETURN_INTERVIEWER)
    interviews = list(ReturnInterview.objects.select_related("episode"))
    assert len(interviews) == Episode.objects.closed().count()
    assert sum(i.assigned_to == interviewer for i in interviews) >= len(interviews) - 1
    overdue_not_held = [i for i in interviews if not i.outcome and i.is_overdue()]
    assert 3 <= len(overdue_not_held) <= 4
    held = [i for i in interviews if i.outcome == InterviewOutcome.ACCEPTED]
    assert sum(i.held_at <= i.due_at for i in held) > len(interviews) * 0.6
    assert all(i.held_by and i.independent_of_home for i in held)
    declined = [i for i in interviews if i.outcome == InterviewOutcome.DECLINED]
    assert declined
    assert all(i.outcome_reason for i in declined)
    assert any(i.cse_concern for i in held)


def test_the_episode_plan_is_the_same_every_time():
    seed()
    infos, _children = episodes_demo._children_info()
    now = timezone.now()
    assert episodes_demo.plan(now, infos) == episodes_demo.plan(now, infos)


def test_every_authority_has_its_rules_and_the_social_worker_has_live_alerts():
    seed()
    authorities = Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY)
    assert authorities.count() == 2
    for authority in authorities:
        rules = set(authority.escalation_rules.values_list("rule_type", "name"))
        assert rules == {(spec["rule_type"], spec["name"]) for spec in DEFAULT_RULES}
        name, email = alerts_demo.OUT_OF_HOURS[authority.code]
        assert (authority.out_of_hours_name, authority.out_of_hours_email) == (name, email)
        assert email.endswith(".example")

    social_worker = user("social.worker@northshire.example")
    manager = user("service.manager@northshire.example")
    mine = Alert.objects.filter(deliveries__user=social_worker).distinct()
    live = mine.open()
    assert live.count() >= 2
    # The header's count is the live alerts: the older ones have been read.
    unread = Notification.objects.filter(user=social_worker, read_at__isnull=True)
    assert set(unread.values_list("alert_id", flat=True)) == set(live.values_list("pk", flat=True))
    # The CSE rule fired for the children given a medium or high CSE risk, away overnight now.
    cse = Child.objects.filter(cse_risk__in=["medium", "high"])
    assert cse.count() >= 2
    assert live.filter(rule__rule_type="overnight_at_cse_risk", child__in=cse).count() >= 2

    acknowledged = Alert.objects.filter(status="acknowledged")
    assert acknowledged.filter(acknowledged_by=social_worker).exists()
    assert all(a.acknowledgement_note for a in acknowledged)
    hour = timedelta(hours=1)
    assert all(a.raised_at < a.acknowledged_at < a.raised_at + hour for a in acknowledged)
    assert not Notification.objects.filter(alert__in=acknowledged, read_at__isnull=True).exists()

    [escalated] = Alert.objects.filter(level__gt=0)
    assert escalated.is_open and escalated.level == 2 and escalated.escalate_at is None
    assert escalated.deliveries.filter(user=manager).exists()
    assert escalated.deliveries.filter(
        user=None, email=alerts_demo.OUT_OF_HOURS["N901"][1], level=2
    ).exists()
    assert escalated.escalated_at < timezone.now()

    # Seeding sends no email: every one is recorded as sent when the alert was raised, and
    # every address is invented.
    emails = AlertDelivery.objects.filter(channel=Channel.EMAIL)
    assert emails.count() >= 8
    assert not emails.exclude(status=DeliveryStatus.SENT).exists()
    assert all(d.email.endswith(".example") for d in emails)
    assert all(d.sent_at <= timezone.now() for d in emails)

"""Alert pages: the alerts list and its filters, one alert and acknowledging it, the escalation
rules and the out-of-hours contact; the header's count, the menu and the child's page.

State is built through the services (tests/alerts/making.py: grading a child's episode high
risk raises "Police risk grade high", sent to the child's social worker and the authority's
service managers). Each page is tried anonymous, out of scope, forbidden, permitted, with bad
input and, for versioned records, with a stale version."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from apps.accounts import services as accounts_services
from apps.accounts.models import Role
from apps.alerts import services as alerts
from apps.alerts.models import AlertStatus, Notification, RecipientRole, RuleType
from apps.alerts.services import DEFAULT_RULES
from apps.children.models import AccessLog
from apps.episodes import services as episodes
from tests.alerts.making import (
    changed_meanwhile,
    many_alerts,
    raise_alert,
    rule_of,
    tell,
    world_with_rules,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db

SIGN_IN = "/account/sign-in/"
LIST = "/alerts/"
RULES = "/alerts/rules/"
OUT_OF_HOURS = "/alerts/rules/out-of-hours/"


@pytest.fixture
def world():
    return world_with_rules()


def body(response) -> str:
    return response.content.decode()


def detail(alert) -> str:
    return f"/alerts/{alert.pk}/"


def acknowledge_url(alert) -> str:
    return f"/alerts/{alert.pk}/acknowledge/"


def rows(html: str) -> list[str]:
    return re.findall(r'<tr class="govuk-table__row" data-testid="alert-row">.*?</tr>', html, re.S)


def error_summary(html: str) -> str:
    match = re.search(r'<div class="govuk-error-summary".*?</ul>', html, re.S)
    return match.group(0) if match else ""


def bring_back(world, child="a1"):
    episode = world.children[child].episodes.open().get()
    return episodes.episode_record_return(
        actor=world.users["sw_a"],
        episode=episode,
        expected_version=episode.version,
        returned_at=timezone.now() - timedelta(minutes=5),
        return_method="own_accord",
    )


# The list ------------------------------------------------------------------------------------


class TestAlertList:
    @pytest.mark.parametrize("who", ["cw_a1", "ri", "admin", "police_2"])
    def test_everyone_signed_in_has_a_list_even_if_empty(self, world, signed_in, who):
        raise_alert(world, "a1")
        response = signed_in(world.users[who]).get(LIST)
        assert response.status_code == 200
        assert "There are no alerts for you to see." in body(response)

    def test_it_lists_the_alerts_the_user_may_see_and_no_others(self, world, signed_in):
        raise_alert(world, "a1")
        raise_alert(world, "b1")
        html = body(signed_in(world.users["sw_a"]).get(LIST))
        (row,) = rows(html)
        assert "Police risk grade high" in row
        assert "ChildA1 Test" in row
        assert "ChildB1" not in html

    def test_a_row_shows_severity_child_home_raised_time_status_and_ladder(self, world, signed_in):
        # 1:30am UTC in summer is 2:30am in London.
        with time_machine.travel(datetime(2026, 7, 1, 1, 30, tzinfo=UTC), tick=False):
            alert = raise_alert(world, "a1", hours_ago=1)
        (row,) = rows(body(signed_in(world.users["sm_a"]).get(LIST)))
        assert f'href="/alerts/{alert.pk}/"' in row
        assert 'govuk-tag--red">Immediate</strong>' in row
        assert f'href="/children/{world.children["a1"].pk}/"' in row
        assert "Home A1" in row
        assert "1 Jul 2026, 2:30am" in row
        assert "Not acknowledged" in row
        assert "First recipients" in row
        assert ">New</strong>" in row  # the service manager has not opened it yet

    def test_the_child_is_not_a_link_for_someone_who_cannot_open_their_record(
        self, world, signed_in
    ):
        tell(world, "A", RecipientRole.SOCIAL_WORKER, RecipientRole.POLICE_LIAISON)
        raise_alert(world, "a1")
        bring_back(world, "a1")  # the police lose sight of a1's record on the return
        (row,) = rows(body(signed_in(world.users["police_1"]).get(LIST)))
        assert "ChildA1 Test" in row
        assert "/children/" not in row

    def test_mine_keeps_only_the_alerts_sent_to_me(self, world, signed_in):
        raise_alert(world, "a1")
        client = signed_in(world.users["hm_a1"])  # sees a1's alert through the home only
        assert len(rows(body(client.get(LIST)))) == 1
        assert len(rows(body(client.get(LIST, {"scope": "authority"})))) == 1
        html = body(client.get(LIST, {"scope": "mine"}))
        assert rows(html) == []
        assert "No alerts match these filters." in html

    def test_it_filters_by_status(self, world, signed_in):
        first = raise_alert(world, "a1")
        raise_alert(world, "a2")
        alerts.alert_acknowledge(
            actor=world.users["sm_a"], alert=first, expected_version=first.version
        )
        client = signed_in(world.users["sm_a"])
        assert len(rows(body(client.get(LIST)))) == 2
        (open_row,) = rows(body(client.get(LIST, {"status": "open"})))
        assert "ChildA2" in open_row
        (done_row,) = rows(body(client.get(LIST, {"status": "acknowledged"})))
        assert "ChildA1" in done_row
        both = body(client.get(f"{LIST}?status=open&status=acknowledged"))
        assert len(rows(both)) == 2
        assert re.search(r'<input[^>]*value="open"[^>]*checked', both)

    def test_not_acknowledged_first_then_most_severe_then_longest_waiting(self, world, signed_in):
        from apps.alerts.models import Alert, Severity

        now = timezone.now()
        made = {child: raise_alert(world, child) for child in ("a1", "a2")}
        # Two more of a1's, raised through the engine, then given their severities and ages.
        more = [raise_alert(world, "b1"), raise_alert(world, "b2")]
        Alert.objects.filter(pk__in=[a.pk for a in more]).update(authority=world.orgs["A"])
        plan = {
            made["a1"].pk: (Severity.STANDARD, 5, AlertStatus.OPEN),
            made["a2"].pk: (Severity.IMMEDIATE, 1, AlertStatus.OPEN),
            more[0].pk: (Severity.IMMEDIATE, 3, AlertStatus.OPEN),
            more[1].pk: (Severity.IMMEDIATE, 0, AlertStatus.ACKNOWLEDGED),
        }
        for pk, (severity, hours, status) in plan.items():
            Alert.objects.filter(pk=pk).update(
                severity=severity,
                raised_at=now - timedelta(hours=hours),
                status=status,
                acknowledged_at=now if status == AlertStatus.ACKNOWLEDGED else None,
            )
        listed = [
            int(re.search(r'href="/alerts/(\d+)/"', row).group(1))
            for row in rows(body(signed_in(world.users["sm_a"]).get(LIST)))
        ]
        # Immediate before standard; of the two immediate, the one waiting 3 hours first; the
        # acknowledged one last although it is the newest and immediate.
        assert listed == [more[0].pk, made["a2"].pk, made["a1"].pk, more[1].pk]

    def test_it_filters_by_type_of_rule_and_by_home(self, world, signed_in):
        raise_alert(world, "a1")  # home A1
        raise_alert(world, "a2")  # home B1
        client = signed_in(world.users["sm_a"])
        assert rows(body(client.get(LIST, {"rule_type": RuleType.EPISODES_IN_WINDOW}))) == []
        assert len(rows(body(client.get(LIST, {"rule_type": RuleType.POLICE_RISK_HIGH})))) == 2
        (row,) = rows(body(client.get(LIST, {"home": world.homes["B1"].pk})))
        assert "ChildA2" in row

    def test_the_home_filter_offers_only_the_homes_of_the_users_alerts(self, world, signed_in):
        raise_alert(world, "a1")
        html = body(signed_in(world.users["sm_a"]).get(LIST))
        select = re.search(r'<select name="home".*?</select>', html, re.S).group(0)
        assert "Home A1" in select
        assert "Home B2" not in select

    def test_bad_filter_values_are_ignored(self, world, signed_in):
        raise_alert(world, "a1")
        client = signed_in(world.users["sm_a"])
        response = client.get(LIST, {"scope": "everyone", "status": "x", "home": "abc"})
        assert response.status_code == 200
        assert len(rows(body(response))) == 1

    def test_a_home_out_of_scope_shows_nothing_not_an_error(self, world, signed_in):
        raise_alert(world, "b2")
        response = signed_in(world.users["sm_a"]).get(LIST, {"home": world.homes["B2"].pk})
        assert response.status_code == 200
        assert rows(body(response)) == []

    def test_it_pages_25_at_a_time(self, signed_in):
        manager, _ = many_alerts(27)
        client = signed_in(manager)
        first = body(client.get(LIST))
        assert len(rows(first)) == 25
        assert "27 alerts" in first
        assert 'class="govuk-pagination"' in first
        assert len(rows(body(client.get(LIST, {"page": 2})))) == 2

    @pytest.mark.parametrize("count", [1, 20])
    def test_the_query_count_does_not_grow_with_the_rows(
        self, signed_in, django_assert_num_queries, count
    ):
        manager, _ = many_alerts(count)
        client = signed_in(manager)
        # 1 session, 2 user, 3 two-factor device, 4 the homes of the user's alerts (the home
        # filter), 5 count for the paginator, 6 the page's ids, 7 those alerts with child, home
        # and rule, unread and child-visible annotated (apps.core.pagination.IdsFirst), 8 the
        # signed-in user's organisation (user bar and caption), 9 the user's unread alerts (the
        # header's count), 10-12 savepoint, session update, release (the session is saved on
        # every request).
        with django_assert_num_queries(12):
            response = client.get(LIST)
        assert len(rows(body(response))) == count


# One alert -----------------------------------------------------------------------------------


class TestAlertDetail:
    @pytest.mark.parametrize("who", ["sw_b", "sm_b", "cw_a1", "police_1", "ri", "admin"])
    def test_it_is_missing_for_a_user_who_may_not_see_the_alert(self, world, signed_in, who):
        alert = raise_alert(world, "a1")
        client = signed_in(world.users[who])
        assert client.get(detail(alert)).status_code == 404
        assert client.get("/alerts/999999/").status_code == 404

    def test_it_shows_the_alert_what_to_do_and_the_episode(self, world, signed_in):
        alert = raise_alert(world, "a1")
        episode = alert.episodes.get()
        html = body(signed_in(world.users["sw_a"]).get(detail(alert)))
        assert (
            '<h1 class="govuk-heading-l" data-testid="alert-title">Police risk grade high' in html
        )
        assert alert.summary in html
        assert "Immediate" in html
        assert "Speak to the police liaison officer and agree the response" in html
        assert f'href="/episodes/{episode.pk}/"' in html
        assert f'href="/children/{world.children["a1"].pk}/"' in html
        assert "The police risk grade is set to high" in html  # the rule, described

    def test_it_shows_who_it_went_to_and_each_channels_status(self, world, signed_in):
        alert = raise_alert(world, "a1")
        html = body(signed_in(world.users["sm_a"]).get(detail(alert)))
        table = re.search(r'data-testid="alert-deliveries".*?</table>', html, re.S).group(0)
        assert table.count('data-testid="delivery-row"') == 4  # two people, two channels each
        assert world.users["sw_a"].full_name in table
        assert "In Homeward" in table and "Email" in table
        assert "Sent" in table and "Waiting to send" in table

    def test_it_says_when_and_why_the_alert_climbed_the_ladder(self, world, signed_in):
        alert = raise_alert(world, "a1")
        alerts.ladder_climb(now=timezone.now() + timedelta(minutes=31))
        html = body(signed_in(world.users["sm_a"]).get(detail(alert)))
        assert "Escalated to the authority&#x27;s service managers at" in html
        assert "because it was not acknowledged within 30 minutes." in html

    def test_episodes_the_user_may_not_open_are_not_links(self, world, signed_in):
        tell(world, "A", RecipientRole.SOCIAL_WORKER, RecipientRole.POLICE_LIAISON)
        alert = raise_alert(world, "a2")  # at B1 (force 1)
        episode = alert.episodes.get()
        client = signed_in(world.users["police_1"])
        assert f'href="/episodes/{episode.pk}/"' in body(client.get(detail(alert)))
        sm_b_can_not = signed_in(world.users["sm_b"])
        assert sm_b_can_not.get(detail(alert)).status_code == 404  # A's alert

    def test_opening_it_marks_the_users_notification_read_and_logs_the_view(self, world, signed_in):
        alert = raise_alert(world, "a1")
        user = world.users["sw_a"]
        assert Notification.objects.get(user=user, alert=alert).read_at is None
        signed_in(user).get(detail(alert))
        assert Notification.objects.get(user=user, alert=alert).read_at is not None
        other = Notification.objects.get(user=world.users["sm_a"], alert=alert)
        assert other.read_at is None
        assert AccessLog.objects.filter(user=user, child=world.children["a1"]).exists()

    def test_it_offers_the_acknowledge_form_with_the_version(self, world, signed_in):
        alert = raise_alert(world, "a1")
        html = body(signed_in(world.users["sw_a"]).get(detail(alert)))
        form = re.search(r'<form method="post" action="[^"]+acknowledge/".*?</form>', html, re.S)
        assert form is not None
        assert f'name="version" value="{alert.version}"' in form.group(0)
        assert 'name="note"' in form.group(0)

    def test_an_acknowledged_alert_says_who_and_offers_no_form(self, world, signed_in):
        alert = raise_alert(world, "a1")
        alerts.alert_acknowledge(
            actor=world.users["sm_a"], alert=alert, expected_version=alert.version, note="On it"
        )
        html = body(signed_in(world.users["sw_a"]).get(detail(alert)))
        assert "acknowledge/" not in html
        facts = re.search(r'data-testid="alert-acknowledgement">.*?</dd>', html, re.S).group(0)
        assert world.users["sm_a"].full_name in facts
        assert "On it" in facts

    def test_detail_refuses_post(self, world, signed_in):
        alert = raise_alert(world, "a1")
        assert signed_in(world.users["sw_a"]).post(detail(alert)).status_code == 405


class TestAcknowledge:
    def test_it_requires_sign_in(self, world, client):
        url = acknowledge_url(raise_alert(world, "a1"))
        response = client.post(url)
        assert response.status_code == 302
        assert response["Location"].startswith(SIGN_IN)

    def test_it_is_post_only(self, world, signed_in):
        alert = raise_alert(world, "a1")
        assert signed_in(world.users["sw_a"]).get(acknowledge_url(alert)).status_code == 405

    def test_it_is_missing_for_a_user_who_may_not_see_the_alert(self, world, signed_in):
        alert = raise_alert(world, "a1")
        response = signed_in(world.users["sw_b"]).post(
            acknowledge_url(alert), {"version": alert.version}
        )
        assert response.status_code == 404
        alert.refresh_from_db()
        assert alert.status == AlertStatus.OPEN

    def test_it_acknowledges_for_everyone_and_stops_the_ladder(self, world, signed_in):
        alert = raise_alert(world, "a1")
        client = signed_in(world.users["hm_a1"])  # sees it through the home; not sent it
        response = client.post(
            acknowledge_url(alert), {"version": alert.version, "note": "Called the police"}
        )
        assert response.status_code == 302
        assert response["Location"] == detail(alert)
        alert.refresh_from_db()
        assert alert.status == AlertStatus.ACKNOWLEDGED
        assert alert.acknowledged_by == world.users["hm_a1"]
        assert alert.acknowledgement_note == "Called the police"
        assert alert.escalate_at is None
        assert "You have acknowledged the alert." in body(client.get(detail(alert)))

    def test_a_stale_version_is_refused_with_the_stale_message(self, world, signed_in):
        alert = raise_alert(world, "a1")
        opened_version = alert.version
        changed_meanwhile(alert)
        response = signed_in(world.users["sw_a"]).post(
            acknowledge_url(alert), {"version": opened_version, "note": "Mine"}
        )
        assert response.status_code == 200
        html = body(response)
        summary = error_summary(html)
        assert "changed this record" in summary
        assert "after you opened it. Your changes have not been saved." in summary
        assert 'name="version" value="2"' in html  # the form now carries the stored version
        assert "Mine</textarea>" in html  # and keeps what they typed
        alert.refresh_from_db()
        assert alert.is_open

    def test_someone_acknowledging_it_first_is_explained(self, world, signed_in):
        alert = raise_alert(world, "a1")
        opened_version = alert.version
        alerts.alert_acknowledge(
            actor=world.users["sm_a"], alert=alert, expected_version=alert.version
        )
        response = signed_in(world.users["sw_a"]).post(
            acknowledge_url(alert), {"version": opened_version, "note": "Mine"}
        )
        html = body(response)
        assert "This alert has already been acknowledged" in error_summary(html)
        facts = re.search(r'data-testid="alert-acknowledgement">.*?</dd>', html, re.S).group(0)
        assert world.users["sm_a"].full_name in facts
        alert.refresh_from_db()
        assert alert.acknowledged_by == world.users["sm_a"]
        assert alert.acknowledgement_note == ""

    def test_acknowledging_twice_says_it_is_already_acknowledged(self, world, signed_in):
        alert = raise_alert(world, "a1")
        alerts.alert_acknowledge(
            actor=world.users["sm_a"], alert=alert, expected_version=alert.version
        )
        alert.refresh_from_db()
        response = signed_in(world.users["sw_a"]).post(
            acknowledge_url(alert), {"version": alert.version}
        )
        assert "This alert has already been acknowledged" in error_summary(body(response))

    def test_a_missing_version_is_refused_and_the_note_kept(self, world, signed_in):
        alert = raise_alert(world, "a1")
        response = signed_in(world.users["sw_a"]).post(acknowledge_url(alert), {"note": "Keep me"})
        html = body(response)
        assert "This page is out of date" in error_summary(html)
        assert "Keep me</textarea>" in html
        alert.refresh_from_db()
        assert alert.is_open

    def test_a_note_longer_than_2000_characters_is_refused(self, world, signed_in):
        alert = raise_alert(world, "a1")
        response = signed_in(world.users["sw_a"]).post(
            acknowledge_url(alert), {"version": alert.version, "note": "x" * 2001}
        )
        assert "Note must be 2000 characters or fewer" in error_summary(body(response))


# Escalation rules ----------------------------------------------------------------------------


class TestRules:
    @pytest.mark.parametrize("who", ["sw_a", "hm_a1", "cw_a1", "police_1", "ri", "admin"])
    def test_only_service_managers_have_it(self, world, signed_in, who):
        assert signed_in(world.users[who]).get(RULES).status_code == 404

    def test_it_lists_the_authoritys_rules_in_words(self, world, signed_in):
        html = body(signed_in(world.users["sm_a"]).get(RULES))
        assert html.count('data-testid="rule-row"') == len(DEFAULT_RULES)
        assert "3 episodes of any kind within 30 days" in html
        assert "The child&#x27;s social worker; Service managers of the placing authority" in html
        assert f'href="/alerts/rules/{rule_of(world, "A").pk}/"' in html
        assert f'href="/alerts/rules/{rule_of(world, "B").pk}/"' not in html

    def test_it_shows_the_out_of_hours_contact(self, world, signed_in):
        client = signed_in(world.users["sm_a"])
        assert "Not set: the ladder stops at the service managers" in body(client.get(RULES))
        accounts_services.authority_out_of_hours_update(
            actor=world.users["sm_a"],
            authority=world.orgs["A"],
            name="Emergency Duty Team",
            email="edt@a.example",
        )
        html = body(client.get(RULES))
        assert "Emergency Duty Team" in html and "edt@a.example" in html


class TestRuleEdit:
    def url(self, rule):
        return f"/alerts/rules/{rule.pk}/"

    def data(self, rule, **overrides) -> dict:
        data = {
            "version": rule.version,
            "name": rule.name,
            "count": rule.count or "",
            "days": rule.days or "",
            "hours": rule.hours or "",
            "severity": rule.severity,
            "recipient_roles": rule.recipient_roles,
            "action": rule.action,
            "acknowledge_within_minutes": rule.acknowledge_within_minutes,
            "enabled": "on" if rule.enabled else "",
        }
        data.update(overrides)
        return {name: value for name, value in data.items() if value != ""}

    def test_another_authoritys_rule_is_missing(self, world, signed_in):
        rule = rule_of(world, "B")
        client = signed_in(world.users["sm_a"])
        assert client.get(self.url(rule)).status_code == 404
        assert client.post(self.url(rule), self.data(rule)).status_code == 404

    @pytest.mark.parametrize("who", ["sw_a", "hm_a1", "police_1", "admin"])
    def test_nobody_but_service_managers_may_change_a_rule(self, world, signed_in, who):
        assert signed_in(world.users[who]).get(self.url(rule_of(world, "A"))).status_code == 404

    @pytest.mark.parametrize(
        ("rule_type", "shown", "hidden"),
        [
            (RuleType.EPISODES_IN_WINDOW, {"count", "days"}, {"hours"}),
            (RuleType.NO_POLICE_REPORT, {"hours"}, {"count", "days"}),
            (RuleType.POLICE_RISK_HIGH, set(), {"count", "days", "hours"}),
            (RuleType.CSE_REVIEW_DUE, {"days"}, {"count", "hours"}),
            (RuleType.MEETING_REVIEW_DUE, {"days"}, {"count", "hours"}),
        ],
    )
    def test_it_asks_only_for_the_parameters_the_rule_type_uses(
        self, world, signed_in, rule_type, shown, hidden
    ):
        rule = rule_of(world, "A", rule_type)
        html = body(signed_in(world.users["sm_a"]).get(self.url(rule)))
        for name in shown:
            assert f'name="{name}"' in html
        for name in hidden:
            assert f'name="{name}"' not in html
        for name in ("severity", "recipient_roles", "action", "acknowledge_within_minutes"):
            assert f'name="{name}"' in html

    def test_it_offers_the_four_roles_a_rule_about_a_child_can_tell(self, world, signed_in):
        html = body(signed_in(world.users["sm_a"]).get(self.url(rule_of(world, "A"))))
        assert html.count('name="recipient_roles"') == 4

    def test_a_review_rule_says_what_its_days_are(self, world, signed_in):
        rule = rule_of(world, "A", RuleType.CSE_REVIEW_DUE)
        html = body(signed_in(world.users["sm_a"]).get(self.url(rule)))
        assert "How many days before the review date the alert is raised" in html

    @pytest.mark.parametrize(
        ("rule_type", "roles"),
        [
            (RuleType.ACTION_OVERDUE, 6),  # the four, the action's owner and the chair
            (RuleType.MEETING_REVIEW_DUE, 5),  # the four and the chair
        ],
    )
    def test_a_rule_about_a_meeting_offers_its_people(self, world, signed_in, rule_type, roles):
        html = body(signed_in(world.users["sm_a"]).get(self.url(rule_of(world, "A", rule_type))))
        assert html.count('name="recipient_roles"') == roles

    def test_it_changes_the_rule(self, world, signed_in):
        rule = rule_of(world, "A", RuleType.EPISODES_IN_WINDOW)
        response = signed_in(world.users["sm_a"]).post(
            self.url(rule),
            self.data(
                rule,
                count=4,
                days=28,
                recipient_roles=[RecipientRole.SERVICE_MANAGER],
                enabled="",
            ),
        )
        assert response.status_code == 302
        assert response["Location"] == RULES
        rule.refresh_from_db()
        assert (rule.count, rule.days, rule.enabled) == (4, 28, False)
        assert rule.recipient_roles == [RecipientRole.SERVICE_MANAGER]
        assert rule.version == 2

    def test_a_value_out_of_range_is_refused_and_nothing_typed_is_lost(self, world, signed_in):
        rule = rule_of(world, "A", RuleType.EPISODES_IN_WINDOW)
        response = signed_in(world.users["sm_a"]).post(
            self.url(rule), self.data(rule, days=400, action="Call a meeting now")
        )
        html = body(response)
        assert "The number of days must be between 1 and 365" in error_summary(html)
        assert 'href="#id_days"' in error_summary(html)
        assert 'name="days" value="400"' in html
        assert "Call a meeting now</textarea>" in html
        rule.refresh_from_db()
        assert rule.days == 30

    def test_no_recipients_is_refused(self, world, signed_in):
        rule = rule_of(world, "A")
        data = self.data(rule)
        del data["recipient_roles"]
        html = body(signed_in(world.users["sm_a"]).post(self.url(rule), data))
        assert "Choose who is told" in error_summary(html)
        assert 'href="#id_recipient_roles_0"' in error_summary(html)

    def test_missing_and_malformed_values_are_refused_with_gov_uk_messages(self, world, signed_in):
        rule = rule_of(world, "A", RuleType.NO_POLICE_REPORT)
        data = self.data(rule, hours="lots", acknowledge_within_minutes=2)
        del data["action"]
        html = body(signed_in(world.users["sm_a"]).post(self.url(rule), data))
        summary = error_summary(html)
        assert "Number of hours must be a whole number" in summary
        assert "Minutes to acknowledge must be 5 or more" in summary
        assert "Enter what to do" in summary
        assert "(error)" in re.search(r"<title>.*?</title>", html, re.S).group(0)

    def test_a_stale_version_is_refused_with_the_latest_values(self, world, signed_in):
        rule = rule_of(world, "A", RuleType.EPISODES_IN_WINDOW)
        opened = self.data(rule, count=5)
        alerts.rule_update(
            actor=world.users["sm_a"], rule=rule, expected_version=rule.version, days=14
        )
        other = make_user(Role.SERVICE_MANAGER, organisation=world.orgs["A"])
        response = signed_in(other).post(self.url(rule), opened)
        html = body(response)
        assert "changed this record at" in error_summary(html)
        latest = re.search(r'data-testid="latest-version".*?</dl>', html, re.S).group(0)
        assert "14" in latest
        assert 'name="count" value="5"' in html  # what they typed is kept
        assert 'name="version" value="2"' in html
        rule.refresh_from_db()
        assert (rule.count, rule.days) == (3, 14)


class TestOutOfHours:
    @pytest.mark.parametrize("who", ["sw_a", "hm_a1", "police_1", "admin"])
    def test_only_service_managers_may_set_it(self, world, signed_in, who):
        client = signed_in(world.users[who])
        assert client.get(OUT_OF_HOURS).status_code == 404
        assert client.post(OUT_OF_HOURS, {"out_of_hours_email": "x@y.example"}).status_code == 404

    def test_it_sets_the_authoritys_contact(self, world, signed_in):
        response = signed_in(world.users["sm_a"]).post(
            OUT_OF_HOURS,
            {"out_of_hours_name": "Emergency Duty Team", "out_of_hours_email": "EDT@A.example"},
        )
        assert response.status_code == 302
        assert response["Location"] == RULES
        world.orgs["A"].refresh_from_db()
        assert world.orgs["A"].out_of_hours_name == "Emergency Duty Team"
        assert world.orgs["A"].out_of_hours_email == "edt@a.example"
        world.orgs["B"].refresh_from_db()
        assert world.orgs["B"].out_of_hours_email == ""

    def test_a_name_without_an_email_is_refused(self, world, signed_in):
        html = body(signed_in(world.users["sm_a"]).post(OUT_OF_HOURS, {"out_of_hours_name": "EDT"}))
        assert "Enter the out-of-hours email address" in error_summary(html)
        assert 'value="EDT"' in html

    def test_a_malformed_email_is_refused(self, world, signed_in):
        html = body(
            signed_in(world.users["sm_a"]).post(OUT_OF_HOURS, {"out_of_hours_email": "not-one"})
        )
        assert "Enter an email address in the correct format" in error_summary(html)


# The header, the menu and the child's page ---------------------------------------------------


class TestHeaderCount:
    def header(self, html: str) -> str:
        match = re.search(r'<a [^>]*data-testid="header-alerts">.*?</a>', html, re.S)
        return match.group(0) if match else ""

    def href(self, link: str) -> str:
        return re.search(r'href="([^"]*)"', link).group(1).replace("&amp;", "&")

    @pytest.mark.parametrize("who", ["sw_a", "sm_a"])
    def test_it_counts_the_alerts_to_act_on_and_its_link_lists_the_same_alerts(
        self, world, signed_in, who
    ):
        first = raise_alert(world, "a1")
        raise_alert(world, "a2")
        raise_alert(world, "b1")  # authority B's: neither theirs to see nor to act on
        client = signed_in(world.users[who])
        link = self.header(body(client.get("/")))
        assert '<span aria-hidden="true"> (2)</span>' in link
        assert '<span class="govuk-visually-hidden">: 2 to acknowledge</span>' in link
        assert len(rows(body(client.get(self.href(link))))) == 2
        # Opening an alert is not acting on it; acknowledging it is.
        client.get(detail(first))
        assert ": 2 to acknowledge<" in self.header(body(client.get("/")))
        alerts.alert_acknowledge(
            actor=world.users[who], alert=first, expected_version=first.version
        )
        link = self.header(body(client.get("/")))
        assert ": 1 to acknowledge<" in link
        (row,) = rows(body(client.get(self.href(link))))
        assert "ChildA2" in row

    def test_it_leaves_out_alerts_seen_through_a_home_but_not_sent_to_the_user(
        self, world, signed_in
    ):
        raise_alert(world, "a1")
        client = signed_in(world.users["hm_a1"])  # sees a1's alert through the home only
        assert len(rows(body(client.get(LIST)))) == 1
        link = self.header(body(client.get("/")))
        assert re.sub(r"<[^>]+>", "", link).strip() == "Alerts"
        assert self.href(link) == LIST

    def test_with_nothing_unread_it_is_a_plain_link(self, world, signed_in):
        link = self.header(body(signed_in(world.users["cw_a1"]).get("/")))
        assert re.sub(r"<[^>]+>", "", link).strip() == "Alerts"

    def test_anonymous_visitors_see_no_count(self, world, client):
        assert self.header(body(client.get("/accessibility/"))) == ""


class TestNavigation:
    def nav(self, client) -> list[str]:
        html = body(client.get("/"))
        nav = re.search(r'<ul class="govuk-service-navigation__list".*?</ul>', html, re.S).group(0)
        return [
            re.sub(r"<[^>]+>", "", link).strip() for link in re.findall(r"<a .*?</a>", nav, re.S)
        ]

    @pytest.mark.parametrize(
        ("who", "shown"),
        [
            ("sw_a", True),
            ("hm_a1", True),
            ("police_1", True),
            ("sm_a", True),
            ("cw_a1", False),
            ("ri", False),
            ("admin", False),
        ],
    )
    def test_alerts_is_in_the_menu_of_those_alerts_go_to(self, world, signed_in, who, shown):
        assert ("Alerts" in self.nav(signed_in(world.users[who]))) is shown

    @pytest.mark.parametrize(("who", "shown"), [("sm_a", True), ("sw_a", False)])
    def test_escalation_rules_is_in_the_service_managers_menu(self, world, signed_in, who, shown):
        assert ("Escalation rules" in self.nav(signed_in(world.users[who]))) is shown


class TestChildPage:
    def test_it_lists_the_childs_alerts_not_yet_acknowledged(self, world, signed_in):
        alert = raise_alert(world, "a1")
        client = signed_in(world.users["sw_a"])
        html = body(client.get(f"/children/{world.children['a1'].pk}/"))
        banner = re.search(r'data-testid="child-alerts".*?</ul>', html, re.S).group(0)
        assert "1 alert not acknowledged" in banner
        assert f'href="/alerts/{alert.pk}/"' in banner
        alerts.alert_acknowledge(
            actor=world.users["sw_a"], alert=alert, expected_version=alert.version
        )
        html = body(client.get(f"/children/{world.children['a1'].pk}/"))
        assert 'data-testid="child-alerts"' not in html

    def test_an_edit_opened_before_an_assessment_never_wipes_its_cse_level(self, world, signed_in):
        """The fault: an edit form opened before an assessment set the child to Medium was
        saved (a new preferred name) and put the level back to "Not assessed"."""
        from apps.children import services as children

        child = world.children["a1"]
        url = f"/children/{child.pk}/edit/"
        client = signed_in(world.users["sw_a"])
        html = body(client.get(url))
        assert 'name="cse_risk"' not in html  # no form carries the level
        opened = child.version
        children.assessment_complete(
            actor=world.users["sm_a"],
            child=child,
            indicators=[],
            answers={},
            override_level="medium",
            override_reason="New older associates",
        )
        data = {
            "version": opened,
            "first_name": child.first_name,
            "last_name": child.last_name,
            "preferred_name": "Jay",
            "date_of_birth_day": child.date_of_birth.day,
            "date_of_birth_month": child.date_of_birth.month,
            "date_of_birth_year": child.date_of_birth.year,
            "sex": child.sex,
            "ethnicity": child.ethnicity,
            "child_id": child.child_id,
            "cse_risk": "",
        }
        response = client.post(url, data)
        assert response.status_code == 200
        assert "after you opened it" in error_summary(body(response))
        child.refresh_from_db()
        assert (child.cse_risk, child.preferred_name) == ("medium", "")
        # Saved again on the version now shown, the edit keeps the level.
        response = client.post(url, {**data, "version": child.version})
        assert response.status_code == 302, error_summary(body(response))
        child.refresh_from_db()
        assert (child.cse_risk, child.preferred_name) == ("medium", "Jay")
        # The assessment's change is in the child's history, by who made it.
        change = child.history.filter(cse_risk="medium").earliest("history_date")
        assert change.history_user == world.users["sm_a"]
        history = body(client.get(f"/children/{child.pk}/history/"))
        assert "Medium" in history

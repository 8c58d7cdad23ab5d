"""The alerts API: alerts, acknowledging them, and the authority's escalation rules."""

import pytest

from apps.alerts import services as alerts
from apps.alerts.models import AlertStatus, Notification, RecipientRole, RuleType
from apps.alerts.services import DEFAULT_RULES
from apps.children.models import AccessLog, AccessLogKind
from tests.alerts.making import (
    changed_meanwhile,
    many_alerts,
    raise_alert,
    rule_of,
    tell,
    world_with_rules,
)

pytestmark = pytest.mark.django_db

ALERTS = "/api/v1/alerts/"
RULES = "/api/v1/alerts/rules/"


@pytest.fixture
def world():
    return world_with_rules()


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


class TestAlertList:
    def test_it_lists_only_the_alerts_the_caller_may_see(self, world, api):
        a1, b1 = raise_alert(world, "a1"), raise_alert(world, "b1")
        assert ids(api(world.users["sw_a"]).get(ALERTS)) == {a1.pk}
        assert ids(api(world.users["sm_b"]).get(ALERTS)) == {b1.pk}
        assert ids(api(world.users["admin"]).get(ALERTS)) == set()

    def test_a_row_has_the_child_home_rule_and_ladder(self, world, api):
        alert = raise_alert(world, "a1")
        (row,) = api(world.users["sm_a"]).get(ALERTS).json()["results"]
        assert row["child"] == {
            "id": world.children["a1"].pk,
            "child_id": "IDA1",
            "display_name": "ChildA1 Test",
        }
        assert row["home"]["name"] == "Home A1"
        assert row["rule"]["rule_type"] == RuleType.POLICE_RISK_HIGH
        assert row["severity"] == "immediate"
        assert row["status"] == "open"
        assert row["level"] == 0
        assert row["version"] == alert.version

    def test_it_filters_by_scope_status_type_and_home(self, world, api):
        a1, a2 = raise_alert(world, "a1"), raise_alert(world, "a2")
        alerts.alert_acknowledge(actor=world.users["sm_a"], alert=a1, expected_version=1)
        client = api(world.users["sm_a"])
        assert ids(client.get(ALERTS, {"status": "open"})) == {a2.pk}
        assert ids(client.get(ALERTS, {"status": "acknowledged"})) == {a1.pk}
        assert ids(client.get(ALERTS, {"home": world.homes["B1"].pk})) == {a2.pk}
        assert ids(client.get(ALERTS, {"rule_type": RuleType.OPEN_LONGER_THAN})) == set()
        hm = api(world.users["hm_a1"])
        assert ids(hm.get(ALERTS, {"scope": "authority"})) == {a1.pk}
        assert ids(hm.get(ALERTS, {"scope": "mine"})) == set()

    def test_a_bad_filter_is_refused_with_the_field_named(self, world, api):
        response = api(world.users["sm_a"]).get(ALERTS, {"status": "maybe"})
        assert response.status_code == 400
        assert set(response.json()["fields"]) == {"status"}

    @pytest.mark.parametrize("count", [1, 20])
    def test_the_query_count_does_not_grow_with_the_rows(
        self, api, django_assert_num_queries, count
    ):
        manager, _ = many_alerts(count)
        client = api(manager)
        # 1. the token and its user; 2. COUNT of visible alerts; 3. the page's ids; 4. those
        # alerts with child, home and rule (apps.core.pagination.IdsFirst).
        with django_assert_num_queries(4):
            response = client.get(ALERTS)
        assert response.json()["count"] == count


class TestAlertDetail:
    def test_it_is_404_for_an_alert_out_of_scope_or_missing(self, world, api):
        alert = raise_alert(world, "a1")
        for who in ("sw_b", "sm_b", "police_1", "admin"):
            assert api(world.users[who]).get(f"{ALERTS}{alert.pk}/").status_code == 404
        assert api(world.users["sw_a"]).get(f"{ALERTS}999999/").status_code == 404

    def test_it_has_the_episodes_deliveries_and_an_etag(self, world, api):
        alert = raise_alert(world, "a1")
        response = api(world.users["sw_a"]).get(f"{ALERTS}{alert.pk}/")
        assert response.status_code == 200
        assert response["ETag"] == f'"{alert.version}"'
        body = response.json()
        assert body["episodes"] == [alert.episodes.get().pk]
        assert body["action"] == "Speak to the police liaison officer and agree the response"
        assert {(d["user"], d["channel"]) for d in body["deliveries"]} == {
            (world.users["sw_a"].pk, "in_app"),
            (world.users["sw_a"].pk, "email"),
            (world.users["sm_a"].pk, "in_app"),
            (world.users["sm_a"].pk, "email"),
        }
        assert body["ladder"] == ""
        assert body["acknowledged_by"] is None

    def test_reading_it_is_logged_and_marks_the_notification_read(self, world, api):
        alert = raise_alert(world, "a1")
        api(world.users["sw_a"]).get(f"{ALERTS}{alert.pk}/")
        assert Notification.objects.get(user=world.users["sw_a"], alert=alert).read_at
        assert AccessLog.objects.filter(
            user=world.users["sw_a"], child=world.children["a1"], kind=AccessLogKind.API
        ).exists()


class TestAcknowledge:
    def url(self, alert):
        return f"{ALERTS}{alert.pk}/acknowledge/"

    def test_it_acknowledges_with_the_version_read(self, world, api):
        alert = raise_alert(world, "a1")
        response = api(world.users["sw_a"]).post(
            self.url(alert), {"note": "Spoke to police"}, format="json", HTTP_IF_MATCH='"1"'
        )
        assert response.status_code == 200, response.json()
        assert response["ETag"] == '"2"'
        body = response.json()
        assert body["status"] == AlertStatus.ACKNOWLEDGED
        assert body["acknowledged_by"]["id"] == world.users["sw_a"].pk
        assert body["acknowledgement_note"] == "Spoke to police"

    def test_without_if_match_it_is_428(self, world, api):
        alert = raise_alert(world, "a1")
        response = api(world.users["sw_a"]).post(self.url(alert), {}, format="json")
        assert response.status_code == 428

    def test_a_stale_version_is_412_and_changes_nothing(self, world, api):
        alert = raise_alert(world, "a1")
        changed_meanwhile(alert)
        response = api(world.users["sw_a"]).post(
            self.url(alert), {"note": "Late"}, format="json", HTTP_IF_MATCH='"1"'
        )
        assert response.status_code == 412
        assert "changed this record" in response.json()["message"]
        alert.refresh_from_db()
        assert alert.is_open

    def test_an_alert_already_acknowledged_is_400_with_the_field(self, world, api):
        alert = raise_alert(world, "a1")
        alerts.alert_acknowledge(actor=world.users["sm_a"], alert=alert, expected_version=1)
        response = api(world.users["sw_a"]).post(
            self.url(alert), {}, format="json", HTTP_IF_MATCH='"2"'
        )
        assert response.status_code == 400
        assert set(response.json()["fields"]) == {"note"}

    def test_a_note_too_long_is_400(self, world, api):
        alert = raise_alert(world, "a1")
        response = api(world.users["sw_a"]).post(
            self.url(alert), {"note": "x" * 2001}, format="json", HTTP_IF_MATCH='"1"'
        )
        assert response.status_code == 400
        assert set(response.json()["fields"]) == {"note"}

    def test_out_of_scope_is_404_before_anything_else(self, world, api):
        alert = raise_alert(world, "a1")
        response = api(world.users["sw_b"]).post(
            self.url(alert), {}, format="json", HTTP_IF_MATCH='"1"'
        )
        assert response.status_code == 404


class TestRules:
    def test_a_service_manager_lists_their_authoritys_rules(self, world, api):
        response = api(world.users["sm_a"]).get(RULES)
        assert response.status_code == 200
        rows = response.json()["results"]
        assert len(rows) == len(DEFAULT_RULES)
        assert {row["id"] for row in rows} == {
            rule.pk for rule in world.orgs["A"].escalation_rules.all()
        }
        (window,) = [r for r in rows if r["rule_type"] == RuleType.EPISODES_IN_WINDOW]
        assert window["description"] == "3 episodes of any kind within 30 days"

    @pytest.mark.parametrize("who", ["sw_a", "hm_a1", "police_1", "admin"])
    def test_nobody_else_sees_rules(self, world, api, who):
        client = api(world.users[who])
        assert client.get(RULES).status_code == 404
        assert client.get(f"{RULES}{rule_of(world, 'A').pk}/").status_code == 404

    def test_another_authoritys_rule_is_404(self, world, api):
        client = api(world.users["sm_a"])
        assert client.get(f"{RULES}{rule_of(world, 'B').pk}/").status_code == 404
        response = client.patch(
            f"{RULES}{rule_of(world, 'B').pk}/",
            {"enabled": False},
            format="json",
            HTTP_IF_MATCH='"1"',
        )
        assert response.status_code == 404

    def test_a_rule_has_an_etag(self, world, api):
        rule = rule_of(world, "A")
        response = api(world.users["sm_a"]).get(f"{RULES}{rule.pk}/")
        assert response["ETag"] == '"1"'
        assert response.json()["recipient_roles"] == rule.recipient_roles

    def test_patch_changes_the_rule(self, world, api):
        rule = rule_of(world, "A", RuleType.EPISODES_IN_WINDOW)
        response = api(world.users["sm_a"]).patch(
            f"{RULES}{rule.pk}/",
            {"count": 4, "recipient_roles": [RecipientRole.SERVICE_MANAGER], "hours": 9},
            format="json",
            HTTP_IF_MATCH='"1"',
        )
        assert response.status_code == 200, response.json()
        assert response["ETag"] == '"2"'
        rule.refresh_from_db()
        assert rule.count == 4
        assert rule.recipient_roles == [RecipientRole.SERVICE_MANAGER]
        assert rule.hours is None  # not a parameter of this rule type: ignored

    def test_patch_out_of_range_is_400_with_the_field(self, world, api):
        rule = rule_of(world, "A", RuleType.EPISODES_IN_WINDOW)
        response = api(world.users["sm_a"]).patch(
            f"{RULES}{rule.pk}/", {"days": 400}, format="json", HTTP_IF_MATCH='"1"'
        )
        assert response.status_code == 400
        assert response.json()["fields"] == {
            "days": ["The number of days must be between 1 and 365"]
        }

    def test_patch_with_no_recipients_or_an_unknown_one_is_400(self, world, api):
        rule = rule_of(world, "A")
        client = api(world.users["sm_a"])
        for roles in ([], ["headteacher"]):
            response = client.patch(
                f"{RULES}{rule.pk}/",
                {"recipient_roles": roles},
                format="json",
                HTTP_IF_MATCH='"1"',
            )
            assert response.status_code == 400
            assert set(response.json()["fields"]) == {"recipient_roles"}

    def test_patch_with_a_stale_version_is_412(self, world, api):
        rule = tell(world, "A", RecipientRole.SERVICE_MANAGER)
        assert rule.version == 2
        response = api(world.users["sm_a"]).patch(
            f"{RULES}{rule.pk}/", {"enabled": False}, format="json", HTTP_IF_MATCH='"1"'
        )
        assert response.status_code == 412
        rule.refresh_from_db()
        assert rule.enabled

    def test_patch_without_if_match_is_428(self, world, api):
        rule = rule_of(world, "A")
        response = api(world.users["sm_a"]).patch(
            f"{RULES}{rule.pk}/", {"enabled": False}, format="json"
        )
        assert response.status_code == 428

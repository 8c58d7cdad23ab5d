"""Who sees which alerts and rules: the visibility is written out by hand from the access
model (apps/alerts/access.py docstring), not derived from the code it tests."""

import pytest
from django.http import Http404

from apps.alerts import access
from apps.alerts.models import RecipientRole
from apps.alerts.services import DEFAULT_RULES
from tests.alerts.making import raise_alert, rule_of, tell, world_with_rules

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return world_with_rules()


def visible(world, user_key, alerts) -> set[str]:
    pks = set(access.alerts_visible_to(world.users[user_key]).values_list("pk", flat=True))
    return {key for key, alert in alerts.items() if alert.pk in pks}


class TestAlertsVisibleTo:
    @pytest.fixture
    def alerts(self, world):
        # A's rule also tells the police of the home's force area; B's keeps the default.
        tell(
            world,
            "A",
            RecipientRole.SOCIAL_WORKER,
            RecipientRole.SERVICE_MANAGER,
            RecipientRole.POLICE_LIAISON,
        )
        return {key: raise_alert(world, key) for key in ("a1", "a2", "b1", "b2")}

    @pytest.mark.parametrize(
        ("user", "expected"),
        [
            ("sw_a", {"a1", "a2"}),
            ("sw_b", {"b1", "b2"}),
            ("sm_a", {"a1", "a2"}),
            ("sm_b", {"b1", "b2"}),
            ("hm_a1", {"a1"}),
            ("police_1", {"a1", "a2"}),
            ("police_2", set()),
            ("cw_a1", set()),
            ("cw_b1", set()),
            ("ri", set()),
            ("admin", set()),
        ],
    )
    def test_each_user_sees_exactly_the_alerts_the_access_model_gives_them(
        self, world, alerts, user, expected
    ):
        assert visible(world, user, alerts) == expected

    def test_a_home_manager_sees_their_homes_alerts_though_not_told(self, world, alerts):
        assert not world.users["hm_a1"].alert_deliveries.filter(alert__isnull=False).exists()
        assert visible(world, "hm_a1", alerts) == {"a1"}

    @pytest.mark.parametrize(
        "user", ["sw_a", "sm_a", "sm_b", "hm_a1", "police_1", "cw_a1", "ri", "admin"]
    )
    def test_the_scope_as_one_condition_gives_the_same_alerts_as_the_list(
        self, world, alerts, user
    ):
        # alerts_visible_to reads the scope's parts and joins their ids; alert_scope_q is the
        # same rule as one condition (for checks on one alert): the two must never differ.
        from apps.alerts.models import Alert

        person = world.users[user]
        listed = set(access.alerts_visible_to(person).values_list("pk", flat=True))
        one_condition = set(
            Alert.objects.filter(access.alert_scope_q(person)).values_list("pk", flat=True)
        )
        assert listed == one_condition
        for alert in alerts.values():
            if alert.pk in listed:
                assert access.get_alert_for_user(person, alert.pk) == alert
            else:
                with pytest.raises(Http404):
                    access.get_alert_for_user(person, alert.pk)

    def test_the_police_see_only_what_was_sent_to_them(self, world, alerts):
        assert world.users["police_1"].alert_deliveries.filter(alert=alerts["a1"]).exists()
        assert visible(world, "police_2", alerts) == set()


class TestSocialWorkers:
    def test_a_social_worker_sees_alerts_about_their_children_they_were_not_sent(self, world):
        tell(world, "A", RecipientRole.SERVICE_MANAGER)
        alert = raise_alert(world, "a1")
        assert not alert.deliveries.filter(user=world.users["sw_a"]).exists()
        assert visible(world, "sw_a", {"a1": alert}) == {"a1"}
        assert visible(world, "sw_b", {"a1": alert}) == set()


class TestGetAlertForUser:
    def test_it_fetches_a_visible_alert(self, world):
        alert = raise_alert(world, "a1")
        assert access.get_alert_for_user(world.users["sw_a"], alert.pk) == alert

    @pytest.mark.parametrize("pk", ["999999", "nope", None])
    def test_a_missing_alert_is_404(self, world, pk):
        with pytest.raises(Http404):
            access.get_alert_for_user(world.users["sw_a"], pk)

    def test_an_alert_out_of_scope_is_404_like_a_missing_one(self, world):
        alert = raise_alert(world, "a1")
        with pytest.raises(Http404):
            access.get_alert_for_user(world.users["sw_b"], alert.pk)


class TestCanAcknowledge:
    def test_anyone_who_sees_the_alert_may_acknowledge_it(self, world):
        alert = raise_alert(world, "a1")
        for user in ("sw_a", "sm_a", "hm_a1"):
            assert access.can_acknowledge(world.users[user], alert)

    def test_administrators_may_not(self, world):
        alert = raise_alert(world, "a1")
        assert not access.can_acknowledge(world.users["admin"], alert)


class TestRules:
    @pytest.mark.parametrize(("user", "authority"), [("sm_a", "A"), ("sm_b", "B")])
    def test_a_service_manager_sees_their_own_authoritys_rules(self, world, user, authority):
        rules = access.rules_visible_to(world.users[user])
        assert rules.count() == len(DEFAULT_RULES)
        assert {rule.authority_id for rule in rules} == {world.orgs[authority].pk}

    @pytest.mark.parametrize("user", ["sw_a", "hm_a1", "cw_a1", "police_1", "ri", "admin"])
    def test_nobody_else_sees_any_rule(self, world, user):
        assert not access.rules_visible_to(world.users[user]).exists()
        with pytest.raises(Http404):
            access.get_rule_for_user(world.users[user], rule_of(world, "A").pk)

    def test_another_authoritys_rule_is_404(self, world):
        with pytest.raises(Http404):
            access.get_rule_for_user(world.users["sm_a"], rule_of(world, "B").pk)

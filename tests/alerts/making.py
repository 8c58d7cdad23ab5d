"""Alerts for the page, API and access tests, raised through the services: a child's episode
graded high risk by the police raises the authority's "Police risk grade high" alert, which
tells the child's social worker and the authority's service managers."""

from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from apps.accounts.models import OrganisationKind, Role
from apps.alerts import services as alerts
from apps.alerts.models import Alert, EscalationRule, RuleType
from apps.episodes import services as episodes
from apps.homes import services as homes
from tests.factories import OrganisationFactory, make_user
from tests.world import build_world, place_children

# Who reports each child of tests/world.py missing: someone who may.
REPORTERS = {"a1": "cw_a1", "a2": "sw_a", "b1": "sw_b", "b2": "sw_b"}


def world_with_rules():
    """tests/world.py with both authorities' default rules (OrganisationFactory seeds none)."""
    world = build_world()
    alerts.rules_seed_defaults(authority=world.orgs["A"])
    alerts.rules_seed_defaults(authority=world.orgs["B"])
    return world


def rule_of(world, authority="A", rule_type=RuleType.POLICE_RISK_HIGH) -> EscalationRule:
    return EscalationRule.objects.get(authority=world.orgs[authority], rule_type=rule_type)


def raise_alert(world, child="a1", *, hours_ago=3) -> Alert:
    """Report `child` missing, graded high risk: one "Police risk grade high" alert."""
    episodes.episode_open(
        actor=world.users[REPORTERS[child]],
        child=world.children[child],
        kind="M",
        last_seen_at=timezone.now() - timedelta(hours=hours_ago),
        last_seen_where="Bus station",
        risk_grade="high",
    )
    return Alert.objects.get(child=world.children[child], rule__rule_type=RuleType.POLICE_RISK_HIGH)


def tell(world, authority, *roles):
    """Change who the authority's "Police risk grade high" rule tells."""
    rule = rule_of(world, authority)
    return alerts.rule_update(
        actor=world.users[f"sm_{authority.lower()}"],
        rule=rule,
        expected_version=rule.version,
        recipient_roles=list(roles),
    )


def many_alerts(count: int):
    """`count` children of one authority at one home, each graded high risk while missing:
    `count` alerts. Returns the authority's service manager and social worker."""
    authority = OrganisationFactory(kind=OrganisationKind.LOCAL_AUTHORITY)
    alerts.rules_seed_defaults(authority=authority)
    force = OrganisationFactory(kind=OrganisationKind.POLICE_FORCE)
    admin = make_user(Role.ADMINISTRATOR, organisation=authority)
    manager = make_user(Role.SERVICE_MANAGER, organisation=authority)
    social_worker = make_user(Role.SOCIAL_WORKER, organisation=authority)
    home = homes.home_create(
        actor=admin,
        name="Home",
        ofsted_urn="SC777777",
        operator=authority,
        host_authority=authority,
        police_force=force,
        address_line_1="1 Street",
        town="Town",
        postcode="NE1 8AA",
        capacity=30,
    )
    for child in place_children(home=home, count=count, actor=social_worker, placer=admin):
        episodes.episode_open(
            actor=social_worker,
            child=child,
            kind="M",
            last_seen_at=timezone.now() - timedelta(hours=2),
            last_seen_where="Town",
            risk_grade="high",
        )
    assert Alert.objects.filter(authority=authority).count() == count
    return manager, social_worker


def changed_meanwhile(alert):
    """Another process saved the alert (still open) after the user loaded the page. No
    person-facing service changes an open alert but acknowledging it, so this stands in for a
    future one, or a race."""
    Alert.objects.filter(pk=alert.pk).update(version=F("version") + 1)

"""Who may see and do what with alerts and escalation rules.

Who sees which alerts (ARCHITECTURE.md, access model):
- everyone: alerts delivered to them (an AlertDelivery names them);
- service manager: also every alert of their authority;
- home manager: also alerts about the homes they are granted;
- social worker: also alerts about children they can see;
- care worker, police liaison, return interviewer, administrator: only alerts delivered to
  them.
Notices: each person sees only the notices told to them in Homeward (their own in-app
delivery rows); a notice carries initials and ID only, and its link leads to the record,
where the person's own scope applies.
Escalation rules: a service manager sees and changes their own authority's; nobody else.
Forbidden answers 404 (get_alert_for_user, get_rule_for_user), exactly like missing. The
mechanism: apps/core/scope.py.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from apps.accounts.models import Role
from apps.alerts.models import Alert, AlertDelivery, Channel, EscalationRule
from apps.children.access import children_visible_to
from apps.core.scope import Scope, one_or_404
from apps.homes.models import Home


def _delivered_ids(user) -> QuerySet:
    return AlertDelivery.objects.filter(user=user, alert__isnull=False).values("alert_id")


def delivered_q(user) -> Q:
    """Alerts that went to `user` on any channel, at any step of the ladder."""
    return Q(pk__in=_delivered_ids(user))


# Each part is read through its own index (the user's deliveries, the authority's alerts, the
# alerts of granted homes or visible children): an OR of these across tables makes PostgreSQL
# read every alert.


def _of_authority(user):
    if user.organisation_id:
        return Alert.objects.filter(authority_id=user.organisation_id).values("pk")
    return None


def _of_granted_homes(user):
    return Alert.objects.filter(home_id__in_ids=Home.objects.granted_ids(user)).values("pk")


def _of_visible_children(user):
    return Alert.objects.filter(child_id__in_ids=children_visible_to(user).values("pk")).values(
        "pk"
    )


alert_scope = Scope(
    Alert,
    {
        Role.SERVICE_MANAGER: [_of_authority],
        Role.HOME_MANAGER: [_of_granted_homes],
        Role.SOCIAL_WORKER: [_of_visible_children],
    },
    everyone=[_delivered_ids],
    name="alert",
)


def alert_scope_q(user) -> Q:
    """The same rule as one condition, for checks on one alert."""
    return alert_scope.condition(user)


def alerts_visible_to(user) -> QuerySet[Alert]:
    """The alerts `user` may see, read by primary key from the union of the parts' ids."""
    return alert_scope.rows(user)


def get_alert_for_user(user, pk) -> Alert:
    """The alert with what its page shows, or Http404 when missing or not the user's to see."""
    return alert_scope.fetch_or_404(
        user,
        pk,
        queryset=Alert.objects.select_related(
            "rule", "authority", "child", "home", "acknowledged_by"
        ),
    )


def notices_of(user) -> QuerySet[AlertDelivery]:
    """The in-app deliveries of the notices told to `user`."""
    return AlertDelivery.objects.filter(user=user, channel=Channel.IN_APP, notice__isnull=False)


def get_notice_for_user(user, pk) -> AlertDelivery:
    """One of the user's own notices with its notice, or Http404 like missing."""
    return one_or_404(notices_of(user).select_related("notice"), pk, "notice")


def can_acknowledge(user, alert: Alert) -> bool:
    """Everyone who may see the alert except administrators (caller fetched it through
    get_alert_for_user). Acknowledging an alert already acknowledged is the service's refusal."""
    return user.role != Role.ADMINISTRATOR


def can_open_child(user, alert: Alert) -> bool:
    """Whether a link to the alert's child would open for this user (an alert can reach
    someone who does not see the child, e.g. police after the child's return)."""
    return children_visible_to(user).filter(pk=alert.child_id).exists()


# Escalation rules --------------------------------------------------------------------------


def can_manage_rules(user) -> bool:
    return bool(
        user.is_authenticated and user.role == Role.SERVICE_MANAGER and user.organisation_id
    )


def rules_visible_to(user) -> QuerySet[EscalationRule]:
    if not can_manage_rules(user):
        return EscalationRule.objects.none()
    return EscalationRule.objects.filter(authority_id=user.organisation_id)


def get_rule_for_user(user, pk) -> EscalationRule:
    return one_or_404(rules_visible_to(user).select_related("authority"), pk, "rule")


def get_authority_for_user(user):
    """The authority whose rules and out-of-hours contact `user` manages, or Http404."""
    if not can_manage_rules(user):
        raise Http404("Not found")
    return user.organisation

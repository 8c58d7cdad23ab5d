"""Who may see and do what with alerts and escalation rules.

Who sees which alerts (ARCHITECTURE.md, access model):
- everyone: alerts delivered to them (an AlertDelivery names them);
- service manager: also every alert of their authority;
- home manager: also alerts about the homes they are granted;
- social worker: also alerts about children they can see;
- care worker, police liaison, return interviewer, administrator: only alerts delivered to
  them.
Escalation rules: a service manager sees and changes their own authority's; nobody else.
Forbidden answers 404 (get_alert_for_user, get_rule_for_user), exactly like missing.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from apps.accounts.models import Role
from apps.alerts.models import Alert, AlertDelivery, EscalationRule
from apps.core.lookups import any_part_q, rows_in_parts


def _pk(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404("Not found") from None


def _delivered_ids(user) -> QuerySet:
    return AlertDelivery.objects.filter(user=user).values("alert_id")


def delivered_q(user) -> Q:
    """Alerts that went to `user` on any channel, at any step of the ladder."""
    return Q(pk__in=_delivered_ids(user))


def alert_scope_parts(user) -> list[QuerySet]:
    """The user's scope as querysets of alert ids, each read through its own index (the
    user's deliveries, the authority's alerts, the alerts of granted homes or visible
    children): an OR of these across tables makes PostgreSQL read every alert. The same
    shape as apps.children.access.child_scope_parts."""
    if not (user and user.is_authenticated and user.is_active):
        return []
    parts = [_delivered_ids(user)]
    role = user.role
    if role == Role.SERVICE_MANAGER and user.organisation_id:
        parts.append(Alert.objects.filter(authority_id=user.organisation_id).values("pk"))
    elif role == Role.HOME_MANAGER:
        from apps.homes.access import granted_home_ids

        parts.append(Alert.objects.filter(home_id__in_ids=granted_home_ids(user)).values("pk"))
    elif role == Role.SOCIAL_WORKER:
        from apps.children.access import children_visible_to

        parts.append(
            Alert.objects.filter(child_id__in_ids=children_visible_to(user).values("pk")).values(
                "pk"
            )
        )
    return parts


def alert_scope_q(user) -> Q:
    """The same rule as one condition, for checks on one alert."""
    parts = alert_scope_parts(user)
    return any_part_q(parts)


def alerts_visible_to(user) -> QuerySet[Alert]:
    """The alerts `user` may see, read by primary key from the union of the parts' ids."""
    parts = alert_scope_parts(user)
    return rows_in_parts(Alert, parts)


def get_alert_for_user(user, pk) -> Alert:
    """The alert with what its page shows, or Http404 when missing or not the user's to see."""
    alert = (
        alerts_visible_to(user)
        .select_related("rule", "authority", "child", "home", "acknowledged_by")
        .filter(pk=_pk(pk))
        .first()
    )
    if alert is None:
        raise Http404("No such alert")
    return alert


def can_acknowledge(user, alert: Alert) -> bool:
    """Everyone who may see the alert except administrators (caller fetched it through
    get_alert_for_user). Acknowledging an alert already acknowledged is the service's refusal."""
    return user.role != Role.ADMINISTRATOR


def can_open_child(user, alert: Alert) -> bool:
    """Whether a link to the alert's child would open for this user (an alert can reach
    someone who does not see the child, e.g. police after the child's return)."""
    from apps.children.access import children_visible_to

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
    rule = rules_visible_to(user).select_related("authority").filter(pk=_pk(pk)).first()
    if rule is None:
        raise Http404("No such rule")
    return rule


def get_authority_for_user(user):
    """The authority whose rules and out-of-hours contact `user` manages, or Http404."""
    if not can_manage_rules(user):
        raise Http404("Not found")
    return user.organisation

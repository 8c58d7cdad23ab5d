"""Reads about alerts that take a user or span models. Each returns a queryset already scoped
by apps.alerts.access, with the relations its page shows named in select_related and anything
per row annotated, so a list costs the same number of queries for 1 row as for 1,000."""

from django.db.models import Exists, F, Func, IntegerField, OuterRef, QuerySet, Subquery

from apps.accounts.models import User
from apps.alerts.access import alerts_visible_to, delivered_q, notices_of, rules_visible_to
from apps.alerts.models import (
    Alert,
    AlertDelivery,
    AlertStatus,
    EscalationRule,
    Notification,
)
from apps.core.pagination import IdsFirst

SCOPE_MINE = "mine"
SCOPE_ALL = "authority"


def alert_list(
    user,
    *,
    scope: str = SCOPE_ALL,
    statuses: list[str] | None = None,
    rule_types: list[str] | None = None,
    home: int | None = None,
) -> IdsFirst:
    """Alerts `user` may see, most urgent first (`AlertQuerySet.by_urgency`). `scope` "mine"
    keeps those delivered to the user.

    Two queries a page (apps.core.pagination.IdsFirst): the page's ids, sorted on the alerts
    table alone, then those alerts with the child, home and rule joined, `unread` (the user's
    notification is not read yet) and `child_visible` (a link to the child's record would
    open) annotated.
    """
    from apps.children.access import children_visible_to

    alerts = alerts_visible_to(user)
    if scope == SCOPE_MINE:
        alerts = alerts.filter(delivered_q(user))
    if statuses:
        alerts = alerts.filter(status__in=statuses)
    if rule_types:
        alerts = alerts.filter(rule__rule_type__in=rule_types)
    if home is not None:
        alerts = alerts.filter(home_id=home)
    return IdsFirst(
        alerts.annotate(
            unread=Exists(
                Notification.objects.filter(alert=OuterRef("pk"), user=user, read_at__isnull=True)
            ),
            child_visible=Exists(children_visible_to(user).filter(pk=OuterRef("child_id"))),
        ).by_urgency(),
        related=("child", "home", "rule"),
    )


def alert_homes(user) -> list[tuple[int, str]]:
    """(id, name) of the homes the user's alerts are about, for the home filter. One query."""
    from apps.homes.models import Home

    homes = Home.objects.filter(pk__in=alerts_visible_to(user).values("home_id"))
    return list(homes.order_by("name", "pk").values_list("pk", "name"))


def to_act_on(user) -> QuerySet[Alert]:
    """The alerts `user` must act on: sent to them and not yet acknowledged. The header counts
    these, and its link opens the alerts list filtered to the same rows (`TO_ACT_ON`)."""
    return Alert.objects.open().filter(delivered_q(user))


# The alerts list's filters that show `to_act_on` (the header's link).
TO_ACT_ON = {"scope": SCOPE_MINE, "status": AlertStatus.OPEN}


def unread_counts(user) -> dict[str, int]:
    """The header's two counts in one query: the alerts the user must act on (`to_act_on`)
    and the notices not yet opened (partial index delivery_user_notices)."""
    counts = User.objects.filter(pk=user.pk).values(
        alerts=_count(to_act_on(user)),
        notices=_count(notices_of(user).filter(read_at__isnull=True)),
    )
    row = next(iter(counts), None) or {"alerts": 0, "notices": 0}
    return {name: row[name] or 0 for name in ("alerts", "notices")}


def _count(queryset) -> Subquery:
    return Subquery(
        queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")[:1],
        output_field=IntegerField(),
    )


def notice_inbox(user) -> QuerySet[AlertDelivery]:
    """The notices told to `user` in Homeward, newest first, each with its notice. A
    notice carries initials and ID only, so the inbox needs no other scope: the link leads to
    the record, where the user's own scope applies."""
    return notices_of(user).select_related("notice").order_by("-created_at", "-pk")


def episode_told(episode) -> list[AlertDelivery]:
    """Who has been told of an episode: each notice's deliveries, in the order they were
    made. One query (caller has checked the user may see the episode in full)."""
    return list(
        AlertDelivery.objects.filter(notice__episode=episode)
        .select_related("notice")
        .order_by("notice__created_at", "notice_id", "recipient_name", "channel", "pk")
    )


def alert_episodes(user, alert: Alert) -> list:
    """The episodes that triggered the alert, oldest first, each with `visible` (the user may
    open it). One query (caller has checked access to the alert)."""
    from apps.episodes.access import episodes_visible_to

    return list(
        alert.episodes.select_related("home")
        .annotate(visible=Exists(episodes_visible_to(user).filter(pk=OuterRef("pk"))))
        .order_by("last_seen_at", "pk")
    )


def alert_deliveries(alert: Alert) -> QuerySet[AlertDelivery]:
    """Who the alert went to, step by step, and how each message fared (caller has checked
    access to the alert)."""
    return alert.deliveries.order_by("level", "recipient_name", "pk", "channel")


def child_open_alerts(user, child) -> list[Alert]:
    """The child's alerts not yet acknowledged that the user may see, most urgent first. One
    query (caller has checked access to the child)."""
    return list(alerts_visible_to(user).filter(child=child, status=AlertStatus.OPEN).by_urgency())


def rule_list(user) -> QuerySet[EscalationRule]:
    """The rules of the authority the user manages, in the order the page lists them."""
    return rules_visible_to(user).order_by("rule_type", "pk")

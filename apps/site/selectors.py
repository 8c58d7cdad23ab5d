"""The start pages' work queues: one read per role, through the lower apps' scoped selectors
and access, so a start page never shows an object its user may not see. Each queue is a count
and its first few items (most urgent first), a fixed number of queries whatever the data."""

from datetime import timedelta

from django.db.models import Count
from django.utils import timezone

from apps.accounts.models import Role

FIRST = 5
# A review shows on the social worker's start page this long before it falls due.
REVIEWS_AHEAD = timedelta(days=14)


def _queue(queryset, first: int = FIRST) -> dict:
    """The count and the first items of a queryset: two queries."""
    return {"count": queryset.count(), "items": list(queryset[:first])}


def _missing(user) -> dict:
    from apps.episodes.selectors import missing_now

    return _queue(missing_now(user))


def _interviews_to_do(user, now) -> dict:
    from apps.episodes.selectors import interviews_for

    interviews = interviews_for(user).filter(outcome="")
    queue = _queue(interviews)
    queue["overdue"] = interviews.filter(due_at__lt=now).count()
    return queue


def _first_hour(user) -> dict:
    from apps.episodes.selectors import first_hour_undone

    return _queue(first_hour_undone(user))


def _home_staff(user, now) -> dict:
    from apps.children.selectors import child_list

    report_for = list(
        child_list(user=user).filter(status_kind__isnull=True).order_by("first_name", "pk")[:10]
    )
    return {
        "missing": _missing(user),
        "interviews": _interviews_to_do(user, now),
        "first_hour": _first_hour(user),
        "report_for": report_for,
    }


def _open_alerts(user) -> dict:
    from apps.alerts.access import alerts_visible_to
    from apps.alerts.models import Severity

    alerts = alerts_visible_to(user).open()
    by_severity = dict(
        alerts.order_by()
        .values_list("severity")
        .annotate(n=Count("pk"))
        .values_list("severity", "n")
    )
    severities = [
        {"value": value, "label": label, "count": by_severity.get(value, 0)}
        for value, label in Severity.choices
    ]
    first = list(alerts.select_related("child", "home", "rule").by_urgency()[:FIRST])
    return {"count": sum(by_severity.values()), "by_severity": severities, "items": first}


def _reg40(user) -> dict:
    from apps.episodes.selectors import reg40_list

    return _queue(reg40_list(user))


def _reviews(children, now) -> dict:
    """CSE risk assessments and strategy meetings of `children` due for review within
    REVIEWS_AHEAD or overdue, soonest first: six queries."""
    from apps.children.selectors import cse_reviews_due
    from apps.strategy_meetings.selectors import meeting_reviews_to_book

    today = timezone.localdate(now)
    cse = cse_reviews_due(children=children, by=today + REVIEWS_AHEAD)
    meetings = meeting_reviews_to_book(children=children, by=today + REVIEWS_AHEAD)
    items = [
        {"kind": "cse", "child": a.child, "due_on": a.review_due_on, "record": a}
        for a in cse[:FIRST]
    ] + [
        {"kind": "meeting", "child": m.child, "due_on": m.next_review_on, "record": m}
        for m in meetings[:FIRST]
    ]
    items.sort(key=lambda item: item["due_on"])
    return {
        "count": cse.count() + meetings.count(),
        "overdue": cse.filter(review_due_on__lt=today).count()
        + meetings.filter(next_review_on__lt=today).count(),
        "items": items[:FIRST],
    }


def _social_worker(user, now) -> dict:
    from apps.children.selectors import child_list
    from apps.strategy_meetings.selectors import my_actions

    caseload = child_list(user=user).filter(allocated_social_worker=user)
    queue = _queue(caseload.order_by("status_kind", "last_name", "first_name", "pk"))
    actions = my_actions(user)
    return {
        "caseload": queue,
        "missing": _missing(user),
        "interviews": _interviews_to_do(user, now),
        "reviews": _reviews(caseload, now),
        "actions": {**_queue(actions), "overdue": actions.filter(due_on__lt=now.date()).count()},
    }


def _return_interviewer(user, now) -> dict:
    from apps.episodes.access import interviews_visible_to

    unassigned = (
        interviews_visible_to(user)
        .filter(outcome="", assigned_to__isnull=True)
        .select_related("episode", "episode__child", "episode__home")
        .order_by("due_at", "pk")
    )
    return {"interviews": _interviews_to_do(user, now), "unassigned": _queue(unassigned)}


def _police(user, now) -> dict:
    from apps.episodes.selectors import recently_returned
    from apps.strategy_meetings.selectors import meeting_list

    no_visit = recently_returned(user, now=now).filter(visits__isnull=True).distinct()
    meetings = meeting_list(user, upcoming_only=True).filter(attendees__user=user)
    return {
        "missing": _missing(user),
        "no_visit": _queue(no_visit),
        "meetings": _queue(meetings.order_by("scheduled_at", "pk")),
        "from_elsewhere": _placed_from_elsewhere(user),
    }


def _placed_from_elsewhere(user) -> dict:
    """Homes the user can see with children placed there by another authority than the one
    the home is in, most first: a count per home, never the children (two queries)."""
    from apps.children.selectors import placed_from_elsewhere
    from apps.homes.selectors import home_list

    homes = (
        home_list(user=user)
        .annotate(from_elsewhere=placed_from_elsewhere())
        .filter(from_elsewhere__gt=0)
        .order_by("-from_elsewhere", "name", "pk")
    )
    return _queue(homes, first=10)


def _meeting_timeliness(user, now) -> dict:
    """The dashboard's strategy-meeting figures for its default period (the last 12 months),
    so the start page and the dashboard it links to agree. One query."""
    from apps.reports.forms import period_dates
    from apps.reports.selectors import Filters, meeting_figures

    start, end = period_dates("", timezone.localdate(now))
    return {"figures": meeting_figures(user, Filters(start=start, end=end)), "start": start}


def _service_manager(user, now) -> dict:
    return {
        "alerts": _open_alerts(user),
        "missing": _missing(user),
        "interviews": _interviews_to_do(user, now),
        "meetings": _meeting_timeliness(user, now),
    }


def _administrator(user, now) -> dict:
    from apps.accounts.selectors import organisations_list, users_list
    from apps.alerts.selectors import rule_list
    from apps.homes.selectors import home_list

    return {
        "users": users_list().count(),
        "organisations": organisations_list().count(),
        "homes": home_list(user=user).count(),
        "rules": rule_list(user).count(),
    }


def start_page(user, *, now=None) -> dict:
    """What the user's start page lists: their role's work queues."""
    now = now or timezone.now()
    role = user.role
    if role == Role.CARE_WORKER:
        return _home_staff(user, now)
    if role == Role.HOME_MANAGER:
        return {**_home_staff(user, now), "reg40": _reg40(user), "alerts": _open_alerts(user)}
    if role == Role.SOCIAL_WORKER:
        return _social_worker(user, now)
    if role == Role.RETURN_INTERVIEWER:
        return _return_interviewer(user, now)
    if role == Role.POLICE_LIAISON:
        return _police(user, now)
    if role == Role.SERVICE_MANAGER:
        return _service_manager(user, now)
    return _administrator(user, now)

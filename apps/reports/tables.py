"""Every table the reports show, built once from the selectors' figures and used three ways: the
accessible table on the page, the chart beside it (same numbers), and the CSV/XLSX export.

A table is a title, a caption, headers, and rows of cells; a cell is text, a number, None (shown
as a dash) or a Link (the page shows the link, an export writes its text).
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.urls import reverse

from apps.core.clock import display_date
from apps.core.templatetags.homeward import timeuntil_minutes
from apps.episodes.models import EpisodeKind
from apps.reports.selectors import (
    AGE_BANDS,
    CATEGORIES,
    CHART_CATEGORIES,
    MEETING_WORKING_DAYS,
    REPEAT_DAYS,
    REPEAT_EPISODES,
    Dashboard,
    month_label,
)
from apps.reports.ssda903 import COLUMNS, Ssda903


@dataclass(frozen=True)
class Link:
    text: str
    href: str

    def __str__(self):
        return self.text


@dataclass
class Table:
    slug: str
    title: str
    caption: str
    headers: list[str]
    rows: list[list]
    summary: str = ""
    numeric: set = field(default_factory=set)  # indexes of columns holding numbers
    child_pks: list = field(default_factory=list)  # children named in the rows (access log)
    footer: list | None = None  # a total row, exported as the last row


def uk_time(moment: datetime | None) -> str:
    """'23/11/2026 14:05' in UK time, as spreadsheets read it: a moment in a file or the API
    (the page shows it as '23 Nov 2026, 2:05pm')."""
    if moment is None:
        return ""
    from apps.core.clock import LONDON

    return moment.astimezone(LONDON).strftime("%d/%m/%Y %H:%M")


def plain(cell):
    """A table cell as files and the API carry it: a link's text, a moment as `uk_time`,
    anything else as it is."""
    if isinstance(cell, Link):
        return cell.text
    if isinstance(cell, datetime):
        return uk_time(cell)
    return cell


def share(part: int, whole: int) -> str:
    """'3 of 4 (75%)', or 'None due' with nothing to count."""
    if not whole:
        return "None due"
    return f"{part} of {whole} ({round(100 * part / whole)}%)"


def percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def _period(dashboard: Dashboard) -> str:
    f = dashboard.filters
    return f"{display_date(f.start)} to {display_date(f.end)}"


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else (plural or word + 's')}"


# The dashboard's tables ----------------------------------------------------------------------


def missing_now_table(d: Dashboard) -> Table:
    rows = [
        [
            Link(
                item["episode"].child.display_name,
                reverse("episodes:detail", args=[item["episode"].pk]),
            ),
            item["episode"].home.name,
            item["episode"].get_kind_display(),
            item["episode"].get_risk_grade_display() or "Not graded",
            item["episode"].last_seen_at,
            timeuntil_minutes(item["elapsed"]),
            round(item["elapsed"].total_seconds() / 3600, 1),
        ]
        for item in d.missing_now
    ]
    count = len(rows)
    longest = max((item["elapsed"] for item in d.missing_now), default=None)
    return Table(
        slug="missing-now",
        title="Missing now",
        caption="Children missing or away now, with the time since they were last seen",
        headers=[
            "Child",
            "Home",
            "Missing or away",
            "Police risk grade",
            "Last seen",
            "Time gone",
            "Hours gone",
        ],
        rows=rows,
        summary="No one is missing or away now."
        if not count
        else f"{_plural(count, 'child', 'children')} missing or away now; the longest gone "
        f"{timeuntil_minutes(longest)}.",
        numeric={6},
        child_pks=[item["episode"].child_id for item in d.missing_now],
    )


def monthly_table(d: Dashboard) -> Table:
    rows = [
        [month_label(month), c.missing_day, c.missing_overnight, c.away, c.total]
        for month, c in d.months
    ]
    total = d.total
    busiest = max(d.months, key=lambda item: item[1].total) if d.months else None
    summary = (
        f"{_plural(total.total, 'episode')} from {_period(d)}: {total.missing_day} missing "
        f"and back the same night, {total.missing_overnight} missing overnight, "
        f"{total.away} away or late back."
    )
    if busiest and busiest[1].total:
        summary += f" The most were in {month_label(busiest[0])} ({busiest[1].total})."
    return Table(
        slug="monthly",
        title="Episodes each month",
        caption=f"Episodes each month by category, {_period(d)}",
        headers=["Month", *[label for _, label in CHART_CATEGORIES], "All episodes"],
        rows=rows,
        summary=summary,
        numeric={1, 2, 3, 4},
        footer=["Total", total.missing_day, total.missing_overnight, total.away, total.total],
    )


def homes_table(d: Dashboard) -> Table:
    *homes, total = d.homes
    rows = [[h.name, h.episodes, h.overnight, h.children_involved, h.nights, h.rate] for h in homes]
    rated = [h for h in homes if h.rate is not None]
    if rated:
        top = max(rated, key=lambda h: (h.rate, h.name))
        summary = (
            f"{_plural(total.episodes, 'episode')} over {total.nights:,} placement nights: "
            f"{total.rate} per 1,000 nights. The highest rate was at {top.name}, "
            f"{top.rate} per 1,000 nights."
        )
    else:
        summary = "No placement nights in this period."
    return Table(
        slug="homes",
        title="Episodes by home",
        caption=f"Episodes, children and placement nights at each home, {_period(d)}",
        headers=[
            "Home",
            "Episodes",
            "Overnight episodes",
            "Children involved",
            "Placement nights",
            "Episodes per 1,000 placement nights",
        ],
        rows=rows,
        summary=summary,
        numeric={1, 2, 3, 4, 5},
        footer=[
            "All homes",
            total.episodes,
            total.overnight,
            total.children_involved,
            total.nights,
            total.rate,
        ],
    )


def repeat_table(d: Dashboard) -> Table:
    rows = [
        [
            Link(c.name, reverse("episodes:child", args=[c.child_pk])) if c.can_open else c.name,
            c.child_id,
            c.home_name,
            c.episodes,
            c.most_in_window,
            c.latest,
        ]
        for c in d.repeat
    ]
    return Table(
        slug="repeat",
        title="Children missing again and again",
        caption=f"Children with {REPEAT_EPISODES} or more episodes within {REPEAT_DAYS} days, "
        f"{_period(d)}",
        headers=[
            "Child",
            "Child ID",
            "Home at the latest episode",
            "Episodes in the period",
            f"Most in {REPEAT_DAYS} days",
            "Latest episode began",
        ],
        rows=rows,
        summary=f"{_plural(len(rows), 'child', 'children')} had {REPEAT_EPISODES} or more "
        f"episodes within {REPEAT_DAYS} days.",
        numeric={3, 4},
        child_pks=[c.child_pk for c in d.repeat],
    )


def interviews_table(d: Dashboard) -> Table:
    i = d.interviews
    rows = [
        ["Offered", i.offered, i.due, percent(i.offered, i.due)],
        [
            "Held within 72 hours of the return",
            i.held_in_time,
            i.due,
            percent(i.held_in_time, i.due),
        ],
        ["Accepted by the child", i.accepted, i.due, percent(i.accepted, i.due)],
    ]
    summary = (
        f"Of {_plural(i.due, 'return interview')} due, {i.offered} were offered, "
        f"{i.held_in_time} held within 72 hours and {i.accepted} accepted."
    )
    if i.not_yet_due:
        summary += f" {i.not_yet_due} more are not due yet."
    return Table(
        slug="interviews",
        title="Return home interviews",
        caption=f"Return home interviews after episodes that began {_period(d)}",
        headers=["Return interviews", "Number", "Of those due", "Per cent"],
        rows=rows,
        summary=summary,
        numeric={1, 2, 3},
    )


def alerts_table(d: Dashboard) -> Table:
    a = d.alerts
    rows = [
        ["Acknowledged within the rule's time", a.in_time, percent(a.in_time, a.raised)],
        ["Acknowledged late", a.late, percent(a.late, a.raised)],
        ["Not acknowledged yet", a.not_acknowledged, percent(a.not_acknowledged, a.raised)],
    ]
    return Table(
        slug="alerts",
        title="Alerts acknowledged in time",
        caption=f"Escalation alerts raised {_period(d)}",
        headers=["Alerts", "Number", "Per cent"],
        rows=rows,
        summary=f"{_plural(a.raised, 'alert')} raised: {share(a.in_time, a.raised)} "
        "acknowledged within the time their rule allows.",
        numeric={1, 2},
        footer=["All alerts raised", a.raised, 100 if a.raised else None],
    )


def comparison_table(d: Dashboard) -> Table:
    c = d.comparison
    rows = []
    for key, label in [*CATEGORIES, ("total", "All episodes")]:
        now_count = getattr(c.this_period, key)
        before = getattr(c.a_year_earlier, key)
        rows.append(
            [
                label,
                now_count,
                before,
                now_count - before,
                percent(now_count - before, before),
                round(now_count * 365 / c.days),
            ]
        )
    baseline = f"{display_date(c.baseline.start)} to {display_date(c.baseline.end)}"
    if c.a_year_earlier.total:
        against = (
            f"{abs(c.change_percent)}% {'more' if c.change >= 0 else 'fewer'} than the "
            f"{c.a_year_earlier.total} then"
        )
        if c.on_course_to_double:
            against += f", {c.ratio} times as many: on course to double"
    else:
        against = "none then"
    summary = (
        f"Compared with {baseline} (the same dates a year earlier): "
        f"{_plural(c.this_period.total, 'episode')}, {against}. "
        f"At this rate, {c.annualised} in a year."
    )
    return Table(
        slug="comparison",
        title="Compared with a year earlier",
        caption=f"Episodes {_period(d)} against {baseline}, and a year at this rate",
        headers=[
            "Category",
            "This period",
            baseline,
            "Change",
            "Change (per cent)",
            "A year at this rate",
        ],
        rows=rows,
        summary=summary,
        numeric={1, 2, 3, 4, 5},
    )


def _split_table(slug, title, caption, groups, d: Dashboard) -> Table:
    rows = [
        [
            label,
            c.missing_day,
            c.missing_overnight,
            c.away,
            c.total,
            percent(c.total, d.total.total),
        ]
        for label, c in groups
    ]
    summary = "; ".join(f"{label}: {_plural(c.total, 'episode')}" for label, c in groups) + "."
    return Table(
        slug=slug,
        title=title,
        caption=caption,
        headers=[
            "Group",
            *[label for _, label in CHART_CATEGORIES],
            "All episodes",
            "Share of all (per cent)",
        ],
        rows=rows,
        summary=summary,
        numeric={1, 2, 3, 4, 5},
    )


def age_table(d: Dashboard) -> Table:
    return _split_table(
        "age",
        "By age",
        f"Episodes by the child's age when the episode began, {_period(d)}",
        [(label, d.by_age[band]) for band, label in AGE_BANDS],
        d,
    )


def area_table(d: Dashboard) -> Table:
    return _split_table(
        "area",
        "Placed in or out of area",
        f"Episodes by where the child was placed, {_period(d)}",
        [
            ("Placed in their own authority's area", d.by_area["in_area"]),
            ("Placed out of area", d.by_area["out_of_area"]),
        ],
        d,
    )


def regulation_40_table(d: Dashboard) -> Table:
    r = d.regulation_40
    return Table(
        slug="regulation-40",
        title="Regulation 40 notifications",
        caption=f"Episodes flagged as notifiable under Regulation 40 and the decision recorded, "
        f"{_period(d)}",
        headers=["Decision", "Episodes"],
        rows=[
            ["Notified to Ofsted", r.notified],
            ["Decided not notifiable", r.not_notifiable],
            ["Decision needed", r.decision_needed],
        ],
        summary=f"{_plural(r.flagged, 'episode')} flagged as notifiable "
        f"({r.sexual_exploitation} suspected sexual exploitation, "
        f"{r.serious_police_incident} serious police incident): {r.notified} notified to "
        f"Ofsted, {r.not_notifiable} decided not notifiable, {r.decision_needed} still to "
        "decide.",
        numeric={1},
        footer=["Episodes flagged", r.flagged],
    )


def meetings_table(d: Dashboard) -> Table:
    m = d.meetings
    rows = [
        [
            f"Held within {MEETING_WORKING_DAYS} working days",
            m.held_in_time,
            percent(m.held_in_time, m.triggered),
        ],
        ["Held later", m.held_late, percent(m.held_late, m.triggered)],
        ["Not held (still to come, or cancelled)", m.not_held, percent(m.not_held, m.triggered)],
    ]
    return Table(
        slug="meetings",
        title=f"Strategy meetings held within {MEETING_WORKING_DAYS} working days",
        caption=f"Strategy meetings whose trigger fell {_period(d)} (working days skip "
        "weekends and the bank holidays of England and Wales)",
        headers=["Strategy meetings", "Number", "Per cent"],
        rows=rows,
        summary=(
            f"{_plural(m.triggered, 'strategy meeting')}: "
            f"{share(m.held_in_time, m.triggered)} held within {MEETING_WORKING_DAYS} working "
            "days of the alert that called for it (or of being scheduled)."
            if m.triggered
            else "No strategy meeting was called for in this period."
        ),
        numeric={1, 2},
        footer=["All meetings", m.triggered, 100 if m.triggered else None],
    )


def episodes_table(d: Dashboard) -> Table:
    """Every episode in the period after the filters: the list behind the figures."""
    rows = [
        [
            r.child_id,
            Link(r.child_name, reverse("episodes:detail", args=[r.pk])),
            r.home_name,
            EpisodeKind(r.kind).label,
            "Yes" if r.overnight else "No",
            r.last_seen_at,
            r.returned_at,
            round((r.returned_at - r.last_seen_at).total_seconds() / 3600, 1)
            if r.returned_at
            else None,
            r.age,
            "Yes" if r.out_of_area else "No",
            "Yes" if (r.flagged_exploitation or r.flagged_police) else "No",
            "Yes" if r.recorded_late else "No",
        ]
        for r in d.episodes
    ]
    return Table(
        slug="episodes",
        title="Episodes",
        caption=f"Every episode that began {_period(d)}",
        headers=[
            "Child ID",
            "Child",
            "Home",
            "Missing or away",
            "Overnight",
            "Last seen",
            "Came back",
            "Hours away",
            "Age at the start",
            "Placed out of area",
            "Regulation 40 flag",
            "Recorded late",
        ],
        rows=rows,
        summary=f"{_plural(len(rows), 'episode')}.",
        numeric={7, 8},
        child_pks=sorted({r.child_pk for r in d.episodes}),
    )


DASHBOARD_TABLES = {
    "missing-now": missing_now_table,
    "monthly": monthly_table,
    "homes": homes_table,
    "repeat": repeat_table,
    "interviews": interviews_table,
    "meetings": meetings_table,
    "alerts": alerts_table,
    "comparison": comparison_table,
    "age": age_table,
    "area": area_table,
    "regulation-40": regulation_40_table,
    "episodes": episodes_table,
}


# SSDA903 ---------------------------------------------------------------------------------------


def ssda903_table(report: Ssda903) -> Table:
    return Table(
        slug="ssda903",
        title="SSDA903 Missing",
        caption=f"SSDA903 Missing table, {display_date(report.first_day)} to "
        f"{display_date(report.last_day)}",
        headers=list(COLUMNS),
        rows=[[row[column] for column in COLUMNS] for row in report.rows],
        summary=f"{_plural(len(report.rows), 'row')}.",
        child_pks=report.child_pks,
    )


def ssda903_errors_table(report: Ssda903) -> Table:
    return Table(
        slug="ssda903-errors",
        title="SSDA903 validation",
        caption=f"Rows of the SSDA903 Missing table that fail a validation rule, "
        f"{display_date(report.first_day)} to {display_date(report.last_day)}",
        headers=["Row", "CHILD", "Rule", "What is wrong"],
        rows=[[f.row, f.child, f.code, f.message] for f in report.failures],
        summary="Every row passes validation."
        if not report.failures
        else f"{_plural(len(report.failures), 'error')} in "
        f"{_plural(len({f.row for f in report.failures}), 'row')}.",
        numeric={0},
        child_pks=report.child_pks if report.failures else [],
    )


SSDA903_TABLES = {"ssda903": ssda903_table, "ssda903-errors": ssda903_errors_table}


# One table by its name, for an export -----------------------------------------------------------

LARGE_TABLES = {"episodes", "ssda903"}  # may be long enough to need a worker


def build(user, slug: str, parsed, *, now) -> Table:
    """The table named `slug` for `user` from what `parse` returned."""
    from apps.reports.selectors import dashboard
    from apps.reports.ssda903 import ssda903_missing

    if slug in SSDA903_TABLES:
        return SSDA903_TABLES[slug](ssda903_missing(user, parsed))
    return DASHBOARD_TABLES[slug](dashboard(user, parsed, now=now))


def export_size(user, slug: str, parsed) -> int:
    """An upper bound of the rows of a long table, from one count (0 for the short ones)."""
    from apps.reports.selectors import Filters, episode_count
    from apps.reports.ssda903 import collection_year

    if slug == "episodes":
        return episode_count(user, parsed)
    if slug == "ssda903":
        first, last = collection_year(parsed)
        return episode_count(user, Filters(start=first, end=last))
    return 0

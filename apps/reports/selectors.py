"""Every figure on the dashboards, computed from the user's scope and the filters.

Scope comes only from the other apps' access modules: episodes from
apps.episodes.access.episodes_visible_to, placement nights from
apps.episodes.access.placements_in_episode_scope (the same rule, so a rate never mixes children
the user cannot see), homes from apps.homes.access, alerts from apps.alerts.access. Each reads
its rows in one query; the figures are then counted in Python from those rows, so the
dashboard costs the same number of queries for 1 episode as for 10,000, and one function
decides what each figure means.

Times are stored in UTC and reasoned about in UK time: an episode belongs to the UK date and
month it started (last seen), and "overnight" is the flag the episode services keep from the
authority's night window in UK time.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from apps.core.clock import LONDON, add_working_days

MISSING = "missing"
MISSING_OVERNIGHT = "missing_overnight"
AWAY = "away"
# The filter's categories. "Missing" takes every missing episode, overnight or not.
CATEGORIES = [
    (MISSING, "Missing"),
    (MISSING_OVERNIGHT, "Missing overnight"),
    (AWAY, "Away from placement without authorisation"),
]
# The chart's categories: each episode is in exactly one.
CHART_CATEGORIES = [
    ("missing_day", "Missing, not overnight"),
    (MISSING_OVERNIGHT, "Missing overnight"),
    (AWAY, "Away from placement without authorisation"),
]
SIXTEEN_PLUS = "16_plus"
UNDER_SIXTEEN = "under_16"
AGE_BANDS = [(SIXTEEN_PLUS, "16 and over"), (UNDER_SIXTEEN, "Under 16")]
REPEAT_EPISODES = 3
REPEAT_DAYS = 90
MEETING_WORKING_DAYS = 5


# Dates ---------------------------------------------------------------------------------------


def shift_years(day: date, years: int) -> date:
    """The same day `years` later (or earlier); 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def collection_year_of(day: date) -> tuple[date, date]:
    """The SSDA903 collection year (1 April to 31 March) that `day` falls in."""
    first = day.year if day >= date(day.year, 4, 1) else day.year - 1
    return date(first, 4, 1), date(first + 1, 3, 31)


def uk_midnight(day: date) -> datetime:
    """00:00 UK time on `day`, as an aware datetime (UTC offset of that day)."""
    return datetime.combine(day, time(0, 0), tzinfo=LONDON)


def uk_date(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def months_between(start: date, end: date) -> list[date]:
    """The first day of each month from start's month to end's month."""
    months, current = [], date(start.year, start.month, 1)
    while current <= end:
        months.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return months


def month_label(month: date) -> str:
    return f"{month:%b} {month.year}"


# Filters and rows ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    start: date  # first UK day of the period
    end: date  # last UK day of the period
    home_id: int | None = None
    authority_id: int | None = None
    category: str = ""
    age_band: str = ""

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def a_year_earlier(self) -> "Filters":
        return Filters(
            start=shift_years(self.start, -1),
            end=shift_years(self.end, -1),
            home_id=self.home_id,
            authority_id=self.authority_id,
            category=self.category,
            age_band=self.age_band,
        )


@dataclass
class EpisodeRow:
    """One episode as the figures need it (from one `values()` row)."""

    pk: int
    kind: str
    overnight: bool
    last_seen_at: datetime
    returned_at: datetime | None
    home_id: int
    home_name: str
    child_pk: int
    child_id: str
    child_name: str
    date_of_birth: date
    placing_authority_id: int
    out_of_area: bool
    flagged_exploitation: bool
    flagged_police: bool
    child_visible: bool
    regulation_40_status: str = ""
    interview_id: int | None = None
    interview_due_at: datetime | None = None
    interview_offered_at: datetime | None = None
    interview_outcome: str = ""
    interview_held_at: datetime | None = None
    recorded_late: bool = False

    @property
    def start_day(self) -> date:
        return uk_date(self.last_seen_at)

    @property
    def age(self) -> int:
        return age_on(self.date_of_birth, self.start_day)

    @property
    def age_band(self) -> str:
        return SIXTEEN_PLUS if self.age >= 16 else UNDER_SIXTEEN

    @property
    def chart_category(self) -> str:
        if self.kind == "A":
            return AWAY
        return MISSING_OVERNIGHT if self.overnight else "missing_day"

    def in_category(self, category: str) -> bool:
        return in_category(self.kind, self.overnight, category)

    def in_period(self, filters: Filters) -> bool:
        return filters.start <= self.start_day <= filters.end

    def matches(self, filters: Filters) -> bool:
        """Category and age band (home and authority are filtered in the query)."""
        if not self.in_category(filters.category):
            return False
        return not filters.age_band or self.age_band == filters.age_band


def in_category(kind: str, overnight: bool, category: str) -> bool:
    """Whether an episode of `kind` ("M" or "A") is in the filter's `category` ("" is all)."""
    if category == MISSING:
        return kind == "M"
    if category == MISSING_OVERNIGHT:
        return kind == "M" and overnight
    if category == AWAY:
        return kind == "A"
    return True


def _display_name(first: str, preferred: str, last: str) -> str:
    return f"{preferred or first} {last}"


def _scoped_episodes(user, filters: Filters, since: datetime, until: datetime) -> QuerySet:
    """Episodes in scope that started in [since, until), with the home and authority filters.
    The period is applied inside each part of the scope (episodes_visible_to's `where`)."""
    from apps.episodes.access import episodes_visible_to

    episodes = episodes_visible_to(user, where=Q(last_seen_at__gte=since, last_seen_at__lt=until))
    if filters.home_id:
        episodes = episodes.filter(home_id=filters.home_id)
    if filters.authority_id:
        episodes = episodes.filter(child__placing_authority_id=filters.authority_id)
    return episodes


EPISODE_FIELDS = [
    "pk",
    "kind",
    "overnight",
    "last_seen_at",
    "returned_at",
    "home_id",
    "home__name",
    "home__host_authority_id",
    "child_id",
    "child__child_id",
    "child__first_name",
    "child__preferred_name",
    "child__last_name",
    "child__date_of_birth",
    "child__placing_authority_id",
    "suspected_sexual_exploitation",
    "serious_police_incident",
    "regulation40__status",
    "interview__id",
    "interview__due_at",
    "interview__offered_at",
    "interview__outcome",
    "interview__held_at",
    "recorded_late",
    "child_visible",
]


def _episode_rows(user, filters: Filters, since: datetime, until: datetime) -> list[EpisodeRow]:
    """Episodes in scope that started in [since, until), oldest first. One query: the child,
    the home, the interview (outer join) and whether the user may open the child's record
    (a subquery) come in the same row."""
    from apps.children.access import children_visible_to

    values = (
        _scoped_episodes(user, filters, since, until)
        .annotate(child_visible=Exists(children_visible_to(user).filter(pk=OuterRef("child_id"))))
        .order_by("last_seen_at", "pk")
        .values(*EPISODE_FIELDS)
    )
    return [
        EpisodeRow(
            pk=v["pk"],
            kind=v["kind"],
            overnight=v["overnight"],
            last_seen_at=v["last_seen_at"],
            returned_at=v["returned_at"],
            home_id=v["home_id"],
            home_name=v["home__name"],
            child_pk=v["child_id"],
            child_id=v["child__child_id"],
            child_name=_display_name(
                v["child__first_name"], v["child__preferred_name"], v["child__last_name"]
            ),
            date_of_birth=v["child__date_of_birth"],
            placing_authority_id=v["child__placing_authority_id"],
            out_of_area=v["child__placing_authority_id"] != v["home__host_authority_id"],
            flagged_exploitation=v["suspected_sexual_exploitation"],
            flagged_police=v["serious_police_incident"],
            child_visible=v["child_visible"],
            regulation_40_status=v["regulation40__status"] or "",
            interview_id=v["interview__id"],
            interview_due_at=v["interview__due_at"],
            interview_offered_at=v["interview__offered_at"],
            interview_outcome=v["interview__outcome"] or "",
            interview_held_at=v["interview__held_at"],
            recorded_late=v["recorded_late"],
        )
        for v in values
    ]


# The figures ---------------------------------------------------------------------------------


@dataclass
class Counts:
    """Episodes of each chart category, and their total."""

    missing_day: int = 0
    missing_overnight: int = 0
    away: int = 0

    def add(self, row: EpisodeRow) -> None:
        setattr(self, row.chart_category, getattr(self, row.chart_category) + 1)

    @property
    def missing(self) -> int:
        return self.missing_day + self.missing_overnight

    @property
    def total(self) -> int:
        return self.missing_day + self.missing_overnight + self.away

    def as_dict(self) -> dict:
        return {
            "missing": self.missing,
            "missing_overnight": self.missing_overnight,
            "missing_not_overnight": self.missing_day,
            "away": self.away,
            "total": self.total,
        }


@dataclass
class HomeFigures:
    home_id: int
    name: str
    episodes: int = 0
    overnight: int = 0
    children: set = field(default_factory=set)
    nights: int = 0

    @property
    def children_involved(self) -> int:
        return len(self.children)

    @property
    def rate(self) -> float | None:
        """Episodes per 1,000 placement nights, to one decimal place; None with no nights."""
        if not self.nights:
            return None
        return round(self.episodes * 1000 / self.nights, 1)


@dataclass
class RepeatChild:
    child_pk: int
    child_id: str
    name: str
    home_name: str
    episodes: int
    most_in_window: int
    latest: datetime
    can_open: bool


@dataclass
class Interviews:
    total: int = 0  # closed episodes in the period with a return interview
    due: int = 0  # of which the time to hold it has run out, or the outcome is recorded
    offered: int = 0
    held_in_time: int = 0
    accepted: int = 0

    @property
    def not_yet_due(self) -> int:
        return self.total - self.due


@dataclass
class Alerts:
    raised: int = 0
    in_time: int = 0
    late: int = 0
    not_acknowledged: int = 0


@dataclass
class Meetings:
    """Strategy meetings whose trigger fell in the period, and whether each was held within
    MEETING_WORKING_DAYS working days of it."""

    triggered: int = 0
    held_in_time: int = 0
    held_late: int = 0
    not_held: int = 0


@dataclass
class Comparison:
    """The period against one baseline: the same dates a year earlier (`baseline`)."""

    this_period: Counts
    a_year_earlier: Counts
    baseline: "Filters"
    days: int

    @property
    def change(self) -> int:
        return self.this_period.total - self.a_year_earlier.total

    @property
    def change_percent(self) -> int | None:
        if not self.a_year_earlier.total:
            return None
        return round(100 * self.change / self.a_year_earlier.total)

    @property
    def annualised(self) -> int:
        """Episodes in a year at this period's rate."""
        return round(self.this_period.total * 365 / self.days)

    @property
    def ratio(self) -> float | None:
        """This period's episodes against the same dates a year earlier."""
        if not self.a_year_earlier.total:
            return None
        return round(self.this_period.total / self.a_year_earlier.total, 1)

    @property
    def on_course_to_double(self) -> bool:
        return self.ratio is not None and self.ratio >= 2


@dataclass
class Regulation40:
    """Episodes in the period flagged as notifiable, and the home manager's recorded decision
    on each (`Regulation40Decision`; an episode flagged with no decision row counts as
    needing one)."""

    flagged: int = 0
    sexual_exploitation: int = 0
    serious_police_incident: int = 0
    notified: int = 0
    not_notifiable: int = 0

    @property
    def decision_needed(self) -> int:
        return self.flagged - self.notified - self.not_notifiable

    def add(self, row) -> None:
        self.flagged += 1
        self.sexual_exploitation += row.flagged_exploitation
        self.serious_police_incident += row.flagged_police
        from apps.episodes.models import Reg40Status

        self.notified += row.regulation_40_status == Reg40Status.NOTIFIED
        self.not_notifiable += row.regulation_40_status == Reg40Status.NOT_NOTIFIABLE


@dataclass
class Dashboard:
    filters: Filters
    now: datetime
    missing_now: list
    months: list  # [(month, Counts)]
    homes: list  # [HomeFigures], and the total last
    repeat: list  # [RepeatChild]
    interviews: Interviews
    alerts: Alerts
    meetings: Meetings
    comparison: Comparison
    by_age: dict  # band -> Counts
    by_area: dict  # "in_area" | "out_of_area" -> Counts
    regulation_40: Regulation40
    episodes: list  # [EpisodeRow] in the period, after every filter

    @property
    def total(self) -> Counts:
        return self.comparison.this_period


def _most_in_window(starts: list[datetime], days: int) -> int:
    """The most episodes that started within any `days`-day span (starts sorted)."""
    best, first = 0, 0
    window = timedelta(days=days)
    for last, started in enumerate(starts):
        while started - starts[first] > window:
            first += 1
        best = max(best, last - first + 1)
    return best


def repeat_children(rows: list[EpisodeRow]) -> list[RepeatChild]:
    """Children with REPEAT_EPISODES or more episodes starting within REPEAT_DAYS of each other
    in the period, most episodes first."""
    by_child: dict[int, list[EpisodeRow]] = defaultdict(list)
    for row in rows:
        by_child[row.child_pk].append(row)
    found = []
    for episodes in by_child.values():
        starts = sorted(row.last_seen_at for row in episodes)
        most = _most_in_window(starts, REPEAT_DAYS)
        if most >= REPEAT_EPISODES:
            latest = max(episodes, key=lambda row: row.last_seen_at)
            found.append(
                RepeatChild(
                    child_pk=latest.child_pk,
                    child_id=latest.child_id,
                    name=latest.child_name,
                    home_name=latest.home_name,
                    episodes=len(episodes),
                    most_in_window=most,
                    latest=latest.last_seen_at,
                    can_open=latest.child_visible,
                )
            )
    return sorted(found, key=lambda c: (-c.most_in_window, -c.episodes, c.name, c.child_pk))


def interview_figures(rows: list[EpisodeRow], now: datetime) -> Interviews:
    figures = Interviews()
    for row in rows:
        if row.interview_id is None:
            continue
        figures.total += 1
        if not (row.interview_outcome or row.interview_due_at <= now):
            continue
        figures.due += 1
        if row.interview_offered_at is not None:
            figures.offered += 1
        if row.interview_outcome == "accepted":
            figures.accepted += 1
            if row.interview_held_at is not None and row.interview_held_at <= row.interview_due_at:
                figures.held_in_time += 1
    return figures


def _nights(start: date, end: date, lower: date, upper: date) -> int:
    """Nights of [start, end) that fall in [lower, upper)."""
    return max(0, (min(end, upper) - max(start, lower)).days)


def _sixteenth_birthday(born: date) -> date:
    return (
        shift_years(born, 16) if (born.month, born.day) != (2, 29) else date(born.year + 16, 3, 1)
    )


def placement_nights(user, filters: Filters, today: date) -> dict[int, tuple[str, int]]:
    """Placement nights in the period at each home: {home id: (name, nights)}. One query.

    A placement's nights are end - start (the end date is the day the child left); the night
    of a day is counted once the day is over, so a period ending today counts up to last
    night. With an age band, only the nights the child spent in that band count.
    """
    from apps.episodes.access import placements_in_episode_scope

    lower, upper = filters.start, min(filters.end + timedelta(days=1), today)
    placements = (
        placements_in_episode_scope(user).filter(start_date__lt=upper).exclude(end_date__lte=lower)
    )
    if filters.home_id:
        placements = placements.filter(home_id=filters.home_id)
    if filters.authority_id:
        placements = placements.filter(child__placing_authority_id=filters.authority_id)
    nights: dict[int, tuple[str, int]] = {}
    for p in placements.values(
        "home_id", "home__name", "start_date", "end_date", "child__date_of_birth"
    ):
        start, end = p["start_date"], p["end_date"] or upper
        if filters.age_band:
            sixteen = _sixteenth_birthday(p["child__date_of_birth"])
            if filters.age_band == SIXTEEN_PLUS:
                start = max(start, sixteen)
            else:
                end = min(end, sixteen)
        count = _nights(start, end, lower, upper)
        name, before = nights.get(p["home_id"], (p["home__name"], 0))
        nights[p["home_id"]] = (name, before + count)
    return nights


def home_figures(rows: list[EpisodeRow], nights: dict[int, tuple[str, int]]) -> list:
    """Per home: episodes, overnight episodes, children involved, placement nights and the
    rate per 1,000 nights, by home name; then the total of all of them (home_id 0)."""
    homes: dict[int, HomeFigures] = {}
    for home_id, (name, count) in nights.items():
        homes[home_id] = HomeFigures(home_id=home_id, name=name, nights=count)
    for row in rows:
        figures = homes.setdefault(
            row.home_id, HomeFigures(home_id=row.home_id, name=row.home_name)
        )
        figures.episodes += 1
        figures.overnight += row.overnight
        figures.children.add(row.child_pk)
    ordered = sorted(
        (h for h in homes.values() if h.episodes or h.nights), key=lambda h: (h.name, h.home_id)
    )
    total = HomeFigures(home_id=0, name="All homes")
    for home in ordered:
        total.episodes += home.episodes
        total.overnight += home.overnight
        total.children |= home.children
        total.nights += home.nights
    return [*ordered, total]


def alert_figures(user, filters: Filters) -> Alerts:
    """Alerts raised in the period and whether each was acknowledged within its rule's time.
    Home and placing authority filters apply; category and age band do not. One query."""
    from apps.alerts.access import alerts_visible_to

    alerts = alerts_visible_to(user).filter(
        raised_at__gte=uk_midnight(filters.start),
        raised_at__lt=uk_midnight(filters.end + timedelta(days=1)),
    )
    if filters.home_id:
        alerts = alerts.filter(home_id=filters.home_id)
    if filters.authority_id:
        alerts = alerts.filter(child__placing_authority_id=filters.authority_id)
    figures = Alerts()
    for raised, acknowledged, minutes in alerts.values_list(
        "raised_at", "acknowledged_at", "rule__acknowledge_within_minutes"
    ):
        figures.raised += 1
        if acknowledged is None:
            figures.not_acknowledged += 1
        elif acknowledged - raised <= timedelta(minutes=minutes):
            figures.in_time += 1
        else:
            figures.late += 1
    return figures


def held_in_time(trigger: datetime, held_at: datetime) -> bool:
    """Held by the end of the MEETING_WORKING_DAYS-th working day (weekends and bank holidays
    of England and Wales skipped) after the UK day of the trigger."""
    return uk_date(held_at) <= add_working_days(uk_date(trigger), MEETING_WORKING_DAYS)


def meeting_figures(user, filters: Filters) -> Meetings:
    """Strategy meetings the user can see whose trigger fell in the period: the earliest alert
    linked to the meeting, or when the meeting was scheduled if no alert is linked. Held in
    time means held by the end of the fifth working day after the trigger (`held_in_time`). The
    home filter matches meetings linked to an alert or episode at that home; the placing
    authority filter applies; category and age band do not. One query."""
    from django.db.models import Min
    from django.db.models.functions import Coalesce

    from apps.strategy_meetings.access import meetings_visible_to

    meetings = meetings_visible_to(user).annotate(
        trigger=Coalesce(Min("alerts__raised_at"), "created_at")
    )
    if filters.home_id:
        from apps.alerts.models import Alert
        from apps.episodes.models import Episode

        meetings = meetings.filter(
            Exists(Alert.objects.filter(meetings=OuterRef("pk"), home_id=filters.home_id))
            | Exists(Episode.objects.filter(meetings=OuterRef("pk"), home_id=filters.home_id))
        )
    if filters.authority_id:
        meetings = meetings.filter(child__placing_authority_id=filters.authority_id)
    meetings = meetings.filter(
        trigger__gte=uk_midnight(filters.start),
        trigger__lt=uk_midnight(filters.end + timedelta(days=1)),
    )
    figures = Meetings()
    for trigger, status, held_at in meetings.values_list("trigger", "status", "held_at"):
        figures.triggered += 1
        if status != "held" or held_at is None:
            figures.not_held += 1
        elif held_in_time(trigger, held_at):
            figures.held_in_time += 1
        else:
            figures.held_late += 1
    return figures


def missing_now(user, filters: Filters, now: datetime) -> list[dict]:
    """Open episodes in scope (home, authority, category and age band filters apply; they are
    open now, so the period does not). One query."""
    from apps.episodes.selectors import missing_now as open_episodes

    episodes = open_episodes(user)
    if filters.home_id:
        episodes = episodes.filter(home_id=filters.home_id)
    if filters.authority_id:
        episodes = episodes.filter(child__placing_authority_id=filters.authority_id)
    found = []
    for episode in episodes:
        started = uk_date(episode.last_seen_at)
        band = SIXTEEN_PLUS if episode.child.age_on(started) >= 16 else UNDER_SIXTEEN
        if not in_category(episode.kind, episode.overnight, filters.category):
            continue
        if filters.age_band and band != filters.age_band:
            continue
        found.append({"episode": episode, "elapsed": now - episode.last_seen_at})
    return found


def dashboard(user, filters: Filters, *, now: datetime | None = None) -> Dashboard:
    """Every figure of the dashboard for `user` and `filters`. Caller has checked that the
    user may see dashboards. Five queries: episodes (a year before the period to its end),
    placement nights, alerts, strategy meetings, missing now, whatever the number of rows."""
    now = now or timezone.now()
    today = uk_date(now)
    earlier = filters.a_year_earlier()
    since = uk_midnight(earlier.start)
    until = uk_midnight(filters.end + timedelta(days=1))
    rows = [row for row in _episode_rows(user, filters, since, until) if row.matches(filters)]
    in_period = [row for row in rows if row.in_period(filters)]

    months = {month: Counts() for month in months_between(filters.start, filters.end)}
    by_age = {band: Counts() for band, _ in AGE_BANDS}
    by_area = {"in_area": Counts(), "out_of_area": Counts()}
    this_period, a_year_earlier = Counts(), Counts()
    regulation_40 = Regulation40()
    for row in in_period:
        day = row.start_day
        months[date(day.year, day.month, 1)].add(row)
        by_age[row.age_band].add(row)
        by_area["out_of_area" if row.out_of_area else "in_area"].add(row)
        this_period.add(row)
        if row.flagged_exploitation or row.flagged_police:
            regulation_40.add(row)
    for row in rows:
        if row.in_period(earlier):
            a_year_earlier.add(row)

    return Dashboard(
        filters=filters,
        now=now,
        missing_now=missing_now(user, filters, now),
        months=list(months.items()),
        homes=home_figures(in_period, placement_nights(user, filters, today)),
        repeat=repeat_children(in_period),
        interviews=interview_figures(in_period, now),
        alerts=alert_figures(user, filters),
        meetings=meeting_figures(user, filters),
        comparison=Comparison(
            this_period=this_period,
            a_year_earlier=a_year_earlier,
            baseline=earlier,
            days=filters.days,
        ),
        by_age=by_age,
        by_area=by_area,
        regulation_40=regulation_40,
        episodes=in_period,
    )


def episode_count(user, filters: Filters) -> int:
    """How many episodes in scope started in the period (home and authority filters only): the
    size of an episode export, to decide whether a worker writes it. One query."""
    return _scoped_episodes(
        user, filters, uk_midnight(filters.start), uk_midnight(filters.end + timedelta(days=1))
    ).count()


def filter_choices(user) -> tuple[list, list]:
    """The homes and placing authorities the filters offer: homes the user may see, and the
    placing authorities of children whose episodes they may see. Two queries."""

    from apps.accounts.models import Organisation, OrganisationKind
    from apps.episodes.access import episodes_visible_to
    from apps.homes.access import homes_visible_to

    homes = [(h.pk, h.name) for h in homes_visible_to(user).only("pk", "name").order_by("name")]
    own = Q(pk=user.organisation_id, kind=OrganisationKind.LOCAL_AUTHORITY)
    authorities = [
        (o.pk, o.name)
        for o in Organisation.objects.filter(
            Q(pk__in=episodes_visible_to(user).values("child__placing_authority_id")) | own
        )
        .only("pk", "name")
        .order_by("name")
    ]
    return homes, authorities


def child_episodes_url(row) -> str:
    return reverse("episodes:child", args=[row.child_pk])


def police_pack(user, episode) -> dict:
    """What the police pack of `episode` shows. Caller fetched the episode through
    get_episode_for_user and checked access.can_open_police_pack.

    Part 2 (the episode) always; part 1 (the Philomena profile, photo, associates, places)
    only when the user may also see the child's record: the police while the child is
    missing from their area or under a grant, care staff while the child lives at their home,
    the case holders always.
    """
    from apps.children import selectors as children_selectors
    from apps.children.access import children_visible_to
    from apps.episodes.selectors import episode_timeline

    child = (
        children_visible_to(user)
        .select_related("placing_authority", "allocated_social_worker")
        .filter(pk=episode.child_id)
        .first()
    )
    part_1 = child is not None
    profile = children_selectors.child_profile(child=child) if part_1 else None
    return {
        "episode": episode,
        "child": child or episode.child,
        "part_1": part_1,
        "profile": profile,
        "associates": list(children_selectors.profile_associates(profile=profile))
        if part_1
        else [],
        "places": list(children_selectors.profile_places(profile=profile)) if part_1 else [],
        "age": episode.child.age_on(uk_date(timezone.now())),
        "updates": list(episode_timeline(episode)[:10]),
    }

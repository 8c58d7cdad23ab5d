"""Generated data at scale, loaded with PostgreSQL COPY: `manage.py generate_data --scale ...`.

Scales (SCALES): `county` is one authority with 12 homes and 1,500 children over 10 years
(about 10,000 episodes); `region` ten authorities; `national` 150 authorities, 43 police
forces, 4,000 homes and 100,000 children (about 670,000 episodes: the county's shape, see
docs/performance.md); `tiny` is for the test.

The shape (checked by tests/benchmarks/test_generate.py, reported by `shape()`):
- Children are in care for most of the window, moving between homes (placements end and the
  next starts the same day); some leave early, everyone leaves at 18. The issue's numbers
  (1,500 children, 11% missing in a year, 6 to 7 episodes each, 10,000 episodes in 10 years)
  only add up if the children are there for most of the ten years, so homes hold more children
  than their registered beds; nothing in Homeward enforces capacity.
- In each year a child is in care, they go missing that year with a chance that rises with
  age (AGE_CHANCE): about 11% of the children in care go missing in a year. A child who goes
  missing in a year has 1 + Gamma(0.75, 9.5) episodes that year (about 6.5 once they are
  spread without overlapping, with a long tail to 100 and more), most of them bunched into six
  weeks. About 48% of episodes are of children aged 16 and over, about 90% last less than two
  days, and `overnight` is computed exactly as apps.core.clock.touches_night does (NightClock,
  checked against it by the test).
- Episodes of a child never overlap and at most one is open (the last, if it runs past
  `until`); each is at the home of the placement it began in, reported by that home's staff.
  Every closed episode has its return interview; police visits, Regulation 40 decisions,
  alerts (the engine's rules replayed, with deliveries and notifications), strategy meetings,
  CSE risk assessments, Philomena profiles and history rows follow from the episodes.
- Users per role with the grants the access code reads: each child's allocated social worker
  holds a view_child grant; care workers and home managers hold view_home (managers also
  manage_home) on their homes; police liaison officers belong to the home's force.

Deterministic: the same seed, scale and `until` give the same rows (each child draws from a
random stream of its own). Generated rows are marked: organisation codes start with
CODE_PREFIX and e-mail addresses end with EMAIL_DOMAIN; `foreign_data()` finds anything else.
"""

from __future__ import annotations

import bisect
import math
import random
import time as wallclock
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.db import connection

from apps.accounts.models import Organisation, OrganisationKind, Role
from apps.accounts.services import organisation_create
from apps.alerts import windows
from apps.alerts.models import EscalationRule, RecipientRole, RuleType
from apps.children.models import Answer, CseIndicator, RiskLevel, Timing
from apps.children.services import score_answers
from apps.core.clock import LONDON, local_window
from apps.episodes.models import InterviewOutcome, ReturnMethod
from apps.strategy_meetings.models import Decision
from benchmarks import words
from benchmarks.loader import HistoryTable, Loader, Table

CODE_PREFIX = "BENCH-"
EMAIL_DOMAIN = "bench.homeward.invalid"
# Every generated user has this password (benchmark databases only; the harness signs in
# with sessions and tokens it makes itself).
PASSWORD = "homeward-bench-only"  # noqa: S105
YEAR = timedelta(days=365.25)
HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)
# Of the children in care now, the share away at the moment the data is made, besides those
# whose drawn episodes run past it (about 1 in 200: a few at every residential authority).
MISSING_NOW_SHARE = 0.005


@dataclass(frozen=True)
class Scale:
    name: str
    authorities: int
    forces: int
    homes: int
    children: int
    years: int = 10


SCALES = {
    "tiny": Scale("tiny", authorities=2, forces=1, homes=6, children=300),
    "county": Scale("county", authorities=1, forces=1, homes=12, children=1_500),
    "region": Scale("region", authorities=10, forces=3, homes=270, children=7_000),
    "national": Scale("national", authorities=150, forces=43, homes=4_000, children=100_000),
}

# The chance that a child in care goes missing in a year, by age: teenagers most, 16 and 17
# most of all (about 48% of episodes are theirs).
AGE_CHANCE = {10: 0.03, 11: 0.045, 12: 0.065, 13: 0.1, 14: 0.145, 15: 0.19, 16: 0.38, 17: 0.42}
YOUNG_CHANCE = 0.005


def age_chance(age: float) -> float:
    whole = int(age)
    return AGE_CHANCE.get(whole, YOUNG_CHANCE if whole < 10 else 0.0)


def utc(moment: datetime) -> datetime:
    """An aware datetime as naive UTC (the generator's own time values)."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def local_date(moment: datetime) -> date:
    return moment.replace(tzinfo=UTC).astimezone(LONDON).date()


def local_midnight(day: date) -> datetime:
    return utc(datetime.combine(day, time(0, 0), tzinfo=LONDON))


class NightClock:
    """apps.core.clock.touches_night over a fixed span of days, answered by binary search.

    The night windows of every local day from `first` to `last` come from local_window, the
    function touches_night uses, so the clock changes come out the same.
    """

    def __init__(self, starts: time, ends: time, first: date, last: date):
        self.starts, self.ends = [], []
        day = first
        while day <= last:
            start, end = local_window(day, starts, ends)
            self.starts.append(utc(start))
            self.ends.append(utc(end))
            day += timedelta(days=1)

    def touches(self, start: datetime, end: datetime) -> bool:
        """True if [start, end) overlaps a night window (naive UTC, like touches_night)."""
        if end <= start:
            return False
        index = bisect.bisect_right(self.ends, start)
        return index < len(self.starts) and self.starts[index] < end


class Ids:
    """The next id of each table: one more than the largest there when the run began."""

    def __init__(self, cursor):
        self._cursor = cursor
        self._next: dict[str, int] = {}

    def __call__(self, table: Table) -> int:
        name = table.db_table
        if name not in self._next:
            self._cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {name}")  # noqa: S608
            self._next[name] = self._cursor.fetchone()[0] + 1
        value = self._next[name]
        self._next[name] = value + 1
        return value

    def tables(self) -> list[str]:
        return list(self._next)


# Tables: each one's columns are its model's fields (benchmarks/loader.py); a row names the
# values it gives, and the loader fills the rest with the fields' defaults. ----------------

USER = Table("accounts_user")
HOME = Table("homes_home")
HOME_GRANT = Table("homes_homeuserobjectpermission")
CHILD = Table("children_child")
CHILD_HISTORY = HistoryTable(CHILD)
CHILD_GRANT = Table("children_childuserobjectpermission")
PLACEMENT = Table("children_placement")
PLACEMENT_HISTORY = HistoryTable(PLACEMENT)
PROFILE = Table("children_philomenaprofile")
PROFILE_HISTORY = HistoryTable(PROFILE)
ASSOCIATE = Table("children_associate")
ASSOCIATE_HISTORY = HistoryTable(ASSOCIATE)
PLACE = Table("children_place")
PLACE_HISTORY = HistoryTable(PLACE)
EPISODE = Table("episodes_episode")
EPISODE_HISTORY = HistoryTable(EPISODE)
UPDATE = Table("episodes_episodeupdate")
INTERVIEW = Table("episodes_returninterview")
VISIT = Table("episodes_safeandwellvisit")
REG40 = Table("strategy_meetings_regulation40decision")
ALERT = Table("alerts_alert")
ALERT_EPISODE = Table("alerts_alert_episodes")
DELIVERY = Table("alerts_alertdelivery")
NOTIFICATION = Table("alerts_notification")
MEETING = Table("strategy_meetings_strategymeeting")
MEETING_ALERT = Table("strategy_meetings_strategymeeting_alerts")
MEETING_EPISODE = Table("strategy_meetings_strategymeeting_episodes")
ATTENDEE = Table("strategy_meetings_meetingattendee")
ACTION = Table("strategy_meetings_meetingaction")
ASSESSMENT = Table("strategy_meetings_cseriskassessment")
ANSWER = Table("strategy_meetings_cseanswer")
ACCESS_LOG = Table("children_accesslog")

# Written in this order, parents before the rows that point at them.
TABLES = [
    USER,
    HOME,
    HOME_GRANT,
    CHILD,
    CHILD_HISTORY,
    CHILD_GRANT,
    PLACEMENT,
    PLACEMENT_HISTORY,
    PROFILE,
    PROFILE_HISTORY,
    ASSOCIATE,
    ASSOCIATE_HISTORY,
    PLACE,
    PLACE_HISTORY,
    EPISODE,
    EPISODE_HISTORY,
    UPDATE,
    INTERVIEW,
    VISIT,
    REG40,
    ALERT,
    ALERT_EPISODE,
    DELIVERY,
    NOTIFICATION,
    MEETING,
    MEETING_ALERT,
    MEETING_EPISODE,
    ATTENDEE,
    ACTION,
    ASSESSMENT,
    ANSWER,
    ACCESS_LOG,
]


def _share(authorities: list, total: int, *, minimum: int = 0) -> list:
    """`total` places shared among the authorities in proportion to their weights (largest
    remainders), each getting at least `minimum`; one entry per place, in authority order."""
    weight = sum(a.weight for a in authorities)
    exact = [max(minimum, total * a.weight / weight) for a in authorities]
    counts = [int(x) for x in exact]
    order = sorted(range(len(authorities)), key=lambda i: counts[i] - exact[i])
    for i in order[: max(0, total - sum(counts))]:
        counts[i] += 1
    return [a for a, count in zip(authorities, counts, strict=True) for _ in range(count)]


# In-memory records of what has been made ----------------------------------------------------


@dataclass
class Rule:
    id: int
    rule_type: str
    name: str
    count: int | None
    days: int | None
    hours: int | None
    severity: str
    roles: list[str]
    action: str
    acknowledge_minutes: int


@dataclass
class Force:
    id: int
    code: str
    short: str
    police: list[int] = field(default_factory=list)


@dataclass
class Authority:
    id: int
    index: int
    code: str
    name: str
    weight: float
    force: Force
    night: NightClock | None = None
    interview_hours: int = 72
    rules: list[Rule] = field(default_factory=list)
    homes: list[Home] = field(default_factory=list)  # homes in its area
    nearby: list[Home] = field(default_factory=list)  # homes of nearby authorities
    managers: list[int] = field(default_factory=list)
    social_workers: list[int] = field(default_factory=list)
    interviewers: list[int] = field(default_factory=list)
    administrators: list[int] = field(default_factory=list)
    children: int = 0


@dataclass
class Home:
    id: int
    host: Authority
    force: Force
    operator_id: int
    staff: list[int] = field(default_factory=list)
    managers: list[int] = field(default_factory=list)


@dataclass
class Stay:
    home: Home
    start: date
    end: date | None


@dataclass
class Ep:
    """One episode being made (naive UTC times)."""

    id: int
    kind: str
    start: datetime
    returned: datetime | None
    home: Home
    logged: datetime = None
    reporter: int = 0
    overnight: bool = False
    risk_grade: str = ""
    police_at: datetime | None = None
    interview_id: int | None = None
    interview_state: str = ""  # held, late, declined, not_possible, none, pending

    # The names apps/alerts/windows.py reads.
    @property
    def pk(self) -> int:
        return self.id

    @property
    def last_seen_at(self) -> datetime:
        return self.start


# The generator -------------------------------------------------------------------------------


class Generator:
    def __init__(
        self,
        scale: Scale,
        *,
        seed: int,
        until: datetime,
        loader: Loader,
        log: Callable[[str], None] = lambda message: None,
    ):
        self.scale = scale
        self.seed = seed
        self.until = until
        self.start = until - scale.years * YEAR
        self.loader = loader
        self.add = loader.add
        self.log = log
        self.cursor = connection.cursor()
        self.ids = Ids(self.cursor)
        self.names: dict[int, str] = {}
        self.emails: dict[int, str] = {}
        self.started = wallclock.monotonic()

    def rng(self, *parts) -> random.Random:
        return random.Random(":".join(str(part) for part in (self.seed, *parts)))

    def run(self) -> dict[str, int]:
        self.password = make_password(PASSWORD)
        self.permissions = {
            (p.content_type.app_label, p.codename): p.pk
            for p in Permission.objects.filter(
                codename__in=["view_home", "manage_home", "view_child"]
            ).select_related("content_type")
        }
        self.indicators = list(
            CseIndicator.objects.filter(authority__isnull=True, active=True).order_by(
                "domain", "order", "pk"
            )
        )
        self._organisations()
        self._staff_and_homes()
        self.loader.commit()
        self.log(f"  organisations, users and homes: {self._elapsed()}")
        self._children()
        self.loader.close()
        self.log(f"  children and everything about them: {self._elapsed()}")
        return self.loader.counts

    def _elapsed(self) -> str:
        return f"{wallclock.monotonic() - self.started:.0f}s"

    # Organisations ----------------------------------------------------------------------

    def _place_names(self, rng, count: int) -> list[str]:
        names = [f"{stem}{end}" for stem in words.PLACE_STEMS for end in words.PLACE_ENDINGS]
        rng.shuffle(names)
        return [names[i % len(names)] + ("" if i < len(names) else f" {i}") for i in range(count)]

    def _organisations(self) -> None:
        """Forces, authorities (with the default escalation rules) and providers, through the
        accounts service: a few hundred rows."""
        rng = self.rng("organisations")
        scale = self.scale
        places = self._place_names(rng, scale.forces + scale.authorities)
        self.forces = []
        for n in range(scale.forces):
            code = f"{CODE_PREFIX}PF{n + 1:02d}"
            org = organisation_create(
                kind=OrganisationKind.POLICE_FORCE, name=f"{places[n]} Police", code=code
            )
            self.forces.append(Force(id=org.pk, code=code, short=f"PF{n + 1:02d}"))
        weights = [1.0] if scale.authorities == 1 else []
        while len(weights) < scale.authorities:
            weights.append(rng.lognormvariate(0, 0.5))
        # Forces cover neighbouring authorities, from one to many each (random cut points):
        # some forces police a single authority, as some do in England.
        cuts = sorted(
            rng.sample(range(1, scale.authorities), min(scale.forces, scale.authorities) - 1)
        )
        bounds = [0, *cuts, scale.authorities]
        force_of = [
            self.forces[group]
            for group in range(len(bounds) - 1)
            for _ in range(bounds[group + 1] - bounds[group])
        ]
        self.authorities = []
        for n in range(scale.authorities):
            name = f"{places[scale.forces + n]} {rng.choice(words.AUTHORITY_KINDS)}"
            code = f"{CODE_PREFIX}LA{n + 1:03d}"
            org = organisation_create(kind=OrganisationKind.LOCAL_AUTHORITY, name=name, code=code)
            force = force_of[n]
            authority = Authority(
                id=org.pk, index=n, code=code, name=name, weight=weights[n], force=force
            )
            authority.night = NightClock(
                org.night_starts,
                org.night_ends,
                local_date(self.start) - timedelta(days=2),
                local_date(self.until) + timedelta(days=1),
            )
            authority.interview_hours = org.return_interview_hours
            self.authorities.append(authority)
        by_id = {a.id: a for a in self.authorities}
        for rule in EscalationRule.objects.filter(
            authority_id__in=list(by_id), enabled=True
        ).order_by("pk"):
            by_id[rule.authority_id].rules.append(
                Rule(
                    id=rule.pk,
                    rule_type=rule.rule_type,
                    name=rule.name,
                    count=rule.count,
                    days=rule.days,
                    hours=rule.hours,
                    severity=rule.severity,
                    roles=list(rule.recipient_roles),
                    action=rule.action,
                    acknowledge_minutes=rule.acknowledge_within_minutes,
                )
            )
        self.providers = []
        for n in range(max(1, scale.homes // 10)):
            name = f"{rng.choice(words.PROVIDER_WORDS)} {rng.choice(words.PROVIDER_KINDS)}"
            org = Organisation.objects.create(
                kind=OrganisationKind.PROVIDER, name=name, code=f"{CODE_PREFIX}PR{n + 1:04d}"
            )
            self.providers.append(org.pk)
        # Children per authority, in proportion to its size.
        for authority in self.authorities:
            authority.children = 0
        for authority in _share(self.authorities, scale.children):
            authority.children += 1

    # People and homes --------------------------------------------------------------------

    def _user(self, rng, role: str, organisation_id: int, job_title: str = "") -> int:
        pk = self.ids(USER)
        name = f"{rng.choice(words.STAFF_FIRST_NAMES)} {rng.choice(words.LAST_NAMES)}"
        email = f"{role.replace('_', '.')}.{pk}@{EMAIL_DOMAIN}"
        administrator = role == Role.ADMINISTRATOR
        self.add(
            USER,
            id=pk,
            password=self.password,
            is_superuser=False,
            email=email,
            full_name=name,
            role=role,
            job_title=job_title,
            is_active=True,
            is_staff=administrator,
            date_joined=self.start - timedelta(days=30),
            organisation_id=organisation_id,
        )
        self.names[pk] = name
        self.emails[pk] = email
        return pk

    def _staff_and_homes(self) -> None:
        rng = self.rng("people")
        scale = self.scale
        for force in self.forces:
            areas = sum(1 for a in self.authorities if a.force is force)
            for _ in range(min(6, 2 + areas)):
                force.police.append(
                    self._user(rng, Role.POLICE_LIAISON, force.id, "Missing person coordinator")
                )
        for authority in self.authorities:
            for _ in range(2):
                authority.managers.append(self._user(rng, Role.SERVICE_MANAGER, authority.id))
            for _ in range(max(1, math.ceil(authority.children / 15))):
                authority.social_workers.append(self._user(rng, Role.SOCIAL_WORKER, authority.id))
            for _ in range(max(2, math.ceil(authority.children / 250))):
                authority.interviewers.append(
                    self._user(rng, Role.RETURN_INTERVIEWER, authority.id)
                )
            authority.administrators.append(self._user(rng, Role.ADMINISTRATOR, authority.id))

        # Homes: each authority hosts homes in proportion to its size; a quarter are run by
        # the authority itself, the rest by independent providers.
        hosts = _share(self.authorities, scale.homes, minimum=1)
        self.homes = []
        view, manage = (
            self.permissions[("homes", "view_home")],
            self.permissions[("homes", "manage_home")],
        )
        by_operator: dict[int, list[Home]] = {}
        letters = "ABDEFGHJLNPQRSTUWXYZ"
        for n, host in enumerate(hosts):
            operator = host.id if rng.random() < 0.25 else rng.choice(self.providers)
            home = Home(id=self.ids(HOME), host=host, force=host.force, operator_id=operator)
            created = self.start - timedelta(days=rng.randint(30, 2000))
            postcode = (
                f"X{letters[host.index % 20]}{rng.randint(1, 9)} "
                f"{rng.randint(0, 9)}{rng.choice(letters)}{rng.choice(letters)}"
            )
            self.add(
                HOME,
                id=home.id,
                created_at=created,
                updated_at=created,
                version=1,
                name=f"{rng.choice(words.HOME_WORDS)} {rng.choice(words.HOME_KINDS)}",
                ofsted_urn=f"SC{500000 + n:06d}",
                address_line_1=f"{rng.randint(1, 120)} {rng.choice(words.STREETS)}",
                town=host.name.split(" ")[0],
                postcode=postcode,
                phone=f"01632 960{n % 1000:03d}",
                capacity=rng.choice([2, 3, 4, 4, 5, 5, 6, 8]),
                ofsted_rating=rng.choices(
                    [
                        "outstanding",
                        "good",
                        "requires_improvement",
                        "inadequate",
                        "not_yet_inspected",
                    ],
                    [20, 60, 12, 3, 5],
                )[0],
                is_active=True,
                host_authority_id=host.id,
                operator_id=operator,
                police_force_id=host.force.id,
            )
            for _ in range(6):
                home.staff.append(
                    self._user(rng, Role.CARE_WORKER, operator, "Residential care worker")
                )
            for _ in range(2 if rng.random() < 0.3 else 1):
                home.managers.append(
                    self._user(rng, Role.HOME_MANAGER, operator, "Registered manager")
                )
            self.homes.append(home)
            host.homes.append(home)
            by_operator.setdefault(operator, []).append(home)
        # Grants: each care worker works in their home (a few in a second home of the same
        # operator); managers view and manage theirs.
        for home in self.homes:
            siblings = [h for h in by_operator[home.operator_id] if h is not home]
            for user in home.staff:
                grants = [home] + (
                    [rng.choice(siblings)] if siblings and rng.random() < 0.1 else []
                )
                for granted in grants:
                    self._home_grant(granted, view, user)
            for user in home.managers:
                for codename in (view, manage):
                    self._home_grant(home, codename, user)
        for authority in self.authorities:
            near = self.authorities[max(0, authority.index - 3) : authority.index + 4]
            authority.nearby = [h for a in near for h in a.homes]

    def _home_grant(self, home: Home, permission_id: int, user_id: int) -> None:
        self.add(
            HOME_GRANT,
            id=self.ids(HOME_GRANT),
            granted_at=self.start,
            content_object_id=home.id,
            permission_id=permission_id,
            user_id=user_id,
        )

    # Children -----------------------------------------------------------------------------

    def _children(self) -> None:
        batch = 0
        for authority in self.authorities:
            for n in range(authority.children):
                self._child(authority, n)
                batch += 1
                if batch >= 2000:
                    self.loader.commit()
                    batch = 0
            self.log(f"  {authority.name}: {authority.children} children ({self._elapsed()})")

    def _pick_home(self, rng, authority: Authority, not_home: Home | None) -> Home:
        roll = rng.random()
        pool = authority.homes if roll < 0.7 else authority.nearby if roll < 0.95 else self.homes
        pool = pool or self.homes
        home = rng.choice(pool)
        if home is not_home and len(pool) > 1:
            home = rng.choice(pool)
        return home

    def _child(self, authority: Authority, n: int) -> None:
        rng = self.rng("child", authority.index, n)
        until, start = self.until, self.start
        sex = rng.choice(["1", "2"])
        first = rng.choice(words.FIRST_NAMES[sex])
        last = rng.choice(words.LAST_NAMES)
        age_at_start = rng.uniform(3, 12)
        born = local_date(start) - timedelta(days=int(age_at_start * 365.25))
        try:
            eighteen = born.replace(year=born.year + 18)
        except ValueError:  # 29 February
            eighteen = born.replace(year=born.year + 18, day=28)
        care_end = local_midnight(eighteen)
        if rng.random() < 0.1:  # returned home, or moved to foster care
            care_end = min(care_end, start + rng.uniform(0.3, self.scale.years) * YEAR)
        in_care_now = care_end > until

        # Placements: from before the window (never before the first birthday) to the end of
        # care, moving every couple of years; each ends the day the next starts.
        first_day = max(
            local_date(start) - timedelta(days=rng.randint(0, 700)),
            born + timedelta(days=366),
        )
        last_day = local_date(care_end) if not in_care_now else None
        stays: list[Stay] = []
        day, home = first_day, None
        while True:
            home = self._pick_home(rng, authority, home)
            length = max(60, int(rng.expovariate(1 / 900)))
            end = day + timedelta(days=length)
            if last_day is not None and end >= last_day:
                stays.append(Stay(home, day, last_day))
                break
            if last_day is None and end >= local_date(until):
                stays.append(Stay(home, day, None))
                break
            stays.append(Stay(home, day, end))
            day = end
        care_from = local_midnight(first_day)

        episodes = self._plan_episodes(rng, authority, born, care_from, care_end, stays)
        social_worker = authority.social_workers[n % len(authority.social_workers)]
        manager = authority.managers[n % len(authority.managers)]
        child_id = self.ids(CHILD)
        created = min(care_from, until)

        # CSE risk assessments: one in each year the child went missing.
        assessments = self._assessments(rng, child_id, episodes, social_worker)
        cse_risk = assessments[-1][1] if assessments else ""
        archived = not in_care_now and care_end < until - YEAR
        self.loader.add_with_history(
            CHILD,
            CHILD_HISTORY,
            created,
            manager,
            id=child_id,
            created_at=created,
            updated_at=created,
            version=1,
            first_name=first,
            last_name=last,
            preferred_name=words.PREFERRED.get(first, "") if rng.random() < 0.5 else "",
            date_of_birth=born,
            sex=sex,
            ethnicity=rng.choice(words.ETHNICITIES),
            child_id=f"C{n + 1:07d}",
            is_archived=archived,
            allocated_social_worker_id=social_worker,
            placing_authority_id=authority.id,
            cse_risk=cse_risk,
        )
        view_child = self.permissions[("children", "view_child")]
        self.add(
            CHILD_GRANT,
            id=self.ids(CHILD_GRANT),
            reason="Allocated social worker",
            expires_at=None,
            granted_at=created,
            content_object_id=child_id,
            granted_by_id=manager,
            permission_id=view_child,
            user_id=social_worker,
        )
        for stay in stays:
            at = max(local_midnight(stay.start), created)
            self.loader.add_with_history(
                PLACEMENT,
                PLACEMENT_HISTORY,
                at,
                manager,
                id=self.ids(PLACEMENT),
                created_at=at,
                updated_at=at,
                version=1 if stay.end is None else 2,
                start_date=stay.start,
                end_date=stay.end,
                child_id=child_id,
                home_id=stay.home.id,
            )
        self._profile(rng, child_id, created, care_end, in_care_now, first, social_worker, episodes)
        for assessment, _level, answers in assessments:
            self.add(ASSESSMENT, **assessment)
            for answer in answers:
                self.add(ANSWER, **answer)

        # The episodes, then what follows from them.
        for ep in episodes:
            self._episode(rng, authority, child_id, ep, assessments)
        if episodes:
            self._alerts(rng, authority, child_id, social_worker, episodes, assessments)
            recent = episodes[-1]
            recently = recent.returned is None or recent.returned > until - 7 * 24 * HOUR
            if recently and recent.kind == "M" and rng.random() < 0.3:
                officer = rng.choice(recent.home.force.police)
                self.add(
                    CHILD_GRANT,
                    id=self.ids(CHILD_GRANT),
                    reason="Missing: police search and safe-and-well visit",
                    expires_at=until + 7 * 24 * HOUR,
                    granted_at=recent.logged,
                    content_object_id=child_id,
                    granted_by_id=social_worker,
                    permission_id=view_child,
                    user_id=officer,
                )

    def _plan_episodes(self, rng, authority, born, care_from, care_end, stays) -> list[Ep]:
        """The child's episodes, oldest first: never overlapping, each inside their care."""
        until = self.until
        starts: list[datetime] = []
        for year in range(self.scale.years):
            lower = max(self.start + year * YEAR, care_from)
            upper = min(self.start + (year + 1) * YEAR, care_end, until)
            if upper - lower < timedelta(days=30):
                continue
            middle = lower + (upper - lower) / 2
            age = (local_date(middle) - born).days / 365.25
            if rng.random() >= age_chance(age):
                continue
            count = min(150, 1 + int(rng.gammavariate(0.75, 9.5)))
            days = (upper - lower).total_seconds() / 86400
            run_from, run_days = 0.0, days
            if count >= 4 and days > 90:  # repeat missing comes in runs
                run_days = 42.0
                run_from = rng.uniform(0, days - run_days)
            for k in range(count):
                if k < count * 0.6:
                    offset = run_from + rng.uniform(0, run_days)
                else:
                    offset = rng.uniform(0, days)
                day = local_date(lower + timedelta(days=offset))
                moment = self._start_time(rng, day)
                if lower <= moment < upper:
                    starts.append(moment)
        starts.sort()
        episodes: list[Ep] = []
        for moment in starts:
            if episodes and moment < episodes[-1].returned + HOUR:
                continue  # the child was still away, or only just back
            kind = "M" if rng.random() < 0.55 else "A"
            returned = moment + self._duration(rng, kind)
            episodes.append(Ep(0, kind, moment, returned, stays[0].home))
        # Some children are away right now, at every scale and on any day the data is made
        # (left to the draws above, an authority could have none on the day, and the lists
        # a benchmark compares across scales would be empty at one scale and full at another).
        if care_end > until and rng.random() < MISSING_NOW_SHARE:
            moment = until - timedelta(hours=rng.uniform(1, 20))
            if not episodes or episodes[-1].returned + HOUR < moment:
                episodes.append(Ep(0, "M", moment, until + HOUR, stays[0].home))
        kept: list[Ep] = []
        for index, ep in enumerate(episodes):
            limit = care_end
            if index + 1 < len(episodes):
                limit = min(limit, episodes[index + 1].start - HOUR)
            ep.returned = min(ep.returned, limit)
            if ep.returned - ep.start < 20 * MINUTE:
                continue
            if ep.returned > until:
                ep.returned = None  # still away now: the open episode
            ep.home = self._home_on(stays, local_date(ep.start))
            ep.id = self.ids(EPISODE)
            kept.append(ep)
        return kept

    @staticmethod
    def _home_on(stays: list[Stay], day: date) -> Home:
        home = stays[0].home
        for stay in stays:
            if stay.start <= day:
                home = stay.home
        return home

    @staticmethod
    def _start_time(rng, day: date) -> datetime:
        """Mostly after school and in the evening, UK time (the demo's pattern)."""
        roll = rng.random()
        if roll < 0.75:
            hour = rng.choice([15, 16, 17, 18, 19, 20, 21, 22])
        elif roll < 0.9:
            hour = rng.randint(9, 14)
        else:
            hour = rng.choice([23, 0, 1, 2, 6, 7, 8])
        local = datetime.combine(day, time(hour, rng.randrange(0, 60, 5)), tzinfo=LONDON)
        return utc(local)

    @staticmethod
    def _duration(rng, kind: str) -> timedelta:
        """Away: mostly an hour or two late. Missing: hours, sometimes days (a long tail)."""
        roll = rng.random()
        if kind == "A":
            hours = (
                rng.uniform(0.3, 2)
                if roll < 0.8
                else rng.uniform(2, 10)
                if roll < 0.97
                else rng.uniform(10, 60)
            )
        elif roll < 0.45:
            hours = rng.uniform(1, 6)
        elif roll < 0.72:
            hours = rng.uniform(6, 24)
        elif roll < 0.85:
            hours = rng.uniform(24, 48)
        else:
            hours = math.exp(rng.uniform(math.log(48), math.log(24 * 14)))
        return timedelta(minutes=5 * max(4, round(hours * 12)))

    # Profile and CSE risk -------------------------------------------------------------------

    def _profile(self, rng, child_id, created, care_end, in_care_now, first, keeper, episodes):
        profile_id = self.ids(PROFILE)
        if rng.random() < 0.9:
            reviewed_at = (self.until if in_care_now else care_end) - timedelta(
                days=rng.randint(0, 200)
            )
            reviewed_at = max(reviewed_at, created)
            platform = rng.choice(words.PLATFORMS)
            medical = rng.choice(["", "", "", "Asthma", "ADHD", "Type 1 diabetes"])
            row = {
                "id": profile_id,
                "created_at": created,
                "updated_at": reviewed_at,
                "version": 2,
                "height": f"{rng.randint(120, 184)} cm",
                "build": rng.choice(words.BUILDS),
                "hair": rng.choice(words.HAIR),
                "eyes": rng.choice(words.EYES),
                "distinguishing_marks": rng.choice(words.MARKS),
                "phone_numbers": f"07700 900{rng.randint(0, 999):03d}",
                "social_media": f"{platform}: {first.lower()}{rng.randint(1, 99)}",
                "medical_needs": medical,
                "medication": "Blue inhaler, carries it" if medical == "Asthma" else "",
                "vulnerabilities": rng.choice(words.VULNERABILITIES),
                "last_reviewed_at": reviewed_at,
                "child_id": child_id,
                "last_reviewed_by_id": keeper,
            }
        else:  # not filled in yet: the fields' defaults
            row = {
                "id": profile_id,
                "created_at": created,
                "updated_at": created,
                "version": 1,
                "child_id": child_id,
            }
        self.loader.add_with_history(PROFILE, PROFILE_HISTORY, created, keeper, **row)
        if not episodes:
            return
        for name, relationship, contact, concern in rng.sample(words.ASSOCIATES, rng.randint(0, 3)):
            self.loader.add_with_history(
                ASSOCIATE,
                ASSOCIATE_HISTORY,
                created,
                keeper,
                id=self.ids(ASSOCIATE),
                created_at=created,
                updated_at=created,
                name=name,
                relationship=relationship,
                contact=contact,
                is_concern=concern,
                profile_id=profile_id,
            )
        for name, area, why, concern in rng.sample(words.PLACES, rng.randint(0, 2)):
            self.loader.add_with_history(
                PLACE,
                PLACE_HISTORY,
                created,
                keeper,
                id=self.ids(PLACE),
                created_at=created,
                updated_at=created,
                name=name,
                area_or_address=area,
                why=why,
                is_concern=concern,
                profile_id=profile_id,
            )

    def _assessments(self, rng, child_id, episodes, assessor) -> list[tuple]:
        """(assessment row, level, answer rows), rows by column, for each year the child went
        missing, newest last; scored with the strategy meetings service's own scoring."""
        if not episodes or not self.indicators:
            return []
        risk = rng.random() ** 2
        results, last_year = [], None
        for ep in episodes:
            year = (ep.start - self.start) // YEAR
            if year == last_year:
                continue
            last_year = year
            assessed = local_date(ep.start) + timedelta(days=rng.randint(5, 30))
            if assessed > local_date(self.until):
                continue
            assessment_id = self.ids(ASSESSMENT)
            answered = []
            for indicator in self.indicators:
                roll = rng.random()
                answer = (
                    Answer.YES
                    if roll < risk * 0.35
                    else Answer.POSSIBLE
                    if roll < risk * 0.6
                    else Answer.NO
                )
                timing = (
                    "" if answer == Answer.NO else rng.choice([Timing.CURRENT, Timing.HISTORIC])
                )
                answered.append((indicator, answer, timing))
            score, level = score_answers(answered)
            answers = [
                {
                    "id": self.ids(ANSWER),
                    "answer": answer,
                    "timing": timing,
                    "indicator_id": indicator.pk,
                    "assessment_id": assessment_id,
                }
                for indicator, answer, timing in answered
            ]
            months = 1 if level == RiskLevel.HIGH else 3
            review = assessed + timedelta(days=30 * months)
            at = local_midnight(assessed) + 14 * HOUR
            row = {
                "id": assessment_id,
                "created_at": at,
                "updated_at": at,
                "version": 1,
                "assessed_on": assessed,
                "score": score,
                "calculated_level": str(level),
                "override_level": "",
                "override_reason": "",
                "level": str(level),
                "summary": "Screening after repeat missing episodes.",
                "review_due_on": review,
                "assessed_by_id": assessor,
                "child_id": child_id,
            }
            results.append((row, str(level), answers))
        return results

    @staticmethod
    def _cse_level_on(assessments, day: date) -> str:
        level = ""
        for row, value, _answers in assessments:
            if row["assessed_on"] <= day:
                level = value
        return level

    # One episode -----------------------------------------------------------------------------

    def _episode(self, rng, authority: Authority, child_id: int, ep: Ep, assessments) -> None:
        until = self.until
        home, force = ep.home, ep.home.force
        end = ep.returned or until
        staff = home.staff + home.managers
        ep.reporter = reporter = rng.choice(staff)
        ep.logged = logged = min(ep.start + rng.randint(10, 60) * MINUTE, until)
        ep.overnight = authority.night.touches(ep.start, end)
        missing = ep.kind == "M"
        if missing:
            where = rng.choice(words.LAST_SEEN_WHERE)
            with_whom = rng.choice(words.WITH)
            circumstances = rng.choice(words.CIRCUMSTANCES)
        else:
            where = rng.choice(words.AWAY_WHERE).format(time="21:00")
            with_whom, circumstances = "", ""
        police_at, reference, grade = None, "", ""
        if (missing and rng.random() < 0.92) or (not missing and rng.random() < 0.1):
            candidate = ep.start + rng.randint(20, 90) * MINUTE
            if candidate < end:
                police_at = candidate
                reference = f"{force.short}-{ep.start.year % 100}-{rng.randint(10000, 99999)}"
                grade = (
                    rng.choices(["very_low", "low", "medium", "high"], [15, 45, 32, 8])[0]
                    if missing
                    else "very_low"
                )
        ep.police_at, ep.risk_grade = police_at, grade
        notified = min(ep.start + rng.randint(30, 120) * MINUTE, end)
        cse_level = self._cse_level_on(assessments, local_date(ep.start))
        exploitation = missing and cse_level in ("medium", "high") and rng.random() < 0.08
        police_incident = missing and rng.random() < 0.01
        recorder = None
        method = found = postcode = returned_with = condition = concerns = ""
        if ep.returned is not None:
            recorder = rng.choice(staff)
            if missing:
                method = rng.choices(
                    [
                        ReturnMethod.OWN_ACCORD,
                        ReturnMethod.FOUND_BY_POLICE,
                        ReturnMethod.FOUND_BY_STAFF,
                        ReturnMethod.FOUND_BY_FAMILY,
                        ReturnMethod.OTHER,
                    ],
                    [50, 25, 14, 9, 2],
                )[0]
            else:
                method = rng.choices(
                    [ReturnMethod.OWN_ACCORD, ReturnMethod.FOUND_BY_STAFF], [85, 15]
                )[0]
            method = str(method)
            if method != "own_accord" or rng.random() < 0.5:
                found, postcode = rng.choice(words.FOUND)
            returned_with = {
                "found_by_police": "Police officers",
                "found_by_staff": "Member of staff",
            }.get(method) or rng.choice(words.RETURNED_WITH)
            condition = rng.choice(words.CONDITIONS)
            concerns = rng.choice(words.CONCERNS)
        updated = ep.returned or logged
        self.loader.add_with_history(
            EPISODE,
            EPISODE_HISTORY,
            logged,
            reporter,
            id=ep.id,
            created_at=logged,
            updated_at=max(updated, logged),
            version=1 if ep.returned is None else 2,
            kind=ep.kind,
            last_seen_at=ep.start,
            last_seen_where=where,
            last_seen_with=with_whom,
            clothing=rng.choice(words.CLOTHING),
            circumstances=circumstances,
            reported_to_police_at=police_at,
            police_reference=reference,
            risk_grade=grade,
            social_worker_notified_at=notified,
            suspected_sexual_exploitation=exploitation,
            serious_police_incident=police_incident,
            returned_at=ep.returned,
            return_method=method,
            found_where=found,
            found_postcode=postcode,
            returned_with=returned_with,
            condition=condition,
            concerns=concerns,
            overnight=ep.overnight,
            child_id=child_id,
            home_id=home.id,
            reported_by_id=reporter,
            return_recorded_by_id=recorder,
        )
        self.add(
            ACCESS_LOG,
            id=self.ids(ACCESS_LOG),
            kind="record",
            path=f"/children/{child_id}/",
            viewed_at=logged,
            child_id=child_id,
            user_id=reporter,
        )

        # The timeline: the report, the police grade, a few updates while away, the return.
        label = "missing" if missing else "away from placement without authorisation"
        self._update(
            ep,
            "reported",
            logged,
            f"Reported {label} by {self.names[reporter]}",
            reporter,
            new=ep.kind,
        )
        if grade:
            officer = rng.choice(force.police)
            graded = min(police_at + 30 * MINUTE, end)
            self._update(ep, "risk_grade", graded, "", officer, new=grade)
        if end - ep.start >= 2 * HOUR:
            categories = (
                ["call", "sighting", "contact", "police", "note"]
                if missing
                else ["call", "contact"]
            )
            for _ in range(rng.randint(1, 3) if missing else 1):
                category = rng.choice(categories)
                at = ep.start + (end - ep.start) * rng.uniform(0.1, 0.9)
                author = rng.choice(force.police) if category == "police" else reporter
                self._update(ep, category, at, rng.choice(words.UPDATE_TEXTS[category]), author)
        if ep.returned is None:
            ep.interview_state = "open"
            return
        self._update(ep, "return", ep.returned, method.replace("_", " ").capitalize(), recorder)

        self._interview(rng, authority, ep, cse_level)
        if missing and (method == "found_by_police" or end - ep.start > 24 * HOUR):
            visited = ep.returned + rng.randint(1, 20) * HOUR
            if rng.random() < 0.6 and visited < until - 30 * MINUTE:
                officer = rng.choice(force.police)
                self.add(
                    VISIT,
                    id=self.ids(VISIT),
                    created_at=visited,
                    updated_at=visited,
                    visited_at=visited,
                    officer_name=f"{self.names[officer]} {rng.randint(1000, 9999)}",
                    location="At the home",
                    outcome=rng.choice(words.VISIT_OUTCOMES),
                    episode_id=ep.id,
                    officer_id=officer,
                )
        if exploitation or police_incident:
            reasons = []
            if exploitation:
                reasons.append("suspected sexual exploitation")
            if police_incident:
                reasons.append("a serious incident involving the police")
            decided = ep.returned + rng.randint(2, 72) * HOUR
            manager = rng.choice(home.managers)
            if decided > until:
                status, decided, notified_at, reference, reason, manager = (
                    "pending",
                    None,
                    None,
                    "",
                    "",
                    None,
                )
            elif rng.random() < 0.4:
                status, notified_at, reference, reason = (
                    "notified",
                    decided,
                    f"OFS-{rng.randint(100000, 999999)}",
                    "",
                )
            else:
                status, notified_at, reference = "not_notifiable", None, ""
                reason = "Discussed with the placing authority; not a notifiable event."
            self.add(
                REG40,
                id=self.ids(REG40),
                created_at=logged,
                updated_at=decided or logged,
                version=1 if status == "pending" else 2,
                trigger=" and ".join(reasons).capitalize(),
                status=status,
                notified_at=notified_at,
                ofsted_reference=reference,
                not_notifiable_reason=reason,
                decided_at=decided,
                decided_by_id=manager,
                episode_id=ep.id,
                home_id=home.id,
            )

    def _update(
        self, ep: Ep, category: str, at: datetime, note: str, author: int, *, new=""
    ) -> None:
        """One timeline entry, recorded when it happened."""
        self.add(
            UPDATE,
            id=self.ids(UPDATE),
            category=category,
            happened_at=at,
            text=note,
            old_value="",
            new_value=new,
            recorded_at=at,
            author_id=author,
            episode_id=ep.id,
        )

    def _interview(self, rng, authority: Authority, ep: Ep, cse_level: str) -> None:
        until = self.until
        due = ep.returned + authority.interview_hours * HOUR
        assigned = rng.choice(authority.interviewers) if rng.random() < 0.9 else None
        roll = rng.random()
        if due > until:
            state = "pending" if roll < 0.5 else "held"
        else:
            state = (
                "held"
                if roll < 0.62
                else "late"
                if roll < 0.70
                else "declined"
                if roll < 0.90
                else "not_possible"
                if roll < 0.94
                else "none"
            )
        offered = held = None
        outcome = reason = held_by = push = pull = places = ""
        independent = None
        if state in ("held", "late"):
            offered = ep.returned + rng.randint(3, 24) * HOUR
            if state == "held":
                held = min(offered + rng.randint(1, 40) * HOUR, due - HOUR)
            else:
                held = due + rng.randint(4, 96) * HOUR
            if held > until - HOUR:
                state, held = "pending", None
            else:
                offered = min(offered, held)
                outcome = InterviewOutcome.ACCEPTED
                held_by = (
                    f"{self.names[assigned]} (independent return interviewer)"
                    if assigned
                    else "Independent return interviewer"
                )
                push, pull = rng.choice(words.PUSH), rng.choice(words.PULL)
                places = rng.choice(words.FOUND)[0]
                independent = True
        elif state in ("declined", "not_possible"):
            offered = ep.returned + rng.randint(3, 48) * HOUR
            outcome = (
                InterviewOutcome.DECLINED if state == "declined" else InterviewOutcome.NOT_POSSIBLE
            )
            reason = rng.choice(
                words.DECLINE_REASONS if state == "declined" else words.NOT_POSSIBLE_REASONS
            )
            independent = True
        if offered is not None and offered > until:
            offered = None
        if state == "pending":
            offered, held, independent = None, None, None
            outcome = reason = held_by = push = pull = places = ""
        ep.interview_id = self.ids(INTERVIEW)
        ep.interview_state = state
        changed = held or offered or ep.returned
        self.add(
            INTERVIEW,
            id=ep.interview_id,
            created_at=ep.returned,
            updated_at=changed,
            version=2 if outcome else 1,
            due_at=due,
            offered_at=offered,
            outcome=str(outcome),
            outcome_reason=reason,
            held_at=held,
            held_by=held_by,
            independent_of_home=independent,
            push_factors=push,
            pull_factors=pull,
            places_mentioned=places,
            cse_concern=bool(
                outcome == InterviewOutcome.ACCEPTED and cse_level == "high" and rng.random() < 0.3
            ),
            assigned_to_id=assigned,
            episode_id=ep.id,
            recorded_by_id=assigned if outcome else None,
        )

    # Alerts: the engine's rules replayed over the child's history --------------------------

    def _alerts(self, rng, authority, child_id, social_worker, episodes, assessments) -> None:
        until = self.until
        for rule in authority.rules:
            kind = rule.rule_type
            if kind in windows.WINDOW_RULES:
                # The engine's window arithmetic (apps/alerts/windows.py), each episode in turn.
                last_end = None
                for ep in episodes:
                    window = windows.window_alert(rule, episodes, episode=ep)
                    if window is None or windows.window_repeats(
                        window.episodes[0].start, [last_end]
                    ):
                        continue
                    raised = (
                        ep.logged
                        if not window.overnight
                        else min(ep.returned or until, ep.logged + 6 * HOUR)
                    )
                    last_end = window.ends_at
                    self._alert(
                        rng,
                        authority,
                        rule,
                        child_id,
                        social_worker,
                        window.key,
                        window.episodes,
                        raised,
                        window.summary,
                        last_end,
                    )
            elif kind == RuleType.OVERNIGHT_AT_CSE_RISK:
                for ep in episodes:
                    if ep.overnight and self._cse_level_on(assessments, local_date(ep.start)) in (
                        "medium",
                        "high",
                    ):
                        raised = min(ep.returned or until, ep.logged + 6 * HOUR)
                        self._alert(
                            rng,
                            authority,
                            rule,
                            child_id,
                            social_worker,
                            f"episode:{ep.id}",
                            [ep],
                            raised,
                            "Away overnight while the CSE risk is raised",
                        )
            elif kind == RuleType.POLICE_RISK_HIGH:
                for ep in episodes:
                    if ep.risk_grade == "high":
                        raised = min(ep.police_at + 30 * MINUTE, until)
                        self._alert(
                            rng,
                            authority,
                            rule,
                            child_id,
                            social_worker,
                            f"episode:{ep.id}",
                            [ep],
                            raised,
                            "Police graded the episode high risk",
                        )
            elif kind == RuleType.OPEN_LONGER_THAN and rule.hours:
                limit = rule.hours * HOUR
                for ep in episodes:
                    if (ep.returned or until) - ep.start > limit:
                        self._alert(
                            rng,
                            authority,
                            rule,
                            child_id,
                            social_worker,
                            f"episode:{ep.id}",
                            [ep],
                            ep.start + limit,
                            f"Away for more than {rule.hours} hours",
                        )
            elif kind == RuleType.NO_POLICE_REPORT and rule.hours:
                limit = rule.hours * HOUR
                for ep in episodes:
                    due = ep.logged + limit
                    if (
                        ep.kind == "M"
                        and due < (ep.returned or until)
                        and (ep.police_at is None or ep.police_at > due)
                    ):
                        self._alert(
                            rng,
                            authority,
                            rule,
                            child_id,
                            social_worker,
                            f"episode:{ep.id}",
                            [ep],
                            due,
                            "Missing and not reported to the police",
                        )
            elif kind == RuleType.INTERVIEW_NOT_HELD and rule.hours:
                for ep in episodes:
                    if ep.interview_id and ep.interview_state not in ("held", "pending"):
                        due = ep.returned + rule.hours * HOUR
                        if due <= until:
                            self._alert(
                                rng,
                                authority,
                                rule,
                                child_id,
                                social_worker,
                                f"interview:{ep.interview_id}",
                                [ep],
                                due,
                                "The return interview was not held in time",
                            )

    def _recipients(
        self, rule: Rule, authority: Authority, social_worker: int, home: Home
    ) -> list[int]:
        people: list[int] = []
        if RecipientRole.SOCIAL_WORKER in rule.roles:
            people.append(social_worker)
        if RecipientRole.SERVICE_MANAGER in rule.roles:
            people += authority.managers
        if RecipientRole.HOME_MANAGER in rule.roles:
            people += home.managers
        if RecipientRole.POLICE_LIAISON in rule.roles:
            people += home.force.police
        return list(dict.fromkeys(people))

    def _alert(
        self,
        rng,
        authority,
        rule,
        child_id,
        social_worker,
        key,
        episodes,
        raised,
        summary,
        window_end=None,
    ):
        until = self.until
        raised = min(raised, until)
        home = episodes[-1].home
        alert_id = self.ids(ALERT)
        people = self._recipients(rule, authority, social_worker, home)
        escalate = raised + rule.acknowledge_minutes * MINUTE
        status, acknowledged_at, acknowledged_by, level, escalated_at = (
            "acknowledged",
            None,
            None,
            0,
            None,
        )
        if raised > until - 3 * 24 * HOUR and rng.random() < 0.5:
            status = "open"
            if escalate <= until:
                level, escalated_at = 1, escalate
                escalate = escalate + rule.acknowledge_minutes * MINUTE
        else:
            acknowledged_at = min(
                raised + rng.randint(5, rule.acknowledge_minutes * 2) * MINUTE, until
            )
            acknowledged_by = rng.choice(people) if people else authority.managers[0]
            if acknowledged_at > escalate:
                level, escalated_at = 1, escalate
        self.add(
            ALERT,
            id=alert_id,
            created_at=raised,
            updated_at=acknowledged_at or raised,
            version=1 if status == "open" else 2,
            key=key,
            window_ends_at=window_end,
            severity=rule.severity,
            title=rule.name,
            summary=summary,
            action=rule.action,
            raised_at=raised,
            status=status,
            acknowledged_at=acknowledged_at,
            level=level,
            escalated_at=escalated_at,
            escalate_at=escalate,
            acknowledged_by_id=acknowledged_by,
            authority_id=authority.id,
            child_id=child_id,
            home_id=home.id,
            rule_id=rule.id,
        )
        for ep in episodes:
            self.add(ALERT_EPISODE, id=self.ids(ALERT_EPISODE), alert_id=alert_id, episode_id=ep.id)
        # Every recipient is told in Homeward and by email.
        old = raised < until - 7 * 24 * HOUR
        for user in people:
            for channel, attempts, sent in (("in_app", 0, raised), ("email", 1, raised + MINUTE)):
                self.add(
                    DELIVERY,
                    id=self.ids(DELIVERY),
                    email=self.emails[user],
                    recipient_name=self.names[user],
                    channel=channel,
                    level=0,
                    status="sent",
                    attempts=attempts,
                    next_attempt_at=raised,
                    sent_at=sent,
                    created_at=raised,
                    alert_id=alert_id,
                    user_id=user,
                )
            read = None
            if old or rng.random() < 0.6:
                read = min(raised + rng.randint(1, 600) * MINUTE, until)
            self.add(
                NOTIFICATION,
                id=self.ids(NOTIFICATION),
                created_at=raised,
                read_at=read,
                alert_id=alert_id,
                user_id=user,
            )
        if (
            key.startswith("window:")
            and rule.rule_type == RuleType.EPISODES_IN_WINDOW
            and rng.random() < 0.35
        ):
            self._meeting(rng, authority, child_id, social_worker, home, alert_id, episodes, raised)

    def _meeting(self, rng, authority, child_id, chair, home, alert_id, episodes, raised) -> None:
        until = self.until
        day = local_date(raised) + timedelta(days=rng.randint(1, 5))
        scheduled = utc(datetime.combine(day, time(rng.choice([10, 11, 14])), tzinfo=LONDON))
        meeting_id = self.ids(MEETING)
        held = scheduled < until - 2 * HOUR
        cancelled = held and rng.random() < 0.08
        status = "cancelled" if cancelled else "held" if held else "scheduled"
        decisions = []
        if status == "held":
            decisions = rng.sample(
                [
                    Decision.SAFETY_PLAN,
                    Decision.EXPLOITATION_PANEL,
                    Decision.DISRUPTION,
                    Decision.PLACEMENT_REVIEW,
                ],
                rng.randint(1, 2),
            )
        video = rng.random() < 0.5
        self.add(
            MEETING,
            id=meeting_id,
            created_at=raised,
            updated_at=scheduled if held else raised,
            version=2 if held else 1,
            reason=rng.choice(words.MEETING_REASONS),
            scheduled_at=scheduled,
            duration_minutes=60,
            location="" if video else "Council offices, meeting room 2",
            video_link="https://meet.example.invalid/strategy" if video else "",
            status=status,
            uid=f"bench-{meeting_id}@{EMAIL_DOMAIN}",
            sequence=1 if cancelled else 0,
            held_at=scheduled if status == "held" else None,
            minutes=rng.choice(words.MEETING_MINUTES) if status == "held" else "",
            decisions=[str(d) for d in decisions],
            decision_notes="",
            next_review_on=day + timedelta(days=42) if status == "held" else None,
            cancelled_reason="The child's situation changed; rearranged" if cancelled else "",
            authority_id=authority.id,
            chair_id=chair,
            child_id=child_id,
            created_by_id=chair,
        )
        self.add(
            MEETING_ALERT,
            id=self.ids(MEETING_ALERT),
            strategymeeting_id=meeting_id,
            alert_id=alert_id,
        )
        for ep in episodes:
            self.add(
                MEETING_EPISODE,
                id=self.ids(MEETING_EPISODE),
                strategymeeting_id=meeting_id,
                episode_id=ep.id,
            )
        attendance = "attended" if status == "held" else ""
        invited = [chair, rng.choice(home.force.police), rng.choice(home.managers)]
        owners = []
        for user in dict.fromkeys(invited):
            attendee_id = self.ids(ATTENDEE)
            self.add(
                ATTENDEE,
                id=attendee_id,
                name=self.names[user],
                agency="Homeward",
                email=self.emails[user],
                attendance=attendance,
                sent_sequence=0,
                user_id=user,
                meeting_id=meeting_id,
            )
            owners.append(user)
        for n, (role, agency) in enumerate(rng.sample(words.EXTERNAL_AGENCIES, rng.randint(1, 2))):
            self.add(
                ATTENDEE,
                id=self.ids(ATTENDEE),
                name=role,
                agency=agency,
                email=f"external.{meeting_id}.{n}@example.invalid",
                attendance=attendance if rng.random() < 0.8 else "apologies",
                sent_sequence=0,
                user_id=None,
                meeting_id=meeting_id,
            )
        if status != "held":
            return
        for description in rng.sample(words.ACTIONS, rng.randint(1, 3)):
            due = day + timedelta(days=rng.randint(7, 28))
            owner = rng.choice(owners)
            done = due < local_date(until) and rng.random() < 0.8
            completed = min(local_midnight(due) + 10 * HOUR, until) if done else None
            self.add(
                ACTION,
                id=self.ids(ACTION),
                created_at=scheduled,
                updated_at=completed or scheduled,
                version=2 if done else 1,
                description=description,
                due_on=due,
                status="done" if done else "open",
                completed_at=completed,
                completion_note="Done." if done else "",
                completed_by_id=owner if done else None,
                owner_user_id=owner,
                owner_attendee_id=None,
                meeting_id=meeting_id,
            )


# Checks and housekeeping -------------------------------------------------------------------


def foreign_data(cursor) -> list[str]:
    """What in the database the generator did not make: organisations, users, homes and
    children outside the generated ones. Empty when the generator may run."""
    found = []
    checks = [
        (
            "organisations",
            "SELECT count(*) FROM accounts_organisation WHERE code NOT LIKE %s",
            [f"{CODE_PREFIX}%"],
        ),
        (
            "users",
            "SELECT count(*) FROM accounts_user WHERE email NOT LIKE %s",
            [f"%@{EMAIL_DOMAIN}"],
        ),
    ]
    for what, sql, params in checks:
        cursor.execute(sql, params)
        count = cursor.fetchone()[0]
        if count:
            found.append(f"{count} {what}")
    return found


def generated_data(cursor) -> bool:
    cursor.execute(
        "SELECT EXISTS (SELECT 1 FROM accounts_organisation WHERE code LIKE %s)",
        [f"{CODE_PREFIX}%"],
    )
    return cursor.fetchone()[0]


# Tables that hold no generated data and are kept by --reset.
KEEP = {
    "django_migrations",
    "django_content_type",
    "auth_permission",
    "auth_group",
    "auth_group_permissions",
}


def reset(cursor) -> list[str]:
    """Empty every table of the project's data (the database holds only generated data:
    check with foreign_data first), then put back the standard CSE indicators the migration
    made. Returns the tables emptied."""
    from django.apps import apps

    tables = sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.managed and not model._meta.proxy
        }
        - KEEP
    )
    existing = set(connection.introspection.table_names(cursor))
    tables = [t for t in tables if t in existing]
    cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY")
    from apps.children.services import indicators_seed_standard

    indicators_seed_standard()
    return tables


def drop_indexes(cursor, tables: list[Table] = TABLES) -> list[tuple[str, str]]:
    """Drop the indexes of the tables the generator fills, except primary keys and unique
    constraints, and return (name, definition) to build them again: building an index once
    from sorted rows is many times cheaper than keeping it up to date row by row. The partial
    unique indexes (one open episode per child, one current placement...) are among them, so
    rebuilding them checks the data against those rules too."""
    names = [t.db_table for t in tables]
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                          WHERE c.conindid = (quote_ident(i.indexname))::regclass)
        ORDER BY i.tablename, i.indexname
        """,
        [names],
    )
    indexes = cursor.fetchall()
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    return indexes


def create_indexes(cursor, indexes: list[tuple[str, str]]) -> None:
    """Build again the indexes drop_indexes dropped (those still missing)."""
    cursor.execute("SET maintenance_work_mem = '256MB'")
    for name, definition in indexes:
        cursor.execute("SELECT to_regclass(%s)", [name])
        if cursor.fetchone()[0] is None:
            cursor.execute(definition)


def finish(cursor, tables: list[str], *, vacuum: bool = True) -> None:
    """Move each id sequence past the rows written, then VACUUM ANALYZE (planner statistics
    and the visibility map index-only scans need), as after any bulk load."""
    for table in tables:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
            f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
        )
    if vacuum:
        cursor.execute("VACUUM ANALYZE")
    else:
        cursor.execute("ANALYZE")


def shape(cursor, until: datetime) -> dict[str, float]:
    """The figures the issue asks for, measured in the database."""
    figures = {}
    cursor.execute(
        """
        SELECT count(*),
               avg((age(e.last_seen_at AT TIME ZONE 'Europe/London', c.date_of_birth)
                    >= interval '16 years')::int)::float,
               avg(((coalesce(e.returned_at, %s) - e.last_seen_at)
                    < interval '2 days')::int)::float,
               avg(e.overnight::int)::float,
               count(*) FILTER (WHERE e.returned_at IS NULL)
        FROM episodes_episode e JOIN children_child c ON c.id = e.child_id
        """,
        [until],
    )
    count, sixteen, short, overnight, open_now = cursor.fetchone()
    figures.update(
        episodes=count,
        share_16_and_over=round(sixteen or 0, 3),
        share_under_2_days=round(short or 0, 3),
        share_overnight=round(overnight or 0, 3),
        open_now=open_now,
    )
    # Per year of the window (whole years back from `until`): children placed at some time in
    # the year, and those with an episode in it.
    cursor.execute(
        """
        WITH years AS (
            SELECT n, %(until)s::timestamptz - (n + 1) * interval '365.25 days' AS lower,
                   %(until)s::timestamptz - n * interval '365.25 days' AS upper
            FROM generate_series(0, 9) AS n
        ),
        placed AS (
            SELECT y.n, count(DISTINCT p.child_id) AS children
            FROM years y JOIN children_placement p
              ON p.start_date < y.upper::date AND (p.end_date IS NULL OR p.end_date > y.lower::date)
            GROUP BY y.n
        ),
        missing AS (
            SELECT y.n, count(DISTINCT e.child_id) AS children, count(*) AS episodes
            FROM years y JOIN episodes_episode e
              ON e.last_seen_at >= y.lower AND e.last_seen_at < y.upper
            GROUP BY y.n
        )
        SELECT sum(m.children)::float / nullif(sum(p.children), 0),
               sum(m.episodes)::float / nullif(sum(m.children), 0)
        FROM placed p JOIN missing m USING (n)
        """,
        {"until": until},
    )
    share, per_child = cursor.fetchone()
    figures.update(
        share_missing_in_a_year=round(share or 0, 3),
        episodes_per_missing_child_year=round(per_child or 0, 2),
    )
    return figures


def generate(
    scale: Scale,
    *,
    seed: int,
    until: datetime,
    loader: Loader,
    log: Callable[[str], None] = lambda message: None,
) -> tuple[dict[str, int], list[str]]:
    """Generate `scale` into the database through `loader`. Returns the rows written per table
    and the tables whose ids the generator chose (for finish())."""
    generator = Generator(scale, seed=seed, until=until, loader=loader, log=log)
    counts = generator.run()
    return counts, generator.ids.tables()

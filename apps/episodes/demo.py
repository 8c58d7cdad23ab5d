"""Invented demo episodes: about a year of missing and away episodes across the demo children.

The shape follows what councils report (PRODUCT.md): a few children go missing again and again
(four of them 6-10 times), most others once or twice, many never; about half the episodes
are "away" (mostly late returns), most last less than a day, some run overnight and three
last more than 72 hours. Four are open now: NS0001 missing for two days at high risk with a
police reference (the demo officer's grant), a child away for two hours, a child missing
overnight since last night, and a Northshire child missing from the Eastbrook home (out of
area, another force). Each closed episode has its return interview, assigned to the demo
return interviewer; most were held within 72 hours, some were declined or not possible, a
few were held late and four are overdue and not held. The demo police officer made a few
safe-and-well visits and recorded police references and risk grades.

Episodes are only made within each child's current placement: episode_open reports a child
at the home they live in now, so children not placed now have none.

Every write goes through the services with a demo user as the actor, using past times (the
services allow them). Demo only: the timeline entries the services stamp with "now" (the
report, and risk grade and kind changes) are dated to when they would have happened, and
every entry's recorded_at to its happened_at, so the timelines read as they would have.

Idempotent: when any demo child already has an episode, nothing is added. The plan is the
same every time for the same children and day (random.Random(SEED)).
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.accounts.models import User
from apps.children.demo import HOME_MANAGER, POLICE_LIAISON, SERVICE_MANAGER
from apps.children.demo import USERS as EASTBROOK_USERS
from apps.children.models import Child, Placement
from apps.core.clock import LONDON
from apps.episodes import access, services
from apps.episodes.models import Episode, EpisodeUpdate, InterviewOutcome, ReturnInterview

SEED = 5150
RETURN_INTERVIEWER = "return.interviewer@northshire.example"
CARE_WORKER = "care.worker@northshire.example"
CARE_WORKER_HOMES = {"SC900101", "SC900102"}
HOME_MANAGER_HOMES = {"SC900101", "SC900102", "SC900103"}
EASTBROOK_MANAGER = EASTBROOK_USERS[1][0]
MANAGERS = {"N901": SERVICE_MANAGER, "E902": EASTBROOK_MANAGER}
DEMO_POLICE_FORCE = "NSP"  # the demo police officer's force
STORY_CHILD = ("N901", "NS0001")  # the child the demo officer holds a grant for
OUT_OF_AREA_HOME = "SC900108"  # in Eastbrook, Eastbrook Police's area

LAST_SEEN_WHERE = [
    "Left the home after tea, said going to the shop",
    "Did not come back from school",
    "Walked out after an argument with staff",
    "Climbed out of the bedroom window",
    "Left during contact with family in Northby",
    "Got off the school bus early in Millbridge",
    "Went out to the garden to smoke and did not come back",
]
AWAY_WHERE = [
    "Town centre with friends; agreed to be back by {time}",
    "At a friend's house in Ashcombe; agreed return {time}",
    "Skate park, Victoria Park; agreed return {time}",
    "Northby bus station with friends; agreed return {time}",
    "Cinema in Northby; agreed to be collected at {time}",
]
WITH = ["", "", "Alone", "Two friends from school", "Older males in a grey hatchback", "A cousin"]
CLOTHING = [
    "Black puffer jacket, grey joggers, white trainers",
    "School uniform, navy coat, black backpack",
    "Red hoodie, blue jeans, black trainers",
    "Green parka with fur hood, black leggings",
    "White tracksuit, black cap, crossbody bag",
]
CIRCUMSTANCES = [
    "Upset after a phone call from mum was cut short.",
    "Had been told contact at the weekend was cancelled.",
    "Said they were bored and wanted to see friends.",
    "Had received several Snapchat messages during the evening and became unsettled.",
    "No obvious trigger; had seemed settled at tea.",
    "Argued with another young person about the TV.",
]
FOUND = [
    ("Northby bus station", "NX1 2BS"),
    ("A friend's house, Ashcombe", "NX7 3AF"),
    ("Victoria Park, Millbridge", "NX4 1VP"),
    ("Grandmother's house, Ashcombe", "NX7 2GH"),
    ("McDonald's, Northby retail park", "NX2 5RP"),
    ("Northby railway station", "NX1 1RS"),
]
STORY_FOUND = ("Flat above the takeaway, Station Road, Northby", "NX1 4SR")
RETURNED_WITH = ["", "Police officers", "Member of staff", "Aunt", "Friend's parent"]
CONDITIONS = [
    "Tired and hungry; no injuries.",
    "Calm, went straight to bed.",
    "Smelled of cannabis; otherwise well.",
    "Upset and tearful; talked with staff.",
    "Cold and wet; no injuries seen.",
]
CONCERNS = [
    "",
    "",
    "",
    "Had a new phone and would not say where it came from.",
    "Had £60 in cash.",
    "Said an older man had bought them food and a train ticket.",
]
UPDATE_TEXTS = {
    "call": [
        "Rang their phone: no answer, straight to voicemail.",
        "Rang mum: has not seen them today.",
        "Called friend's parent; they are not there.",
    ],
    "sighting": [
        "Member of staff saw them near the bus station; they ran off.",
        "Friend says they were at the skate park an hour ago.",
        "Seen by a neighbour getting into a grey hatchback on Elm Grove.",
    ],
    "contact": [
        "Texted back: 'I'm fine, leave me alone'.",
        "Answered the phone; says they will come back later, would not say where they are.",
    ],
    "police": [
        "Police checked the railway station and the park: not found.",
        "Police visited the address of a known associate: not there.",
    ],
    "note": [
        "Social worker's emergency duty team told.",
        "Checked social media: last active 40 minutes ago.",
    ],
}
PUSH = [
    "Feels the home is too strict about phone use.",
    "Does not get on with another young person at the home.",
    "Misses family; contact was cancelled.",
    "Bored in the evenings.",
]
PULL = [
    "Friends in Northby town centre.",
    "Older friends who give lifts and buy food.",
    "Wants to see mum.",
    "A boyfriend met online.",
]
DECLINE_REASONS = [
    "Said they did not want to talk about it and it was nobody's business.",
    "Declined; said they had already spoken to their social worker.",
    "Would not come out of their room; offered again the next day and declined again.",
]
NOT_POSSIBLE_REASONS = [
    "Moved to an emergency placement out of county before the interview could be held.",
    "In hospital for three days after the return.",
]
VISIT_OUTCOMES = [
    "Seen and spoken to at the home. Safe and well; no injuries.",
    "Spoke with the young person alone; no disclosures. Safe and well.",
    "Seen at the home; tired but well. Advice given about staying safe.",
]


@dataclass(frozen=True)
class ChildInfo:
    """What the plan needs of a demo child: who, where they live now, and since when."""

    key: tuple[str, str]  # (placing authority code, child ID)
    home: str  # URN of the current home
    force: str  # code of the home's police force
    placed_since: date


@dataclass
class UpdatePlan:
    category: str
    at: datetime
    text: str
    by_police: bool = False


@dataclass
class EpisodePlan:
    """One demo episode, decided before anything is written."""

    child: tuple[str, str]
    kind: str
    last_seen_at: datetime
    returned_at: datetime | None
    last_seen_where: str
    last_seen_with: str = ""
    clothing: str = ""
    circumstances: str = ""
    reported_at: datetime | None = None  # when the home logged it
    reported_to_police_at: datetime | None = None
    police_reference: str = ""
    risk_grade: str = ""
    police_records_at: datetime | None = None  # the officer records reference and grade
    risk_change: tuple[datetime, str] | None = None  # the officer changes the grade later
    social_worker_notified_at: datetime | None = None
    suspected_sexual_exploitation: bool = False
    return_method: str = ""
    found_where: str = ""
    found_postcode: str = ""
    returned_with: str = ""
    condition: str = ""
    concerns: str = ""
    updates: list[UpdatePlan] = field(default_factory=list)
    # held, late, declined, not_possible, overdue, overdue_unassigned, pending, held_recent
    interview: str = ""
    visit_at: datetime | None = None


def _rng(*parts) -> random.Random:
    """A random stream of its own for one child or episode, so that no choice shifts another
    (and the plan does not change with the time of day it is made)."""
    return random.Random(":".join(str(part) for part in (SEED, *parts)))  # noqa: S311


def _local(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


def _minutes(rng, low: float, high: float) -> timedelta:
    """A random span between `low` and `high` hours, to the nearest 5 minutes."""
    return timedelta(minutes=5 * round(rng.uniform(low, high) * 12))


def _duration(rng, kind: str) -> timedelta:
    if kind == "A":  # late back: mostly an hour or two, sometimes into the night
        return _minutes(rng, 0.3, 2) if rng.random() < 0.8 else _minutes(rng, 2, 8)
    roll = rng.random()
    if roll < 0.6:
        return _minutes(rng, 1, 4)
    if roll < 0.88:
        return _minutes(rng, 4, 16)
    return _minutes(rng, 16, 48)


def _start(rng, day: date, kind: str) -> datetime:
    if kind == "A":
        if rng.random() < 0.3:  # not back from school or town in the afternoon
            return _local(day, rng.randint(15, 17), rng.choice([0, 15, 30, 45]))
        return _local(day, rng.randint(19, 21), rng.choice([0, 30]))
    hour = (
        rng.choice([14, 15, 16, 17, 18, 19, 20, 21]) if rng.random() < 0.8 else rng.randint(9, 13)
    )
    return _local(day, hour, rng.choice(range(0, 60, 5)))


def _fill(spec: EpisodePlan, *, force: str, now: datetime, story: bool = False) -> None:
    """Decide the report, police, timeline and return details of a planned episode."""
    rng = _rng(*spec.child, spec.last_seen_at.isoformat())
    start, end = spec.last_seen_at, spec.returned_at
    limit = end or now
    spec.reported_at = min(start + _minutes(rng, 0.25, 1), limit)
    spec.social_worker_notified_at = min(start + _minutes(rng, 0.5, 2), limit)
    if spec.kind == "A":
        template = rng.choice(AWAY_WHERE)
        spec.last_seen_where = template.format(time=f"{timezone.localtime(start):%H:%M}")
    else:
        spec.last_seen_where = rng.choice(LAST_SEEN_WHERE)
        spec.last_seen_with = rng.choice(WITH)
        spec.circumstances = rng.choice(CIRCUMSTANCES)
    spec.clothing = rng.choice(CLOTHING)
    if spec.kind == "M" or rng.random() < 0.15:
        spec.reported_to_police_at = min(start + _minutes(rng, 0.3, 1.5), limit)
        year = timezone.localtime(start).year % 100
        spec.police_reference = f"{force}-{year}-{rng.randint(10000, 99999)}"
        spec.risk_grade = rng.choices(["very_low", "low", "medium", "high"], [15, 45, 32, 8])[0]
        if spec.kind == "A":
            spec.risk_grade = "very_low"
        recorded = spec.reported_to_police_at + _minutes(rng, 0.5, 2)
        if force == DEMO_POLICE_FORCE and rng.random() < 0.6 and recorded < limit:
            spec.police_records_at = recorded
        duration = limit - start
        if spec.risk_grade in ("low", "medium") and duration > timedelta(hours=24):
            raised = "medium" if spec.risk_grade == "low" else "high"
            spec.risk_change = (start + timedelta(hours=20), raised)
    spec.suspected_sexual_exploitation = story and rng.random() < 0.6

    # A few timeline entries while the child is away (the report and return are automatic).
    if limit - start >= timedelta(hours=2):
        count = rng.randint(1, 3) if spec.kind == "M" else 1
        categories = ["call", "sighting", "contact", "police", "note"]
        for _ in range(count):
            category = rng.choice(categories if spec.kind == "M" else ["call", "contact"])
            at = start + (limit - start) * rng.uniform(0.1, 0.9)
            at = min(at, now - timedelta(minutes=5))
            spec.updates.append(
                UpdatePlan(
                    category=category,
                    at=at,
                    text=rng.choice(UPDATE_TEXTS[category]),
                    by_police=category == "police" and force == DEMO_POLICE_FORCE,
                )
            )
    if end is None:
        return

    # The return.
    if spec.kind == "A":
        spec.return_method = rng.choices(["own_accord", "found_by_staff"], [85, 15])[0]
    else:
        spec.return_method = rng.choices(
            ["own_accord", "found_by_police", "found_by_staff", "found_by_family", "other"],
            [50, 25, 14, 9, 2],
        )[0]
    if spec.return_method != "own_accord" or rng.random() < 0.5:
        spec.found_where, spec.found_postcode = (
            STORY_FOUND if story and rng.random() < 0.5 else rng.choice(FOUND)
        )
    spec.returned_with = {
        "found_by_police": "Police officers",
        "found_by_staff": "Member of staff",
    }.get(spec.return_method, rng.choice(RETURNED_WITH))
    spec.condition = rng.choice(CONDITIONS)
    spec.concerns = rng.choice(CONCERNS)
    if (
        force == DEMO_POLICE_FORCE
        and spec.kind == "M"
        and (spec.return_method == "found_by_police" or end - start > timedelta(hours=24))
        and rng.random() < 0.6
    ):
        spec.visit_at = min(end + _minutes(rng, 1, 20), now - timedelta(minutes=30))


def _child_episodes(
    info: ChildInfo, count: int, *, since: datetime, until: datetime
) -> list[EpisodePlan]:
    """Up to `count` closed episodes of one child between `since` and `until`, not touching."""
    rng = _rng(*info.key)
    days = (until.date() - since.date()).days - 1
    if days < 1 or count < 1:
        return []
    offsets = sorted(rng.sample(range(1, days + 1), min(count, days)))
    if count >= 6 and days > 80:  # repeat missing comes in runs: half in six weeks
        centre = rng.randint(40, days - 40)
        run = sorted(rng.sample(range(centre - 21, centre + 21), count // 2))
        offsets = sorted(set(offsets[: count - len(run)] + run))
    plans: list[EpisodePlan] = []
    for offset in offsets:
        kind = rng.choice(["M", "A"])
        start = _start(rng, since.date() + timedelta(days=offset), kind)
        if start <= since or (plans and start <= plans[-1].returned_at + timedelta(hours=6)):
            continue
        plans.append(
            EpisodePlan(
                child=info.key,
                kind=kind,
                last_seen_at=start,
                returned_at=start + _duration(rng, kind),
                last_seen_where="",
            )
        )
    # Trim each so it ends before the next begins, and before `until`.
    kept = []
    for index, spec in enumerate(plans):
        next_start = plans[index + 1].last_seen_at if index + 1 < len(plans) else until
        spec.returned_at = min(spec.returned_at, next_start - timedelta(hours=2))
        if spec.returned_at - spec.last_seen_at >= timedelta(minutes=20):
            kept.append(spec)
    return kept


def _gap_after(spec: EpisodePlan, plans: list[EpisodePlan], until: datetime) -> timedelta:
    later = [p.last_seen_at for p in plans if p.last_seen_at > spec.last_seen_at]
    return min(later, default=until) - spec.last_seen_at


def plan(now: datetime, children: list[ChildInfo]) -> list[EpisodePlan]:
    """The demo episodes for these children: the same for the same children and `now`."""
    rng = random.Random(SEED)  # noqa: S311 (invented demo data, not security)
    now = now.replace(second=0, microsecond=0)
    today = timezone.localtime(now).date()
    year_ago = _local(today - timedelta(days=365), 0, 0)
    children = sorted(children, key=lambda info: info.key)
    by_key = {info.key: info for info in children}

    # Four open now, each with its own story.
    open_now: dict[tuple, EpisodePlan] = {}
    story = by_key.get(STORY_CHILD)
    if story is not None:
        start = _local(today - timedelta(days=2), 19, 40)
        spec = EpisodePlan(story.key, "M", start, None, "")
        _fill(spec, force=story.force, now=now, story=True)
        spec.last_seen_with = "Older males in a grey hatchback"
        spec.suspected_sexual_exploitation = True
        spec.reported_to_police_at = start + timedelta(minutes=45)
        spec.police_reference = f"{story.force}-{today.year % 100}-41873"
        spec.risk_grade = "medium"
        spec.police_records_at = start + timedelta(hours=2)
        spec.risk_change = (start + timedelta(hours=22), "high")
        updates = [
            UpdatePlan("call", start + timedelta(hours=1), UPDATE_TEXTS["call"][0]),
            UpdatePlan("sighting", start + timedelta(hours=14), UPDATE_TEXTS["sighting"][2]),
            UpdatePlan(
                "police",
                start + timedelta(hours=26),
                "Flat above the takeaway on Station Road checked: not there.",
                by_police=True,
            ),
            UpdatePlan("contact", start + timedelta(hours=33), UPDATE_TEXTS["contact"][0]),
        ]
        spec.updates = [u for u in updates if u.at < now - timedelta(minutes=5)]
        open_now[story.key] = spec
    others = [c for c in children if c.key != STORY_CHILD]
    away = next((c for c in others if c.home in CARE_WORKER_HOMES), None)
    if away is not None:
        start = (now - timedelta(hours=2)).replace(minute=(now.minute // 5) * 5)
        spec = EpisodePlan(away.key, "A", start, None, "")
        _fill(spec, force=away.force, now=now)
        spec.updates = [
            UpdatePlan("contact", start + timedelta(minutes=45), UPDATE_TEXTS["contact"][1])
        ]
        open_now[away.key] = spec
    overnight_choices = [
        c
        for c in others
        if c.force == DEMO_POLICE_FORCE
        and c.home not in CARE_WORKER_HOMES
        and c.key not in open_now
    ]
    if overnight_choices:
        child = rng.choice(overnight_choices)
        start = _local(today - timedelta(days=1), 22, 40)
        spec = EpisodePlan(child.key, "M", start, None, "")
        _fill(spec, force=child.force, now=now)
        spec.reported_to_police_at = start + timedelta(minutes=40)
        spec.risk_grade = "medium"
        spec.risk_change = None  # stays medium whatever the hour the demo is loaded
        open_now[child.key] = spec
    out_of_area = next(
        (c for c in others if c.home == OUT_OF_AREA_HOME and c.key[0] == "N901"), None
    )
    if out_of_area is not None and out_of_area.key not in open_now:
        start = (now - timedelta(hours=5)).replace(minute=(now.minute // 5) * 5)
        spec = EpisodePlan(out_of_area.key, "M", start, None, "")
        _fill(spec, force=out_of_area.force, now=now)
        spec.reported_to_police_at = start + timedelta(minutes=50)
        spec.risk_grade = "medium"  # fixed: NS0001 is the one open episode at high risk
        spec.risk_change = None
        spec.police_records_at = None  # another force: the home records what police said
        open_now[out_of_area.key] = spec

    # Who goes missing how often: four again and again, fifteen now and then, the rest never.
    roomy = [c for c in others if c.placed_since <= today - timedelta(days=150)]
    repeaters = ([story] if story else []) + rng.sample(roomy, min(3, len(roomy)))
    rest = [c for c in children if c not in repeaters]
    occasional = rng.sample(rest, min(15, len(rest)))
    counts = {c.key: rng.randint(6, 10) for c in repeaters}
    counts |= {c.key: rng.choices([1, 2, 3, 4], [45, 30, 15, 10])[0] for c in occasional}

    # The latest episode of some children is fixed: the four open now; NS0001's earlier
    # overnight this month; a late return last night, whose interview is not due yet.
    fixed = {key: [spec] for key, spec in open_now.items()}
    if story is not None:
        start = _local(today - timedelta(days=11), 21, 15)
        if start > _local(story.placed_since, 12, 0):
            spec = EpisodePlan(story.key, "M", start, start + timedelta(hours=12, minutes=15), "")
            _fill(spec, force=story.force, now=now, story=True)
            spec.found_where, spec.found_postcode = STORY_FOUND
            spec.return_method, spec.returned_with = "found_by_police", "Police officers"
            spec.suspected_sexual_exploitation = True
            fixed.setdefault(story.key, []).insert(0, spec)
    recent = next((c for c in occasional if c.key not in fixed), None)
    if recent is not None:
        start = (now - timedelta(hours=22)).replace(minute=0)
        spec = EpisodePlan(recent.key, "A", start, start + timedelta(minutes=100), "")
        _fill(spec, force=recent.force, now=now)
        fixed[recent.key] = [spec]

    plans: list[EpisodePlan] = []
    for info in children:
        since = max(year_ago, _local(info.placed_since, 12, 0))
        until = now - timedelta(hours=6)
        if info.key in fixed:
            until = fixed[info.key][0].last_seen_at - timedelta(days=1)
        count = counts.get(info.key, 0) - len(fixed.get(info.key, []))
        closed = _child_episodes(info, count, since=since, until=until)
        for spec in closed:
            _fill(spec, force=info.force, now=now, story=info.key == STORY_CHILD)
        plans += closed + fixed.get(info.key, [])

    # Three missing episodes lasted more than 72 hours (each has room before the next).
    closed = [p for p in plans if p.returned_at is not None]
    long_ones = [
        p
        for p in closed
        if p.kind == "M"
        and _gap_after(p, [q for q in plans if q.child == p.child], now) > timedelta(days=6)
    ]
    for spec in rng.sample(long_ones, min(3, len(long_ones))):
        spec.returned_at = spec.last_seen_at + _minutes(rng, 76, 120)
        raised = {"very_low": "low", "low": "medium"}.get(spec.risk_grade, "high")
        spec.risk_change = spec.risk_change or (spec.last_seen_at + timedelta(hours=30), raised)
        if spec.visit_at is not None:
            spec.visit_at = spec.returned_at + _minutes(rng, 2, 6)

    # Return interviews: four overdue and not held (one not even assigned), the rest by age.
    overdue_choices = [
        p for p in closed if now - timedelta(days=45) < p.returned_at < now - timedelta(days=4)
    ]
    overdue = rng.sample(overdue_choices, min(4, len(overdue_choices)))
    for spec in closed:
        if spec in overdue:
            spec.interview = "overdue_unassigned" if spec is overdue[0] else "overdue"
        elif spec.returned_at > now - timedelta(hours=24):
            spec.interview = "pending"
        elif spec.returned_at > now - timedelta(hours=72):
            spec.interview = "held_recent"
        else:
            spec.interview = rng.choices(
                ["held", "late", "declined", "not_possible"], [76, 8, 13, 3]
            )[0]
    return plans


# Writing the plan ---------------------------------------------------------------------------


def _children_info() -> tuple[list[ChildInfo], dict[tuple, Child]]:
    placements = Placement.objects.current().select_related(
        "child", "child__placing_authority", "home", "home__police_force"
    )
    infos, children = [], {}
    for placement in placements:
        child = placement.child
        key = (child.placing_authority.code, child.child_id)
        infos.append(
            ChildInfo(
                key=key,
                home=placement.home.ofsted_urn,
                force=placement.home.police_force.code,
                placed_since=placement.start_date,
            )
        )
        children[key] = child
    return infos, children


def _date_stamped(episode: Episode, since: datetime, at: datetime) -> None:
    """Demo only: date the timeline entries a service just stamped with 'now' to `at`."""
    EpisodeUpdate.objects.filter(episode=episode, happened_at__gte=since).update(happened_at=at)


class _People:
    """The demo users who act, looked up once."""

    def __init__(self):
        self.by_email = {user.email: user for user in User.objects.all()}
        self.police = self.by_email[POLICE_LIAISON]
        self.interviewer = self.by_email[RETURN_INTERVIEWER]

    def reporter(self, rng, child: Child, home: str) -> User:
        if home in CARE_WORKER_HOMES and rng.random() < 0.8:
            return self.by_email[CARE_WORKER]
        if home in HOME_MANAGER_HOMES:
            return self.by_email[HOME_MANAGER]
        if child.allocated_social_worker_id:
            return child.allocated_social_worker
        return self.by_email[MANAGERS[child.placing_authority.code]]

    def case_holder(self, child: Child) -> User:
        if child.allocated_social_worker_id:
            return child.allocated_social_worker
        return self.by_email[MANAGERS[child.placing_authority.code]]


def _interview(rng, spec: EpisodePlan, episode: Episode, people: _People, child, now) -> None:
    interview = ReturnInterview.objects.get(episode=episode)
    if spec.interview != "overdue_unassigned":
        services.interview_assign(
            actor=people.case_holder(child), interview=interview, interviewer=people.interviewer
        )
    returned, due = episode.returned_at, interview.due_at
    fields: dict = {}
    if spec.interview in ("held", "held_recent"):
        offered = returned + _minutes(rng, 3, 24)
        latest = min(due - timedelta(hours=1), now - timedelta(hours=1))
        held = min(offered + _minutes(rng, 0.5, 40), latest)
        offered = min(offered, held)
        fields = {"offered_at": offered, "outcome": InterviewOutcome.ACCEPTED, "held_at": held}
    elif spec.interview == "late":
        offered = returned + _minutes(rng, 20, 60)
        held = min(due + _minutes(rng, 4, 96), now - timedelta(hours=1))
        offered = min(offered, held)
        fields = {"offered_at": offered, "outcome": InterviewOutcome.ACCEPTED, "held_at": held}
    elif spec.interview == "declined":
        fields = {
            "offered_at": returned + _minutes(rng, 3, 48),
            "outcome": InterviewOutcome.DECLINED,
            "outcome_reason": rng.choice(DECLINE_REASONS),
        }
    elif spec.interview == "not_possible":
        fields = {
            "offered_at": returned + _minutes(rng, 10, 60),
            "outcome": InterviewOutcome.NOT_POSSIBLE,
            "outcome_reason": rng.choice(NOT_POSSIBLE_REASONS),
        }
    elif spec.interview == "overdue" and rng.random() < 0.5:
        fields = {"offered_at": returned + _minutes(rng, 20, 60)}  # offered, never held
    if fields:
        # The demo interviewer makes every offer, and is independent of the home.
        fields["independent_of_home"] = True
    if fields.get("outcome") == InterviewOutcome.ACCEPTED:
        story = spec.child == STORY_CHILD
        fields |= {
            "held_by": f"{people.interviewer.full_name} (independent return interviewer)",
            "push_factors": rng.choice(PUSH),
            "pull_factors": rng.choice(PULL),
            "places_mentioned": STORY_FOUND[0] if story else rng.choice(FOUND)[0],
            "associates_mentioned": "'Lee', older, drives a grey hatchback" if story else "",
            "disclosures": (
                "Said Lee gives them vapes and lifts and asks them to meet his friends."
                if story
                else ""
            ),
            "cse_concern": story,
        }
    if fields:
        services.interview_record(
            actor=people.interviewer,
            interview=interview,
            expected_version=interview.version,
            **fields,
        )


def _create(spec: EpisodePlan, *, child: Child, home: str, people: _People, now) -> None:
    rng = _rng(*spec.child, "written", spec.last_seen_at.isoformat())
    reporter = people.reporter(rng, child, home)
    if not access.can_log_episode(reporter, child):  # the demo keeps the rules, too
        raise RuntimeError(f"{reporter} may not report {child}")
    stamped = timezone.now()
    police_at_open = {}
    if spec.police_records_at is None:  # the home records what the police told them
        police_at_open = {"police_reference": spec.police_reference, "risk_grade": spec.risk_grade}
    episode = services.episode_open(
        actor=reporter,
        child=child,
        kind=spec.kind,
        last_seen_at=spec.last_seen_at,
        last_seen_where=spec.last_seen_where,
        last_seen_with=spec.last_seen_with,
        clothing=spec.clothing,
        circumstances=spec.circumstances,
        reported_to_police_at=spec.reported_to_police_at,
        social_worker_notified_at=spec.social_worker_notified_at,
        suspected_sexual_exploitation=spec.suspected_sexual_exploitation,
        **police_at_open,
    )
    _date_stamped(episode, stamped, spec.reported_at)
    if spec.police_records_at is not None:
        stamped = timezone.now()
        episode = services.episode_update(
            actor=people.police,
            episode=episode,
            expected_version=episode.version,
            police_reference=spec.police_reference,
            risk_grade=spec.risk_grade,
        )
        _date_stamped(episode, stamped, spec.police_records_at)
    if spec.risk_change is not None and spec.risk_change[0] < (spec.returned_at or now):
        at, grade = spec.risk_change
        actor = people.police if spec.police_records_at else reporter
        stamped = timezone.now()
        episode = services.episode_update(
            actor=actor, episode=episode, expected_version=episode.version, risk_grade=grade
        )
        _date_stamped(episode, stamped, at)
    for update in spec.updates:
        services.episode_add_update(
            actor=people.police if update.by_police else reporter,
            episode=episode,
            category=update.category,
            text=update.text,
            happened_at=update.at,
        )
    if spec.returned_at is None:
        return
    episode = services.episode_record_return(
        actor=reporter,
        episode=episode,
        expected_version=episode.version,
        returned_at=spec.returned_at,
        return_method=spec.return_method,
        found_where=spec.found_where,
        found_postcode=spec.found_postcode,
        returned_with=spec.returned_with,
        condition=spec.condition,
        concerns=spec.concerns,
    )
    _interview(rng, spec, episode, people, child, now)
    if spec.visit_at is not None:
        services.visit_record(
            actor=people.police,
            episode=episode,
            visited_at=spec.visit_at,
            officer_name=f"{people.police.full_name} 4471",
            location="At the home",
            outcome=rng.choice(VISIT_OUTCOMES),
        )


@transaction.atomic
def seed() -> int:
    """Create the demo episodes unless the demo children already have some; return how many
    were created. Needs the children demo first."""
    infos, children = _children_info()
    if Episode.objects.filter(child__in=list(children.values())).exists():
        return 0
    now = timezone.now()
    people = _People()
    homes = {info.key: info.home for info in infos}
    specs = plan(now, infos)
    for spec in specs:
        _create(spec, child=children[spec.child], home=homes[spec.child], people=people, now=now)
    # Demo only: every entry was recorded when it happened.
    EpisodeUpdate.objects.filter(episode__child__in=list(children.values())).update(
        recorded_at=F("happened_at")
    )
    return len(specs)

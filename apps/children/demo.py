"""Invented demo children: placements with some history, Philomena profiles, placeholder photos.

Forty children, the same every time (random.Random(SEED)): 34 placed by Northshire (most
allocated to the demo social worker, four of them placed in Eastbrook, so out of area; four
no longer placed anywhere) and 6 placed by Eastbrook in homes in Northshire. Profiles are
filled, some with associates and places of concern; a few reviews and photos are more than
90 days old; two profiles were never filled. Photos are coloured squares with initials, not
faces. A second social worker and service manager for Eastbrook make the access differences
visible, and the demo police liaison officer holds one time-boxed grant.

Idempotent: a child that exists (by authority and child ID) is left as is, so running it
again adds nothing. Every write goes through the services, with a demo user as the actor.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from io import BytesIO

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from apps.accounts import services as account_services
from apps.accounts.demo import DEMO_PASSWORD
from apps.accounts.models import Organisation, Role, User
from apps.children import selectors, services
from apps.children.models import (
    Child,
    ChildUserObjectPermission,
    CseRisk,
    CseRiskAssessment,
    PhilomenaProfile,
    Sex,
)
from apps.homes.models import Home

SEED = 9012
SOCIAL_WORKER = "social.worker@northshire.example"
SERVICE_MANAGER = "service.manager@northshire.example"
HOME_MANAGER = "home.manager@northshire.example"
POLICE_LIAISON = "police.liaison@northshire-police.example"
HOME_MANAGER_HOMES = {"SC900101", "SC900102", "SC900103"}

# Eastbrook's people, so that what each authority sees differs.
USERS = [
    ("social.worker@eastbrook.example", "Jo Mensah", Role.SOCIAL_WORKER, "E902"),
    ("service.manager@eastbrook.example", "Dana Whitfield", Role.SERVICE_MANAGER, "E902"),
]

# Where the children live now: one URN per child, Northshire's 30 then Eastbrook's 6.
NORTHSHIRE_HOMES = (
    ["SC900101"] * 5
    + ["SC900102"] * 4
    + ["SC900103"] * 4
    + ["SC900104"] * 3
    + ["SC900105"] * 4
    + ["SC900106"] * 3
    + ["SC900107"] * 3
    + ["SC900108"] * 4  # in Eastbrook: out of area for Northshire
)
EASTBROOK_HOMES = ["SC900101", "SC900105", "SC900106", "SC900107", "SC900107", "SC900108"]
NORTHSHIRE_NOT_PLACED = 4

FIRST_NAMES = {
    Sex.FEMALE: ["Amara", "Bethany", "Chloe", "Demi", "Ellie", "Freya", "Grace", "Hollie",
                 "Imani", "Jade", "Kayla", "Leah", "Maisie", "Nadia", "Olivia", "Poppy",
                 "Ruby", "Skye", "Tia", "Zara"],
    Sex.MALE: ["Aiden", "Bradley", "Callum", "Dylan", "Ethan", "Finley", "Harvey", "Isaac",
               "Jayden", "Kai", "Liam", "Mason", "Noah", "Owen", "Reece", "Tyler", "Zach"],
}  # fmt: skip
LAST_NAMES = [
    "Ashdown", "Birchall", "Carver", "Dunmore", "Elston", "Fairley", "Garside", "Holloway",
    "Ingram", "Jessop", "Kettle", "Lowther", "Marlow", "Newbold", "Oakes", "Pennick",
    "Quarry", "Rudd", "Sowerby", "Thwaite", "Underhill", "Varley", "Whitlock", "Yeadon",
]  # fmt: skip
PREFERRED = {"Bethany": "Beth", "Callum": "Cal", "Isaac": "Zac", "Olivia": "Liv"}
ETHNICITIES = ["WBRI"] * 10 + ["MWBC", "MWBA", "BAFR", "BCRB", "APKN", "AIND", "WOTH", "WROM"]
BUILDS = ["Slim", "Medium", "Stocky", "Tall and slim", "Small for age"]
HAIR = ["Brown, short", "Black, braided", "Blonde, shoulder length", "Ginger, curly",
        "Dark brown, shaved at sides", "Dyed pink, long"]  # fmt: skip
EYES = ["Brown", "Blue", "Green", "Hazel", "Grey"]
MARKS = ["", "", "Scar above left eyebrow", "Pierced nose (stud)", "Small tattoo on right wrist",
         "Birthmark on neck", ""]  # fmt: skip
PLATFORMS = ["Snapchat", "TikTok", "Instagram", "WhatsApp"]
VULNERABILITIES = [
    "Trusts adults quickly; has been picked up by older young people in cars.",
    "Goes missing after contact with family is cancelled.",
    "Known to travel by train to the city centre; no money for the fare home.",
    "Low mood in the evenings; has self-harmed in the past.",
    "Has been found with unexplained cash and new phones.",
    "Struggles to read and may not understand what is asked.",
]
ASSOCIATES = [
    ("Lee (surname unknown)", "Older 'boyfriend'", "Drives a grey hatchback", True),
    ("Mia Carver", "Friend from school", "", False),
    ("Aunt Sharon", "Aunt", "Lives in Northby", False),
    ("'Dee'", "Met online", "Snapchat: dee_nx", True),
    ("Kyle Birchall", "Friend", "Often at the skate park", False),
]
PLACES = [
    ("Northby bus station", "Town centre", "Meets friends", True),
    ("Skate park", "Victoria Park, Millbridge", "Spends evenings there", False),
    ("Grandmother's house", "Ashcombe", "Goes there when upset", False),
    ("Flat above the takeaway", "Station Road, Northby", "Seen going in with older males", True),
]
COLOURS = ["#1d70b8", "#00703c", "#d4351c", "#4c2c92", "#f47738", "#28a197", "#912b88", "#505a5f"]


@dataclass
class ChildPlan:
    """Everything about one demo child, decided before anything is written."""

    authority: str
    child_id: str
    first_name: str
    last_name: str
    preferred_name: str
    date_of_birth: date
    sex: str
    ethnicity: str
    social_worker: str | None
    # (URN, start, end) oldest first; the last has end None when the child is placed now.
    placements: list[tuple[str, date, date | None]]
    profile: dict | None
    reviewed_days_ago: int
    associates: list[tuple] = field(default_factory=list)
    places: list[tuple] = field(default_factory=list)
    photo_days_ago: int | None = None
    colour: str = "#1d70b8"


def plan(today: date) -> list[ChildPlan]:
    """The forty demo children; the same list for the same day, whatever is in the database."""
    rng = random.Random(SEED)  # noqa: S311 (invented demo data, not security)
    current = [("N901", urn) for urn in NORTHSHIRE_HOMES]
    current += [("N901", None)] * NORTHSHIRE_NOT_PLACED
    current += [("E902", urn) for urn in EASTBROOK_HOMES]
    all_homes = sorted(set(NORTHSHIRE_HOMES))
    plans, names = [], set()
    for n, (authority, urn) in enumerate(current):
        sex = rng.choice([Sex.FEMALE, Sex.MALE])
        first, last = rng.choice(FIRST_NAMES[sex]), rng.choice(LAST_NAMES)
        while (first, last) in names:  # one of each name, so nobody is confused in the demo
            first, last = rng.choice(FIRST_NAMES[sex]), rng.choice(LAST_NAMES)
        names.add((first, last))
        born = today - timedelta(days=rng.randint(11 * 365 + 30, 17 * 365 + 300))
        if authority == "N901":
            child_id = f"NS{n + 1:04d}"
            social_worker = None if n % 7 == 6 else SOCIAL_WORKER
        else:
            child_id = f"EB{n + 1:04d}"
            social_worker = USERS[0][0]

        placements = []
        if urn is None:  # placed before, not now (returned home, or left care)
            start = today - timedelta(days=rng.randint(400, 900))
            end = today - timedelta(days=rng.randint(30, 200))
            placements.append((rng.choice(all_homes), start, end))
        else:
            start = today - timedelta(days=rng.randint(20, 600))
            if n % 3 == 0:  # moved here from another home
                earlier = rng.choice([home for home in all_homes if home != urn])
                placements.append((earlier, start - timedelta(days=rng.randint(120, 700)), start))
            placements.append((urn, start, None))

        profile = None
        if n % 17 != 5:  # two profiles were never filled in
            platform = rng.choice(PLATFORMS)
            profile = {
                "height": f"{rng.randint(140, 184)} cm",
                "build": rng.choice(BUILDS),
                "hair": rng.choice(HAIR),
                "eyes": rng.choice(EYES),
                "distinguishing_marks": rng.choice(MARKS),
                "phone_numbers": f"07700 900{rng.randint(0, 999):03d}",  # Ofcom drama range
                "social_media": f"{platform}: {first.lower()}{rng.randint(1, 99)}",
                "medical_needs": rng.choice(["", "", "Asthma", "Type 1 diabetes", "ADHD"]),
                "medication": "",
                "vulnerabilities": rng.choice(VULNERABILITIES),
                "other_information": "",
            }
            if profile["medical_needs"] == "Asthma":
                profile["medication"] = "Blue inhaler, carries it"
            if profile["medical_needs"] == "Type 1 diabetes":
                profile["medication"] = "Insulin pen; needs food at regular times"
        plans.append(
            ChildPlan(
                authority=authority,
                child_id=child_id,
                first_name=first,
                last_name=last,
                preferred_name=PREFERRED.get(first, "") if rng.random() < 0.5 else "",
                date_of_birth=born,
                sex=sex,
                ethnicity=rng.choice(ETHNICITIES),
                social_worker=social_worker,
                placements=placements,
                profile=profile,
                # A few reviews are overdue (more than 90 days old).
                reviewed_days_ago=rng.randint(95, 240) if n % 6 == 1 else rng.randint(0, 60),
                associates=rng.sample(ASSOCIATES, rng.randint(1, 2)) if n % 3 == 1 else [],
                places=rng.sample(PLACES, rng.randint(1, 2)) if n % 4 == 1 else [],
                photo_days_ago=(
                    None
                    if n % 9 == 8
                    else rng.randint(100, 400)
                    if n % 5 == 2
                    else rng.randint(3, 80)
                ),
                colour=rng.choice(COLOURS),
            )
        )
    return plans


def placeholder_photo(initials: str, colour: str) -> ContentFile:
    """A coloured square with the child's initials: a stand-in, deliberately not a face."""
    size = 320
    image = Image.new("RGB", (size, size), colour)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=140)
    left, top, right, bottom = draw.textbbox((0, 0), initials, font=font)
    position = ((size - (right - left)) / 2 - left, (size - (bottom - top)) / 2 - top)
    draw.text(position, initials, fill="white", font=font)
    buffer = BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return ContentFile(buffer.getvalue(), name=f"{initials.lower()}.jpg")


def _users() -> list[tuple[str, str]]:
    """The Eastbrook demo users (created once); returns (label, email) for the sign-in list."""
    logins = []
    for email, full_name, role, org_code in USERS:
        if not User.objects.filter(email=email).exists():
            account_services.user_create(
                email=email,
                full_name=full_name,
                role=role,
                organisation=Organisation.objects.get(code=org_code),
                password=DEMO_PASSWORD,
            )
        logins.append((f"{Role(role).label} (Eastbrook)", email))
    return logins


def _create(spec: ChildPlan, *, homes: dict[str, Home], users: dict[str, User], today) -> Child:
    authority = Organisation.objects.get(code=spec.authority)
    manager = users[SERVICE_MANAGER if spec.authority == "N901" else USERS[1][0]]
    social_worker = users.get(spec.social_worker) if spec.social_worker else None
    child = services.child_create(
        actor=manager,
        placing_authority=authority,
        allocated_social_worker=social_worker,
        first_name=spec.first_name,
        last_name=spec.last_name,
        preferred_name=spec.preferred_name,
        date_of_birth=spec.date_of_birth,
        sex=spec.sex,
        ethnicity=spec.ethnicity,
        child_id=spec.child_id,
    )
    for index, (urn, start, end) in enumerate(spec.placements):
        # A move: placement_start ends the current placement on the new start date, so only
        # the last placement may need ending here (a child who is no longer placed).
        placement = services.placement_start(
            actor=manager, child=child, home=homes[urn], start_date=start
        )
        if end is not None and index == len(spec.placements) - 1:
            services.placement_end(
                actor=manager, placement=placement, end_date=end, expected_version=1
            )

    # The profile is kept by the home's staff where the demo has them, else the case holder.
    current = spec.placements[-1]
    keeper = (
        users[HOME_MANAGER]
        if current[2] is None and current[0] in HOME_MANAGER_HOMES
        else social_worker or manager
    )
    if spec.profile is not None:
        profile = services.profile_update(
            actor=keeper, child=child, expected_version=1, **spec.profile
        )
        # Demo only: date the review as if it happened then, so stale reviews show.
        reviewed_at = timezone.now() - timedelta(days=spec.reviewed_days_ago)
        PhilomenaProfile.objects.filter(pk=profile.pk).update(last_reviewed_at=reviewed_at)
    for name, relationship, contact, concern in spec.associates:
        services.associate_add(
            actor=keeper,
            child=child,
            name=name,
            relationship=relationship,
            contact=contact,
            is_concern=concern,
        )
    for name, area, why, concern in spec.places:
        services.place_add(
            actor=keeper, child=child, name=name, area_or_address=area, why=why, is_concern=concern
        )
    if spec.photo_days_ago is not None:
        initials = f"{(spec.preferred_name or spec.first_name)[0]}{spec.last_name[0]}"
        services.child_photo_set(
            actor=keeper,
            child=child,
            photo=placeholder_photo(initials, spec.colour),
            taken_on=today - timedelta(days=spec.photo_days_ago),
        )
    return child


def _police_grant(users: dict[str, User]) -> None:
    """One time-boxed grant: the demo officer may see the first child at Elm House for a week."""
    child = Child.objects.get(placing_authority__code="N901", child_id="NS0001")
    officer = users[POLICE_LIAISON]
    now = timezone.now()
    if ChildUserObjectPermission.objects.filter(
        user=officer, content_object=child, expires_at__gt=now
    ).exists():
        return
    services.police_grant_create(
        actor=users[SOCIAL_WORKER],
        child=child,
        officer=officer,
        reason="Missing overnight twice this month; police are searching with the home.",
        expires_at=now + timedelta(days=7),
    )


@transaction.atomic
def seed() -> list[tuple[str, str]]:
    """Create the demo children that are missing. Needs the accounts and homes demos first.

    Returns the extra sign-ins (Eastbrook's users) as (label, email) pairs.
    """
    logins = _users()
    today = timezone.localdate()
    homes = {home.ofsted_urn: home for home in Home.objects.all()}
    users = {user.email: user for user in User.objects.all()}
    existing = set(Child.objects.values_list("placing_authority__code", "child_id"))
    for spec in plan(today):
        if (spec.authority, spec.child_id) not in existing:
            _create(spec, homes=homes, users=users, today=today)
    _police_grant(users)
    return logins


# CSE risk assessments (seed_demo runs this after the episodes and alerts demos) ------------

STORY_CHILD_ID = "NS0001"  # apps.episodes.demo.STORY_CHILD


def _caseload(social_worker) -> list[Child]:
    """The social worker's children who live in a home, the story child first."""
    children = [
        child
        for child in Child.objects.filter(allocated_social_worker=social_worker)
        .select_related("placing_authority")
        .order_by("child_id")
        if child.current_placement is not None
    ]
    children.sort(key=lambda child: child.child_id != STORY_CHILD_ID)
    return children


def _answers(indicators, level: str) -> dict:
    if level == CseRisk.HIGH:
        return {i.pk: ("yes", "current") for i in indicators}
    if level == CseRisk.MEDIUM:
        heavy = [i for i in indicators if i.weight > 1][:3]  # 3 x 2 x 2 = 12: medium
        return {i.pk: ("yes", "current") if i in heavy else ("no", "") for i in indicators}
    return {i.pk: ("no", "") for i in indicators}


ASSESSMENT_SUMMARY = "Screened with the home and the school."


def _assessments(social_worker, children) -> int:
    mine = CseRiskAssessment.objects.filter(child__in=children, summary=ASSESSMENT_SUMMARY)
    if mine.exists():
        return 0  # seeded before
    # The alerts demo has assessed the children it raised CSE alerts for; the others here.
    assessed = set(
        CseRiskAssessment.objects.filter(child__in=children).values_list("child_id", flat=True)
    )
    levels = {children[0].pk: CseRisk.HIGH} if children else {}
    for child in children[1:]:
        if child.cse_risk == CseRisk.MEDIUM and CseRisk.MEDIUM not in levels.values():
            levels[child.pk] = CseRisk.MEDIUM
    for child in children[1:]:
        if not child.cse_risk and child.pk not in levels:
            levels[child.pk] = CseRisk.LOW
            break
    made = 0
    for child in children:
        level = levels.get(child.pk)
        if level is None or child.pk in assessed:
            continue
        indicators = selectors.indicators_for(child.placing_authority)
        services.assessment_complete(
            actor=social_worker,
            child=child,
            indicators=indicators,
            answers=_answers(indicators, level),
            # The medium one is due for review within the week (its review rule fires), the
            # others within the fortnight the social worker's start page looks ahead.
            assessed_on=timezone.localdate()
            - timedelta(days=85 if level == CseRisk.MEDIUM else 20),
            summary=ASSESSMENT_SUMMARY,
        )
        made += 1
    return made


@transaction.atomic
def seed_assessments() -> int:
    """The standard indicators, and the demo social worker's assessments unless seeded before:
    the story child (NS0001) high, a child already at medium CSE risk medium, and a child not
    at risk low, each unless the alerts demo has assessed them already. Every write goes
    through the services. Returns how many were made."""
    social_worker = User.objects.filter(email=SOCIAL_WORKER).first()
    if social_worker is None:
        return 0
    services.indicators_seed_standard()
    children = _caseload(social_worker)
    if not children:
        return 0
    return _assessments(social_worker, children)

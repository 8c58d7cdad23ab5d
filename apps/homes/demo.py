"""Invented demo homes and staff grants. Idempotent: a home that exists (by URN) is left as is.

Eight homes: six run by Northshire, two by Brightpath Care; one of Brightpath's is in
Eastbrook (so Northshire children there are placed out of area) and in the Eastbrook Police
area; the rest are in Northshire Police's. Every name, address and URN is invented.
"""

from django.db import transaction

from apps.accounts import services as account_services
from apps.accounts.models import Organisation, OrganisationKind, User
from apps.homes import services
from apps.homes.models import Home, OfstedRating

ADMIN_EMAIL = "admin@northshire.example"

# Organisations the accounts demo does not make: a second police force.
ORGANISATIONS = [("EBP", OrganisationKind.POLICE_FORCE, "Eastbrook Police")]

# (URN, name, operator, host authority, police force, address, town, postcode, beds, rating)
HOMES = [
    ("SC900101", "Elm House", "N901", "N901", "NSP", "14 Elm Grove", "Northby", "NX1 4EG", 6,
     OfstedRating.GOOD),
    ("SC900102", "Larch Lodge", "N901", "N901", "NSP", "2 Larch Rise", "Northby", "NX2 7LL", 5,
     OfstedRating.OUTSTANDING),
    ("SC900103", "Rowan View", "N901", "N901", "NSP", "88 Quarry Lane", "Millbridge", "NX4 3RV",
     5, OfstedRating.GOOD),
    ("SC900104", "Hawthorn Cottage", "N901", "N901", "NSP", "The Green", "Millbridge", "NX4 8HC",
     4, OfstedRating.REQUIRES_IMPROVEMENT),
    ("SC900105", "Willow Court", "N901", "N901", "NSP", "5 Willow Court", "Ashcombe", "NX7 1WC",
     6, OfstedRating.GOOD),
    ("SC900106", "Oak Tree House", "N901", "N901", "NSP", "31 Acorn Street", "Northby",
     "NX3 9OT", 5, OfstedRating.NOT_YET_INSPECTED),
    ("SC900107", "Brightpath Meadows", "BPC", "N901", "NSP", "Meadow Farm, Long Lane",
     "Ashcombe", "NX7 5BM", 6, OfstedRating.GOOD),
    ("SC900108", "Brightpath Harbour", "BPC", "E902", "EBP", "7 Harbour Walk", "Eastbrook",
     "EQ2 6BH", 6, OfstedRating.REQUIRES_IMPROVEMENT),
]  # fmt: skip

# (email, URNs of the homes they work in, manager?)
STAFF = [
    ("care.worker@northshire.example", ["SC900101", "SC900102"], False),
    ("home.manager@northshire.example", ["SC900101", "SC900102", "SC900103"], True),
]


@transaction.atomic
def seed() -> dict[str, Home]:
    """Create the demo homes and staff grants that are missing; return the homes by URN.

    Needs the accounts demo first (organisations and users).
    """
    for code, kind, name in ORGANISATIONS:
        if not Organisation.objects.filter(code=code).exists():
            account_services.organisation_create(kind=kind, name=name, code=code)
    organisations = {org.code: org for org in Organisation.objects.all()}
    admin = User.objects.get(email=ADMIN_EMAIL)

    homes = {}
    for urn, name, operator, host, force, line_1, town, postcode, beds, rating in HOMES:
        home = Home.objects.filter(ofsted_urn=urn).first()
        if home is None:
            home = services.home_create(
                actor=admin,
                name=name,
                ofsted_urn=urn,
                operator=organisations[operator],
                host_authority=organisations[host],
                police_force=organisations[force],
                address_line_1=line_1,
                town=town,
                postcode=postcode,
                phone=f"01632 960{len(homes) + 101:03d}",  # Ofcom's range for drama
                capacity=beds,
                ofsted_rating=rating,
            )
        homes[urn] = home

    for email, urns, manager in STAFF:
        user = User.objects.get(email=email)
        for urn in urns:
            services.home_staff_grant(actor=admin, home=homes[urn], user=user, manager=manager)
    return homes

"""Invented demo organisations and one user per role. Idempotent: run it as often as you like."""

from apps.accounts.models import Organisation, OrganisationKind, Role, User

# An invented password for invented people; printed by `make run`. Never used outside the demo.
DEMO_PASSWORD = "homeward-demo"  # noqa: S105

ORGANISATIONS = [
    ("N901", OrganisationKind.LOCAL_AUTHORITY, "Northshire County Council"),
    ("E902", OrganisationKind.LOCAL_AUTHORITY, "Eastbrook Borough Council"),
    ("NSP", OrganisationKind.POLICE_FORCE, "Northshire Police"),
    ("BPC", OrganisationKind.PROVIDER, "Brightpath Care Ltd"),
]
# Who is told of every episode: the authorities' missing co-ordinators, the force's desk.
MISSING_INBOXES = {
    "N901": "missing.children@northshire.example",
    "E902": "mash@eastbrook.example",
    "NSP": "missing.persons@northshire-police.example",
}

USERS = [
    ("care.worker@northshire.example", "Casey Walker", Role.CARE_WORKER, "N901"),
    ("home.manager@northshire.example", "Hana Malik", Role.HOME_MANAGER, "N901"),
    ("social.worker@northshire.example", "Sam Okafor", Role.SOCIAL_WORKER, "N901"),
    ("return.interviewer@northshire.example", "Rae Iqbal", Role.RETURN_INTERVIEWER, "N901"),
    ("police.liaison@northshire-police.example", "PC Priya Lane", Role.POLICE_LIAISON, "NSP"),
    ("service.manager@northshire.example", "Morgan Ellis", Role.SERVICE_MANAGER, "N901"),
    ("admin@northshire.example", "Alex Adeyemi", Role.ADMINISTRATOR, "N901"),
]


def seed() -> list[tuple[str, str]]:
    """Create or refresh the demo organisations and users; return (role label, email) pairs."""
    organisations = {}
    for code, kind, name in ORGANISATIONS:
        organisations[code], _ = Organisation.objects.update_or_create(
            code=code,
            defaults={
                "kind": kind,
                "name": name,
                "missing_inbox_email": MISSING_INBOXES.get(code, ""),
            },
        )
    logins = []
    for email, full_name, role, org_code in USERS:
        user, created = User.objects.update_or_create(
            email=email,
            defaults={
                "full_name": full_name,
                "role": role,
                "organisation": organisations[org_code],
                "is_staff": role == Role.ADMINISTRATOR,
                "is_superuser": role == Role.ADMINISTRATOR,
                "is_active": True,
            },
        )
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        logins.append((Role(role).label, email))
    return logins

"""factory_boy factories. State that has rules is built through services, not raw saves."""

import factory

from apps.accounts import services as account_services
from apps.accounts.models import Organisation, OrganisationKind, Role, User

TEST_PASSWORD = "correct-horse-battery-staple"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["code"]

    kind = OrganisationKind.LOCAL_AUTHORITY
    name = factory.Sequence(lambda n: f"Testshire Council {n}")
    code = factory.Sequence(lambda n: f"T{n:03d}")


_ORG_KIND_FOR_ROLE = {
    Role.POLICE_LIAISON: OrganisationKind.POLICE_FORCE,
}


def make_user(role: str = Role.CARE_WORKER, *, organisation=None, email=None, password=None):
    """A user with `role`, in a fitting organisation unless one is given."""
    if organisation is None:
        organisation = OrganisationFactory(
            kind=_ORG_KIND_FOR_ROLE.get(role, OrganisationKind.LOCAL_AUTHORITY)
        )
    return account_services.user_create(
        email=email or f"{role}-{User.objects.count() + 1}@test.example",
        full_name=f"Test {Role(role).label}",
        role=role,
        organisation=organisation,
        password=password or TEST_PASSWORD,
    )


def api_key(user, *, days=30):
    """A new API token's key for the user (the key is shown once, as in the product)."""
    import datetime

    from django.utils import timezone

    from apps.accounts import services as account_services

    _, key = account_services.api_token_issue(
        actor=user,
        user=user,
        name="Test",
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )
    return key

"""Writes about homes and their staff grants. Callers have checked access (apps.homes.access)."""

from django.contrib.auth.models import Permission
from django.db import transaction

from apps.accounts.models import OrganisationKind, Role
from apps.core.errors import ApplicationError, StaleVersionError
from apps.core.services import apply_changes, save_versioned, validate_instance
from apps.core.validators import normalise_postcode
from apps.homes.models import Home, HomeUserObjectPermission

HOME_FIELDS = [
    "name",
    "ofsted_urn",
    "operator",
    "host_authority",
    "police_force",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "phone",
    "capacity",
    "ofsted_rating",
    "is_active",
]


def _check_organisations(home: Home) -> None:
    errors = {}
    if home.operator_id and home.operator.kind == OrganisationKind.POLICE_FORCE:
        errors["operator"] = ["Choose the local authority or provider that runs the home."]
    if home.host_authority_id and home.host_authority.kind != OrganisationKind.LOCAL_AUTHORITY:
        errors["host_authority"] = ["Choose the local authority the home is in."]
    if home.police_force_id and home.police_force.kind != OrganisationKind.POLICE_FORCE:
        errors["police_force"] = ["Choose the police force whose area the home is in."]
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], fields=errors)


def _check_operator_allowed(actor, home: Home) -> None:
    from apps.homes.access import can_run_homes_for

    if home.operator_id and not can_run_homes_for(actor, home.operator):
        message = "You can only add homes that your own authority runs."
        raise ApplicationError(message, fields={"operator": [message]})


def _clean(home: Home) -> None:
    home.postcode = normalise_postcode(home.postcode)
    home.ofsted_urn = (home.ofsted_urn or "").strip().upper()
    validate_instance(home)
    _check_organisations(home)


@transaction.atomic
def home_create(*, actor, **fields) -> Home:
    home = Home(**{name: value for name, value in fields.items() if name in HOME_FIELDS})
    _clean(home)
    _check_operator_allowed(actor, home)
    home._history_user = actor
    home.save()
    return home


@transaction.atomic
def home_update(*, actor, home: Home, expected_version: int, **fields) -> Home:
    changed = apply_changes(home, data=fields, allowed=HOME_FIELDS)
    _clean(home)
    if "operator" in changed and actor.role != Role.HOME_MANAGER:
        _check_operator_allowed(actor, home)
    save_versioned(home, actor=actor, expected_version=expected_version, fields=changed)
    return home


def _permission(codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label="homes", codename=codename)


@transaction.atomic
def home_staff_grant(*, actor, home: Home, user, manager: bool = False) -> None:
    """Let `user` work in `home` (and manage it when `manager`). Idempotent."""
    if user.role not in (Role.CARE_WORKER, Role.HOME_MANAGER):
        raise ApplicationError(
            "Only care workers and home managers can be given access to a home.",
            fields={"user": ["Only care workers and home managers can be given access."]},
        )
    if user.organisation_id != home.operator_id:
        raise ApplicationError(
            "Staff must work for the organisation that runs the home.",
            fields={"user": ["Staff must work for the organisation that runs the home."]},
        )
    if manager and user.role != Role.HOME_MANAGER:
        raise ApplicationError(
            "Only a home manager can manage a home.",
            fields={"manager": ["Only a home manager can manage a home."]},
        )
    codenames = ["view_home", "manage_home"] if manager else ["view_home"]
    for codename in codenames:
        HomeUserObjectPermission.objects.get_or_create(
            user=user,
            content_object=home,
            permission=_permission(codename),
            defaults={"granted_by": actor},
        )


@transaction.atomic
def home_staff_revoke(*, actor, home: Home, user) -> int:
    grants = list(HomeUserObjectPermission.objects.filter(user=user, content_object=home))
    for grant in grants:
        grant._history_user = actor
        grant.delete()
    return len(grants)


@transaction.atomic
def home_staff_grant_invited(*, actor, user, home_pks: list[int]) -> None:
    """For apps.accounts' invitation: give a new user the chosen homes among those the actor
    may give (access.homes_to_give); any other home is refused."""
    from apps.homes.access import homes_to_give

    allowed = {pk for pk, _ in homes_to_give(actor)}
    if set(home_pks) - allowed:
        message = "Choose only homes you manage"
        raise ApplicationError(message, fields={"homes": [message]})
    for home in Home.objects.filter(pk__in=home_pks):
        home_staff_grant(actor=actor, home=home, user=user)


@transaction.atomic
def home_staff_replace(*, actor, user, home_pks: set[int], shown: set[int]) -> None:
    """For apps.accounts' "Homes" page: make the homes `user` works in, among those the actor
    may give (access.homes_to_give), exactly `home_pks`. Homes outside the actor's are left as
    they are. `shown` is what the page showed; if the user's homes among the actor's changed
    since, nothing is saved (StaleVersionError). A home kept keeps its manager grant; a home
    added is given to work in; a home removed loses every grant."""
    from apps.homes.access import homes_to_give

    allowed = {pk for pk, _ in homes_to_give(actor)}
    if home_pks - allowed:
        message = "Choose only homes you manage"
        raise ApplicationError(message, fields={"homes": [message]})
    # Lock the user's grants so two edits of the same person cannot interleave.
    current = set(
        HomeUserObjectPermission.objects.select_for_update()
        .filter(user=user, content_object_id__in=allowed)
        .values_list("content_object_id", flat=True)
    )
    if current != shown:
        raise StaleVersionError(
            "Someone changed this person's homes after you opened the page. Check the homes "
            "below and save again."
        )
    for home in Home.objects.filter(pk__in=home_pks - current):
        home_staff_grant(actor=actor, home=home, user=user)
    for home in Home.objects.filter(pk__in=current - home_pks):
        home_staff_revoke(actor=actor, home=home, user=user)

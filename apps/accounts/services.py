"""Writes about organisations, users and two-factor devices."""

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.models import (
    ROLE_ORGANISATION_KINDS,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from apps.core.errors import ApplicationError
from apps.core.services import validate_instance


@transaction.atomic
def organisation_create(*, kind: str, name: str, code: str) -> Organisation:
    """Create an organisation; a local authority starts with the default escalation rules."""
    if Organisation.objects.filter(code__iexact=code).exists():
        raise ApplicationError(
            "An organisation with this code already exists.",
            fields={"code": ["An organisation with this code already exists."]},
        )
    organisation = Organisation(kind=kind, name=name, code=code)
    organisation.full_clean()
    organisation.save()
    if organisation.kind == OrganisationKind.LOCAL_AUTHORITY:
        from apps.alerts.services import rules_seed_defaults

        rules_seed_defaults(authority=organisation)
    return organisation


@transaction.atomic
def authority_out_of_hours_update(
    *, actor, authority: Organisation, name: str, email: str
) -> Organisation:
    """Set who the last step of the ladder emails. Both empty: the ladder stops at the service
    managers. Caller has checked the user may manage the authority's rules."""
    name, email = (name or "").strip(), (email or "").strip().lower()
    if name and not email:
        message = "Enter the out-of-hours email address"
        raise ApplicationError(message, fields={"out_of_hours_email": [message]})
    changed = [
        field
        for field, value in (("out_of_hours_name", name), ("out_of_hours_email", email))
        if getattr(authority, field) != value
    ]
    authority.out_of_hours_name = name
    authority.out_of_hours_email = email
    validate_instance(authority)
    if changed:
        authority._history_user = actor
        authority.save(update_fields=changed)
    return authority


def _check_role_fits_organisation(role: str, organisation: Organisation | None) -> None:
    if organisation is None:
        if role != Role.ADMINISTRATOR:
            raise ApplicationError(
                "Choose the user's organisation.",
                fields={"organisation": ["Choose the user's organisation."]},
            )
        return
    if organisation.kind not in ROLE_ORGANISATION_KINDS[role]:
        message = (
            f"A {Role(role).label.lower()} cannot belong to a "
            f"{organisation.get_kind_display().lower()}."
        )
        raise ApplicationError(message, fields={"role": [message]})


@transaction.atomic
def user_create(
    *,
    email: str,
    full_name: str,
    role: str,
    organisation: Organisation | None,
    password: str | None = None,
    job_title: str = "",
    is_staff: bool = False,
) -> User:
    """Create a user. Without a password the account cannot sign in until it is reset."""
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ApplicationError(
            "A user with this email address already exists.",
            fields={"email": ["A user with this email address already exists."]},
        )
    _check_role_fits_organisation(role, organisation)
    user = User(
        email=email,
        full_name=full_name.strip(),
        role=role,
        organisation=organisation,
        job_title=job_title,
        is_staff=is_staff,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user


def two_factor_device_for_setup(*, user: User) -> TOTPDevice:
    """The user's unconfirmed authenticator device, made on first call (idempotent).

    Calling it again returns the same device, so reloading the setup page keeps the QR code the
    user may already have scanned.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def _raise_if_throttled(device) -> None:
    """django-otp doubles the wait after each wrong code; say how long is left."""
    allowed, details = device.verify_is_allowed()
    if allowed:
        return
    wait = ""
    locked_until = (details or {}).get("locked_until")
    if locked_until is not None:
        from django.utils import timezone
        from django.utils.timesince import timeuntil

        seconds = (locked_until - timezone.now()).total_seconds()
        wait = "a few seconds" if seconds < 60 else timeuntil(locked_until)
    message = (
        f"Too many wrong codes. Wait {wait or 'a moment'}, then enter the code your app shows."
    )
    raise ApplicationError(message, fields={"token": [message]})


def two_factor_verify(*, user: User, token: str) -> TOTPDevice:
    """Check a code against the user's confirmed devices. Raises ApplicationError if wrong."""
    token = token.strip().replace(" ", "")
    devices = list(TOTPDevice.objects.filter(user=user, confirmed=True))
    for device in devices:
        _raise_if_throttled(device)
    for device in devices:
        if device.verify_token(token):
            return device
    message = "The code is not right. Enter the code your app shows now."
    raise ApplicationError(message, fields={"token": [message]})


def two_factor_device_confirm(*, user: User, token: str) -> TOTPDevice:
    """Confirm the setup device with a code from the app. Raises ApplicationError if wrong."""
    device = two_factor_device_for_setup(user=user)
    _raise_if_throttled(device)
    if not device.verify_token(token.strip().replace(" ", "")):
        message = "The code is not right. Enter the 6-digit code your app shows now."
        raise ApplicationError(message, fields={"token": [message]})
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device


def two_factor_device_reset(*, user: User) -> int:
    """Remove every authenticator device of a user who lost their phone (administrators)."""
    deleted, _ = TOTPDevice.objects.filter(user=user).delete()
    return deleted

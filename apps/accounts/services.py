"""Writes about organisations, users, two-factor devices and API tokens."""

import datetime
import hashlib
import logging
import secrets

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes, force_str
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.models import (
    ROLE_ORGANISATION_KINDS,
    ApiToken,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from apps.accounts.user_homes import user_homes
from apps.core.errors import ApplicationError
from apps.core.services import save_versioned, validate_instance

logger = logging.getLogger(__name__)

# The fields an organisation's create and update may set besides kind, name and code.
ORGANISATION_SETTINGS = [
    "night_starts",
    "night_ends",
    "return_interview_hours",
    "out_of_hours_name",
    "out_of_hours_email",
    "missing_inbox_email",
]
USER_UPDATE_FIELDS = [
    "email",
    "full_name",
    "organisation",
    "role",
    "job_title",
    "phone",
    "is_active",
    "is_staff",
    "is_superuser",
]


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """The set-password link in an invitation: its own salt and its own expiry.

    Like a password-reset token it stops working once the password is set or the user
    signs in (both change the hashed state), and after INVITATION_TIMEOUT_SECONDS.
    """

    key_salt = "apps.accounts.services.InvitationTokenGenerator"

    def check_token(self, user, token):
        # Django's check reads PASSWORD_RESET_TIMEOUT; this one reads its own setting.
        if not (user and token):
            return False
        try:
            ts_b36, _ = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        return (self._num_seconds(self._now()) - ts) <= settings.INVITATION_TIMEOUT_SECONDS


invitation_tokens = InvitationTokenGenerator()


def user_invitation_link_parts(*, user: User) -> tuple[str, str]:
    """The (uidb64, token) pair for a user's set-password link."""
    return urlsafe_base64_encode(force_bytes(user.pk)), invitation_tokens.make_token(user)


def user_from_invitation(*, uidb64: str, token: str) -> User | None:
    """The active user a set-password link is for, or None if it is wrong or expired."""
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)), is_active=True)
    except (TypeError, ValueError, OverflowError, User.DoesNotExist):
        return None
    return user if invitation_tokens.check_token(user, token) else None


def _refuse_unknown(fields: dict, allowed: list[str]) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise TypeError(f"Cannot set {', '.join(unknown)}")


def _check_code_free(code: str, *, exclude_pk=None) -> None:
    taken = Organisation.objects.filter(code__iexact=code).exclude(pk=exclude_pk)
    if taken.exists():
        raise ApplicationError(
            "An organisation with this code already exists.",
            fields={"code": ["An organisation with this code already exists."]},
        )


def _seed_rules_if_authority(organisation: Organisation) -> None:
    if organisation.kind == OrganisationKind.LOCAL_AUTHORITY:
        from apps.alerts.services import rules_seed_defaults

        rules_seed_defaults(authority=organisation)


@transaction.atomic
def organisation_create(*, kind: str, name: str, code: str, **settings) -> Organisation:
    """Create an organisation; a local authority starts with the default escalation rules.
    `settings`: any of ORGANISATION_SETTINGS (the authority's clocks, its out-of-hours contact)."""
    _refuse_unknown(settings, ORGANISATION_SETTINGS)
    _check_code_free(code)
    organisation = Organisation(kind=kind, name=name, code=code, **settings)
    organisation.full_clean()
    organisation.save()
    _seed_rules_if_authority(organisation)
    return organisation


@transaction.atomic
def organisation_update(*, organisation: Organisation, **fields) -> Organisation:
    """Change an organisation (the admin's edit). One that becomes a local authority gets the
    default escalation rules it does not have yet."""
    _refuse_unknown(fields, ["kind", "name", "code", *ORGANISATION_SETTINGS])
    if not fields:
        return organisation
    if "code" in fields:
        _check_code_free(fields["code"], exclude_pk=organisation.pk)
    for name, value in fields.items():
        setattr(organisation, name, value)
    organisation.full_clean()
    organisation.save(update_fields=list(fields))
    if "kind" in fields:
        _seed_rules_if_authority(organisation)
    return organisation


@transaction.atomic
def authority_out_of_hours_update(
    *, actor, authority: Organisation, name: str, email: str, missing_inbox_email: str | None = None
) -> Organisation:
    """Set who the last step of the ladder emails (both empty: the ladder stops at the service
    managers) and, when given, the authority's missing-children inbox, told of every episode.
    Caller has checked the user may manage the authority's rules."""
    name, email = (name or "").strip(), (email or "").strip().lower()
    if name and not email:
        message = "Enter the out-of-hours email address"
        raise ApplicationError(message, fields={"out_of_hours_email": [message]})
    values = {"out_of_hours_name": name, "out_of_hours_email": email}
    if missing_inbox_email is not None:
        values["missing_inbox_email"] = missing_inbox_email.strip().lower()
    changed = [field for field, value in values.items() if getattr(authority, field) != value]
    for field, value in values.items():
        setattr(authority, field, value)
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


@transaction.atomic
def user_invite(
    *, actor: User, email: str, full_name: str, role: str, organisation, homes=()
) -> User:
    """Create a user who cannot sign in yet, give them `homes` (pks: staff grants, through
    apps.homes) and email them a set-password link. A home manager invites care workers of
    their own organisation to the homes they manage, and must name at least one."""
    if actor.role == Role.HOME_MANAGER:
        role, organisation = Role.CARE_WORKER, actor.organisation
        if not homes:
            message = "Choose at least one home"
            raise ApplicationError(message, fields={"homes": [message]})
    user = user_create(email=email, full_name=full_name, role=role, organisation=organisation)
    User.history.filter(id=user.pk).update(history_user=actor)
    if homes:
        user_homes().grant(actor=actor, user=user, home_pks=[int(pk) for pk in homes])
    _invitation_ask(actor=actor, user=user)
    return user


def _invitation_ask(*, actor: User, user: User) -> None:
    """Ask for the invitation email: recorded on the user, sent by a worker after commit (and
    by beat's sweep if the broker never got it). A mail server that is down never loses the
    invitation or the new user."""
    from apps.core.services import enqueue_on_commit

    user.invited_at = timezone.now()
    user._history_user = actor  # the history says who asked for each invitation
    user.save(update_fields=["invited_at"])
    enqueue_on_commit("apps.accounts.tasks.send_invitation", user.pk, actor.pk)


@transaction.atomic
def user_invitation_resend(*, actor: User, user: User) -> None:
    """Send a new set-password link to someone who has not set a password yet (the email was
    lost, or the link expired)."""
    if user.has_usable_password():
        raise ApplicationError(f"{user.full_name} has already set a password.")
    if not user.is_active:
        raise ApplicationError(f"{user.full_name} is deactivated. Reactivate them first.")
    _invitation_ask(actor=actor, user=user)


def user_invitation_link(*, user: User) -> str:
    from django.urls import reverse

    uidb64, token = user_invitation_link_parts(user=user)
    path = reverse("accounts:invitation", kwargs={"uidb64": uidb64, "token": token})
    return f"{settings.SITE_URL}{path}"


def user_invitation_send(*, user_id: int, actor_id: int | None = None) -> bool:
    """What the worker does: email the user their set-password link (valid for
    INVITATION_TIMEOUT_SECONDS) if an invitation was asked for and not sent since. Claims it
    with a conditional update, so two workers never both send; a failure puts it back for
    the sweep. Returns whether this call sent it."""
    from django.core.mail import EmailMultiAlternatives
    from django.db.models import F, Q
    from django.template.loader import render_to_string

    now = timezone.now()
    claimed = (
        User.objects.filter(pk=user_id, is_active=True, invited_at__isnull=False)
        .filter(Q(invitation_sent_at__isnull=True) | Q(invitation_sent_at__lt=F("invited_at")))
        .update(invitation_sent_at=now)
    )
    if not claimed:
        return False
    user = User.objects.get(pk=user_id)
    if user.has_usable_password():
        return False  # they set a password meanwhile: no link to send
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    context = {
        "user": user,
        "actor": actor,
        "link": user_invitation_link(user=user),
        "hours": settings.INVITATION_TIMEOUT_SECONDS // 3600,
    }
    message = EmailMultiAlternatives(
        subject="You have been invited to Homeward",
        body=render_to_string("accounts/email/invitation.txt", context),
        to=[user.email],
    )
    html = render_to_string("accounts/email/invitation.html", context)
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except Exception:
        User.objects.filter(pk=user_id, invitation_sent_at=now).update(invitation_sent_at=None)
        raise
    return True


# An invitation the broker never delivered is sent by beat after this long.
INVITATION_REQUEUE_AFTER = datetime.timedelta(minutes=2)


def invitations_send_waiting(*, now=None) -> int:
    """Beat's sweep: send the invitations asked for more than INVITATION_REQUEUE_AFTER ago and
    not sent since, within the link's lifetime. Returns how many were sent."""
    from django.db.models import F, Q

    now = now or timezone.now()
    waiting = (
        User.objects.filter(
            is_active=True,
            invited_at__lte=now - INVITATION_REQUEUE_AFTER,
            invited_at__gte=now - datetime.timedelta(seconds=settings.INVITATION_TIMEOUT_SECONDS),
        )
        .filter(Q(invitation_sent_at__isnull=True) | Q(invitation_sent_at__lt=F("invited_at")))
        .values_list("pk", flat=True)
    )
    sent = 0
    for pk in list(waiting):
        try:
            sent += user_invitation_send(user_id=pk)
        except Exception:
            logger.warning("Invitation to user %s failed; it waits for the next sweep", pk)
    return sent


def user_invitation_accept(*, user: User, password: str) -> User:
    """Set the invited user's password (the link stops working: the hashed state changed)."""
    user.set_password(password)
    user.save(update_fields=["password"])
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


@transaction.atomic
def user_update(*, actor: User | None, user: User, expected_version: int, **fields) -> User:
    """Change a user (the administrator's edit): any of USER_UPDATE_FIELDS. The email stays
    unique and the role must fit the organisation, as when the user was created. An edit of a
    version that has changed since it was loaded is refused (StaleVersionError)."""
    _refuse_unknown(fields, USER_UPDATE_FIELDS)
    if "email" in fields:
        fields["email"] = fields["email"].strip().lower()
        if User.objects.filter(email__iexact=fields["email"]).exclude(pk=user.pk).exists():
            raise ApplicationError(
                "A user with this email address already exists.",
                fields={"email": ["A user with this email address already exists."]},
            )
    if "full_name" in fields:
        fields["full_name"] = fields["full_name"].strip()
    for name, value in fields.items():
        setattr(user, name, value)
    _check_role_fits_organisation(user.role, user.organisation)
    user.full_clean(exclude=["password"])
    save_versioned(user, actor=actor, expected_version=expected_version, fields=list(fields))
    return user


def user_homes_replace(*, actor: User, user: User, home_pks, shown) -> None:
    """Make the homes `user` works in, among those `actor` may give, exactly `home_pks`
    (through apps.homes). `shown` are the homes the page showed as theirs: if someone changed
    them since, nothing is saved (StaleVersionError). Only care workers and home managers
    work in homes."""
    if user.role not in (Role.CARE_WORKER, Role.HOME_MANAGER):
        message = "Only care workers and home managers work in homes"
        raise ApplicationError(message, fields={"homes": [message]})
    user_homes().replace(
        actor=actor,
        user=user,
        home_pks={int(pk) for pk in home_pks},
        shown={int(pk) for pk in shown},
    )


def user_deactivate(*, actor: User, user: User) -> User:
    """Stop the user signing in (web and API); their records and history stay."""
    if user.pk == actor.pk:
        raise ApplicationError("You cannot deactivate your own account.")
    if user.is_active:
        user.is_active = False
        user._history_user = actor
        user.save(update_fields=["is_active"])
    return user


def user_reactivate(*, actor: User, user: User) -> User:
    if not user.is_active:
        user.is_active = True
        user._history_user = actor
        user.save(update_fields=["is_active"])
    return user


# API tokens ------------------------------------------------------------------------------

# last_used_at is written at most this often per token, so busy clients do not write per call.
API_TOKEN_LAST_USED_GRANULARITY = datetime.timedelta(minutes=1)


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_issue(
    *, actor: User, user: User, name: str, expires_at: datetime.datetime
) -> tuple[ApiToken, str]:
    """A new token for the user, and its key (shown once; only its hash is kept)."""
    if expires_at <= timezone.now():
        raise ApplicationError(
            "The expiry date must be in the future.",
            fields={"expires_at": ["The expiry date must be in the future."]},
        )
    key = secrets.token_hex(20)
    token = ApiToken(user=user, name=name, key_hash=_hash_key(key), expires_at=expires_at)
    token._history_user = actor
    token.save()
    return token, key


def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token._history_user = actor
        token.save(update_fields=["revoked_at"])
    return token


def api_token_use(*, key: str) -> ApiToken | None:
    """The usable token with this key (its last use noted), or None."""
    now = timezone.now()
    token = (
        ApiToken.objects.usable(now).select_related("user").filter(key_hash=_hash_key(key)).first()
    )
    if token is not None and (
        token.last_used_at is None or now - token.last_used_at >= API_TOKEN_LAST_USED_GRANULARITY
    ):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token

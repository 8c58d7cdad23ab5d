"""Reads about users, organisations and their two-factor devices."""

from django.db.models import Q
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.models import Organisation, User
from apps.accounts.user_homes import user_homes as provided_homes


def user_has_confirmed_device(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def organisations_list():
    return Organisation.objects.order_by("name")


def users_active_with_role(role: str):
    """Active users of `role`: the choices of a field naming one (an API's allocated social
    worker, an interview's interviewer), narrowed further by the service."""
    return User.objects.filter(role=role, is_active=True)


def users_list():
    return User.objects.select_related("organisation").order_by("full_name")


def users_managed_by(user: User, *, search: str = ""):
    """The users the people pages list for `user` (their scope), with their organisation."""
    from apps.accounts.access import users_visible_to

    rows = users_visible_to(user).select_related("organisation").order_by("full_name", "pk")
    if search:
        rows = rows.filter(Q(full_name__icontains=search) | Q(email__icontains=search))
    return rows


def user_api_tokens(user: User):
    return user.api_tokens.order_by("-created_at")


def user_homes(user: User) -> list[str]:
    """Names of the homes `user` works in (apps.homes answers: apps.accounts.user_homes)."""
    return provided_homes().names(user)


def user_home_choices(actor: User) -> list[tuple[int, str]]:
    """The homes `actor` may give a user, as (pk, name) pairs."""
    return provided_homes().choices(actor)


def user_home_ids_among(user: User, choices: list[tuple[int, str]]) -> list[int]:
    """Of `choices`, the pks of the homes `user` works in, in the choices' order."""
    granted = provided_homes().granted(user)
    return [pk for pk, _ in choices if pk in granted]

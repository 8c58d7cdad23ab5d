"""Reads about users, organisations and their two-factor devices."""

from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.models import Organisation, User


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

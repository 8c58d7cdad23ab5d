"""Who may see and do what with accounts.

A user may always see their own account. The people pages (`/account/users/`):
- administrator: every user; may invite, edit, deactivate and issue API tokens;
- home manager: the staff granted on the homes they manage (contributed by apps.homes);
  may invite care workers to those homes, and deactivate and reactivate their staff;
- every other role: nobody.
Forbidden answers 404 (get_user_for_manager). The mechanism: apps/core/scope.py.
"""

from django.db.models import QuerySet

from apps.accounts.models import ApiToken, Role, User
from apps.core.scope import ALL, Scope, one_or_404, require

PEOPLE_MANAGERS = (Role.ADMINISTRATOR, Role.HOME_MANAGER)

user_scope = Scope(
    User,
    {
        Role.ADMINISTRATOR: ALL,
        Role.HOME_MANAGER: [],  # + the staff of the homes they manage (apps.homes)
    },
    name="user",
)


def can_manage_accounts(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == Role.ADMINISTRATOR)


def can_manage_people(user: User) -> bool:
    """May open the people pages (the users list)."""
    return bool(user.is_authenticated and user.is_active and user.role in PEOPLE_MANAGERS)


def can_invite(user: User) -> bool:
    """Administrators invite anyone; home managers invite care workers to their homes."""
    return can_manage_people(user)


def users_visible_to(user: User) -> QuerySet[User]:
    require(can_manage_people(user))
    return user_scope.rows(user)


def get_user_for_manager(user: User, pk) -> User:
    """A user `user` may manage, or Http404."""
    require(can_manage_people(user))
    return user_scope.fetch_or_404(user, pk, queryset=User.objects.select_related("organisation"))


def can_see_user(user: User, person: User) -> bool:
    """Whether `person` is still in `user`'s people scope (after an edit took them out)."""
    return can_manage_people(user) and user_scope.rows(user).filter(pk=person.pk).exists()


def get_user_for_administrator(user: User, pk) -> User:
    """A user an administrator may edit or issue tokens for, or Http404."""
    require(can_manage_accounts(user))
    return get_user_for_manager(user, pk)


def get_api_token_for_administrator(user: User, owner: User, pk) -> ApiToken:
    require(can_manage_accounts(user))
    return one_or_404(ApiToken.objects.filter(user=owner), pk, "API token")

"""Who may see and do what with accounts.

Users and organisations are managed by administrators (the administration site, and later the
user pages). A user may always see their own account.
"""

from apps.accounts.models import Role, User


def can_manage_accounts(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == Role.ADMINISTRATOR)

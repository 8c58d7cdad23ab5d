"""A user's homes, which apps.homes owns. Accounts may not import homes, so homes registers
here, in HomesConfig.ready(), the functions accounts' pages and services need; until it does
(accounts alone), a user has no homes and none can be given.

- `names(user)`: the homes the user works in, as names ("(manager)" marked);
- `choices(actor)`: the open homes `actor` may give, as (pk, name) pairs;
- `granted(user)`: the pks of the homes the user works in;
- `grant(actor=, user=, home_pks=)`: give a new user those homes (the invitation);
- `replace(actor=, user=, home_pks=, shown=)`: make the user's homes among the actor's choices
  exactly `home_pks`, refusing if they changed from `shown` since the page was loaded.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class UserHomes:
    names: Callable
    choices: Callable
    granted: Callable
    grant: Callable
    replace: Callable


NONE = UserHomes(
    names=lambda user: [],
    choices=lambda actor: [],
    granted=lambda user: set(),
    grant=lambda **kwargs: None,
    replace=lambda **kwargs: None,
)
_registered: list[UserHomes] = []


def user_homes_register(provider: UserHomes) -> None:
    """Called once by apps.homes; registering again replaces it."""
    _registered[:] = [provider]


def user_homes() -> UserHomes:
    return _registered[0] if _registered else NONE

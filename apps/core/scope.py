"""Who sees which rows of a model, written once: a `Scope` is a role table of parts.

Each app's access.py declares one Scope per model it guards, as a table from role to the parts
that make a row visible to a user of that role:

    child_scope = Scope(Child, {
        (Role.CARE_WORKER, Role.HOME_MANAGER): [placed_at_granted_homes],
        Role.SOCIAL_WORKER: [granted],
    }, name="child")

A part is a function of the user that gives one of
- a queryset of ids of the model (`Placement.objects.current().filter(...).values("child_id")`),
  read from the table that drives it, through that table's index;
- a condition on the model (`Q(home_id__in_ids=...)`), for a rule the model's own columns
  answer;
- None, when it does not apply to this user (a service manager with no authority, say).
A role given `ALL` sees every row; a role the table does not name sees none, and neither does
an anonymous or deactivated user. `everyone=[...]` are parts every role has, before its own.

From the table the Scope gives, keeping the scale behaviour of each part:
- `rows(user)`: the list. The parts' ids are joined (UNION) and the rows read by primary key
  (`lookups.rows_in_parts`), so each part is read through its own index and the cost follows
  the size of the scope, not of the table (an OR across tables makes PostgreSQL read the whole
  table). A scope of one condition is that plain filter.
- `condition(user)`: the same rule as one OR condition on a row, for checks on one row.
- `fetch_or_404(user, pk, queryset=...)`: one row through the condition; Http404 alike for a
  pk that is not a number, a row that does not exist and a row the user may not see, so
  existence never leaks.
- `contains(user, obj)`: whether the user sees `obj`; no query when `obj` was fetched for
  them with fetch_or_404.

Contributed parts. An app imports only the apps below it (core < accounts < homes < children <
episodes < alerts < strategy_meetings < reports < site), yet some rules of a lower app's scope
are about a higher app's rows: a social worker sees the homes where a child they see is placed
(children's placements), a police liaison the children missing now from homes in their area
(episodes). The higher app contributes such a part to the lower app's scope, in its
AppConfig.ready():

    home_scope.contribute(Role.SOCIAL_WORKER, homes_of_visible_children)

Contributed parts come after the table's own, in INSTALLED_APPS order, and contributing the
same function twice keeps one. The lower app's role docstring names each contributed part and
the app that gives it, so its role table still reads as one page, and nothing imports upward.
"""

import operator
from collections.abc import Callable, Iterable
from functools import reduce
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from apps.core.lookups import rows_in_parts


class _All:
    def __repr__(self) -> str:
        return "ALL"


ALL = _All()  # a role that sees every row (administrators' homes)

Part = Callable[[Any], Q | QuerySet | None]


def parse_pk(value) -> int:
    """A primary key from a URL or a form, or Http404 when it is not a whole number."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404("Not found") from None


def one_or_404(queryset: QuerySet, pk, what: str, condition: Q | None = None):
    """The row of `queryset` (and `condition`) with primary key `pk`, or Http404 ("No such
    <what>") when `pk` is not a number or there is no such row."""
    pk = parse_pk(pk)
    found = queryset.filter(condition or Q(), pk=pk).first()
    if found is None:
        raise Http404(f"No such {what}")
    return found


def require(allowed: bool) -> None:
    """Forbidden looks like missing: raise Http404 when an action is not allowed."""
    if not allowed:
        raise Http404("Not found")


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


class Scope:
    """The rows of `model` a user may see, from a role table of parts (module docstring)."""

    def __init__(
        self,
        model: type[Model],
        roles: dict,
        *,
        everyone: Iterable[Part] = (),
        name: str | None = None,
    ):
        self.model = model
        self.name = name or model._meta.verbose_name
        self._everyone = list(everyone)
        self._roles: dict[str, list[Part] | _All] = {}
        for key, parts in roles.items():
            for role in key if isinstance(key, tuple) else (key,):
                self._roles[role] = ALL if parts is ALL else list(parts)
        self._seen_by = f"_{model._meta.model_name}_scope_seen_by"

    def __repr__(self) -> str:
        return f"<Scope of {self.model._meta.label}>"

    def contribute(self, role: str, part: Part) -> None:
        """Add `part` to `role`'s parts (from a higher app's AppConfig.ready())."""
        parts = self._roles.setdefault(role, [])
        if parts is ALL:
            raise ValueError(f"{role} already sees every {self.name}")
        if part not in parts:
            parts.append(part)

    def parts(self, user) -> list[Q | QuerySet] | _All:
        """The user's parts (ALL for a role that sees every row)."""
        if not _active(user):
            return []
        own = self._roles.get(user.role, [])
        if own is ALL:
            return ALL
        given = (part(user) for part in (*self._everyone, *own))
        return [part for part in given if part is not None]

    def _as_condition(self, part) -> Q:
        return Q(pk__in=part) if isinstance(part, QuerySet) else part

    def rows(self, user, *, where: Q | None = None) -> QuerySet:
        """The rows `user` may see. `where` (a period, say) is applied inside each part, so a
        part reads only the rows it keeps."""
        parts = self.parts(user)
        if parts is ALL:
            rows = self.model.objects.all()
            return rows if where is None else rows.filter(where)
        if where is not None:
            parts = [self._as_condition(part) & where for part in parts]
        return rows_of_parts(self.model, parts)

    def condition(self, user) -> Q:
        """The scope as one condition on the model, for checks on one row."""
        parts = self.parts(user)
        if parts is ALL:
            return Q()
        if not parts:
            return Q(pk__in=[])
        return reduce(operator.or_, (self._as_condition(part) for part in parts))

    def fetch_or_404(self, user, pk, *, queryset: QuerySet | None = None):
        """The row with primary key `pk` the user may see (from `queryset`, for its
        select_related), checked with the scope as one condition on that row alone (rows()
        would gather the whole scope first); Http404 when missing, forbidden or not a number."""
        base = self.model.objects.all() if queryset is None else queryset
        found = one_or_404(base, pk, self.name, self.condition(user))
        setattr(found, self._seen_by, user.pk)  # contains() needs no query for it
        return found

    def contains(self, user, obj) -> bool:
        """May `user` see `obj`? No query when it was fetched for them with fetch_or_404."""
        if _active(user) and getattr(obj, self._seen_by, None) == user.pk:
            return True
        return self.model.objects.filter(self.condition(user), pk=obj.pk).exists()


def rows_of_parts(model: type[Model], parts: list[Q | QuerySet]) -> QuerySet:
    """The rows of `model` any part gives. A single condition is a plain filter; otherwise
    each part (a condition becomes the ids it matches) is read through its own index and the
    rows are read by primary key from the union of their ids (lookups.rows_in_parts)."""
    if len(parts) == 1 and isinstance(parts[0], Q):
        return model.objects.filter(parts[0])
    ids = [
        part if isinstance(part, QuerySet) else model.objects.filter(part).values("pk")
        for part in parts
    ]
    return rows_in_parts(model, ids)

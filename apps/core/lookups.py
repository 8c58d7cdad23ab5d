"""Database lookups the access scopes need at scale.

`<key>__in_ids=<queryset of ids>` (a primary or foreign key) matches rows whose key is among
the ids the queryset returns. On PostgreSQL it is `key = ANY(ARRAY(subquery))`: the subquery
runs once, first, and the outer table is read through the key's index. Plain
`key__in=<subquery>` leaves the planner to guess how many rows the subquery matches; with a
scope's subquery (grants joined to permissions and content types) it guesses badly and hashes
the whole table instead, which at a million episodes costs hundreds of milliseconds for a
page of fifty. Elsewhere (SQLite in `make run`) it is an ordinary `IN (subquery)`.

The scopes use these through apps/core/scope.py.
"""

from django.db.models import AutoField, BigAutoField, ForeignKey, QuerySet
from django.db.models.lookups import In


class InIds(In):
    lookup_name = "in_ids"

    def as_postgresql(self, compiler, connection):
        if self.rhs_is_direct_value():  # a list of values: an ordinary IN
            return self.as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)


AutoField.register_lookup(InIds)
BigAutoField.register_lookup(InIds)
ForeignKey.register_lookup(InIds)


def union_of_ids(querysets) -> object:
    """One subquery (UNION) of the ids several one-column querysets give (values("pk"),
    values("child_id"), ...), unordered."""
    first, *rest = [qs.order_by() for qs in querysets]
    return first.union(*rest) if rest else first


def rows_in_parts(model, parts) -> QuerySet:
    """The rows of `model` whose primary key a part gives, read by primary key from the union
    of the parts' ids: the cost follows the size of the scope, not of the table."""
    if not parts:
        return model.objects.none()
    return model.objects.filter(pk__in_ids=union_of_ids(parts))

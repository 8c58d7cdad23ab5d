"""Database lookups the access scopes need at scale.

`pk__in_ids=<queryset of ids>` matches rows whose key is among the ids the queryset returns.
On PostgreSQL it is `id = ANY(ARRAY(subquery))`: the subquery runs once, and the outer table
is read through its primary key index, however big the table. Plain `pk__in=<subquery>`
leaves the planner free to hash the ids and scan the whole table, which it does once the
table is large enough (a million episodes) even when the ids are a few hundred. Elsewhere
(SQLite in `make run`) it is an ordinary `IN (subquery)`.
"""

from django.db.models import AutoField, BigAutoField
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


def union_of_ids(querysets) -> object:
    """The ids of several querysets of one model, as one subquery (UNION), unordered."""
    first, *rest = [qs.order_by().values("pk") for qs in querysets]
    return first.union(*rest) if rest else first

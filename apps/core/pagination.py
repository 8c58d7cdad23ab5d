"""One page of a list for the GOV.UK pagination component (templates/components/pagination.html).

Every list page that can grow with the data is paginated, so what a page costs follows the page
size, not the number of rows in the user's scope: a COUNT, then the page's own rows.
"""

from django.core.paginator import Paginator


def paginate(request, items, per_page: int):
    """(page, page_range): the requested page (?page=N, the nearest valid one otherwise) and
    the page numbers to link, with ellipses, or [] when there is one page."""
    paginator = Paginator(items, per_page)
    page = paginator.get_page(request.GET.get("page"))
    page_range = (
        list(paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1))
        if paginator.num_pages > 1
        else []
    )
    return page, page_range


class IdsFirst:
    """A list for Paginator (web or DRF) that reads a page in two steps: the page's ids from
    `queryset` (its filter and ordering on its own table), then those rows with `related`
    joined. One query more than a plain queryset, and a page then costs the same whatever
    the size of the scope: joined in one query, PostgreSQL would join every row of the
    scope before sorting out the fifty it shows."""

    ordered = True  # Paginator warns about unordered lists

    def __init__(self, queryset, *, related: tuple[str, ...]):
        self.queryset = queryset
        self.related = related

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        ids = list(self.queryset.values_list("pk", flat=True)[index])
        rows = self.queryset.model._default_manager.filter(pk__in=ids)
        by_id = {row.pk: row for row in self._annotated(rows).select_related(*self.related)}
        return [by_id[pk] for pk in ids]

    def _annotated(self, rows):
        """Keep the annotations the original queryset adds (the page may show them)."""
        annotations = self.queryset.query.annotations
        return rows.annotate(**annotations) if annotations else rows

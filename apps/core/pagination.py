"""One page of a list for the GOV.UK pagination component (templates/children/_pagination.html).

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

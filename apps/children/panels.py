"""What apps.children shows on the pages of apps.homes, which may not import it
(apps/core/panels.py; registered in ChildrenConfig.ready())."""

from apps.children import selectors
from apps.core.panels import register_panel
from apps.homes.selectors import home_list_annotation


def _home_children(request, *, home, permissions):
    """The children living at the home now that the user may see (police and administrators:
    not shown)."""
    if not permissions["can_see_children"]:
        return None
    return {"placements": selectors.home_children(user=request.user, home=home)}


def register() -> None:
    register_panel(
        page="homes:detail",
        slot="children",
        template="children/_home_children.html",
        context=_home_children,
    )
    home_list_annotation("children_now", selectors.children_now)

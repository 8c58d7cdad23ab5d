"""Page panels: how a higher app shows its part on a lower app's page without being imported.

A page of a lower app (named like its URL, "children:detail") has named slots in its template.
A higher app registers a panel for a page and slot in its `AppConfig.ready()`: a template, and a
function of the request and the page's objects that returns the template's context, or None to
show nothing. The page's view passes `panels=page_panels("children:detail", request,
child=child)` to its template, which renders a slot with

  {% for panel in panels.summary %}{% include panel.template with panel=panel.context %}{% endfor %}

The panel's template sees the page's whole context as well, and its own as `panel`. Like
NetBox's PluginTemplateExtension: the lower app names the places, the higher app fills them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

PanelContext = Callable[..., dict[str, Any] | None]


@dataclass(frozen=True)
class Panel:
    page: str
    slot: str
    template: str
    context: PanelContext


@dataclass(frozen=True)
class ShownPanel:
    template: str
    context: dict[str, Any]


_PANELS: dict[str, list[Panel]] = {}


def register_panel(*, page: str, slot: str, template: str, context: PanelContext) -> None:
    """Show `template` in `slot` of `page`, with `context(request, **objects)` (None: not shown).
    Registering the same page, slot and template again replaces it, so a repeated `ready()`
    shows a panel once."""
    panels = [
        panel for panel in _PANELS.get(page, []) if (panel.slot, panel.template) != (slot, template)
    ]
    panels.append(Panel(page=page, slot=slot, template=template, context=context))
    _PANELS[page] = panels


def page_panels(page: str, request, **objects) -> dict[str, list[ShownPanel]]:
    """Each slot of `page` with the panels to show in it, in the order they were registered."""
    slots: dict[str, list[ShownPanel]] = {}
    for panel in _PANELS.get(page, []):
        context = panel.context(request, **objects)
        if context is not None:
            slots.setdefault(panel.slot, []).append(ShownPanel(panel.template, context))
    return slots

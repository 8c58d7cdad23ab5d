"""Page panels (apps.core.panels): a higher app fills a named slot of a lower app's page."""

import pytest
from django.template import engines
from django.test import RequestFactory

from apps.core import panels


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(panels, "_PANELS", {})
    return panels


def giving(value: dict):
    return lambda request, **objects: value


def test_a_page_shows_each_registered_panel_in_its_slot_in_order(registry):
    registry.register_panel(
        page="p", slot="top", template="a.html", context=lambda r, **o: {"n": 1}
    )
    registry.register_panel(
        page="p", slot="top", template="b.html", context=lambda r, **o: {"n": 2}
    )
    registry.register_panel(page="q", slot="top", template="c.html", context=giving({}))
    shown = registry.page_panels("p", RequestFactory().get("/"))
    assert [(panel.template, panel.context) for panel in shown["top"]] == [
        ("a.html", {"n": 1}),
        ("b.html", {"n": 2}),
    ]


def test_a_panel_gets_the_request_and_the_pages_objects_and_none_hides_it(registry):
    seen = {}

    def context(request, *, child):
        seen.update(request=request, child=child)
        return None

    registry.register_panel(page="p", slot="top", template="a.html", context=context)
    request = RequestFactory().get("/")
    assert registry.page_panels("p", request, child="ax") == {}
    assert seen == {"request": request, "child": "ax"}


def test_registering_the_same_panel_again_replaces_it(registry):
    registry.register_panel(page="p", slot="top", template="a.html", context=giving({"n": 1}))
    registry.register_panel(page="p", slot="top", template="a.html", context=giving({"n": 2}))
    assert [panel.context for panel in registry.page_panels("p", None)["top"]] == [{"n": 2}]


def test_a_slot_renders_its_panels_templates_with_their_context_and_an_empty_one_nothing():
    shown = {"top": [panels.ShownPanel("site/accessibility.html", {"n": 1})]}
    template = engines["django"].from_string(
        "[{% for panel in panels.none %}x{% endfor %}]"
        "{% for panel in panels.top %}{{ panel.template }}:{{ panel.context.n }}{% endfor %}"
    )
    assert template.render({"panels": shown}) == "[]site/accessibility.html:1"


def test_the_higher_apps_register_their_panels_on_the_lower_apps_pages():
    registered = {
        (page, panel.slot, panel.template)
        for page, page_panels in panels._PANELS.items()
        for panel in page_panels
    }
    assert {
        ("children:detail", "banner", "alerts/_child_alerts.html"),
        ("children:detail", "summary", "strategy_meetings/_child_meetings.html"),
        ("alerts:detail", "actions", "strategy_meetings/_alert_meeting.html"),
    } <= registered

"""The service navigation marks the section the page belongs to: "Children" on every page of a
child's record, "Homes" on every page of a home, "Start" on the start page only."""

import re

import pytest

from apps.site.context_processors import active_url, is_active


@pytest.mark.parametrize(
    ("url", "current", "active"),
    [
        ("/", "/", True),
        ("/", "/children/", False),
        ("/", "/children/7/", False),
        ("/children/", "/children/", True),
        ("/children/", "/children/7/", True),
        ("/children/", "/children/7/profile/associates/3/edit/", True),
        ("/children/", "/homes/7/", False),
        ("/children/", "/childrens-services/", False),
        ("/homes/", "/homes/7/staff/", True),
        ("/homes/", "/", False),
    ],
)
def test_an_item_is_active_on_its_page_and_the_pages_under_it(url, current, active):
    assert is_active(url, current) is active


def active_items(response) -> list[str]:
    """The labels of the navigation links marked as the current page, as the page shows them."""
    html = response.content.decode()
    nav = re.search(r'<nav class="govuk-service-navigation".*?</nav>', html, re.S).group(0)
    current = re.findall(r'aria-current="page">\s*<strong[^>]*>([^<]+)</strong>', nav)
    return [label.strip() for label in current]


@pytest.mark.django_db
class TestTheMenuOnEachPage:
    def test_start_is_active_only_on_the_start_page(self, world, signed_in):
        client = signed_in(world.users["sw_a"])
        assert active_items(client.get("/")) == ["Start"]
        assert active_items(client.get("/children/")) == ["Children"]

    @pytest.mark.parametrize("tab", ["", "profile/", "placements/", "history/"])
    def test_children_is_active_on_every_tab_of_a_childs_record(self, world, signed_in, tab):
        client = signed_in(world.users["sw_a"])
        response = client.get(f"/children/{world.children['a1'].pk}/{tab}")
        assert response.status_code == 200
        assert active_items(response) == ["Children"]

    def test_children_is_active_on_a_form_of_a_childs_record(self, world, signed_in):
        client = signed_in(world.users["sw_a"])
        response = client.get(f"/children/{world.children['a1'].pk}/associates/new/")
        assert response.status_code == 200
        assert active_items(response) == ["Children"]

    def test_homes_is_active_on_a_home_and_its_staff_page(self, world, signed_in):
        home = world.homes["A1"]
        client = signed_in(world.users["hm_a1"])
        assert active_items(client.get(f"/homes/{home.pk}/")) == ["Homes"]
        assert active_items(client.get(f"/homes/{home.pk}/staff/")) == ["Homes"]

    def test_on_notices_the_header_link_is_marked_and_not_alerts(self, world, signed_in):
        client = signed_in(world.users["sw_a"])
        response = client.get("/alerts/notices/")
        assert response.status_code == 200
        assert active_items(response) == []
        html = response.content.decode()
        assert re.search(
            r'href="/alerts/notices/" aria-current="page" data-testid="header-notices"', html
        )
        response = client.get("/alerts/")
        assert active_items(response) == ["Alerts"]
        assert 'aria-current="page" data-testid="header-notices"' not in response.content.decode()


def test_only_the_most_specific_item_is_marked_when_one_sits_under_another():
    urls = ["/", "/episodes/", "/episodes/interviews/"]
    assert active_url(urls, "/episodes/interviews/") == "/episodes/interviews/"
    assert active_url(urls, "/episodes/7/") == "/episodes/"
    assert active_url(urls, "/account/") is None

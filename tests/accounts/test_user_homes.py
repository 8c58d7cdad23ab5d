"""The homes a care worker or home manager works in, changed from their user page: an
administrator gives any open home of the person's organisation, a home manager only the homes
they manage; a change made by someone else meanwhile is refused, not overwritten."""

import re

import pytest
from django.urls import reverse

from apps.accounts.selectors import user_homes
from apps.homes import services as homes
from tests.world import _home

pytestmark = pytest.mark.django_db


def checked(html) -> set[str]:
    boxes = re.findall(r'<input type="checkbox" name="homes" value="(\d+)"[^>]*?( checked)?>', html)
    return {value for value, on in boxes if on}


def url(person):
    return reverse("accounts:user_homes", args=[person.pk])


@pytest.fixture
def a2(world):
    """A second home run by authority A, so a care worker of A can be given it."""
    return _home(world.users["admin"], "A2", world.orgs["A"], world.orgs["A"], world.orgs["F1"], 9)


def test_an_administrator_gives_a_care_worker_a_second_home(world, signed_in, a2):
    carer, a1 = world.users["cw_a1"], world.homes["A1"]
    client = signed_in(world.users["admin"])
    page = client.get(url(carer)).content.decode()
    assert checked(page) == {str(a1.pk)}
    assert f'name="shown" value="{a1.pk}"' in page
    response = client.post(url(carer), {"homes": [a1.pk, a2.pk], "shown": str(a1.pk)})
    assert response.status_code == 302
    assert response.url == reverse("accounts:user_detail", args=[carer.pk])
    assert user_homes(carer) == ["Home A1", "Home A2"]
    detail = client.get(response.url).content.decode()
    assert 'data-testid="change-homes"' in detail and "Home A2" in detail


def test_a_home_of_another_organisation_is_refused_and_nothing_changes(world, signed_in):
    carer, a1, b1 = world.users["cw_a1"], world.homes["A1"], world.homes["B1"]
    client = signed_in(world.users["admin"])
    response = client.post(url(carer), {"homes": [a1.pk, b1.pk], "shown": str(a1.pk)})
    assert response.status_code == 200
    assert "Staff must work for the organisation that runs the home" in response.content.decode()
    assert user_homes(carer) == ["Home A1"]


def test_a_change_made_meanwhile_is_refused_and_the_page_shows_it(world, signed_in, a2):
    carer, a1 = world.users["cw_a1"], world.homes["A1"]
    client = signed_in(world.users["admin"])
    homes.home_staff_grant(actor=world.users["admin"], home=a2, user=carer)  # someone else
    response = client.post(url(carer), {"homes": [], "shown": str(a1.pk)})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone changed this person&#x27;s homes after you opened the page" in html
    assert user_homes(carer) == ["Home A1", "Home A2"]  # nothing removed
    assert checked(html) == {str(a1.pk), str(a2.pk)}  # the homes as they are now


def test_a_home_manager_changes_only_their_homes_and_loses_a_carer_they_remove(world, signed_in):
    carer, a1, b1 = world.users["cw_a1"], world.homes["A1"], world.homes["B1"]
    client = signed_in(world.users["hm_a1"])
    page = client.get(url(carer)).content.decode()
    assert f'value="{b1.pk}"' not in page  # not theirs to give
    refused = client.post(url(carer), {"homes": [b1.pk], "shown": str(a1.pk)})
    assert refused.status_code == 200 and user_homes(carer) == ["Home A1"]
    response = client.post(url(carer), {"shown": str(a1.pk)})
    assert response.status_code == 302
    assert response.url == reverse("accounts:user_list")  # no longer their staff
    assert user_homes(carer) == []
    assert client.get(url(carer)).status_code == 404


@pytest.mark.parametrize("who", ["sw_a", "police_1", "cw_a1"])
def test_nobody_else_may_change_homes(world, signed_in, who):
    assert signed_in(world.users[who]).get(url(world.users["cw_a1"])).status_code == 404


def test_a_role_that_works_in_no_home_has_no_homes_page(world, signed_in):
    client = signed_in(world.users["admin"])
    assert client.get(url(world.users["sw_a"])).status_code == 404
    detail = client.get(reverse("accounts:user_detail", args=[world.users["sw_a"].pk]))
    assert 'data-testid="change-homes"' not in detail.content.decode()

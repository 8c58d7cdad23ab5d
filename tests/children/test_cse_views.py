"""The CSE risk assessment pages (case holders) and the authority's indicators (service
managers)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.children import services
from apps.children.models import CseIndicator, CseRiskAssessment
from apps.children.selectors import indicators_for

pytestmark = pytest.mark.django_db


def day(name: str, value) -> dict:
    return {f"{name}_day": value.day, f"{name}_month": value.month, f"{name}_year": value.year}


def body(response) -> str:
    return response.content.decode()


def url(name, *args, **query):
    path = reverse(f"children:{name}", args=args)
    if query:
        path += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return path


# CSE risk assessments -------------------------------------------------------------------------


def answers_for(indicators, answer="no", timing="") -> dict:
    data = {}
    for indicator in indicators:
        data[f"indicator_{indicator.pk}"] = answer
        if timing:
            data[f"indicator_{indicator.pk}_timing"] = timing
    return data


class TestAssessments:
    def test_a_complete_screening_sets_the_level(self, signed_in, world):
        child = world.children["a1"]
        indicators = indicators_for(child.placing_authority)
        client = signed_in(world.users["sw_a"])
        page = body(client.get(url("assessment_new", child.pk)))
        assert page.count('data-testid="cse-domain"') == 8
        data = {
            **day("assessed_on", timezone.localdate()),
            **answers_for(indicators, "yes", "current"),
        }
        response = client.post(url("assessment_new", child.pk), data)
        assessment = CseRiskAssessment.objects.get()
        assert response["Location"] == url("assessment", child.pk, assessment.pk)
        assert assessment.level == "high"
        child.refresh_from_db()
        assert child.cse_risk == "high"

    def test_unanswered_indicators_are_errors_and_answers_are_kept(self, signed_in, world):
        child = world.children["a1"]
        indicators = indicators_for(child.placing_authority)
        client = signed_in(world.users["sw_a"])
        data = {
            **day("assessed_on", timezone.localdate()),
            **answers_for(indicators[1:], "possible", "historic"),
            "summary": "My careful analysis",
        }
        response = client.post(url("assessment_new", child.pk), data)
        html = body(response)
        assert "govuk-error-summary" in html
        assert f"Answer: {indicators[0].text}" in html.replace("&#x27;", "'")
        assert "My careful analysis" in html
        second = f'name="indicator_{indicators[1].pk}" value="possible"'
        assert second in html and html.split(second)[1].lstrip().startswith(("checked", "id="))
        assert not CseRiskAssessment.objects.exists()

    def test_an_override_needs_a_reason(self, signed_in, world):
        child = world.children["a1"]
        indicators = indicators_for(child.placing_authority)
        client = signed_in(world.users["sw_a"])
        data = {
            **day("assessed_on", timezone.localdate()),
            **answers_for(indicators),
            "override_level": "medium",
        }
        response = client.post(url("assessment_new", child.pk), data)
        assert "Give a reason for overriding the calculated level" in body(response)

    def test_history_and_one_assessment_for_case_holders_only(self, signed_in, world):
        child = world.children["a1"]
        assessment = services.assessment_complete(
            actor=world.users["sw_a"],
            child=child,
            indicators=[],
            answers={},
            override_level="medium",
            override_reason="New older associates",
        )
        client = signed_in(world.users["sm_a"])
        assert url("assessment", child.pk, assessment.pk) in body(
            client.get(url("assessments", child.pk))
        )
        assert "New older associates" in body(
            client.get(url("assessment", child.pk, assessment.pk))
        )
        for key in ("hm_a1", "cw_a1", "police_1", "ri", "sw_b"):
            other = signed_in(world.users[key])
            assert other.get(url("assessments", child.pk)).status_code == 404, key
            assert other.get(url("assessment", child.pk, assessment.pk)).status_code == 404, key

    def test_an_assessment_of_another_child_is_404(self, signed_in, world):
        assessment = services.assessment_complete(
            actor=world.users["sw_a"],
            child=world.children["a2"],
            indicators=[],
            answers={},
        )
        client = signed_in(world.users["sw_a"])
        response = client.get(url("assessment", world.children["a1"].pk, assessment.pk))
        assert response.status_code == 404

    def test_the_child_page_shows_the_level_with_its_dates_and_links(self, signed_in, world):
        child = world.children["a1"]
        services.assessment_complete(
            actor=world.users["sw_a"],
            child=child,
            indicators=[],
            answers={},
            override_level="high",
            override_reason="Known to an exploiting group",
        )
        path = reverse("children:detail", args=[child.pk])
        mine = body(signed_in(world.users["sw_a"]).get(path))
        assert "High" in mine and "review due" in mine
        assert url("assessments", child.pk) in mine
        assert reverse("strategy_meetings:schedule", args=[child.pk]) in mine
        carer = body(signed_in(world.users["cw_a1"]).get(path))
        assert "High" in carer
        assert url("assessments", child.pk) not in carer
        assert reverse("strategy_meetings:child", args=[child.pk]) in carer


class TestIndicators:
    def test_a_service_manager_adds_one_to_their_authority(self, signed_in, world):
        client = signed_in(world.users["sm_a"])
        response = client.post(
            url("indicators"),
            {"domain": "online", "text": "Uses a second social media account", "weight": "2"},
        )
        assert response.status_code == 302
        indicator = CseIndicator.objects.get(text="Uses a second social media account")
        assert indicator.authority == world.orgs["A"] and indicator.weight == 2
        # Authority A's assessments ask it; B's do not.
        assert indicator in indicators_for(world.orgs["A"])
        assert indicator not in indicators_for(world.orgs["B"])

    def test_bad_input_is_an_error(self, signed_in, world):
        client = signed_in(world.users["sm_a"])
        response = client.post(url("indicators"), {"domain": "", "text": "Kept", "weight": "1"})
        html = body(response)
        assert "Choose the domain the indicator belongs to" in html and 'value="Kept"' in html

    @pytest.mark.parametrize("user", ["sw_a", "hm_a1", "police_1", "admin"])
    def test_only_service_managers(self, signed_in, world, user):
        assert signed_in(world.users[user]).get(url("indicators")).status_code == 404


def test_get_assessment_for_child_fetches_only_that_childs_assessments(world):
    from django.http import Http404

    from apps.children.access import get_assessment_for_child

    a1, a2 = world.children["a1"], world.children["a2"]
    assessment = services.assessment_complete(
        actor=world.users["sw_a"], child=a1, indicators=[], answers={}
    )
    assert get_assessment_for_child(a1, str(assessment.pk)) == assessment
    for child, pk in [(a2, assessment.pk), (a1, "x"), (a1, None), (a1, assessment.pk + 1)]:
        with pytest.raises(Http404):
            get_assessment_for_child(child, pk)

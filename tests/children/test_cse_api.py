"""CSE risk assessments in the API: the indicators, the assessments of a child (case holders)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.children import services
from apps.children.selectors import indicators_for

pytestmark = pytest.mark.django_db


class TestAssessments:
    def test_indicators_then_an_assessment(self, world, api):
        child = world.children["a1"]
        client = api(world.users["sw_a"])
        indicators = client.get(f"/api/v1/children/{child.pk}/cse-indicators/").json()
        assert len(indicators) == len(indicators_for(child.placing_authority))
        answers = [
            {"indicator": row["id"], "answer": "yes", "timing": "historic"} for row in indicators
        ]
        response = client.post(
            f"/api/v1/children/{child.pk}/cse-assessments/", {"answers": answers}, format="json"
        )
        assert response.status_code == 201, response.json()
        assert response.json()["level"] in {"medium", "high"}
        assert len(response.json()["answers"]) == len(indicators)
        history = client.get(f"/api/v1/children/{child.pk}/cse-assessments/").json()
        assert history["count"] == 1

    def test_a_missing_answer_is_400_naming_the_indicator(self, world, api):
        child = world.children["a1"]
        client = api(world.users["sw_a"])
        indicators = client.get(f"/api/v1/children/{child.pk}/cse-indicators/").json()
        answers = [{"indicator": row["id"], "answer": "no"} for row in indicators[1:]]
        response = client.post(
            f"/api/v1/children/{child.pk}/cse-assessments/", {"answers": answers}, format="json"
        )
        assert response.status_code == 400
        assert list(response.json()["fields"]) == [f"indicator_{indicators[0]['id']}"]

    @pytest.mark.parametrize("user", ["police_1", "hm_a1", "cw_a1", "ri", "sm_b"])
    def test_only_case_holders_see_the_detail(self, world, api, user):
        child = world.children["a1"]
        client = api(world.users[user])
        assert client.get(f"/api/v1/children/{child.pk}/cse-assessments/").status_code == 404
        assert client.get(f"/api/v1/children/{child.pk}/cse-indicators/").status_code == 404

    @pytest.mark.parametrize("count", [1, 6])
    def test_the_history_costs_the_same_queries_for_1_or_n(
        self, world, api, django_assert_num_queries, count
    ):
        child = world.children["a1"]
        indicators = indicators_for(child.placing_authority)
        for n in range(count):
            services.assessment_complete(
                actor=world.users["sw_a"],
                child=child,
                indicators=indicators,
                answers={i.pk: ("no", "") for i in indicators},
                assessed_on=timezone.localdate() - timedelta(days=n),
            )
        client = api(world.users["sw_a"])
        # 1 the token and its user; 2 the child; 3 the access log row; 4 COUNT of the
        # assessments; 5 the page with the assessor; 6 their answers (prefetch).
        with django_assert_num_queries(6):
            response = client.get(f"/api/v1/children/{child.pk}/cse-assessments/")
        assert response.json()["count"] == count

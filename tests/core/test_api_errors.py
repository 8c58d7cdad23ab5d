"""Every refusal under /api/ is one JSON body, {"message": ..., "fields": {...}}, with its status
documented for each operation in the OpenAPI schema (apps.core.api)."""

import json

import pytest
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404
from django.test import RequestFactory
from drf_spectacular.generators import SchemaGenerator
from rest_framework import exceptions
from rest_framework.test import APIClient

from apps.core.api import exception_handler
from apps.site import views
from tests.factories import api_key
from tests.world import build_world

pytestmark = pytest.mark.django_db

PAGE_ERROR = {"page": ["Enter a page number from 1 to the last page"]}


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def api(world):
    """An API client with the token of social worker sw_a (sees children a1, a2, ax)."""
    client = APIClient()
    key = api_key(world.users["sw_a"])
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def refusal(response, status: int) -> dict:
    """The body of a refusal, after checking it is the one error body, in JSON."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert set(body) == {"message", "fields"}
    assert isinstance(body["message"], str) and body["message"]
    return body


class TestTheErrorBody:
    def test_a_record_that_is_missing_is_a_json_404(self, api):
        assert refusal(api.get("/api/v1/children/999999/"), 404)["fields"] == {}

    def test_a_record_the_user_may_not_see_is_the_same_404(self, api, world):
        missing = refusal(api.get("/api/v1/children/999999/"), 404)
        forbidden = refusal(api.get(f"/api/v1/children/{world.children['b1'].pk}/"), 404)
        assert forbidden == missing

    def test_an_id_that_is_not_a_number_is_a_json_404(self, api):
        refusal(api.get("/api/v1/children/abc/"), 404)

    def test_a_url_that_matches_no_route_is_a_json_404(self, api):
        assert refusal(api.get("/api/v1/no-such-thing/"), 404) == {
            "message": "Not found.",
            "fields": {},
        }

    def test_a_url_without_its_slash_still_redirects(self, api):
        assert api.get("/api/v1/children").status_code == 301

    def test_json_that_does_not_parse_is_a_400(self, api, world):
        url = f"/api/v1/children/{world.children['a1'].pk}/profile/associates/"
        body = refusal(api.post(url, "{name", content_type="application/json"), 400)
        assert "JSON parse error" in body["message"]

    def test_a_request_without_a_token_is_a_401_that_says_how_to_sign_in(self):
        response = APIClient().get("/api/v1/children/")
        refusal(response, 401)
        assert response["WWW-Authenticate"] == "Token"

    def test_a_wrong_token_is_a_401(self):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Token nope")
        refusal(client.get("/api/v1/children/"), 401)

    def test_a_method_the_route_does_not_have_is_a_405_naming_those_it_has(self, api):
        response = api.delete("/api/v1/children/")
        refusal(response, 405)
        assert "GET" in response["Allow"]

    def test_asking_for_a_format_other_than_json_is_a_406(self, api):
        refusal(api.get("/api/v1/children/", HTTP_ACCEPT="application/xml"), 406)

    def test_a_body_in_a_format_the_api_does_not_read_is_a_415(self, api, world):
        url = f"/api/v1/children/{world.children['a1'].pk}/profile/associates/"
        refusal(api.post(url, "<name/>", content_type="application/xml"), 415)

    def test_a_role_that_may_never_do_it_is_a_403(self, world):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(world.users['cw_a1'])}")
        refusal(client.post("/api/v1/children/", {}, format="json"), 403)

    def test_invalid_input_names_each_field(self, api, world):
        url = f"/api/v1/children/{world.children['a1'].pk}/profile/associates/"
        body = refusal(api.post(url, {}, format="json"), 400)
        assert "name" in body["fields"]
        assert body["message"].startswith("name: ")


class TestPages:
    @pytest.mark.parametrize("page", ["0", "-1", "abc", "2"])
    def test_a_page_that_is_not_one_to_the_last_is_a_400_naming_page(self, api, page):
        body = refusal(api.get("/api/v1/children/", {"page": page}), 400)
        assert body["fields"] == PAGE_ERROR

    def test_the_first_and_the_last_page_are_pages(self, api):
        assert api.get("/api/v1/children/", {"page": "1"}).status_code == 200
        assert api.get("/api/v1/children/", {"page": "last"}).status_code == 200


class TestTheHandler:
    """exception_handler itself, for refusals no route of today raises."""

    def call(self, exc):
        response = exception_handler(exc, {"request": None, "view": None})
        assert set(response.data) == {"message", "fields"}
        return response

    def test_http404_from_access_code_keeps_its_message(self):
        response = self.call(Http404("No such child"))
        assert (response.status_code, response.data["message"]) == (404, "No such child")

    def test_permission_denied_is_a_403(self):
        assert self.call(PermissionDenied()).status_code == 403

    def test_throttling_is_a_429_saying_when_to_try_again(self):
        response = self.call(exceptions.Throttled(wait=30))
        assert response.status_code == 429
        assert response["Retry-After"] == "30"

    def test_a_request_too_large_is_a_413(self):
        assert self.call(RequestDataTooBig()).status_code == 413

    def test_a_request_django_finds_malformed_is_a_400(self):
        assert self.call(SuspiciousOperation("bad")).status_code == 400

    def test_validation_errors_name_each_field(self):
        response = self.call(exceptions.ValidationError({"q": ["Too long."]}))
        assert response.data == {"message": "q: Too long.", "fields": {"q": ["Too long."]}}

    def test_anything_else_is_left_to_django_as_a_server_error(self):
        assert exception_handler(ValueError("bug"), {"request": None, "view": None}) is None


class TestErrorPagesUnderTheApi:
    """Django's own handlers answer in JSON under /api/ (a refusal before DRF is reached)."""

    @pytest.mark.parametrize(
        ("handler", "status"),
        [
            (views.bad_request, 400),
            (views.not_found, 404),
            (views.permission_denied, 404),  # forbidden looks like missing
            (views.server_error, 500),
        ],
    )
    def test_each_handler_answers_json_under_the_api(self, handler, status):
        request = RequestFactory().get("/api/v1/children/")
        response = handler(request) if handler is views.server_error else handler(request, None)
        refusal(response, status)

    def test_a_request_too_large_is_a_json_413(self, api, world, settings):
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
        url = f"/api/v1/children/{world.children['a1'].pk}/profile/associates/"
        refusal(api.post(url, {"name": "x" * 200}), 413)  # multipart, read by Django

    def test_a_malformed_multipart_body_is_a_json_400(self, api, world):
        url = f"/api/v1/children/{world.children['a1'].pk}/profile/associates/"
        response = api.generic(
            "POST", url, b"--x\r\nnot a part", content_type="multipart/form-data; boundary="
        )
        refusal(response, 400)


@pytest.fixture(scope="module")
def operations(django_db_blocker):
    """(path, method, operation) of the schema drf-spectacular makes of this code."""
    with django_db_blocker.unblock():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (path, method, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]


class TestTheSchema:
    def test_every_operation_documents_the_refusals_it_can_answer_with(self, operations):
        assert len(operations) > 40
        for path, method, operation in operations:
            expected = {"400", "401", "403", "406"}
            if "{" in path:
                expected.add("404")
            if "requestBody" in operation:
                expected |= {"413", "415"}
            responses = operation["responses"]
            assert expected <= set(responses), (method, path, sorted(responses))
            for code in expected:
                schema = responses[code]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorOutput"}, (method, path)

    def test_an_operation_keeps_its_own_description_of_a_status(self, operations):
        (patch,) = [o for p, m, o in operations if p == "/api/v1/children/{id}/" and m == "patch"]
        assert "broke a rule" in patch["responses"]["400"]["description"]
        assert "412" in patch["responses"] and "428" in patch["responses"]

    def test_the_page_parameter_says_what_else_is_refused(self, operations):
        (children,) = [o for p, m, o in operations if p == "/api/v1/children/" and m == "get"]
        (page,) = [p for p in children["parameters"] if p["name"] == "page"]
        assert "refused (400)" in page["description"]
        assert "400" in children["responses"]

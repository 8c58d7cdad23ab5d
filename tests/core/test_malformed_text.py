"""Text that is not valid UTF-8 is refused with a field error, however it arrives, and never
saved as replacement characters (U+FFFD) or lone surrogates: a query string, a form, a
multipart body (apps.core.middleware), and the API's JSON, form and multipart bodies
(apps.core.api's parsers)."""

import json

import pytest
from rest_framework.test import APIClient

from apps.children.models import Associate
from apps.core.validators import MALFORMED_TEXT_MESSAGE, malformed_text_fields
from tests.factories import api_key
from tests.world import build_world

pytestmark = pytest.mark.django_db

REFUSED = [MALFORMED_TEXT_MESSAGE]


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def child(world):
    return world.children["a1"]


@pytest.fixture
def web(world, signed_in):
    return signed_in(world.users["cw_a1"])  # keeps a1's profile


@pytest.fixture
def api(world):
    client = APIClient()
    key = api_key(world.users["cw_a1"])
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def multipart(**fields: bytes) -> bytes:
    """A multipart/form-data body (boundary "B") whose field values are these raw bytes."""
    parts = [
        b'--B\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (name.encode(), value)
        for name, value in fields.items()
    ]
    return b"".join(parts) + b"--B--\r\n"


MULTIPART = "multipart/form-data; boundary=B"
FORM = "application/x-www-form-urlencoded"


def api_refusal(response) -> dict:
    assert response.status_code == 400, response.content
    return json.loads(response.content)["fields"]


class TestTheCheck:
    def test_real_text_in_any_script_passes(self):
        assert malformed_text_fields({"name": "Zoë Ñúñez 李 😀", "n": 3, "tags": ["a"]}) == {}

    @pytest.mark.parametrize("bad", ["\ufffd", "a\ud800b", "\udfff"])
    def test_a_replacement_character_or_lone_surrogate_names_its_field(self, bad):
        assert malformed_text_fields({"name": bad}) == {"name": REFUSED}

    def test_a_nested_field_is_named_by_its_path(self):
        data = {"items": [{"ok": "yes"}, {"name": "\ud800"}], "tags": ["a", "\ufffd"]}
        assert malformed_text_fields(data) == {"items.1.name": REFUSED, "tags": REFUSED}

    def test_a_bad_field_name_is_named_with_question_marks(self):
        assert malformed_text_fields({"na\ud800me": "x"}) == {"na?me": REFUSED}


class TestTheWeb:
    def url(self, child):
        return f"/children/{child.pk}/associates/new/"

    def refused_page(self, response, field: str) -> str:
        assert response.status_code == 400
        html = response.content.decode()
        assert "govuk-error-summary" in html
        assert f"{field}: {MALFORMED_TEXT_MESSAGE}" in html
        return html

    def test_a_form_with_a_byte_that_is_not_utf8_is_refused_and_nothing_saved(self, web, child):
        response = web.post(self.url(child), "name=Jay%FF", content_type=FORM)
        self.refused_page(response, "name")
        assert not Associate.objects.exists()

    def test_a_multipart_form_with_a_byte_that_is_not_utf8_is_refused(self, web, child):
        response = web.generic(
            "POST", self.url(child), multipart(name=b"Jay\xff"), content_type=MULTIPART
        )
        self.refused_page(response, "name")
        assert not Associate.objects.exists()

    def test_a_query_string_with_a_byte_that_is_not_utf8_is_refused(self, web):
        self.refused_page(web.get("/children/?q=%FF"), "q")

    def test_real_text_is_saved_as_it_was_written(self, web, child):
        response = web.post(self.url(child), "name=Zo%C3%AB%20%F0%9F%98%80", content_type=FORM)
        assert response.status_code == 302
        assert Associate.objects.get().name == "Zoë 😀"


class TestTheApi:
    def url(self, child):
        return f"/api/v1/children/{child.pk}/profile/associates/"

    def test_json_with_a_lone_surrogate_is_refused_and_nothing_saved(self, api, child):
        response = api.post(
            self.url(child), '{"name": "Jay\\ud800"}', content_type="application/json"
        )
        assert api_refusal(response) == {"name": REFUSED}
        assert not Associate.objects.exists()

    def test_json_with_a_byte_that_is_not_utf8_does_not_parse(self, api, child):
        response = api.post(
            self.url(child), b'{"name": "Jay\xff"}', content_type="application/json"
        )
        assert response.status_code == 400
        assert "JSON parse error" in json.loads(response.content)["message"]
        assert not Associate.objects.exists()

    def test_a_form_body_is_refused(self, api, child):
        assert api_refusal(api.post(self.url(child), "name=%FF", content_type=FORM)) == {
            "name": REFUSED
        }

    def test_a_multipart_body_is_refused(self, api, child):
        response = api.generic(
            "POST", self.url(child), multipart(name=b"\xff"), content_type=MULTIPART
        )
        assert api_refusal(response) == {"name": REFUSED}

    @pytest.mark.parametrize(
        ("body", "content_type"),
        [("height=%FF", FORM), (multipart(height=b"\xff"), MULTIPART)],
    )
    def test_a_patch_body_django_leaves_to_drf_is_refused(self, api, child, body, content_type):
        url = f"/api/v1/children/{child.pk}/profile/"
        version = api.get(url)["ETag"]
        response = api.generic("PATCH", url, body, content_type=content_type, HTTP_IF_MATCH=version)
        assert api_refusal(response) == {"height": REFUSED}
        assert api.get(url)["ETag"] == version  # unchanged

    def test_a_query_string_is_refused(self, api):
        assert api_refusal(api.get("/api/v1/children/?q=%FF")) == {"q": REFUSED}

    def test_real_text_is_saved_as_it_was_written(self, api, child):
        response = api.post(self.url(child), {"name": "Zoë 😀"}, format="json")
        assert response.status_code == 201
        assert Associate.objects.get().name == "Zoë 😀"

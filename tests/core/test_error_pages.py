"""On the web, a request too large or malformed gets a GOV.UK error page (handler400): 413 with
what to do for one too large, 400 for one Django could not read."""

import pytest

from tests.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(signed_in):
    world = build_world()
    client = signed_in(world.users["cw_a1"])
    client.url = f"/children/{world.children['a1'].pk}/associates/new/"
    return client


def page(response, status: int) -> str:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert 'class="govuk-heading-l"' in html and "/static/dist/app.css" in html
    return html


def test_a_request_too_large_is_a_413_page_saying_what_to_do(web, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    html = page(web.post(web.url, {"name": "x" * 200}), 413)
    assert "Your request was too large" in html
    assert "choose a smaller one" in html


def test_a_form_with_too_many_fields_is_a_400_page(web, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 3
    body = "&".join(f"f{n}=x" for n in range(5))
    html = page(web.post(web.url, body, content_type="application/x-www-form-urlencoded"), 400)
    assert "Sorry, there is a problem with your request" in html


def test_a_malformed_multipart_body_is_a_400_page(web):
    response = web.generic(
        "POST", web.url, b"--x\r\nnot a part", content_type="multipart/form-data; boundary="
    )
    assert "Homeward could not read what your browser sent" in page(response, 400)


def test_a_host_the_site_does_not_serve_is_a_400_page(client):
    html = page(client.get("/", HTTP_HOST="evil.example"), 400)
    assert "Sorry, there is a problem with your request" in html
    assert "evil.example" not in html

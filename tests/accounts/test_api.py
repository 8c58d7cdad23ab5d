import pytest
from rest_framework.authtoken.models import Token

from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_a_partner_system_reads_its_own_account_with_a_token(client):
    user = make_user("police_liaison")
    token = Token.objects.create(user=user)
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert response.json()["email"] == user.email
    assert response.json()["organisation"]["kind"] == "police_force"


def test_the_api_refuses_anonymous_requests(client):
    assert client.get("/api/v1/me/").status_code in {401, 403}


def test_the_api_refuses_a_bad_token(client):
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION="Token not-a-token")
    assert response.status_code == 401


def test_the_openapi_schema_and_docs_are_served_offline(client, signed_in):
    signed_in(make_user())
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/me/" in schema.content
    docs = client.get("/api/v1/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/" in docs  # served from our own static files

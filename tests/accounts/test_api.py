from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import api_key, make_user

pytestmark = pytest.mark.django_db


def test_a_partner_system_reads_its_own_account_with_a_token(client):
    user = make_user("police_liaison")
    key = api_key(user)
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
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


class TestApiTokens:
    def issue(self, user, **kwargs):
        from apps.accounts import services

        expires = kwargs.pop("expires_at", timezone.now() + timedelta(days=7))
        return services.api_token_issue(actor=user, user=user, name="Partner", expires_at=expires)

    def test_only_the_hash_of_the_key_is_stored(self):
        user = make_user()
        token, key = self.issue(user)
        token.refresh_from_db()
        assert key not in token.key_hash
        assert len(token.key_hash) == 64

    def test_a_valid_token_answers_and_notes_its_last_use(self, client):
        user = make_user()
        token, key = self.issue(user)
        assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
        token.refresh_from_db()
        assert token.last_used_at is not None

    def test_a_revoked_token_answers_401_with_the_error_body(self, client):
        from apps.accounts import services

        user = make_user()
        token, key = self.issue(user)
        services.api_token_revoke(actor=user, token=token)
        response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
        assert response.status_code == 401
        assert "message" in response.json()
        assert token.history.first().history_user == user

    def test_an_expired_token_answers_401(self, client):
        user = make_user()
        token, key = self.issue(user)
        type(token).objects.filter(pk=token.pk).update(expires_at=timezone.now())
        response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
        assert response.status_code == 401
        assert "message" in response.json()

    def test_a_token_cannot_be_issued_already_expired(self):
        from apps.core.errors import ApplicationError

        with pytest.raises(ApplicationError):
            self.issue(make_user(), expires_at=timezone.now() - timedelta(days=1))

    def test_a_deactivated_users_token_answers_401(self, client):
        user = make_user()
        _, key = self.issue(user)
        user.is_active = False
        user.save()
        assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401

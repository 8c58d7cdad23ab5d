"""DRF authentication by Homeward's own API tokens (hashed, expiring, revocable).

The header stays `Authorization: Token <key>`. A wrong, revoked or expired key answers 401
with the API's one error body (apps.core.api.exception_handler).
"""

from rest_framework import authentication, exceptions


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        from apps.accounts import services

        token = services.api_token_use(key=key)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid, revoked or expired token.")
        return token.user, token

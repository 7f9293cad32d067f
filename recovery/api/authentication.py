"""Bearer-token authentication for integrations: `Authorization: Bearer rd_live_…`."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from recovery.api.services import token_hash
from recovery.models import ApiToken

MAX_TOKEN_LENGTH = 200


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """Finds the token by the hash of the secret; a revoked token or deactivated integration gets 401.

    Returns `(integration user, token)`: views read the token as `request.auth`.
    Sessions and CSRF play no part, so a logged-in browser cannot use the API.
    """

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2 or len(header[1]) > MAX_TOKEN_LENGTH:
            raise exceptions.AuthenticationFailed("Authorization: send “Bearer <token>”, the token without spaces.")
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Authorization: the token has characters no token has.") from None
        token = ApiToken.objects.select_related("user", "location").filter(secret_hash=token_hash(secret)).first()
        if token is None:
            raise exceptions.AuthenticationFailed("Authorization: unknown token.")
        if token.is_revoked or not token.user.is_active:
            raise exceptions.AuthenticationFailed("Authorization: this token was revoked; ask ops for a new one.")
        return token.user, token

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes the authentication (drf-spectacular finds it by class path)."""

    target_class = "recovery.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A per-integration token created by ops (`python manage.py api_token_create`).",
        }

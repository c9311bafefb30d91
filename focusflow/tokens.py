"""API tokens: django-rest-knox stores only a SHA-512 digest of each token, with an expiry.

Authentication costs one SQL statement per request (the token row joined to its user, with the
login's person and rights: focusflow.people.actor_columns). Knox itself
also walks the user's other tokens on every call to delete expired ones, and can push the expiry
on every call (AUTO_REFRESH); neither happens here, so the ping hot path keeps its budget. An expired
token is refused (and deleted when presented); a revoked token is a deleted row, refused at once.
"""

from __future__ import annotations

import re
from hmac import compare_digest

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS
from rest_framework import exceptions

from focusflow.people import actor_columns, actor_prime

# Knox tokens are hex; anything else (NUL, non-ASCII, absurd lengths) is refused before it reaches the
# database, where PostgreSQL would refuse a NUL with an error instead of "no such token".
WELL_FORMED_TOKEN = re.compile(r"[0-9A-Za-z_-]{15,200}")


def token_create(*, user, expires: bool = True) -> str:
    """A new API token for the user, valid REST_KNOX TOKEN_TTL (API_TOKEN_TTL_DAYS) unless
    `expires=False`; the key is shown once, never stored."""
    _, key = AuthToken.objects.create(user=user) if expires else AuthToken.objects.create(user=user, expiry=None)
    return key


def tokens_revoke(*, user) -> int:
    """Revoke every API token of the user; returns how many."""
    deleted, _ = AuthToken.objects.filter(user=user).delete()
    return deleted


class ApiTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`; sends WWW-Authenticate, so anonymous calls get 401."""

    def authenticate_credentials(self, token: bytes):
        try:
            key = token.decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        if not WELL_FORMED_TOKEN.fullmatch(key):
            raise exceptions.AuthenticationFailed("Invalid token.")
        # As knox's own lookup, with the login's person and rights read in the same statement.
        candidates = (
            AuthToken.objects.filter(token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH])
            .select_related("user")
            .annotate(**actor_columns("user_id"))
        )
        for auth_token in candidates:
            if self._cleanup_token(auth_token):
                continue
            if compare_digest(hash_token(key), auth_token.digest):
                user, auth = self.validate_user(auth_token)
                actor_prime(user, person_id=auth_token.actor_person_id, granted=auth_token.actor_granted)
                return user, auth
        raise exceptions.AuthenticationFailed("Invalid token.")

    def _cleanup_token(self, auth_token) -> bool:
        # Only this token's expiry: knox would also query the user's other tokens on every request.
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The OpenAPI description: `Authorization: Token <key>` (as DRF's token scheme was named)."""

    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Token-based authentication with required prefix "Token"',
        }

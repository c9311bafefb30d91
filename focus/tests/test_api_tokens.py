"""API tokens: hashed at rest, expiring, revocable, created by `drf_create_token`, one query per request."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from focusflow.tokens import token_create

pytestmark = pytest.mark.django_db


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_drf_create_token_prints_a_working_token(alice):
    out = io.StringIO()
    call_command("drf_create_token", "alice", stdout=out)
    match = re.fullmatch(r"Generated token (\S+) for user alice\n", out.getvalue())
    assert match, out.getvalue()
    response = _client(match.group(1)).get("/api/me")
    assert response.status_code == 200 and response.json()["username"] == "alice"


def test_drf_create_token_reset_revokes_the_old_tokens(alice_api):
    out = io.StringIO()
    call_command("drf_create_token", "alice", "--reset", stdout=out)
    assert alice_api.get("/api/me").status_code == 401
    assert _client(out.getvalue().split()[2]).get("/api/me").status_code == 200


def test_the_token_is_stored_only_as_a_digest_with_an_expiry(alice, settings):
    key = token_create(user=alice)
    row = AuthToken.objects.values().get(user=alice)
    assert key not in {str(value) for value in row.values()}
    assert settings.REST_KNOX["TOKEN_TTL"] == timedelta(days=90)
    assert abs(row["expiry"] - row["created"] - timedelta(days=90)) < timedelta(seconds=1)


def test_an_expired_token_is_refused(alice, settings):
    client = _client(token_create(user=alice))
    ttl = settings.REST_KNOX["TOKEN_TTL"]
    with time_machine.travel(timezone.now() + ttl - timedelta(minutes=1)):
        assert client.get("/api/me").status_code == 200
    with time_machine.travel(timezone.now() + ttl + timedelta(minutes=1)):
        response = client.get("/api/me")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Token")


def test_a_revoked_token_is_refused_and_the_other_tokens_still_work(alice_api):
    spare = APIClient()
    out = io.StringIO()
    call_command("drf_create_token", "alice", stdout=out)
    spare.credentials(HTTP_AUTHORIZATION=f"Token {out.getvalue().split()[2]}")
    AuthToken.objects.filter(token_key=alice_api.token[:15]).delete()
    assert alice_api.get("/api/me").status_code == 401
    assert spare.get("/api/me").status_code == 200


@pytest.mark.parametrize("header", ["Token \x00abc", "Token é" + "a" * 40, "Token " + "a" * 500, "Token ab", "Token"])
def test_a_malformed_token_is_a_401_not_a_500(header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/me")
    assert response.status_code == 401


def test_token_authentication_costs_one_query_and_writes_nothing(alice_api):
    """The ping hot path counts authentication as one statement: token and user in one SELECT, and no
    per-request UPDATE of a last-used time or an expiry."""
    from rest_framework.test import APIRequestFactory

    from focusflow.tokens import ApiTokenAuthentication

    http = APIRequestFactory().get("/api/me", HTTP_AUTHORIZATION=f"Token {alice_api.token}")
    with CaptureQueriesContext(connection) as queries:
        user, token = ApiTokenAuthentication().authenticate(http)
    assert user == alice_api.user and token.user_id == alice_api.user.pk
    assert len(queries) == 1, [q["sql"] for q in queries]
    assert queries[0]["sql"].lstrip().upper().startswith("SELECT")


def test_the_quick_start_prints_working_tokens(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("demo_account", stdout=out)
    tokens = re.findall(r"export (?:ADMIN_)?TOKEN=(\S+)", out.getvalue())  # pasted as the README's curl uses it
    assert len(tokens) == 2
    assert [_client(key).get("/api/me").json()["username"] for key in tokens] == ["demo", "admin"]
    call_command("demo_account", stdout=io.StringIO())  # a second run still works (new tokens)


def test_a_token_call_costs_one_query_for_the_token_its_person_and_its_rights(alice_api, staff_api):
    """The login's person and whether it may act for anyone are read in the token's own query
    (focusflow.people.actor_columns): a service account's permission costs a person's call nothing."""
    for client in (alice_api, staff_api):
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/me").status_code == 200
        assert len(queries) == 1, [q["sql"] for q in queries]

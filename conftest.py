"""Shared fixtures: three people (alice, bob, and staff) with API clients using real tokens."""

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test.utils import override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from rhythm.services import account_person_id


@pytest.fixture(scope="session", autouse=True)
def _require_postgresql():
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        pytest.exit(
            "The tests run on PostgreSQL (partial indexes, SKIP LOCKED): set DATABASE_URL, "
            "e.g. postgres://postgres@127.0.0.1:5432/focusflow, or run `make test`.",
            returncode=2,
        )


@pytest.fixture(scope="session", autouse=True)
def collected_static(tmp_path_factory):
    """DEBUG is off in the tests as in production, so pages link hashed static files from
    collectstatic's manifest (a name missing from it is a 500): collect once per run into a
    temporary STATIC_ROOT, as a deploy's release phase does."""
    root = tmp_path_factory.mktemp("staticfiles")
    with override_settings(STATIC_ROOT=root):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield root


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _client_for(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    client.user = user
    client.person_id = account_person_id(user=user)
    return client


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user("alice", password="alice-pass-123")


@pytest.fixture
def bob(django_user_model):
    return django_user_model.objects.create_user("bob", password="bob-pass-123")


@pytest.fixture
def charlie(django_user_model):
    """A staff/service account: acts for any person_id."""
    return django_user_model.objects.create_user("charlie", password="charlie-pass-123", is_staff=True)


@pytest.fixture
def alice_api(alice):
    return _client_for(alice)


@pytest.fixture
def bob_api(bob):
    return _client_for(bob)


@pytest.fixture
def staff_api(charlie):
    return _client_for(charlie)


@pytest.fixture
def anon_api():
    return APIClient()

"""Shared fixtures: two people (alice, bob), a service account (charlie) and a plain staff member
(dave), with API clients using real (hashed, expiring) tokens."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test.utils import override_settings
from rest_framework.test import APIClient

from focusflow.people import account_person_id
from focusflow.tokens import token_create

# What makes a test a database test: pytest-django's mark, or one of its database fixtures among the
# fixtures the test uses (directly or through other fixtures, e.g. `stack` → transactional_db).
DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "live_server",
}
# Tests that render pages in this process (DEBUG off: hashed static names from the manifest).
PAGE_FIXTURES = {"client", "async_client", "admin_client", "anon_api"}


def _needs_database(item: pytest.Item) -> bool:
    return item.get_closest_marker("django_db") is not None or bool(
        DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
    )


@pytest.hookimpl(trylast=True)  # after -k/-m have deselected what will not run
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """The database tests run on PostgreSQL only (partial indexes and SKIP LOCKED behave differently
    elsewhere); the pure ones (policy, guardrails, summary, charts, messages, habit) run anywhere."""
    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        return
    if any(_needs_database(item) for item in items):
        pytest.exit(
            "The tests run on PostgreSQL (partial indexes, SKIP LOCKED): set DATABASE_URL, "
            "e.g. postgres://postgres@127.0.0.1:5432/focusflow, or run `make test`.",
            returncode=2,
        )


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory):
    """DEBUG is off in the tests as in production, so pages link hashed static files from
    collectstatic's manifest (a name missing from it is a 500): collect once per run into a
    temporary STATIC_ROOT, as a deploy's release phase does."""
    root = tmp_path_factory.mktemp("staticfiles")
    with override_settings(STATIC_ROOT=root):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield root


@pytest.fixture(autouse=True)
def _static_files(request):
    """Collected static files for the tests that need Django's pages; the pure tests skip the cost."""
    if _needs_database(request.node) or PAGE_FIXTURES & set(request.fixturenames):
        request.getfixturevalue("collected_static")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _client_for(user) -> APIClient:
    client = APIClient()
    # No expiry here: tests pin the clock years ahead; expiry is tested in focus/tests/test_api_tokens.py.
    client.token = token_create(user=user, expires=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {client.token}")
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
    """A service account: holds focusflow.act_for_any_person (acts for any person_id, every access logged)."""
    user = django_user_model.objects.create_user("charlie", password="charlie-pass-123", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="focusflow", codename="act_for_any_person")
    )
    return user


@pytest.fixture
def dave(django_user_model):
    """Plain staff: the staff flag only, which opens the admin's door and no one's data."""
    return django_user_model.objects.create_user("dave", password="dave-pass-123", is_staff=True)


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
def plain_staff_api(dave):
    return _client_for(dave)


@pytest.fixture
def anon_api():
    return APIClient()

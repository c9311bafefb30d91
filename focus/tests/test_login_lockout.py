"""Password guessing is limited (django-axes): per username and per address, a 429 lockout page in the
site's layout, lifted by time or by an operator."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db

LOGIN_PAGES = ["/accounts/login/", "/admin/login/"]


def _login(path: str, username: str, password: str, address: str = "203.0.113.7"):
    return Client(REMOTE_ADDR=address).post(path, {"username": username, "password": password, "next": "/"})


def _guess(path: str, username: str, times: int, address: str = "203.0.113.7") -> None:
    """Wrong passwords: the form again with an error, and the lockout page from the limit-th on."""
    for attempt in range(1, times + 1):
        expected = 429 if attempt >= settings.AXES_FAILURE_LIMIT else 200
        assert _login(path, username, "wrong-guess", address).status_code == expected


@pytest.mark.parametrize("path", LOGIN_PAGES)
def test_after_the_failure_limit_even_the_right_password_is_refused_with_the_lockout_page(
    path, alice, charlie, settings
):
    username, password = ("charlie", "charlie-pass-123") if path.startswith("/admin/") else ("alice", "alice-pass-123")
    _guess(path, username, settings.AXES_FAILURE_LIMIT)
    response = _login(path, username, password)
    assert response.status_code == 429
    assert int(response["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    page = response.content.decode()
    assert "Too many sign-in attempts" in page and "</footer>" in page  # the site's layout, not a bare message
    assert "_auth_user_id" not in Client().session


def test_one_guess_fewer_than_the_limit_still_lets_the_right_password_in(alice, settings):
    _guess("/accounts/login/", "alice", settings.AXES_FAILURE_LIMIT - 1)
    assert _login("/accounts/login/", "alice", "alice-pass-123").status_code == 302


def test_another_username_from_another_address_is_unaffected(alice, bob, settings):
    _guess("/accounts/login/", "alice", settings.AXES_FAILURE_LIMIT)
    assert _login("/accounts/login/", "bob", "bob-pass-123", address="198.51.100.9").status_code == 302


def test_one_username_is_locked_from_every_address(alice, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _login("/accounts/login/", "alice", "wrong-guess", address=f"198.51.100.{attempt + 1}")
    assert _login("/accounts/login/", "alice", "alice-pass-123", address="192.0.2.50").status_code == 429


def test_one_address_trying_many_usernames_is_locked(bob, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _login("/accounts/login/", f"nobody{attempt}", "wrong-guess")
    assert _login("/accounts/login/", "bob", "bob-pass-123").status_code == 429


def test_the_lockout_ends_by_itself_after_the_cool_off(alice, settings):
    _guess("/accounts/login/", "alice", settings.AXES_FAILURE_LIMIT)
    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(seconds=1)):
        assert _login("/accounts/login/", "alice", "alice-pass-123").status_code == 302


def test_an_operator_unlocks_a_username_with_axes_reset_username(alice, settings):
    _guess("/accounts/login/", "alice", settings.AXES_FAILURE_LIMIT)
    assert _login("/accounts/login/", "alice", "alice-pass-123").status_code == 429
    out = io.StringIO()
    call_command("axes_reset_username", "alice", stdout=out)
    assert "removed" in out.getvalue()
    assert _login("/accounts/login/", "alice", "alice-pass-123").status_code == 302


def test_an_operator_sees_and_deletes_lockouts_in_the_admin(alice, django_user_model, settings):
    from axes.models import AccessAttempt

    _guess("/accounts/login/", "alice", settings.AXES_FAILURE_LIMIT)
    operator = Client()
    operator.force_login(django_user_model.objects.create_superuser("operator", password="op-pass-123"))
    attempt = AccessAttempt.objects.get(username="alice")
    assert operator.get("/admin/axes/accessattempt/").status_code == 200
    operator.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert _login("/accounts/login/", "alice", "alice-pass-123").status_code == 302


def test_api_token_calls_are_not_counted_as_login_failures(alice_api, settings):
    bad = Client(REMOTE_ADDR="203.0.113.7", HTTP_AUTHORIZATION="Token " + "0" * 64)
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        assert bad.get("/api/me").status_code == 401
    assert _login("/accounts/login/", "alice", "alice-pass-123").status_code == 302

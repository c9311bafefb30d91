"""Production settings and browser-facing protections: DEBUG unset means production, the deploy
checklist is clean, SECRET_KEY and EMAIL_URL are required, cookies are secure and HttpOnly, CSRF guards the login form and session-authenticated API
writes, the admin is staff-only, and a token deleted in the admin stops working at once.

Production settings are read in a subprocess (settings are evaluated once per process)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys

import pytest
from django.core import mail
from django.test import Client
from knox.models import AuthToken

from focus.models import FocusSession
from focus.tests.stack import ROOT

PRODUCTION = {
    "DEBUG": "false",
    "ALLOWED_HOSTS": "focusflow.example.com",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_PRELOAD": "true",
    "EMAIL_URL": "submission://focusflow:secret@smtp.example.com?_default_from_email=focus@example.com",
}


def run_django(args: list[str], **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in PRODUCTION and k != "SECRET_KEY"}
    base["DJANGO_SETTINGS_MODULE"] = "focusflow.settings"
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def production_settings(*names: str, **env: str) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}, default=str))"
    )
    done = run_django(["-c", code], **{**PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(50), **env})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_deploy_checklist_is_clean_with_production_settings(collected_static):
    done = run_django(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        **PRODUCTION,
        SECRET_KEY=secrets.token_urlsafe(50),
        STATIC_ROOT=str(collected_static),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_the_deploy_checklist_catches_a_weak_secret_key():
    """The check above can fail: a short, low-entropy key is flagged."""
    done = run_django(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION, SECRET_KEY="short-key"
    )
    assert done.returncode != 0
    assert "security.W009" in done.stdout + done.stderr


def test_production_refuses_to_start_without_a_secret_key():
    done = run_django(["manage.py", "check"], **PRODUCTION)
    assert done.returncode != 0
    assert "SECRET_KEY must be set" in done.stderr


# What a process started with DEBUG unset does: asks for a page that does not exist and reads its settings.
UNSET_DEBUG_PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
page = Client().get("/no-such-page/")
print(json.dumps({"DEBUG": settings.DEBUG, "status": page.status_code,
                  "debug_page": b"URLconf" in page.content or b"DEBUG = True" in page.content,
                  "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
                  "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
                  "static": settings.STORAGES["staticfiles"]["BACKEND"]}))
"""


def test_debug_unset_means_production_no_debug_page_and_secure_cookies(collected_static):
    env = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "EMAIL_URL": "dummy://",
        "ALLOWED_HOSTS": "testserver",
        "STATIC_ROOT": str(collected_static),
    }
    done = run_django(["-c", UNSET_DEBUG_PROBE], **env)  # run_django drops DEBUG from the environment
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {
        "DEBUG": False,
        "status": 404,
        "debug_page": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "static": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    }
    # With DEBUG on (make run) the same request still gets the site's 404, not Django's technical
    # page (focusflow.error_views.FriendlyNotFoundMiddleware, issue 15.10)...
    debug = json.loads(run_django(["-c", UNSET_DEBUG_PROBE], **env, DEBUG="true").stdout.strip().splitlines()[-1])
    assert (debug["DEBUG"], debug["status"], debug["debug_page"]) == (True, 404, False)
    # ...and the probe can tell: the technical page it looks for carries those markers.
    from django.http import Http404
    from django.test import RequestFactory
    from django.views.debug import technical_404_response

    technical = technical_404_response(RequestFactory().get("/no-such-page/"), Http404()).content
    assert b"DEBUG = True" in technical


def test_debug_unset_requires_a_secret_key():
    done = run_django(["manage.py", "check"], EMAIL_URL="dummy://")
    assert done.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in done.stderr


@pytest.mark.parametrize("command", [["migrate", "--plan"], ["showmigrations"]])
def test_a_missing_setting_is_named_for_every_command(command):
    """Not Django's "Models aren't loaded yet": the missing setting, in one line."""
    done = run_django(["manage.py", *command], **PRODUCTION)
    assert done.returncode != 0
    assert "FocusFlow cannot start: SECRET_KEY must be set" in done.stderr
    assert "Traceback" not in done.stderr


def test_makemigrations_check_runs_without_the_production_secrets():
    """It only reads the models: a bare shell (CI, a hook) gets an answer, not a settings error."""
    done = run_django(["manage.py", "makemigrations", "--check", "--dry-run"])  # no DEBUG, no SECRET_KEY
    assert done.returncode == 0, done.stderr
    assert "No changes detected" in done.stdout


def test_makemigrations_still_obeys_an_explicit_debug_off():
    done = run_django(["manage.py", "makemigrations", "--check", "--dry-run"], **PRODUCTION)
    assert done.returncode != 0
    assert "SECRET_KEY must be set" in done.stderr


def test_debug_runs_get_a_dev_key_but_never_in_production():
    assert production_settings("SECRET_KEY", DEBUG="true", SECRET_KEY="")["SECRET_KEY"].startswith("insecure-dev-key")
    key = secrets.token_urlsafe(50)
    assert production_settings("SECRET_KEY", SECRET_KEY=key)["SECRET_KEY"] == key


def test_cookies_are_secure_and_http_only_in_production():
    values = production_settings(
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "SECURE_SSL_REDIRECT",
        "X_FRAME_OPTIONS",
        "SECURE_CONTENT_TYPE_NOSNIFF",
        "DEBUG",
        "ALLOWED_HOSTS",
    )
    assert values == {
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_SSL_REDIRECT": True,
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "DEBUG": False,
        "ALLOWED_HOSTS": ["focusflow.example.com"],
    }


def test_production_allows_no_host_unless_told():
    values = production_settings("ALLOWED_HOSTS", ALLOWED_HOSTS="")
    assert values["ALLOWED_HOSTS"] == []


@pytest.mark.parametrize(
    "variable, value",
    [
        ("THROTTLE_USER_RATE", "lots"),
        ("THROTTLE_PING_RATE", "60/fortnight"),
        ("CACHE_URL", "memcached://127.0.0.1:11211"),
        ("DEBUG", "maybe"),
        ("EMAIL_URL", "carrier-pigeon://coop"),
        ("EMAIL_URL", ""),  # production without mail: password reset could not send its link
    ],
)
def test_a_bad_security_or_throttle_setting_stops_the_process_and_names_the_variable(variable, value):
    done = run_django(
        ["manage.py", "check"], **{**PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(50), variable: value}
    )
    assert done.returncode != 0
    assert variable in done.stderr


# --------------------------------------------------------------------------- mail (password reset)


def test_production_mail_goes_where_email_url_says_with_a_timeout():
    values = production_settings(
        "EMAIL_BACKEND",
        "EMAIL_HOST",
        "EMAIL_PORT",
        "EMAIL_USE_TLS",
        "EMAIL_HOST_USER",
        "EMAIL_HOST_PASSWORD",
        "EMAIL_TIMEOUT",
        "DEFAULT_FROM_EMAIL",
    )
    assert values == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.example.com",
        "EMAIL_PORT": 587,
        "EMAIL_USE_TLS": True,
        "EMAIL_HOST_USER": "focusflow",
        "EMAIL_HOST_PASSWORD": "secret",
        "EMAIL_TIMEOUT": 10,
        "DEFAULT_FROM_EMAIL": "focus@example.com",
    }


def test_debug_runs_print_mail_on_the_console():
    values = production_settings("EMAIL_BACKEND", DEBUG="true", EMAIL_URL="")
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


@pytest.mark.django_db
def test_a_person_resets_a_forgotten_password_by_mail(alice):
    alice.email = "alice@example.com"
    alice.save()
    browser = Client()
    assert 'href="/accounts/password_reset/"' in browser.get("/accounts/login/").content.decode()
    response = browser.post("/accounts/password_reset/", {"email": "alice@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["alice@example.com"]
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line).strip()
    form = browser.get(link.removeprefix("http://testserver"), follow=True)
    assert form.status_code == 200
    done = browser.post(
        form.redirect_chain[-1][0], {"new_password1": "a-new-pass-4567", "new_password2": "a-new-pass-4567"}
    )
    assert done.status_code == 302 and done["Location"] == "/accounts/reset/done/"
    signed_in = Client().post("/accounts/login/", {"username": "alice", "password": "a-new-pass-4567"})
    assert signed_in.status_code == 302, "the new password signs in through the login form"


@pytest.mark.django_db
def test_a_reset_for_an_unknown_address_sends_nothing_and_reveals_nothing():
    response = Client().post("/accounts/password_reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password_reset/done/"
    assert mail.outbox == []


# --------------------------------------------------------------------------- CSRF


@pytest.mark.django_db
def test_the_login_form_refuses_a_post_without_the_csrf_token(alice):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/accounts/login/", {"username": "alice", "password": "alice-pass-123"})
    assert response.status_code == 403
    assert "_auth_user_id" not in browser.session


@pytest.mark.django_db
def test_the_login_form_accepts_a_post_with_the_csrf_token(alice):
    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/accounts/login/")
    assert page.status_code == 200
    token = page.context["csrf_token"]
    assert f'name="csrfmiddlewaretoken" value="{token}"' in page.content.decode()
    response = browser.post(
        "/accounts/login/", {"username": "alice", "password": "alice-pass-123", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert browser.session["_auth_user_id"] == str(alice.pk)
    assert response.cookies["sessionid"]["httponly"]


@pytest.fixture
def signed_in(alice) -> Client:
    """A browser signed in with the session cookie (the dashboard's way), CSRF enforced."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    browser.get("/accounts/login/")  # sets the csrftoken cookie
    return browser


@pytest.mark.django_db
def test_a_session_authenticated_api_write_without_the_csrf_header_is_refused(signed_in):
    response = signed_in.post("/focus/start", {"estimated_duration": 25}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not FocusSession.objects.exists()


@pytest.mark.django_db
def test_a_session_authenticated_api_write_with_the_csrf_header_goes_through(signed_in):
    token = signed_in.cookies["csrftoken"].value
    response = signed_in.post(
        "/focus/start", {"estimated_duration": 25}, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 201
    assert FocusSession.objects.count() == 1


@pytest.mark.django_db
def test_session_authenticated_reads_need_no_csrf_header(signed_in):
    assert signed_in.get("/api/me").status_code == 200


@pytest.mark.django_db
def test_token_authenticated_writes_need_no_csrf(alice_api):
    """API clients send no cookies: token auth is not exposed to CSRF and is not asked for a token."""
    alice_api.handler.enforce_csrf_checks = True
    assert alice_api.post("/focus/start", {"estimated_duration": 25}, format="json").status_code == 201


# --------------------------------------------------------------------------- admin and tokens


@pytest.mark.django_db
def test_the_admin_turns_away_anonymous_and_non_staff_people(alice):
    anonymous = Client()
    assert anonymous.get("/admin/").status_code == 302
    person = Client()
    person.force_login(alice)
    response = person.get("/admin/focus/focussession/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert person.get("/admin/knox/authtoken/").status_code == 302


@pytest.mark.django_db
def test_a_person_cannot_sign_in_to_the_admin(alice):
    page = Client().post("/admin/login/", {"username": "alice", "password": "alice-pass-123", "next": "/admin/"})
    assert page.status_code == 200  # the form again, with an error: not a staff account
    assert "staff account" in page.content.decode()


@pytest.mark.django_db
def test_staff_revoke_a_token_in_the_admin_and_it_stops_working(alice_api, charlie):
    charlie.is_superuser = True  # the admin's token pages need the model permissions
    charlie.save()
    token = AuthToken.objects.get(user=alice_api.user)
    assert alice_api.get("/api/me").status_code == 200
    admin = Client()
    admin.force_login(charlie)
    assert admin.get("/admin/knox/authtoken/").status_code == 200
    response = admin.post(f"/admin/knox/authtoken/{token.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not AuthToken.objects.filter(user=alice_api.user).exists()
    assert alice_api.get("/api/me").status_code == 401


@pytest.mark.django_db
def test_api_answers_carry_the_browser_protections(alice_api):
    response = alice_api.get("/api/me")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"

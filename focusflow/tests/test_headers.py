"""Response headers on everything that carries health data: a Content-Security-Policy that allows
only our own origin and nothing inline, `Cache-Control: no-store, private` on pages and API answers
(static files keep their caching), and X-Forwarded-Proto trusted only when the environment says a
proxy sets it. The pages themselves carry no inline script, style or event handler, so the policy
costs them nothing; Swagger UI at /api/docs/ runs under it too (the real-browser check is
test_csp_browser.py)."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from focus.services import session_end, session_start
from focus.tests.test_security_settings import production_settings
from focusflow.people import account_person_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_web(alice) -> Client:
    client = Client()
    client.force_login(alice)
    client.person_id = account_person_id(user=alice)
    return client


@pytest.fixture
def sessions(alice_web) -> dict:
    """An ended session (summary page, the home page's stats) and a running one (live page)."""
    now = timezone.now()
    ended = session_start(
        person_id=alice_web.person_id, task_id=None, estimated_duration=30, mode="deep", now=now - timedelta(minutes=40)
    )
    session_end(session_id=ended.id, person_id=None, completion_score=0.8, now=now - timedelta(minutes=5))
    running = session_start(person_id=alice_web.person_id, task_id=None, estimated_duration=30, mode="deep")
    return {"ended": ended.id, "running": running.id}


def dashboard_pages(sessions) -> list[str]:
    return [
        "/",
        f"/sessions/{sessions['running']}/",
        f"/sessions/{sessions['ended']}/summary/",
        "/history/",
        "/preferences/",
    ]


def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in filter(None, (p.strip() for p in header.split(";"))):
        name, *values = part.split()
        directives[name] = values
    return directives


# --------------------------------------------------------------------------- Content-Security-Policy


def test_pages_and_api_answers_carry_a_policy_of_our_own_origin_with_nothing_inline(alice_web, alice_api, sessions):
    answers = [alice_web.get(path) for path in dashboard_pages(sessions)]
    answers += [Client().get("/accounts/login/"), alice_api.get("/api/me"), alice_web.get("/api/docs/")]
    for response in answers:
        assert response.status_code == 200, response
        policy = csp_directives(response)
        assert policy.get("default-src") == ["'self'"], response.headers
        assert policy.get("script-src") == ["'self'"] and policy.get("style-src") == ["'self'"]
        assert policy.get("object-src") == ["'none'"] and policy.get("frame-ancestors") == ["'none'"]
        assert policy.get("base-uri") == ["'none'"] and policy.get("form-action") == ["'self'"]
        assert not any("unsafe" in value for values in policy.values() for value in values)


class InlineContent(HTMLParser):
    """Everything a `script-src 'self'; style-src 'self'` policy would refuse to run or apply."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.found += [f"<{tag} {name}=…>" for name in values if name.startswith("on")]
        if "style" in values:
            self.found.append(f'<{tag} style="{values["style"]}">')
        if any(
            (values.get(name) or "").strip().lower().startswith("javascript:") for name in ("href", "action", "src")
        ):
            self.found.append(f"<{tag}> with a javascript: URL")
        if tag == "style":
            self.found.append("<style> element")
        # A data block (json_script) is not executed, so the policy leaves it alone.
        self._in_script = tag == "script" and "src" not in values and values.get("type") != "application/json"

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.found.append(f"inline <script>: {data.strip()[:60]}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False


def inline_content(html: str) -> list[str]:
    parser = InlineContent()
    parser.feed(html)
    return parser.found


def test_the_parser_sees_what_the_policy_would_refuse():
    """The check below can fail: each kind of inline content is caught, data blocks are not."""
    html = (
        '<div style="width: 5%"></div><button onclick="go()">x</button><a href="javascript:go()">y</a>'
        '<style>p{}</style><script>go()</script><script src="/static/a.js"></script>'
        '<script id="c" type="application/json">{"a": 1}</script>'
    )
    assert len(inline_content(html)) == 5


def test_no_page_has_an_inline_script_style_or_event_handler(alice_web, sessions):
    pages = {path: alice_web.get(path) for path in dashboard_pages(sessions)}
    pages["/accounts/login/"] = Client().get("/accounts/login/")
    pages["/api/docs/"] = alice_web.get("/api/docs/")
    for path, response in pages.items():
        assert response.status_code == 200, path
        assert inline_content(response.content.decode()) == [], path


def test_swagger_ui_loads_its_init_script_from_our_origin(alice_web):
    page = alice_web.get("/api/docs/").content.decode()
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert scripts and all(src.startswith("/") for src in scripts), scripts
    init = alice_web.get(scripts[-1].replace("&amp;", "&"))
    assert init.status_code == 200 and init["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in init.content.decode()


# --------------------------------------------------------------------------- Cache-Control


def assert_not_stored(response) -> None:
    directives = {d.strip() for d in response.headers.get("Cache-Control", "").split(",")}
    assert {"no-store", "private"} <= directives, (response.status_code, response.headers)


def test_pages_and_api_answers_are_never_stored(alice_web, alice_api, anon_api, sessions):
    for path in dashboard_pages(sessions) + ["/history.csv", "/api/docs/"]:
        assert_not_stored(alice_web.get(path))
    assert_not_stored(Client().get("/accounts/login/"))
    for path in (
        "/api/me",
        "/focus/sessions/",
        f"/focus/sessions/{sessions['ended']}/",
        f"/focus/sessions/{sessions['ended']}/events/",
        "/rhythm/state/",
        "/planner/tasks/",
        "/api/schema/",
    ):
        response = alice_api.get(path)
        assert response.status_code == 200, path
        assert_not_stored(response)
    # Writes and refusals too: a 201, a 400, a 401, a 404 and the health check.
    assert_not_stored(alice_api.post("/planner/tasks/", {"title": "Read"}, format="json"))
    assert_not_stored(
        alice_api.post("/focus/ping", {"session_id": str(sessions["running"]), "stress": 7}, format="json")
    )
    assert_not_stored(anon_api.get("/api/me"))
    assert_not_stored(alice_api.get("/focus/sessions/00000000-0000-0000-0000-000000000000/"))
    assert_not_stored(anon_api.get("/healthz"))


@override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True)
def test_static_files_keep_their_own_caching():
    """WhiteNoise answers static files before the no-store middleware sees them."""
    response = Client().get("/static/css/focusflow.css")
    assert response.status_code == 200
    cache_control = response.headers.get("Cache-Control", "")
    assert "public" in cache_control and "no-store" not in cache_control, cache_control


# --------------------------------------------------------------------------- X-Forwarded-Proto


def test_x_forwarded_proto_is_ignored_unless_the_environment_trusts_a_proxy():
    assert production_settings("SECURE_PROXY_SSL_HEADER")["SECURE_PROXY_SSL_HEADER"] is None
    trusted = production_settings("SECURE_PROXY_SSL_HEADER", TRUST_X_FORWARDED_PROTO="true")
    assert trusted["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_a_forged_x_forwarded_proto_does_not_make_a_plain_request_secure(settings, alice_api):
    """Without the opt-in, a client cannot claim HTTPS: the SSL redirect still fires."""
    settings.SECURE_SSL_REDIRECT = True
    assert alice_api.get("/api/me", HTTP_X_FORWARDED_PROTO="https").status_code == 301
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # what TRUST_X_FORWARDED_PROTO sets
    assert alice_api.get("/api/me", HTTP_X_FORWARDED_PROTO="https").status_code == 200


def test_a_bad_trust_x_forwarded_proto_stops_the_start_naming_it():
    from focus.tests.test_security_settings import run_django

    done = run_django(["-c", "import django; django.setup()"], TRUST_X_FORWARDED_PROTO="maybe")
    assert done.returncode != 0 and "TRUST_X_FORWARDED_PROTO" in done.stderr

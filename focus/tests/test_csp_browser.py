"""The Content-Security-Policy in a real browser (Debian's Chromium, headless, against a real gunicorn):
every dashboard page and Swagger UI at /api/docs/ render and work with nothing refused. The browser
reports each refusal as a `securitypolicyviolation` event, collected here from the first script
that runs in a page (Playwright's init scripts are not subject to the page's policy).

The headers themselves are checked without a browser in focusflow/tests/test_headers.py; the whole
dashboard flow runs in test_browser.py."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from focus.services import session_end, session_start
from focus.tests.test_browser import browser, log_in, new_page, shot, web_user  # noqa: F401 (fixture)
from focusflow.people import account_person_id

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber);
});
"""


def violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations")


def test_every_page_and_swagger_ui_work_under_the_policy_with_nothing_refused(stack, browser, django_user_model):
    from playwright.sync_api import expect

    _, base = stack.web()
    alice = web_user(django_user_model, "alice", "alice-browser-pass")
    person_id = account_person_id(user=alice)
    now = timezone.now()
    ended = session_start(
        person_id=person_id, task_id=None, estimated_duration=30, mode="deep", now=now - timedelta(minutes=40)
    )
    session_end(session_id=ended.id, person_id=None, completion_score=0.8, now=now - timedelta(minutes=5))
    running = session_start(person_id=person_id, task_id=None, estimated_duration=600, mode="deep")

    page = new_page(browser, base)
    page.context.add_init_script(COLLECT_VIOLATIONS)
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", name="Welcome back")).to_be_visible()
    assert violations(page) == [], "login"  # each page's list starts empty
    log_in(page, "alice", "alice-browser-pass")

    # Home: the habit-strength meter (a <meter>, once an inline style="width: …").
    page.goto("/")
    expect(page.get_by_role("heading", name="Session in progress")).to_be_visible()
    shot(page, "csp-home")
    assert violations(page) == [], "/"
    assert page.locator("meter.meter").evaluate("m => m.value") > 0

    # Live page: the script runs (timer, feed) and drives the progress bar.
    with page.expect_response(lambda r: "/events/" in r.url and r.status == 200, timeout=30_000):
        page.goto(f"/sessions/{running.id}/")  # the feed polls the events API (connect-src)
    expect(page.locator("#timer-elapsed")).to_have_text(re.compile(r"^\d+:\d\d(:\d\d)?$"))
    assert page.locator("#timer-bar").evaluate("bar => bar.value") > 0
    shot(page, "csp-live")
    assert violations(page) == [], "live"

    for path in (f"/sessions/{ended.id}/summary/", "/history/", "/preferences/"):
        page.goto(path)
        expect(page.locator("main h1")).to_be_visible()
        assert violations(page) == [], path

    # Swagger UI: its bundle, its init script (a URL of its own) and the schema fetch all allowed;
    # the operations render and one expands.
    docs = new_page(browser, base)
    docs.context.add_init_script(COLLECT_VIOLATIONS)
    docs.goto("/api/docs/")
    operation = docs.locator(".opblock-summary-path", has_text="/focus/start").first
    expect(operation).to_be_visible(timeout=60_000)
    operation.click()
    expect(docs.locator(".opblock-body").first).to_be_visible()
    shot(docs, "csp-api-docs")
    assert violations(docs) == [], "api docs"
    assert page.errors == [] and docs.errors == [], page.errors + docs.errors

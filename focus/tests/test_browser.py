"""The dashboard in a real browser: Debian's Chromium driven headless by Playwright, against real
gunicorn, Celery worker and beat processes on a throwaway Redis, time-compressed (a tick every 2 s).

A person logs in, starts a session, sees a nudge arrive in the feed without a reload, pings,
watches the flow indicator come and go, ends the session and reads its summary (the chart and
the friction points), then their history and CSV. Another person gets a 404 on those pages.
Screenshots of every page land in build/screenshots/ (not committed) for a human to look at.

Every wait is Playwright's expect/wait_for or stack.wait_for: polling with a deadline, never a
fixed sleep. Timeouts are generous: the machine has 2 cores and other suites may be running.
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connections

from focus.models import FocusEvent, FocusSession
from focus.tests.factories import FocusSessionFactory
from focus.tests.stack import ROOT, wait_for
from focusflow.people import account_person_id
from focusflow.tokens import token_create
from planner.tests.factories import TaskFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

CHROMIUM = os.environ.get("FOCUSFLOW_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = ROOT / "build" / "screenshots"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
HOUR = timedelta(hours=1)
CALM_PING = {"activity": "active", "app_switches": 1, "focus": 0.85, "energy": 0.7}


@pytest.fixture
def browser(stack, monkeypatch):
    """Headless Chromium. Playwright's sync API runs an event loop in this thread, so Django's
    async-safety check would refuse the test's own ORM calls; they are plain synchronous calls."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"No Chromium at {CHROMIUM}: install Debian's package (apt-get install -y chromium); "
            "`make test` does this (.ci/ensure-chromium)."
        )
    from playwright.sync_api import expect, sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    expect.set_options(timeout=30_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()
        # The test's ORM calls ran in Playwright's context (greenlets carry their own context
        # variables, so Django opened a separate connection there): close it, or the test
        # database cannot be dropped at the end of the run.
        connections.close_all()


def web_user(django_user_model, username: str, password: str):
    """A login the gunicorn processes can check (the test process hashes with MD5 for speed,
    which the server's hashers do not accept)."""
    user = django_user_model.objects.create_user(username)
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(password, hasher.salt(), iterations=1000)
    user.save(update_fields=["password"])
    return user


def new_page(browser, base: str, viewport=DESKTOP, storage_state=None):
    context = browser.new_context(
        base_url=base, viewport=viewport, storage_state=storage_state, timezone_id="Europe/Berlin", locale="en-GB"
    )
    # Page sensing (automatic pings) off: these tests script every ping; test_browser_live.py tests it.
    context.add_init_script("try { localStorage.setItem('ff-sensing', 'off'); } catch (e) {}")
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.set_default_navigation_timeout(60_000)
    page.errors = []  # uncaught script errors and console errors: the page must have none
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("console", lambda msg: page.errors.append(msg.text) if msg.type == "error" else None)
    return page


def shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True, animations="disabled")


def log_in(page, username: str, password: str) -> None:
    from playwright.sync_api import expect

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Your focus")).to_be_visible()


def api_ping(base: str, token: str, body: dict) -> int:
    request = urllib.request.Request(
        base + "/focus/ping",
        method="POST",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_whole_session_in_the_browser(stack, browser, django_user_model):
    from playwright.sync_api import expect

    _, base = stack.web()
    stack.worker()
    stack.beat()
    alice = web_user(django_user_model, "alice", "alice-browser-pass")
    person_id = account_person_id(user=alice)
    TaskFactory(person_id=person_id, title="Write the quarterly report")
    token = token_create(user=alice)

    page = new_page(browser, base)
    page.goto("/")
    expect(page.get_by_role("heading", name="Welcome back")).to_be_visible()
    shot(page, "01-login")
    log_in(page, "alice", "alice-browser-pass")
    expect(page.get_by_role("heading", name="Start a focus session")).to_be_visible()
    shot(page, "02-home")

    # Start: a planner task, a preset, a mode. The estimate is long (600 min = 240 s at this tick
    # rate) so the session is still "early" when the test ends it, however slow the machine.
    page.get_by_label("Task", exact=True).select_option(label="Write the quarterly report")
    page.get_by_role("button", name="90 min").click()
    expect(page.get_by_label("Estimated minutes")).to_have_value("90")
    expect(page.get_by_role("button", name="90 min")).to_have_attribute("aria-pressed", "true")
    page.get_by_label("Estimated minutes").fill("600")
    page.get_by_role("radio", name=re.compile("Creative")).check()
    page.get_by_role("button", name="Start focusing").click()
    expect(page).to_have_url(re.compile(r"/sessions/[0-9a-f-]{36}/$"))
    session = FocusSession.objects.get(person_id=person_id, ended_at__isnull=True)
    assert (session.task.title, session.estimated_duration, session.mode) == (
        "Write the quarterly report",
        600,
        "creative",
    )
    expect(page.get_by_role("heading", name="Write the quarterly report")).to_be_visible()
    # Clock times are the browser's (Europe/Berlin here), not the server's UTC.
    local_start = session.started_at.astimezone(ZoneInfo("Europe/Berlin")).strftime("%H:%M")
    expect(page.locator(".eyebrow")).to_contain_text(f"started {local_start}")
    expect(page.locator("#timer-elapsed")).to_have_text(re.compile(r"^\d+:\d\d(:\d\d)?$"))
    # No "Ending early" before the person asks to end: the End form opens on demand.
    expect(page.locator("#early-note")).to_be_hidden()
    expect(page.locator("#end-form")).to_be_hidden()

    # A nudge written by the worker shows up in the feed without a reload (the page polls).
    page.evaluate("window.__sameDocument = 'yes'")
    facing = FocusEvent.objects.filter(session=session, event_type__in=("nudge", "break"))
    nudge = wait_for(lambda: facing.order_by("id").first(), timeout=120, what="a nudge from the worker")
    # Within 10 s of the tick (the page polls every 3 s).
    expect(page.locator(f'#feed [data-event-id="{nudge.id}"]')).to_be_visible(timeout=10_000)
    expect(page.locator(f'#feed [data-event-id="{nudge.id}"]')).to_contain_text(nudge.content["message"])
    assert page.evaluate("window.__sameDocument") == "yes", "the page reloaded"
    expect(page.locator("#last-check")).to_contain_text("Last check")

    # A quick ping from the sliders: only the sliders that were moved are sent.
    page.get_by_label("Energy").fill("35")
    page.get_by_label("Stress").fill("80")
    page.locator("#id_ping_note").fill("tests are flaky")
    page.get_by_role("button", name="Log it").click()
    expect(page.locator("#ping-status")).to_contain_text("Logged at")
    ping = FocusEvent.objects.filter(session=session, event_type="ping").get()
    assert ping.content == {"energy": 0.35, "stress": 0.8, "note": "tests are flaky", "source": "self_report"}
    # What the person just said shows in the feed; they can hide their check-ins.
    mine = page.locator(f'#feed [data-event-id="{ping.id}"]')
    expect(mine).to_be_visible()
    expect(mine).to_contain_text("energy 35%, stress 80% · “tests are flaky”")
    page.get_by_role("button", name="Hide your check-ins").click()
    expect(mine).to_be_hidden()
    page.get_by_role("button", name="Show your check-ins").click()
    expect(mine).to_be_visible()

    # Flow: a desktop agent pings calm activity through the API; the page's flow indicator lights up.
    flow_started = FocusEvent.objects.filter(session=session, event_type="flow_start")

    def calm_until_flow():
        assert api_ping(base, token, {"session_id": str(session.id), **CALM_PING}) == 201
        return flow_started.exists()

    wait_for(calm_until_flow, timeout=120, interval=1.1, what="flow_start after calm pings")
    expect(page.locator("#flow-indicator")).to_be_visible(timeout=20_000)
    expect(page.locator("#flow-indicator")).to_contain_text("In flow")
    shot(page, "03-live")
    phone = new_page(browser, base, viewport=PHONE, storage_state=page.context.storage_state())
    phone.goto(f"/sessions/{session.id}/")
    expect(phone.locator("#flow-indicator")).to_be_visible()
    shot(phone, "03-live-phone")
    phone.context.close()

    # "I got distracted": a low-focus ping; the next tick notices the distraction and flow ends.
    page.get_by_role("button", name="I got distracted").click()
    expect(page.locator("#ping-status")).to_contain_text("Noted")
    assert FocusEvent.objects.filter(session=session, event_type="ping", content__note="I got distracted").exists()
    expect(page.locator("#feed .type-distraction").first).to_be_visible(timeout=30_000)
    expect(page.locator("#flow-indicator")).to_be_hidden(timeout=30_000)

    # End early with a score and a note; the summary page opens.
    page.get_by_role("button", name="End session…").click()
    page.get_by_label("Done of what you planned").fill("60")
    page.get_by_label("How did it feel?").select_option("4")
    page.locator("#id_end_note").fill("Outline done, tests next")
    expect(page.locator("#early-note")).to_contain_text("Ending early")
    shot(page, "04-live-before-end")
    page.get_by_role("button", name="End session", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/sessions/{session.id}/summary/$"))
    session.refresh_from_db()
    assert session.ended_at is not None and session.completion_score == 0.6 and session.early_end is True

    chart = page.locator("svg.energy-chart")
    expect(chart).to_be_visible()
    assert chart.locator(".energy-line, .energy-point").count() >= 1
    assert chart.locator(".nudge-marker").count() == facing.count() >= 1
    assert chart.locator(".flow-window").count() >= 1
    friction = page.get_by_test_id("friction").locator("li")
    expect(friction.filter(has_text="Distraction")).to_have_count(1)
    expect(friction.filter(has_text="Ended early")).to_have_count(1)
    assert chart.locator(".friction-marker").count() == friction.count()
    expect(page.locator(".headline").first).to_have_text(session.summary["sentences"][0])
    expect(page.locator("svg.estimate-chart")).to_be_visible()
    expect(page.get_by_text("Outline done, tests next")).to_be_visible()
    shot(page, "05-summary")

    page.get_by_role("link", name="History").first.click()
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    expect(page.locator("svg.bar-chart .bar.today")).to_have_count(1)
    expect(page.locator(f'a[href="/sessions/{session.id}/summary/"]')).to_be_visible()
    shot(page, "06-history")
    export = page.request.get("/history.csv")
    assert export.status == 200 and export.headers["content-type"].startswith("text/csv")
    assert str(session.id) in export.text()

    page.goto("/")
    expect(page.get_by_role("heading", name="Start a focus session")).to_be_visible()
    expect(page.get_by_test_id("today-minutes")).not_to_have_text(re.compile(r"^0\b"))
    shot(page, "07-home-after")
    mobile = new_page(browser, base, viewport=PHONE, storage_state=page.context.storage_state())
    for path, name in (
        ("/", "08-home-phone"),
        (f"/sessions/{session.id}/summary/", "09-summary-phone"),
        ("/history/", "10-history-phone"),
    ):
        mobile.goto(path)
        expect(mobile.locator("main h1")).to_be_visible()
        # Usable at phone width: nothing scrolls sideways.
        assert mobile.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), path
        if path == "/history/":  # the phone's bar chart fits: today and the y-axis both on screen
            today = mobile.locator("svg.bar-chart-phone .bar.today").bounding_box()
            assert today["x"] >= 0 and today["x"] + today["width"] <= PHONE["width"], today
            axis = mobile.locator("svg.bar-chart-phone text").first.bounding_box()
            assert axis["x"] >= 0, axis
        shot(mobile, name)
    assert page.errors == [] and mobile.errors == [], page.errors + mobile.errors


def test_another_person_cannot_open_someone_elses_session_pages(stack, browser, django_user_model):
    from playwright.sync_api import expect

    _, base = stack.web()
    alice = web_user(django_user_model, "alice", "alice-browser-pass")
    bob = web_user(django_user_model, "bob", "bob-browser-pass")
    running = FocusSessionFactory(person_id=account_person_id(user=alice))
    ended = FocusSessionFactory(
        person_id=account_person_id(user=alice),
        started_at=running.started_at - HOUR,
        ended_at=running.started_at - HOUR / 2,
        next_tick_at=None,
        summary={"headline": "Alice's private session."},
    )

    page = new_page(browser, base)
    log_in(page, "bob", "bob-browser-pass")
    for path in (f"/sessions/{running.id}/", f"/sessions/{running.id}/summary/", f"/sessions/{ended.id}/summary/"):
        response = page.goto(path)
        assert response.status == 404, path
        assert "Alice's private session" not in page.content()
    # Their own pages show none of alice's sessions either.
    page.goto("/history/")
    expect(page.get_by_text("No sessions in the last 30 days")).to_be_visible()
    events = page.request.get(f"/focus/sessions/{running.id}/events/")
    assert events.status == 404

    # Bob uses only the keyboard: skip link first, then the start form in reading order.
    page.goto("/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.get_by_label("Estimated minutes").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="25 min")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="90 min")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Estimated minutes")).to_have_value("90")
    page.keyboard.press("Tab")
    expect(page.get_by_role("radio", name=re.compile("Deep work"))).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("radio", name=re.compile("Light work"))).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Start focusing")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/sessions/[0-9a-f-]{36}/$"))
    mine = FocusSession.objects.get(person_id=account_person_id(user=bob), ended_at__isnull=True)
    assert (mine.estimated_duration, mine.mode) == (90, "light")
    page.get_by_role("button", name="End session…").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Done of what you planned")).to_be_focused()
    page.get_by_role("button", name="End session", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/sessions/{mine.id}/summary/$"))
    expect(page.locator("svg.energy-chart")).to_be_visible()

"""A newcomer's walk through the new layout (issue 15), at 1280×800 and 390×844, in Debian's Chromium
against real gunicorn, worker and beat processes (time-compressed, as focus/tests/test_browser.py).

What a person would check with their own eyes, asserted: End is one button by the timer, on screen
without scrolling, and its form (with "Ending early") opens only when asked; their own check-in
shows in the feed; a countdown to the next check; a summary with no readings draws no curve and
says so; the phone's charts fit (the history y-axis, the estimate label); the admin list fits
1280 px and names people; "Try it out" on the documented /focus/start example answers 201; dark
mode follows the system setting. Screenshots go to build/screenshots/walk-*.png (CI keeps build/).
"""

from __future__ import annotations

import re

import pytest

from focus.models import FocusEvent, FocusSession
from focus.tests.stack import wait_for
from focus.tests.test_browser import PHONE, log_in, new_page, shot, web_user
from focus.tests.test_browser import browser as browser  # noqa: F401, PLC0414 (the fixture)
from focusflow.people import account_person_id

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1280, "height": 800}


def watch(page):
    """Note every 404 a page's resources get (the console only says that one failed)."""
    page.missing = []
    page.on("response", lambda r: page.missing.append(r.url) if r.status == 404 else None)
    return page


def fits_horizontally(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def inside(inner: dict, outer: dict, slack: float = 1.0) -> bool:
    return (
        inner["x"] >= outer["x"] - slack
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + slack
        and inner["y"] >= outer["y"] - slack
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + slack
    )


def test_a_newcomer_walks_the_new_layout_at_laptop_and_phone_width(stack, browser, django_user_model):  # noqa: F811
    from playwright.sync_api import expect

    _, base = stack.web()
    stack.worker()
    stack.beat()
    web_user(django_user_model, "alice", "alice-walk-pass")
    alice = django_user_model.objects.get(username="alice")
    person_id = account_person_id(user=alice)

    page = new_page(browser, base, viewport=LAPTOP)
    watch(page)
    log_in(page, "alice", "alice-walk-pass")
    expect(page.get_by_test_id("habit-note")).to_contain_text("two months of daily sessions")
    shot(page, "walk-01-home")

    # ----------------------------------------------------------------- the live page, at 1280×800
    page.get_by_label("Estimated minutes").fill("600")
    page.get_by_role("button", name="Start focusing").click()
    expect(page).to_have_url(re.compile(r"/sessions/[0-9a-f-]{36}/$"))
    session = FocusSession.objects.get(person_id=person_id, ended_at__isnull=True)
    end_open = page.get_by_role("button", name="End session…")
    expect(end_open).to_be_in_viewport()  # above the fold, by the timer
    expect(page.locator("#end-form")).to_be_hidden()
    expect(page.locator("#early-note")).to_be_hidden()  # no "Ending early" at 0:18
    expect(page.locator("#next-check")).to_contain_text(re.compile(r"Next check (in \d+:\d\d|any moment)"))
    expect(page.locator("#out-stress")).to_have_text("not set")  # not an earlier session's value

    page.get_by_label("Energy").fill("65")
    page.locator("#id_ping_note").fill("warming up")
    page.get_by_role("button", name="Log it").click()
    expect(page.locator("#ping-status")).to_contain_text("Logged at")
    ping = FocusEvent.objects.filter(session=session, event_type="ping").get()
    mine = page.locator(f'#feed [data-event-id="{ping.id}"]')
    expect(mine).to_be_visible()  # what the person just said, in the feed
    expect(mine).to_contain_text("energy 65% · “warming up”")
    assert fits_horizontally(page)
    shot(page, "walk-02-live")

    phone = new_page(browser, base, viewport=PHONE, storage_state=page.context.storage_state())
    watch(phone)
    phone.goto(f"/sessions/{session.id}/")
    expect(phone.get_by_role("button", name="End session…")).to_be_in_viewport()
    assert fits_horizontally(phone)
    shot(phone, "walk-03-live-phone")

    end_open.click()
    expect(page.locator("#end-form")).to_be_visible()
    expect(page.locator("#early-note")).to_contain_text("Ending early")
    expect(page.get_by_label("Done of what you planned")).to_be_focused()
    shot(page, "walk-04-live-end-open")
    page.get_by_role("button", name="Keep going").click()
    expect(page.locator("#end-form")).to_be_hidden()
    end_open.click()
    page.get_by_role("button", name="End session", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/sessions/{session.id}/summary/$"))

    # ----------------------------------------------------------------- summaries
    estimate = page.locator("svg.energy-chart text", has_text="estimate")
    chart_box = page.locator("svg.energy-chart").bounding_box()
    assert inside(estimate.first.bounding_box(), chart_box)
    assert fits_horizontally(page)
    shot(page, "walk-05-summary")
    phone.goto(f"/sessions/{session.id}/summary/")
    phone_chart = phone.locator("svg.energy-chart-phone")
    expect(phone_chart).to_be_visible()
    box = phone_chart.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]  # the whole session, no scrolling
    assert inside(phone.locator("svg.energy-chart-phone text", has_text="estimate").first.bounding_box(), box)
    assert fits_horizontally(phone)
    shot(phone, "walk-06-summary-phone")

    # A session with no readings at all: no curve, and the page says so and how to give some.
    page.goto("/")
    page.get_by_label("Estimated minutes").fill("30")
    page.get_by_role("button", name="Start focusing").click()
    expect(page).to_have_url(re.compile(r"/sessions/[0-9a-f-]{36}/$"))
    quiet = FocusSession.objects.get(person_id=person_id, ended_at__isnull=True)
    wait_for(lambda: quiet.events.filter(event_type="tick").count() >= 3, timeout=120, what="three ticks")
    page.get_by_role("button", name="End session…").click()
    page.get_by_role("button", name="End session", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/sessions/{quiet.id}/summary/$"))
    expect(page.get_by_test_id("no-readings")).to_contain_text("No energy readings in this session")
    assert page.locator("svg.energy-chart .energy-line, svg.energy-chart .energy-point").count() == 0
    shot(page, "walk-07-summary-no-readings")

    # ----------------------------------------------------------------- history
    page.goto("/history/")
    expect(page.locator("svg.bar-chart .bar.today")).to_have_count(1)
    assert page.locator(".card.day .session-when").first.inner_text().strip().count(":") == 1  # a time, no date
    shot(page, "walk-08-history")
    phone.goto("/history/")
    bars = phone.locator("svg.bar-chart-phone")
    expect(bars).to_be_visible()
    axis_label = phone.locator("svg.bar-chart-phone text").first.bounding_box()
    assert axis_label["x"] >= 0  # the y-axis is on screen
    months = phone.locator("svg.bar-chart-phone text").evaluate_all("els => els.map(e => e.textContent)")
    assert any(re.fullmatch(r"\d{1,2} [A-Z][a-z]{2}", t) for t in months), months  # the axis names the month
    assert fits_horizontally(phone)
    shot(phone, "walk-09-history-phone")

    # ----------------------------------------------------------------- dark mode, from the system setting
    dark = new_page(browser, base, viewport=LAPTOP, storage_state=page.context.storage_state())
    watch(dark)
    dark.emulate_media(color_scheme="dark")
    dark.goto(f"/sessions/{session.id}/summary/")
    background = dark.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background != "rgb(243, 245, 241)", background  # not the light page
    shot(dark, "walk-10-summary-dark")
    dark.goto("/")
    shot(dark, "walk-11-home-dark")

    # ----------------------------------------------------------------- the API docs: Try it out
    docs = new_page(browser, base, viewport=LAPTOP, storage_state=page.context.storage_state())
    watch(docs)
    docs.goto("/api/docs/")
    operation = docs.locator("#operations-focus-focus_start")
    expect(operation).to_be_visible(timeout=60_000)
    operation.locator(".opblock-summary").click()
    expect(operation).to_contain_text("Start a focus session")
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    expect(operation.locator(".live-responses-table tbody .response-col_status").first).to_contain_text("201")
    shot(docs, "walk-12-api-docs-try-it-out")
    started_from_docs = FocusSession.objects.filter(person_id=person_id, ended_at__isnull=True).get()
    assert started_from_docs.estimated_duration == 45

    # ----------------------------------------------------------------- the admin at 1280 px
    operator = web_user(django_user_model, "operator", "operator-walk-pass")
    operator.is_staff = operator.is_superuser = True
    operator.save(update_fields=["is_staff", "is_superuser"])
    admin = new_page(browser, base, viewport=LAPTOP)
    watch(admin)
    admin.goto("/admin/login/")
    admin.get_by_label("Username").fill("operator")
    admin.get_by_label("Password").fill("operator-walk-pass")
    admin.get_by_role("button", name="Log in").click()
    admin.goto("/admin/focus/focussession/")
    shot(admin, "walk-13-admin-sessions")
    for header in ("person", "task", "state", "nudges sent", "early end"):
        expect(admin.locator("#result_list thead").get_by_text(re.compile(rf"^{header}$", re.I))).to_be_in_viewport()
    expect(admin.locator("#result_list tbody")).to_contain_text("alice")
    assert fits_horizontally(admin)
    admin.goto(f"/admin/focus/focussession/{session.id}/change/")
    expect(admin.locator("details.ff-json").first).to_be_attached()
    expect(admin.locator("details.ff-json[open]")).to_have_count(0)  # the JSON is behind a disclosure
    assert re.search(r"\d\d:\d\d:\d\d [A-Z]", admin.locator("body").inner_text())  # a time with its zone
    page_height = admin.evaluate("document.documentElement.scrollHeight")
    shot(admin, "walk-14-admin-session")
    assert page_height < 6000, page_height

    for name, p in (("laptop", page), ("phone", phone), ("dark", dark), ("docs", docs), ("admin", admin)):
        assert p.errors == [], (name, p.errors, p.missing)

"""Session controls in a real browser (Debian's Chromium driven by Playwright, against real gunicorn):
a person pauses and resumes from the live page, then snoozes a break and dismisses a check-in from
their feed items, by mouse and by keyboard, and the page shows each answer without a reload.

The nudges are written straight to the database (as the worker writes them) so the test controls
what arrives and when; the page picks them up the way it picks up any event. Every wait polls with
a deadline (Playwright's expect, stack.wait_for)."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from focus.models import EventType, FocusEvent, FocusSession
from focus.tests.stack import wait_for
from focus.tests.test_browser import browser, log_in, new_page, shot, web_user  # noqa: F401 (fixture)
from focusflow.people import account_person_id

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_pause_resume_snooze_and_dismiss_from_the_live_page(stack, browser, django_user_model):  # noqa: F811
    from playwright.sync_api import expect

    _, base = stack.web()
    alice = web_user(django_user_model, "alice", "alice-controls-pass")
    person_id = account_person_id(user=alice)
    page = new_page(browser, base)
    log_in(page, "alice", "alice-controls-pass")
    page.get_by_label("Estimated minutes").fill("600")
    page.get_by_role("button", name="Start focusing").click()
    expect(page).to_have_url(re.compile(r"/sessions/[0-9a-f-]{36}/$"))
    session = FocusSession.objects.get(person_id=person_id, ended_at__isnull=True)

    # Pause with the mouse: the page says so and offers Resume, with the keyboard focus on it.
    page.get_by_role("button", name="Pause").click()
    expect(page.locator("#controls-status")).to_contain_text("Paused")
    resume = page.get_by_role("button", name="Resume")
    expect(resume).to_be_visible()
    expect(resume).to_be_focused()
    frozen = page.locator("#timer-elapsed").text_content()
    wait_for(lambda: FocusSession.objects.get(pk=session.id).paused_at is not None, what="the pause saved")
    shot(page, "controls-01-paused")
    # The timer stands still while paused (at this tick rate a running one moves every few ms).
    expect(page.locator("#timer-elapsed")).to_have_text(frozen)
    # Resume with the keyboard.
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Pause")).to_be_visible()
    expect(page.locator("#controls-status")).to_contain_text("Resumed")
    expect(page.locator("#timer-elapsed")).not_to_have_text(frozen)  # and runs again
    wait_for(lambda: FocusSession.objects.get(pk=session.id).paused_at is None, what="the resume saved")
    kinds = list(FocusEvent.objects.filter(session=session).values_list("event_type", flat=True).order_by("id"))
    assert kinds == ["session_start", "pause", "resume"]

    # A break and a check-in arrive in the feed.
    now = timezone.now()
    rest = FocusEvent.objects.create(
        session=session,
        event_type=EventType.BREAK,
        ts=now,
        content={"kind": "micro_break", "message": "Stand up and stretch.", "tone": "micro", "break_minutes": 3},
    )
    check = FocusEvent.objects.create(
        session=session,
        event_type=EventType.NUDGE,
        ts=now,
        content={"kind": "check_in", "message": "How is it going?", "tone": "micro"},
    )
    rest_item = page.locator(f'#feed [data-event-id="{rest.id}"]')
    check_item = page.locator(f'#feed [data-event-id="{check.id}"]')
    expect(rest_item).to_be_visible(timeout=20_000)
    expect(check_item).to_be_visible(timeout=20_000)

    # Snooze the break for 10 minutes with the mouse.
    page.evaluate("window.__sameDocument = 'yes'")
    rest_item.get_by_role("button", name="Snooze 10 minutes").click()
    expect(rest_item).to_contain_text("Snoozed the short break for 10 minutes")
    expect(rest_item.get_by_role("button")).to_have_count(0)
    # Dismiss the check-in with the keyboard: its buttons are reachable and work with Enter.
    check_item.get_by_role("button", name="Dismiss").focus()
    page.keyboard.press("Enter")
    expect(check_item).to_contain_text("Dismissed the check-in")
    shot(page, "controls-02-answered")
    assert page.evaluate("window.__sameDocument") == "yes", "the page reloaded"

    answers = {
        e.content["event_id"]: (e.content["response"], e.content["snooze_minutes"])
        for e in FocusEvent.objects.filter(session=session, event_type=EventType.NUDGE_RESPONSE)
    }
    assert answers == {rest.id: ("snooze", 10), check.id: ("dismiss", None)}
    # After a reload the answers are still shown instead of the buttons.
    page.reload()
    expect(page.locator(f'#feed [data-event-id="{rest.id}"]')).to_contain_text("Snoozed the short break")
    expect(page.locator(f'#feed [data-event-id="{check.id}"] button')).to_have_count(0)
    assert page.errors == [], page.errors

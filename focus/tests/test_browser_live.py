"""Live delivery in a real browser: Debian's Chromium (Playwright) against the Procfile's web server
(gunicorn + uvicorn workers, focusflow.asgi), a Celery worker and beat on a throwaway Redis,
time-compressed (a tick every 2 s).

- a nudge the worker writes reaches the live page within 1 s of its commit, without a reload (the
  event's time against the time its item reached the DOM, recorded by the page);
- after the web server restarts, the page reconnects by itself and shows what it missed;
- page sensing: hiding the page turns the next automatic ping into `away`, and the policy's
  reaction (stepping away is a break taken: "you stepped away" as the last check's reason) shows on the page.

Every wait polls with a deadline (Playwright's expect, stack.wait_for); nothing sleeps a fixed time.
"""

from __future__ import annotations

import pytest

from focus import services
from focus.models import USER_FACING_EVENTS, FocusEvent
from focus.tests.stack import wait_for
from focus.tests.test_browser import browser, log_in, new_page, shot, web_user  # noqa: F401  (fixture)
from focusflow.people import account_person_id

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# Pretend the page is hidden as a browser does for a background tab or a locked screen (headless
# Chromium keeps every tab visible): document.hidden, visibilityState and the visibilitychange event.
HIDE = """() => {
  window.dispatchEvent(new Event("pointerdown"));  // the person's last touch of the page, just before
  Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
  document.dispatchEvent(new Event("visibilitychange"));
}"""


def test_live_delivery_reconnects_and_page_sensing(stack, browser, django_user_model):  # noqa: F811
    from playwright.sync_api import expect

    web, base = stack.web_asgi()
    port = int(base.rsplit(":", 1)[1])
    stack.worker()
    stack.beat()
    alice = web_user(django_user_model, "alice", "alice-live-pass")
    person_id = account_person_id(user=alice)
    page = new_page(browser, base)
    # Sensing off for the first part: the nudges come from the clock alone.
    page.context.add_init_script("try { localStorage.setItem('ff-sensing', 'off'); } catch (e) {}")
    log_in(page, "alice", "alice-live-pass")
    session = services.session_start(person_id=person_id, task_id=None, estimated_duration=60, mode="deep")
    page.goto(f"/sessions/{session.id}/")
    state = page.locator("#connection-state")
    expect(state).to_have_attribute("data-state", "live")

    # 1. A nudge written by the worker reaches the page within a second of its commit.
    def first_nudge():
        return FocusEvent.objects.filter(session=session, event_type__in=USER_FACING_EVENTS).order_by("id").first()

    nudge = wait_for(first_nudge, timeout=90, what="a nudge from the worker")
    item = page.locator(f'#feed [data-event-id="{nudge.id}"]')
    expect(item).to_be_visible()
    arrived_ms = int(item.get_attribute("data-arrived-at"))
    latency = arrived_ms / 1000 - nudge.ts.timestamp()
    assert latency <= 1.0, f"the nudge reached the page {latency:.3f} s after its commit"
    assert page.url.endswith(f"/sessions/{session.id}/")  # no reload
    shot(page, "live-stream")

    # 2. The web server restarts; the page reconnects and shows what it missed meanwhile.
    expect(page.get_by_role("button", name="Hide your check-ins")).to_be_visible()  # pings show by default
    web.stop()
    expect(state).not_to_have_attribute("data-state", "live")
    missed = services.session_ping(session_id=session.id, values={"note": "written while the web was down"})
    stack.web_asgi(port=port)
    expect(page.locator(f'#feed [data-event-id="{missed.id}"]')).to_be_visible(timeout=60_000)
    expect(state).to_have_attribute("data-state", "live", timeout=60_000)

    # 3. Page sensing on; hide the page: the next automatic ping says away, the policy reacts.
    hidden_at = FocusEvent.objects.filter(session=session).order_by("-id").values_list("id", flat=True).first()
    page.locator("#sensing-toggle").check()
    page.evaluate(HIDE)
    wait_for(
        lambda: FocusEvent.objects.filter(session=session, id__gt=hidden_at, content__source="page").exists(),
        timeout=30,
        what="the automatic ping on hiding the page",
    )
    away = wait_for(
        lambda: FocusEvent.objects.filter(
            session=session, id__gt=hidden_at, event_type="ping", content__source="page", content__activity="away"
        ).first(),
        timeout=30,
        what="an automatic ping saying away",
    )
    reaction = wait_for(
        lambda: FocusEvent.objects.filter(
            session=session, id__gt=away.id, event_type="tick", content__reason="stepped_away"
        ).first(),
        timeout=60,
        what="the policy's reaction to away (a break taken on one's own)",
    )
    expect(page.locator("#last-check")).to_contain_text("you stepped away", timeout=30_000)
    assert reaction.content["detail"] == "You stepped away; that counts as a break."
    shot(page, "live-sensing")
    # The restart's refused connections are logged by the browser; nothing else may be.
    assert [e for e in page.errors if "ERR_CONNECTION_REFUSED" not in e and "Failed to load resource" not in e] == []

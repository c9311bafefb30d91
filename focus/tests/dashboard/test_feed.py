"""The one feed renderer: the live page and its updates show an event from the same function and template."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from focus import dashboard, engine
from focus.models import FocusEvent
from focus.services import session_ping, session_start
from focus.tests.factories import FocusEventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(alice_web):
    return session_start(
        person_id=alice_web.person_id,
        task_id=None,
        estimated_duration=45,
        mode="deep",
        now=timezone.now() - timedelta(minutes=10),
    )


def feed(client, session, after="0"):
    return client.get(reverse("dashboard-feed", args=[session.id]), {"after": after})


def test_updates_come_oldest_first_rendered_with_the_pages_own_words(alice_web, session):
    engine.run_tick(session_id=session.id, now=timezone.now() - timedelta(minutes=9))  # settling in
    nudge = FocusEventFactory(
        session=session,
        event_type="break",
        ts=timezone.now() - timedelta(minutes=5),
        content={"kind": "micro_break", "message": "Stretch <a little>.", "tone": "micro", "break_minutes": 3},
    )
    ping = session_ping(session_id=session.id, person_id=None, values={"energy": 0.4})
    events = feed(alice_web, session).json()["events"]
    by_type = {e["event_type"]: e for e in events}
    assert [e["id"] for e in events] == sorted(e["id"] for e in events)
    assert by_type["tick"]["html"] is None and by_type["tick"]["last_check"].endswith("nothing sent (settling in)")
    brk = by_type["break"]
    assert brk["title"] == "Short break · 3 min" and brk["last_check"].endswith("sent a short break · 3 min")
    assert f'data-event-id="{nudge.id}"' in brk["html"] and "Stretch &lt;a little&gt;." in brk["html"]
    assert "is-new" in brk["html"]
    assert by_type["ping"]["html"] and "energy 40%" in by_type["ping"]["html"]
    assert feed(alice_web, session, after=str(ping.id)).json()["events"] == []


def test_the_first_page_uses_the_same_renderer(alice_web, session):
    event = FocusEventFactory(
        session=session,
        event_type="nudge",
        ts=timezone.now() - timedelta(minutes=5),
        content={"kind": "check_in", "message": "How is it going?", "tone": "micro"},
    )
    page = alice_web.get(reverse("dashboard-live", args=[session.id])).content.decode()
    item = dashboard.feed_item(event_id=event.id, event_type=event.event_type, ts=event.ts, content=event.content)
    # The page's answer forms carry its CSRF token; an update's are sent by script with the page's token.
    page = re.sub(r'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]*">', "", page)
    with timezone.override(timezone.get_default_timezone()):
        assert dashboard.feed_html(item) in page


def test_a_bad_after_is_a_400_and_another_persons_session_a_404(alice_web, bob_web, session):
    for bad in ("abc", "-1", "1.5", "9" * 40, "١"):
        response = feed(alice_web, session, after=bad)
        assert response.status_code == 400 and "after" in response.json()["errors"]
    assert feed(bob_web, session).status_code == 404
    assert FocusEvent.objects.filter(session=session).count() == 1  # only the start: reads write nothing

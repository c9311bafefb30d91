"""A meeting from a calendar feed with real processes: gunicorn, a Celery worker and beat over a
throwaway Redis, the feed served by a local HTTP server (FOCUS_ALLOW_PRIVATE_URLS on for it),
time-compressed (a tick every 2 s). A meeting starting two ticks into a session pauses it then and
resumes it after; nothing ticks in between; the summary counts the meeting apart."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from focus.models import FocusEvent, FocusSession
from focus.tests.receiver import Reply
from focus.tests.stack import FAST, wait_for
from focus.tests.test_integration_ticks import call
from focusflow.tokens import token_create

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

TICK = float(FAST["FOCUS_TICK_SECONDS"])
KNOBS = {
    "FOCUS_ALLOW_PRIVATE_URLS": "true",
    "FOCUS_CALENDAR_SWEEP_SECONDS": "1",
    "FOCUS_CALENDAR_REFRESH_SECONDS": "1",  # the feed is read again every second or so
    "FOCUS_MEETING_SWEEP_SECONDS": "1",
}


def calendar(*meetings: tuple[datetime, datetime, str]) -> bytes:
    def stamp(moment: datetime) -> str:
        return moment.strftime("%Y%m%dT%H%M%SZ")

    events = "".join(
        f"BEGIN:VEVENT\r\nUID:m{n}@example.com\r\nDTSTAMP:{stamp(s)}\r\nDTSTART:{stamp(s)}\r\nDTEND:{stamp(e)}\r\n"
        f"SUMMARY:{title}\r\nEND:VEVENT\r\n"
        for n, (s, e, title) in enumerate(meetings)
    )
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//FocusFlow tests//EN\r\n{events}END:VCALENDAR\r\n".encode()


@pytest.fixture
def token(django_user_model) -> str:
    return token_create(user=django_user_model.objects.create_user("meeter", password="meeter-pass-123"))


def test_a_meeting_two_ticks_into_a_session_pauses_it_then_and_resumes_it_after(stack, token, receiver, settings):
    settings.FOCUS_ALLOW_PRIVATE_URLS = True
    stack.env.update(KNOBS)
    _, base = stack.web()
    stack.worker()
    stack.beat()
    receiver.answers["/work.ics"] = [Reply(200, calendar())]
    status, feed = call(base, "POST", "/api/me/calendars/", token, {"url": receiver.url("/work.ics")})
    assert status == 201, feed
    wait_for(lambda: call(base, "GET", f"/api/me/calendars/{feed['id']}/", token)[1]["state"] == "ok", timeout=60)

    status, started = call(base, "POST", "/focus/start", token, {"task_id": None, "estimated_duration": 60})
    assert status == 201, started
    session_id = started["session_id"]
    begin = FocusSession.objects.get(pk=session_id).started_at
    # Two ticks in (and the second's processing), to the second: an iCalendar time has no fraction.
    meeting_start = (begin + timedelta(seconds=2 * TICK + 2)).replace(microsecond=0)
    meeting_end = meeting_start + timedelta(seconds=4 * TICK)
    receiver.answers["/work.ics"] = [Reply(200, calendar((meeting_start, meeting_end, "Quarterly planning")))]

    def of(event_type):
        return list(FocusEvent.objects.filter(session_id=session_id, event_type=event_type).order_by("ts", "id"))

    (pause,) = wait_for(lambda: of("pause"), timeout=60, what="the meeting's pause")
    assert pause.content == {"reason": "meeting"}  # the title only if the person allowed it
    assert meeting_start <= pause.ts < meeting_end
    ticks_before = [e.ts for e in of("tick") + of("nudge") + of("break") if e.ts < pause.ts]
    assert len(ticks_before) >= 1
    (resume,) = wait_for(lambda: of("resume"), timeout=60, what="the resume after the meeting")
    assert resume.ts >= meeting_end
    assert not [e for e in of("tick") + of("nudge") + of("break") if pause.ts < e.ts < resume.ts]
    wait_for(lambda: [e for e in of("tick") if e.ts > resume.ts], timeout=60, what="ticks after the meeting")

    status, ended = call(base, "POST", "/focus/end", token, {"session_id": session_id})
    assert status == 200, ended
    paused_session_minutes = (resume.ts - pause.ts).total_seconds() / TICK * 5
    assert ended["summary"]["meeting_minutes"] == pytest.approx(paused_session_minutes, abs=0.2)

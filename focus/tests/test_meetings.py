"""Meetings and sessions (focus/meetings.py), called directly: the sweep pauses a running session
when a meeting starts and resumes it after, once per meeting, per the person's preferences; a start
in a meeting says so; the summary counts meeting time apart."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from focus import controls, meetings, services
from focus.models import FocusEvent, FocusSession
from planner.calendars.models import BusyTime, CalendarFeed
from rhythm.services import preferences_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def t0():
    return timezone.now().replace(microsecond=0)


def meeting(person_id, starts, minutes=30, title="Board meeting"):
    feed = CalendarFeed.objects.create(person_id=person_id, source="upload")
    return BusyTime.objects.create(
        feed=feed, person_id=person_id, starts_at=starts, ends_at=starts + timedelta(minutes=minutes), title=title
    )


def start(person_id, now):
    return services.session_start(person_id=person_id, task_id=None, estimated_duration=60, mode="deep", now=now)


def events(session, *types):
    return list(FocusEvent.objects.filter(session=session, event_type__in=types).order_by("ts", "id"))


def test_a_meeting_pauses_the_session_without_its_title_and_resumes_it_after(alice_api, t0):
    person = alice_api.person_id
    session = start(person, t0)
    meeting(person, t0 + timedelta(minutes=10))
    assert meetings.meetings_sweep(now=t0 + timedelta(minutes=9)) == {"paused": 0, "resumed": 0}
    assert meetings.meetings_sweep(now=t0 + timedelta(minutes=10, seconds=5)) == {"paused": 1, "resumed": 0}
    (pause,) = events(session, "pause")
    assert pause.content == {"reason": "meeting"}  # no title: the person did not allow it
    assert meetings.meetings_sweep(now=t0 + timedelta(minutes=20)) == {"paused": 0, "resumed": 0}
    assert meetings.meetings_sweep(now=t0 + timedelta(minutes=40, seconds=2)) == {"paused": 0, "resumed": 1}
    session.refresh_from_db()
    assert session.paused_at is None and len(events(session, "resume")) == 1


def test_the_title_is_written_only_if_the_person_allowed_it(alice_api, t0):
    person = alice_api.person_id
    preferences_update(person_id=person, meeting_titles=True)
    session = start(person, t0)
    meeting(person, t0 + timedelta(minutes=5), title="1:1 with Sam")
    meetings.meetings_sweep(now=t0 + timedelta(minutes=6))
    assert events(session, "pause")[0].content == {"reason": "meeting", "title": "1:1 with Sam"}


def test_with_hold_the_session_keeps_running(alice_api, t0):
    person = alice_api.person_id
    preferences_update(person_id=person, meetings="hold")
    session = start(person, t0)
    meeting(person, t0 + timedelta(minutes=5))
    assert meetings.meetings_sweep(now=t0 + timedelta(minutes=6)) == {"paused": 0, "resumed": 0}
    session.refresh_from_db()
    assert session.paused_at is None


def test_a_session_started_in_a_meeting_says_so_and_is_not_paused(alice_api, t0):
    person = alice_api.person_id
    busy = meeting(person, t0 - timedelta(minutes=5))
    session = start(person, t0)
    assert events(session, "session_start")[0].content["in_meeting_until"] == busy.ends_at.isoformat()
    assert meetings.meetings_sweep(now=t0 + timedelta(minutes=1)) == {"paused": 0, "resumed": 0}


def test_resumed_by_hand_in_the_meeting_it_is_not_paused_again(alice_api, t0):
    person = alice_api.person_id
    session = start(person, t0)
    meeting(person, t0 + timedelta(minutes=5))
    meetings.meetings_sweep(now=t0 + timedelta(minutes=6))
    controls.resume_session(session_id=session.id, now=t0 + timedelta(minutes=8))
    assert meetings.meetings_sweep(now=t0 + timedelta(minutes=9)) == {"paused": 0, "resumed": 0}
    session.refresh_from_db()
    assert session.paused_at is None


def test_a_pause_by_the_person_is_not_resumed_by_the_sweep(alice_api, t0):
    person = alice_api.person_id
    session = start(person, t0)
    controls.pause_session(session_id=session.id, now=t0 + timedelta(minutes=1))
    assert meetings.meetings_sweep(now=t0 + timedelta(minutes=2)) == {"paused": 0, "resumed": 0}
    assert FocusSession.objects.get(pk=session.pk).paused_at is not None


def test_back_to_back_meetings_keep_it_paused_until_the_last_ends(alice_api, t0):
    person = alice_api.person_id
    session = start(person, t0)
    meeting(person, t0 + timedelta(minutes=5), minutes=30)
    meeting(person, t0 + timedelta(minutes=35), minutes=30)
    meetings.meetings_sweep(now=t0 + timedelta(minutes=6))
    assert meetings.meetings_sweep(now=t0 + timedelta(minutes=36)) == {"paused": 0, "resumed": 0}
    assert meetings.meetings_sweep(now=t0 + timedelta(minutes=66)) == {"paused": 0, "resumed": 1}
    assert len(events(session, "pause")) == 1


def test_the_summary_counts_meeting_time_apart(alice_api, t0, settings):
    person = alice_api.person_id
    session = start(person, t0)
    meeting(person, t0 + timedelta(minutes=10), minutes=20)
    meetings.meetings_sweep(now=t0 + timedelta(minutes=10))
    meetings.meetings_sweep(now=t0 + timedelta(minutes=30))
    ended = services.session_end(session_id=session.id, person_id=None, now=t0 + timedelta(minutes=50))
    # 20 wall minutes at FOCUS_TICK_SECONDS=300 are 20 session minutes.
    assert ended.summary["meeting_minutes"] == pytest.approx(20 * 300 / settings.FOCUS_TICK_SECONDS, abs=0.1)
    assert ended.summary["duration"]["actual_minutes"] == pytest.approx(30 * 300 / settings.FOCUS_TICK_SECONDS, abs=0.2)

"""Pause and resume with real processes: gunicorn, a Celery worker and beat over real Redis and
PostgreSQL, time-compressed (a tick every 2 s, so a session minute is 0.4 s). A paused session gets
no tick for the whole pause, its next tick comes a period after the resume, and its summary's
minutes leave the pause out; a pause past FOCUS_MAX_PAUSE_MINUTES ends the session by itself.
Waits poll with deadlines."""

from __future__ import annotations

from datetime import timedelta

import pytest

from focus.clock import session_minutes_of
from focus.models import EventType, FocusEvent, FocusSession
from focus.tests.stack import Stack, stack_env, wait_for
from focus.tests.test_integration_ticks import (
    TICK_SECONDS,
    call,
    sweeps_seen,
    tick_events,
    tick_schedule_violations,
)
from focusflow.tokens import token_create

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def token(django_user_model) -> str:
    user = django_user_model.objects.create_user("pauser", password="pauser-pass-123")
    return token_create(user=user)


def event_of(session_id, event_type) -> FocusEvent:
    return FocusEvent.objects.get(session_id=session_id, event_type=event_type)


def test_a_paused_session_gets_no_tick_for_the_whole_pause_and_its_minutes_leave_it_out(stack, token):
    _, base = stack.web()
    stack.worker()
    beat = stack.beat()
    status, session = call(base, "POST", "/focus/start", token, {"task_id": None, "estimated_duration": 60})
    assert status == 201, session
    session_id = session["session_id"]
    wait_for(lambda: len(tick_events(session_id)) >= 2, timeout=60, what="two ticks before the pause")

    status, paused = call(base, "POST", "/focus/pause", token, {"session_id": session_id})
    assert status == 200 and paused["paused_at"] is not None, paused
    ticks_before = len(tick_events(session_id))
    # Eight sweeps (a sweep a second) cover four tick periods: a running session would tick four times.
    seen = sweeps_seen(beat)
    wait_for(lambda: sweeps_seen(beat) >= seen + 8, timeout=60, what="eight sweeps during the pause")
    assert len(tick_events(session_id)) == ticks_before
    assert call(base, "POST", "/focus/pause", token, {"session_id": session_id})[0] == 409

    status, resumed = call(base, "POST", "/focus/resume", token, {"session_id": session_id})
    assert status == 200 and resumed["paused_at"] is None and resumed["paused_minutes"] > 0, resumed
    wait_for(lambda: len(tick_events(session_id)) >= ticks_before + 2, timeout=60, what="ticks after the resume")

    pause, resume = event_of(session_id, EventType.PAUSE), event_of(session_id, EventType.RESUME)
    ticks = tick_events(session_id)
    assert not [e for e in ticks if pause.ts < e.ts < resume.ts], "a tick ran while paused"
    after = [e for e in ticks if e.ts > resume.ts]
    assert (after[0].ts - resume.ts).total_seconds() >= TICK_SECONDS  # scheduled from the resume
    assert [e.event_type for e in ticks].count("nudge") + [e.event_type for e in ticks].count("break") <= 8

    status, ended = call(base, "POST", "/focus/end", token, {"session_id": session_id, "completion_score": 0.5})
    assert status == 200, ended
    row = FocusSession.objects.get(pk=session_id)
    running = (row.ended_at - row.started_at) - (resume.ts - pause.ts)
    expected = session_minutes_of(running.total_seconds(), TICK_SECONDS)
    wall = session_minutes_of((row.ended_at - row.started_at).total_seconds(), TICK_SECONDS)
    assert ended["summary"]["duration"]["actual_minutes"] == pytest.approx(expected, abs=0.1)
    assert ended["summary"]["duration"]["paused_minutes"] == pytest.approx(wall - expected, abs=0.1)
    assert ended["summary"]["duration"]["actual_minutes"] < wall - 10  # the pause is left out
    assert row.actual_duration == pytest.approx(expected, abs=0.01)  # session minutes, the pause left out
    # One event per tick; the cadence restarts from the resume: one tick per due time on each side.
    assert len(ticks := tick_events(session_id)) == row.tick_count
    before = [e.ts for e in ticks if e.ts < pause.ts]
    assert not tick_schedule_violations(before, first_due=row.started_at, period=TICK_SECONDS)
    after = [e.ts for e in ticks if e.ts > resume.ts]
    first_due = resume.ts + timedelta(seconds=TICK_SECONDS)
    assert not tick_schedule_violations(after, first_due=first_due, period=TICK_SECONDS)


MAX_PAUSE_MINUTES = 10  # session minutes: 4 s of wall time at a 2 s tick


@pytest.fixture
def pause_stack(transactional_db, broker, tmp_path):
    env = stack_env(broker_url=broker.url, FOCUS_MAX_PAUSE_MINUTES=str(MAX_PAUSE_MINUTES))
    processes = Stack(workdir=tmp_path, env=env)
    yield processes
    processes.stop()


def test_a_session_paused_past_the_maximum_ends_itself_once_and_says_so(pause_stack, django_user_model):
    user = django_user_model.objects.create_user("forgetful", password="forgetful-pass-123")
    token = token_create(user=user)
    _, base = pause_stack.web()
    pause_stack.worker()
    pause_stack.beat()
    status, session = call(base, "POST", "/focus/start", token, {"task_id": None, "estimated_duration": 45})
    assert status == 201, session
    session_id = session["session_id"]
    wait_for(lambda: tick_events(session_id), timeout=60, what="a first tick")
    assert call(base, "POST", "/focus/pause", token, {"session_id": session_id})[0] == 200

    wait_for(
        lambda: FocusSession.objects.filter(pk=session_id, ended_at__isnull=False).exists(),
        timeout=60,
        what="the long-paused session ended",
    )
    row = FocusSession.objects.get(pk=session_id)
    pause = event_of(session_id, EventType.PAUSE)
    assert row.early_end and row.paused_at is None
    assert row.ended_at - pause.ts >= timedelta(seconds=MAX_PAUSE_MINUTES / 5 * TICK_SECONDS)
    assert row.summary["ended_after_pause"] is True
    assert row.summary["sentences"][0].startswith(f"Ended by itself after a pause longer than {MAX_PAUSE_MINUTES}")
    assert FocusEvent.objects.filter(session_id=session_id, event_type=EventType.SESSION_END).count() == 1
    assert not [e for e in tick_events(session_id) if e.ts > pause.ts]

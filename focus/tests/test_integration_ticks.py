"""The tick engine with real processes: gunicorn, Celery worker(s) and beat(s) over real Redis and
PostgreSQL, time-compressed (a tick every 2 s). Waits poll with deadlines; nothing is enqueued by hand."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import timedelta

import psycopg
import pytest
from django.utils import timezone

from focus.models import USER_FACING_EVENTS, FocusEvent, FocusSession
from focus.tests.factories import FocusSessionFactory
from focus.tests.stack import current_database_url, wait_for
from focusflow.tokens import token_create

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

TICK_EVENTS = ("tick", "nudge", "break")
TICK_SECONDS = 2
GAP_SECONDS = 2


def call(base: str, method: str, path: str, token: str, body: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(
        base + path,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@pytest.fixture
def token(django_user_model) -> str:
    user = django_user_model.objects.create_user("tester", password="tester-pass-123")
    return token_create(user=user)


def tick_events(session_id) -> list[FocusEvent]:
    return list(FocusEvent.objects.filter(session_id=session_id, event_type__in=TICK_EVENTS).order_by("ts", "id"))


def tick_schedule_violations(tick_times: list, *, first_due, period: float) -> list[str]:
    """What breaks the tick guarantee (README "Guarantees"), replaying the engine's cadence.

    The engine anchors a session's cadence at its due time (`next_tick_at`), not at `started_at`:
    the first tick is due at the first `next_tick_at`; after a tick the next is due one period after
    the previous due time, or, when the tick ran a period or more late, one period after it ran
    (focus/engine.py `_next_due`). So the guarantee is: one tick per due time, none before it. A tick
    late by less than a period keeps the cadence, so the next one may follow it closely (one catch-up
    tick, never a burst); any two ticks two apart are more than a period apart."""
    problems = []
    due = first_due
    step = timedelta(seconds=period)
    for n, ts in enumerate(tick_times, start=1):
        if ts < due:
            problems.append(f"tick {n} at {ts.isoformat()} ran before its due time {due.isoformat()}")
        due = due + step if due + step > ts else ts + step
    for n, (earlier, later) in enumerate(zip(tick_times, tick_times[2:]), start=1):
        if (later - earlier).total_seconds() <= period:
            problems.append(f"ticks {n} and {n + 2} within one period: {earlier.isoformat()}, {later.isoformat()}")
    return problems


def assert_tick_invariants(
    session: FocusSession,
    *,
    max_nudges: int,
    first_due=None,
    period: float = TICK_SECONDS,
    min_gap: float = GAP_SECONDS,
) -> None:
    """One event per tick, one tick per due time (from `first_due`, the session's first `next_tick_at`;
    `started_at` for a session started through the API), guardrails held, nothing after the end."""
    session.refresh_from_db()
    ticks = tick_events(session.id)
    assert len(ticks) == session.tick_count
    problems = tick_schedule_violations([e.ts for e in ticks], first_due=first_due or session.started_at, period=period)
    assert not problems, problems
    facing = [e for e in ticks if e.event_type in USER_FACING_EVENTS]
    assert len(facing) <= max_nudges
    assert session.nudges_sent == len(facing)
    for earlier, later in zip(facing, facing[1:]):
        assert (later.ts - earlier.ts).total_seconds() >= min_gap, (earlier.ts, later.ts)
    for event in facing:
        assert event.content["tone"] == "micro" and len(event.content["message"]) <= 120
    if session.ended_at is not None:
        assert not FocusEvent.objects.filter(session=session, ts__gt=session.ended_at).exists()
        last = FocusEvent.objects.filter(session=session).order_by("-ts", "-id").first()
        assert last.event_type == "session_end"


def sweeps_seen(proc) -> int:
    return proc.output().count("Sending due task focus.dispatch_due_ticks")


def test_a_session_gets_ticks_from_beat_and_worker_under_the_guardrails(stack, token):
    stack.env["FOCUS_MAX_NUDGES"] = "1"
    _, base = stack.web()
    stack.worker()
    beat = stack.beat()

    status, session = call(
        base, "POST", "/focus/start", token, {"task_id": None, "estimated_duration": 10, "mode": "deep"}
    )
    assert status == 201, session
    session_id = session["session_id"]
    assert (
        call(
            base,
            "POST",
            "/focus/ping",
            token,
            {"session_id": session_id, "stress": 0.95, "fatigue": 0.9, "activity": "active"},
        )[0]
        == 201
    )
    # A recovery break goes out, then the wrap-up near the 10-minute estimate meets the cap (1 here).
    capped = FocusEvent.objects.filter(session_id=session_id, event_type="tick", content__reason="cap")
    wait_for(capped.exists, timeout=60, what="a tick held back by the cap")
    facing = [e for e in tick_events(session_id) if e.event_type in USER_FACING_EVENTS]
    assert [e.content["kind"] for e in facing] == ["recovery_break"]

    status, ended = call(base, "POST", "/focus/end", token, {"session_id": session_id, "completion_score": 0.7})
    assert status == 200, ended
    seen = sweeps_seen(beat)
    wait_for(lambda: sweeps_seen(beat) >= seen + 3, timeout=30, what="three sweeps after the end")
    assert_tick_invariants(FocusSession.objects.get(pk=session_id), max_nudges=1)


def test_a_worker_killed_mid_tick_loses_no_tick_and_duplicates_nothing(stack):
    now = timezone.now()
    session = FocusSessionFactory(started_at=now, next_tick_at=now)
    first = stack.worker()
    stack.beat()
    # Hold the session's row lock so the worker's tick blocks inside its transaction, then kill it.
    with psycopg.connect(current_database_url().replace("postgres://", "postgresql://", 1)) as holder:
        holder.execute("SELECT id FROM focus_sessions WHERE id = %s FOR UPDATE", [session.id])
        wait_for(lambda: "focus.run_focus_ticks" in first.output(), timeout=30, what="a tick to start")
        first.kill()
        first.popen.wait(10)
        holder.rollback()
    assert tick_events(session.id) == []
    stack.worker()
    wait_for(lambda: len(tick_events(session.id)) >= 3, timeout=60, what="ticks after the kill")
    assert_tick_invariants(session, max_nudges=8, first_due=now)


def test_two_beats_and_two_workers_never_double_tick(stack):
    """Two beats sweep and two workers tick the same sessions: still one tick per due time. The cap
    (1 here) binds too: each session sends its wrap-up, then its check-in is held back with "cap"."""
    stack.env["FOCUS_MAX_NUDGES"] = "1"
    now = timezone.now()
    first_due = [now + timedelta(milliseconds=50 * i) for i in range(20)]
    sessions = [FocusSessionFactory(started_at=now, next_tick_at=due, estimated_duration=10) for due in first_due]
    stack.worker()
    stack.worker()
    stack.beat()
    stack.beat()
    capped = FocusEvent.objects.filter(event_type="tick", content__reason="cap")
    wait_for(
        lambda: capped.filter(session__in=sessions).values("session").distinct().count() == len(sessions),
        timeout=120,
        what="every session held back by the cap",
    )
    for session, due in zip(sessions, first_due):
        assert_tick_invariants(session, max_nudges=1, first_due=due)
        assert session.nudges_sent == 1


def test_the_gap_and_the_cap_bind_for_a_session_that_wants_a_nudge_every_tick(stack, token):
    """A gap of 6 ticks and a cap of 2, and a person whose pings ask for a nudge at almost every tick
    (scattered work, then strain): between the two nudges the worker holds the wanted ones back with
    "backoff", after the second with "cap", and no two nudges are closer than the gap."""
    gap = 6 * TICK_SECONDS
    stack.env.update({"FOCUS_NUDGE_MIN_GAP_SECONDS": str(gap), "FOCUS_MAX_NUDGES": "2"})
    _, base = stack.web()
    stack.worker()
    stack.beat()
    status, session = call(base, "POST", "/focus/start", token, {"task_id": None, "estimated_duration": 60})
    assert status == 201, session
    session_id = session["session_id"]
    scattered = {"activity": "active", "app_switches": 30, "focus": 0.1, "stress": 0.4}
    strained = {"activity": "active", "app_switches": 3, "focus": 0.5, "stress": 0.95, "fatigue": 0.9}

    def reasons() -> set[str]:
        return {e.content["reason"] for e in tick_events(session_id) if e.event_type == "tick"}

    # One ping after each tick, driven by the ticks themselves (no sleeps), until the cap holds one back.
    seen = 0
    while "cap" not in reasons():
        assert seen < 40, [e.content.get("kind") or e.content["reason"] for e in tick_events(session_id)]
        seen = wait_for(
            lambda: len(tick_events(session_id)) > seen and len(tick_events(session_id)),  # noqa: B023
            timeout=30,
            what=f"tick {seen + 1}",
        )
        ping = scattered if (seen // 3) % 2 == 0 else strained
        assert call(base, "POST", "/focus/ping", token, {"session_id": session_id, **ping})[0] == 201
    facing = [e for e in tick_events(session_id) if e.event_type in USER_FACING_EVENTS]
    assert len(facing) == 2, [(e.ts, e.content) for e in facing]
    assert "backoff" in reasons()
    assert (facing[1].ts - facing[0].ts).total_seconds() >= gap
    assert_tick_invariants(FocusSession.objects.get(pk=session_id), max_nudges=2, min_gap=gap)


def test_with_the_broker_down_at_start_the_session_is_created_and_the_sweep_ticks_it(stack, broker, token):
    _, base = stack.web()
    stack.worker()
    stack.beat()
    broker.stop()
    status, health = call(base, "GET", "/healthz", token)
    assert status == 503 and health["broker"]["ok"] is False and health["database"]["ok"] is True

    status, session = call(
        base, "POST", "/focus/start", token, {"task_id": None, "estimated_duration": 45, "mode": "deep"}
    )
    assert status == 201, session
    assert FocusSession.objects.filter(pk=session["session_id"], ended_at__isnull=True).exists()
    assert tick_events(session["session_id"]) == []

    broker.start()  # same port: worker and beat reconnect on their own
    wait_for(lambda: tick_events(session["session_id"]), timeout=90, what="the first tick via the sweep")
    assert call(base, "GET", "/healthz", token)[0] == 200

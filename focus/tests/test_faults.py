"""Injected faults with real processes (gunicorn, Celery worker and beat, Redis, PostgreSQL),
time-compressed: a tick every 2 s, a sweep every second, a 3 s lease (stack.FAST).

test_integration_ticks.py already covers a worker SIGKILLed mid-tick, two beats at once and the
broker down when a session starts; these add the API through a Redis outage and how fast ticks
resume after it, a beat restart, and a PostgreSQL restart under a running worker and beat."""

from __future__ import annotations

import signal
from datetime import timedelta

import pytest
from django.utils import timezone

from focus.models import FocusEvent, FocusSession
from focus.tests.factories import FocusSessionFactory
from focus.tests.stack import FAST, Stack, stack_env, wait_for
from focus.tests.test_integration_ticks import (
    assert_tick_invariants,
    call,
    sweeps_seen,
    tick_events,
    tick_schedule_violations,
)
from focusflow.tokens import token_create

pytestmark = pytest.mark.integration

DISPATCH = float(FAST["FOCUS_DISPATCH_SECONDS"])
LEASE = float(FAST["FOCUS_LEASE_SECONDS"])
TICK = float(FAST["FOCUS_TICK_SECONDS"])


@pytest.fixture
def token(django_user_model) -> str:
    user = django_user_model.objects.create_user("faulty", password="faulty-pass-123")
    return token_create(user=user)


def ticks_after(session_id, moment) -> list[FocusEvent]:
    return [e for e in tick_events(session_id) if e.ts > moment]


# --------------------------------------------------------------------------- Redis


@pytest.mark.django_db(transaction=True)
def test_with_redis_down_the_api_still_starts_pings_and_ends_and_ticks_resume_soon_after(stack, broker, token):
    """The database is the source of truth: with Redis (broker and throttle cache) gone, start, ping
    and end still succeed and /healthz says which part is down; once Redis is back, the sweep claims
    what was missed and ticks resume within one dispatch period plus the lease (plus the time the
    worker takes to notice Redis is back)."""
    stack.env["CACHE_URL"] = broker.url.replace("/0", "/1")  # the throttle counters share the outage
    _, base = stack.web()
    worker = stack.worker()
    stack.beat()
    status, before = call(base, "POST", "/focus/start", token, {"task_id": None, "estimated_duration": 30})
    assert status == 201, before
    wait_for(lambda: tick_events(before["session_id"]), timeout=60, what="a tick before the outage")

    broker.stop()
    status, health = call(base, "GET", "/healthz", token)
    assert status == 503 and health["broker"]["ok"] is False and health["database"]["ok"] is True
    ping = {"session_id": before["session_id"], "stress": 0.5, "activity": "active"}
    assert call(base, "POST", "/focus/ping", token, ping)[0] == 201
    status, ended = call(
        base, "POST", "/focus/end", token, {"session_id": before["session_id"], "completion_score": 0.6}
    )
    assert status == 200 and ended["summary"]["duration"]["estimated_minutes"] == 30
    status, during = call(base, "POST", "/focus/start", token, {"task_id": None, "estimated_duration": 45})
    assert status == 201, during
    assert call(base, "POST", "/focus/ping", token, {"session_id": during["session_id"], "focus": 0.8})[0] == 201
    assert tick_events(during["session_id"]) == []

    connected = worker.output().count("Connected to redis")
    broker.start()  # same port, empty: whatever was queued is gone
    back = timezone.now()
    # The worker notices on its own, on Celery's reconnect backoff (2, 4, 6 s … apart); from then on
    # the engine owes one sweep plus, for a session a lost sweep had claimed, one lease.
    wait_for(
        lambda: worker.output().count("Connected to redis") > connected,
        timeout=60,
        interval=0.05,
        what="the worker to reconnect",
    )
    reconnected = timezone.now()
    wait_for(lambda: ticks_after(during["session_id"], back), timeout=60, what="the first tick after the outage")
    first = ticks_after(during["session_id"], back)[0].ts
    assert (first - reconnected).total_seconds() <= DISPATCH + LEASE, (back, reconnected, first)
    wait_for(lambda: len(ticks_after(during["session_id"], back)) >= 3, timeout=60, what="ticks carry on")
    assert call(base, "GET", "/healthz", token)[0] == 200
    assert_tick_invariants(FocusSession.objects.get(pk=before["session_id"]), max_nudges=8)
    assert_tick_invariants(FocusSession.objects.get(pk=during["session_id"]), max_nudges=8)


# --------------------------------------------------------------------------- beat restart


@pytest.mark.django_db(transaction=True)
def test_a_restarted_beat_loses_no_tick_beyond_one_dispatch_period_and_doubles_none(stack):
    """While beat is down nothing is swept; the new beat's first sweeps give every session that fell
    due one tick (within a dispatch period plus the lease), not one per missed due time: a tick a
    period or more late restarts the cadence from when it ran, so the next is a full period later.
    Throughout, one tick per due time, anchored where the engine anchors (the session's first
    `next_tick_at`, offset here by up to 0.9 s; see tick_schedule_violations)."""
    now = timezone.now()
    first_due = [now + timedelta(milliseconds=100 * i) for i in range(10)]
    sessions = [FocusSessionFactory(started_at=now, next_tick_at=due) for due in first_due]
    stack.worker()
    beat = stack.beat()
    wait_for(lambda: all(len(tick_events(s.id)) >= 2 for s in sessions), timeout=90, what="ticks before")

    beat.kill(signal.SIGTERM)
    beat.popen.wait(20)
    stopped = timezone.now()
    # Sessions fall due while no beat runs: nothing sweeps them.
    wait_for(
        lambda: timezone.now() > stopped + timedelta(seconds=2 * TICK),
        timeout=30,
        interval=0.2,
        what="sessions to fall due",
    )
    assert all(not ticks_after(s.id, stopped + timedelta(seconds=1)) for s in sessions)

    new_beat = stack.beat()
    restarted = timezone.now()
    wait_for(lambda: sweeps_seen(new_beat) >= 1, timeout=30, what="the new beat's first sweep")
    # Every session due while beat was down gets its tick from the first sweeps of the new beat ...
    wait_for(lambda: all(ticks_after(s.id, restarted) for s in sessions), timeout=30, what="ticks after restart")
    for session in sessions:
        first = ticks_after(session.id, restarted)[0].ts
        assert (first - restarted).total_seconds() <= DISPATCH + LEASE + 10
    # ... once (no catch-up burst of the ticks missed), and the cadence carries on.
    wait_for(lambda: all(len(ticks_after(s.id, restarted)) >= 3 for s in sessions), timeout=60, what="cadence")
    for session, due in zip(sessions, first_due):
        assert_tick_invariants(session, max_nudges=8, first_due=due)
        first, second = ticks_after(session.id, restarted)[:2]
        assert (second.ts - first.ts).total_seconds() >= TICK, (first.ts, second.ts)


# --------------------------------------------------------------------------- PostgreSQL restart


def _ticks(cluster, session_id: str) -> int:
    return cluster.sql(
        "SELECT count(*) FROM focus_events WHERE session_id = %s AND event_type IN ('tick', 'nudge', 'break')",
        (session_id,),
    )[0][0]


@pytest.mark.django_db(transaction=True)
def test_worker_beat_and_web_carry_on_through_a_postgresql_restart(pg_cluster, broker, tmp_path):
    env = stack_env(broker_url=broker.url, DATABASE_URL=pg_cluster.url)
    pg_cluster.manage("migrate", "--noinput", env=env)
    token = (
        pg_cluster.manage(
            "shell",
            "-c",
            (
                "from django.contrib.auth.models import User; from focusflow.tokens import token_create; "
                "u = User.objects.create_user('pg', password='pg-pass-123456'); print(token_create(user=u))"
            ),
            env=env,
        )
        .strip()
        .splitlines()[-1]
    )
    stack = Stack(workdir=tmp_path, env=env)
    try:
        _, base = stack.web()
        stack.worker()
        stack.beat()
        status, session = call(base, "POST", "/focus/start", token, {"task_id": None, "estimated_duration": 60})
        assert status == 201, session
        sid = session["session_id"]
        wait_for(lambda: _ticks(pg_cluster, sid) >= 2, timeout=60, what="ticks before the restart")

        pg_cluster.restart()
        restarted = _ticks(pg_cluster, sid)
        # The same processes, not restarted, pick up where they were.
        wait_for(lambda: _ticks(pg_cluster, sid) >= restarted + 3, timeout=90, what="ticks after the restart")
        status, answer = call(base, "POST", "/focus/ping", token, {"session_id": sid, "focus": 0.7})
        assert status == 201, answer
        assert all(proc.alive() for proc in stack.procs), stack.logs()
        # One event per tick, one tick per due time (the cadence starts at started_at for a session
        # started through the API), nothing doubled by the reconnects.
        rows = pg_cluster.sql(
            "SELECT ts FROM focus_events WHERE session_id = %s AND event_type IN "
            "('tick', 'nudge', 'break') ORDER BY ts",
            (sid,),
        )
        started_at, tick_count = pg_cluster.sql(
            "SELECT started_at, tick_count FROM focus_sessions WHERE id = %s", (sid,)
        )[0]
        assert len(rows) == tick_count
        problems = tick_schedule_violations([ts for (ts,) in rows], first_due=started_at, period=TICK)
        assert not problems, problems
    except BaseException:
        print(stack.logs())
        print(pg_cluster.log()[-3000:])
        raise
    finally:
        stack.stop()

"""What `make mutate MUTATE_MODULES=scheduler` found test_scheduler.py did not check
(docs/testing.md): each test here fails with the mutants it names."""

from __future__ import annotations

import base64
import json
import logging
import threading
from datetime import timedelta

import psycopg
import pytest
import redis
import time_machine
from celery import current_app
from django.db import connection
from django.test.utils import CaptureQueriesContext

from focus import scheduler
from focus.models import FocusSession
from focus.tests.factories import FocusSessionFactory
from focus.tests.test_engine_guardrails import T0
from focusflow.broker import request_pool

pytestmark = pytest.mark.django_db


@pytest.fixture
def focus_queue(settings):
    """The broker's FOCUS_QUEUE, emptied before and after."""
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete(settings.FOCUS_QUEUE)
    yield broker
    broker.delete(settings.FOCUS_QUEUE)


def _due(count: int, now) -> list[FocusSession]:
    return FocusSession.objects.bulk_create(FocusSessionFactory.build_batch(count, started_at=now, next_tick_at=now))


def _claim_queries(queries: CaptureQueriesContext) -> int:
    return sum("FOR UPDATE" in q["sql"] for q in queries.captured_queries)


def _chunks(broker, queue: str) -> list[list]:
    """The claim chunks of the run_focus_ticks messages waiting on the queue."""
    chunks = []
    for raw in broker.lrange(queue, 0, -1):
        message = json.loads(raw)
        args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        chunks.append(args[0])
    return chunks


def test_a_sweep_claims_as_of_the_time_it_is_given(focus_queue):
    """Mutant: `now or timezone.now()` → `now and timezone.now()` in dispatch_due_ticks, so a
    sweep given a time claimed as of the wall clock."""
    with time_machine.travel(T0, tick=False):
        _due(1, T0 + timedelta(hours=1))
        assert scheduler.dispatch_due_ticks(now=T0 + timedelta(hours=2)) == 1
        assert scheduler.dispatch_due_ticks() == 0  # as of T0 nothing else is due, the one is leased


def test_a_claim_takes_at_most_500_sessions(focus_queue):
    """Mutants: CLAIM_BATCH 500 → 499 / 501."""
    now = T0
    _due(501, now)
    assert len(scheduler.claim_due_sessions(now=now)) == 500
    assert len(scheduler.claim_due_sessions(now=now)) == 1


def test_a_sweep_claims_again_only_after_a_full_batch(focus_queue):
    """A short batch means nothing else was due: the sweep stops; a full one may have left more.
    Mutants in dispatch_due_ticks: `len(claims) < CLAIM_BATCH` → `<=` / `>=` / `not (...)`, and its
    `break` → `continue` (a sweep claimed 40 times, 39 of them for nothing)."""
    now = T0
    _due(3, now)
    with CaptureQueriesContext(connection) as queries:
        assert scheduler.dispatch_due_ticks(now=now) == 3
    assert _claim_queries(queries) == 1
    focus_queue.delete(scheduler.settings.FOCUS_QUEUE)
    later = now + timedelta(seconds=1)
    _due(500, later)
    with CaptureQueriesContext(connection) as queries:
        assert scheduler.dispatch_due_ticks(now=later) == 500
    assert _claim_queries(queries) == 2  # the full batch, then a look that found nothing


def test_claims_are_published_100_to_a_message(settings, focus_queue):
    """Mutants: PUBLISH_CHUNK 100 → 99 / 101 (250 sessions make three messages either way)."""
    _due(250, T0)
    assert scheduler.dispatch_due_ticks(now=T0) == 250
    assert sorted(len(chunk) for chunk in _chunks(focus_queue, settings.FOCUS_QUEUE)) == [50, 100, 100]


@pytest.mark.parametrize(("waiting", "sent"), [(49, 1), (50, 0)])
def test_the_sweep_holds_back_from_50_waiting_messages(settings, focus_queue, waiting, sent):
    """DESIGN.md's numbers as literals: 50 messages (5,000 ticks) waiting stop the sweep, 49 do not.
    Mutants: QUEUE_HIGH_WATER 50 → 49 / 51 (test_scheduler.py counts from the constant)."""
    _due(1, T0)
    focus_queue.lpush(settings.FOCUS_QUEUE, *[b"{}"] * waiting)
    assert scheduler.dispatch_due_ticks(now=T0) == sent


@pytest.mark.django_db(transaction=True)
def test_a_sweep_skips_a_session_another_transaction_holds_instead_of_waiting(focus_queue):
    """A tick holding a session's row lock must not stall the sweep. Mutant: `skip_locked=True` →
    False (correct, FOR UPDATE re-checks the lease, but every sweep queued behind every tick).
    The wait is bounded by lock_timeout, so the mutant fails instead of hanging."""
    now = T0
    held, free = _due(2, now)
    locked, release = threading.Event(), threading.Event()
    params = connection.get_connection_params()

    def hold() -> None:
        with psycopg.connect(**params) as other, other.transaction():
            other.execute("SELECT 1 FROM focus_sessions WHERE id = %s FOR UPDATE", [held.id])
            locked.set()
            release.wait(timeout=30)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")
        try:
            assert scheduler.claim_due_sessions(now=now) == [(str(free.id), 1)]
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
    finally:
        release.set()
        holder.join()


def test_a_publish_the_broker_refuses_is_reported_not_raised(caplog):
    """Mutants in _publish: its `except Exception` replaced (the sweep task would crash), `return
    False` → True (the sweep would count the chunk as sent), `exc_info=True` → False (the log
    would not say why)."""
    dead = current_app.connection_for_write(
        "redis://127.0.0.1:1/0", connect_timeout=1, transport_options={"max_retries": 0, "socket_connect_timeout": 1}
    )
    with caplog.at_level(logging.WARNING, logger="focus.scheduler"), dead:
        assert scheduler._publish("focus.run_focus_ticks", [[]], connection=dead) is False
    (record,) = [r for r in caplog.records if r.name == "focus.scheduler"]
    assert record.exc_info and "could not publish" in record.getMessage()


def test_a_first_tick_that_finds_no_free_broker_connection_is_left_to_the_sweep(settings, caplog):
    """enqueue_tick when the request pool is exhausted (every connection out, so acquiring one
    times out): False and a warning with the reason, never an exception in the start request.
    Mutants in enqueue_tick: its `except Exception` replaced, `return False` → True,
    `exc_info=True` → False."""
    settings.BROKER_REQUEST_TIMEOUT = 0.05
    pool = request_pool()
    taken = []
    try:
        while True:
            try:
                taken.append(pool.acquire(block=False))
            except Exception:  # kombu's LimitExceeded: the pool is empty
                break
        with caplog.at_level(logging.WARNING, logger="focus.scheduler"):
            assert scheduler.enqueue_tick(session_id=FocusSessionFactory().id) is False
    finally:
        for conn in taken:
            conn.release()
    (record,) = [r for r in caplog.records if r.name == "focus.scheduler"]
    assert record.exc_info and "first tick" in record.getMessage()

"""What `make mutate MUTATE_MODULES=services` found its tests did not check (docs/testing.md): each
test here fails with the mutant it names."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from focus import services
from focus.models import FocusEvent
from focus.tests.test_engine_guardrails import T0


@pytest.mark.django_db(transaction=True)
def test_a_ping_locks_and_writes_in_one_transaction(monkeypatch):
    """session_ping's lock-and-read (selectors.session_for_ping, raw SQL) holds the session row only
    for its transaction: were the write outside it, an end could land between the two and the ping
    after the end (the race test_concurrency.py hunts for, found here at once). Mutant: the
    `@transaction.atomic` on session_ping removed (with autocommit, the lock ends with its SELECT).
    The write is wrapped, never replaced: it runs for real."""
    real = services._ping_write
    seen: list[bool] = []

    def write(*args, **kwargs):
        seen.append(connection.in_atomic_block)
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "_ping_write", write)
    with time_machine.travel(T0, tick=False):
        session = services.session_start(
            person_id=uuid.uuid4(), task_id=None, estimated_duration=30, mode="deep", now=T0
        )
        assert not connection.in_atomic_block  # autocommit between calls, as in a view
        services.session_ping(session_id=session.id, values={"activity": "active"}, now=T0)
    assert seen == [True]
    assert FocusEvent.objects.filter(session=session, event_type="ping").count() == 1


def _folded(queries: CaptureQueriesContext) -> bool:
    return any("FLOOR(EXTRACT(EPOCH" in q["sql"] for q in queries.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize(("pings", "folded"), [(0, False), (2000, False), (2001, True)])
def test_the_summary_reads_up_to_2000_pings_exactly_and_folds_more(pings, folded):
    """_summary_event_rows: at most SUMMARY_EXACT_PINGS (2000, the literal) pings are read as they
    are; past that PostgreSQL folds them by bucket. Both give the same summary on the test data, so
    only the query says which path ran. Mutants: `vendor != "postgresql"` → `==` or `not (...)` (always
    exact, unbounded), `or` → `and` (always folded), `count <= 2000` → `< 2000`, and
    SUMMARY_EXACT_PINGS 2000 → 1999."""
    with time_machine.travel(T0, tick=False):
        session = services.session_start(
            person_id=uuid.uuid4(), task_id=None, estimated_duration=60, mode="deep", now=T0
        )
        FocusEvent.objects.bulk_create(
            FocusEvent(
                session=session, event_type="ping", ts=T0 + timedelta(seconds=1 + i), content={"activity": "active"}
            )
            for i in range(pings)
        )
        with CaptureQueriesContext(connection) as queries:
            services.session_end(session_id=session.id, person_id=None, now=T0 + timedelta(hours=1))
    assert _folded(queries) is folded


@pytest.mark.django_db
def test_the_actual_duration_is_kept_to_two_decimals_of_a_minute():
    """session_end: ten seconds is 0.17 minutes in the session row and its end event. Mutants: the
    `round(..., 2)` of the actual duration → 1 / 3 decimals."""
    with time_machine.travel(T0, tick=False):
        session = services.session_start(
            person_id=uuid.uuid4(), task_id=None, estimated_duration=30, mode="deep", now=T0
        )
        ended = services.session_end(session_id=session.id, person_id=None, now=T0 + timedelta(seconds=10))
    assert ended.actual_duration == 0.17
    assert FocusEvent.objects.get(session=session, event_type="session_end").content["actual_duration"] == 0.17

"""What `make mutate MUTATE_MODULES=services` found its tests did not check (docs/testing.md): each
test here fails with the mutant it names."""

from __future__ import annotations

import uuid

import pytest
import time_machine
from django.db import connection

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

"""The one place focus events are written, and the one place a committed event is handed on.

Every ``focus_events`` row is written here: one at a time by the session services (start, end:
:func:`event_write`) or a tick batch's in one INSERT (focus/engine.py: :func:`events_new` then
:func:`events_write`). The one exception is the ping, the API's hot path: on PostgreSQL its event
is inserted by the same single statement that counts the ping and writes the rhythm state
(focus.services._ping_write), and handed on here with :func:`events_written`. Each write is part of its caller's transaction; once that transaction
commits, the written events are handed to :func:`events_committed` (via
``transaction.on_commit``), once per write, in the order they were written, which passes them to
each of :data:`LISTENERS`. Nothing is handed on for a transaction that rolls back.

Live delivery's publisher (focus.stream.publish.events_publish) is the listener: it announces the
committed rows, with ids, to the web processes, whose open streams read them (focus/stream/); a new
kind of event needs no other plumbing (docs/architecture.md).

Guardrails are not checked here. User-facing events (nudges, breaks) are written only by the tick,
whose policy (focus.policy.decide) applies focus.guardrails.guardrail_block to the counters read
under the session row lock that the tick holds for this same transaction; so the check and the
write see the same state, and no other writer can slip a nudge in between.

Writes cost one statement each (an INSERT ... RETURNING), whatever their size, and handing on adds
none: the ping endpoint's statement count (focus/tests/test_query_counts.py) is unchanged.

Webhooks (focus/webhooks/): a write that holds webhook events (start, pause, resume, nudge, break,
end) also writes their outbox rows here, in the same transaction, and queues their sending after
commit; that costs a read of the person's endpoints, and an insert when one subscribes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.db import transaction

from focus.models import FocusEvent, FocusSession
from focus.stream.publish import events_publish
from focus.webhooks.delivery import deliveries_publish
from focus.webhooks.outbox import outbox_write
from rhythm.selectors import emotion_baseline, rhythm_snapshot

Listener = Callable[[Sequence[FocusEvent]], None]
# Called with each write's events after its commit: live delivery's announcement to the web processes.
LISTENERS: list[Listener] = [events_publish]


def events_new(
    *,
    session: FocusSession,
    ts: datetime,
    items: Sequence[tuple[str, dict[str, Any]]],
    rhythm: dict | None,
    emotion: dict | None,
    task_snapshot: dict | None,
) -> list[FocusEvent]:
    """Unsaved events of one session at one moment, (event_type, content) each, with the same
    snapshots: what a tick writes (its detections, then its own event)."""
    return [
        FocusEvent(
            session=session,
            event_type=event_type,
            ts=ts,
            content=content,
            rhythm_snapshot=rhythm,
            task_snapshot=task_snapshot,
            emotion_snapshot=emotion,
        )
        for event_type, content in items
    ]


def events_write(events: Sequence[FocusEvent]) -> list[FocusEvent]:
    """Insert ``events`` in one statement and hand them on once the transaction commits."""
    return events_written(FocusEvent.objects.bulk_create(list(events)))


def events_written(events: Sequence[FocusEvent]) -> list[FocusEvent]:
    """Hand on, once the transaction commits, events already inserted (ids set): by events_write,
    or by the ping's own one-statement write (focus.services._ping_write)."""
    written = list(events)
    # Webhook deliveries owed, written in this same transaction (nothing is lost if the broker is
    # down); queued once it commits. Pings are never webhook events: the ping costs nothing here.
    deliveries = outbox_write(written)
    if deliveries:
        transaction.on_commit(lambda: deliveries_publish(deliveries), robust=True)
    if written and LISTENERS:
        # robust: the request or tick has already committed; a failing listener must not undo its answer.
        transaction.on_commit(lambda: events_committed(written), robust=True)
    return written


def event_write(
    *,
    session: FocusSession,
    event_type: str,
    ts: datetime,
    content: dict[str, Any],
    rhythm: dict | None = None,
    emotion: dict | None = None,
) -> FocusEvent:
    """Write one event with the person's rhythm, task and emotion at that moment."""
    event = FocusEvent(
        session=session,
        event_type=event_type,
        ts=ts,
        content=content,
        rhythm_snapshot=rhythm if rhythm is not None else rhythm_snapshot(person_id=session.person_id),
        task_snapshot=session.task.as_snapshot() if session.task_id else None,
        emotion_snapshot=emotion if emotion is not None else emotion_baseline(person_id=session.person_id),
    )
    return events_write([event])[0]


def events_committed(events: Sequence[FocusEvent]) -> None:
    """Called after commit with the events one write stored (ids set), oldest first.

    The seam for live delivery: a listener publishes each event to the session's clients (for
    example to a Redis channel per session that a streaming endpoint relays). Keep listeners fast
    and never raise for a client's sake: they run in the request or the tick worker, after the
    answer is decided."""
    for listener in LISTENERS:
        listener(events)

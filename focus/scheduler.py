"""The tick scheduler: the database says which sessions are due; the broker only carries work.

One beat entry (`focus.dispatch_due_ticks`) sweeps due sessions every FOCUS_DISPATCH_SECONDS.
A sweep claims due, un-leased active sessions with `SELECT … FOR UPDATE SKIP LOCKED`, sets a
lease and bumps each session's tick sequence in the same transaction, and publishes the claimed
(id, sequence) pairs in chunks. Overlapping sweeps (or a second beat by mistake) skip each
other's locked rows and never see an unexpired lease, so nothing is claimed twice; a message
that is lost is re-claimed when its lease runs out, and the bumped sequence makes the lost
message stale should it ever turn up.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from kombu import Connection

from focus.models import FocusSession
from focusflow.broker import acquire_request_connection

logger = logging.getLogger(__name__)

SWEEP_TASK = "focus.dispatch_due_ticks"


class QuietSweeps(logging.Filter):
    """Celery's own INFO lines about the sweep ("Sending due task", "received", "succeeded"), one of
    each per FOCUS_DISPATCH_SECONDS, would drown the access log (about 180 a minute in a compressed
    demo). They are dropped unless this module logs at DEBUG; :func:`dispatch_due_ticks` logs a sweep
    at INFO itself when it sent something. Warnings and errors always pass."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING or logger.isEnabledFor(logging.DEBUG):
            return True
        try:
            return SWEEP_TASK not in record.getMessage()
        except Exception:  # a record whose arguments do not format: keep it
            return True


# The loggers Celery writes those lines with (beat, the worker's "received", the task's "succeeded").
# Imported by focus.tasks, so by every worker and beat (each finalizes the app, importing the tasks).
for _name in ("celery.beat", "celery.worker.strategy", "celery.app.trace"):
    if not any(isinstance(f, QuietSweeps) for f in logging.getLogger(_name).filters):
        logging.getLogger(_name).addFilter(QuietSweeps())

CLAIM_BATCH = 500  # rows locked per claim transaction
PUBLISH_CHUNK = 100  # sessions per published message
MAX_BATCHES_PER_SWEEP = 40  # bounds one sweep; the next sweep carries on
QUEUE_HIGH_WATER = 50  # messages (5,000 ticks) waiting on FOCUS_QUEUE: claim no more this sweep


def _publish(task_name: str, args: list, connection: Connection | None = None) -> bool:
    try:
        current_app.send_task(task_name, args=args, queue=settings.FOCUS_QUEUE, retry=False, connection=connection)
        return True
    except Exception:  # broker down: the database still says what is due; the sweep retries
        logger.warning("could not publish %s; the next sweep will pick the work up", task_name, exc_info=True)
        return False


def enqueue_tick(*, session_id: uuid.UUID) -> bool:
    """Queue a session's tick now (after start commits). This runs inside the start request, so it
    gets one bounded try (focusflow/broker.py): a broker that is down or hung only delays the tick
    to the next sweep, which finds the session due in the database."""
    try:
        with acquire_request_connection() as connection:
            return _publish("focus.run_focus_tick", [str(session_id)], connection=connection)
    except Exception:  # closing a connection to a hung broker can fail too; the sweep still owes the tick
        logger.warning("could not publish the first tick of %s; the next sweep will send it", session_id, exc_info=True)
        return False


def claim_due_sessions(*, now: datetime, limit: int = CLAIM_BATCH) -> list[tuple[str, int]]:
    """Claim up to `limit` due, un-leased active sessions; returns (session id, tick sequence)."""
    lease_until = now + timedelta(seconds=settings.FOCUS_LEASE_SECONDS)
    with transaction.atomic():
        ids = list(
            FocusSession.objects.select_for_update(skip_locked=True)
            .filter(ended_at__isnull=True, next_tick_at__lte=now)
            .filter(Q(lease_until__isnull=True) | Q(lease_until__lte=now))
            .order_by("next_tick_at")
            .values_list("id", flat=True)[:limit]
        )
        if not ids:
            return []
        FocusSession.objects.filter(id__in=ids).update(lease_until=lease_until, tick_seq=F("tick_seq") + 1)
        return [(str(pk), seq) for pk, seq in FocusSession.objects.filter(id__in=ids).values_list("id", "tick_seq")]


def queued_messages() -> int:
    """How many messages wait on FOCUS_QUEUE; 0 when the broker cannot say (then nothing holds back)."""
    try:
        with current_app.connection_or_acquire() as conn:
            conn.ensure_connection(max_retries=1)  # fail fast: kombu would otherwise retry forever
            return conn.default_channel.queue_declare(queue=settings.FOCUS_QUEUE, passive=True).message_count
    except Exception:
        return 0


def dispatch_due_ticks(*, now: datetime | None = None) -> int:
    """One sweep: claim due sessions in batches and publish them in chunks. Returns how many were sent."""
    sent = 0
    for _ in range(MAX_BATCHES_PER_SWEEP):
        if queued_messages() >= QUEUE_HIGH_WATER:
            break  # workers are behind: what is due stays unleased for a later sweep
        claims = claim_due_sessions(now=now or timezone.now())
        for start in range(0, len(claims), PUBLISH_CHUNK):
            chunk = [list(claim) for claim in claims[start : start + PUBLISH_CHUNK]]
            if not _publish("focus.run_focus_ticks", [chunk]):
                logger.info("sweep: sent %d due tick(s), then the broker refused", sent)
                return sent  # leases expire and the sessions are claimed again later
            sent += len(chunk)
        if len(claims) < CLAIM_BATCH:
            break
    if sent:
        logger.info("sweep: sent %d due tick(s)", sent)
    else:
        logger.debug("sweep: nothing due")
    return sent

"""The max-age sweep: a session nobody ended ends by itself FOCUS_MAX_SESSION_HOURS after it started.

A session left running (a closed tab, a lost phone) would otherwise tick, and grow, for ever. Its
own beat entry, `focus.end_overdue_sessions` (installed by migration, every
OVERDUE_SWEEP_SECONDS), finds active sessions that started more than the maximum ago and ends
each through the normal `session_end`, with `early_end` and `ended_after_hours`, so it gets the
one summary (saying it was ended automatically), the one memory record, and no habit gain
(focus/services.py says why). The tick engine is left alone: the hot path pays nothing for this.

Safe with two beats or several workers: each end locks its session row and a session that was
already ended (by the person, the admin or the other sweep) is a Conflict, which is skipped; so a
session ends exactly once whoever gets there first.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from focus.models import FocusSession
from focus.services import session_end
from focusflow.errors import Conflict, NotFound

logger = logging.getLogger(__name__)

MAX_ENDS_PER_SWEEP = 100  # each end is its own transaction; the next sweep carries on


def overdue_before(now: datetime) -> datetime:
    """Sessions that started before this are past FOCUS_MAX_SESSION_HOURS."""
    return now - timedelta(hours=settings.FOCUS_MAX_SESSION_HOURS)


def end_overdue_sessions(*, now: datetime | None = None, limit: int = MAX_ENDS_PER_SWEEP) -> int:
    """End up to ``limit`` sessions still active past the maximum, oldest first. Returns how many it ended."""
    now = now or timezone.now()
    overdue = list(
        FocusSession.objects.filter(ended_at__isnull=True, started_at__lte=overdue_before(now))
        .order_by("started_at")
        .values_list("id", flat=True)[:limit]
    )
    ended = 0
    for session_id in overdue:
        try:
            session_end(
                session_id=session_id,
                person_id=None,
                early_end=True,
                ended_after_hours=settings.FOCUS_MAX_SESSION_HOURS,
            )
        except (Conflict, NotFound):  # ended (or deleted) since the query: by its person or another sweep
            continue
        except Exception:  # one broken session must not keep the others running
            logger.exception("could not end overdue session %s; the next sweep tries again", session_id)
            continue
        ended += 1
    return ended

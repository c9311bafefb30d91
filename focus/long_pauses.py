"""The long-pause sweep: a session paused longer than FOCUS_MAX_PAUSE_MINUTES ends by itself.

A pause nobody resumes (a meeting that ran on, a laptop shut) would otherwise hold the session
open, and block the person's next start, until the max-age sweep. Its own beat entry,
`focus.end_long_paused_sessions` (installed by migration, every LONG_PAUSE_SWEEP_SECONDS), ends
each through the normal `session_end` with `early_end` and `ended_after_pause_minutes`, so it gets
the one summary (saying it ended itself after the pause), the one memory record and the habit
update for the time that was worked. The pause counts in no duration (focus/clock.py).

The limit is in session minutes (focus/clock.py), like the policy's lengths, so a time-compressed
run exercises it. Safe with two beats or several workers, as focus/overdue.py: an end of a session
someone else ended or resumed since the query is skipped.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from focus.clock import session_seconds_of
from focus.models import FocusSession
from focus.services import session_end
from focusflow.errors import Conflict, NotFound

logger = logging.getLogger(__name__)

MAX_ENDS_PER_SWEEP = 100  # each end is its own transaction; the next sweep carries on


def paused_before(now: datetime) -> datetime:
    """Sessions paused since before this are past FOCUS_MAX_PAUSE_MINUTES."""
    seconds = session_seconds_of(settings.FOCUS_MAX_PAUSE_MINUTES, settings.FOCUS_TICK_SECONDS)
    return now - timedelta(seconds=seconds)


def end_long_paused_sessions(*, now: datetime | None = None, limit: int = MAX_ENDS_PER_SWEEP) -> int:
    """End up to ``limit`` sessions paused past the maximum, longest paused first. Returns how many it ended."""
    now = now or timezone.now()
    limit_before = paused_before(now)
    overdue = list(
        FocusSession.objects.filter(ended_at__isnull=True, paused_at__lte=limit_before)
        .order_by("paused_at")
        .values_list("id", flat=True)[:limit]
    )
    ended = 0
    for session_id in overdue:
        try:
            session_end(
                session_id=session_id,
                person_id=None,
                early_end=True,
                ended_after_pause_minutes=settings.FOCUS_MAX_PAUSE_MINUTES,
                require_paused_before=limit_before,
                now=now,
            )
        except (Conflict, NotFound):  # ended, resumed (checked under the end's lock) or deleted since the query
            continue
        except Exception:  # one broken session must not keep the others open
            logger.exception("could not end long-paused session %s; the next sweep tries again", session_id)
            continue
        ended += 1
    return ended

"""Meetings and sessions: what a busy time from the person's calendars (planner/calendars/) does to
a running session.

- A meeting that starts during a running session pauses it (a `pause` event with reason
  `meeting`, and the meeting's title only if the person allowed it: preferences
  `meeting_titles`), and the session resumes when the person is no longer in a meeting. Or, when
  the person prefers (`meetings: "hold"`), the session keeps running and the tick holds every
  non-urgent nudge ("you're in a meeting": TickContext.in_meeting).
- A meeting already under way when a session starts pauses nothing: the person started it in the
  meeting on purpose; the start says so (its event's `in_meeting_until`) and nudges are held.
- A session is paused at most once per meeting: resumed by hand during it, it stays running.
- The policy sees the next meeting (TickContext.next_meeting_at): wrap-up comes before a meeting
  that will cut the session short (focus/policy/candidates.py).
- The summary counts the time paused for meetings apart (`meeting_minutes`).

The sweep (`meetings_sweep`, the beat entry focus.sweep_meetings) does the pausing and resuming,
through the session controls (focus/controls.py), so each is one transaction under the session's
row lock like every other session write.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from focus import vocabulary
from focus.clock import session_minutes_of
from focus.models import FocusEvent, FocusSession
from focusflow.errors import DomainError
from planner.calendars.models import BusyTime
from planner.calendars.selectors import busy_at
from rhythm.models import PersonPreferences

logger = logging.getLogger(__name__)

HOLD = "hold"  # the person's `meetings` preference that keeps sessions running
SWEEP_BATCH = 200


def _busy_now(now: datetime) -> Exists:
    return Exists(BusyTime.objects.filter(person_id=OuterRef("person_id"), starts_at__lte=now, ends_at__gt=now))


def _preferences(person_ids: Iterable) -> dict:
    return {p.person_id: p for p in PersonPreferences.objects.filter(person_id__in=set(person_ids))}


def _pause_for_meetings(now: datetime, given: datetime | None) -> int:
    from focus import controls  # noqa: PLC0415 (controls uses the services, which use this module)

    paused = 0
    running = list(
        FocusSession.objects.filter(ended_at__isnull=True, paused_at__isnull=True)
        .filter(_busy_now(now))
        .only("id", "person_id", "started_at")[:SWEEP_BATCH]
    )
    preferences = _preferences(s.person_id for s in running)
    for session in running:
        choice = preferences.get(session.person_id)
        if choice is not None and choice.meetings == HOLD:
            continue
        meeting = busy_at(person_id=session.person_id, at=now)
        if meeting is None or meeting.starts_at < session.started_at:
            continue  # started during the meeting: held, not paused
        if FocusEvent.objects.filter(
            session_id=session.id,
            event_type=vocabulary.PAUSE,
            content__reason=vocabulary.PAUSE_MEETING,
            ts__gte=meeting.starts_at,
        ).exists():
            continue  # paused for this meeting once already (and resumed by hand since)
        title = meeting.title if choice is not None and choice.meeting_titles else None
        try:
            controls.pause_session(session_id=session.id, reason=vocabulary.PAUSE_MEETING, title=title, now=given)
            paused += 1
        except DomainError:
            continue  # ended or paused meanwhile
    return paused


def _resume_after_meetings(now: datetime, given: datetime | None) -> int:
    from focus import controls  # noqa: PLC0415 (controls uses the services, which use this module)

    resumed = 0
    last_pause_reason = Subquery(
        FocusEvent.objects.filter(session_id=OuterRef("pk"), event_type=vocabulary.PAUSE)
        .order_by("-ts", "-id")
        .values("content__reason")[:1]
    )
    waiting = (
        FocusSession.objects.filter(ended_at__isnull=True, paused_at__isnull=False)
        .annotate(pause_reason=last_pause_reason)
        .filter(pause_reason=vocabulary.PAUSE_MEETING)
        .exclude(_busy_now(now))
        .values_list("id", flat=True)[:SWEEP_BATCH]
    )
    for session_id in list(waiting):
        try:
            controls.resume_session(session_id=session_id, now=given)
            resumed += 1
        except DomainError:
            continue  # ended or resumed meanwhile
    return resumed


def meetings_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Pause the running sessions a meeting has just interrupted; resume those whose meetings are over.

    Unless `now` is given (tests), each pause and resume takes its time after the session's lock, as
    every session write does: a tick that held the lock then lands before the pause, never inside it."""
    at = now or timezone.now()
    return {"paused": _pause_for_meetings(at, now), "resumed": _resume_after_meetings(at, now)}


def meeting_at_start(*, person_id, now: datetime) -> dict:
    """What a session's start event says about a meeting under way (nothing when there is none)."""
    meeting = busy_at(person_id=person_id, at=now)
    return {} if meeting is None else {"in_meeting_until": meeting.ends_at.isoformat()}


def meeting_minutes(events: Iterable, *, ended_at: datetime, tick_seconds: float) -> float:
    """Session minutes spent paused for meetings, from a session's events in time order (records
    with event_type, ts, content): each meeting pause up to the resume after it, or the end."""
    total, since = 0.0, None
    for event in events:
        if event.event_type == vocabulary.PAUSE and since is None:
            if (event.content or {}).get("reason") == vocabulary.PAUSE_MEETING:
                since = event.ts
        elif event.event_type == vocabulary.RESUME and since is not None:
            total += (event.ts - since).total_seconds()
            since = None
    if since is not None:
        total += max(0.0, (ended_at - since).total_seconds())
    return round(session_minutes_of(total, tick_seconds), 1)

"""Session controls: pause, resume, and answering a nudge (DESIGN.md "Session controls").

Each is one transaction under the session's row lock (the lock ping, end and the tick take), so a
control and a tick run one after the other, never interleaved.

Pausing stops the session clock and the ticks: ``paused_at`` is set and ``next_tick_at`` cleared, so
the sweep (focus/scheduler.py, whose claim asks for ``next_tick_at <= now``) never claims a paused
session and the partial index on ``next_tick_at`` stays exactly as useful; the tick sequence is
bumped, so a tick message already in flight is stale and the engine skips it. Resuming closes the
span (``FocusSession.pauses``) and schedules the next tick one period from now. The session clock
(focus/clock.py) leaves the paused spans out of every duration; the policy counts a pause as a
break (focus/policy/answers.py).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from focus import vocabulary
from focus.events import event_write
from focus.models import USER_FACING_EVENTS, FocusEvent, FocusSession
from focus.services import _session_lock
from focusflow.errors import Conflict, InvalidInput, NotFound
from rhythm.services import nudge_answers_add

MAX_TITLE_LENGTH = 200

CONTROL_FIELDS = ["paused_at", "pauses", "next_tick_at", "lease_until", "actual_duration"]


def _save(session: FocusSession) -> None:
    """Write what a control changes, and bump the tick sequence: a tick message already on its way
    (claimed before the pause or resume) is then stale, and the engine skips it."""
    FocusSession.objects.filter(pk=session.pk).update(
        **{name: getattr(session, name) for name in CONTROL_FIELDS}, tick_seq=F("tick_seq") + 1
    )
    session.tick_seq += 1  # the row is locked: no one else moved it


@transaction.atomic
def pause_session(
    *,
    session_id: uuid.UUID,
    reason: str = vocabulary.PAUSE_PERSON,
    title: str | None = None,
    now: datetime | None = None,
    person_id: uuid.UUID | None = None,
) -> FocusSession:
    """Pause an active session: no tick runs and no time counts until it is resumed.

    ``reason`` is why (``person``, ``meeting``, ``idle``); ``title`` names a meeting. ``person_id``
    limits it to that person's sessions (None: any, for the integrations and service accounts).
    A paused or ended session is a 409."""
    if reason not in vocabulary.PAUSE_REASONS:
        raise InvalidInput("Invalid input.", errors={"reason": [f"One of {', '.join(vocabulary.PAUSE_REASONS)}."]})
    session = _session_lock(session_id=session_id, person_id=person_id)
    now = now or timezone.now()  # read after the lock, as every session write
    if session.ended_at is not None:
        raise Conflict("This session has ended; it cannot be paused.", ended_at=session.ended_at.isoformat())
    if session.paused_at is not None:
        raise Conflict("This session is already paused.", paused_at=session.paused_at.isoformat())
    session.actual_duration = round(session.clock().session_minutes(now), 2)
    session.paused_at = now
    session.next_tick_at = None  # the sweep claims only next_tick_at <= now: never a paused session
    session.lease_until = None
    content: dict = {"reason": reason}
    if title:
        content["title"] = str(title)[:MAX_TITLE_LENGTH]
    event_write(session=session, event_type=vocabulary.PAUSE, ts=now, content=content)
    _save(session)
    return session


@transaction.atomic
def resume_session(
    *, session_id: uuid.UUID, now: datetime | None = None, person_id: uuid.UUID | None = None
) -> FocusSession:
    """Resume a paused session: its clock runs again and its next tick is one period from now.

    A session that is not paused (running or ended) is a 409."""
    session = _session_lock(session_id=session_id, person_id=person_id)
    now = now or timezone.now()
    if session.ended_at is not None:
        raise Conflict("This session has ended; it cannot be resumed.", ended_at=session.ended_at.isoformat())
    if session.paused_at is None:
        raise Conflict("This session is not paused.")
    span_minutes = round(max(0.0, (now - session.paused_at).total_seconds()) / 60, 2)
    session.close_pause(now)
    session.next_tick_at = now + timedelta(seconds=settings.FOCUS_TICK_SECONDS)
    session.lease_until = None
    session.actual_duration = round(session.clock().session_minutes(now), 2)
    event_write(session=session, event_type=vocabulary.RESUME, ts=now, content={"paused_minutes": span_minutes})
    _save(session)
    return session


@transaction.atomic
def respond(
    *,
    event_id: int,
    response: str,
    snooze_minutes: int | None = None,
    now: datetime | None = None,
    person_id: uuid.UUID | None = None,
) -> FocusEvent:
    """Answer a nudge or break once: ``done`` (taken), ``snooze`` (back after ``snooze_minutes``:
    5, 10 or 15) or ``dismiss`` (not now). Writes the ``nudge_response`` event and adds the answer
    to the person's model (rhythm.PersonalModel.nudge_answers), which the policy learns from.

    Another person's event (``person_id`` given) or none at all is a 404; an event that is not a
    nudge or break, of a session that has ended, or that was answered already is a 409."""
    if response not in vocabulary.RESPONSES:
        raise InvalidInput("Invalid input.", errors={"response": [f"One of {', '.join(vocabulary.RESPONSES)}."]})
    if response == vocabulary.SNOOZE and snooze_minutes not in vocabulary.SNOOZE_MINUTES:
        raise InvalidInput("Invalid input.", errors={"snooze_minutes": ["Required for snooze: one of 5, 10, 15."]})
    if response != vocabulary.SNOOZE:
        snooze_minutes = None
    events = FocusEvent.objects.filter(pk=event_id)
    if person_id is not None:
        events = events.filter(session__person_id=person_id)
    found = events.values_list("session_id", flat=True).first()
    if found is None:
        raise NotFound("No such event.")
    session = _session_lock(session_id=found, person_id=None)  # answers to one session queue on its row
    now = now or timezone.now()
    nudge = FocusEvent.objects.get(pk=event_id)
    if nudge.event_type not in USER_FACING_EVENTS:
        raise Conflict("Only a nudge or a break can be answered.", event_type=nudge.event_type)
    if session.ended_at is not None:
        raise Conflict("This session has ended; its nudges can no longer be answered.")
    if FocusEvent.objects.filter(
        session_id=session.id, event_type=vocabulary.NUDGE_RESPONSE, content__event_id=nudge.id
    ).exists():
        raise Conflict("This nudge was answered already.", event_id=nudge.id)
    kind = (nudge.content or {}).get("kind")
    content: dict = {"event_id": nudge.id, "kind": kind, "response": response, "snooze_minutes": snooze_minutes}
    if isinstance((nudge.content or {}).get("break_minutes"), int):
        content["break_minutes"] = nudge.content["break_minutes"]
    event = event_write(session=session, event_type=vocabulary.NUDGE_RESPONSE, ts=now, content=content)
    if kind in vocabulary.ALLOWED_KINDS:
        nudge_answers_add(person_id=session.person_id, answers=[(kind, vocabulary.ANSWER_OF_RESPONSE[response])])
    return event

"""Session lifecycle writes: start, ping, end. Each is one transaction; a failure writes nothing."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from focus import scheduler
from focus.models import EventType, FocusEvent, FocusSession
from focus.policy import NOMINAL_TICK_MINUTES
from focus.selectors import active_session_for
from focus.summary import EventRecord, build_summary, summary_sentiment
from focusflow.errors import Conflict, InvalidInput, NotFound
from planner.models import Task
from rhythm.habit import emotion_from_sentiment
from rhythm.models import MemoryShortTerm, RhythmSample
from rhythm.selectors import emotion_baseline, rhythm_snapshot
from rhythm.services import RHYTHM_FIELDS, habit_strengthen, memory_write, rhythm_update


def minutes_between(start: datetime, end: datetime) -> float:
    """Wall-clock minutes (what actual_duration stores)."""
    return round(max(0.0, (end - start).total_seconds()) / 60, 2)


def session_minutes_between(start: datetime, end: datetime) -> float:
    """Minutes of session time: tick periods x 5. Equal to wall-clock minutes at the default
    FOCUS_TICK_SECONDS=300; in a time-compressed run it keeps estimates and durations comparable."""
    elapsed = max(0.0, (end - start).total_seconds())
    return round(elapsed / settings.FOCUS_TICK_SECONDS * NOMINAL_TICK_MINUTES, 2)


def event_write(
    *, session: FocusSession, event_type: str, ts: datetime, content: dict[str, Any],
    rhythm: dict | None = None, emotion: dict | None = None,
) -> FocusEvent:
    """Write one event with the person's rhythm, task and emotion at that moment."""
    return FocusEvent.objects.create(
        session=session, event_type=event_type, ts=ts, content=content,
        rhythm_snapshot=rhythm if rhythm is not None else rhythm_snapshot(person_id=session.person_id),
        task_snapshot=session.task.as_snapshot() if session.task_id else None,
        emotion_snapshot=emotion if emotion is not None else emotion_baseline(person_id=session.person_id),
    )


def _session_lock(*, session_id: uuid.UUID, person_id: uuid.UUID | None) -> FocusSession:
    """Lock the session row for this transaction (ping/end/tick serialize on it)."""
    sessions = FocusSession.objects.select_for_update().filter(pk=session_id)
    if person_id is not None:
        sessions = sessions.filter(person_id=person_id)
    session = sessions.first()
    if session is None:
        raise NotFound("No such session.")
    return session


def _active_conflict(person_id: uuid.UUID) -> Conflict:
    active = active_session_for(person_id=person_id)
    return Conflict(
        "A focus session is already active; end it before starting another.",
        active_session_id=str(active.id) if active else None,
    )


def session_start(
    *, person_id: uuid.UUID, task_id: uuid.UUID | None, estimated_duration: int, mode: str,
    now: datetime | None = None,
) -> FocusSession:
    """Start a session, record its start state, and queue its first tick once committed."""
    now = now or timezone.now()
    task = None
    if task_id is not None:
        task = Task.objects.filter(pk=task_id, person_id=person_id).first()
        if task is None:
            raise InvalidInput(
                "Invalid input.", errors={"task_id": ["No such task for this person."]}
            )
    try:
        with transaction.atomic():
            if active_session_for(person_id=person_id) is not None:
                raise _active_conflict(person_id)
            rhythm = rhythm_snapshot(person_id=person_id)
            emotion = emotion_baseline(person_id=person_id)
            session = FocusSession.objects.create(
                person_id=person_id, task=task, mode=mode, started_at=now,
                estimated_duration=estimated_duration, next_tick_at=now,
                start_state={
                    "rhythm": rhythm, "task": task.as_snapshot() if task else None, "emotion": emotion,
                },
            )
            event_write(
                session=session, event_type=EventType.SESSION_START, ts=now, rhythm=rhythm, emotion=emotion,
                content={"mode": mode, "estimated_duration": estimated_duration,
                         "task_id": str(task.id) if task else None},
            )
            transaction.on_commit(lambda: scheduler.enqueue_tick(session_id=session.id))
    except IntegrityError:  # a concurrent start won the one-active-session constraint
        raise _active_conflict(person_id)
    return session


@transaction.atomic
def session_ping(
    *, session_id: uuid.UUID, person_id: uuid.UUID | None, values: dict[str, Any],
    now: datetime | None = None,
) -> FocusEvent:
    """Log biomarkers on an active session; energy/stress/fatigue also update the rhythm state."""
    session = _session_lock(session_id=session_id, person_id=person_id)
    now = now or timezone.now()  # read after the lock, so the event lands after whatever held it
    if session.ended_at is not None:
        raise Conflict("This session has ended; pings are closed.", ended_at=session.ended_at.isoformat())
    content = {name: value for name, value in values.items() if value is not None}
    pinged = {name: content[name] for name in RHYTHM_FIELDS if name in content}
    rhythm = None  # event_write reads it unless this ping just set it
    if pinged:
        state = rhythm_update(person_id=session.person_id, source=RhythmSample.Source.PING, **pinged)
        rhythm = state.as_snapshot()
    return event_write(session=session, event_type=EventType.PING, ts=now, content=content, rhythm=rhythm)


@transaction.atomic
def session_end(
    *, session_id: uuid.UUID, person_id: uuid.UUID | None, completion_score: float | None = None,
    session_quality: Any = None, early_end: bool | None = None, now: datetime | None = None,
) -> FocusSession:
    """End a session once: summary, one short-term memory, habit strength. A second end is a 409."""
    session = _session_lock(session_id=session_id, person_id=person_id)
    now = now or timezone.now()  # read after the lock: a tick that held it must not land after the end
    if session.ended_at is not None:
        raise Conflict("This session has already ended.", ended_at=session.ended_at.isoformat())
    actual = minutes_between(session.started_at, now)
    session_minutes = session_minutes_between(session.started_at, now)
    if early_end is None:
        early_end = session_minutes < session.estimated_duration
    session.ended_at = now
    session.actual_duration = actual
    session.completion_score = completion_score
    session.session_quality = session_quality
    session.early_end = early_end
    session.next_tick_at = None
    session.lease_until = None
    event_write(
        session=session, event_type=EventType.SESSION_END, ts=now,
        content={"actual_duration": actual, "estimated_duration": session.estimated_duration,
                 "completion_score": completion_score, "early_end": early_end},
    )
    events = [
        EventRecord(event_type=event_type, ts=ts, content=content, rhythm_snapshot=rhythm)
        for event_type, ts, content, rhythm in FocusEvent.objects.filter(session_id=session.id)
        .order_by("ts", "id")
        .values_list("event_type", "ts", "content", "rhythm_snapshot")
    ]
    session.summary = build_summary(
        started_at=session.started_at, ended_at=now, estimated_minutes=session.estimated_duration,
        completion_score=completion_score, session_quality=session_quality, early_end=early_end,
        events=events, tick_seconds=settings.FOCUS_TICK_SECONDS,
    )
    session.save()
    sentiment = summary_sentiment(
        completion_score=completion_score, session_quality=session_quality, early_end=early_end
    )
    memory_write(
        person_id=session.person_id, kind=MemoryShortTerm.FOCUS_SUMMARY, content=session.summary,
        sentiment=sentiment, emotion_tags=[emotion_from_sentiment(sentiment)], session_id=session.id,
    )
    habit_strengthen(
        person_id=session.person_id, actual_minutes=session_minutes, estimated_minutes=session.estimated_duration,
        early_end=early_end, completion_score=completion_score, now=now,
    )
    return session

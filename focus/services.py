"""Session lifecycle writes: start, ping, end. Each is one transaction; a failure writes nothing."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from rest_framework import status

from focus import scheduler, selectors
from focus.models import EventType, FocusEvent, FocusSession
from focus.policy import NOMINAL_TICK_MINUTES
from focus.selectors import active_session_for
from focus.summary import EventRecord, build_summary, summary_sentiment
from focusflow.errors import Conflict, DomainError, InvalidInput, NotFound
from planner.models import Task
from rhythm.habit import emotion_from_sentiment
from rhythm.models import MemoryShortTerm, RhythmSample
from rhythm.selectors import emotion_baseline, rhythm_snapshot
from rhythm.services import (
    RHYTHM_FIELDS,
    habit_strengthen,
    memory_write,
    rhythm_ping_write_sql,
    rhythm_update,
)


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


class PingCeilingReached(DomainError):
    """A session has taken FOCUS_MAX_PINGS_PER_SESSION pings: more would make it ever slower to end."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    code = "ping_ceiling"


@transaction.atomic
def session_ping(
    *, session_id: uuid.UUID, values: dict[str, Any], person_id: uuid.UUID | None = None,
    login_id: int | None = None, now: datetime | None = None,
) -> FocusEvent:
    """Log biomarkers on an active session; energy/stress/fatigue also update the rhythm state.

    The session must be the person's (`person_id`), or the person's a login maps to (`login_id`, the
    user's id); neither: any session (staff). The API's hot path, so on PostgreSQL two statements:
    the lock-and-read (selectors.session_for_ping), then one write (`_ping_write`).
    """
    target = selectors.session_for_ping(session_id=session_id, person_id=person_id, login_id=login_id)
    if target is None:
        raise NotFound("No such session.")
    now = now or timezone.now()  # read after the lock, so the event lands after whatever held it
    if target.ended_at is not None:
        raise Conflict("This session has ended; pings are closed.", ended_at=target.ended_at.isoformat())
    ceiling = settings.FOCUS_MAX_PINGS_PER_SESSION
    if target.ping_count >= ceiling:
        raise PingCeilingReached(
            f"This session has taken its {ceiling} pings, the most one session holds; "
            "end it and start a new one to keep logging.",
            max_pings=ceiling,
        )
    content = {name: value for name, value in values.items() if value is not None}
    pinged = {name: content[name] for name in RHYTHM_FIELDS if name in content}
    event = FocusEvent(
        session_id=target.session_id, event_type=EventType.PING, ts=now, content=content,
        rhythm_snapshot=target.rhythm,  # replaced by the state this ping writes, if it carries values
        task_snapshot=target.task_snapshot, emotion_snapshot=target.emotion,
    )
    _ping_write(event, person_id=target.person_id, pinged=pinged)
    return event


# On PostgreSQL a ping's writes are one statement: count the ping on the (locked) session row, set the
# rhythm values with their history sample when the ping carries any (rhythm/services.py), and insert
# the event with the rhythm state just written as its snapshot.
_PING_WRITE = """
WITH counted AS (UPDATE focus_sessions SET ping_count = ping_count + 1 WHERE id = %(session_id)s){rhythm}
INSERT INTO focus_events (session_id, event_type, ts, content, rhythm_snapshot, task_snapshot, emotion_snapshot)
SELECT %(session_id)s, %(event_type)s, %(ts)s, %(content)s::jsonb, {snapshot}, %(task)s::jsonb, %(emotion)s::jsonb
{source}
RETURNING id, rhythm_snapshot
"""


def _ping_write(event: FocusEvent, *, person_id: uuid.UUID, pinged: dict[str, float]) -> None:
    """Write a ping: its count on the session, the rhythm values it carries, and the event (id set)."""
    if connection.vendor == "postgresql":
        _ping_write_postgresql(event, person_id=person_id, pinged=pinged)
    else:  # the SQLite quick start
        _ping_write_orm(event, person_id=person_id, pinged=pinged)


def _ping_write_orm(event: FocusEvent, *, person_id: uuid.UUID, pinged: dict[str, float]) -> None:
    """The same writes through the ORM, a statement each (focus/tests/test_ping.py holds the two alike)."""
    FocusSession.objects.filter(pk=event.session_id).update(ping_count=F("ping_count") + 1)
    if pinged:
        state = rhythm_update(person_id=person_id, source=RhythmSample.Source.PING, **pinged)
        event.rhythm_snapshot = state.as_snapshot()
    event.save(force_insert=True)


def _ping_write_postgresql(event: FocusEvent, *, person_id: uuid.UUID, pinged: dict[str, float]) -> None:
    encoder = FocusEvent._meta.get_field("content").encoder

    def jsonb(value: Any) -> str | None:  # None is SQL NULL, as the ORM stores it
        return None if value is None else json.dumps(value, cls=encoder)

    params = {
        "session_id": event.session_id, "event_type": event.event_type, "ts": event.ts,
        "content": jsonb(event.content), "rhythm": jsonb(event.rhythm_snapshot),
        "task": jsonb(event.task_snapshot), "emotion": jsonb(event.emotion_snapshot),
    }
    if pinged:
        rhythm_sql, rhythm_params = rhythm_ping_write_sql(person_id=person_id, values=pinged)
        sql = _PING_WRITE.format(rhythm=f", {rhythm_sql}", snapshot="rhythm.snapshot", source="FROM rhythm")
        params.update(rhythm_params)
    else:
        sql = _PING_WRITE.format(rhythm="", snapshot="%(rhythm)s::jsonb", source="")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        event.id, snapshot = cursor.fetchone()
    event.rhythm_snapshot = json.loads(snapshot) if isinstance(snapshot, str) else snapshot
    event._state.adding = False


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

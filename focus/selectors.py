"""Reads of sessions and events, always scoped to the person asking (None = staff, any person)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import QuerySet

from focus import vocabulary
from focus.models import USER_FACING_EVENTS, FocusEvent, FocusSession
from focusflow.errors import NotFound
from planner.models import Task
from rhythm.models import PersonalModel, RhythmState
from rhythm.selectors import emotion_baseline, rhythm_snapshot


def sessions_visible_to(*, person_id: uuid.UUID | None) -> QuerySet[FocusSession]:
    sessions = FocusSession.objects.select_related("task")
    return sessions if person_id is None else sessions.filter(person_id=person_id)


def session_get(*, session_id: uuid.UUID, person_id: uuid.UUID | None) -> FocusSession:
    """The session, or NotFound: another person's session is never revealed to exist."""
    session = sessions_visible_to(person_id=person_id).filter(pk=session_id).first()
    if session is None:
        raise NotFound("No such session.")
    return session


@dataclass(frozen=True)
class PingTarget:
    """What a ping needs of its session, read under the session's row lock."""

    session_id: uuid.UUID
    person_id: uuid.UUID
    ended_at: datetime | None
    ping_count: int
    task_snapshot: dict | None
    rhythm: dict  # the person's rhythm now (rhythm.selectors.rhythm_snapshot)
    emotion: dict  # the person's emotion baseline now (rhythm.selectors.emotion_baseline)


# On PostgreSQL, one statement: lock the session row (only it: the joined rows are on the nullable
# side) and read the task, rhythm and emotion the ping's event snapshots. A login's person is matched
# inside it (person_accounts), so the hot path does not look the mapping up first.
_PING_TARGET = """
SELECT s.person_id, s.ended_at, s.ping_count, t.id, t.title, t.status, t.estimate, t.due, t.priority,
       r.energy, r.stress, r.fatigue, m.emotion, m.emotion_source
FROM focus_sessions s
LEFT JOIN planner_tasks t ON t.id = s.task_id
LEFT JOIN rhythm_state r ON r.person_id = s.person_id
LEFT JOIN personal_model m ON m.person_id = s.person_id AND m.emotion IS NOT NULL
WHERE s.id = %(session_id)s{person}
FOR UPDATE OF s
"""


def session_for_ping(*, session_id: uuid.UUID, person_id: uuid.UUID | None = None) -> PingTarget | None:
    """Lock the session row for this transaction and read what a ping's event needs with it.

    Only the person's session (`person_id`); None: any session (service accounts). None if there is no such session: another person's
    session is never revealed to exist."""
    if connection.vendor == "postgresql":
        return _ping_target_postgresql(session_id=session_id, person_id=person_id)
    return _ping_target_orm(session_id=session_id, person_id=person_id)


def _ping_target_postgresql(*, session_id: uuid.UUID, person_id: uuid.UUID | None) -> PingTarget | None:
    sql = _PING_TARGET.format(person="" if person_id is None else " AND s.person_id = %(person_id)s")
    with connection.cursor() as cursor:
        cursor.execute(sql, {"session_id": session_id, "person_id": person_id})
        row = cursor.fetchone()
    if row is None:
        return None
    (
        person,
        ended_at,
        ping_count,
        task_id,
        title,
        task_status,
        estimate,
        due,
        priority,
        energy,
        stress,
        fatigue,
        emotion,
        emotion_source,
    ) = row
    task = (
        None
        if task_id is None
        else Task(
            id=task_id, person_id=person, title=title, status=task_status, estimate=estimate, due=due, priority=priority
        )
    )
    rhythm = (
        RhythmState(person_id=person)
        if energy is None
        else RhythmState(person_id=person, energy=energy, stress=stress, fatigue=fatigue)
    )
    return PingTarget(
        session_id=uuid.UUID(str(session_id)),
        person_id=person,
        ended_at=ended_at,
        ping_count=ping_count,
        task_snapshot=task.as_snapshot() if task else None,
        rhythm=rhythm.as_snapshot(),
        emotion=_emotion(emotion, emotion_source),
    )


def _ping_target_orm(*, session_id: uuid.UUID, person_id: uuid.UUID | None) -> PingTarget | None:
    """Other databases (the SQLite quick start): the same reads through the ORM and the rhythm selectors."""
    sessions = FocusSession.objects.select_for_update(of=("self",)).select_related("task").filter(pk=session_id)
    if person_id is not None:
        sessions = sessions.filter(person_id=person_id)
    session = sessions.first()
    if session is None:
        return None
    return PingTarget(
        session_id=session.id,
        person_id=session.person_id,
        ended_at=session.ended_at,
        ping_count=session.ping_count,
        task_snapshot=session.task.as_snapshot() if session.task_id else None,
        rhythm=rhythm_snapshot(person_id=session.person_id),
        emotion=emotion_baseline(person_id=session.person_id),
    )


def _emotion(emotion: str | None, source: str) -> dict:
    """As rhythm.selectors.emotion_baseline: no signal yet reads `neutral` from `default`."""
    if emotion is None:
        return {"emotion": PersonalModel.Emotion.NEUTRAL, "source": "default"}
    return {"emotion": emotion, "source": source}


def session_list(
    *, person_id: uuid.UUID | None, state: str | None = None, for_person: uuid.UUID | None = None
) -> QuerySet[FocusSession]:
    sessions = sessions_visible_to(person_id=person_id)
    if for_person is not None:
        sessions = sessions.filter(person_id=for_person)
    if state == "active":
        sessions = sessions.filter(ended_at__isnull=True)
    elif state == "ended":
        sessions = sessions.filter(ended_at__isnull=False)
    return sessions.order_by("-started_at")


def active_session_for(*, person_id: uuid.UUID) -> FocusSession | None:
    return FocusSession.objects.filter(person_id=person_id, ended_at__isnull=True).first()


def session_events(
    *, session: FocusSession, after_id: int | None = None, after_ts: datetime | None = None
) -> QuerySet[FocusEvent]:
    """Newest first; `after_*` narrows to events newer than what a poller has already seen."""
    events = session.events.order_by("-ts", "-id")
    if after_id is not None:
        events = events.filter(id__gt=after_id)
    if after_ts is not None:
        events = events.filter(ts__gt=after_ts)
    return events


def unanswered_nudges(*, session_id) -> list[tuple[str, str]]:
    """(kind, "ignored") for each nudge or break of the session nobody answered, oldest first: what
    the personal model records for them when the session ends (focus/controls.py answers the rest)."""
    rows = list(
        FocusEvent.objects.filter(
            session_id=session_id, event_type__in=[*USER_FACING_EVENTS, vocabulary.NUDGE_RESPONSE]
        )
        .order_by("ts", "id")
        .values_list("id", "event_type", "content")
    )
    answered = {c.get("event_id") for _, t, c in rows if t == vocabulary.NUDGE_RESPONSE and isinstance(c, dict)}
    return [
        (c["kind"], vocabulary.IGNORED)
        for pk, t, c in rows
        if t != vocabulary.NUDGE_RESPONSE
        and pk not in answered
        and isinstance(c, dict)
        and c.get("kind") in vocabulary.ALLOWED_KINDS
    ]

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

from focus import meetings, scheduler, selectors
from focus.events import event_write, events_written
from focus.models import EventType, FocusEvent, FocusSession
from focus.policy import PersonNorms, PingSample
from focus.policy.answers import learned as answers_learned
from focus.selectors import active_session_for
from focus.summary import EventRecord, build_summary, summary_sentiment
from focus.vocabulary import PING_SOURCE_CLIENT
from focusflow.errors import Conflict, DomainError, InvalidInput, NotFound
from planner.models import Task
from rhythm.habit import emotion_from_sentiment
from rhythm.models import MemoryShortTerm, PersonalModel, RhythmSample
from rhythm.selectors import emotion_baseline, preferences_or_defaults, rhythm_snapshot
from rhythm.selectors import nudge_answers as rhythm_nudge_answers
from rhythm.services import (
    RHYTHM_FIELDS,
    habit_strengthen,
    memory_write,
    nudge_answers_add,
    personal_norms_save,
    rhythm_ping_write_sql,
    rhythm_update,
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
    *,
    person_id: uuid.UUID,
    task_id: uuid.UUID | None,
    estimated_duration: int | None,
    mode: str | None,
    now: datetime | None = None,
) -> FocusSession:
    """Start a session, record its start state, and queue its first tick once committed. Without an
    estimate or a mode, the person's defaults (their preferences) are used."""
    now = now or timezone.now()
    if estimated_duration is None or mode is None:
        defaults = preferences_or_defaults(person_id=person_id)
        estimated_duration = estimated_duration or defaults.default_estimate
        mode = mode or defaults.default_mode
    task = None
    if task_id is not None:
        task = Task.objects.filter(pk=task_id, person_id=person_id).first()
        if task is None:
            raise InvalidInput("Invalid input.", errors={"task_id": ["No such task for this person."]})
    try:
        with transaction.atomic():
            if active_session_for(person_id=person_id) is not None:
                raise _active_conflict(person_id)
            rhythm = rhythm_snapshot(person_id=person_id)
            emotion = emotion_baseline(person_id=person_id)
            session = FocusSession.objects.create(
                person_id=person_id,
                task=task,
                mode=mode,
                started_at=now,
                estimated_duration=estimated_duration,
                next_tick_at=now,
                start_state={
                    "rhythm": rhythm,
                    "task": task.as_snapshot() if task else None,
                    "emotion": emotion,
                },
            )
            event_write(
                session=session,
                event_type=EventType.SESSION_START,
                ts=now,
                rhythm=rhythm,
                emotion=emotion,
                content={
                    "mode": mode,
                    "estimated_duration": estimated_duration,
                    "task_id": str(task.id) if task else None,
                    **meetings.meeting_at_start(person_id=person_id, now=now),  # started in a meeting
                },
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
    *,
    session_id: uuid.UUID,
    values: dict[str, Any],
    person_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> FocusEvent:
    """Log biomarkers on an active session; energy/stress/fatigue also update the rhythm state.

    The session must be the person's (`person_id`); None: any session (service accounts). The API's hot path, so on PostgreSQL two statements:
    the lock-and-read (selectors.session_for_ping), then one write (`_ping_write`).
    """
    target = selectors.session_for_ping(session_id=session_id, person_id=person_id)
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
    if content.get("source") == PING_SOURCE_CLIENT:
        del content["source"]  # the default: a ping without a source is a client's
    pinged = {name: content[name] for name in RHYTHM_FIELDS if name in content}
    event = FocusEvent(
        session_id=target.session_id,
        event_type=EventType.PING,
        ts=now,
        content=content,
        rhythm_snapshot=target.rhythm,  # replaced by the state this ping writes, if it carries values
        task_snapshot=target.task_snapshot,
        emotion_snapshot=target.emotion,
    )
    _ping_write(event, person_id=target.person_id, pinged=pinged)
    events_written([event])  # handed on after commit, as every event (focus/events.py)
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
        "session_id": event.session_id,
        "event_type": event.event_type,
        "ts": event.ts,
        "content": jsonb(event.content),
        "rhythm": jsonb(event.rhythm_snapshot),
        "task": jsonb(event.task_snapshot),
        "emotion": jsonb(event.emotion_snapshot),
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


# Reading a session's events for its summary. Up to SUMMARY_EXACT_PINGS pings (at least the ping
# ceiling per session, so every session the API let through is summarized exactly) every event is
# read as it is; past that (data from before the ceiling, a raised ceiling, a bug) PostgreSQL folds the pings into SUMMARY_PING_BUCKETS buckets of session
# time, so ending costs the same few statements and a bounded amount of Python however many rows
# there are. The other events are written by ticks, which the max-age sweep bounds.
SUMMARY_EXACT_PINGS = 2000
SUMMARY_PING_BUCKETS = 500

# One row per bucket: the bucket's pings, their mean time and the mean of each reading (only JSON
# numbers in 0..1 count, as in focus.summary), and when the person was first/last active or idle.
# CASE guards each cast: PostgreSQL does not promise to evaluate an AND's operands in order.
_PING_BUCKETS_SQL = """
WITH p AS (
    SELECT ts,
           LEAST(%(buckets)s - 1, GREATEST(0, FLOOR(EXTRACT(EPOCH FROM ts - %(start)s) / %(width)s)))::int AS bucket,
           content ->> 'activity' AS activity,
           {readings}
    FROM focus_events
    WHERE session_id = %(session_id)s AND event_type = 'ping'
)
SELECT bucket,
       to_timestamp(AVG(EXTRACT(EPOCH FROM ts))) AS mean_ts,
       {means},
       MIN(ts) FILTER (WHERE activity = 'active') AS first_active,
       MAX(ts) FILTER (WHERE activity = 'active') AS last_active,
       MIN(ts) FILTER (WHERE activity IN ('idle', 'away')) AS first_idle,
       MAX(ts) FILTER (WHERE activity IN ('idle', 'away')) AS last_idle,
       BOOL_OR(activity = 'idle') AS any_idle,
       BOOL_OR(activity = 'away') AS any_away
FROM p GROUP BY bucket ORDER BY bucket
"""
_PINGED = ("energy", "stress", "fatigue", "focus")
_SNAPSHOT = ("energy", "stress", "fatigue")
_READINGS = [("content", key, f"p_{key}") for key in _PINGED] + [
    ("rhythm_snapshot", key, f"r_{key}") for key in _SNAPSHOT
]
PING_BUCKETS_SQL = _PING_BUCKETS_SQL.format(
    readings=",\n           ".join(
        f"CASE WHEN jsonb_typeof({column} -> '{key}') = 'number' THEN ({column} ->> '{key}')::float8 END AS {alias}"
        for column, key, alias in _READINGS
    ),
    means=",\n       ".join(
        f"AVG({alias}) FILTER (WHERE {alias} BETWEEN 0 AND 1) AS {alias}" for _, _, alias in _READINGS
    ),
)


def _summary_event_rows(session: FocusSession, *, now: datetime) -> list[EventRecord]:
    """What build_summary reads, bounded: every event, or (many pings, PostgreSQL) pings by bucket."""
    events = FocusEvent.objects.filter(session_id=session.id).order_by("ts", "id")
    fields = ("event_type", "ts", "content", "rhythm_snapshot")
    if connection.vendor != "postgresql" or (
        events.filter(event_type=EventType.PING).count() <= SUMMARY_EXACT_PINGS  # the SQLite quick start: exact
    ):
        return [EventRecord(*row) for row in events.values_list(*fields)]
    records = [EventRecord(*row) for row in events.exclude(event_type=EventType.PING).values_list(*fields)]
    width = max(session.clock().elapsed_seconds(now), 1.0) / SUMMARY_PING_BUCKETS
    with connection.cursor() as cursor:
        cursor.execute(
            PING_BUCKETS_SQL,
            {"buckets": SUMMARY_PING_BUCKETS, "start": session.started_at, "width": width, "session_id": session.id},
        )
        columns = [c.name for c in cursor.description]
        for row in cursor.fetchall():
            records.extend(_bucket_pings(dict(zip(columns, row))))
    return records


def _bucket_pings(bucket: dict[str, Any]) -> list[EventRecord]:
    """Stand-in pings for one bucket: its mean readings at its mean time, and the activity changes
    (first active, first idle/away, back to active) at the times they happened, so idle gaps keep
    their edges to within a bucket."""
    ping = EventType.PING
    content = {key: bucket[f"p_{key}"] for key in _PINGED if bucket[f"p_{key}"] is not None}
    rhythm = {key: bucket[f"r_{key}"] for key in _SNAPSHOT}
    records = [EventRecord(ping, bucket["mean_ts"], content, rhythm)]
    first_active, last_active = bucket["first_active"], bucket["last_active"]
    first_idle, last_idle = bucket["first_idle"], bucket["last_idle"]
    if first_active is not None and (first_idle is None or first_active < first_idle):
        records.append(EventRecord(ping, first_active, {"activity": "active"}))
    if first_idle is not None:
        records += [
            EventRecord(ping, first_idle, {"activity": kind}) for kind in ("idle", "away") if bucket[f"any_{kind}"]
        ]
        if last_active is not None and last_active > last_idle:
            records.append(EventRecord(ping, last_active, {"activity": "active"}))
    return records


def _norms_update(person_id: uuid.UUID, events: list[EventRecord]) -> None:
    """Move the person's norms on by this session's pings (focus/policy/norms.py), in the end's
    transaction; a session without readings leaves them as they are."""
    pings = [PingSample.from_content(e.ts, e.content) for e in events if e.event_type == EventType.PING]
    stored = PersonalModel.objects.filter(person_id=person_id).values_list("norms", flat=True).first()
    before = PersonNorms.from_mapping(stored)
    after = before.updated(pings)
    if after is not before:
        personal_norms_save(person_id=person_id, norms=after.to_dict())


@transaction.atomic
def session_end(
    *,
    session_id: uuid.UUID,
    person_id: uuid.UUID | None,
    completion_score: float | None = None,
    session_quality: Any = None,
    early_end: bool | None = None,
    now: datetime | None = None,
    ended_after_hours: float | None = None,
    ended_after_pause_minutes: float | None = None,
    require_paused_before: datetime | None = None,
) -> FocusSession:
    """End a session once: summary, one short-term memory, habit strength. A second end is a 409.

    The summary is bounded whatever the number of events (focus/summary.py); so is what is read
    for it (``_summary_event_rows``). ``ended_after_hours`` is the max-age sweep ending a session
    nobody ended (focus/overdue.py): the summary says so, and since nobody said how it went the
    memory carries no sentiment (the emotion baseline does not move) and the habit is not
    strengthened: a forgotten timer is not practice. ``ended_after_pause_minutes`` is the pause
    sweep ending a session paused past FOCUS_MAX_PAUSE_MINUTES (focus/long_pauses.py): the summary
    says so; the person did work, so the memory and the habit are written as for any early end.
    """
    session = _session_lock(session_id=session_id, person_id=person_id)
    now = now or timezone.now()  # read after the lock: a tick that held it must not land after the end
    if session.ended_at is not None:
        raise Conflict("This session has already ended.", ended_at=session.ended_at.isoformat())
    if require_paused_before is not None and (session.paused_at is None or session.paused_at > require_paused_before):
        raise Conflict("This session was resumed.")  # the pause sweep lost a race with resume
    session.close_pause(now)  # a paused session ends paused: its last pause counts in no duration
    clock = session.clock()
    actual = round(clock.session_minutes(now), 2)  # session minutes, as the summary's actual_minutes
    if early_end is None:
        early_end = actual < session.estimated_duration
    session.ended_at = now
    session.actual_duration = actual
    session.completion_score = completion_score
    session.session_quality = session_quality
    session.early_end = early_end
    session.next_tick_at = None
    session.lease_until = None
    event_write(
        session=session,
        event_type=EventType.SESSION_END,
        ts=now,
        content={
            "actual_duration": actual,
            "estimated_duration": session.estimated_duration,
            "completion_score": completion_score,
            "early_end": early_end,
            **({"ended_automatically": True} if ended_after_hours is not None else {}),
            **({"ended_after_pause_minutes": ended_after_pause_minutes} if ended_after_pause_minutes else {}),
        },
    )
    learned: list[dict] = []
    if ended_after_hours is None:
        # The nudges nobody answered count as ignored in what the policy learns (a forgotten timer
        # does not). A session that sent none (its counter says so) costs one read, not three.
        if session.nudges_sent:
            model = nudge_answers_add(
                person_id=session.person_id, answers=selectors.unanswered_nudges(session_id=session.id)
            )
            history = model.nudge_answers
        else:
            history = rhythm_nudge_answers(person_id=session.person_id)
        learned = answers_learned(history)
    events = _summary_event_rows(session, now=now)
    session.summary = build_summary(
        started_at=session.started_at,
        ended_at=now,
        estimated_minutes=session.estimated_duration,
        completion_score=completion_score,
        session_quality=session_quality,
        early_end=early_end,
        events=events,
        tick_seconds=settings.FOCUS_TICK_SECONDS,
        ended_after_hours=ended_after_hours,
        pauses=clock.pauses,
        ended_after_pause_minutes=ended_after_pause_minutes,
    )
    session.summary["learned"] = learned  # what the policy learned from how nudges were answered
    # Time paused for meetings, counted apart (focus/meetings.py): already left out of every duration.
    session.summary["meeting_minutes"] = meetings.meeting_minutes(
        events, ended_at=now, tick_seconds=settings.FOCUS_TICK_SECONDS
    )
    session.save()
    _norms_update(session.person_id, events)
    if ended_after_hours is not None:
        memory_write(
            person_id=session.person_id,
            kind=MemoryShortTerm.FOCUS_SUMMARY,
            content=session.summary,
            sentiment=None,
            emotion_tags=[],
            session_id=session.id,
        )
        return session
    sentiment = summary_sentiment(
        completion_score=completion_score, session_quality=session_quality, early_end=early_end
    )
    memory_write(
        person_id=session.person_id,
        kind=MemoryShortTerm.FOCUS_SUMMARY,
        content=session.summary,
        sentiment=sentiment,
        emotion_tags=[emotion_from_sentiment(sentiment)],
        session_id=session.id,
    )
    habit_strengthen(
        person_id=session.person_id,
        actual_minutes=actual,
        estimated_minutes=session.estimated_duration,
        early_end=early_end,
        completion_score=completion_score,
        now=now,
    )
    return session

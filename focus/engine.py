"""The tick: one locked session, exactly one event (a nudge/break, or a tick saying why not).

A tick locks its session row for the whole transaction, so two deliveries of one tick (a duplicate
message, a redelivery after a worker died, the start-time enqueue racing the sweep) run one after
the other; the second finds the session no longer due and writes nothing. The guardrail counters
(nudges sent, last nudge time) are read and written under that same lock.

The dispatcher hands out ticks in chunks, so a chunk runs as one batch: one transaction that locks
all of its sessions (in primary-key order, so two overlapping batches cannot deadlock), reads what
the policy needs for all of them with five set-based queries (rhythm, emotion and answer history,
preferences, recent pings, last nudge of each kind with the answers to them), decides each session with the pure policy (whose decide() applies the
guardrails to the counters read under the lock: the check and the write share the transaction),
and writes every event with one INSERT (focus/events.py) and every session with one UPDATE: ten round trips for a chunk of a hundred sessions. A
single tick is a batch of one. Per session the result
is exactly what ticking the sessions one by one would give: the same inputs, the same decision,
the same single event.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from focus.events import events_new, events_write
from focus.models import USER_FACING_EVENTS, EventType, FocusEvent, FocusSession
from focus.policy import (
    Decision,
    PersonNorms,
    PingSample,
    PolicyConfig,
    RhythmValues,
    TickContext,
    WorkingHours,
    decide,
)
from focus.policy.inputs import NudgeAnswer
from focus.preferences import held_kinds_of, working_hours_of
from focus.vocabulary import NUDGE_RESPONSE
from planner.calendars.models import BusyTime
from rhythm.models import PersonalModel, PersonPreferences, RhythmState

RECENT_PINGS = 50

SKIPPED_ENDED = "skipped:ended"
SKIPPED_NOT_DUE = "skipped:not_due"
SKIPPED_STALE = "skipped:stale"
SKIPPED_MISSING = "skipped:missing"

TICK_FIELDS = [
    "nudges_sent",
    "last_nudge_at",
    "tick_count",
    "policy_state",
    "last_tick_at",
    "next_tick_at",
    "lease_until",
    "actual_duration",
]


def policy_config() -> PolicyConfig:
    return PolicyConfig(
        tick_seconds=settings.FOCUS_TICK_SECONDS,
        min_gap_seconds=settings.FOCUS_NUDGE_MIN_GAP_SECONDS,
        max_nudges=settings.FOCUS_MAX_NUDGES,
    )


def _rhythm_values(snapshot: dict | None) -> RhythmValues:
    snapshot = snapshot or {}
    return RhythmValues(energy=snapshot.get("energy"), stress=snapshot.get("stress"), fatigue=snapshot.get("fatigue"))


def _next_due(session: FocusSession, now: datetime) -> datetime:
    """Keep the cadence (due + period); if the tick ran late by more than a period, restart from now."""
    period = timedelta(seconds=settings.FOCUS_TICK_SECONDS)
    due = (session.next_tick_at or now) + period
    return due if due > now else now + period


@dataclass
class _Inputs:
    """What the policy needs about one session: the person's rhythm and emotion, the session's recent
    pings (oldest first) and when each kind of nudge/break was last sent."""

    rhythm: dict
    emotion: dict
    pings: tuple[PingSample, ...]
    last_sent_by_kind: dict[str, datetime]
    answers: tuple[NudgeAnswer, ...] = ()  # this session's answers to its nudges (focus/controls.py)
    answer_history: dict | None = None  # the person's recent answers per kind (rhythm.PersonalModel)
    held_kinds: frozenset[str] = frozenset()  # the person's preferences (focus/preferences.py)
    working_hours: WorkingHours | None = None
    norms: PersonNorms | None = None  # the person's own norms (personal_model.norms)
    busy: tuple[tuple[datetime, datetime], ...] = ()  # the person's meetings (planner/calendars/), by start

    @classmethod
    def read(cls, sessions: list[FocusSession]) -> dict[uuid.UUID, _Inputs]:
        """Everything the policy reads about a batch, in six set-based queries whatever its size.

        It runs after the batch's rows are locked, so it sees everything committed before the tick
        began (a ping that held the lock included)."""
        ids = [s.id for s in sessions]
        people = {s.person_id for s in sessions}
        rhythms = {r.person_id: r for r in RhythmState.objects.filter(person_id__in=people)}
        emotions: dict[uuid.UUID, tuple[str, str]] = {}
        histories: dict[uuid.UUID, dict] = {}
        norms: dict[uuid.UUID, PersonNorms] = {}
        for person, emotion, source, history, stored_norms in PersonalModel.objects.filter(
            person_id__in=people
        ).values_list("person_id", "emotion", "emotion_source", "nudge_answers", "norms"):
            if emotion is not None:
                emotions[person] = (emotion, source)
            histories[person] = history if isinstance(history, dict) else {}
            norms[person] = PersonNorms.from_mapping(stored_norms)
        preferences = {p.person_id: p for p in PersonPreferences.objects.filter(person_id__in=people)}
        # Meetings from the people's calendars, from an hour ago to a day ahead (focus/meetings.py).
        moment = timezone.now()
        busy: dict[uuid.UUID, list[tuple[datetime, datetime]]] = {}
        for person, starts, ends in (
            BusyTime.objects.filter(
                person_id__in=people, ends_at__gt=moment - timedelta(hours=1), starts_at__lt=moment + timedelta(days=1)
            )
            .order_by("starts_at")
            .values_list("person_id", "starts_at", "ends_at")
        ):
            busy.setdefault(person, []).append((starts, ends))
        newest_pings = (
            FocusEvent.objects.filter(session_id__in=ids, event_type=EventType.PING)
            .annotate(
                newest=Window(RowNumber(), partition_by=[F("session_id")], order_by=[F("ts").desc(), F("id").desc()])
            )
            .filter(newest__lte=RECENT_PINGS)
            .order_by("ts", "id")
            .values_list("session_id", "ts", "content")
        )
        pings: dict[uuid.UUID, list[PingSample]] = {session_id: [] for session_id in ids}
        for session_id, ts, content in newest_pings:
            pings[session_id].append(PingSample.from_content(ts, content))
        last_sent: dict[uuid.UUID, dict[str, datetime]] = {session_id: {} for session_id in ids}
        # The same query reads the answers to them (nudge_response events): no query of its own.
        facing = FocusEvent.objects.filter(session_id__in=ids, event_type__in=[*USER_FACING_EVENTS, NUDGE_RESPONSE])
        sent_at: dict[int, datetime] = {}
        responses: list[tuple[uuid.UUID, datetime, dict]] = []
        for pk, session_id, event_type, ts, content in facing.order_by("ts", "id").values_list(
            "id", "session_id", "event_type", "ts", "content"
        ):
            if not isinstance(content, dict):
                continue
            if event_type == NUDGE_RESPONSE:
                responses.append((session_id, ts, content))
                continue
            sent_at[pk] = ts
            kind = content.get("kind")
            if kind and (kind not in last_sent[session_id] or ts > last_sent[session_id][kind]):
                last_sent[session_id][kind] = ts
        answers: dict[uuid.UUID, list[NudgeAnswer]] = {session_id: [] for session_id in ids}
        for session_id, ts, content in responses:
            nudge_at = sent_at.get(content.get("event_id"))
            if nudge_at is None or not isinstance(content.get("kind"), str):
                continue
            minutes = content.get("snooze_minutes")
            break_minutes = content.get("break_minutes")
            answers[session_id].append(
                NudgeAnswer(
                    at=ts,
                    kind=content["kind"],
                    response=str(content.get("response")),
                    nudge_at=nudge_at,
                    snooze_minutes=minutes if isinstance(minutes, int) else None,
                    break_minutes=break_minutes if isinstance(break_minutes, int) else None,
                )
            )

        inputs = {}
        for session in sessions:
            person = session.person_id
            # The same values rhythm.selectors.rhythm_snapshot and emotion_baseline give.
            rhythm = (rhythms.get(person) or RhythmState(person_id=person)).as_snapshot()
            if person in emotions:
                emotion = {"emotion": emotions[person][0], "source": emotions[person][1]}
            else:
                emotion = {"emotion": PersonalModel.Emotion.NEUTRAL, "source": "default"}
            inputs[session.id] = cls(
                rhythm=rhythm,
                emotion=emotion,
                pings=tuple(pings[session.id]),
                last_sent_by_kind=last_sent[session.id],
                answers=tuple(answers[session.id]),
                answer_history=histories.get(person, {}),
                held_kinds=held_kinds_of(preferences.get(person)),
                working_hours=working_hours_of(preferences.get(person)),
                norms=norms.get(person),
                busy=tuple(busy.get(person, ())),
            )
        return inputs


def _tick_session(
    session: FocusSession, *, now: datetime, inputs: _Inputs, config: PolicyConfig
) -> tuple[Decision, list[FocusEvent]]:
    """Decide one due session's tick; move its counters and due time on. Returns the events to write."""
    rhythm, emotion, last_sent = inputs.rhythm, inputs.emotion, inputs.last_sent_by_kind
    decision = decide(
        TickContext(
            now=now,
            started_at=session.started_at,
            estimated_minutes=session.estimated_duration,
            tick_number=session.tick_count + 1,
            pings=inputs.pings,
            rhythm_now=_rhythm_values(rhythm),
            rhythm_at_start=_rhythm_values((session.start_state or {}).get("rhythm")),
            nudges_sent=session.nudges_sent,
            last_nudge_at=session.last_nudge_at,
            last_sent_by_kind=last_sent,
            state=session.policy_state or {},
            pauses=session.pause_spans(),
            answers=inputs.answers,
            answer_history=inputs.answer_history or {},
            held_kinds=inputs.held_kinds,
            working_hours=inputs.working_hours,
            mode=session.mode,
            norms=inputs.norms,
            in_meeting=any(starts <= now < ends for starts, ends in inputs.busy),
            next_meeting_at=next((starts for starts, _ in inputs.busy if starts > now), None),
        ),
        config,
    )
    events = events_new(
        session=session,
        ts=now,
        rhythm=rhythm,
        emotion=emotion,
        task_snapshot=session.task.as_snapshot() if session.task_id else None,
        items=[*((d.event_type, d.content) for d in decision.detections), (decision.event_type, decision.content)],
    )
    if decision.event_type in USER_FACING_EVENTS:
        session.nudges_sent += 1
        session.last_nudge_at = now
    session.tick_count += 1
    session.policy_state = decision.state
    session.last_tick_at = now
    session.next_tick_at = _next_due(session, now)
    session.lease_until = None
    session.actual_duration = round(session.clock().session_minutes(now), 2)  # session minutes (clock.py)
    return decision, events


# On PostgreSQL, one UPDATE for a whole batch, its values passed as arrays (a fixed number of
# parameters). The ORM's bulk_update builds a CASE per field per row, whose Python cost grew past
# the cost of the ticks at 100,000 sessions (docs/benchmarks.md).
_SAVE_TICKED = """
UPDATE focus_sessions AS s
SET nudges_sent = v.nudges_sent, last_nudge_at = v.last_nudge_at, tick_count = v.tick_count,
    policy_state = v.policy_state, last_tick_at = v.last_tick_at, next_tick_at = v.next_tick_at,
    lease_until = NULL, actual_duration = v.actual_duration
FROM unnest(%s::uuid[], %s::integer[], %s::timestamptz[], %s::integer[], %s::text[]::jsonb[],
            %s::timestamptz[], %s::timestamptz[], %s::double precision[])
     AS v(id, nudges_sent, last_nudge_at, tick_count, policy_state, last_tick_at, next_tick_at, actual_duration)
WHERE s.id = v.id
"""


def _save_ticked(sessions: list[FocusSession]) -> None:
    """Write the tick fields (TICK_FIELDS) of every ticked session of a batch in one statement."""
    if connection.vendor != "postgresql":  # the SQLite quick start: the ORM's CASE-per-row UPDATE
        FocusSession.objects.bulk_update(sessions, TICK_FIELDS)
        return
    state_field = FocusSession._meta.get_field("policy_state")
    with connection.cursor() as cursor:
        cursor.execute(
            _SAVE_TICKED,
            [
                [s.id for s in sessions],
                [s.nudges_sent for s in sessions],
                [s.last_nudge_at for s in sessions],
                [s.tick_count for s in sessions],
                [json.dumps(s.policy_state, cls=state_field.encoder) for s in sessions],
                [s.last_tick_at for s in sessions],
                [s.next_tick_at for s in sessions],
                [float(s.actual_duration) for s in sessions],
            ],
        )


def _run_batch(claims: list[tuple[uuid.UUID | str, int | None]], now: datetime | None = None) -> list[str]:
    """Tick a batch of (session id, sequence) claims in one transaction; one outcome per claim."""
    config = policy_config()
    with transaction.atomic():
        ids = sorted({uuid.UUID(str(session_id)) for session_id, _ in claims})
        # Lock in primary-key order: overlapping batches (a redelivered chunk) queue, never deadlock.
        # Only the session rows are locked (of=self); the task is joined for its snapshot.
        locked = {
            s.id: s
            for s in FocusSession.objects.select_for_update(of=("self",))
            .select_related("task")
            .filter(pk__in=ids)
            .order_by("pk")
        }
        now = now or timezone.now()  # read after the locks: a waiting tick must see the time it runs at

        due: dict[uuid.UUID, FocusSession] = {}
        for session in locked.values():
            # A paused session has no next_tick_at; the paused_at check also covers a hand-edited row.
            if (
                session.ended_at is None
                and session.paused_at is None
                and session.next_tick_at is not None
                and session.next_tick_at <= now
            ):
                due[session.id] = session
        inputs = _Inputs.read(list(due.values())) if due else {}

        outcomes: list[str] = []
        events: list[FocusEvent] = []
        ticked: dict[uuid.UUID, FocusSession] = {}
        for session_id, seq in claims:
            session = locked.get(uuid.UUID(str(session_id)))
            if session is None:
                outcomes.append(SKIPPED_MISSING)
            elif session.ended_at is not None:
                outcomes.append(SKIPPED_ENDED)
            elif seq is not None and seq != session.tick_seq:
                outcomes.append(SKIPPED_STALE)
            elif session.id not in due or session.next_tick_at > now:  # a duplicate claim: already ticked
                outcomes.append(SKIPPED_NOT_DUE)
            else:
                decision, session_events = _tick_session(session, now=now, inputs=inputs[session.id], config=config)
                events.extend(session_events)
                ticked[session.id] = session
                outcomes.append(decision.event_type)
        if events:
            events_write(events)
            _save_ticked(list(ticked.values()))
        return outcomes


def run_tick(*, session_id: uuid.UUID | str, seq: int | None = None, now: datetime | None = None) -> str:
    """Run one tick of a session; returns the event type written, or why the tick was skipped."""
    try:
        claim = (uuid.UUID(str(session_id)), seq)
    except ValueError:
        return SKIPPED_MISSING
    return _run_batch([claim], now=now)[0]


def run_ticks(*, claims: list[tuple[str, int]], now: datetime | None = None) -> dict[str, int]:
    """Run the ticks of a dispatched chunk in one transaction; returns outcome counts."""
    outcomes: dict[str, int] = {}
    if not claims:
        return outcomes
    valid = []
    for session_id, seq in claims:
        try:
            valid.append((uuid.UUID(str(session_id)), seq))
        except ValueError:
            outcomes[SKIPPED_MISSING] = outcomes.get(SKIPPED_MISSING, 0) + 1
    for outcome in _run_batch(valid, now=now) if valid else []:
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes

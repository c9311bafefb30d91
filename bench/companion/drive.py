"""The one adapter between a simulated person and the real policy: it runs a session tick by tick
exactly as focus/engine.py does, in memory.

What the engine does, and what this module mirrors (focus/engine.py ``_Inputs.read`` and
``_tick_session``; focus/services.py ``session_start``/``session_ping``/``session_end``):

- a session's first tick is due at its start, each next one a tick period after the previous
  one was due; a tick runs :data:`TICK_LAG_SECONDS` after it is due (the dispatcher's delay);
- a tick hands :func:`focus.policy.decide` a :class:`~focus.policy.TickContext` with
  ``tick_number`` (ticks so far + 1), the session's newest :data:`RECENT_PINGS` pings oldest
  first (parsed with ``PingSample.from_content``), ``rhythm_now`` (the person's rhythm state now),
  ``rhythm_at_start`` (the snapshot taken at session start), ``nudges_sent``, ``last_nudge_at``,
  ``last_sent_by_kind`` (latest nudge/break of each kind in this session) and the policy state the
  previous tick stored (a JSON round trip, as the session's jsonb column gives it back);
- the tick writes its detections, then its own event, each with the rhythm snapshot it read; a
  user-facing event counts in ``nudges_sent`` and sets ``last_nudge_at``;
- the rhythm state is the person's, carried across sessions: a ping carrying energy, stress or
  fatigue sets those values (the first ever creates the state from the model's defaults, 0.6 /
  0.3 / 0.3, for the ones it does not carry: rhythm/services.py ``rhythm_ping_write_sql``); a
  ping's event carries the state after its write;
- the summary is :func:`focus.summary.build_summary` on every event of the session.

When the tick's inputs grow (mode, the person's norms, ...), :func:`tick_context` is the one
place to add them. A policy that raises is caught and counted, as a failed tick would be retried:
the session's counters and state stay as they were.
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta, timezone
from typing import Any

from bench.companion.people import TICK_SECONDS, PersonPlan, SessionPlan
from focus.clock import SessionClock
from focus.policy import Decision, PingSample, PolicyConfig, RhythmValues, TickContext, decide
from focus.summary import EventRecord, build_summary

RECENT_PINGS = 50  # focus.engine.RECENT_PINGS (bench/companion/tests check they agree)
RHYTHM_FIELDS = ("energy", "stress", "fatigue")
RHYTHM_DEFAULTS = {"energy": 0.6, "stress": 0.3, "fatigue": 0.3}  # rhythm.models.RhythmState's defaults
TICK_LAG_SECONDS = 2
USER_FACING = ("nudge", "break")
DAY_START = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)


def policy_config() -> PolicyConfig:
    """What focus.engine.policy_config() gives with the default settings (300 s, 300 s, 8)."""
    return PolicyConfig(tick_seconds=TICK_SECONDS, min_gap_seconds=300, max_nudges=8)


@dataclass
class Rhythm:
    """A person's rhythm state (rhythm_state row): None until their first ping with a value."""

    values: dict[str, float] | None = None

    def snapshot(self) -> dict[str, float]:
        return dict(self.values) if self.values is not None else dict(RHYTHM_DEFAULTS)

    def ping(self, content: Mapping[str, Any]) -> None:
        given = {name: content[name] for name in RHYTHM_FIELDS if content.get(name) is not None}
        if given:
            self.values = {**self.snapshot(), **given}


@dataclass
class PersonState:
    """What the database keeps about a person, across sessions, that a tick reads: the rhythm
    state (and, once the engine reads them, the person's norms from personal_model: add them
    here, read them in :func:`tick_context`, update them in :func:`session_ended`)."""

    rhythm: Rhythm
    model: dict[str, Any] = field(default_factory=dict)


@dataclass
class SimSession:
    """The FocusSession columns a tick reads and writes, and the session's events (time order)."""

    started_at: datetime
    estimated_duration: int
    mode: str
    start_rhythm: dict
    events: list[EventRecord] = field(default_factory=list)
    tick_count: int = 0
    nudges_sent: int = 0
    last_nudge_at: datetime | None = None
    policy_state: dict = field(default_factory=dict)
    next_tick_at: datetime | None = None
    exceptions: list[str] = field(default_factory=list)

    def pings(self) -> list[EventRecord]:
        return [e for e in self.events if e.event_type == "ping"]


def _rhythm_values(snapshot: Mapping[str, Any] | None) -> RhythmValues:
    snapshot = snapshot or {}
    return RhythmValues(energy=snapshot.get("energy"), stress=snapshot.get("stress"), fatigue=snapshot.get("fatigue"))


def recent_pings(session: SimSession) -> tuple[PingSample, ...]:
    """The newest RECENT_PINGS pings, oldest first (the engine's window query)."""
    pings = session.pings()[-RECENT_PINGS:]
    return tuple(PingSample.from_content(p.ts, p.content) for p in pings)


def last_sent_by_kind(session: SimSession) -> dict[str, datetime]:
    last: dict[str, datetime] = {}
    for e in session.events:
        kind = e.content.get("kind") if e.event_type in USER_FACING else None
        if kind and (kind not in last or e.ts > last[kind]):
            last[kind] = e.ts
    return last


_CONTEXT_FIELDS = {f.name for f in fields(TickContext)}


def tick_context(session: SimSession, *, now: datetime, person: PersonState) -> TickContext:
    """The TickContext focus/engine.py ``_tick_session`` builds for this session at ``now``."""
    values: dict[str, Any] = dict(
        now=now,
        started_at=session.started_at,
        estimated_minutes=session.estimated_duration,
        tick_number=session.tick_count + 1,
        pings=recent_pings(session),
        rhythm_now=_rhythm_values(person.rhythm.snapshot()),
        rhythm_at_start=_rhythm_values(session.start_rhythm),
        nudges_sent=session.nudges_sent,
        last_nudge_at=session.last_nudge_at,
        last_sent_by_kind=last_sent_by_kind(session),
        state=session.policy_state or {},
    )
    if "mode" in _CONTEXT_FIELDS:  # once the policy reads the session's mode
        values["mode"] = session.mode
    return TickContext(**values)


def run_tick(session: SimSession, *, now: datetime, person: PersonState, config: PolicyConfig) -> Decision | None:
    """One tick of a due session; None (and the exception counted) if the policy raised."""
    snapshot = person.rhythm.snapshot()
    try:
        decision = decide(tick_context(session, now=now, person=person), config)
    except Exception:  # noqa: BLE001 - counted and reported, never allowed to stop the run
        session.exceptions.append(traceback.format_exc(limit=3))
        return None
    for event_type, content in [
        *((d.event_type, d.content) for d in decision.detections),
        (decision.event_type, decision.content),
    ]:
        session.events.append(EventRecord(event_type, now, _json(content), snapshot))
    if decision.event_type in USER_FACING:
        session.nudges_sent += 1
        session.last_nudge_at = now
    session.tick_count += 1
    session.policy_state = _json(decision.state)
    period = timedelta(seconds=config.tick_seconds)
    due = (session.next_tick_at or now) + period
    session.next_tick_at = due if due > now else now + period
    return decision


def _json(value: Any) -> Any:
    """As stored in and read back from a jsonb column."""
    return json.loads(json.dumps(value))


@dataclass
class SessionRun:
    """One simulated session: its plan, its events (time order), its summary, what went wrong."""

    plan: SessionPlan
    started_at: datetime
    ended_at: datetime
    events: list[EventRecord]
    summary: dict
    exceptions: list[str]
    policy_state: dict
    taken_breaks: list[tuple[float, float]] = field(default_factory=list)  # (start, end) minutes

    def minute(self, ts: datetime) -> float:
        return (ts - self.started_at).total_seconds() / 60.0

    def sent(self) -> list[tuple[float, str, EventRecord]]:
        """(minute, kind, event) of each nudge or break."""
        return [(self.minute(e.ts), str(e.content.get("kind")), e) for e in self.events if e.event_type in USER_FACING]

    def ticks(self) -> list[datetime]:
        return sorted({e.ts for e in self.events if e.event_type in ("tick", *USER_FACING)})


def tick_times(started_at: datetime, ended_at: datetime) -> list[datetime]:
    times, k = [], 0
    while (at := started_at + timedelta(seconds=k * TICK_SECONDS + TICK_LAG_SECONDS)) < ended_at:
        times.append(at)
        k += 1
    return times


class Script:
    """The order of things in one session, for the simulator and the engine cross-check alike:
    the person's pings and the ticks in time order (a ping first at the same instant), the
    person reacting to what a tick sent (:meth:`sent`) before their next ping."""

    def __init__(self, plan: SessionPlan, started_at: datetime) -> None:
        self.plan = plan
        self.started_at = started_at
        self.ended_at = started_at + timedelta(seconds=plan.minutes * 60 + 30)
        self.pings = list(plan.pings)
        self.taken: list[tuple[float, float]] = []  # breaks the person took (seconds from the start)

    def __iter__(self) -> Iterator[tuple[str, datetime, dict | None]]:
        ticks = tick_times(self.started_at, self.ended_at)
        p = t = 0
        while p < len(self.pings) or t < len(ticks):
            ping_at = self.started_at + timedelta(seconds=self.pings[p][0]) if p < len(self.pings) else None
            if ping_at is not None and (t >= len(ticks) or ping_at <= ticks[t]):
                yield "ping", ping_at, self.pings[p][1]  # read after any reaction to the last tick
                p += 1
            else:
                yield "tick", ticks[t], None
                t += 1

    def sent(self, at: datetime, event_type: str, content: Mapping[str, Any]) -> None:
        """What a tick sent; a person who takes breaks steps away for a suggested one."""
        if event_type == "break" and isinstance(content.get("break_minutes"), int):
            seconds = (at - self.started_at).total_seconds()
            self.pings = self.plan.take_break(
                self.pings, sent_at=seconds, minutes=content["break_minutes"], taken=self.taken
            )

    def taken_minutes(self) -> list[tuple[float, float]]:
        return [(start / 60.0, end / 60.0) for start, end in self.taken]


def run_session(plan: SessionPlan, *, started_at: datetime, person: PersonState, config: PolicyConfig) -> SessionRun:
    rhythm = person.rhythm
    start_rhythm = rhythm.snapshot()
    session = SimSession(started_at, plan.estimate, plan.mode, start_rhythm, next_tick_at=started_at)
    session.events.append(
        EventRecord(
            "session_start",
            started_at,
            {"mode": plan.mode, "estimated_duration": plan.estimate, "task_id": None},
            start_rhythm,
        )
    )
    script = Script(plan, started_at)
    for what, at, content in script:
        if what == "ping" and content is not None:
            rhythm.ping(content)
            session.events.append(EventRecord("ping", at, _json(content), rhythm.snapshot()))
        elif session.next_tick_at is not None and session.next_tick_at <= at:
            decision = run_tick(session, now=at, person=person, config=config)
            if decision is not None:
                script.sent(at, decision.event_type, decision.content)
    ended_at = script.ended_at
    clock = SessionClock(started_at, config.tick_seconds)
    session_minutes = round(clock.session_minutes(ended_at), 2)
    early_end = session_minutes < plan.estimate
    session.events.append(
        EventRecord(
            "session_end",
            ended_at,
            {
                "actual_duration": session_minutes,
                "estimated_duration": plan.estimate,
                "completion_score": None,
                "early_end": early_end,
            },
            rhythm.snapshot(),
        )
    )
    summary = build_summary(
        started_at=started_at,
        ended_at=ended_at,
        estimated_minutes=plan.estimate,
        completion_score=None,
        session_quality=None,
        early_end=early_end,
        events=session.events,
        tick_seconds=config.tick_seconds,
    )
    run = SessionRun(
        plan,
        started_at,
        ended_at,
        session.events,
        summary,
        session.exceptions,
        session.policy_state,
        script.taken_minutes(),
    )
    session_ended(person, run)
    return run


def session_ended(person: PersonState, run: SessionRun) -> None:
    """What focus.services.session_end writes about the person that a later tick reads: nothing
    yet (the habit strength and the summary memory are not policy inputs). Norms carried across
    sessions are updated here once the engine reads them."""


def session_starts(person: PersonPlan) -> list[datetime]:
    """When each of a person's sessions starts: the day's start, then each gap after the last end."""
    starts, at = [], DAY_START
    for plan in person.sessions:
        at = at + timedelta(minutes=plan.gap_minutes)
        starts.append(at)
        at = at + timedelta(seconds=plan.minutes * 60 + 30)
    return starts


def simulate(person: PersonPlan, config: PolicyConfig | None = None) -> list[SessionRun]:
    """Every session of one person, in a row, on the real policy."""
    config = config or policy_config()
    state = PersonState(Rhythm({**RHYTHM_DEFAULTS, **person.rhythm_before} if person.rhythm_before else None))
    return [
        run_session(plan, started_at=start, person=state, config=config)
        for plan, start in zip(person.sessions, session_starts(person), strict=True)
    ]

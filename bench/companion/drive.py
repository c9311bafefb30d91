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
- the summary is :func:`focus.summary.build_summary` on every event of the session, with the
  session's paused spans, and ``summary["learned"]`` what the policy learned from the answers;
- answering a nudge (focus/controls.py ``respond``) writes a ``nudge_response`` event and adds the
  answer to the person's ``nudge_answers`` at once (rhythm.answers.answers_added); at the end the
  nudges nobody answered are added as "ignored"; a tick reads this session's answers and the
  person's answer history (``TickContext.answers``, ``answer_history``);
- pausing (``pause_session``) clears the next tick and resuming (``resume_session``) closes the
  paused span and schedules the next tick one period later; the session clock, a tick's
  ``pauses`` and the summary leave the paused spans out.

Simulated people have no preferences row: the tick gets no held kinds and no working hours, as
the engine gives such a person (focus/preferences.py).

When the tick's inputs grow (mode, the person's norms, ...), :func:`tick_context` is the one
place to add them. A policy that raises is caught and counted, as a failed tick would be retried:
the session's counters and state stay as they were.
"""

from __future__ import annotations

import heapq
import itertools
import json
import random
import traceback
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from bench.companion.people import TICK_SECONDS, Answering, PersonPlan, SessionPlan
from focus import vocabulary
from focus.clock import SessionClock
from focus.policy import Decision, PersonNorms, PingSample, PolicyConfig, RhythmValues, TickContext, decide
from focus.policy.answers import learned as answers_learned
from focus.policy.inputs import NudgeAnswer
from focus.summary import EventRecord, build_summary
from rhythm.answers import answers_added

RECENT_PINGS = 50  # focus.engine.RECENT_PINGS (bench/companion/tests check they agree)
RHYTHM_FIELDS = ("energy", "stress", "fatigue")
RHYTHM_DEFAULTS = {"energy": 0.6, "stress": 0.3, "fatigue": 0.3}  # rhythm.models.RhythmState's defaults
TICK_LAG_SECONDS = 2
USER_FACING = ("nudge", "break")
NUDGE_ANSWERS_KEPT = 20  # rhythm.models.PersonalModel.NUDGE_ANSWERS_KEPT (the tests check they agree)
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
    state, the person's norms and personal_model's ``nudge_answers`` (per kind, their last answers,
    oldest first); read in :func:`tick_context`, moved on in :func:`session_ended` (norms) and
    :func:`run_session` (answers)."""

    rhythm: Rhythm
    model: dict[str, Any] = field(default_factory=dict)
    norms: PersonNorms | None = None  # personal_model.norms (None: no row yet, a new person)
    nudge_answers: dict[str, list[str]] = field(default_factory=dict)

    def answers_add(self, answers: list[tuple[str, str]]) -> None:
        """rhythm/services.py ``nudge_answers_add``."""
        if answers:
            self.nudge_answers = answers_added(self.nudge_answers, answers, keep=NUDGE_ANSWERS_KEPT)


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
    paused_at: datetime | None = None
    pauses: list[tuple[datetime, datetime]] = field(default_factory=list)  # closed spans, oldest first

    def pings(self) -> list[EventRecord]:
        return [e for e in self.events if e.event_type == "ping"]

    def pause_spans(self) -> tuple[tuple[datetime, datetime | None], ...]:
        """FocusSession.pause_spans: the closed spans, then the open one if paused now."""
        open_span = ((self.paused_at, None),) if self.paused_at is not None else ()
        return (*self.pauses, *open_span)

    def answers(self) -> tuple[NudgeAnswer, ...]:
        """This session's answers, oldest first, as focus/engine.py ``_Inputs.read`` builds them.
        A ``nudge_response``'s ``event_id`` is the answered event's index in :attr:`events`."""
        found = []
        for e in self.events:
            if e.event_type != vocabulary.NUDGE_RESPONSE:
                continue
            index = e.content.get("event_id")
            nudge = self.events[index] if isinstance(index, int) and 0 <= index < len(self.events) else None
            if nudge is None or nudge.event_type not in USER_FACING or not isinstance(e.content.get("kind"), str):
                continue
            minutes, break_minutes = e.content.get("snooze_minutes"), e.content.get("break_minutes")
            found.append(
                NudgeAnswer(
                    at=e.ts,
                    kind=e.content["kind"],
                    response=str(e.content.get("response")),
                    nudge_at=nudge.ts,
                    snooze_minutes=minutes if isinstance(minutes, int) else None,
                    break_minutes=break_minutes if isinstance(break_minutes, int) else None,
                )
            )
        return tuple(found)

    def unanswered(self) -> list[tuple[str, str]]:
        """focus/selectors.py ``unanswered_nudges``: (kind, "ignored") per nudge nobody answered."""
        answered = {e.content.get("event_id") for e in self.events if e.event_type == vocabulary.NUDGE_RESPONSE}
        return [
            (e.content["kind"], vocabulary.IGNORED)
            for i, e in enumerate(self.events)
            if e.event_type in USER_FACING and i not in answered and e.content.get("kind") in vocabulary.ALLOWED_KINDS
        ]


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
        pauses=session.pause_spans(),
        answers=session.answers(),
        answer_history=_json(person.nudge_answers),
        mode=session.mode,
        norms=person.norms,  # focus/engine.py reads personal_model.norms
    )
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
    pauses: list[tuple[datetime, datetime]] = field(default_factory=list)  # the paused spans

    def minute(self, ts: datetime) -> float:
        return (ts - self.started_at).total_seconds() / 60.0

    def sent(self) -> list[tuple[float, str, EventRecord]]:
        """(minute, kind, event) of each nudge or break."""
        return [(self.minute(e.ts), str(e.content.get("kind")), e) for e in self.events if e.event_type in USER_FACING]

    def ticks(self) -> list[datetime]:
        return sorted({e.ts for e in self.events if e.event_type in ("tick", *USER_FACING)})

    def answers(self) -> list[tuple[EventRecord, EventRecord]]:
        """(nudge, its nudge_response) for each answer, oldest answer first."""
        return [
            (self.events[e.content["event_id"]], e) for e in self.events if e.event_type == vocabulary.NUDGE_RESPONSE
        ]

    def session_minutes(self) -> float:
        """Wall minutes open, the paused spans left out."""
        paused = sum((end - start).total_seconds() for start, end in self.pauses)
        return ((self.ended_at - self.started_at).total_seconds() - paused) / 60.0


def tick_times(
    started_at: datetime, ended_at: datetime, pauses: tuple[tuple[datetime, datetime], ...] = ()
) -> list[datetime]:
    """When the dispatcher runs the session's ticks: every period from the start, none while paused,
    and from a resume every period after it (``resume_session`` schedules the next one a period on)."""
    times: list[datetime] = []
    anchors = [(started_at, 0), *((resumed, 1) for _, resumed in pauses)]
    stops = [*(paused for paused, _ in pauses), ended_at]
    for (anchor, first), stop in zip(anchors, stops, strict=True):
        k = first
        while (at := anchor + timedelta(seconds=k * TICK_SECONDS + TICK_LAG_SECONDS)) < min(stop, ended_at):
            times.append(at)
            k += 1
    return times


@dataclass(frozen=True)
class Action:
    """Something the person does on the page: answer a nudge (``respond``: the nudge sent at
    ``nudge_at``, ``response`` done/snooze/dismiss), ``pause`` or ``resume`` the session."""

    what: str
    nudge_at: datetime | None = None
    response: str | None = None
    snooze_minutes: int | None = None


class Script:
    """The order of things in one session, for the simulator and the engine cross-check alike:
    the person's pings, what they do on the page (:class:`Action`) and the ticks, in time order
    (at the same instant a ping, then an action, then the tick), the person reacting to what a
    tick sent (:meth:`sent`) before their next ping."""

    def __init__(self, plan: SessionPlan, started_at: datetime) -> None:
        self.plan = plan
        self.started_at = started_at
        self.ended_at = started_at + timedelta(seconds=plan.minutes * 60 + 30)
        self.pings = list(plan.pings)
        self.taken: list[tuple[float, float]] = []  # breaks the person took (seconds from the start)
        self.pauses = tuple(
            (started_at + timedelta(seconds=start), started_at + timedelta(seconds=end)) for start, end in plan.pauses
        )
        self._actions: list[tuple[datetime, int, Action]] = []
        self._order = itertools.count()
        self._snoozed = False  # a snoozed micro break is due back
        for paused, resumed in self.pauses:
            self._act(paused, Action("pause"))
            self._act(resumed, Action("resume"))

    def _act(self, at: datetime, action: Action) -> None:
        if at < self.ended_at:  # an answer after the end would be refused (409): the person does not try
            heapq.heappush(self._actions, (at, next(self._order), action))

    def __iter__(self) -> Iterator[tuple[str, datetime, Any]]:
        ticks = tick_times(self.started_at, self.ended_at, self.pauses)
        p = t = 0
        while True:
            due: list[tuple[datetime, int, str]] = []
            if p < len(self.pings):
                due.append((self.started_at + timedelta(seconds=self.pings[p][0]), 0, "ping"))
            if self._actions:
                due.append((self._actions[0][0], 1, "action"))
            if t < len(ticks):
                due.append((ticks[t], 2, "tick"))
            if not due:
                return
            at, _, which = min(due)
            if which == "ping":
                yield "ping", at, self.pings[p][1]  # read after any reaction to the last tick
                p += 1
            elif which == "action":
                action = heapq.heappop(self._actions)[2]
                yield action.what, at, action
            else:
                yield "tick", ticks[t], None
                t += 1

    def sent(self, at: datetime, event_type: str, content: Mapping[str, Any]) -> None:
        """What a tick sent, and how the person reacts: a person who takes breaks steps away for a
        suggested one; one who answers (:class:`~bench.companion.people.Answering`) answers on the
        page 15-75 s later, or on coming back from the break they took."""
        answering = self.plan.answering or Answering()
        kind = content.get("kind")
        seconds = (at - self.started_at).total_seconds()
        rng = random.Random(f"answer:{seconds}:{kind}")
        later = at + timedelta(seconds=round(rng.uniform(15.0, 75.0)))
        if kind in answering.dismiss:
            self._act(later, Action("respond", at, vocabulary.DISMISS))
            return
        if kind == "micro_break" and answering.snooze_micro_breaks:
            if not self._snoozed:  # a fresh one: snoozed; the one that comes back is taken
                self._snoozed = True
                minutes = rng.choice(answering.snooze_micro_breaks)
                self._act(later, Action("respond", at, vocabulary.SNOOZE, minutes))
                return
            self._snoozed = False
        if event_type == "break" and isinstance(content.get("break_minutes"), int):
            taken = len(self.taken)
            self.pings = self.plan.take_break(
                self.pings, sent_at=seconds, minutes=content["break_minutes"], taken=self.taken
            )
            if answering.done_on_breaks and len(self.taken) > taken:
                back = self.started_at + timedelta(seconds=round(self.taken[-1][1] + rng.uniform(5.0, 30.0)))
                self._act(back, Action("respond", at, vocabulary.DONE))

    def taken_minutes(self) -> list[tuple[float, float]]:
        return [(start / 60.0, end / 60.0) for start, end in self.taken]


def respond(session: SimSession, action: Action, *, now: datetime, person: PersonState) -> None:
    """focus/controls.py ``respond``: the nudge_response event, and the answer added to the person's model."""
    index = next(i for i, e in enumerate(session.events) if e.event_type in USER_FACING and e.ts == action.nudge_at)
    nudge = session.events[index]
    kind = nudge.content.get("kind")
    snooze = action.snooze_minutes if action.response == vocabulary.SNOOZE else None
    content: dict[str, Any] = {"event_id": index, "kind": kind, "response": action.response, "snooze_minutes": snooze}
    if isinstance(nudge.content.get("break_minutes"), int):
        content["break_minutes"] = nudge.content["break_minutes"]
    session.events.append(EventRecord(vocabulary.NUDGE_RESPONSE, now, content, person.rhythm.snapshot()))
    if kind in vocabulary.ALLOWED_KINDS and action.response is not None:
        person.answers_add([(kind, vocabulary.ANSWER_OF_RESPONSE[action.response])])


def pause(session: SimSession, *, now: datetime, person: PersonState) -> None:
    """focus/controls.py ``pause_session`` (reason "person"): no tick until resumed."""
    session.paused_at = now
    session.next_tick_at = None
    session.events.append(
        EventRecord(vocabulary.PAUSE, now, {"reason": vocabulary.PAUSE_PERSON}, person.rhythm.snapshot())
    )


def resume(session: SimSession, *, now: datetime, person: PersonState, config: PolicyConfig) -> None:
    """focus/controls.py ``resume_session``: the span closed, the next tick a period from now."""
    paused_at = session.paused_at
    assert paused_at is not None, "resumed a session that is not paused"
    minutes = round(max(0.0, (now - paused_at).total_seconds()) / 60, 2)
    session.pauses.append((min(paused_at, now), now))
    session.paused_at = None
    session.next_tick_at = now + timedelta(seconds=config.tick_seconds)
    session.events.append(EventRecord(vocabulary.RESUME, now, {"paused_minutes": minutes}, person.rhythm.snapshot()))


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
    for what, at, payload in script:
        if what == "ping" and payload is not None:
            rhythm.ping(payload)
            session.events.append(EventRecord("ping", at, _json(payload), rhythm.snapshot()))
        elif what == "respond":
            respond(session, payload, now=at, person=person)
        elif what == "pause":
            pause(session, now=at, person=person)
        elif what == "resume":
            resume(session, now=at, person=person, config=config)
        elif what == "tick" and session.next_tick_at is not None and session.next_tick_at <= at:
            decision = run_tick(session, now=at, person=person, config=config)
            if decision is not None:
                script.sent(at, decision.event_type, decision.content)
    ended_at = script.ended_at
    if session.paused_at is not None:  # a paused session ends paused: its last pause counts in no duration
        session.pauses.append((min(session.paused_at, ended_at), ended_at))
        session.paused_at = None
    clock = SessionClock(started_at, config.tick_seconds, tuple(session.pauses))
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
    # The nudges nobody answered count as ignored in what the policy learns.
    person.answers_add(session.unanswered())
    summary = build_summary(
        started_at=started_at,
        ended_at=ended_at,
        estimated_minutes=plan.estimate,
        completion_score=None,
        session_quality=None,
        early_end=early_end,
        events=session.events,
        tick_seconds=config.tick_seconds,
        pauses=clock.pauses,
    )
    summary["learned"] = answers_learned(person.nudge_answers)
    run = SessionRun(
        plan,
        started_at,
        ended_at,
        session.events,
        summary,
        session.exceptions,
        session.policy_state,
        script.taken_minutes(),
        list(session.pauses),
    )
    session_ended(person, run)
    return run


def session_ended(person: PersonState, run: SessionRun) -> None:
    """What focus.services.session_end writes about the person that a later tick reads, beyond the
    answers (:meth:`PersonState.answers_add`, in :func:`run_session`): the norms, moved on by the
    session's pings (``_norms_update``; the habit strength and the summary memory are not policy
    inputs)."""
    pings = [PingSample.from_content(e.ts, e.content) for e in run.events if e.event_type == "ping"]
    person.norms = (person.norms or PersonNorms()).updated(pings)


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

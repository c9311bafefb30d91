"""What `make mutate` found the engine tests did not check (docs/testing.md): each test here fails
with the mutant it names."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings

from focus import engine, services
from focus.models import FocusEvent
from focus.tests.test_engine_guardrails import T0
from rhythm.models import PersonalModel
from rhythm.services import rhythm_update

pytestmark = pytest.mark.django_db

TICK = 300


def test_a_tick_for_an_id_that_is_not_a_uuid_is_skipped_not_raised():
    # Mutant: `except ValueError` in run_tick replaced, so a malformed id from a message raises.
    assert engine.run_tick(session_id="not-a-uuid") == engine.SKIPPED_MISSING
    assert engine.run_ticks(claims=[("not-a-uuid", 1)]) == {engine.SKIPPED_MISSING: 1}


@override_settings(FOCUS_TICK_SECONDS=TICK, FOCUS_NUDGE_MIN_GAP_SECONDS=TICK, FOCUS_MAX_NUDGES=8)
def test_stress_and_fatigue_set_outside_pings_reach_the_policy():
    """The person's rhythm (PUT /rhythm/state, no ping at all) rising from the start state is what
    the tick reads: it suggests a recovery break. Mutant: `snapshot or {}` → `snapshot and {}` in
    _rhythm_values, so the policy saw no rhythm at all."""
    person = uuid.uuid4()
    with time_machine.travel(T0, tick=False) as clock:
        rhythm_update(person_id=person, energy=0.7, stress=0.2, fatigue=0.2)
        session = services.session_start(person_id=person, task_id=None, estimated_duration=60, mode="deep")
        rhythm_update(person_id=person, stress=0.95, fatigue=0.9)
        for n in range(3):
            clock.move_to(T0 + timedelta(seconds=TICK * n))
            engine.run_tick(session_id=session.id)
    kinds = [e.content.get("kind") for e in FocusEvent.objects.filter(session=session, event_type="break")]
    assert "recovery_break" in kinds


# --------------------------------------------------------------------------- what the tick hands the policy
# The mutants below change what the engine passes to the pure policy (focus/policy), not the
# guardrails, so the tests watch the policy's input: `decide` is wrapped, never replaced (every
# tick still runs the real policy and writes its real event).


@pytest.fixture
def decisions(monkeypatch):
    """Every (TickContext, Decision) the engine's ticks went through, in order."""
    seen: list[tuple] = []
    real = engine.decide

    def recording(ctx, config):
        decision = real(ctx, config)
        seen.append((ctx, decision))
        return decision

    monkeypatch.setattr(engine, "decide", recording)
    return seen


def _start(person=None, minutes=60):
    return services.session_start(
        person_id=person or uuid.uuid4(), task_id=None, estimated_duration=minutes, mode="deep", now=T0
    )


def _at(seconds: float):
    return T0 + timedelta(seconds=seconds)


@override_settings(FOCUS_TICK_SECONDS=TICK)
def test_each_tick_numbers_itself_and_carries_the_policy_state_of_the_one_before(decisions):
    """Mutants: `tick_count + 1` → `tick_count - 1` (or + 0) in _tick_session, so the second tick
    still "settles in"; `session.policy_state = decision.state` dropped or `policy_state or {}` →
    `and {}`, so the policy forgot its memory (flow, breaks, sent counts) between ticks."""
    with time_machine.travel(T0, tick=False) as clock:
        session = _start()
        reasons = []
        for n in range(4):
            clock.move_to(_at(TICK * n))
            assert engine.run_tick(session_id=session.id, now=_at(TICK * n)) == "tick"
            reasons.append(FocusEvent.objects.filter(session=session, event_type="tick").first().content["reason"])
    assert reasons[0] == "settling_in" and "settling_in" not in reasons[1:]
    assert [ctx.tick_number for ctx, _ in decisions] == [1, 2, 3, 4]
    assert decisions[0][0].state == {}
    for (_, before), (ctx, _) in zip(decisions, decisions[1:]):
        assert ctx.state == before.state and ctx.state["last_tick_at"]
    session.refresh_from_db()
    assert session.tick_count == 4 and session.policy_state == decisions[-1][1].state


@override_settings(FOCUS_TICK_SECONDS=TICK)
def test_a_tick_exactly_one_period_late_restarts_the_cadence_from_now():
    """_next_due: due + period equal to now is not in the future, so the next tick is a period
    from now, not due at once. Mutant: `due > now` → `due >= now` (the next tick due immediately)."""
    with time_machine.travel(T0, tick=False) as clock:
        session = _start()
        engine.run_tick(session_id=session.id, now=T0)
        session.refresh_from_db()
        assert session.next_tick_at == _at(TICK)
        clock.move_to(_at(2 * TICK))
        engine.run_tick(session_id=session.id, now=_at(2 * TICK))
    session.refresh_from_db()
    assert session.next_tick_at == _at(3 * TICK)
    assert engine.run_tick(session_id=session.id, now=_at(2 * TICK)) == engine.SKIPPED_NOT_DUE


def test_the_tick_records_the_persons_emotion_and_where_it_came_from():
    """Mutant: the emotion source index `emotions[person][1]` → `[0]` in _Inputs.read, so the
    snapshot's source repeated the emotion."""
    person = uuid.uuid4()
    PersonalModel.objects.create(person_id=person, emotion=PersonalModel.Emotion.POSITIVE, emotion_source="memory")
    with time_machine.travel(T0, tick=False):
        session = _start(person)
        engine.run_tick(session_id=session.id, now=T0)
    event = FocusEvent.objects.get(session=session, event_type="tick")
    assert event.emotion_snapshot == {"emotion": "positive", "source": "memory"}


def test_the_policy_sees_the_newest_fifty_pings_oldest_first(decisions):
    """Mutants: RECENT_PINGS 50 → 49 / 51, and the window's order or filter."""
    with time_machine.travel(T0, tick=False):
        session = _start()
        FocusEvent.objects.bulk_create(
            FocusEvent(session=session, event_type="ping", ts=_at(n), content={"app_switches": n}) for n in range(1, 53)
        )
        engine.run_tick(session_id=session.id, now=_at(60))
    (ctx, _), *_ = decisions
    assert engine.RECENT_PINGS == 50  # DESIGN.md: the policy reads the session's last 50 pings
    assert [p.at for p in ctx.pings] == [_at(n) for n in range(3, 53)]
    assert [p.app_switches for p in ctx.pings] == list(range(3, 53))


def test_the_policy_sees_when_each_kind_was_last_sent(decisions):
    """_Inputs.read keeps the newest nudge/break of each kind, whatever order the rows come in;
    events without a kind count for none. Mutants: `ts > last` → `<` / `<=`, `and` → `or`, and the
    `kind not in` test, which kept the oldest (or a None kind). The default 30-minute gap hid them
    (docs/testing.md), so this reads the policy's input rather than its choice."""
    with time_machine.travel(T0, tick=False):
        session = _start()
        rows = [
            ("nudge", 100, {"kind": "refocus"}),
            ("nudge", 10, {"kind": "refocus"}),
            ("break", 50, {"kind": "micro_break", "break_minutes": 5}),
            ("nudge", 300, {"kind": "refocus"}),
            ("break", 20, {"kind": "micro_break", "break_minutes": 5}),
            ("nudge", 400, {}),
            ("tick", 500, {"kind": "check_in"}),  # not user-facing: not a sent nudge
        ]
        FocusEvent.objects.bulk_create(
            FocusEvent(session=session, event_type=kind, ts=_at(s), content=content) for kind, s, content in rows
        )
        engine.run_tick(session_id=session.id, now=_at(600))
    (ctx, _), *_ = decisions
    assert ctx.last_sent_by_kind == {"refocus": _at(300), "micro_break": _at(50)}

"""The guardrails, driven through the real engine on the database.

test_properties.py drives the pure policy with its own bookkeeping; here nothing is modelled: real
session rows are started, pinged, swept, ticked and ended through focus.services, focus.scheduler
and focus.engine on PostgreSQL, with the clock pinned by time-machine, and every guardrail is read
back from the rows they wrote:

- only allowed kinds, `break` exactly for the break kinds, micro tone: one sentence, <= 120 chars;
- at least FOCUS_NUDGE_MIN_GAP_SECONDS between two nudges/breaks of a session (6 ticks here, so a
  gap that is not enforced shows: the policy's own same-kind spacing lets different kinds through
  every tick or two);
- at most FOCUS_MAX_NUDGES per session, and `nudges_sent` agrees with the rows;
- nothing after `session_end` (no event later in time or in write order, a ping after it is a 409);
- one event per tick: a tick that runs writes exactly one tick/nudge/break, at the time it ran,
  a skipped one (ended, not due, stale sequence, a duplicate in its chunk) writes nothing; one tick
  per due time, on the engine's cadence.

Pings make the policy want to nudge on most ticks (strain → recovery_break, scattered work →
refocus, the estimate → wrap_up, quiet → check_in), ticks come late, in chunks with duplicates, and
redelivered with stale sequences. Run time: ~10 s on the shared 2-core box (40 examples of up
to 30 steps, 2 sessions each; 8.6 s measured for this file at load 6, ~90 s with two CPU hogs running).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

from focus import engine, scheduler, services
from focus.guardrails import ALLOWED_KINDS, BREAK_KINDS, MAX_MESSAGE_CHARS, is_micro_tone
from focus.models import USER_FACING_EVENTS, EventType, FocusEvent, FocusSession
from focus.tests.test_integration_ticks import tick_schedule_violations
from focus.tests.test_properties import API_PING
from focusflow.errors import Conflict

pytestmark = pytest.mark.django_db

T0 = datetime(2031, 3, 3, 9, 0, tzinfo=dt_timezone.utc)
TICK = 300
GAP_TICKS = 6
TICK_EVENTS = ("tick", "nudge", "break")
SKIPPED = (engine.SKIPPED_ENDED, engine.SKIPPED_NOT_DUE, engine.SKIPPED_STALE, engine.SKIPPED_MISSING)

# Pings that make the policy want to say something: strain asks for a recovery break, scattered
# work for a refocus; calm ones let a check-in or the wrap-up near the estimate through.
STRAINED = {"activity": "active", "app_switches": 3, "focus": 0.5, "stress": 0.95, "fatigue": 0.9, "energy": 0.2}
SCATTERED = {"activity": "active", "app_switches": 30, "focus": 0.1, "stress": 0.4}
CALM = {"activity": "active", "app_switches": 2, "focus": 0.85, "stress": 0.3}
WANTING = st.sampled_from([STRAINED, SCATTERED, STRAINED, SCATTERED, CALM])


class EngineSessions(RuleBasedStateMachine):
    """Two sessions on the database; rules are what the API, beat and workers do to them."""

    claims = Bundle("claims")

    @initialize(
        max_nudges=st.integers(min_value=1, max_value=8),
        estimates=st.lists(st.integers(min_value=15, max_value=120), min_size=2, max_size=2),
    )
    def start(self, max_nudges, estimates):
        self.max_nudges = max_nudges
        self.gap = GAP_TICKS * TICK
        self.overrides = override_settings(
            FOCUS_TICK_SECONDS=TICK,
            FOCUS_NUDGE_MIN_GAP_SECONDS=self.gap,
            FOCUS_MAX_NUDGES=max_nudges,
            FOCUS_LEASE_SECONDS=TICK // 2,
        )
        self.overrides.enable()
        self.travel = time_machine.travel(T0, tick=False)
        self.clock = self.travel.start()
        self.ids = [
            services.session_start(person_id=uuid.uuid4(), task_id=None, estimated_duration=estimate, mode="deep").id
            for estimate in estimates
        ]
        self.ticks_run = {session_id: 0 for session_id in self.ids}
        self.first_due = {session_id: T0 for session_id in self.ids}  # session_start: due at once

    def teardown(self):
        if hasattr(self, "ids"):
            # End what is still running, so a later example's sweeps never claim it.
            FocusSession.objects.filter(id__in=self.ids, ended_at__isnull=True).update(
                ended_at=timezone.now(), next_tick_at=None, lease_until=None
            )
            self.travel.stop()
            self.overrides.disable()

    # ------------------------------------------------------------------ helpers

    def _rows(self) -> dict[uuid.UUID, FocusSession]:
        return FocusSession.objects.in_bulk(self.ids)

    def _tick_count(self, session_id) -> int:
        return FocusEvent.objects.filter(session_id=session_id, event_type__in=TICK_EVENTS).count()

    def _run(self, claims: list[tuple[uuid.UUID, int | None]]) -> None:
        """Run a chunk through engine.run_ticks (a single claim through run_tick) and check each claim
        did exactly what its row said it would: tick once if active, due and current, else nothing."""
        before = self._rows()
        counts = {session_id: self._tick_count(session_id) for session_id in self.ids}
        events_before = {
            session_id: FocusEvent.objects.filter(session_id=session_id).count() for session_id in self.ids
        }
        now = timezone.now()
        if len(claims) == 1:
            outcomes = {engine.run_tick(session_id=claims[0][0], seq=claims[0][1]): 1}
        else:
            outcomes = engine.run_ticks(claims=[(str(session_id), seq) for session_id, seq in claims])
        expected_ticks = set()
        for session_id, seq in claims:
            row = before[session_id]
            if (
                row.ended_at is None
                and (seq is None or seq == row.tick_seq)
                and row.next_tick_at is not None
                and row.next_tick_at <= now
            ):
                expected_ticks.add(session_id)
        ran = sum(n for outcome, n in outcomes.items() if outcome not in SKIPPED)
        assert ran == len(expected_ticks), (outcomes, claims)
        assert sum(outcomes.values()) == len(claims)
        after = self._rows()
        for session_id in self.ids:
            if session_id in expected_ticks:
                self.ticks_run[session_id] += 1
                assert self._tick_count(session_id) == counts[session_id] + 1
                newest = FocusEvent.objects.filter(session_id=session_id, event_type__in=TICK_EVENTS).latest("id")
                assert newest.ts == now
                assert after[session_id].tick_count == before[session_id].tick_count + 1
            else:
                assert FocusEvent.objects.filter(session_id=session_id).count() == events_before[session_id]
                assert after[session_id].tick_count == before[session_id].tick_count

    def _move_to_due(self, session_id, late_seconds: float) -> None:
        row = FocusSession.objects.get(pk=session_id)
        if row.next_tick_at is not None:
            target = row.next_tick_at + timedelta(seconds=late_seconds)
            if target > timezone.now():
                self.clock.move_to(target)

    # ------------------------------------------------------------------ what happens to the sessions

    @rule(seconds=st.floats(min_value=0, max_value=2 * TICK, allow_nan=False))
    def time_passes(self, seconds):
        self.clock.shift(timedelta(seconds=seconds))

    @rule(which=st.integers(0, 1), values=st.one_of(WANTING, WANTING, API_PING))
    def ping(self, which, values):
        session_id = self.ids[which]
        row = FocusSession.objects.get(pk=session_id)
        count = FocusEvent.objects.filter(session_id=session_id).count()
        try:
            services.session_ping(session_id=session_id, person_id=None, values=values)
        except Conflict:
            assert row.ended_at is not None  # 409: pings are closed once ended
            assert FocusEvent.objects.filter(session_id=session_id).count() == count
        else:
            assert row.ended_at is None

    @rule(which=st.integers(0, 1), late=st.floats(min_value=0, max_value=3 * TICK, allow_nan=False))
    def tick_on_time_or_late(self, which, late):
        """The start-time enqueue or a worker that took the message late: no sequence."""
        self._move_to_due(self.ids[which], late)
        self._run([(self.ids[which], None)])

    @rule(target=claims, late=st.floats(min_value=0, max_value=2 * TICK, allow_nan=False), duplicate=st.booleans())
    def sweep_and_tick(self, late, duplicate):
        """A beat sweep claims what is due (bumping the sequence) and a worker runs the chunk, maybe
        with a claim twice in it (a duplicated message merged into one chunk)."""
        self._move_to_due(min(self.ids, key=lambda i: FocusSession.objects.get(pk=i).next_tick_at or T0), late)
        claimed = [
            (uuid.UUID(session_id), seq)
            for session_id, seq in scheduler.claim_due_sessions(now=timezone.now())
            if uuid.UUID(session_id) in self.ids
        ]
        if not claimed:
            return multiple()
        self._run(claimed + claimed[:1] if duplicate else claimed)
        return multiple(*claimed)

    @rule(claim=claims, late=st.floats(min_value=0, max_value=2 * TICK, allow_nan=False))
    def redeliver(self, claim, late):
        """A message delivered again (a worker died after the commit, Redis redelivered it)."""
        self._move_to_due(claim[0], late)
        self._run([claim])

    @rule(which=st.integers(0, 1), quality=st.one_of(st.none(), st.fixed_dictionaries({"rating": st.integers(1, 5)})))
    def end(self, which, quality):
        session_id = self.ids[which]
        row = FocusSession.objects.get(pk=session_id)
        try:
            services.session_end(session_id=session_id, person_id=None, completion_score=0.7, session_quality=quality)
        except Conflict:
            assert row.ended_at is not None
        else:
            assert row.ended_at is None

    # ------------------------------------------------------------------ the guardrails, from the rows

    @precondition(lambda self: hasattr(self, "ids"))
    @invariant()
    def every_guardrail_holds_in_the_rows(self):
        for session_id, row in self._rows().items():
            events = list(FocusEvent.objects.filter(session_id=session_id).order_by("id"))
            ticks = [e for e in events if e.event_type in TICK_EVENTS]
            facing = [e for e in ticks if e.event_type in USER_FACING_EVENTS]
            # One event per tick, one tick per due time.
            assert len(ticks) == row.tick_count == self.ticks_run[session_id]
            assert not tick_schedule_violations(
                [e.ts for e in ticks], first_due=self.first_due[session_id], period=TICK
            )
            # Kinds and micro tone.
            for event in facing:
                content = event.content
                assert content["kind"] in ALLOWED_KINDS
                assert (event.event_type == EventType.BREAK) is (content["kind"] in BREAK_KINDS)
                assert content["tone"] == "micro" and is_micro_tone(content["message"])
                assert len(content["message"]) <= MAX_MESSAGE_CHARS
            # Cap, and the counter the cap is checked against.
            assert len(facing) <= self.max_nudges
            assert row.nudges_sent == len(facing)
            # Gap.
            for earlier, later in zip(facing, facing[1:]):
                assert (later.ts - earlier.ts).total_seconds() >= self.gap, (
                    f"{earlier.content['kind']} at {earlier.ts}, {later.content['kind']} at {later.ts}"
                )
            # Nothing after the end, in time or in write order.
            if row.ended_at is not None:
                assert events[-1].event_type == EventType.SESSION_END
                assert sum(e.event_type == EventType.SESSION_END for e in events) == 1
                assert all(e.ts <= row.ended_at for e in events)


def test_every_guardrail_holds_through_the_engine_for_any_pings_sweeps_late_and_redelivered_ticks_and_ends():
    run_state_machine_as_test(
        EngineSessions,
        settings=settings(
            max_examples=40,
            stateful_step_count=30,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )


@override_settings(FOCUS_TICK_SECONDS=TICK, FOCUS_NUDGE_MIN_GAP_SECONDS=GAP_TICKS * TICK, FOCUS_MAX_NUDGES=4)
def test_a_session_that_wants_a_nudge_every_tick_gets_them_a_gap_apart_and_stops_at_the_cap():
    """The scripted case the property above covers at random, so the gap and the cap certainly bind:
    scattered work then strain, three ticks each, one ping before each of 30 ticks."""
    with time_machine.travel(T0, tick=False) as clock:
        session = services.session_start(person_id=uuid.uuid4(), task_id=None, estimated_duration=60, mode="deep")
        script = ([SCATTERED] * 3 + [STRAINED] * 3) * 5
        for n, ping in enumerate(script):
            clock.move_to(T0 + timedelta(seconds=TICK * n + 1))
            services.session_ping(session_id=session.id, person_id=None, values=ping)
            clock.move_to(T0 + timedelta(seconds=TICK * (n + 1)))
            assert engine.run_tick(session_id=session.id) not in SKIPPED
        ticks = list(FocusEvent.objects.filter(session=session, event_type__in=TICK_EVENTS).order_by("ts"))
    facing = [e for e in ticks if e.event_type in USER_FACING_EVENTS]
    reasons = {e.content.get("reason") for e in ticks if e.event_type == EventType.TICK}
    assert len(ticks) == 30
    assert len(facing) == 4, [(e.ts, e.content["kind"]) for e in facing]
    assert {"backoff", "cap"} <= reasons
    gaps = [(b.ts - a.ts).total_seconds() for a, b in zip(facing, facing[1:])]
    assert all(gap >= GAP_TICKS * TICK for gap in gaps), gaps

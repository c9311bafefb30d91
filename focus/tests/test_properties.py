"""Property tests for the pure policy and summary, driven the way the tick engine drives them.

This drives the pure policy with its own model of the engine's bookkeeping (counters, last nudge,
cadence), so it says nothing about the engine itself: the guardrails through the real engine, on
the database, are test_engine_guardrails.py (which catches an engine that forgets to record a nudge).

policy/test_decide.py and test_summary.py already check single decisions and summaries of random events at
a fixed tick cadence. These add what a running system does to them:

- ticks at irregular times (a tick late after a broker outage, two close together after a lease
  ran out), pings with any value the API accepts (and the extra keys a ping event carries),
  rhythm changes from pings and from the rhythm API, the policy's state stored as JSON between
  ticks, the cap and gap read back from what was sent — as a Hypothesis state machine whose
  invariants are the guardrails, checked in wall-clock time after every step;
- the summary of exactly the events those ticks wrote agrees with them (what was sent, what was held
  back and why, the flow windows), and never raises;
- decide is a function: the same inputs give the same decision.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from focus.guardrails import ALLOWED_KINDS, BREAK_KINDS, is_micro_tone
from focus.policy import (
    DETECTION_TYPES,
    TICK_REASONS,
    PingSample,
    PolicyConfig,
    RhythmValues,
    TickContext,
    decide,
)
from focus.summary import EventRecord, build_summary, summary_sentiment

T0 = datetime(2031, 1, 6, 9, 0, tzinfo=timezone.utc)
RECENT_PINGS = 50  # what the engine hands the policy (focus/engine.py)
PING_FIELDS = set(PingSample.__dataclass_fields__) - {"at"}

# Every value the ping API accepts (focus/serializers.py PingInput), and None.
UNIT = st.one_of(st.none(), st.floats(min_value=0, max_value=1, allow_nan=False))
API_PING = st.fixed_dictionaries(
    {},
    optional={
        "heart_rate": st.one_of(st.none(), st.integers(min_value=20, max_value=250)),
        "hrv_ms": st.one_of(st.none(), st.floats(min_value=1, max_value=300, allow_nan=False)),
        "energy": UNIT,
        "stress": UNIT,
        "fatigue": UNIT,
        "focus": UNIT,
        "activity": st.sampled_from([None, "active", "idle", "away"]),
        "app_switches": st.one_of(st.none(), st.integers(min_value=0, max_value=1000)),
        "note": st.one_of(st.none(), st.text(max_size=40)),
    },
)
RHYTHM = st.builds(RhythmValues, energy=UNIT, stress=UNIT, fatigue=UNIT)


class TickedSession(RuleBasedStateMachine):
    """One session as the engine runs it, with the events it writes."""

    @initialize(
        tick_seconds=st.sampled_from([2, 60, 300]),
        gap_ticks=st.sampled_from([0, 1, 2]),
        max_nudges=st.integers(min_value=0, max_value=8),
        estimate=st.integers(min_value=1, max_value=240),
        start=RHYTHM,
    )
    def start(self, tick_seconds, gap_ticks, max_nudges, estimate, start):
        self.config = replace(
            PolicyConfig(), tick_seconds=tick_seconds, min_gap_seconds=gap_ticks * tick_seconds, max_nudges=max_nudges
        )
        self.estimate = estimate
        self.rhythm_at_start = start
        self.rhythm_now = start
        self.now = T0
        self.next_tick_at = T0  # the first tick is due at once
        self.tick_number = 0
        self.state: dict = {}
        self.pings: list[PingSample] = []
        self.nudges_sent = 0
        self.last_nudge_at: datetime | None = None
        self.last_sent_by_kind: dict[str, datetime] = {}
        self.ended_at: datetime | None = None
        self.events = [self._event("session_start", {"estimated_duration": estimate})]

    def _snapshot(self) -> dict:
        return {"energy": self.rhythm_now.energy, "stress": self.rhythm_now.stress, "fatigue": self.rhythm_now.fatigue}

    def _event(self, event_type: str, content: dict) -> EventRecord:
        # Stored as JSON, read back as JSON: what goes in must survive the round trip.
        return EventRecord(
            event_type=event_type,
            ts=self.now,
            content=json.loads(json.dumps(content)),
            rhythm_snapshot=self._snapshot(),
        )

    @rule(seconds=st.floats(min_value=0, max_value=900, allow_nan=False))
    def time_passes(self, seconds):
        self.now += timedelta(seconds=seconds)

    @precondition(lambda self: self.ended_at is None)
    @rule(values=API_PING)
    def ping(self, values):
        content = {k: v for k, v in values.items() if v is not None}
        # session_ping: energy/stress/fatigue in a ping also move the person's rhythm.
        self.rhythm_now = replace(
            self.rhythm_now, **{k: content[k] for k in ("energy", "stress", "fatigue") if k in content}
        )
        self.events.append(self._event("ping", content))
        self.pings.append(PingSample(at=self.now, **{k: v for k, v in content.items() if k in PING_FIELDS}))

    @precondition(lambda self: self.ended_at is None)
    @rule(rhythm=RHYTHM)
    def rhythm_updated(self, rhythm):
        """PUT /rhythm/state: only the given values change."""
        given = {k: v for k, v in vars(rhythm).items() if v is not None}
        self.rhythm_now = replace(self.rhythm_now, **given)

    @rule(late_seconds=st.floats(min_value=0, max_value=1200, allow_nan=False))
    def tick(self, late_seconds):
        """A tick runs when due, possibly late (a broker outage, a lease that ran out)."""
        if self.ended_at is not None:
            return  # run_tick skips an ended session: nothing is written
        self.now = max(self.now, self.next_tick_at + timedelta(seconds=late_seconds))
        self.tick_number += 1
        decision = decide(
            TickContext(
                now=self.now,
                started_at=T0,
                estimated_minutes=self.estimate,
                tick_number=self.tick_number,
                pings=tuple(self.pings[-RECENT_PINGS:]),
                rhythm_now=self.rhythm_now,
                rhythm_at_start=self.rhythm_at_start,
                nudges_sent=self.nudges_sent,
                last_nudge_at=self.last_nudge_at,
                last_sent_by_kind=dict(self.last_sent_by_kind),
                state=self.state,
            ),
            self.config,
        )
        for detection in decision.detections:
            assert detection.event_type in DETECTION_TYPES
            self.events.append(self._event(detection.event_type, detection.content))
        self.events.append(self._event(decision.event_type, decision.content))
        if decision.event_type in ("nudge", "break"):
            self.nudges_sent += 1
            self.last_nudge_at = self.now
            self.last_sent_by_kind[decision.content["kind"]] = self.now
        self.state = json.loads(json.dumps(decision.state))
        period = timedelta(seconds=self.config.tick_seconds)
        due = self.next_tick_at + period
        self.next_tick_at = due if due > self.now else self.now + period

    @precondition(lambda self: self.ended_at is None)
    @rule(
        completion=UNIT,
        quality=st.one_of(st.none(), st.fixed_dictionaries({"rating": st.integers(1, 5)})),
        early_end=st.booleans(),
    )
    def end(self, completion, quality, early_end):
        self.ended_at = self.now
        self.events.append(self._event("session_end", {"completion_score": completion, "early_end": early_end}))
        summary = build_summary(
            started_at=T0,
            ended_at=self.now,
            estimated_minutes=self.estimate,
            completion_score=completion,
            session_quality=quality,
            early_end=early_end,
            events=self.events,
            tick_seconds=self.config.tick_seconds,
        )
        self._check_summary(summary)
        sentiment = summary_sentiment(completion_score=completion, session_quality=quality, early_end=early_end)
        assert math.isfinite(sentiment) and -1 <= sentiment <= 1

    # ------------------------------------------------------------------ the guardrails, every step

    def _sent(self) -> list[EventRecord]:
        return [e for e in self.events if e.event_type in ("nudge", "break")]

    @invariant()
    def guardrails_hold(self):
        if not hasattr(self, "config"):
            return
        sent = self._sent()
        assert len(sent) <= self.config.max_nudges
        for earlier, later in zip(sent, sent[1:]):
            assert (later.ts - earlier.ts).total_seconds() >= self.config.min_gap_seconds
        for event in sent:
            assert event.content["kind"] in ALLOWED_KINDS
            assert (event.event_type == "break") is (event.content["kind"] in BREAK_KINDS)
            assert event.content["tone"] == "micro" and is_micro_tone(event.content["message"])
            assert len(event.content["message"]) <= 120
        # "Nothing after the end" is not checked here: this model never ticks an ended session, so
        # it could not fail; test_engine_guardrails.py checks it on the engine's rows.

    @invariant()
    def every_tick_writes_exactly_one_tick_event(self):
        if not hasattr(self, "config"):
            return
        tick_events = [e for e in self.events if e.event_type in ("tick", "nudge", "break")]
        assert len(tick_events) == self.tick_number
        for event in tick_events:
            if event.event_type == "tick":
                assert event.content["reason"] in TICK_REASONS and event.content["detail"]
        flow = [e.event_type for e in self.events if e.event_type in ("flow_start", "flow_end")]
        assert all(a != b for a, b in zip(flow, flow[1:])), "flow_start and flow_end must alternate"
        assert not flow or flow[0] == "flow_start"

    def _check_summary(self, summary: dict) -> None:
        assert json.loads(json.dumps(summary, allow_nan=False)) == summary
        sent = self._sent()
        assert summary["nudges"]["sent_total"] == len(sent)
        by_kind: dict[str, int] = {}
        for event in sent:
            by_kind[event.content["kind"]] = by_kind.get(event.content["kind"], 0) + 1
        assert summary["nudges"]["sent"] == dict(sorted(by_kind.items()))
        held: dict[str, int] = {}
        for event in self.events:
            if event.event_type == "tick":
                held[event.content["reason"]] = held.get(event.content["reason"], 0) + 1
        assert summary["nudges"]["suppressed"] == dict(sorted(held.items()))
        starts = sum(e.event_type == "flow_start" for e in self.events)
        assert len(summary["flow_windows"]["windows"]) == starts
        actual = summary["duration"]["actual_minutes"]
        assert 0 <= summary["flow_windows"]["total_minutes"] <= actual + 0.1
        assert 1 <= len(summary["sentences"]) <= 2 and summary["headline"]


TickedSession.TestCase.settings = settings(
    max_examples=150,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_any_sequence_of_pings_rhythm_and_late_ticks_keeps_every_guardrail = TickedSession.TestCase


@settings(max_examples=150, deadline=None)
@given(
    pings=st.lists(st.tuples(st.integers(min_value=0, max_value=3600), API_PING), max_size=10),
    rhythm_now=RHYTHM,
    rhythm_at_start=RHYTHM,
    tick_number=st.integers(min_value=1, max_value=60),
    minutes=st.integers(min_value=0, max_value=300),
    nudges_sent=st.integers(min_value=0, max_value=10),
    since_last=st.one_of(st.none(), st.integers(min_value=0, max_value=7200)),
)
def test_decide_is_a_function_of_its_inputs(
    pings, rhythm_now, rhythm_at_start, tick_number, minutes, nudges_sent, since_last
):
    now = T0 + timedelta(minutes=minutes)
    samples = tuple(
        PingSample(at=T0 + timedelta(seconds=s), **{k: v for k, v in values.items() if k in PING_FIELDS})
        for s, values in sorted(pings, key=lambda p: p[0])
    )
    ctx = TickContext(
        now=now,
        started_at=T0,
        estimated_minutes=60,
        tick_number=tick_number,
        pings=samples,
        rhythm_now=rhythm_now,
        rhythm_at_start=rhythm_at_start,
        nudges_sent=nudges_sent,
        last_nudge_at=None if since_last is None else now - timedelta(seconds=since_last),
        last_sent_by_kind={},
        state={},
    )
    first, second = decide(ctx, PolicyConfig()), decide(ctx, PolicyConfig())
    assert first == second
    # Feeding the state forward through JSON changes nothing either.
    replayed = decide(replace(ctx, state=json.loads(json.dumps(first.state))), PolicyConfig())
    assert decide(replace(ctx, state=first.state), PolicyConfig()) == replayed


def test_the_readme_guarantees_name_tests_that_exist():
    """Each guarantee in the README is backed by a named test: the names must stay real."""
    import ast
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    section = root.joinpath("README.md").read_text().split("## Guarantees", 1)[1]
    named = 0
    for row in section.splitlines():
        current = None
        for file_name, test in re.findall(r"`(?:(test_\w+\.py))?(?:::(test_\w+))?", row):
            current = file_name or current
            if not (current and test):
                continue
            tree = ast.parse(root.joinpath("focus", "tests", current).read_text())
            names = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
            names |= {
                t.id
                for node in ast.walk(tree)
                if isinstance(node, ast.Assign)
                for t in node.targets
                if isinstance(t, ast.Name)
            }
            assert test in names, f"README names {current}::{test}, which does not exist"
            named += 1
    assert named >= 15

"""The nudge policy, as plain values: what a person gets (or not) each tick, and why."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from focus.guardrails import ALLOWED_KINDS, BREAK_KINDS, guardrail_block, is_micro_tone
from focus.policy import (
    DETECTION_TYPES,
    DISTRACTION_SIGNALS,
    NOMINAL_TICK_MINUTES,
    TICK_REASONS,
    Decision,
    PersonNorms,
    PingSample,
    PolicyConfig,
    RhythmValues,
    TickContext,
    decide,
    detect_breakpoint,
    distraction_threshold,
    flow_break_reason,
    hrv_corroborates,
    is_flow_tick,
    recovery_break_minutes,
    stress_trigger,
    switch_baseline,
)
from focus.policy.detectors import left_the_keyboard
from focus.policy.norms import Norm

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)
CFG = PolicyConfig()
# Config with the optional check_in switched off, to look at one rule at a time.
NO_CHECK_IN = replace(CFG, check_in_after_ticks=10_000)

# Typical pings (one dict = one ping inside the tick).
QUIET = {"activity": "active", "app_switches": 2}  # flow-looking work
SMALL_BURST = {"activity": "active", "app_switches": 5}  # breakpoint after a quiet run of 2s
WORK = {"app_switches": 3}  # plain work: no activity reading, so never flow
WORK_BURST = {"app_switches": 6}  # breakpoint after a quiet run of 3s
BUSY = ({"activity": "active", "app_switches": 2}, {"activity": "active", "app_switches": 6})  # not flow


def at(minutes: float = 0, seconds: float = 0) -> datetime:
    return T0 + timedelta(minutes=minutes, seconds=seconds)


def ping(when: datetime, **fields) -> PingSample:
    return PingSample(at=when, **fields)


def make_ctx(**overrides) -> TickContext:
    values = dict(
        now=at(10),
        started_at=T0,
        estimated_minutes=120,
        tick_number=2,
        pings=(),
        rhythm_now=RhythmValues(),
        rhythm_at_start=RhythmValues(),
        nudges_sent=0,
        last_nudge_at=None,
        last_sent_by_kind={},
        state={},
        ended=False,
    )
    values.update(overrides)
    return TickContext(**values)


def reason_of(decision: Decision) -> str:
    return decision.content["reason"] if decision.event_type == "tick" else decision.content["kind"]


def detection_types(decision: Decision) -> list[str]:
    return [d.event_type for d in decision.detections]


class Session:
    """Drives ``decide`` tick by tick the way the tick service does: pings go in, the event
    and the policy state are recorded, user-facing events feed the guardrail counters."""

    def __init__(
        self,
        config: PolicyConfig = CFG,
        *,
        estimated_minutes: int = 600,
        rhythm_at_start: RhythmValues = RhythmValues(),
    ):
        self.config = config
        self.estimated_minutes = estimated_minutes
        self.rhythm_at_start = rhythm_at_start
        self.rhythm_now = rhythm_at_start
        self.pings: list[PingSample] = []
        self.state: dict = {}
        self.tick_number = 0
        self.nudges_sent = 0
        self.last_nudge_at: datetime | None = None
        self.last_sent_by_kind: dict[str, datetime] = {}
        self.decisions: list[Decision] = []

    @property
    def step(self) -> timedelta:
        return timedelta(seconds=self.config.tick_seconds)

    def tick(self, *pings: dict, rhythm: RhythmValues | None = None, **ctx_overrides) -> Decision:
        self.tick_number += 1
        now = T0 + self.step * self.tick_number
        for i, fields in enumerate(pings):  # spread this tick's pings inside (now - step, now]
            self.pings.append(PingSample(at=now - self.step + self.step * (i + 1) / (len(pings) + 1), **fields))
        if rhythm is not None:
            self.rhythm_now = rhythm
        values = dict(
            now=now,
            started_at=T0,
            estimated_minutes=self.estimated_minutes,
            tick_number=self.tick_number,
            pings=tuple(self.pings[-50:]),
            rhythm_now=self.rhythm_now,
            rhythm_at_start=self.rhythm_at_start,
            nudges_sent=self.nudges_sent,
            last_nudge_at=self.last_nudge_at,
            last_sent_by_kind=dict(self.last_sent_by_kind),
            state=self.state,
        )
        values.update(ctx_overrides)
        decision = decide(TickContext(**values), self.config)
        # The service stores state and content as JSON: both must survive the round trip.
        self.state = json.loads(json.dumps(decision.state))
        json.dumps(decision.content)
        for detection in decision.detections:
            json.dumps(detection.content)
        if decision.event_type in ("nudge", "break"):
            self.nudges_sent += 1
            self.last_nudge_at = now
            self.last_sent_by_kind[decision.content["kind"]] = now
        self.decisions.append(decision)
        return decision

    def run(self, ticks: int, *pings: dict, **kwargs) -> list[Decision]:
        return [self.tick(*pings, **kwargs) for _ in range(ticks)]

    def sent(self) -> list[tuple[int, str]]:
        return [(i + 1, d.content["kind"]) for i, d in enumerate(self.decisions) if d.event_type != "tick"]

    def detected(self, event_type: str) -> list[int]:
        return [i + 1 for i, d in enumerate(self.decisions) if event_type in detection_types(d)]


# --------------------------------------------------------------------------- ended and settling


ENDED_CASES = [
    dict(),
    dict(rhythm_now=RhythmValues(stress=1.0, fatigue=1.0)),
    dict(pings=(ping(at(9), activity="away"),)),
    dict(nudges_sent=3, last_nudge_at=at(0), estimated_minutes=5),
    dict(state={"in_flow": True, "flow_ticks": 30, "refocus_pending": True, "refocus_reason": "x."}),
    dict(tick_number=1),
]


@pytest.mark.parametrize("overrides", ENDED_CASES)
def test_a_tick_after_the_session_ended_sends_nothing_and_detects_nothing(overrides):
    decision = decide(make_ctx(ended=True, **overrides), CFG)
    assert decision.event_type == "tick"
    assert decision.content["reason"] == "session_ended"
    assert decision.content["detail"]
    assert decision.detections == ()


@pytest.mark.parametrize(
    "overrides",
    [
        dict(rhythm_now=RhythmValues(stress=0.95)),  # would be a recovery break
        dict(pings=(ping(at(4), activity="away"),)),  # would be a refocus
        dict(estimated_minutes=5, now=at(5)),  # would be a wrap-up
        dict(now=at(45)),  # would be a check-in
    ],
)
def test_the_first_tick_lets_the_person_settle_in(overrides):
    decision = decide(make_ctx(tick_number=1, **overrides), CFG)
    assert decision.event_type == "tick"
    assert decision.content["reason"] == "settling_in"


def test_a_session_with_nothing_going_on_says_nothing():
    session = Session(NO_CHECK_IN)
    decisions = session.run(6, WORK)
    assert [reason_of(d) for d in decisions] == ["settling_in"] + ["nothing_to_say"] * 5


# --------------------------------------------------------------------------- flow


@pytest.mark.parametrize("flow_ticks", [2, 3, 4])
def test_flow_starts_after_exactly_flow_ticks_quiet_ticks(flow_ticks):
    session = Session(replace(NO_CHECK_IN, flow_ticks=flow_ticks))
    for _ in range(flow_ticks - 1):
        assert "flow_start" not in detection_types(session.tick(QUIET))
    decision = session.tick(QUIET)
    assert detection_types(decision) == ["flow_start"]
    assert decision.event_type == "tick" and decision.content["reason"] == "in_flow"
    session.run(5, QUIET)
    assert session.detected("flow_start") == [flow_ticks]


def test_flow_start_says_since_when_and_why():
    session = Session(NO_CHECK_IN)
    session.run(3, QUIET)
    (flow_start,) = session.decisions[2].detections
    assert flow_start.content["since"] == session.pings[0].at.isoformat()
    assert datetime.fromisoformat(flow_start.content["since"]) == session.pings[0].at
    assert "15 minutes" in flow_start.content["reason"]


@pytest.mark.parametrize(
    "interruption",
    [
        {"activity": "idle"},
        {"activity": "away"},
        {"activity": "active", "app_switches": 11},  # a burst at the distraction threshold (2.6 x 4)
        {"activity": "active", "app_switches": 2, "focus": 0.3},  # low focus
    ],
)
def test_any_non_flow_tick_restarts_the_count(interruption):
    session = Session(NO_CHECK_IN)
    session.tick(QUIET)
    session.tick(QUIET)
    session.tick(interruption)
    session.run(2, QUIET)
    assert session.detected("flow_start") == []
    session.tick(QUIET)
    assert session.detected("flow_start") == [6]


def test_a_tick_between_the_enter_and_leave_thresholds_holds_the_count():
    """Hysteresis: a somewhat busier tick (above the person's pace plus a spread, below the
    distraction threshold) neither builds a flow streak nor breaks it."""
    session = Session(NO_CHECK_IN)
    session.tick(QUIET)
    session.tick(QUIET)
    session.tick({"activity": "active", "app_switches": 6})
    assert session.detected("flow_start") == []
    session.tick(QUIET)
    assert session.detected("flow_start") == [4]


def test_one_noisy_reading_does_not_stop_a_tick_counting_toward_flow():
    """The tick's median decides, not its noisiest reading (issue 11: calm deep work was not
    recognised as flow because every reading had to be at or below the running median)."""
    session = Session(NO_CHECK_IN)
    noisy = ({"activity": "active", "app_switches": 2}, {"activity": "active", "app_switches": 7}, QUIET)
    session.run(4, *noisy)
    assert session.detected("flow_start") == [3]


def test_a_tick_without_pings_neither_counts_toward_flow_nor_breaks_the_count():
    session = Session(NO_CHECK_IN)
    session.tick(QUIET)
    session.tick()
    session.tick(QUIET)
    assert session.detected("flow_start") == []
    session.tick(QUIET)
    assert session.detected("flow_start") == [4]


@pytest.mark.parametrize(
    "pings, qualifies",
    [
        ((QUIET,), True),
        ((QUIET, QUIET, QUIET), True),
        (({"activity": "active"},), True),  # no switch count: activity decides
        (({"activity": "active", "app_switches": 4},), True),  # at the no-history floor of 4
        (({"activity": "active", "app_switches": 5},), True),  # within one spread of it
        (({"activity": "active", "app_switches": 6},), False),  # above that
        (({"activity": "active", "app_switches": 2, "focus": 0.31},), True),
        (({"activity": "active", "app_switches": 2, "focus": 0.3},), False),
        ((QUIET, {"activity": "idle"}, QUIET), True),  # typically active: one idle reading
        ((QUIET, {"activity": "idle"}, {"activity": "idle"}), False),  # mostly idle
        ((QUIET, QUIET, {"activity": "idle"}), False),  # idle now
        ((QUIET, {"activity": "away"}), False),
        (({"app_switches": 1},), False),  # no activity reading
        ((), False),
    ],
)
def test_what_a_flow_tick_looks_like_without_history(pings, qualifies):
    window = [ping(at(i), **fields) for i, fields in enumerate(pings)]
    assert is_flow_tick(window, switch_baseline([], CFG), CFG) is qualifies


@pytest.mark.parametrize(
    "history_switches, switches, qualifies",
    [
        ([1, 1, 1], 1, True),
        ([1, 1, 1], 4, True),  # the floor of 4
        ([1, 1, 1], 5, False),
        ([6, 6, 6], 7, True),  # the pace plus one spread
        ([6, 6, 6], 8, False),  # never flow at 8+ switches, whatever the person's pace
        ([10, 10, 10], 9, False),
    ],
)
def test_flow_needs_switches_within_a_spread_of_the_persons_pace(history_switches, switches, qualifies):
    history = [ping(at(2.5 * i), activity="active", app_switches=s) for i, s in enumerate(history_switches * 2)]
    baseline = switch_baseline(history, CFG)
    window = [ping(at(10), activity="active", app_switches=switches)]
    assert is_flow_tick(window, baseline, CFG) is qualifies


@pytest.mark.parametrize(
    "switches, expected",
    [
        ([], 4.0),
        ([1] * 5, 4.0),  # five readings are too few
        ([1, 2, 9, 1, 2, 9], 2.0),
        ([1, 2, 3, 10, 1, 2, 3, 10], 2.5),
        ([0] * 6, 0.0),
    ],
)
def test_the_switch_baseline_is_the_median_once_there_is_history(switches, expected):
    history = [ping(at(3 * i), app_switches=s) for i, s in enumerate(switches)]
    history.append(ping(at(50), activity="active"))  # pings without a switch count are ignored
    assert switch_baseline(history, CFG) == expected


def test_the_switch_baseline_needs_readings_spanning_two_ticks():
    """A rolling counter's readings a minute apart overlap: six of them in five minutes are one sample."""
    history = [ping(at(i), app_switches=1) for i in range(6)]
    assert switch_baseline(history, CFG) == 4.0
    assert switch_baseline([*history, ping(at(10), app_switches=1)], CFG) == 1.0


def test_in_flow_only_silence_until_long_flow():
    session = Session(CFG)  # check_in on: it is held back, not sent
    decisions = session.run(17, QUIET)
    assert session.sent() == []
    assert [reason_of(d) for d in decisions[2:]] == ["in_flow"] * 15
    assert any("check-in" in d.content["detail"] for d in decisions)


@pytest.mark.parametrize(
    "breaker, words",
    [
        ({"activity": "idle"}, "idle"),
        ({"activity": "away"}, "away"),
        ({"activity": "active", "app_switches": 11}, "11 app switches"),
        ({"activity": "active", "app_switches": 2, "focus": 0.2}, "20%"),
    ],
)
def test_flow_ends_on_idle_away_a_burst_or_low_focus(breaker, words):
    session = Session(NO_CHECK_IN)
    session.run(4, QUIET)
    decision = session.tick(breaker)
    assert detection_types(decision)[0] == "flow_end"
    flow_end = decision.detections[0]
    assert flow_end.content["flow_minutes"] == 20.0
    assert words in flow_end.content["reason"]
    assert decision.content["reason"] != "in_flow"


@pytest.mark.parametrize(
    "small_change",
    [
        {"activity": "active", "app_switches": 5},
        {"activity": "active", "app_switches": 7},
        {"activity": "active", "app_switches": 2, "focus": 0.4},
        {"activity": "active"},
    ],
)
def test_a_small_change_does_not_end_flow(small_change):
    session = Session(NO_CHECK_IN)
    session.run(3, QUIET)
    decision = session.tick(small_change)
    assert decision.detections == ()
    assert decision.content["reason"] == "in_flow"


def test_flow_ends_after_two_ticks_without_any_signal():
    session = Session(NO_CHECK_IN)
    session.run(3, QUIET)
    assert session.tick().content["reason"] == "in_flow"
    decision = session.tick()
    assert detection_types(decision) == ["flow_end"]
    assert decision.detections[0].content["flow_minutes"] == 20.0


def test_flow_minutes_count_nominal_ticks_in_a_compressed_session():
    session = Session(replace(NO_CHECK_IN, tick_seconds=10, min_gap_seconds=10))
    session.run(6, QUIET)
    decision = session.tick({"activity": "away"})
    assert decision.detections[0].content["flow_minutes"] == 6 * NOMINAL_TICK_MINUTES


@pytest.mark.parametrize(
    "window, expected",
    [
        ([{"activity": "idle"}], "idle"),
        ([{"activity": "away"}], "away"),
        ([{"activity": "idle"}, {"activity": "active"}], None),  # came back within the tick
        ([{"activity": "active", "app_switches": 6}], "6 app switches"),  # max(4, 2.6 x 2, 2 + 3 spreads of 1)
        ([{"activity": "active", "app_switches": 5}], None),
        ([{"activity": "active", "app_switches": 9}, {"app_switches": 2}, {"app_switches": 3}], None),  # the median
        ([{"focus": 0.3}], "30%"),
        ([{"focus": 0.35}], None),
    ],
)
def test_what_ends_flow(window, expected):
    pings = [ping(at(i), **fields) for i, fields in enumerate(window)]
    reason = flow_break_reason(pings, 2.0, CFG)
    assert (reason is None) if expected is None else (expected in reason)


# --------------------------------------------------------------------------- long flow


def test_long_flow_gets_one_micro_break_at_the_next_breakpoint():
    session = Session(NO_CHECK_IN)
    session.run(17, QUIET)
    decision = session.tick(QUIET, SMALL_BURST)  # 18 ticks = 90 minutes, and a breakpoint
    assert decision.event_type == "break"
    assert decision.content["kind"] == "micro_break"
    assert decision.content["break_minutes"] == 5
    assert "90 minutes" in decision.content["reason"]
    session.run(30, QUIET)
    assert session.sent() == [(18, "micro_break")]


def test_long_flow_break_waits_for_a_breakpoint_at_most_two_ticks():
    session = Session(NO_CHECK_IN)
    session.run(20, QUIET)
    assert [reason_of(d) for d in session.decisions[17:20]] == [
        "waiting_for_breakpoint",
        "waiting_for_breakpoint",
        "micro_break",
    ]


@pytest.mark.parametrize("long_flow_ticks", [6, 18])
def test_long_flow_follows_the_configured_length(long_flow_ticks):
    session = Session(replace(NO_CHECK_IN, long_flow_ticks=long_flow_ticks, breakpoint_defer_ticks=0))
    session.run(long_flow_ticks + 3, QUIET)
    assert session.sent() == [(long_flow_ticks, "micro_break")]


def test_in_flow_a_stress_rise_still_gets_a_recovery_break_at_once():
    start = RhythmValues(stress=0.3, fatigue=0.4)
    session = Session(NO_CHECK_IN, rhythm_at_start=start)
    session.run(4, QUIET)
    decision = session.tick(QUIET, rhythm=RhythmValues(stress=0.5, fatigue=0.4))
    assert decision.event_type == "break"
    assert decision.content["kind"] == "recovery_break"
    assert decision.content["reason"] == "Your stress is up from 30% to 50% since you started."


def test_out_of_flow_wrap_up_waits_for_a_breakpoint_only_until_the_estimate():
    session = Session(NO_CHECK_IN, estimated_minutes=60)
    session.run(10, WORK)
    assert session.tick(WORK).content["reason"] == "waiting_for_breakpoint"  # 55 minutes
    decision = session.tick(WORK)  # 60 minutes
    assert decision.event_type == "nudge" and decision.content["kind"] == "wrap_up"


def test_in_flow_wrap_up_waits_until_the_estimate_is_reached():
    session = Session(NO_CHECK_IN, estimated_minutes=60)
    decisions = session.run(11, QUIET)  # tick 11 = 55 minutes: wrap-up due but held
    assert decisions[-1].content["reason"] == "in_flow"
    assert "wrap-up" in decisions[-1].content["detail"]
    decision = session.tick(QUIET, SMALL_BURST)  # 60 minutes, at a breakpoint
    assert decision.event_type == "nudge"
    assert decision.content["kind"] == "wrap_up"
    assert decision.content["reason"] == "You've reached your 60-minute estimate."


# --------------------------------------------------------------------------- distraction


@pytest.mark.parametrize(
    "usual, high, distracted",
    [
        (3, 8, False),
        (3, 9, True),  # 18 in two windows: 1 in 1,000 at an upper bound on 6 (2.6 x 6 = 15.6)
        (3, 14, True),
        (2, 6, False),
        (2, 7, True),  # 14 in two windows: 1 in 1,000 at an upper bound on 4 (2.6 x 4 = 10.4)
        (6, 15, False),
        (6, 16, True),  # 2.6 x 12 = 31.2
        (7, 18, False),
        (7, 19, True),
    ],
)
def test_distraction_needs_a_sustained_run_well_above_the_persons_pace(usual, high, distracted):
    """A rolling counter's readings a tick apart count disjoint windows: two windows at ``high``
    against the rate of the twenty minutes before them."""
    session = Session(NO_CHECK_IN)
    session.run(4, {"app_switches": usual}, {"app_switches": usual})  # eight readings over twenty minutes
    first = session.tick({"app_switches": high}, {"app_switches": high})
    assert "distraction" not in detection_types(first)  # under five minutes is not sustained
    second = session.tick({"app_switches": high}, {"app_switches": high})
    assert ("distraction" in detection_types(second)) is distracted
    if distracted:
        (detection,) = [d for d in second.detections if d.event_type == "distraction"]
        tick = timedelta(seconds=CFG.tick_seconds)
        assert detection.content["reason"] == f"You've switched apps {2 * high} times in 10 minutes."
        # the window of a high reading: as high as the rest, so all of it
        assert detection.content["since"] in {(p.at - tick).isoformat() for p in session.pings[-4:-2]}
        assert max(4, 2.6 * usual) - 0.05 <= detection.content["threshold"] <= high


def test_one_burst_is_not_sustained():
    """A burst lifts a rolling count for less than a tick period: readings at twice the rate must
    span one, or two windows run above it."""
    session = Session(NO_CHECK_IN)
    session.run(4, {"app_switches": 3}, {"app_switches": 3})
    burst = session.tick({"app_switches": 3}, {"app_switches": 16}, {"app_switches": 14})
    assert "distraction" not in detection_types(burst)
    assert "distraction" not in detection_types(session.tick({"app_switches": 3}, {"app_switches": 3}))


@pytest.mark.parametrize("median, expected", [(0, 4), (3, 7.8), (4, 10.4), (4.5, 11.7), (7, 18.2)])
def test_the_distraction_threshold(median, expected):
    assert distraction_threshold(median, CFG) == pytest.approx(expected)


def test_no_switch_count_is_a_distraction_before_the_persons_pace_is_known():
    """Issue 11: until a session had three readings the threshold was 8, an ordinary pace for
    people who switch a lot; now a first session waits for its own readings, and a person's
    norm from earlier sessions is known from the first tick."""
    high = ({"app_switches": 9}, {"app_switches": 9})
    session = Session(NO_CHECK_IN)
    session.run(3, *high)
    assert session.detected("distraction") == []
    norms = PersonNorms(app_switches=Norm(median=2.0, mad=1.0, count=40))
    known = Session(NO_CHECK_IN)
    known.tick(*high, norms=norms)
    assert "distraction" in detection_types(known.tick(*high, norms=norms))


def per_ping(switches: int, **fields) -> dict:
    """A ping from a client whose count is the switches since its previous ping, and says so."""
    return {"activity": "active", "app_switches": switches, "app_switches_counter": "since_last_ping", **fields}


def test_a_per_ping_counter_is_read_by_its_switches_over_the_time_they_cover():
    """Issue 11: a client counting since its last ping sends small counts (1 every 2.5 minutes at
    2 switches / 5 min); a distraction at 5 x is 5 a ping. Read as counts over the time they
    cover, it is found, and its episode begins at the ping before its first high count."""
    session = Session(NO_CHECK_IN)
    session.run(4, per_ping(1), per_ping(1))  # the person's own rate: 8 readings over 20 minutes
    assert "distraction" not in detection_types(session.tick(per_ping(1), per_ping(5)))  # one burst
    decision = session.tick(per_ping(5), per_ping(5))
    (detection,) = [d for d in decision.detections if d.event_type == "distraction"]
    assert detection.content["since"] == session.pings[-4].at.isoformat()  # the ping before the first 5
    assert detection.content["reason"] == "You've switched apps 15 times in 7 minutes."
    assert decision.event_type == "nudge" and decision.content["kind"] == "refocus"


def test_a_moment_of_thought_counts_toward_the_persons_rate():
    """One idle reading among active ones is a moment of thought: its count covers its minutes
    like any other, so the person's rate is known after twenty minutes however many such readings
    there are (left out, half of them here, it was known only after forty)."""
    session = Session(NO_CHECK_IN)
    session.run(4, per_ping(1), per_ping(1, activity="idle"))
    session.tick(per_ping(1), per_ping(5))
    session.tick(per_ping(5), per_ping(5))
    assert session.detected("distraction") == [6]


def test_a_per_ping_counters_ordinary_counts_are_not_a_distraction():
    session = Session(NO_CHECK_IN)
    for n in range(16):  # 0-3 a ping around a rate of 1.5: Poisson-like noise, including a 3, 3
        session.tick(per_ping((0, 2, 1, 3, 3, 1, 0, 2)[n % 8]), per_ping((1, 2, 0, 1)[n % 4]))
    assert session.detected("distraction") == []


def test_a_per_ping_counter_waits_for_the_persons_own_rate():
    session = Session(NO_CHECK_IN)
    session.tick(per_ping(1), per_ping(1))
    session.tick(per_ping(9), per_ping(9))
    assert session.detected("distraction") == []  # three readings over ten minutes: no rate yet


def test_the_pages_own_pings_count_since_the_last_one_and_other_clients_say_nothing():
    def detected(**fields) -> list[int]:
        session = Session(NO_CHECK_IN)
        session.run(
            5, {"activity": "active", "app_switches": 0, **fields}, {"activity": "active", "app_switches": 1, **fields}
        )
        session.run(
            2, {"activity": "active", "app_switches": 3, **fields}, {"activity": "active", "app_switches": 3, **fields}
        )
        return session.detected("distraction")

    # 3 a ping against half a switch a ping: 12 in ten minutes where 2 are usual, a distraction
    # counted since the last ping; under the floor of 4 for a rolling 5-minute count.
    counted = detected(app_switches_counter="since_last_ping")
    assert counted and detected(source="page") == counted
    assert detected() == [] and detected(app_switches_counter="last_5_minutes") == []


def test_one_distraction_per_episode():
    session = Session(NO_CHECK_IN)
    session.run(4, WORK, WORK)
    session.run(4, {"app_switches": 14}, {"app_switches": 14})
    assert session.detected("distraction") == [6]
    session.run(5, WORK, WORK)  # the episode ends; the median settles back at 3
    session.run(2, {"app_switches": 14}, {"app_switches": 14})
    assert session.detected("distraction") == [6, 15]


@pytest.mark.parametrize(
    "signal_ping, signal",
    [
        ({"activity": "idle"}, None),  # reading or thinking: quiet work
        ({"activity": "away"}, None),  # a break taken on one's own
        ({"app_switches": 3, "focus": 0.3}, "low_focus"),
        ({"app_switches": 3, "focus": 0.0}, "low_focus"),
        ({"app_switches": 3, "focus": 0.31}, None),
        ({"activity": "active", "app_switches": 3}, None),
    ],
)
def test_low_focus_is_a_distraction_at_once_and_idle_or_away_never(signal_ping, signal):
    session = Session(NO_CHECK_IN)
    session.run(2, WORK)
    decision = session.tick(signal_ping)
    found = [d for d in decision.detections if d.event_type == "distraction"]
    if signal is None:
        assert found == []
    else:
        assert found[0].content["signal"] == signal
        assert found[0].content["reason"]


def test_a_distraction_gets_a_refocus_at_once():
    session = Session(NO_CHECK_IN)
    session.run(2, WORK)
    decision = session.tick({"app_switches": 3, "focus": 0.2})
    assert decision.event_type == "nudge"
    assert decision.content["kind"] == "refocus"
    assert decision.content["reason"] == "You rated your focus at 20%."


def test_a_refocus_held_by_backoff_goes_at_the_next_allowed_slot():
    session = Session(NO_CHECK_IN)
    session.run(2, WORK)
    session.nudges_sent, session.last_nudge_at = 1, T0 + session.step * 3 - timedelta(seconds=120)
    held = session.tick({"app_switches": 3, "focus": 0.2})
    assert held.event_type == "tick" and held.content["reason"] == "backoff"
    assert "refocus" in held.content["detail"]
    sent = session.tick({"app_switches": 3, "focus": 0.25})
    assert sent.event_type == "nudge" and sent.content["kind"] == "refocus"
    assert sent.content["reason"] == "You rated your focus at 25%."


def test_no_refocus_once_the_person_is_back_on_task():
    session = Session(NO_CHECK_IN)
    session.run(2, WORK)
    session.nudges_sent, session.last_nudge_at = 1, T0 + session.step * 3 - timedelta(seconds=120)
    session.tick({"app_switches": 3, "focus": 0.1})
    session.run(4, WORK)
    assert session.sent() == []


# --------------------------------------------------------------------------- stress and fatigue


def _stress(
    start=None, now=None, ping_stress=None, start_fatigue=None, now_fatigue=None, ping_fatigue=None, early_pings=()
):
    window = [ping(at(20), stress=ping_stress, fatigue=ping_fatigue)]
    return stress_trigger(
        window=window,
        pings=[*early_pings, *window],
        rhythm_now=RhythmValues(stress=now, fatigue=now_fatigue),
        rhythm_at_start=RhythmValues(stress=start, fatigue=start_fatigue),
        started_at=T0,
        config=CFG,
    )


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        (dict(start=0.30, now=0.45), "Your stress is up from 30% to 45% since you started."),  # exactly +0.15
        (dict(start=0.10, now=0.25), "Your stress is up from 10% to 25% since you started."),
        (dict(start=0.30, now=0.44), None),
        # When pings carry stress, the session's own first readings are the start (three of
        # them), never the rhythm snapshot, which for a new person is the model's default.
        (dict(start=0.30, now=0.30, ping_stress=0.45), None),
        (dict(start=0.30, now=0.60, ping_stress=0.40), None),
        (dict(start=0.50, now=0.20), None),
        (dict(start=0.79, now=0.79), None),
        (dict(start=0.80, now=0.80), None),  # high from the start: only a further rise says something
        (dict(start=0.60, now=0.80), "Your stress is at 80%."),  # high, no rise
        (dict(start=0.20, ping_stress=0.90), "Your stress is at 90%."),
        (dict(start_fatigue=0.85, now_fatigue=0.80), None),  # an exhausted starter knew
        (dict(start_fatigue=0.60, now_fatigue=0.80), "Your tiredness is at 80%."),
        (dict(start_fatigue=0.50, now_fatigue=0.79), "Your tiredness is up from 50% to 79% since you started."),
        (dict(start_fatigue=0.50, now_fatigue=0.64), None),
        (dict(), None),
        (dict(now=0.7), None),  # no start value
    ],
)
def test_stress_and_fatigue_triggers(kwargs, expected):
    assert _stress(**kwargs) == expected


def test_the_sessions_first_pinged_stress_readings_are_the_baseline_and_one_reading_is_noise():
    early = [ping(at(1 + i), stress=0.2) for i in range(3)]
    risen = [*early, ping(at(15), stress=0.35)]
    assert _stress(ping_stress=0.35, early_pings=risen) == "Your stress is up from 20% to 35% since you started."
    assert _stress(ping_stress=0.34, early_pings=risen) is None
    assert _stress(ping_stress=0.9, early_pings=early) is None  # one reading: the median of three holds


@pytest.mark.parametrize(
    "baseline_readings, expected", [(5, None), (3, "Your stress is up from 42% to 57% since you started.")]
)
def test_the_sessions_start_rests_on_its_first_five_readings(baseline_readings, expected):
    """Issue 11 (held-out seeds): a new person whose usual stress is about 0.5 began a little
    calmer (0.42, 0.44, 0.42). Read from those three, their ordinary 0.57 was a rise; the first
    five say 0.44, and it is not."""
    readings = [ping(at(1 + i), stress=v) for i, v in enumerate((0.42, 0.44, 0.42, 0.5, 0.48, 0.57, 0.57))]
    window = [ping(at(20), stress=0.57)]
    config = replace(CFG, stress_baseline_readings=baseline_readings)
    found = stress_trigger(
        window=window,
        pings=[*readings, *window],
        rhythm_now=RhythmValues(),
        rhythm_at_start=RhythmValues(),
        started_at=T0,
        config=config,
    )
    assert found == expected


def _heart(early_hrv=(), later_hrv=(), early_hr=(), later_hr=()):
    pings = [ping(at(1 + i), hrv_ms=v) for i, v in enumerate(early_hrv)]
    pings += [ping(at(1 + i), heart_rate=v) for i, v in enumerate(early_hr)]
    pings += [ping(at(20 + i), hrv_ms=v) for i, v in enumerate(later_hrv)]
    pings += [ping(at(20 + i), heart_rate=v) for i, v in enumerate(later_hr)]
    return sorted(pings, key=lambda p: p.at)


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        (dict(early_hrv=(60, 62, 58), later_hrv=(40, 41)), True),
        (dict(early_hrv=(60, 62, 58), later_hrv=(40,)), False),  # needs 2 low pings
        (dict(early_hrv=(60, 62, 58), later_hrv=(40, 60)), False),  # the latest is normal again
        (dict(early_hrv=(60, 62), later_hrv=(40, 41)), False),  # baseline needs 3 readings
        (dict(early_hrv=(60, 62, 58), later_hrv=(59, 61)), False),
        (dict(early_hr=(70, 72, 68), later_hr=(90, 92)), True),  # heart rate above mean + 1 SD
        (dict(early_hr=(70, 72, 68), later_hr=(71, 92)), False),
        (dict(), False),
    ],
)
def test_heart_signals_against_the_sessions_own_early_baseline(kwargs, expected):
    assert hrv_corroborates(_heart(**kwargs), T0, CFG) is expected


def test_low_hrv_alone_never_triggers_a_recovery_break():
    session = Session(NO_CHECK_IN, rhythm_at_start=RhythmValues(stress=0.3, fatigue=0.3))
    session.tick(*({"app_switches": 3, "hrv_ms": v} for v in (60, 62, 58)))
    session.run(8, {"app_switches": 3, "hrv_ms": 25, "heart_rate": 120})
    assert hrv_corroborates(session.pings, T0, CFG)
    assert session.sent() == []


def test_heart_signals_only_add_to_the_reason_of_a_stress_rise():
    early = _heart(early_hrv=(60, 62, 58), later_hrv=(40, 41))
    assert _stress(start=0.3, now=0.5, early_pings=early) == (
        "Your stress is up from 30% to 50% since you started, and your heart signals point the same way."
    )


@pytest.mark.parametrize(
    "fatigue, minutes",
    [
        (None, 5),
        (0.0, 5),
        (0.3, 5),
        (0.4, 5),
        (0.45, 8),
        (0.5, 10),
        (0.55, 13),
        (0.65, 18),
        (0.8, 25),
        (0.9, 30),
        (1.0, 30),
        (float("nan"), 5),
    ],
)
def test_recovery_break_length_grows_with_fatigue_from_5_to_30_minutes(fatigue, minutes):
    assert recovery_break_minutes(fatigue, CFG) == minutes


@pytest.mark.parametrize("fatigue, minutes", [(0.4, 5), (0.9, 30), (None, 5)])
def test_a_recovery_break_does_not_wait_for_a_breakpoint(fatigue, minutes):
    session = Session(NO_CHECK_IN, rhythm_at_start=RhythmValues(stress=0.3, fatigue=0.3))
    session.run(3, WORK)
    decision = session.tick(WORK, rhythm=RhythmValues(stress=0.85, fatigue=fatigue))
    assert decision.event_type == "break"
    assert decision.content["kind"] == "recovery_break"
    assert decision.content["break_minutes"] == minutes
    assert decision.content["tone"] == "micro"


def test_a_persistent_stress_rise_gets_one_recovery_break_until_it_falls_back_or_rises_further():
    config = replace(NO_CHECK_IN, micro_break_after_ticks=10_000)
    session = Session(config, rhythm_at_start=RhythmValues(stress=0.3, fatigue=0.3))
    session.tick(WORK)
    session.run(40, WORK, rhythm=RhythmValues(stress=0.6, fatigue=0.3))
    assert session.sent() == [(2, "recovery_break")]
    session.run(2, WORK, rhythm=RhythmValues(stress=0.35, fatigue=0.3))  # back within half a rise
    session.run(8, WORK, rhythm=RhythmValues(stress=0.6, fatigue=0.3))
    assert session.sent() == [(2, "recovery_break"), (44, "recovery_break")]


# --------------------------------------------------------------------------- regular nudges


# A burst at twice the pace (the floor of 4 while it is not known); at 7 against 3 the two of them
# five minutes apart are 14 switches in ten minutes, not a distraction (2.6 x 6 = 15.6).
@pytest.mark.parametrize("after, switches", [(4, 9), (10, 7)])
def test_micro_break_after_the_configured_stretch_of_non_flow_work(after, switches):
    session = Session(replace(NO_CHECK_IN, micro_break_after_ticks=after))
    burst = {"app_switches": switches}
    session.run(after - 2, WORK)
    assert session.tick(WORK, burst).content["reason"] == "nothing_to_say"  # a breakpoint, but too early
    decision = session.tick(WORK, WORK, WORK, burst)  # a breakpoint again
    assert decision.event_type == "break"
    assert decision.content["kind"] == "micro_break"
    assert decision.content["break_minutes"] == 3
    assert decision.content["reason"] == f"You've worked about {after * 5} minutes without a break."


def test_flow_time_does_not_count_toward_the_micro_break():
    session = Session(replace(NO_CHECK_IN, breakpoint_defer_ticks=0))
    session.run(12, QUIET)  # flow from tick 3 on: only ticks 1-2 count as non-flow work
    assert session.sent() == []


def test_stepping_away_resets_the_work_stretch():
    session = Session(replace(NO_CHECK_IN, breakpoint_defer_ticks=0))
    session.run(6, WORK)
    session.tick({"activity": "away"})
    session.run(12, WORK)
    assert session.sent() == [(17, "micro_break")]  # stepping away is a break, not a distraction


@pytest.mark.parametrize("defer, sent_at", [(0, 4), (1, 5), (2, 6), (3, 7)])
def test_a_non_urgent_nudge_waits_for_a_breakpoint_at_most_breakpoint_defer_ticks(defer, sent_at):
    session = Session(replace(NO_CHECK_IN, micro_break_after_ticks=4, breakpoint_defer_ticks=defer))
    session.run(8, WORK)
    assert session.sent() == [(sent_at, "micro_break")]
    assert [reason_of(d) for d in session.decisions[3 : sent_at - 1]] == ["waiting_for_breakpoint"] * defer


def test_without_any_activity_signal_nothing_waits_for_a_breakpoint():
    session = Session(replace(NO_CHECK_IN, micro_break_after_ticks=4))
    session.run(5, {"stress": 0.3})
    assert session.sent() == [(4, "micro_break")]


def test_after_a_suggested_break_the_person_is_left_alone_for_its_length():
    session = Session(replace(NO_CHECK_IN, micro_break_after_ticks=4, breakpoint_defer_ticks=0))
    session.run(4, WORK)
    assert session.sent() == [(4, "micro_break")]
    on_break = session.tick({"activity": "idle"})  # idle during the break is expected, not a distraction
    assert on_break.content["reason"] == "on_break"
    assert on_break.detections == ()
    assert session.tick(WORK).content["reason"] == "nothing_to_say"


def test_a_long_recovery_break_keeps_the_session_quiet_for_its_length():
    session = Session(NO_CHECK_IN, rhythm_at_start=RhythmValues(stress=0.3, fatigue=0.3))
    session.tick(WORK)
    decision = session.tick(WORK, rhythm=RhythmValues(stress=0.9, fatigue=0.9))
    assert decision.content["break_minutes"] == 30
    quiet = session.run(6, {"activity": "away"}, rhythm=RhythmValues(stress=0.3, fatigue=0.3))
    assert [d.content["reason"] for d in quiet] == ["on_break"] * 6


@pytest.mark.parametrize(
    "now, expected",
    [
        (at(55, -1), None),
        (at(55), "You're about 5 minutes from your 60-minute estimate."),
        (at(57), "You're about 3 minutes from your 60-minute estimate."),
        (at(59, 30), "You're about 1 minute from your 60-minute estimate."),
        (at(60), "You've reached your 60-minute estimate."),
        (at(95), "You've reached your 60-minute estimate."),
    ],
)
def test_wrap_up_from_five_minutes_before_the_estimate(now, expected):
    ctx = make_ctx(now=now, tick_number=12, estimated_minutes=60, nudges_sent=4, last_nudge_at=at(30))
    decision = decide(ctx, CFG)
    if expected is None:
        assert decision.content == {"reason": "nothing_to_say", "detail": "Nothing needs saying right now."}
    else:
        assert decision.event_type == "nudge"
        assert decision.content["kind"] == "wrap_up"
        assert decision.content["reason"] == expected


@pytest.mark.parametrize(
    "overrides",
    [
        dict(last_sent_by_kind={"wrap_up": at(50)}),
        dict(state={"wrap_up_sent": True}),
        dict(estimated_minutes=0),
        dict(estimated_minutes=-10),
    ],
)
def test_wrap_up_is_sent_once_and_only_with_an_estimate(overrides):
    ctx = make_ctx(
        **{**dict(now=at(70), tick_number=14, estimated_minutes=60, nudges_sent=4, last_nudge_at=at(50)), **overrides}
    )
    assert decide(ctx, CFG).event_type == "tick"


@pytest.mark.parametrize("seconds, sent", [(109, False), (110, True)])
def test_wrap_up_timing_is_counted_in_ticks_in_a_compressed_session(seconds, sent):
    config = replace(CFG, tick_seconds=10, min_gap_seconds=10)
    ctx = make_ctx(now=at(0, seconds), tick_number=11, estimated_minutes=60, nudges_sent=4, last_nudge_at=at(0, 50))
    decision = decide(ctx, config)
    assert (decision.event_type == "nudge" and decision.content["kind"] == "wrap_up") is sent


@pytest.mark.parametrize(
    "overrides, expected",
    [
        (dict(now=at(30)), "It's been about 30 minutes since you started."),
        (dict(now=at(30, -1)), None),
        (dict(now=at(70), nudges_sent=2, last_nudge_at=at(40)), "It's been about 30 minutes since the last nudge."),
        (dict(now=at(69), nudges_sent=2, last_nudge_at=at(40)), None),
        (dict(now=at(90), nudges_sent=3, last_nudge_at=at(40)), "It's been about 50 minutes since the last nudge."),
        (dict(now=at(90), nudges_sent=4, last_nudge_at=at(40)), None),  # the soft target of 4 is reached
    ],
)
def test_an_occasional_check_in_after_30_quiet_minutes(overrides, expected):
    decision = decide(make_ctx(tick_number=7, **overrides), CFG)
    if expected is None:
        assert decision.content["reason"] == "nothing_to_say"
    else:
        assert decision.event_type == "nudge"
        assert decision.content["kind"] == "check_in"
        assert decision.content["reason"] == expected


@pytest.mark.parametrize(
    "minutes_since_same_kind, sent_before, allowed",
    [
        (10, 0, True),
        (10, 1, True),
        (9 + 59 / 60, 1, False),
        (6, 1, False),
        (20, 2, True),
        (19 + 59 / 60, 2, False),
        (10, 2, False),
    ],  # after 2 of a kind: spacing doubles
)
def test_a_new_distractions_refocus_waits_its_own_spacing(minutes_since_same_kind, sent_before, allowed):
    """A refocus answers its own episode, so it is spaced 2 ticks (10 minutes) from the last one,
    not the 30 minutes of other kinds (test_check_ins_space_out_after_two): an early false alarm's
    refocus does not silence a real distraction's."""
    now = at(120)
    last = now - timedelta(minutes=minutes_since_same_kind)
    pending_refocus = {
        "distraction_active": True,
        "refocus_pending": True,
        "refocus_reason": "You stepped away during the session.",
        "sent_counts": {"refocus": sent_before},
    }
    ctx = make_ctx(
        now=now,
        tick_number=25,
        estimated_minutes=600,
        nudges_sent=sent_before,
        last_nudge_at=last,
        last_sent_by_kind={"refocus": last},
        state=pending_refocus,
    )
    decision = decide(ctx, NO_CHECK_IN)
    if allowed:
        assert decision.event_type == "nudge" and decision.content["kind"] == "refocus"
    else:
        assert decision.content["reason"] == "same_kind_spacing"
        assert "refocus" in decision.content["detail"]


@pytest.mark.parametrize("minutes_since, sent_before, allowed", [(60, 2, True), (59, 2, False), (30, 1, True)])
def test_check_ins_space_out_after_two(minutes_since, sent_before, allowed):
    now = at(200)
    last = now - timedelta(minutes=minutes_since)
    ctx = make_ctx(
        now=now,
        tick_number=40,
        estimated_minutes=600,
        nudges_sent=sent_before,
        last_nudge_at=last,
        last_sent_by_kind={"check_in": last},
        state={"sent_counts": {"check_in": sent_before}},
    )
    decision = decide(ctx, CFG)
    assert reason_of(decision) == ("check_in" if allowed else "same_kind_spacing")


def test_a_spaced_out_kind_gives_way_to_the_next_one():
    ctx = make_ctx(
        now=at(120),
        tick_number=25,
        nudges_sent=1,
        last_nudge_at=at(100),
        last_sent_by_kind={"recovery_break": at(100)},
        rhythm_now=RhythmValues(stress=0.9),
        estimated_minutes=120,
    )
    decision = decide(ctx, CFG)
    assert decision.event_type == "nudge" and decision.content["kind"] == "wrap_up"


def test_a_busy_session_of_its_estimated_length_stays_within_four_nudges():
    session = Session(CFG, estimated_minutes=120)
    session.run(24, *BUSY)
    kinds = [kind for _, kind in session.sent()]
    assert 1 <= len(kinds) <= 4
    assert kinds.count("wrap_up") == 1
    assert "micro_break" in kinds


# --------------------------------------------------------------------------- guardrails inside decide


def _urgent_ctx(**overrides):
    return make_ctx(**{**dict(now=at(25), tick_number=5, rhythm_now=RhythmValues(stress=0.9)), **overrides})


@pytest.mark.parametrize(
    "config, overrides, expected",
    [
        (CFG, dict(), "recovery_break"),
        (CFG, dict(nudges_sent=1, last_nudge_at=at(20)), "recovery_break"),  # exactly the min gap
        (CFG, dict(nudges_sent=1, last_nudge_at=at(20, 1)), "backoff"),  # 1 s before it
        (CFG, dict(nudges_sent=7, last_nudge_at=at(0)), "recovery_break"),  # the 8th is allowed
        (CFG, dict(nudges_sent=8, last_nudge_at=at(0)), "cap"),  # the 9th is not
        (CFG, dict(nudges_sent=8, last_nudge_at=at(24)), "cap"),
        (replace(CFG, min_gap_seconds=600), dict(nudges_sent=1, last_nudge_at=at(15)), "recovery_break"),
        (replace(CFG, min_gap_seconds=600), dict(nudges_sent=1, last_nudge_at=at(15, 1)), "backoff"),
        (replace(CFG, max_nudges=3), dict(nudges_sent=2, last_nudge_at=at(0)), "recovery_break"),
        (replace(CFG, max_nudges=3), dict(nudges_sent=3, last_nudge_at=at(0)), "cap"),
        (replace(CFG, max_nudges=0), dict(), "cap"),
        (CFG, dict(ended=True), "session_ended"),
    ],
)
def test_guardrails_hold_inside_decide(config, overrides, expected):
    decision = decide(_urgent_ctx(**overrides), config)
    assert reason_of(decision) == expected
    if decision.event_type == "tick":
        assert decision.content["detail"]
    if expected in ("backoff", "cap"):
        assert "recovery break" in decision.content["detail"]


def test_a_held_back_nudge_does_not_use_up_its_breakpoint_wait():
    config = replace(NO_CHECK_IN, micro_break_after_ticks=4)
    session = Session(config)
    session.run(3, WORK)
    session.nudges_sent, session.last_nudge_at = 8, T0
    assert [reason_of(d) for d in session.run(3, WORK)] == ["cap"] * 3
    session.nudges_sent = 1
    assert [reason_of(d) for d in session.run(3, WORK)] == [
        "waiting_for_breakpoint",
        "waiting_for_breakpoint",
        "micro_break",
    ]


# --------------------------------------------------------------------------- breakpoints


@pytest.mark.parametrize(
    "readings, expected",
    [
        ([("active", None), ("idle", None)], "went_idle"),
        ([("away", None), ("active", None)], "back_from_away"),
        ([("away", None), ("idle", None)], "back_from_away"),
        ([("active", None), ("active", None)], None),
        ([("idle", None), ("idle", None)], None),
        ([("active", None), ("away", None)], None),
        ([(None, 2), (None, 2), (None, 2), (None, 5)], "switch_burst"),  # burst after a quiet run
        ([(None, 2), (None, 2), (None, 2), (None, 3)], None),  # not a burst
        ([(None, 2), (None, 6), (None, 2), (None, 5)], None),  # the run was not quiet
        ([(None, 2), (None, 2), (None, 5)], None),  # the run was too short
        ([], None),
    ],
)
def test_breakpoints(readings, expected):
    pings = [ping(at(i), activity=a, app_switches=s) for i, (a, s) in enumerate(readings)]
    assert detect_breakpoint(pings, at(0, -1), 2.0, CFG) == expected


def test_a_breakpoint_must_be_in_this_ticks_pings():
    pings = [ping(at(1), activity="active"), ping(at(2), activity="idle")]
    assert detect_breakpoint(pings, at(2), 2.0, CFG) is None
    assert detect_breakpoint(pings, at(1, 59), 2.0, CFG) == "went_idle"


# --------------------------------------------------------------------------- robustness


@pytest.mark.parametrize(
    "state",
    [
        {},
        {"flow_streak": "x", "in_flow": "yes", "work_ticks": -3},
        {"last_tick_at": "not a date"},
        {"last_tick_at": 12},
        {"sent_counts": {"bogus": 3, "check_in": "2"}},
        {"sent_counts": []},
        {"refocus_pending": True, "refocus_reason": None},
        {"unknown": {"nested": [1, 2]}},
    ],
)
def test_a_damaged_state_is_ignored_field_by_field(state):
    pings = (ping(at(8), activity="active", app_switches=2),)
    decision = decide(make_ctx(state=state, pings=pings), CFG)
    assert decision.event_type == "tick"
    assert decision.content["reason"] in TICK_REASONS
    json.dumps(decision.state)


def test_naive_and_unordered_pings_are_taken_as_utc_in_time_order():
    pings = (
        ping(at(9).replace(tzinfo=None), activity="active", focus=0.2),
        ping(at(8), activity="active"),
        ping(at(11), activity="active", focus=0.1),
    )  # the last one is in the future: ignored
    session_ctx = make_ctx(
        now=at(10).replace(tzinfo=None), state={"last_tick_at": at(5).isoformat()}, pings=pings, tick_number=3
    )
    decision = decide(session_ctx, CFG)
    assert [(d.event_type, d.content["signal"]) for d in decision.detections] == [("distraction", "low_focus")]
    assert decision.detections[0].content["reason"] == "You rated your focus at 20%."
    assert decision.detections[0].content["since"] == at(9).isoformat()


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -1.0, 7.0])
def test_odd_numbers_in_pings_do_not_break_the_policy(value):
    pings = tuple(
        ping(
            at(6 + i),
            activity="active",
            app_switches=2,
            focus=value,
            stress=value,
            fatigue=value,
            hrv_ms=value,
            heart_rate=value,
        )
        for i in range(3)
    )
    decision = decide(make_ctx(pings=pings, rhythm_now=RhythmValues(stress=value)), CFG)
    assert decision.event_type in ("nudge", "break", "tick")


def test_decimal_rhythm_values_count_like_floats():
    from decimal import Decimal

    ctx = _urgent_ctx(
        rhythm_now=RhythmValues(stress=Decimal("0.50"), fatigue=Decimal("0.90")),
        rhythm_at_start=RhythmValues(stress=Decimal("0.30")),
    )
    decision = decide(ctx, CFG)
    assert decision.content["kind"] == "recovery_break"
    assert decision.content["break_minutes"] == 30
    json.dumps(decision.content)


SCRIPT = (
    [(QUIET,)] * 5
    + [({"activity": "active", "app_switches": 12},)] * 3
    + [(WORK,)] * 4
    + [({"activity": "idle"},), ({"activity": "active", "app_switches": 3},)]
    + [(WORK,)] * 12
    + [({"activity": "active", "app_switches": 3, "focus": 0.2},)]
    + [(WORK, WORK_BURST)] * 3
)


def _script_outcome(tick_seconds: int):
    config = replace(CFG, tick_seconds=tick_seconds, min_gap_seconds=tick_seconds)
    session = Session(config, estimated_minutes=120, rhythm_at_start=RhythmValues(stress=0.3))
    for i, pings in enumerate(SCRIPT):
        session.tick(*pings, rhythm=RhythmValues(stress=0.5 if i == 20 else 0.3))
    return [
        (
            d.event_type,
            reason_of(d),
            d.content.get("reason"),
            d.content.get("break_minutes"),
            [(x.event_type, x.content.get("reason"), x.content.get("flow_minutes")) for x in d.detections],
        )
        for d in session.decisions
    ]


@pytest.mark.parametrize("tick_seconds", [10, 60])
def test_a_time_compressed_session_gets_the_same_decisions(tick_seconds):
    normal = _script_outcome(300)
    assert _script_outcome(tick_seconds) == normal
    assert any(event != "tick" for event, *_ in normal)  # the script does exercise nudges


# --------------------------------------------------------------------------- properties

ACTIVITY = st.sampled_from([None, "active", "idle", "away"])
UNIT = st.one_of(st.none(), st.floats(min_value=0, max_value=1, allow_nan=False))
PING_FIELDS = st.fixed_dictionaries(
    {
        "activity": ACTIVITY,
        "app_switches": st.one_of(st.none(), st.integers(min_value=0, max_value=60)),
        "app_switches_counter": st.sampled_from([None, "last_5_minutes", "since_last_ping"]),
        "source": st.sampled_from([None, "page", "self_report"]),
        "focus": UNIT,
        "energy": UNIT,
        "stress": UNIT,
        "fatigue": UNIT,
        "heart_rate": st.one_of(st.none(), st.integers(min_value=35, max_value=210)),
        "hrv_ms": st.one_of(st.none(), st.floats(min_value=5, max_value=250, allow_nan=False)),
    }
)
RHYTHM = st.builds(RhythmValues, energy=UNIT, stress=UNIT, fatigue=UNIT)
TICK = st.tuples(st.lists(PING_FIELDS, max_size=4), st.one_of(st.none(), RHYTHM))


def _assert_well_formed(decision: Decision, ctx: TickContext, config: PolicyConfig) -> None:
    assert decision.event_type in ("nudge", "break", "tick")
    json.loads(json.dumps(decision.state))
    for detection in decision.detections:
        assert detection.event_type in DETECTION_TYPES
        json.dumps(detection.content)
        assert isinstance(detection.content["reason"], str) and detection.content["reason"]
        if detection.event_type == "distraction":
            assert detection.content["signal"] in DISTRACTION_SIGNALS
        if detection.event_type == "flow_end":
            assert detection.content["flow_minutes"] >= 0
        if detection.event_type == "flow_start":
            datetime.fromisoformat(detection.content["since"])
    if decision.event_type == "tick":
        assert set(decision.content) == {"reason", "detail"}
        assert decision.content["reason"] in TICK_REASONS
        assert isinstance(decision.content["detail"], str) and decision.content["detail"]
        return
    content = decision.content
    assert content["kind"] in ALLOWED_KINDS
    assert (decision.event_type == "break") is (content["kind"] in BREAK_KINDS)
    assert content["tone"] == "micro"
    assert is_micro_tone(content["message"])
    assert isinstance(content["reason"], str) and content["reason"] and "\n" not in content["reason"]
    assert (
        guardrail_block(
            kind=content["kind"],
            message=content["message"],
            now=ctx.now,
            nudges_sent=ctx.nudges_sent,
            last_nudge_at=ctx.last_nudge_at,
            ended=ctx.ended,
            config=config,
        )
        is None
    )
    if content["kind"] == "micro_break":
        assert 3 <= content["break_minutes"] <= 5
    elif content["kind"] == "recovery_break":
        assert 5 <= content["break_minutes"] <= 30
    else:
        assert "break_minutes" not in content


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ticks=st.lists(TICK, min_size=1, max_size=30),
    start=RHYTHM,
    estimate=st.integers(min_value=0, max_value=240),
    tick_seconds=st.sampled_from([10, 60, 300]),
    gap_ticks=st.sampled_from([0, 1, 2]),
    max_nudges=st.integers(min_value=0, max_value=8),
    ended_at=st.one_of(st.none(), st.integers(min_value=1, max_value=30)),
)
def test_any_session_gets_well_formed_decisions_within_the_guardrails(
    ticks, start, estimate, tick_seconds, gap_ticks, max_nudges, ended_at
):
    config = replace(CFG, tick_seconds=tick_seconds, min_gap_seconds=gap_ticks * tick_seconds, max_nudges=max_nudges)
    session = Session(config, estimated_minutes=estimate, rhythm_at_start=start)
    sent_times = []
    for number, (pings, rhythm) in enumerate(ticks, start=1):
        ended = ended_at is not None and number >= ended_at
        before = (session.nudges_sent, session.last_nudge_at)
        decision = session.tick(*pings, rhythm=rhythm, ended=ended)
        ctx = make_ctx(now=T0 + session.step * number, nudges_sent=before[0], last_nudge_at=before[1], ended=ended)
        _assert_well_formed(decision, ctx, config)
        if number == 1 or ended:
            assert decision.event_type == "tick"
        if ended:
            assert decision.content["reason"] == "session_ended" and decision.detections == ()
        if decision.event_type != "tick":
            sent_times.append(session.last_nudge_at)
    assert len(sent_times) <= max_nudges
    for earlier, later in zip(sent_times, sent_times[1:]):
        assert (later - earlier).total_seconds() >= config.min_gap_seconds


@settings(max_examples=200, deadline=None)
@given(
    pings=st.lists(st.tuples(st.integers(min_value=0, max_value=600), PING_FIELDS), max_size=12),
    rhythm_now=RHYTHM,
    rhythm_at_start=RHYTHM,
    tick_number=st.integers(min_value=1, max_value=40),
    minutes=st.integers(min_value=0, max_value=200),
    estimate=st.integers(min_value=0, max_value=240),
    nudges_sent=st.integers(min_value=0, max_value=12),
    gap_seconds=st.one_of(st.none(), st.integers(min_value=-60, max_value=3600)),
    ended=st.booleans(),
    last_kinds=st.dictionaries(st.sampled_from(ALLOWED_KINDS), st.integers(min_value=0, max_value=7200)),
    state=st.one_of(
        st.just({}),
        st.dictionaries(
            st.text(max_size=20),
            st.recursive(
                st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                lambda children: (
                    st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
                ),
                max_leaves=8,
            ),
            max_size=6,
        ),
    ),
)
def test_decide_never_raises_and_never_sends_what_the_guardrails_block(
    pings,
    rhythm_now,
    rhythm_at_start,
    tick_number,
    minutes,
    estimate,
    nudges_sent,
    gap_seconds,
    ended,
    last_kinds,
    state,
):
    now = at(minutes)
    last_nudge_at = None if gap_seconds is None else now - timedelta(seconds=gap_seconds)
    ctx = make_ctx(
        now=now,
        tick_number=tick_number,
        estimated_minutes=estimate,
        pings=tuple(ping(at(0, s), **fields) for s, fields in sorted(pings, key=lambda p: p[0])),
        rhythm_now=rhythm_now,
        rhythm_at_start=rhythm_at_start,
        nudges_sent=nudges_sent,
        last_nudge_at=last_nudge_at,
        last_sent_by_kind={k: now - timedelta(seconds=s) for k, s in last_kinds.items()},
        state=state,
        ended=ended,
    )
    decision = decide(ctx, CFG)
    _assert_well_formed(decision, ctx, CFG)
    too_soon = gap_seconds is not None and gap_seconds < CFG.min_gap_seconds
    would_block = ended or nudges_sent >= CFG.max_nudges or too_soon
    if would_block:
        assert decision.event_type == "tick"
    if ended:
        assert decision.content["reason"] == "session_ended"


@settings(max_examples=100, deadline=None)
@given(ticks=st.lists(st.lists(PING_FIELDS, max_size=3), min_size=3, max_size=20))
def test_detections_alternate_sensibly(ticks):
    session = Session(CFG)
    for pings in ticks:
        session.tick(*pings)
    flow_events = [t for d in session.decisions for t in detection_types(d) if t.startswith("flow")]
    # flow_start and flow_end alternate, starting with flow_start
    assert flow_events == ["flow_start", "flow_end"] * (len(flow_events) // 2) + (
        ["flow_start"] if len(flow_events) % 2 else []
    )
    assert not math.isnan(sum(d.content.get("break_minutes", 0) for d in session.decisions))


def test_a_break_is_taken_when_the_person_leaves_the_keyboard_not_at_one_idle_reading():
    def left(*activities: str, every: float = 1.5) -> bool:
        pings = [PingSample(at=at(10 + every * i), activity=a, app_switches=2) for i, a in enumerate(activities)]
        return left_the_keyboard(pings, at(10 + every * 2 - 0.1), CFG)  # the window: from the third on

    assert not left("active", "active", "active", "idle", "active")  # a moment of thought
    assert left("active", "active", "active", "away", "away", "active")  # back after a few minutes
    assert left("active", "away", "away")  # a break across the tick's start
    assert left("active", "active", "idle", every=5.0)  # a client that pings once a tick

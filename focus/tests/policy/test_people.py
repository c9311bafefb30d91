"""What issue 11 saw real, noisy people get from the policy, as fast pure checks.

Each person is a seeded stream of pings every 1-2.5 minutes with ordinary noise, driven through
``decide`` tick by tick the way focus/engine.py does (bench/companion/ measures the same over
many seeds; these are the regressions, each of which failed on the policy before issue 11)."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from focus.policy import Decision, PersonNorms, PingSample, PolicyConfig, RhythmValues, TickContext, decide

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)
CFG = PolicyConfig()
Pinger = Callable[[float, random.Random], dict | None]


@dataclass
class Run:
    decisions: list[tuple[float, Decision]] = field(default_factory=list)

    def sent(self, *kinds: str) -> list[tuple[float, str]]:
        return [
            (m, d.content["kind"])
            for m, d in self.decisions
            if d.event_type != "tick" and (not kinds or d.content["kind"] in kinds)
        ]

    def detected(self, event_type: str) -> list[tuple[float, dict]]:
        return [(m, x.content) for m, d in self.decisions for x in d.detections if x.event_type == event_type]


def drive(
    minutes: int,
    pinger: Pinger,
    *,
    seed: int = 0,
    mode: str = "deep",
    estimated: int = 600,
    rhythm_at_start: RhythmValues = RhythmValues(stress=0.3, fatigue=0.3),  # the model's defaults
    norms: PersonNorms | None = None,
    config: PolicyConfig = CFG,
) -> Run:
    rng = random.Random(seed)
    pings: list[PingSample] = []
    state: dict = {}
    sent, last_at, by_kind = 0, None, {}
    run = Run()
    next_ping = rng.uniform(0.3, 1.5)
    for tick in range(1, minutes // 5 + 2):
        now_min = (tick - 1) * 5.0
        while next_ping <= now_min:
            content = pinger(next_ping, rng)
            if content is not None:
                pings.append(PingSample.from_content(T0 + timedelta(minutes=next_ping), content))
            next_ping += rng.uniform(1.0, 2.5)
        now = T0 + timedelta(minutes=now_min)
        decision = decide(
            TickContext(
                now=now,
                started_at=T0,
                estimated_minutes=estimated,
                tick_number=tick,
                pings=tuple(pings[-50:]),
                rhythm_now=rhythm_at_start,
                rhythm_at_start=rhythm_at_start,
                nudges_sent=sent,
                last_nudge_at=last_at,
                last_sent_by_kind=dict(by_kind),
                state=state,
                mode=mode,
                norms=norms,
            ),
            config,
        )
        state = json.loads(json.dumps(decision.state))
        if decision.event_type != "tick":
            sent, last_at = sent + 1, now
            by_kind[decision.content["kind"]] = now
        run.decisions.append((now_min, decision))
    return run


def calm(minute: float, rng: random.Random) -> dict:
    return {"activity": "active", "app_switches": max(0, round(rng.gauss(2.5, 1.3))), "focus": 0.75}


def test_calm_noisy_deep_work_is_flow_by_minute_20():
    found = 0
    for seed in range(20):
        starts = drive(90, calm, seed=seed, estimated=90).detected("flow_start")
        found += bool(starts) and starts[0][0] <= 20
    assert found >= 18


def test_calm_deep_work_gets_no_check_in_or_micro_break_in_flow():
    for seed in range(10):
        run = drive(90, calm, seed=seed, estimated=90)
        assert run.sent("check_in", "refocus", "micro_break") == [], seed


def test_a_coffee_break_is_a_break_not_a_distraction():
    def coffee(minute: float, rng: random.Random) -> dict:
        return {"activity": "away", "app_switches": 0} if 45 <= minute < 60 else calm(minute, rng)

    for seed in range(10):
        run = drive(90, coffee, seed=seed, estimated=120)
        assert run.sent("refocus") == [] and run.detected("distraction") == []


def test_reading_idle_without_switches_is_not_a_distraction():
    def reading(minute: float, rng: random.Random) -> dict:
        return {"activity": "idle", "app_switches": 0} if 30 <= minute < 42 else calm(minute, rng)

    for seed in range(10):
        assert drive(90, reading, seed=seed).sent("refocus") == []


def test_a_new_user_at_a_steady_stress_of_half_gets_no_recovery_break():
    def steady(minute: float, rng: random.Random) -> dict:
        return {**calm(minute, rng), "stress": round(rng.gauss(0.5, 0.04), 2), "fatigue": 0.4}

    for seed in range(10):
        assert drive(90, steady, seed=seed).sent("recovery_break") == [], seed


def test_a_real_rise_gets_a_recovery_break_within_a_tick():
    def rising(minute: float, rng: random.Random) -> dict:
        up = 0.3 if minute >= 40 else 0.0
        return {**calm(minute, rng), "stress": 0.35 + up + rng.gauss(0, 0.04), "fatigue": 0.35 + up}

    for seed in range(10):
        (first, _), *_ = drive(90, rising, seed=seed).sent("recovery_break")
        assert 40 < first <= 50, seed


def _blip(odd: list[bool]) -> Pinger:
    def blip(minute: float, rng: random.Random) -> dict:
        stress = 0.75 if 40 <= minute < 46 else 0.4
        if minute >= 70 and odd[0]:
            stress, odd[0] = 0.9, False  # one odd reading
        return {**calm(minute, rng), "stress": stress}

    return blip


def test_one_noisy_stress_reading_after_a_break_is_not_a_second_rise():
    for seed in range(10):
        assert len(drive(120, _blip([True]), seed=seed).sent("recovery_break")) <= 1, seed


def test_a_slow_tiredness_drift_does_not_break_into_flow():
    def drift(minute: float, rng: random.Random) -> dict:
        return {**calm(minute, rng), "fatigue": 0.3 + minute / 90 * 0.25, "stress": 0.3}

    for seed in range(10):
        run = drive(80, drift, seed=seed, estimated=90)
        flow_from = run.detected("flow_start")[0][0]
        assert [m for m, _ in run.sent("recovery_break") if m > flow_from] == [], seed


def test_an_exhausted_starter_is_not_offered_the_long_break_twice():
    def exhausted(minute: float, rng: random.Random) -> dict:
        return {**calm(minute, rng), "fatigue": 0.9 + rng.gauss(0, 0.02), "stress": 0.4}

    for seed in range(10):
        assert len(drive(60, exhausted, seed=seed).sent("recovery_break")) <= 1, seed


def test_a_self_report_of_distraction_counts_even_if_a_later_ping_says_focused():
    def report(minute: float, rng: random.Random) -> dict:
        if 30 <= minute < 31.5:
            return {"activity": "active", "app_switches": 3, "focus": 0.2}
        if 31.5 <= minute < 35:
            return {"activity": "active", "app_switches": 3, "focus": 0.85}
        return {"activity": "active", "app_switches": 3}

    run = drive(45, report, config=PolicyConfig(check_in_after_ticks=1000))
    assert [m for m, c in run.detected("distraction") if c["signal"] == "low_focus"] == [35.0]
    assert (35.0, "refocus") in run.sent()


def test_wrap_up_lands_at_the_estimate_in_flow():
    for seed in range(5):
        run = drive(100, calm, seed=seed, estimated=60)
        assert run.sent("wrap_up") and run.sent("wrap_up")[0][0] <= 60, seed


def test_a_long_day_keeps_the_last_slots_for_a_late_rise_and_the_wrap_up():
    def day(minute: float, rng: random.Random) -> dict:
        busy = (minute // 20) % 3 == 0  # a switching stretch every hour
        switches = rng.randint(14, 20) if busy else rng.randint(1, 4)
        stress = 0.75 if minute >= 430 else 0.3
        return {"activity": "active", "app_switches": switches, "stress": stress, "fatigue": 0.3, "focus": 0.7}

    run = drive(600, day, estimated=600)
    assert len(run.sent()) <= CFG.max_nudges
    assert any(430 <= m <= 440 for m, _ in run.sent("recovery_break"))
    assert run.sent("wrap_up") and run.sent("wrap_up")[0][0] <= 600


def test_ignored_break_suggestions_do_not_pile_up():
    def worn(minute: float, rng: random.Random) -> dict:
        # Works through everything; stress climbs in steps, focus stays middling (never flow).
        stress = 0.3 + 0.2 * (minute // 60)
        return {"activity": "active", "app_switches": rng.randint(3, 7), "stress": min(stress, 0.95), "fatigue": 0.5}

    times = [m for m, k in drive(300, worn, estimated=600).sent() if k in ("micro_break", "recovery_break")]
    assert all(len([t for t in times if s <= t < s + 60]) <= 2 for s in times), times


def test_admin_work_at_a_heavy_switchers_own_pace_is_not_a_distraction():
    def heavy(minute: float, rng: random.Random) -> dict:
        return {"activity": "active", "app_switches": max(0, round(rng.gauss(12, 3)))}

    for seed in range(10):
        assert drive(90, heavy, seed=seed, mode="admin").sent("refocus") == [], seed


def test_the_last_slots_of_the_cap_wait_for_a_recovery_break_or_the_wrap_up():
    from focus.policy.candidates import _budget_blocks
    from focus.policy.state import _State

    def blocks(kind: str, sent: int, *, cap: int = 8, estimated: int = 90, wrapped: bool = False) -> bool:
        ctx = TickContext(
            now=T0,
            started_at=T0,
            estimated_minutes=estimated,
            tick_number=2,
            pings=(),
            rhythm_now=RhythmValues(),
            rhythm_at_start=RhythmValues(),
            nudges_sent=sent,
            last_nudge_at=None,
            last_sent_by_kind={"wrap_up": T0} if wrapped else {},
            state={},
        )
        return _budget_blocks(kind, ctx, _State(), PolicyConfig(max_nudges=cap))

    assert not blocks("check_in", 5) and blocks("check_in", 6) and blocks("refocus", 6)
    assert not blocks("recovery_break", 7) and not blocks("wrap_up", 7)
    assert not blocks("micro_break", 6, wrapped=True) and blocks("micro_break", 7, wrapped=True)
    assert not blocks("micro_break", 6, estimated=0) and blocks("micro_break", 7, estimated=0)
    assert not blocks("check_in", 1, cap=2)  # a tiny cap keeps nothing back
    assert not blocks("check_in", 8)  # at the cap, the guardrail's "cap" speaks

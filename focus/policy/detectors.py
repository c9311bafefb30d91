"""What the policy notices in a tick's pings: flow, distraction, breakpoints, stress and fatigue."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from datetime import datetime

from focus.clock import as_utc, duration_text, minutes_in_ticks
from focus.policy.config import PolicyConfig
from focus.policy.inputs import (
    ACTIVE,
    AWAY,
    IDLE,
    Detection,
    PingSample,
    RhythmValues,
    _activities,
    _clamp,
    _has_behaviour,
    _latest,
    _pct,
    _switch_readings,
)
from focus.policy.inputs import (
    EPSILON as _EPSILON,
)
from focus.policy.state import _State
from focusflow.numbers import finite_number

# --------------------------------------------------------------------------- detection helpers


def switch_baseline(history: Sequence[PingSample], config: PolicyConfig) -> float:
    """The person's typical app switches per 5 min: the median of this session's earlier
    readings, or ``flow_switches_floor`` until there are ``min_switch_history`` of them."""
    readings = _switch_readings(history)
    if len(readings) < config.min_switch_history:
        return float(config.flow_switches_floor)
    return float(statistics.median(readings))


def distraction_threshold(baseline: float, config: PolicyConfig) -> float:
    """Switches per 5 min that count as distracted: max(floor, 2 x the person's median)."""
    return max(float(config.distraction_switches_floor), 2.0 * baseline)


def is_flow_tick(window: Sequence[PingSample], baseline: float, config: PolicyConfig) -> bool:
    """True if this tick's pings look like flow: every activity reading is "active", switches
    at or below the person's median (and under the distraction floor), focus not low."""
    activities = _activities(window)
    if not activities or any(a != ACTIVE for a in activities):
        return False
    switches = _switch_readings(window)
    if switches and (max(switches) > baseline or max(switches) >= config.distraction_switches_floor):
        return False
    focus = _latest(window, "focus")
    return focus is None or focus > config.low_focus


def flow_break_reason(window: Sequence[PingSample], baseline: float, config: PolicyConfig) -> str | None:
    """Why an ongoing flow stretch ends with this tick's pings, or None if it goes on.

    Going idle or away, a burst of switches at the distraction threshold, or low focus end
    flow; a small rise in switches does not (flow keeps going until a real break)."""
    activity = _latest(window, "activity")
    if activity == IDLE:
        return "You went idle."
    if activity == AWAY:
        return "You stepped away."
    switches = _switch_readings(window)
    if switches and max(switches) >= distraction_threshold(baseline, config):
        return f"A burst of {int(max(switches))} app switches in 5 minutes."
    focus = _latest(window, "focus")
    if focus is not None and focus <= config.low_focus:
        return f"You rated your focus at {_pct(focus)}."
    return None


def distraction_signal(
    window: Sequence[PingSample],
    *,
    high_switch_ticks: int,
    on_break: bool,
    config: PolicyConfig,
) -> tuple[str, str] | None:
    """(signal, plain reason) if this tick shows distraction, else None.

    Signals: away or idle (latest activity; ignored during a break the policy suggested),
    app switches at the distraction threshold for ``distraction_switch_ticks`` ticks in a row
    (``high_switch_ticks`` counts them, this tick included), or focus <= ``low_focus``."""
    activity = _latest(window, "activity")
    if activity == AWAY and not on_break:
        return "away", "You stepped away during the session."
    if activity == IDLE and not on_break:
        return "idle", "You've been idle during the session."
    switches = _switch_readings(window)
    if switches and high_switch_ticks >= config.distraction_switch_ticks:
        return "app_switches", f"You've switched apps {int(max(switches))} times in 5 minutes."
    focus = _latest(window, "focus")
    if focus is not None and focus <= config.low_focus:
        return "low_focus", f"You rated your focus at {_pct(focus)}."
    return None


def detect_breakpoint(
    pings: Sequence[PingSample], window_start: datetime, baseline: float, config: PolicyConfig
) -> str | None:
    """A natural pause in the work, seen in the newest ping (which must be from this tick).

    "went_idle" (the latest activity is idle, the one before it active), "back_from_away"
    (the one before it away), or "switch_burst" (a burst of switches after a long quiet run).
    docs/policy.md "Interrupt at breakpoints" (Iqbal & Bailey 2008; Okoshi et al. 2015)."""
    acts = [p for p in pings if p.activity in (ACTIVE, IDLE, AWAY)]
    if len(acts) >= 2 and acts[-1].at > window_start:
        last, previous = acts[-1].activity, acts[-2].activity
        if last == IDLE and previous == ACTIVE:
            return "went_idle"
        if previous == AWAY and last != AWAY:
            return "back_from_away"
    readings = [(p.at, n) for p in pings if (n := finite_number(p.app_switches)) is not None]
    if len(readings) > config.quiet_run_pings and readings[-1][0] > window_start:
        burst = readings[-1][1] >= max(float(config.burst_switches_floor), 2.0 * baseline)
        run = readings[-1 - config.quiet_run_pings : -1]
        if burst and all(value <= baseline for _, value in run):
            return "switch_burst"
    return None


def hrv_corroborates(pings: Sequence[PingSample], started_at: datetime, config: PolicyConfig) -> bool:
    """True if heart signals agree with a stress rise: the latest ``hrv_flag_pings`` HRV
    readings are all below the early-session baseline mean - 1 SD (log RMSSD), or the latest
    heart-rate readings all above mean + 1 SD. The baseline is the session's first
    ``hrv_baseline_ticks`` ticks (10 min) with >= ``hrv_min_readings`` readings.
    Never a trigger on its own (Martinez et al. 2022: ~1-2% of stress explained)."""
    cutoff = as_utc(started_at).timestamp() + config.hrv_baseline_ticks * config.tick_seconds

    def flagged(values: list[tuple[float, float]], low: bool) -> bool:
        early = [v for t, v in values if t < cutoff]
        later = [v for t, v in values if t >= cutoff]
        if len(early) < config.hrv_min_readings or len(later) < config.hrv_flag_pings:
            return False
        mean, sd = statistics.fmean(early), statistics.stdev(early)
        recent = later[-config.hrv_flag_pings :]
        return all(v < mean - sd for v in recent) if low else all(v > mean + sd for v in recent)

    hrv = [
        (as_utc(p.at).timestamp(), math.log(v)) for p in pings if (v := finite_number(p.hrv_ms)) is not None and v > 0
    ]
    hr = [(as_utc(p.at).timestamp(), v) for p in pings if (v := finite_number(p.heart_rate)) is not None and v > 0]
    return flagged(hrv, low=True) or flagged(hr, low=False)


def _current(window: Sequence[PingSample], rhythm_now: RhythmValues, attr: str) -> float | None:
    """The higher of the rhythm state and this tick's latest pinged value, if any."""
    values = [v for v in (finite_number(getattr(rhythm_now, attr)), _latest(window, attr)) if v is not None]
    return max(values) if values else None


def _at_start(pings: Sequence[PingSample], rhythm_at_start: RhythmValues, attr: str) -> float | None:
    """The rhythm snapshot at session start, else the session's first pinged value."""
    value = finite_number(getattr(rhythm_at_start, attr))
    if value is not None:
        return value
    for ping in pings:
        if (v := finite_number(getattr(ping, attr))) is not None:
            return v
    return None


def stress_trigger(
    *,
    window: Sequence[PingSample],
    pings: Sequence[PingSample],
    rhythm_now: RhythmValues,
    rhythm_at_start: RhythmValues,
    started_at: datetime,
    config: PolicyConfig,
) -> str | None:
    """A plain reason for a recovery_break, or None.

    Fires on stress or fatigue (rhythm state or this tick's pings) at or above the high
    threshold, or up by at least ``stress_rise`` / ``fatigue_rise`` since the session start.
    Heart signals below the session's own early baseline only add to the reason."""
    stress = _current(window, rhythm_now, "stress")
    fatigue = _current(window, rhythm_now, "fatigue")
    reason = None
    if stress is not None and stress >= config.high_stress - _EPSILON:
        reason = f"Your stress is at {_pct(stress)}."
    elif fatigue is not None and fatigue >= config.high_fatigue - _EPSILON:
        reason = f"Your tiredness is at {_pct(fatigue)}."
    else:
        for attr, rise, word in (
            ("stress", config.stress_rise, "stress"),
            ("fatigue", config.fatigue_rise, "tiredness"),
        ):
            now_value = stress if attr == "stress" else fatigue
            start_value = _at_start(pings, rhythm_at_start, attr)
            if now_value is not None and start_value is not None and now_value - start_value >= rise - _EPSILON:
                reason = f"Your {word} is up from {_pct(start_value)} to {_pct(now_value)} since you started."
                break
    if reason is None:
        return None
    if hrv_corroborates(pings, started_at, config):
        reason = reason[:-1] + ", and your heart signals point the same way."
    return reason


def recovery_break_minutes(fatigue: float | None, config: PolicyConfig) -> int:
    """5 + 25 x clamp((fatigue - 0.4) / 0.5, 0, 1), rounded half up: 5-30 minutes
    (docs/policy.md "Breaks"; Albulescu et al. 2022, Sievertsen et al. 2016). Unknown fatigue
    gives the shortest recovery break."""
    value = finite_number(fatigue)
    if value is None:
        return int(config.recovery_min_minutes)
    share = _clamp((value - config.recovery_fatigue_floor) / config.recovery_fatigue_span, 0.0, 1.0)
    span = config.recovery_max_minutes - config.recovery_min_minutes
    return int(math.floor(config.recovery_min_minutes + span * share + 0.5))


# --------------------------------------------------------------------------- detectors


def _update_distraction(
    state: _State, window: Sequence[PingSample], baseline: float, on_break: bool, config: PolicyConfig
) -> Detection | None:
    switches = _switch_readings(window)
    if switches:
        high = max(switches) >= distraction_threshold(baseline, config)
        state.high_switch_ticks = state.high_switch_ticks + 1 if high else 0
    found = distraction_signal(window, high_switch_ticks=state.high_switch_ticks, on_break=on_break, config=config)
    if found is None:
        if _has_behaviour(window):  # a tick that shows no distraction ends the episode
            state.distraction_active = False
            state.refocus_pending = False
            state.refocus_reason = None
        return None
    signal, reason = found
    if state.refocus_pending:
        state.refocus_reason = reason
    if state.distraction_active:
        return None
    state.distraction_active = True
    state.refocus_pending = True
    state.refocus_reason = reason
    return Detection("distraction", {"signal": signal, "reason": reason})


def _update_flow(
    state: _State, window: Sequence[PingSample], baseline: float, config: PolicyConfig
) -> Detection | None:
    if not _has_behaviour(window):
        # No behavioural signal this tick: it neither builds nor breaks a streak, but flow
        # cannot be assumed for long without any signal.
        if state.in_flow:
            state.flow_quiet_ticks += 1
            if state.flow_quiet_ticks >= config.no_signal_flow_end_ticks:
                minutes = minutes_in_ticks(state.flow_ticks)
                state.end_flow()
                return Detection("flow_end", {"reason": "No activity signal for a while.", "flow_minutes": minutes})
            state.flow_ticks += 1
        return None
    state.flow_quiet_ticks = 0
    if state.in_flow:
        reason = flow_break_reason(window, baseline, config)
        if reason is None:
            state.flow_ticks += 1
            return None
        minutes = minutes_in_ticks(state.flow_ticks)
        state.end_flow()
        return Detection("flow_end", {"reason": reason, "flow_minutes": minutes})
    if not is_flow_tick(window, baseline, config):
        state.flow_streak = 0
        state.flow_streak_since = None
        return None
    if state.flow_streak == 0:
        first_active = next(p for p in window if p.activity == ACTIVE)
        state.flow_streak_since = as_utc(first_active.at).isoformat()
    state.flow_streak += 1
    if state.flow_streak < config.flow_ticks:
        return None
    state.in_flow = True
    state.flow_ticks = state.flow_streak
    state.long_flow_break_offered = False
    streak = duration_text(minutes_in_ticks(state.flow_streak))
    return Detection(
        "flow_start",
        {"reason": f"Steady activity with few app switches for {streak}.", "since": state.flow_streak_since},
    )

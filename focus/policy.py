"""The nudge policy: every tick, one short nudge or break, or a tick that says why not.

One pure function, :func:`decide`, takes the values the tick service gathered
(:class:`TickContext`) and returns one :class:`Decision`: a ``nudge``, a ``break`` or a
``tick`` (nothing sent, with the reason), plus any ``flow_start`` / ``flow_end`` /
``distraction`` detections and the policy's own state for the next tick. No Django, no
clock, no database: the same inputs always give the same decision.

Every default lives in :class:`PolicyConfig` with the source it comes from
(POLICY-NOTES.md; DESIGN.md "Runtime knobs"). Durations inside the policy are counted in
tick periods, and one tick stands for :data:`NOMINAL_TICK_MINUTES` minutes of session time
whatever FOCUS_TICK_SECONDS is, so a time-compressed run exercises the same policy; lengths
shown to a person (break minutes, "you've worked about 50 minutes") stay in minutes.

How a tick is decided, in order:

1. an ended session gets a ``tick`` "session_ended" and nothing else;
2. the detectors run on this tick's pings (those since the previous tick): distraction
   episodes, flow start/end, the stretch of non-flow work, stress and fatigue;
3. nothing is sent while settling in (first tick) or during a break the policy suggested;
4. the candidates, most important first: ``recovery_break`` (urgent), ``wrap_up``,
   ``refocus``, ``micro_break``, ``check_in``; a candidate is skipped while in flow (except
   recovery_break, wrap_up once the estimate is reached, and the one break after long flow)
   or when the same kind was sent too recently; the first one left is the proposal;
5. the hard guardrails (:func:`focus.guardrails.guardrail_block`) may block it;
6. wrap_up, micro_break and check_in wait for a breakpoint for at most
   ``breakpoint_defer_ticks`` (recovery_break is urgent; refocus goes at the next allowed
   slot, since a distraction already broke the train of thought; out of flow, wrap_up stops
   waiting once the estimate is reached). When no ping of the
   session carries activity or app switches, breakpoints cannot be seen and nothing waits.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from typing import Any

from focus.guardrails import (
    ALLOWED_KINDS,
    BREAK_KINDS,
    as_utc,
    event_type_for,
    guardrail_block,
)
from focus.messages import pick_message
from focusflow.numbers import finite_number

__all__ = [
    "ALLOWED_KINDS",
    "BREAK_KINDS",
    "NOMINAL_TICK_MINUTES",
    "TICK_REASONS",
    "DETECTION_TYPES",
    "DISTRACTION_SIGNALS",
    "PolicyConfig",
    "PingSample",
    "RhythmValues",
    "TickContext",
    "Detection",
    "Decision",
    "decide",
    "switch_baseline",
    "distraction_threshold",
    "is_flow_tick",
    "flow_break_reason",
    "distraction_signal",
    "detect_breakpoint",
    "hrv_corroborates",
    "stress_trigger",
    "recovery_break_minutes",
]

# One tick period stands for 5 minutes of session time (DESIGN.md, "Runtime knobs").
NOMINAL_TICK_MINUTES = 5

ACTIVE, IDLE, AWAY = "active", "idle", "away"

# Why a tick sent nothing. The guardrail codes (focus.guardrails.GUARDRAIL_REASONS) are
# included because a proposal the guardrails block becomes a tick with their code.
TICK_REASONS: tuple[str, ...] = (
    "settling_in",             # the first tick(s) of a session: let the person settle
    "on_break",                # during a break this policy suggested
    "in_flow",                 # protected flow: only recovery_break / wrap_up / the long-flow break
    "same_kind_spacing",       # the same kind was sent too recently
    "waiting_for_breakpoint",  # a non-urgent nudge waits for a natural pause
    "nothing_to_say",          # no trigger fired
    "session_ended",           # guardrail: none after the session ended
    "unknown_kind",            # guardrail
    "not_micro_tone",          # guardrail
    "cap",                     # guardrail: FOCUS_MAX_NUDGES reached
    "backoff",                 # guardrail: less than FOCUS_NUDGE_MIN_GAP_SECONDS since the last one
)

DETECTION_TYPES: tuple[str, ...] = ("flow_start", "flow_end", "distraction")
DISTRACTION_SIGNALS: tuple[str, ...] = ("idle", "away", "app_switches", "low_focus")

# How each kind is named in a tick's plain-language detail.
_KIND_LABELS = {
    "check_in": "check-in",
    "refocus": "refocus nudge",
    "micro_break": "short break suggestion",
    "recovery_break": "recovery break suggestion",
    "wrap_up": "wrap-up nudge",
}

_EPSILON = 1e-9  # so a rise of exactly stress_rise counts despite float rounding (0.45 - 0.30)


@dataclass(frozen=True)
class PolicyConfig:
    """Every knob of the policy, with the source of its default (POLICY-NOTES.md sections)."""

    # DESIGN.md "Runtime knobs": FOCUS_TICK_SECONDS, FOCUS_NUDGE_MIN_GAP_SECONDS, FOCUS_MAX_NUDGES.
    tick_seconds: int = 300
    min_gap_seconds: int = 300
    max_nudges: int = 8
    # "Fewer, explained nudges": aim for <= 4 per session (Pielot 2014; Ancker 2017: acceptance
    # fell 30% per extra reminder). Only the optional check_in stops at this soft target.
    soft_max_nudges: int = 4
    # Design choice: the first tick only observes ("settling_in").
    settle_ticks: int = 1
    # "Flow": >= 15 min (3 ticks) of active pings with switches at or below the median
    # (Peopleware lore for the 15 minutes; Züger et al. CHI 2017 for relative activity).
    flow_ticks: int = 3
    # "Flow": after ~90 min of unbroken flow, one micro_break at the next breakpoint.
    long_flow_ticks: int = 18
    # "Breaks": micro_break after 50-60 min of non-flow work (Albulescu et al. 2022).
    micro_break_after_ticks: int = 10
    # "Fewer, explained nudges": the same kind at most once per 30 min ...
    same_kind_spacing_ticks: int = 6
    # ... and after 2 nudges of a kind followed by no change, double that spacing.
    spacing_backoff_after: int = 2
    # Design choice: an occasional check_in after 30 min (6 ticks) without any nudge.
    check_in_after_ticks: int = 6
    # "Interrupt at breakpoints": defer a non-urgent nudge at most ~2 ticks (Iqbal & Bailey 2008).
    breakpoint_defer_ticks: int = 2
    # "Distraction": switches per 5 min >= max(8, 2 x median) for 2 ticks (Mark et al. 2012/2016).
    distraction_switches_floor: int = 8
    distraction_switch_ticks: int = 2
    # "Distraction": self-reported focus <= 0.3; flow also needs focus above it.
    low_focus: float = 0.3
    # "Flow": the switch baseline before the person has history ("a floor like 4"), and how
    # many earlier readings this session needs before their own median is used.
    flow_switches_floor: int = 4
    min_switch_history: int = 3
    # "Interrupt at breakpoints": a burst of switches (>= max(4, 2 x median)) after a long
    # single-app run (the previous 3 readings at or below the median).
    burst_switches_floor: int = 4
    quiet_run_pings: int = 3
    # Design choice: flow ends after 2 ticks with no behavioural signal at all.
    no_signal_flow_end_ticks: int = 2
    # "Stress and fatigue": stress up >= 0.15 from the session start (a heuristic); the same
    # rise is used for fatigue; >= 0.8 on either is high.
    stress_rise: float = 0.15
    fatigue_rise: float = 0.15
    high_stress: float = 0.8
    high_fatigue: float = 0.8
    # "Stress and fatigue": before a baseline exists use the first 10 minutes (2 ticks) of the
    # session, with >= 3 valid readings (Plews et al. 2014); flag below mean - 1 SD of log
    # RMSSD (Kiviniemi et al. 2007) for >= 2 pings. HRV only corroborates, never triggers.
    hrv_baseline_ticks: int = 2
    hrv_min_readings: int = 3
    hrv_flag_pings: int = 2
    # "Breaks": micro_break 3-5 min (Henning et al. 1997: 3-min breaks preferred); the break
    # after long flow takes the longer end.
    micro_break_minutes: int = 3
    long_flow_break_minutes: int = 5
    # "Breaks": recovery_break = 5 + 25 x clamp((fatigue - 0.4) / 0.5, 0, 1) minutes.
    recovery_min_minutes: int = 5
    recovery_max_minutes: int = 30
    recovery_fatigue_floor: float = 0.4
    recovery_fatigue_span: float = 0.5

    def __post_init__(self) -> None:
        positive = ("tick_seconds", "flow_ticks", "long_flow_ticks", "micro_break_after_ticks",
                    "distraction_switch_ticks", "hrv_min_readings", "hrv_flag_pings",
                    "no_signal_flow_end_ticks", "quiet_run_pings")
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"PolicyConfig.{f.name} must be a number, got {value!r}")
            if value < 0 or (f.name in positive and value <= 0):
                raise ValueError(f"PolicyConfig.{f.name} must be {'> 0' if f.name in positive else '>= 0'}")
        if self.recovery_fatigue_span <= 0:
            raise ValueError("PolicyConfig.recovery_fatigue_span must be > 0")


@dataclass(frozen=True)
class PingSample:
    at: datetime                      # aware UTC
    activity: str | None = None       # "active" | "idle" | "away"
    app_switches: int | None = None   # switches in the last ~5 minutes
    focus: float | None = None        # self-reported 0..1
    energy: float | None = None       # 0..1
    stress: float | None = None       # 0..1
    fatigue: float | None = None      # 0..1
    heart_rate: int | None = None     # bpm
    hrv_ms: float | None = None       # RMSSD ms


@dataclass(frozen=True)
class RhythmValues:
    energy: float | None = None
    stress: float | None = None
    fatigue: float | None = None


@dataclass(frozen=True)
class TickContext:
    now: datetime
    started_at: datetime
    estimated_minutes: int
    tick_number: int                  # 1 for the session's first tick, 2 for the next, ...
    pings: tuple[PingSample, ...]     # this session's pings, oldest first
    rhythm_now: RhythmValues
    rhythm_at_start: RhythmValues
    nudges_sent: int                  # user-facing events already sent in this session
    last_nudge_at: datetime | None
    last_sent_by_kind: Mapping[str, datetime]
    state: Mapping[str, Any]          # the policy's state from the previous tick ({} at first)
    ended: bool = False


@dataclass(frozen=True)
class Detection:
    event_type: str                   # "flow_start" | "flow_end" | "distraction"
    content: dict


@dataclass(frozen=True)
class Decision:
    event_type: str                   # "nudge" | "break" | "tick"
    content: dict
    detections: tuple[Detection, ...] = ()
    state: dict = field(default_factory=dict)


# --------------------------------------------------------------------------- small helpers


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def _pct(value: float) -> str:
    return f"{round(_clamp(value, 0.0, 1.0) * 100)}%"


def _minutes_text(minutes: float) -> str:
    n = int(round(minutes))
    return f"{n} minute" if n == 1 else f"{n} minutes"


def _duration_text(seconds: float) -> str:
    if seconds >= 60 and seconds % 60 == 0:
        return _minutes_text(seconds / 60)
    n = int(round(seconds))
    return f"{n} second" if n == 1 else f"{n} seconds"


def _nominal_minutes(seconds: float, config: PolicyConfig) -> float:
    """Session time in nominal minutes: one tick period = NOMINAL_TICK_MINUTES."""
    return max(0.0, seconds) / config.tick_seconds * NOMINAL_TICK_MINUTES


def _parse_dt(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return as_utc(datetime.fromisoformat(value))
    except (ValueError, TypeError, OverflowError):
        return None


def _latest(pings: Sequence[PingSample], attr: str) -> Any:
    for ping in reversed(pings):
        value = getattr(ping, attr)
        if attr == "activity":
            if value in (ACTIVE, IDLE, AWAY):
                return value
        elif finite_number(value) is not None:
            return finite_number(value)
    return None


def _switch_readings(pings: Sequence[PingSample]) -> list[float]:
    return [v for v in (finite_number(p.app_switches) for p in pings) if v is not None and v >= 0]


def _activities(pings: Sequence[PingSample]) -> list[str]:
    return [p.activity for p in pings if p.activity in (ACTIVE, IDLE, AWAY)]


def _has_behaviour(window: Sequence[PingSample]) -> bool:
    """True if this tick's pings say anything about behaviour (activity, switches, focus)."""
    return bool(_activities(window) or _switch_readings(window) or _latest(window, "focus") is not None)


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
    POLICY-NOTES "Interrupt at breakpoints" (Iqbal & Bailey 2008; Okoshi et al. 2015)."""
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
        run = readings[-1 - config.quiet_run_pings:-1]
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
        recent = later[-config.hrv_flag_pings:]
        return all(v < mean - sd for v in recent) if low else all(v > mean + sd for v in recent)

    hrv = [(as_utc(p.at).timestamp(), math.log(v)) for p in pings
           if (v := finite_number(p.hrv_ms)) is not None and v > 0]
    hr = [(as_utc(p.at).timestamp(), v) for p in pings
          if (v := finite_number(p.heart_rate)) is not None and v > 0]
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
        for attr, rise, word in (("stress", config.stress_rise, "stress"),
                                 ("fatigue", config.fatigue_rise, "tiredness")):
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
    (POLICY-NOTES "Breaks"; Albulescu et al. 2022, Sievertsen et al. 2016). Unknown fatigue
    gives the shortest recovery break."""
    value = finite_number(fatigue)
    if value is None:
        return int(config.recovery_min_minutes)
    share = _clamp((value - config.recovery_fatigue_floor) / config.recovery_fatigue_span, 0.0, 1.0)
    span = config.recovery_max_minutes - config.recovery_min_minutes
    return int(math.floor(config.recovery_min_minutes + span * share + 0.5))


# --------------------------------------------------------------------------- policy state


@dataclass
class _State:
    """The policy's memory between ticks (persisted as JSON by the tick service)."""

    last_tick_at: datetime | None = None
    flow_streak: int = 0                # consecutive flow-looking ticks before flow starts
    flow_streak_since: str | None = None
    in_flow: bool = False
    flow_ticks: int = 0                 # length of the current flow stretch, in ticks
    flow_quiet_ticks: int = 0           # ticks in flow with no behavioural signal
    long_flow_break_offered: bool = False
    high_switch_ticks: int = 0
    distraction_active: bool = False    # an episode is going on (one detection per episode)
    refocus_pending: bool = False
    refocus_reason: str | None = None
    work_ticks: int = 0                 # non-flow work since the last break
    deferred_ticks: int = 0             # ticks a proposal has waited for a breakpoint
    break_until_tick: int = 0           # a suggested break runs through this tick number
    wrap_up_sent: bool = False
    sent_counts: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, data: Any) -> _State:
        """Read the stored state, ignoring anything missing or malformed."""
        state = cls()
        if not isinstance(data, Mapping):
            return state
        for f in fields(cls):
            value = data.get(f.name)
            default = getattr(state, f.name)
            if f.name == "last_tick_at":
                state.last_tick_at = _parse_dt(value)
            elif f.name == "sent_counts":
                if isinstance(value, Mapping):
                    state.sent_counts = {k: v for k, v in value.items() if k in ALLOWED_KINDS
                                         and isinstance(v, int) and not isinstance(v, bool) and v >= 0}
            elif isinstance(default, bool):
                if isinstance(value, bool):
                    setattr(state, f.name, value)
            elif isinstance(default, int):
                if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                    setattr(state, f.name, value)
            elif isinstance(value, str):
                setattr(state, f.name, value)
        return state

    def to_dict(self) -> dict:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["last_tick_at"] = self.last_tick_at.isoformat() if self.last_tick_at else None
        data["sent_counts"] = dict(self.sent_counts)
        return data

    def end_flow(self) -> None:
        self.in_flow = False
        self.flow_ticks = 0
        self.flow_quiet_ticks = 0
        self.flow_streak = 0
        self.flow_streak_since = None
        self.long_flow_break_offered = False


# --------------------------------------------------------------------------- detectors


def _update_distraction(state: _State, window: Sequence[PingSample], baseline: float,
                        on_break: bool, config: PolicyConfig) -> Detection | None:
    switches = _switch_readings(window)
    if switches:
        high = max(switches) >= distraction_threshold(baseline, config)
        state.high_switch_ticks = state.high_switch_ticks + 1 if high else 0
    found = distraction_signal(window, high_switch_ticks=state.high_switch_ticks,
                               on_break=on_break, config=config)
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


def _update_flow(state: _State, window: Sequence[PingSample], baseline: float,
                 config: PolicyConfig) -> Detection | None:
    if not _has_behaviour(window):
        # No behavioural signal this tick: it neither builds nor breaks a streak, but flow
        # cannot be assumed for long without any signal.
        if state.in_flow:
            state.flow_quiet_ticks += 1
            if state.flow_quiet_ticks >= config.no_signal_flow_end_ticks:
                minutes = float(state.flow_ticks * NOMINAL_TICK_MINUTES)
                state.end_flow()
                return Detection("flow_end", {"reason": "No activity signal for a while.",
                                              "flow_minutes": minutes})
            state.flow_ticks += 1
        return None
    state.flow_quiet_ticks = 0
    if state.in_flow:
        reason = flow_break_reason(window, baseline, config)
        if reason is None:
            state.flow_ticks += 1
            return None
        minutes = float(state.flow_ticks * NOMINAL_TICK_MINUTES)
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
    streak = _minutes_text(state.flow_streak * NOMINAL_TICK_MINUTES)
    return Detection("flow_start", {"reason": f"Steady activity with few app switches for {streak}.",
                                    "since": state.flow_streak_since})


# --------------------------------------------------------------------------- proposals


@dataclass(frozen=True)
class _Proposal:
    kind: str
    reason: str
    waits_for_breakpoint: bool = True
    allowed_in_flow: bool = False
    break_minutes: int | None = None
    long_flow: bool = False


def _proposals(ctx: TickContext, state: _State, window: Sequence[PingSample],
               pings: Sequence[PingSample], now: datetime, config: PolicyConfig) -> list[_Proposal]:
    """Everything worth saying this tick, most important first."""
    started = as_utc(ctx.started_at)
    proposals: list[_Proposal] = []

    reason = stress_trigger(window=window, pings=pings, rhythm_now=ctx.rhythm_now,
                            rhythm_at_start=ctx.rhythm_at_start, started_at=started, config=config)
    if reason:
        fatigue = _current(window, ctx.rhythm_now, "fatigue")
        # Urgent: does not wait for a breakpoint.
        proposals.append(_Proposal("recovery_break", reason, waits_for_breakpoint=False, allowed_in_flow=True,
                                   break_minutes=recovery_break_minutes(fatigue, config)))

    estimate = finite_number(ctx.estimated_minutes)
    wrap_up_done = state.wrap_up_sent or "wrap_up" in ctx.last_sent_by_kind
    elapsed_minutes = _nominal_minutes((now - started).total_seconds(), config)
    if estimate and estimate > 0 and not wrap_up_done and elapsed_minutes >= estimate - NOMINAL_TICK_MINUTES - _EPSILON:
        reached = elapsed_minutes >= estimate - _EPSILON
        est = f"{int(round(estimate))}-minute"
        if reached:
            text = f"You've reached your {est} estimate."
        else:
            text = f"You're about {_minutes_text(math.ceil(estimate - elapsed_minutes))} from your {est} estimate."
        # Out of flow it waits for a breakpoint only until the estimate is reached, so it is
        # never later than the estimate; in flow it goes only from then, at a breakpoint.
        proposals.append(_Proposal("wrap_up", text, allowed_in_flow=reached,
                                   waits_for_breakpoint=state.in_flow or not reached))

    if state.refocus_pending and state.refocus_reason:
        # Sent at the next allowed slot: a distraction is itself a break in the task, so there
        # is no train of thought left to protect by waiting for a breakpoint.
        proposals.append(_Proposal("refocus", state.refocus_reason, waits_for_breakpoint=False))

    if state.in_flow:
        if state.flow_ticks >= config.long_flow_ticks and not state.long_flow_break_offered:
            minutes = _minutes_text(state.flow_ticks * NOMINAL_TICK_MINUTES)
            proposals.append(_Proposal("micro_break", f"You've been in deep focus for about {minutes}.",
                                       allowed_in_flow=True, long_flow=True,
                                       break_minutes=int(config.long_flow_break_minutes)))
    elif state.work_ticks >= config.micro_break_after_ticks:
        minutes = _minutes_text(state.work_ticks * NOMINAL_TICK_MINUTES)
        proposals.append(_Proposal("micro_break", f"You've worked about {minutes} without a break.",
                                   break_minutes=int(config.micro_break_minutes)))

    if ctx.nudges_sent < config.soft_max_nudges:
        since = as_utc(ctx.last_nudge_at) if ctx.last_nudge_at else started
        quiet_seconds = (now - since).total_seconds()
        if quiet_seconds >= config.check_in_after_ticks * config.tick_seconds:
            minutes = _minutes_text(_nominal_minutes(quiet_seconds, config))
            what = "the last nudge" if ctx.last_nudge_at else "you started"
            proposals.append(_Proposal("check_in", f"It's been about {minutes} since {what}."))
    return proposals


def _spacing_blocks(kind: str, ctx: TickContext, state: _State, now: datetime, config: PolicyConfig) -> bool:
    last = ctx.last_sent_by_kind.get(kind)
    if last is None:
        return False
    factor = 2 if state.sent_counts.get(kind, 0) >= config.spacing_backoff_after else 1
    spacing = config.same_kind_spacing_ticks * config.tick_seconds * factor
    return (now - as_utc(last)).total_seconds() < spacing


# --------------------------------------------------------------------------- decision


def _tick(reason: str, detail: str, detections: list[Detection], state: _State) -> Decision:
    return Decision("tick", {"reason": reason, "detail": detail}, tuple(detections), state.to_dict())


def _held_detail(code: str, kind: str, ctx: TickContext, config: PolicyConfig) -> str:
    label = _KIND_LABELS.get(kind, "nudge")
    if code == "in_flow":
        return f"Held back a {label} because you're in a flow stretch."
    if code == "same_kind_spacing":
        return f"Held back a {label} because one was sent recently."
    if code == "backoff":
        return f"Held back a {label} because the last one was under {_duration_text(config.min_gap_seconds)} ago."
    if code == "cap":
        return f"Held back a {label} because this session already had {ctx.nudges_sent} nudges, the most allowed."
    if code == "waiting_for_breakpoint":
        return f"Holding a {label} until a natural pause in your work."
    if code == "session_ended":
        return "The session has ended, so nothing more is sent."
    return f"Held back a {label} that did not meet the message rules."


def decide(ctx: TickContext, config: PolicyConfig) -> Decision:
    """Decide this tick: one nudge, break, or a tick saying why nothing was sent."""
    state = _State.from_mapping(ctx.state)
    if ctx.ended:
        return _tick("session_ended", "The session has ended, so nothing more is sent.", [], state)

    now = as_utc(ctx.now)
    started = as_utc(ctx.started_at)
    # Pings in time order, as UTC, none from the future.
    pings = sorted((replace(p, at=as_utc(p.at)) for p in ctx.pings), key=lambda p: p.at)
    pings = [p for p in pings if p.at <= now]
    if state.last_tick_at is not None:
        window_start = min(state.last_tick_at, now)
    elif ctx.tick_number <= 1:
        window_start = min(started, now)
    else:
        window_start = now - timedelta(seconds=config.tick_seconds)
    history = [p for p in pings if p.at <= window_start]   # earlier ticks
    window = [p for p in pings if p.at > window_start]     # this tick's pings
    baseline = switch_baseline(history, config)
    on_break = ctx.tick_number <= state.break_until_tick

    detections: list[Detection] = []
    flow_event = _update_flow(state, window, baseline, config)
    if flow_event:
        detections.append(flow_event)
    distraction = _update_distraction(state, window, baseline, on_break, config)
    if distraction:
        detections.append(distraction)

    latest_activity = _latest(window, "activity")
    if latest_activity == AWAY and not on_break:
        state.work_ticks = 0  # stepping away is a break taken on one's own
    elif not state.in_flow and not on_break:
        state.work_ticks += 1
    state.last_tick_at = now

    if ctx.tick_number <= config.settle_ticks:
        state.deferred_ticks = 0
        return _tick("settling_in", "The session just started, so there's time to settle in.", detections, state)
    if on_break:
        state.deferred_ticks = 0
        return _tick("on_break", "You're on a suggested break, so nothing was sent.", detections, state)

    chosen: _Proposal | None = None
    first_block: tuple[str, str] | None = None
    for proposal in _proposals(ctx, state, window, pings, now, config):
        if state.in_flow and not proposal.allowed_in_flow:
            block = "in_flow"
        elif _spacing_blocks(proposal.kind, ctx, state, now, config):
            block = "same_kind_spacing"
        else:
            chosen = proposal
            break
        first_block = first_block or (block, proposal.kind)

    if chosen is None:
        state.deferred_ticks = 0
        if first_block:
            code, kind = first_block
            return _tick(code, _held_detail(code, kind, ctx, config), detections, state)
        if state.in_flow:
            return _tick("in_flow", "You're in a flow stretch, so nothing was sent.", detections, state)
        return _tick("nothing_to_say", "Nothing needs saying right now.", detections, state)

    fmt = {"minutes": chosen.break_minutes} if chosen.break_minutes is not None else {}
    message = pick_message(chosen.kind, seed=ctx.tick_number, **fmt)
    blocked = guardrail_block(kind=chosen.kind, message=message, now=now, nudges_sent=ctx.nudges_sent,
                              last_nudge_at=ctx.last_nudge_at, ended=ctx.ended, config=config)
    if blocked:
        return _tick(blocked, _held_detail(blocked, chosen.kind, ctx, config), detections, state)

    behaviour_known = any(p.activity in (ACTIVE, IDLE, AWAY) or finite_number(p.app_switches) is not None for p in pings)
    if (chosen.waits_for_breakpoint and behaviour_known and state.deferred_ticks < config.breakpoint_defer_ticks
            and detect_breakpoint(pings, window_start, baseline, config) is None):
        state.deferred_ticks += 1
        return _tick("waiting_for_breakpoint", _held_detail("waiting_for_breakpoint", chosen.kind, ctx, config),
                     detections, state)

    # Send it.
    state.deferred_ticks = 0
    state.sent_counts[chosen.kind] = state.sent_counts.get(chosen.kind, 0) + 1
    content: dict[str, Any] = {"kind": chosen.kind, "message": message, "tone": "micro", "reason": chosen.reason}
    if chosen.kind == "wrap_up":
        state.wrap_up_sent = True
    elif chosen.kind == "refocus":
        state.refocus_pending = False
        state.refocus_reason = None
    if chosen.long_flow:
        state.long_flow_break_offered = True
    if chosen.kind in BREAK_KINDS:
        minutes = int(chosen.break_minutes or config.micro_break_minutes)
        content["break_minutes"] = minutes
        state.work_ticks = 0
        state.break_until_tick = ctx.tick_number + max(1, math.ceil(minutes / NOMINAL_TICK_MINUTES))
    return Decision(event_type_for(chosen.kind), content, tuple(detections), state.to_dict())

"""Every knob of the nudge policy, with the source of its default."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class PolicyConfig:
    """Every knob of the policy, with the source of its default (docs/policy.md sections)."""

    # DESIGN.md "Runtime knobs": FOCUS_TICK_SECONDS, FOCUS_NUDGE_MIN_GAP_SECONDS, FOCUS_MAX_NUDGES.
    tick_seconds: int = 300
    min_gap_seconds: int = 300
    max_nudges: int = 8
    # "Fewer, explained nudges": aim for <= 4 per session (Pielot 2014; Ancker 2017: acceptance
    # fell 30% per extra reminder). Only the optional check_in stops at this soft target.
    soft_max_nudges: int = 4
    # Design choice: the first tick only observes ("settling_in").
    settle_ticks: int = 1
    # "Flow": >= 15 min (3 flow-looking ticks) of mostly active pings with a median switch count
    # near the person's own pace (Peopleware lore for the 15 minutes; Züger et al. CHI 2017 for
    # activity relative to the person).
    flow_ticks: int = 3
    # "Flow": a tick counts toward flow when its median switches are at most the person's pace
    # plus this many spreads (MAD as SD, at least switch_spread_floor); a tick between that and
    # the distraction threshold neither builds nor breaks a streak (hysteresis). Design choice,
    # tuned on the session simulator (docs/companion.md).
    flow_enter_spreads: float = 1.0
    switch_spread_floor: float = 1.0
    # "Flow": after ~90 min of unbroken flow, one micro_break at the next breakpoint.
    long_flow_ticks: int = 18
    # "Breaks": micro_break after 50-60 min of non-flow work (Albulescu et al. 2022).
    micro_break_after_ticks: int = 10
    # "Fewer, explained nudges": the same kind at most once per 30 min ...
    same_kind_spacing_ticks: int = 6
    # ... but a refocus answers its own distraction episode (one per episode): a new episode gets
    # its refocus 2 ticks after the last, so an early false alarm does not silence a real one.
    refocus_spacing_ticks: int = 2
    # ... and after 2 nudges of a kind followed by no change, double that spacing.
    spacing_backoff_after: int = 2
    # Design choice: an occasional check_in after 30 min (6 ticks) without any nudge.
    check_in_after_ticks: int = 6
    # "Interrupt at breakpoints": defer a non-urgent nudge at most ~2 ticks (Iqbal & Bailey 2008).
    breakpoint_defer_ticks: int = 2
    # "Flow": never flow at 8+ switches per 5 min (under 40 s per screen, Mark et al. 2012/2016),
    # times the mode's tolerance. distraction_switch_ticks: for a caller of distraction_signal
    # that counts high ticks itself (decide reads sustained runs instead).
    distraction_switches_floor: int = 8
    distraction_switch_ticks: int = 2
    # "Distraction": switch counts are read as counts over the time they cover (a rolling
    # counter's readings a tick period apart, a per-ping counter's each since the ping before):
    # a stretch of them is distraction when its switches reach distraction_factor x the person's
    # rate, distraction_min_switches per tick period, and a count this rare (Poisson,
    # distraction_rarity) at an upper bound on the rate at distraction_rate_confidence. A rolling
    # counter's rate is read from distraction_rate_ticks tick periods before the stretch (or the
    # person's norm). A tick whose median is below leave_fraction x one reading's threshold ends
    # the episode (hysteresis). Flow ends at a tick whose median reaches max(min_switches,
    # factor x pace, pace + distraction_spreads spreads). Design choices against the person's own
    # readings, tuned on the simulator (docs/companion.md).
    distraction_min_switches: int = 4
    distraction_spreads: float = 3.0
    distraction_factor: float = 2.6
    distraction_leave_fraction: float = 0.75
    distraction_rarity: float = 1e-3
    distraction_rate_confidence: float = 0.7
    distraction_rate_ticks: int = 4
    # "Mode": light and admin work tolerate more switching: the distraction threshold and the
    # flow ceiling are multiplied by these (deep and creative: 1).
    light_switch_tolerance: float = 1.25
    admin_switch_tolerance: float = 1.5
    # "Distraction": self-reported focus <= 0.3; flow also needs focus above it.
    low_focus: float = 0.3
    # "Flow": the switch baseline before the person's pace is known ("a floor like 4"); without
    # a norm from earlier sessions, this session's own pace needs min_switch_history readings
    # spanning switch_history_ticks ticks (a rolling counter's readings overlap).
    flow_switches_floor: int = 4
    min_switch_history: int = 6
    switch_history_ticks: int = 2
    # "Interrupt at breakpoints": a burst of switches (>= max(4, 2 x median)) after a long
    # single-app run (the previous 3 readings at or below the median).
    burst_switches_floor: int = 4
    quiet_run_pings: int = 3
    # Design choice: flow ends after 2 ticks with no behavioural signal at all.
    no_signal_flow_end_ticks: int = 2
    # "Stress and fatigue": stress up >= 0.15 from the session start (a heuristic); the same
    # rise is used for fatigue; >= 0.8 on either is high.
    # The level read is the median of the latest stress_smoothing_readings pinged values; the
    # session's start is the median of its first stress_baseline_readings, read from its first
    # stress_smoothing_readings until there are that many (the person's norm stands in until
    # then; never the model's defaults): a start read from three readings of a person who began
    # a little calmer than usual made their ordinary level a rise. A level within a rise of high at the
    # start needs a further rise. After a recovery break the same signal must rise another
    # stress_rise, or first fall back a whole rise (or to within half a rise of the start).
    stress_smoothing_readings: int = 3
    stress_baseline_readings: int = 5
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
    # "Budget": the last reserved_slots of max_nudges are kept for recovery_break and wrap_up
    # (one each; the wrap-up's is freed once it is sent or when there is no estimate; at most a
    # quarter of max_nudges, so a tiny cap keeps nothing back).
    reserved_slots: int = 2
    # "Budget": a break suggestion counts as taken if activity goes idle/away or pings pause
    # before its break is over; after ignored_breaks_backoff_after ignored ones in a row, every
    # break kind waits ignored_break_spacing_ticks after the last break suggestion (doubling
    # with each further ignored one, at most max_ignored_break_spacing_ticks).
    ignored_breaks_backoff_after: int = 2
    ignored_break_spacing_ticks: int = 12
    max_ignored_break_spacing_ticks: int = 24
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
        positive = (
            "tick_seconds",
            "flow_ticks",
            "long_flow_ticks",
            "micro_break_after_ticks",
            "distraction_switch_ticks",
            "hrv_min_readings",
            "hrv_flag_pings",
            "no_signal_flow_end_ticks",
            "quiet_run_pings",
            "distraction_rate_ticks",
            "stress_smoothing_readings",
            "stress_baseline_readings",
            "light_switch_tolerance",
            "admin_switch_tolerance",
            "distraction_factor",
        )
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"PolicyConfig.{f.name} must be a number, got {value!r}")
            if value < 0 or (f.name in positive and value <= 0):
                raise ValueError(f"PolicyConfig.{f.name} must be {'> 0' if f.name in positive else '>= 0'}")
        for name in ("distraction_rarity", "distraction_rate_confidence"):
            if not 0 < getattr(self, name) < 1:
                raise ValueError(f"PolicyConfig.{name} must be between 0 and 1")
        if self.recovery_fatigue_span <= 0:
            raise ValueError("PolicyConfig.recovery_fatigue_span must be > 0")

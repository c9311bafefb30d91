"""The nudge policy: every tick, one short nudge or break, or a tick that says why not.

One pure function, :func:`decide`, takes the values the tick service gathered
(:class:`TickContext`) and returns one :class:`Decision`: a ``nudge``, a ``break`` or a
``tick`` (nothing sent, with the reason), plus any ``flow_start`` / ``flow_end`` /
``distraction`` detections and the policy's own state for the next tick. No Django, no
clock, no database: the same inputs always give the same decision.

Every default lives in :class:`PolicyConfig` with the source it comes from
(docs/policy.md; DESIGN.md "Runtime knobs"). Durations inside the policy are counted in
tick periods, and one tick stands for :data:`NOMINAL_TICK_MINUTES` minutes of session time
whatever FOCUS_TICK_SECONDS is, so a time-compressed run exercises the same policy; lengths
shown to a person (break minutes, "you've worked about 50 minutes") stay in minutes.

How a tick is decided, in order:

1. an ended session gets a ``tick`` "session_ended" and nothing else;
2. the detectors run on this tick's pings (those since the previous tick), against the person's
   own norms (``TickContext.norms``, else this session's first readings) and the session's mode:
   distraction episodes (sustained runs, self-reports at once), flow start/end (a tick's median,
   with hysteresis), the stretch of non-flow work (reset by stepping away), whether a suggested
   break was taken, stress and fatigue (smoothed, against the session's own start);
3. nothing is sent while settling in (first tick) or during a break the policy suggested (but a
   first recovery break while the person works on through it);
4. the candidates, most important first: ``recovery_break`` (urgent), ``wrap_up``,
   ``refocus``, ``micro_break``, ``check_in``; a candidate is skipped while in flow (except
   recovery_break, wrap_up once the estimate is reached, and the one break after long flow),
   when the same kind was sent too recently or break suggestions keep being ignored
   (``_spacing_blocks``), or when it would spend the cap's last slots kept for recovery_break
   and wrap_up (``_budget_blocks``); the first one left is the proposal;
5. the hard guardrails (:func:`focus.guardrails.guardrail_block`) may block it;
6. wrap_up, micro_break and check_in wait for a breakpoint for at most
   ``breakpoint_defer_ticks`` (recovery_break is urgent; refocus goes at the next allowed
   slot, since a distraction already broke the train of thought; out of flow, wrap_up stops
   waiting once the estimate is reached). When no ping of the
   session carries activity or app switches, breakpoints cannot be seen and nothing waits.

The package, one job per module (``from focus.policy import decide, PolicyConfig, ...`` is the
way in; the tick, focus/engine.py, uses nothing else):

- ``config.py``      :class:`PolicyConfig`, every knob with its source;
- ``norms.py``       :class:`PersonNorms`, the person's own median/MAD per signal across sessions;
- ``inputs.py``      what a tick hands in and gets back; a ping's readings parsed once;
- ``state.py``       the policy's memory between ticks (stored as JSON on the session);
- ``detectors.py``   flow, distraction, breakpoints, stress and fatigue (steps 2 and 6);
- ``candidates.py``  what is worth saying, most important first, spacing and budget (step 4);
- ``decide.py``      :func:`decide`: the order above, the guardrails, the breakpoint wait;
- ``preferences.py`` what the person holds (kinds, working hours): :class:`WorkingHours`.
"""

from __future__ import annotations

from focus import vocabulary
from focus.clock import TICK_MINUTES as NOMINAL_TICK_MINUTES
from focus.policy.config import PolicyConfig
from focus.policy.decide import decide
from focus.policy.detectors import (
    detect_breakpoint,
    distraction_signal,
    distraction_threshold,
    flow_break_reason,
    hrv_corroborates,
    is_flow_tick,
    mode_tolerance,
    recovery_break_minutes,
    strain_baseline,
    strain_level,
    stress_trigger,
    switch_baseline,
    switch_pace,
    typical_switches,
)
from focus.policy.inputs import Decision, Detection, PingSample, RhythmValues, TickContext, parse_ping
from focus.policy.norms import Norm, PersonNorms
from focus.policy.preferences import NEVER_HELD, WEEKDAYS, WorkingHours
from focus.vocabulary import ALLOWED_KINDS, BREAK_KINDS, DETECTION_TYPES

__all__ = [
    "ALLOWED_KINDS",
    "BREAK_KINDS",
    "NOMINAL_TICK_MINUTES",
    "TICK_REASONS",
    "DETECTION_TYPES",
    "DISTRACTION_SIGNALS",
    "PolicyConfig",
    "PersonNorms",
    "Norm",
    "PingSample",
    "RhythmValues",
    "TickContext",
    "WorkingHours",
    "NEVER_HELD",
    "WEEKDAYS",
    "Detection",
    "Decision",
    "decide",
    "parse_ping",
    "switch_baseline",
    "distraction_threshold",
    "is_flow_tick",
    "flow_break_reason",
    "distraction_signal",
    "detect_breakpoint",
    "hrv_corroborates",
    "stress_trigger",
    "recovery_break_minutes",
    "mode_tolerance",
    "strain_baseline",
    "strain_level",
    "switch_pace",
    "typical_switches",
]

# Why a tick sent nothing (focus/vocabulary.py), the guardrail codes included: a proposal the
# guardrails block becomes a tick with their code.
TICK_REASONS: tuple[str, ...] = tuple(vocabulary.TICK_REASONS)
DISTRACTION_SIGNALS: tuple[str, ...] = tuple(vocabulary.DISTRACTION_SIGNALS)

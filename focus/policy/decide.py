"""The decision: one nudge, break, or a tick that says why not (see focus/policy/__init__.py)."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from focus import vocabulary
from focus.clock import as_utc, duration_text, minutes_in_ticks, ticks_covering
from focus.guardrails import guardrail_block
from focus.messages import pick_message
from focus.policy import answers
from focus.policy.candidates import _budget_blocks, _Proposal, _proposals, _spacing_blocks
from focus.policy.config import PolicyConfig
from focus.policy.detectors import (
    _update_distraction,
    _update_flow,
    detect_breakpoint,
    left_the_keyboard,
    mode_tolerance,
    stepped_away,
    strain_baseline,
    strain_level,
    switch_pace,
)
from focus.policy.inputs import ACTIVE, AWAY, IDLE, Decision, Detection, TickContext, parse_ping
from focus.policy.norms import Norm, PersonNorms
from focus.policy.preferences import IN_MEETING, NEVER_HELD, preference_block
from focus.policy.state import _State
from focus.vocabulary import BREAK_KINDS, event_type_for, kind_in_sentence
from focusflow.numbers import finite_number

# --------------------------------------------------------------------------- decision


def _tick(reason: str, detections: list[Detection], state: _State, detail: str | None = None) -> Decision:
    """A tick that sent nothing, with its reason's sentence (focus/vocabulary.py) unless given."""
    text = detail if detail is not None else vocabulary.TICK_REASONS[reason].detail
    return Decision(vocabulary.TICK, {"reason": reason, "detail": text}, tuple(detections), state.to_dict())


def _held_detail(code: str, kind: str, ctx: TickContext, config: PolicyConfig) -> str:
    """Why a proposal of ``kind`` was held back, in the words of its reason (focus/vocabulary.py)."""
    template = vocabulary.TICK_REASONS[code].held or "Held back a {kind}."
    return template.format(
        kind=kind_in_sentence(kind),
        nudges_sent=ctx.nudges_sent,
        gap=duration_text(config.min_gap_seconds / 60, "exact"),
    )


def _watch_break(state: _State, tick_number: int, *, taken: bool) -> None:
    """Follow a suggested break through its length: taken (the person left the keyboard, a pause
    in pings, or an answer on the page) resets the count of ignored ones; worked through, it adds one."""
    if not state.break_watch_until_tick:
        return
    if taken:
        state.breaks_ignored = 0
        state.break_watch_until_tick = 0
    elif tick_number >= state.break_watch_until_tick:
        state.breaks_ignored += 1
        state.break_watch_until_tick = 0


def _rearm_strain(
    state: _State, ctx: TickContext, pings: list, norms: PersonNorms | None, config: PolicyConfig
) -> None:
    """A recovery break answers one level of strain; once that signal falls back a whole rise from
    where the break went out, or to within half a rise of the session's baseline, a new rise may
    ask for another (hysteresis)."""
    for attr, rise in (("stress", config.stress_rise), ("fatigue", config.fatigue_rise)):
        if attr not in state.recovery_levels:
            continue
        level = strain_level(pings, ctx.rhythm_now, attr, config)
        base = strain_baseline(pings, ctx.rhythm_at_start, attr, config, norms)
        sent_at = state.recovery_levels[attr]
        if level is not None and (level < sent_at - rise or (base is not None and level < base[0] + rise / 2)):
            del state.recovery_levels[attr]


def _spread(pace: Norm, config: PolicyConfig) -> float:
    """Switch counts are counts: their spread is at least the square root of their typical
    value (Poisson), however steady a few early readings happened to be."""
    return pace.spread(max(config.switch_spread_floor, math.sqrt(max(0.0, pace.median))))


def decide(ctx: TickContext, config: PolicyConfig) -> Decision:
    """Decide this tick: one nudge, break, or a tick saying why nothing was sent."""
    state = _State.from_mapping(ctx.state)
    if ctx.ended:
        return _tick("session_ended", [], state)
    previous_tick_at = state.last_tick_at

    now = as_utc(ctx.now)
    started = as_utc(ctx.started_at)
    # Pings parsed once (focus/policy/inputs.py), in time order, none from the future.
    pings = sorted((parse_ping(p) for p in ctx.pings), key=lambda p: p.at)
    pings = [p for p in pings if p.at <= now]
    if state.last_tick_at is not None:
        window_start = min(state.last_tick_at, now)
    elif ctx.tick_number <= 1:
        window_start = min(started, now)
    else:
        window_start = now - timedelta(seconds=config.tick_seconds)
    history = [p for p in pings if p.at <= window_start]  # earlier ticks
    window = [p for p in pings if p.at > window_start]  # this tick's pings
    norms = ctx.norms if isinstance(ctx.norms, PersonNorms) else None
    tolerance = mode_tolerance(ctx.mode, config)
    pace = switch_pace(history, config, norms)
    baseline = float(config.flow_switches_floor) if pace is None else pace.median
    spread = config.switch_spread_floor if pace is None else _spread(pace, config)
    on_break = ctx.tick_number <= state.break_until_tick and not answers.break_declined(ctx)

    detections: list[Detection] = []
    if state.in_flow and answers.resumed_since(ctx, previous_tick_at):  # a pause ends a flow stretch
        minutes = minutes_in_ticks(state.flow_ticks)
        state.end_flow()
        detections.append(Detection("flow_end", {"reason": "You paused the session.", "flow_minutes": minutes}))
    distraction = _update_distraction(
        state,
        window,
        pings,
        window_start,
        config,
        norm=norms.known("app_switches") if norms is not None else None,
        tolerance=tolerance,
    )
    flow_event = _update_flow(
        state,
        window,
        baseline,
        config,
        spread=spread,
        tolerance=tolerance,
        distraction_reason=distraction.content["reason"] if distraction else None,
    )
    if flow_event:
        detections.append(flow_event)
    if distraction:
        detections.append(distraction)

    # Idle or away is a break taken on one's own: it resets the break clock, and it is how a
    # suggested break shows it was taken (so do pings pausing during it).
    away_now = stepped_away(window) is not None
    if away_now and not on_break:
        state.work_ticks = 0
    elif not state.in_flow and not on_break:
        state.work_ticks += 1
    answered_break = answers.break_taken_since(ctx, previous_tick_at)  # a resume, or "done" on a break
    if answered_break:
        state.work_ticks = 0
    took = left_the_keyboard(pings, window_start, config)
    _watch_break(state, ctx.tick_number, taken=took or answered_break or (not window and bool(history)))
    _rearm_strain(state, ctx, pings, norms, config)
    state.last_tick_at = now

    if ctx.tick_number <= config.settle_ticks:
        state.deferred_ticks = 0
        return _tick("settling_in", detections, state)
    # A snoozed kind that is due back goes first (focus/policy/answers.py).
    proposals = answers.returning(ctx, state, now, config) + _proposals(ctx, state, window, pings, now, config)
    if on_break:
        # Silent during a suggested break, but for a new strain while the person is visibly not
        # taking it (working on, nothing idle or away): a break they skip is no reason to hold
        # back what a real rise asks for.
        working_on = bool(window) and not took
        urgent = [p for p in proposals if p.kind == "recovery_break" and "recovery_break" not in state.sent_counts]
        if not (urgent and working_on):
            state.deferred_ticks = 0
            return _tick("on_break", detections, state)
        proposals = urgent

    chosen: _Proposal | None = None
    first_block: tuple[str, str, str | None] | None = None
    for proposal in proposals:
        detail = None
        preference = preference_block(
            proposal.kind, now=now, held_kinds=ctx.held_kinds, working_hours=ctx.working_hours
        )
        if preference is not None:  # the person's preferences: a kind they hold, or outside their working hours
            block = preference
        elif ctx.in_meeting and proposal.kind not in NEVER_HELD:  # a meeting from their calendar
            block = IN_MEETING
        elif state.in_flow and not proposal.allowed_in_flow:
            block = "in_flow"
        elif held := answers.hold(proposal, ctx, state, now, config):
            block, detail = held
        elif not proposal.snoozed and _spacing_blocks(proposal.kind, ctx, state, now, config):
            block = "same_kind_spacing"
        elif _budget_blocks(proposal.kind, ctx, state, config):
            block = "budget_reserved"
        else:
            chosen = proposal
            break
        first_block = first_block or (block, proposal.kind, detail)

    if chosen is None:
        state.deferred_ticks = 0
        if first_block:
            code, kind, detail = first_block
            return _tick(code, detections, state, detail or _held_detail(code, kind, ctx, config))
        if state.in_flow:
            return _tick("in_flow", detections, state)
        if away_now:  # a break taken on one's own (the break clock was reset above)
            return _tick("stepped_away", detections, state)
        return _tick("nothing_to_say", detections, state)

    fmt = {"minutes": chosen.break_minutes} if chosen.break_minutes is not None else {}
    message = pick_message(chosen.kind, seed=ctx.tick_number, **fmt)
    blocked = guardrail_block(
        kind=chosen.kind,
        message=message,
        now=now,
        nudges_sent=ctx.nudges_sent,
        last_nudge_at=ctx.last_nudge_at,
        ended=ctx.ended,
        config=config,
    )
    if blocked:
        return _tick(blocked, detections, state, _held_detail(blocked, chosen.kind, ctx, config))

    behaviour_known = any(
        p.activity in (ACTIVE, IDLE, AWAY) or finite_number(p.app_switches) is not None for p in pings
    )
    if (
        chosen.waits_for_breakpoint
        and behaviour_known
        and state.deferred_ticks < config.breakpoint_defer_ticks
        and detect_breakpoint(pings, window_start, baseline, config) is None
    ):
        state.deferred_ticks += 1
        return _tick(
            "waiting_for_breakpoint",
            detections,
            state,
            _held_detail("waiting_for_breakpoint", chosen.kind, ctx, config),
        )

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
        state.break_until_tick = ctx.tick_number + ticks_covering(minutes)
        state.break_watch_until_tick = state.break_until_tick
    if chosen.strain is not None:
        for attr in ("stress", "fatigue"):
            level = strain_level(pings, ctx.rhythm_now, attr, config)
            if level is not None:
                state.recovery_levels[attr] = round(level, 4)
    return Decision(event_type_for(chosen.kind), content, tuple(detections), state.to_dict())

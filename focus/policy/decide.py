"""The decision: one nudge, break, or a tick that says why not (see focus/policy/__init__.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from focus import vocabulary
from focus.clock import as_utc, duration_text, ticks_covering
from focus.guardrails import guardrail_block
from focus.messages import pick_message
from focus.policy import answers
from focus.policy.candidates import _Proposal, _proposals, _spacing_blocks
from focus.policy.config import PolicyConfig
from focus.policy.detectors import _update_distraction, _update_flow, detect_breakpoint, switch_baseline
from focus.policy.inputs import ACTIVE, AWAY, IDLE, Decision, Detection, TickContext, _latest, parse_ping
from focus.policy.preferences import preference_block
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
    baseline = switch_baseline(history, config)
    on_break = ctx.tick_number <= state.break_until_tick and not answers.break_declined(ctx)

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
    if answers.break_taken_since(ctx, previous_tick_at):  # a resume, or "done" on a break
        state.work_ticks = 0
    state.last_tick_at = now

    if ctx.tick_number <= config.settle_ticks:
        state.deferred_ticks = 0
        return _tick("settling_in", detections, state)
    if on_break:
        state.deferred_ticks = 0
        return _tick("on_break", detections, state)

    chosen: _Proposal | None = None
    first_block: tuple[str, str, str | None] | None = None
    # A snoozed kind that is due back goes first (focus/policy/answers.py).
    for proposal in answers.returning(ctx, state, now, config) + _proposals(ctx, state, window, pings, now, config):
        detail = None
        preference = preference_block(
            proposal.kind, now=now, held_kinds=ctx.held_kinds, working_hours=ctx.working_hours
        )
        if preference is not None:  # the person's preferences: a kind they hold, or outside their working hours
            block = preference
        elif state.in_flow and not proposal.allowed_in_flow:
            block = "in_flow"
        elif held := answers.hold(proposal, ctx, state, now, config):
            block, detail = held
        elif not proposal.snoozed and _spacing_blocks(proposal.kind, ctx, state, now, config):
            block = "same_kind_spacing"
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
    return Decision(event_type_for(chosen.kind), content, tuple(detections), state.to_dict())

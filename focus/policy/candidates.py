"""What is worth saying this tick, most important first, and whether the same kind went out too recently."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from focus.clock import (
    SessionClock,
    as_utc,
    duration_text,
    minutes_in_ticks,
    seconds_between,
    session_minutes_of,
    session_seconds_of,
)
from focus.policy.config import PolicyConfig
from focus.policy.detectors import _current, recovery_break_minutes, stress_trigger
from focus.policy.inputs import EPSILON as _EPSILON
from focus.policy.inputs import PingSample, TickContext
from focus.policy.state import _State
from focusflow.numbers import finite_number

# --------------------------------------------------------------------------- proposals


@dataclass(frozen=True)
class _Proposal:
    kind: str
    reason: str
    waits_for_breakpoint: bool = True
    allowed_in_flow: bool = False
    break_minutes: int | None = None
    long_flow: bool = False
    snoozed: bool = False  # a snoozed kind coming back (focus/policy/answers.py): no same-kind spacing


def _proposals(
    ctx: TickContext,
    state: _State,
    window: Sequence[PingSample],
    pings: Sequence[PingSample],
    now: datetime,
    config: PolicyConfig,
) -> list[_Proposal]:
    """Everything worth saying this tick, most important first."""
    started = as_utc(ctx.started_at)
    proposals: list[_Proposal] = []

    reason = stress_trigger(
        window=window,
        pings=pings,
        rhythm_now=ctx.rhythm_now,
        rhythm_at_start=ctx.rhythm_at_start,
        started_at=started,
        config=config,
    )
    if reason:
        fatigue = _current(window, ctx.rhythm_now, "fatigue")
        # Urgent: does not wait for a breakpoint.
        proposals.append(
            _Proposal(
                "recovery_break",
                reason,
                waits_for_breakpoint=False,
                allowed_in_flow=True,
                break_minutes=recovery_break_minutes(fatigue, config),
            )
        )

    estimate = finite_number(ctx.estimated_minutes)
    wrap_up_done = state.wrap_up_sent or "wrap_up" in ctx.last_sent_by_kind
    clock = SessionClock(started, config.tick_seconds, ctx.pauses)  # paused time left out
    elapsed_minutes = clock.session_minutes(now)
    if estimate and estimate > 0 and not wrap_up_done and elapsed_minutes >= estimate - minutes_in_ticks(1) - _EPSILON:
        reached = elapsed_minutes >= estimate - _EPSILON
        est = duration_text(estimate, "adjective")
        if reached:
            text = f"You've reached your {est} estimate."
        else:
            text = f"You're about {duration_text(math.ceil(estimate - elapsed_minutes))} from your {est} estimate."
        # Out of flow it waits for a breakpoint only until the estimate is reached, so it is
        # never later than the estimate; in flow it goes only from then, at a breakpoint.
        proposals.append(
            _Proposal("wrap_up", text, allowed_in_flow=reached, waits_for_breakpoint=state.in_flow or not reached)
        )

    if state.refocus_pending and state.refocus_reason:
        # Sent at the next allowed slot: a distraction is itself a break in the task, so there
        # is no train of thought left to protect by waiting for a breakpoint.
        proposals.append(_Proposal("refocus", state.refocus_reason, waits_for_breakpoint=False))

    if state.in_flow:
        if state.flow_ticks >= config.long_flow_ticks and not state.long_flow_break_offered:
            minutes = duration_text(minutes_in_ticks(state.flow_ticks))
            proposals.append(
                _Proposal(
                    "micro_break",
                    f"You've been in deep focus for about {minutes}.",
                    allowed_in_flow=True,
                    long_flow=True,
                    break_minutes=int(config.long_flow_break_minutes),
                )
            )
    elif state.work_ticks >= config.micro_break_after_ticks:
        minutes = duration_text(minutes_in_ticks(state.work_ticks))
        proposals.append(
            _Proposal(
                "micro_break",
                f"You've worked about {minutes} without a break.",
                break_minutes=int(config.micro_break_minutes),
            )
        )

    if ctx.nudges_sent < config.soft_max_nudges:
        since = as_utc(ctx.last_nudge_at) if ctx.last_nudge_at else started
        quiet_seconds = clock.offset_seconds(now) - clock.offset_seconds(since)
        if quiet_seconds >= session_seconds_of(minutes_in_ticks(config.check_in_after_ticks), config.tick_seconds):
            minutes = duration_text(max(0.0, session_minutes_of(quiet_seconds, config.tick_seconds)))
            what = "the last nudge" if ctx.last_nudge_at else "you started"
            proposals.append(_Proposal("check_in", f"It's been about {minutes} since {what}."))
    return proposals


def _spacing_blocks(kind: str, ctx: TickContext, state: _State, now: datetime, config: PolicyConfig) -> bool:
    last = ctx.last_sent_by_kind.get(kind)
    if last is None:
        return False
    factor = 2 if state.sent_counts.get(kind, 0) >= config.spacing_backoff_after else 1
    spacing = session_seconds_of(minutes_in_ticks(config.same_kind_spacing_ticks * factor), config.tick_seconds)
    return seconds_between(last, now) < spacing

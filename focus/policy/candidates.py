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
from focus.policy.detectors import Strain, recovery_break_minutes, strain_level, strain_signal
from focus.policy.inputs import EPSILON as _EPSILON
from focus.policy.inputs import PingSample, TickContext
from focus.policy.norms import PersonNorms
from focus.policy.state import _State
from focus.vocabulary import BREAK_KINDS
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
    strain: Strain | None = None  # what a recovery_break answers (re-armed once it falls back)


def _norms(ctx: TickContext) -> PersonNorms | None:
    return ctx.norms if isinstance(ctx.norms, PersonNorms) else None


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

    strain = strain_signal(
        pings=pings,
        rhythm_now=ctx.rhythm_now,
        rhythm_at_start=ctx.rhythm_at_start,
        started_at=started,
        config=config,
        norms=_norms(ctx),
        last_levels=state.recovery_levels,
    )
    if strain:
        fatigue = strain_level(pings, ctx.rhythm_now, "fatigue", config)
        # Urgent: does not wait for a breakpoint. A slow drift of tiredness alone does not break
        # into flow (it is what work does; the break after long flow covers it).
        proposals.append(
            _Proposal(
                "recovery_break",
                strain.reason,
                waits_for_breakpoint=False,
                allowed_in_flow=strain.high or strain.attr == "stress",
                break_minutes=recovery_break_minutes(fatigue, config),
                strain=strain,
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
        # It waits for a breakpoint only until the estimate is reached, in flow or not, so it
        # is never later than the estimate (flow is protected until then).
        proposals.append(
            _Proposal("wrap_up", text, allowed_in_flow=reached or not state.in_flow, waits_for_breakpoint=not reached)
        )
    elif not wrap_up_done and ctx.next_meeting_at is not None:
        # A meeting (the person's calendars) will cut the session short: wrap up in the tick before it.
        to_meeting = clock.session_minutes(ctx.next_meeting_at) - elapsed_minutes
        cuts_short = not (estimate and estimate > 0) or elapsed_minutes + to_meeting < estimate - _EPSILON
        if cuts_short and 0 < to_meeting <= minutes_in_ticks(1) + _EPSILON:
            text = f"Your meeting starts in about {duration_text(math.ceil(to_meeting))}."
            proposals.append(_Proposal("wrap_up", text, allowed_in_flow=True, waits_for_breakpoint=False))

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
    """True if a nudge of ``kind`` went out too recently: the same kind within its spacing
    (doubled after ``spacing_backoff_after`` of them), or any break kind while break suggestions
    keep being ignored (:func:`_ignored_breaks_block`)."""
    return _same_kind_blocks(kind, ctx, state, now, config) or _ignored_breaks_block(kind, ctx, state, now, config)


def _same_kind_blocks(kind: str, ctx: TickContext, state: _State, now: datetime, config: PolicyConfig) -> bool:
    last = ctx.last_sent_by_kind.get(kind)
    if last is None:
        return False
    factor = 2 if state.sent_counts.get(kind, 0) >= config.spacing_backoff_after else 1
    ticks = config.refocus_spacing_ticks if kind == "refocus" else config.same_kind_spacing_ticks
    spacing = session_seconds_of(minutes_in_ticks(ticks * factor), config.tick_seconds)
    return seconds_between(last, now) < spacing


def _ignored_breaks_block(kind: str, ctx: TickContext, state: _State, now: datetime, config: PolicyConfig) -> bool:
    """After ``ignored_breaks_backoff_after`` break suggestions ignored in a row, every break kind
    waits ``ignored_break_spacing_ticks`` after the last break suggestion of any kind, doubling
    with each further ignored one (at most ``max_ignored_break_spacing_ticks``). The session's
    first recovery_break is exempt: ignored micro breaks say nothing about a real rise in strain."""
    if kind not in BREAK_KINDS or state.breaks_ignored < config.ignored_breaks_backoff_after:
        return False
    if kind == "recovery_break" and state.sent_counts.get("recovery_break", 0) == 0:
        return False  # the session's first real strain gets through ignored micro breaks
    sent = [as_utc(t) for k, t in ctx.last_sent_by_kind.items() if k in BREAK_KINDS]
    if not sent:
        return False
    extra = state.breaks_ignored - config.ignored_breaks_backoff_after
    ticks = min(config.max_ignored_break_spacing_ticks, config.ignored_break_spacing_ticks * 2 ** min(extra, 8))
    return seconds_between(max(sent), now) < session_seconds_of(minutes_in_ticks(ticks), config.tick_seconds)


RESERVED_KINDS = ("recovery_break", "wrap_up")


def _budget_blocks(kind: str, ctx: TickContext, state: _State, config: PolicyConfig) -> bool:
    """True if sending ``kind`` now would spend a slot of the cap kept for what matters late in a
    session: the last ``reserved_slots`` go only to a recovery_break or the wrap_up (one fewer
    once the wrap-up is sent or when there is no estimate; never more than a quarter of the cap). The hard cap itself is the
    guardrails' (focus/guardrails.py): at the cap, the cap speaks."""
    if kind in RESERVED_KINDS or ctx.nudges_sent >= config.max_nudges:
        return False
    estimate = finite_number(ctx.estimated_minutes)
    wrap_up_due = bool(estimate and estimate > 0) and not (state.wrap_up_sent or "wrap_up" in ctx.last_sent_by_kind)
    # At most a quarter of the cap is kept: a cap of 2 or 3 leaves every slot to whatever comes.
    reserved = min(config.reserved_slots, 1 + (1 if wrap_up_due else 0), config.max_nudges // 4)
    return ctx.nudges_sent >= config.max_nudges - reserved

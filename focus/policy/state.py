"""The policy's memory between ticks, persisted as JSON by the tick (FocusSession.policy_state)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from focus.policy.inputs import _parse_dt
from focus.vocabulary import ALLOWED_KINDS
from focusflow.numbers import finite_number

# --------------------------------------------------------------------------- policy state


@dataclass
class _State:
    """The policy's memory between ticks (persisted as JSON by the tick service)."""

    last_tick_at: datetime | None = None
    flow_streak: int = 0  # consecutive flow-looking ticks before flow starts
    flow_streak_since: str | None = None
    in_flow: bool = False
    flow_ticks: int = 0  # length of the current flow stretch, in ticks
    flow_quiet_ticks: int = 0  # ticks in flow with no behavioural signal
    long_flow_break_offered: bool = False
    distraction_active: bool = False  # an episode is going on (one detection per episode)
    refocus_pending: bool = False
    refocus_reason: str | None = None
    work_ticks: int = 0  # non-flow work since the last break
    deferred_ticks: int = 0  # ticks a proposal has waited for a breakpoint
    break_until_tick: int = 0  # a suggested break runs through this tick number
    wrap_up_sent: bool = False
    sent_counts: dict[str, int] = field(default_factory=dict)
    # Budget: a break suggestion is watched through its break; one not taken counts as ignored.
    break_watch_until_tick: int = 0
    breaks_ignored: int = 0  # break suggestions ignored in a row
    # The stress/fatigue level a recovery break went out at (re-armed once it falls back).
    recovery_levels: dict[str, float] = field(default_factory=dict)

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
                    state.sent_counts = {
                        k: v
                        for k, v in value.items()
                        if k in ALLOWED_KINDS and isinstance(v, int) and not isinstance(v, bool) and v >= 0
                    }
            elif f.name == "recovery_levels":
                if isinstance(value, Mapping):
                    state.recovery_levels = {
                        k: n
                        for k, v in value.items()
                        if k in ("stress", "fatigue") and (n := finite_number(v, 0.0, 1.0)) is not None
                    }
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
        data["recovery_levels"] = dict(self.recovery_levels)
        return data

    def end_flow(self) -> None:
        self.in_flow = False
        self.flow_ticks = 0
        self.flow_quiet_ticks = 0
        self.flow_streak = 0
        self.flow_streak_since = None
        self.long_flow_break_offered = False

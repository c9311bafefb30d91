"""What a tick hands the policy (TickContext, its pings and rhythm values), what the policy hands
back (Decision, Detection), and the small readers of those values.

A ping's readings are parsed once, into typed values (:func:`parse_ping`): the tick builds its
samples from stored ping content with :meth:`PingSample.from_content`, and :func:`focus.policy.decide`
parses whatever it is given once more before it reads anything (a caller may build samples by hand),
so no detector has to second-guess a reading. The readers below still accept raw samples, so each
public detector can be called on its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from typing import Any

from focus.clock import as_utc
from focus.policy.norms import PersonNorms
from focus.policy.preferences import WorkingHours
from focus.vocabulary import (
    ACTIVE,
    ACTIVITIES,
    AWAY,
    IDLE,
    PING_SOURCE_PAGE,
    PING_SOURCES,
    SWITCH_COUNTERS,
    SWITCHES_SINCE_LAST_PING,
)
from focusflow.numbers import finite_number

__all__ = [
    "ACTIVE",
    "AWAY",
    "IDLE",
    "EPSILON",
    "PingSample",
    "RhythmValues",
    "TickContext",
    "NudgeAnswer",
    "Detection",
    "Decision",
    "parse_ping",
]

EPSILON = 1e-9  # so a rise of exactly stress_rise counts despite float rounding (0.45 - 0.30)


@dataclass(frozen=True)
class PingSample:
    at: datetime  # aware UTC
    activity: str | None = None  # "active" | "idle" | "away"
    app_switches: int | None = None  # switches in the last ~5 minutes, or since the last ping
    app_switches_counter: str | None = None  # which of the two, if the client said (SWITCH_COUNTERS)
    source: str | None = None  # "page" | "self_report" | None: a client's (PING_SOURCES)
    focus: float | None = None  # self-reported 0..1
    energy: float | None = None  # 0..1
    stress: float | None = None  # 0..1
    fatigue: float | None = None  # 0..1
    heart_rate: int | None = None  # bpm
    hrv_ms: float | None = None  # RMSSD ms

    @property
    def counts_since_last_ping(self) -> bool:
        """Its ``app_switches`` are the switches since the client's previous ping: the client said
        so, or, saying nothing, it is the live page's own ping (which counts that way)."""
        if self.app_switches_counter is not None:
            return self.app_switches_counter == SWITCHES_SINCE_LAST_PING
        return self.source == PING_SOURCE_PAGE

    @classmethod
    def from_content(cls, at: datetime, content: Mapping[str, Any]) -> PingSample:
        """A parsed sample from a stored ping's content (unknown keys ignored)."""
        known = {f.name for f in fields(cls)} - {"at"}
        return parse_ping(cls(at=at, **{k: v for k, v in content.items() if k in known}))


@dataclass(frozen=True)
class RhythmValues:
    energy: float | None = None
    stress: float | None = None
    fatigue: float | None = None


@dataclass(frozen=True)
class NudgeAnswer:
    """How the person answered one nudge or break of this session (a ``nudge_response`` event)."""

    at: datetime  # when they answered
    kind: str  # the nudge's kind
    response: str  # "done" | "snooze" | "dismiss"
    nudge_at: datetime  # when the nudge was sent
    snooze_minutes: int | None = None
    break_minutes: int | None = None


@dataclass(frozen=True)
class TickContext:
    now: datetime
    started_at: datetime
    estimated_minutes: int
    tick_number: int  # 1 for the session's first tick, 2 for the next, ...
    pings: tuple[PingSample, ...]  # this session's pings, oldest first
    rhythm_now: RhythmValues
    rhythm_at_start: RhythmValues
    nudges_sent: int  # user-facing events already sent in this session
    last_nudge_at: datetime | None
    last_sent_by_kind: Mapping[str, datetime]
    state: Mapping[str, Any]  # the policy's state from the previous tick ({} at first)
    ended: bool = False
    mode: str = "deep"  # the session's mode (focus.models.Mode); unknown modes read as deep
    norms: PersonNorms | None = None  # the person's own norms from earlier sessions (personal_model)
    # Session controls (focus/policy/answers.py). The paused spans (paused at, resumed at), oldest first:
    # the session clock leaves them out and a pause counts as a break.
    pauses: tuple[tuple[datetime, datetime | None], ...] = ()
    # This session's answers to its nudges, oldest first.
    answers: tuple[NudgeAnswer, ...] = ()
    # The person's recent answers per kind across sessions, oldest first ("taken", "snoozed",
    # "dismissed", "ignored"): what the personal model learned (rhythm.PersonalModel.nudge_answers).
    answer_history: Mapping[str, Sequence[str]] = field(default_factory=dict)
    # The person's preferences (focus/policy/preferences.py): kinds they hold, their working hours.
    held_kinds: frozenset[str] = frozenset()
    working_hours: WorkingHours | None = None
    # The person's calendars (focus/meetings.py): in a meeting now (every non-urgent nudge is held),
    # and when the next meeting starts (wrap-up comes before a meeting that cuts the session short).
    in_meeting: bool = False
    next_meeting_at: datetime | None = None


@dataclass(frozen=True)
class Detection:
    event_type: str  # "flow_start" | "flow_end" | "distraction"
    content: dict


@dataclass(frozen=True)
class Decision:
    event_type: str  # "nudge" | "break" | "tick"
    content: dict
    detections: tuple[Detection, ...] = ()
    state: dict = field(default_factory=dict)


_PING_READINGS = ("app_switches", "focus", "energy", "stress", "fatigue", "heart_rate", "hrv_ms")


def parse_ping(sample: PingSample) -> PingSample:
    """The sample with its time in UTC, its activity one of active/idle/away or None, and each
    reading a finite number or None: what every detector would otherwise check on each read."""
    values: dict[str, Any] = {name: finite_number(getattr(sample, name)) for name in _PING_READINGS}
    activity = sample.activity if sample.activity in ACTIVITIES else None
    counter = sample.app_switches_counter if sample.app_switches_counter in SWITCH_COUNTERS else None
    source = sample.source if sample.source in PING_SOURCES else None
    return replace(
        sample, at=as_utc(sample.at), activity=activity, app_switches_counter=counter, source=source, **values
    )


# --------------------------------------------------------------------------- small readers


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def _pct(value: float) -> str:
    return f"{round(_clamp(value, 0.0, 1.0) * 100)}%"


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

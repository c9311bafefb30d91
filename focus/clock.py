"""The session clock: wall time to session time, and how a length of time is worded.

Session time (DESIGN.md "Runtime knobs"): the tick engine may run time-compressed
(FOCUS_TICK_SECONDS=2 instead of 300), so every length inside the product is counted in tick
periods and one tick period stands for :data:`TICK_MINUTES` minutes of session time::

    session_minutes = elapsed_seconds / tick_seconds * TICK_MINUTES

At the default tick (300 s) session minutes are wall-clock minutes. Lengths shown to a person
(an estimate, a break, "you've worked about 50 minutes") are session minutes, so an estimate and
a duration always compare.

Every elapsed time in the focus app is measured here, by :meth:`SessionClock.offset_seconds`
(or :func:`seconds_between` for two instants that are not about a session's running time, such
as the gap since the last nudge). A paused session's clock stops: :meth:`SessionClock.offset_seconds`
leaves out the paused spans (:attr:`SessionClock.pauses`) before ``ts``, so actual duration, session
minutes, the energy curve, flow windows and the summary all leave paused time out.

:func:`duration_text` is the one place a length is worded, in the styles the product uses.

Pure: no Django, no database, no clock of its own; instants are aware datetimes (a naive one is
taken to be UTC).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Literal

# One tick period stands for 5 minutes of session time (DESIGN.md, "Runtime knobs").
TICK_MINUTES = 5

DEFAULT_TICK_SECONDS = 300


def as_utc(value: datetime) -> datetime:
    """Return ``value`` as an aware UTC datetime (a naive value is taken to be UTC already)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def seconds_between(earlier: datetime, later: datetime) -> float:
    """Signed wall-clock seconds from ``earlier`` to ``later``."""
    return (as_utc(later) - as_utc(earlier)).total_seconds()


def session_minutes_of(seconds: float, tick_seconds: float) -> float:
    """Session minutes in ``seconds`` of running time (negative stays negative)."""
    return seconds / tick_seconds * TICK_MINUTES


def session_seconds_of(minutes: float, tick_seconds: float) -> float:
    """Wall-clock seconds that ``minutes`` of session time take at this tick."""
    return minutes / TICK_MINUTES * tick_seconds


def minutes_in_ticks(ticks: float) -> float:
    """Session minutes in ``ticks`` tick periods."""
    return float(ticks * TICK_MINUTES)


def ticks_covering(minutes: float) -> int:
    """The number of whole tick periods that cover ``minutes`` of session time (at least 1)."""
    return max(1, math.ceil(minutes / TICK_MINUTES))


def session_minutes_per_wall_minute(tick_seconds: float) -> float:
    """1 at the default tick, 150 at FOCUS_TICK_SECONDS=2."""
    return TICK_MINUTES * 60 / tick_seconds


# A paused span: (paused at, resumed at); resumed at is None while the session is still paused.
Pause = tuple[datetime, datetime | None]


def paused_seconds_before(pauses: tuple[Pause, ...], since: datetime, until: datetime) -> float:
    """Wall-clock seconds of ``pauses`` that fall between ``since`` and ``until`` (an open pause runs on)."""
    start, end = as_utc(since), as_utc(until)
    total = 0.0
    for paused_at, resumed_at in pauses:
        lo = max(start, as_utc(paused_at))
        hi = min(end, as_utc(resumed_at) if resumed_at is not None else end)
        if hi > lo:
            total += (hi - lo).total_seconds()
    return total


@dataclass(frozen=True)
class SessionClock:
    """One session's clock: where an instant falls in the session, in seconds or session minutes.

    ``pauses`` are the session's paused spans, oldest first; the clock stands still during each."""

    started_at: datetime
    tick_seconds: float = DEFAULT_TICK_SECONDS
    pauses: tuple[Pause, ...] = ()

    @classmethod
    def fitted(
        cls,
        *,
        started_at: datetime,
        ended_at: datetime,
        session_minutes: float,
        tick_seconds: float,
        pauses: tuple[Pause, ...] = (),
    ) -> SessionClock:
        """A clock on which the session from ``started_at`` to ``ended_at`` lasts
        ``session_minutes`` (an ended session's recorded figure), so later reads stay true to it
        even if FOCUS_TICK_SECONDS changed since; the given tick when that cannot be told."""
        clock = cls(started_at, tick_seconds, pauses)
        wall = clock.offset_seconds(ended_at)
        if wall > 0 and session_minutes > 0:
            return cls(started_at, wall / session_minutes * TICK_MINUTES, pauses)
        return clock

    def offset_seconds(self, ts: datetime) -> float:
        """Signed seconds of running time from the start to ``ts``, paused spans left out."""
        offset = seconds_between(self.started_at, ts)
        if not self.pauses or offset <= 0:
            return offset
        return offset - paused_seconds_before(self.pauses, self.started_at, ts)

    def paused_seconds(self, until: datetime) -> float:
        """Wall-clock seconds the session was paused between its start and ``until``."""
        return paused_seconds_before(self.pauses, self.started_at, until)

    def elapsed_seconds(self, until: datetime) -> float:
        """Running time from the start to ``until``, never negative."""
        return max(0.0, self.offset_seconds(until))

    def minute(self, ts: datetime) -> float:
        """Signed session minute of ``ts`` (before the start is negative)."""
        return session_minutes_of(self.offset_seconds(ts), self.tick_seconds)

    def session_minutes(self, until: datetime) -> float:
        """Session minutes of running time to ``until``, never negative. What a session's
        ``actual_duration`` stores, as its summary's ``actual_minutes`` does: wall-clock minutes
        stored there once made a time-compressed run answer ``actual_duration: 0.23`` next to
        ``actual_minutes: 35.0`` (FOCUS_TICK_SECONDS=2); at the default tick the two are the same."""
        return max(0.0, self.minute(until))


# --------------------------------------------------------------------------- wording

DurationStyle = Literal["minutes", "long", "short", "chart", "axis", "timer", "exact", "adjective", "hours"]


def _plural(n: int | str, word: str) -> str:
    return f"{n} {word}" if n in (1, "1") else f"{n} {word}s"


def _finite(value: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return number if math.isfinite(number) else 0.0


def duration_text(minutes: float, style: DurationStyle = "minutes") -> str:
    """A length of ``minutes`` (session minutes) as the product words it.

    ``"minutes"``   "1 minute", "90 minutes" (sentences: nudges, ticks, the summary);
    ``"long"``      "45 minutes", "1 hour 30 minutes", "2 hours" (a chart's description);
    ``"short"``     "45 min", "1 h 5 min", "2 h" (dashboard lists and stats);
    ``"chart"``     "45 min", "1 h 30", "10 h" (inside a chart);
    ``"axis"``      a point on a chart's minute axis: "2.5", "45", "1 h 30", "2 h";
    ``"timer"``     a running timer: "M:SS", "H:MM:SS" from an hour;
    ``"exact"``     "5 minutes" when whole, else "90 seconds" (a setting given in seconds);
    ``"adjective"`` "45-minute" ("a 45-minute estimate");
    ``"hours"``     "12 hours", "1 hour", "0.5 hours" (a fraction only in a time-compressed run).
    """
    value = _finite(minutes)
    if style == "minutes":
        return _plural(int(round(value)), "minute")
    if style == "adjective":
        return f"{int(round(value))}-minute"
    if style == "exact":
        seconds = value * 60
        if seconds >= 60 and abs(seconds - 60 * round(value)) < 1e-6:
            return _plural(int(round(value)), "minute")
        return _plural(int(round(seconds)), "second")
    if style == "hours":
        hours = value / 60
        whole = round(hours)
        return _plural(whole, "hour") if abs(hours - whole) < 0.05 and whole >= 1 else f"{hours:.2g} hours"
    if style == "timer":
        seconds = max(0, int(value * 60))
        hours, rest = divmod(seconds, 3600)
        return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"
    if style == "axis":
        if value >= 60 and value % 60 == 0:
            return f"{int(value // 60)} h"
        if value >= 60:
            return f"{int(value // 60)} h {round(value % 60)}"
        return f"{value:g}" if value != int(value) else str(int(value))
    whole_minutes = max(0, round(value))
    hours, rest = divmod(whole_minutes, 60)
    if style == "chart":
        return f"{whole_minutes} min" if whole_minutes < 60 else duration_text(whole_minutes, "axis")
    if style == "short":
        if whole_minutes < 60:
            return f"{whole_minutes} min"
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    if style == "long":
        if whole_minutes < 60:
            return _plural(whole_minutes, "minute")
        text = _plural(hours, "hour")
        return f"{text} {_plural(rest, 'minute')}" if rest else text
    raise ValueError(f"unknown duration style {style!r}")

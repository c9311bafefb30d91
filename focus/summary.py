"""End-of-session summary: a pure function from a session's events to a JSON-ready dict.

``build_summary`` takes the session's times, its end-of-session answers and its events (pings,
nudges, ticks, flow and distraction events, each with the rhythm snapshot taken when it was
written) and returns only str/int/float/bool/None/list/dict values, so the result can be stored
as-is in ``focus_sessions.summary`` and ``memory_short_term.content``. It never raises on odd
event content: unknown event types, missing keys, wrong value types, NaN and out-of-range
readings are ignored.

Session time
------------
The tick engine may run time-compressed (``FOCUS_TICK_SECONDS=2`` instead of 300). Every
session-relative time in the summary is in minutes of *session time*::

    minute = elapsed_seconds / tick_seconds * 5      # focus/clock.py: one tick period = 5 minutes

so a compressed run reads like a real one; with ``tick_seconds=300`` these are plain minutes.
``duration.actual_minutes`` is session time too, so it compares with the estimate (which is in
nominal minutes). Events outside [started_at, ended_at] are clamped to the session's edges.
Naive datetimes are taken as UTC.

What goes in
------------
- energy curve: the ``energy`` this session's pings reported, and only that (a rhythm snapshot
  holds defaults or values carried from an earlier session: never drawn as a reading). More than ``MAX_CURVE_POINTS`` points are averaged into ``MAX_CURVE_POINTS`` equal
  buckets of session time: one point per non-empty bucket, at the mean minute and the mean energy
  of its readings (the mean, not min/max: the curve shows the level, and dips and spikes are
  friction points of their own). Trend, peak, low and dip are read from that bounded curve. Trend: mean
  of the last third of the points minus mean of the first third; a change smaller than
  ``TREND_THRESHOLD`` is "steady" (exactly the threshold is a trend), fewer than two points is
  "unknown". A dip is the first point at least ``DIP_DROP`` below the highest point before it.
- flow windows: ``flow_start`` opens a window at its ``since`` (when detection says flow began,
  if it parses and lies between the previous window's end and the event) or else at the event;
  ``flow_end`` closes it; a window still open closes at ``ended_at``. A ``flow_end`` with no open
  window is ignored.
- friction points (sorted by minute):
  * ``distraction``: ``distraction`` events with signal ``app_switches``/``low_focus`` (or an
    unknown signal) less than ``EPISODE_MERGE_PERIODS`` tick periods apart form one episode. It
    starts at the first event's ``since`` (when the policy's evidence began; for switching, where
    the switching rose read with all of the episode, ``focus.policy.detectors.switching_rise``,
    when the counts around it can say) and lasts until a
    ping's switches fall below ``DISTRACTION_LEAVE_FRACTION`` of the event's ``threshold`` (for
    switching), a ping with focus above ``LOW_FOCUS`` (for low focus), else one tick period
    after its last event; cut short by a ``flow_start`` or the session end.
  * ``idle_gap``: from a ping reporting ``activity`` idle/away (or a distraction event with signal
    idle/away) until the next ping reporting ``active``, a ``flow_start``, or the session end;
    stretches less than ``IDLE_MERGE_MINUTES`` apart are one, and one shorter than
    ``IDLE_GAP_MIN_MINUTES`` (or resting on one reading and shorter than
    ``IDLE_SINGLE_READING_MINUTES``) is a pause, not listed.
  * ``early_end``: when the session was ended early; ``minutes`` is how far short of the estimate.
  * ``overrun``: when the session ran past its estimate by at least
    max(``OVERRUN_MIN_MINUTES``, ``OVERRUN_FRACTION`` × estimate); ``minutes`` is the overrun.
  * ``stress_spike`` / ``fatigue_spike``: the value (pinged if pinged at least twice, else the
    rhythm snapshots), read as a median of ``SPIKE_SMOOTHING`` points, rose at least
    ``SPIKE_DELTA`` (the policy's 0.15 heuristic) above the session's own start (the median of
    its first pinged readings) within ``SPIKE_WITHIN_MINUTES``; it lasts until it falls below
    half that rise (hysteresis: one point per episode), and goes on if it rises again within
    ``SPIKE_MERGE_MINUTES``; one over within a tick period is not listed; ``minutes`` is how
    long it stayed up.
  * ``nudge_ignored``: a ``nudge``/``break`` that is not itself a break suggestion, followed within
    ``NUDGE_FOLLOW_PERIODS`` tick periods (and before the next nudge) by a ``distraction`` event.
- nudges: ``nudge``/``break`` events counted by ``kind``; ``tick`` events (nothing sent) counted
  by their ``reason`` code. At most ``MAX_COUNTED_LABELS`` labels each; the rarest beyond that are
  counted together as ``other``.

Bounded whatever the number of events
-------------------------------------
A session's events are not bounded (pings, ticks of a session left running), but its summary is:
it is stored twice (the session and the memory record) and returned by ``POST /focus/end``.
Besides the curve's ``MAX_CURVE_POINTS``:

- ``friction_points`` lists at most ``MAX_FRICTION_POINTS``: ``early_end`` and ``overrun`` always,
  then the longest of the rest (earliest first among equals), in minute order. The second sentence
  and ``friction_totals`` (count and minutes per kind, at most seven kinds) count every one.
- ``flow_windows.windows`` lists at most ``MAX_FLOW_WINDOWS``, the longest, in minute order;
  ``count`` and ``total_minutes`` cover every window.
- detail strings are short and fixed but for a distraction's reason, cut at 120 characters.

So the summary stays under about 20 KB plus the person's own ``session_quality`` (which the API
caps with the 64 KB request body). The caller keeps the *reading* bounded too: focus/services.py
hands over, for a session with very many pings, one record per bucket of session time
(``session_end``'s docstring).

Ended automatically
-------------------
``ended_after_hours`` marks a session the max-age sweep ended (focus/overdue.py): the first
sentence says "Ended automatically after N hours", the ``early_end`` friction point says the
session was left running, and ``ended_automatically`` is true.

Pauses
------
``pauses`` are the session's paused spans (focus/clock.py): the session clock stands still during
each, so ``actual_minutes``, the energy curve and flow windows leave paused time out, and an event
written while paused sits at the minute the pause began. ``duration.paused_minutes`` (session
minutes) says how long it was paused, and a sentence says so. ``ended_after_pause_minutes`` marks a
session the pause sweep ended (focus/long_pauses.py): the first sentence says it ended itself
after a pause longer than that, the ``early_end`` friction point says the same, and
``ended_after_pause`` is true.

``summary_sentiment`` turns completion and the person's own quality rating into a number in
[-1, 1] (rounded to 3 places, as ``memory_short_term.sentiment`` stores it), so the emotion
baseline can learn from every ended session.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from focus.clock import SessionClock, duration_text, minutes_in_ticks, session_minutes_of
from focus.policy.config import PolicyConfig
from focus.policy.detectors import switching_rise
from focus.policy.inputs import PingSample
from focus.vocabulary import (
    BREAK_KINDS,
    DISTRACTION_SIGNALS,
    ENDING_FRICTION,
    IDLE_ACTIVITIES,
    PAUSE,
    PAUSE_MEETING,
    RESUME,
)
from focusflow.numbers import finite_number as _number

MAX_CURVE_POINTS = 120
MAX_FRICTION_POINTS = 24  # listed in the summary; friction_totals counts them all
MAX_FLOW_WINDOWS = 24  # listed in the summary; count and total_minutes cover them all
MAX_COUNTED_LABELS = 16  # distinct nudge kinds / tick reasons counted; the rest are "other"
TREND_THRESHOLD = 0.1  # energy (0..1) difference between first and last third
DIP_DROP = 0.15  # energy drop below the running peak that counts as a dip
SPIKE_DELTA = 0.15  # stress/fatigue rise above the session's first value (docs/policy.md: a heuristic)
EPISODE_MERGE_PERIODS = 1.5  # distraction events closer than this (in tick periods) are one episode
DISTRACTION_LEAVE_FRACTION = 0.75  # switches below this share of the threshold end it (the policy's)
IDLE_GAP_MIN_MINUTES = 7.0  # shorter idle/away stretches are a pause for thought, not a gap (a tick and a half)
IDLE_MERGE_MINUTES = 3.0  # idle/away stretches closer than this are one gap
SPIKE_BASE_READINGS = 5  # a pinged series' baseline: the median of its first readings (never a default) ...
SPIKE_BASE_MIN_READINGS = 3  # ... once there are this many (focus/policy: stress_baseline_readings)
SPIKE_SMOOTHING = 3  # a spike is read on the median of this many consecutive points
SPIKE_WITHIN_MINUTES = 30.0  # a spike rose SPIKE_DELTA within this long: a slower climb is a drift
SPIKE_MERGE_MINUTES = 10.0  # a spike rising again this soon after it fell goes on
IDLE_SINGLE_READING_MINUTES = 10.0  # a stretch of one idle reading must last this long (a page pings once per tick)
NUDGE_FOLLOW_PERIODS = 2.0  # a distraction this soon after a nudge means the nudge did not stick
LOW_FOCUS = 0.3  # self-reported focus at or below this is low (docs/policy.md)
OVERRUN_MIN_MINUTES = 5.0
OVERRUN_FRACTION = 0.10
EARLY_END_PENALTY = 0.1  # subtracted from the sentiment of an early-ended session

IDLE_SIGNALS = IDLE_ACTIVITIES


@dataclass(frozen=True)
class EventRecord:
    """One focus event, as the summary needs it (mirrors a ``focus_events`` row)."""

    event_type: str  # session_start | tick | nudge | break | ping | flow_start | flow_end | distraction | session_end
    ts: datetime  # aware UTC
    content: Mapping[str, Any]
    rhythm_snapshot: Mapping[str, Any] | None = None  # {"energy": float|None, "stress": ..., "fatigue": ...}


# --------------------------------------------------------------------------- small helpers


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def _lenient_number(value: Any, lo: float, hi: float) -> float | None:
    """Like ``_number`` but also accepts numeric strings ("4", "0.8")."""
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    return _number(value, lo, hi)


def _unit(value: Any) -> float | None:
    return _number(value, 0.0, 1.0)


def _content(event: EventRecord) -> Mapping[str, Any]:
    content = getattr(event, "content", None)
    return content if isinstance(content, Mapping) else {}


def _snapshot(event: EventRecord) -> Mapping[str, Any]:
    snapshot = getattr(event, "rhythm_snapshot", None)
    return snapshot if isinstance(snapshot, Mapping) else {}


def _label(value: Any, default: str = "unknown") -> str:
    return value if isinstance(value, str) and value else default


def _r1(value: float) -> float:
    return round(float(value), 1)


def _r2(value: float) -> float:
    return round(float(value), 2)


def _json_safe(value: Any, depth: int = 0) -> Any:
    """A JSON-only copy of ``value``: dict keys become strings, non-finite floats None, the rest str()."""
    if depth > 20:
        return None
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, (float, Decimal)):
        number = _number(value)
        return number
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v, depth + 1) for v in value]
    return str(value)


class _Clock:
    """Timestamps as session minutes (focus/clock.py), clamped to the session's edges."""

    def __init__(self, started_at: datetime, ended_at: datetime, tick_seconds: int, pauses: tuple = ()):
        self.session = SessionClock(_aware(started_at), tick_seconds, tuple(pauses))
        self.ended_at = _aware(ended_at)
        self.total = self.session.session_minutes(_aware(ended_at))
        self.paused = session_minutes_of(self.session.paused_seconds(_aware(ended_at)), tick_seconds)

    def raw(self, ts: datetime) -> float:
        return self.session.minute(_aware(ts))

    def minute(self, ts: datetime) -> float:
        return min(self.total, max(0.0, self.raw(ts)))

    def paused_at(self, ts: datetime) -> bool:
        """True if ``ts`` falls inside a paused span (an open one runs on)."""
        t = _aware(ts)
        return any(
            _aware(paused) <= t and (resumed is None or t < _aware(resumed)) for paused, resumed in self.session.pauses
        )

    def pause_starts(self) -> list[datetime]:
        return sorted(_aware(paused) for paused, _ in self.session.pauses)


# --------------------------------------------------------------------------- energy curve


def _series(events: Sequence[EventRecord], clock: _Clock, key: str) -> tuple[list[tuple[float, float]], str]:
    """(minute, value) points for ``key``: pinged if pinged at least twice, else rhythm snapshots."""
    pinged = [
        (clock.minute(e.ts), v)
        for e in events
        if e.event_type == "ping" and (v := _unit(_content(e).get(key))) is not None
    ]
    if len(pinged) >= 2:
        return pinged, "ping"
    rhythm = [(clock.minute(e.ts), v) for e in events if (v := _unit(_snapshot(e).get(key))) is not None]
    if len(rhythm) >= 2 or not pinged:
        return rhythm, "rhythm"
    return pinged, "ping"


def _downsample(points: list[tuple[float, float]], total: float) -> list[tuple[float, float]]:
    if len(points) <= MAX_CURVE_POINTS:
        return points
    width = (total or 1.0) / MAX_CURVE_POINTS
    buckets: dict[int, list[tuple[float, float]]] = {}
    for minute, value in points:
        buckets.setdefault(min(MAX_CURVE_POINTS - 1, int(minute / width)), []).append((minute, value))
    return [(sum(m for m, _ in b) / len(b), sum(v for _, v in b) / len(b)) for _, b in sorted(buckets.items())]


def _pinged(events: Sequence[EventRecord], clock: _Clock, key: str) -> list[tuple[float, float]]:
    """(minute, value) of ``key`` as the person (or their client) pinged it in this session."""
    return [
        (clock.minute(e.ts), v)
        for e in events
        if e.event_type == "ping" and (v := _unit(_content(e).get(key))) is not None
    ]


def energy_curve(events: Sequence[EventRecord], clock: _Clock) -> dict:
    """The energy this session's pings reported, and nothing else: no rhythm snapshot (a default,
    or a value carried over from an earlier session) is drawn as if the person had said it. No
    readings: no points, ``trend`` "unknown", ``readings`` 0 (the pages say how to give some)."""
    points = _pinged(events, clock, "energy")
    readings = len(points)
    points = _downsample(points, clock.total)
    curve: dict[str, Any] = {
        "points": [{"minute": _r1(m), "energy": _r2(v), "source": "ping"} for m, v in points],
        "readings": readings,
        "last_reading_minute": _r1(max(m for m, _ in points)) if points else None,
        "start": None,
        "peak": None,
        "peak_minute": None,
        "low": None,
        "low_minute": None,
        "end": None,
        "dip_minute": None,
        "trend": "unknown",
    }
    if not points:
        return curve
    values = [v for _, v in points]
    peak_i = values.index(max(values))
    low_i = values.index(min(values))
    curve.update(
        start=_r2(values[0]),
        end=_r2(values[-1]),
        peak=_r2(values[peak_i]),
        peak_minute=_r1(points[peak_i][0]),
        low=_r2(values[low_i]),
        low_minute=_r1(points[low_i][0]),
    )
    running_peak = values[0]
    for minute, value in points[1:]:
        if value <= running_peak - DIP_DROP + 1e-9:
            curve["dip_minute"] = _r1(minute)
            break
        running_peak = max(running_peak, value)
    if len(values) >= 2:
        k = max(1, len(values) // 3)
        delta = sum(values[-k:]) / k - sum(values[:k]) / k
        curve["trend"] = "steady" if abs(delta) < TREND_THRESHOLD - 1e-9 else ("rising" if delta > 0 else "falling")
    return curve


# --------------------------------------------------------------------------- flow windows


def _parse_since(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return _aware(datetime.fromisoformat(value.strip()))
    except ValueError:
        return None


def flow_windows(events: Sequence[EventRecord], clock: _Clock) -> dict:
    windows: list[tuple[float, float]] = []
    open_at: float | None = None
    floor = 0.0  # a window never starts before the previous one ended
    for e in events:
        if e.event_type == "flow_start" and open_at is None:
            at = max(floor, clock.minute(e.ts))
            since = _parse_since(_content(e).get("since"))
            if since is not None:
                try:
                    since_minute = clock.minute(since)
                except (OverflowError, TypeError):
                    since_minute = at
                at = min(at, max(floor, since_minute))
            open_at = at
        elif e.event_type == "flow_end" and open_at is not None:
            end = max(open_at, clock.minute(e.ts))
            windows.append((open_at, end))
            open_at, floor = None, end
    if open_at is not None:
        windows.append((open_at, max(open_at, clock.total)))
    listed = windows
    if len(windows) > MAX_FLOW_WINDOWS:  # the longest, earliest first among equals, back in time order
        listed = sorted(sorted(windows, key=lambda w: (-(w[1] - w[0]), w[0]))[:MAX_FLOW_WINDOWS])
    return {
        "windows": [{"start_minute": _r1(s), "end_minute": _r1(t), "minutes": _r1(t - s)} for s, t in listed],
        "total_minutes": _r1(sum(t - s for s, t in windows)),
        "count": len(windows),
    }


# --------------------------------------------------------------------------- friction


def _friction(kind: str, at: float, minutes: float | None, detail: str) -> dict:
    return {"kind": kind, "at_minute": _r1(at), "minutes": None if minutes is None else _r1(minutes), "detail": detail}


def _signal_label(signal: str, default: str) -> str:
    return DISTRACTION_SIGNALS[signal].label if signal in DISTRACTION_SIGNALS else default


def _signal(e: EventRecord) -> str:
    return _label(_content(e).get("signal"), "")


def _distraction_start(e: EventRecord, minute: float, clock: _Clock) -> float:
    """When the evidence of a distraction began: its ``since`` (the policy's first high reading or
    low-focus report) if it parses and is no later than the event, else the event itself."""
    since = _parse_since(_content(e).get("since"))
    if since is None:
        return minute
    try:
        return min(minute, clock.minute(since))
    except (OverflowError, TypeError):
        return minute


def _distraction_episodes(events: Sequence[EventRecord], clock: _Clock, tick_seconds: int) -> list[dict]:
    """One friction point per distraction episode, from when its evidence began (for switching, where
    it rose, read with all of it) to when it ended:
    for switching with a known ``threshold``, the first later ping whose switches fell below
    ``DISTRACTION_LEAVE_FRACTION`` of it; for low focus, a ping with focus above ``LOW_FOCUS``;
    else one tick period after its last event (a later detection whose evidence began before
    that continues the episode, or within a tick period after a self-reported one); in any case the first of two pings in a row that
    say idle or away (the person left: a break, not more distraction), a ``flow_start`` or the
    session end."""
    period = minutes_in_ticks(1)
    tick = timedelta(seconds=tick_seconds)
    config = PolicyConfig(tick_seconds=tick_seconds)
    pings: list[PingSample] | None = None  # read once, when an episode of switching needs them
    episodes: list[dict] = []
    current: dict | None = None
    closed: tuple[dict, float] | None = None  # the latest episode closed, and until when it may go on

    def began(episode: dict, cap: datetime) -> float:
        """A switching episode begins where the switching rose, read with all of it (its
        detection's own ``since`` was read before the rest of it was seen)."""
        nonlocal pings
        if episode["signals"][0] != "app_switches":
            return episode["first"]
        if pings is None:
            pings = [PingSample.from_content(e.ts, _content(e)) for e in events if e.event_type == "ping"]
        until = min(episode["until"] or episode["last_at"] + tick, cap)
        rose = switching_rise(pings, episode["since"], until, config)
        return episode["first"] if rose is None else min(clock.minute(rose), episode["detected_minute"])

    def ended(episode: dict) -> float:
        """The minute it ended at: where a ping said so, else one tick period after its last event."""
        return (
            clock.minute(episode["until"])
            if episode["until"] is not None
            else clock.minute(episode["last_at"]) + period
        )

    def close(end_cap: float, cap: datetime) -> None:
        nonlocal current, closed
        if current is not None:
            first = began(current, cap)
            end = ended(current)
            end = max(min(end, end_cap, clock.total), first)
            # A self-report closes at the next good rating; the switching behind it may show later.
            closed = (current, end + (period if set(current["signals"]) <= {"low_focus"} else 0.0))
            labels = [_signal_label(s, "distraction") for s in current["signals"]]
            label = " and ".join(dict.fromkeys(labels))
            minutes = end - first
            detail = f"{label} for {duration_text(minutes)}"
            if current["reason"]:
                detail += f" ({current['reason'][:120]})"
            episodes.append(_friction("distraction", first, minutes, detail))
            current = None

    for e in events:
        minute = clock.minute(e.ts)
        if e.event_type == "distraction" and _signal(e) not in IDLE_SIGNALS:
            signal = _signal(e)
            # A detection a while after the last one whose evidence begins after it ended is a new
            # episode; evidence that overlaps it is the same stretch.
            if (
                current is not None
                and minute - clock.minute(current["last_at"]) >= EPISODE_MERGE_PERIODS * period
                and _distraction_start(e, minute, clock) >= ended(current)
            ):
                close(clock.total, clock.ended_at)
            if current is None and closed is not None and _distraction_start(e, minute, clock) < closed[1]:
                current = closed[0]  # its evidence began within the last episode: that one goes on
                episodes.pop()
            if current is None:
                reason = _content(e).get("reason")
                since = _parse_since(_content(e).get("since"))
                current = {
                    "first": _distraction_start(e, minute, clock),
                    "since": min(since, _aware(e.ts)) if since is not None else _aware(e.ts),
                    "detected_minute": minute,
                    "signals": [],
                    "reason": reason if isinstance(reason, str) else "",
                    "threshold": None,
                    "until": None,  # when it ended (the ping that said so)
                    "left_at": None,  # when an idle/away ping was just seen
                }
            current["last_at"] = _aware(e.ts)  # its latest detection
            current["until"] = current["left_at"] = None
            current["signals"].append(signal)
            threshold = _number(_content(e).get("threshold"), 0.0)
            if signal == "app_switches" and threshold is not None:
                current["threshold"] = threshold
        elif current is not None:
            content = _content(e)
            if e.event_type == "flow_start":
                close(minute, _aware(e.ts))
                continue
            if e.event_type != "ping" or current["until"] is not None:
                continue
            if content.get("activity") in IDLE_ACTIVITIES:
                if current["left_at"] is not None:
                    current["until"] = current["left_at"]  # two in a row: they stepped away
                    continue
                current["left_at"] = _aware(e.ts)
            else:
                current["left_at"] = None
            switches = _number(content.get("app_switches"), 0.0)
            if (
                current["threshold"] is not None
                and switches is not None
                and switches < DISTRACTION_LEAVE_FRACTION * current["threshold"]
            ):
                current["until"] = _aware(e.ts)  # the switching calmed down here
            elif (
                "low_focus" in current["signals"]
                and set(current["signals"]) <= {"low_focus"}
                and (focus := _unit(content.get("focus"))) is not None
                and focus > LOW_FOCUS
            ):
                close(minute, _aware(e.ts))
    close(clock.total, clock.ended_at)
    return episodes


def _idle_gaps(events: Sequence[EventRecord], clock: _Clock) -> tuple[list[dict], set[str]]:
    """Idle/away stretches, and which of "idle"/"away" were seen.

    A stretch runs from a ping reporting idle/away (or a distraction event with signal idle/away)
    to the next ping reporting ``active``, a ``flow_start`` or the session end. Stretches less than
    ``IDLE_MERGE_MINUTES`` apart are one gap (hysteresis: a single active ping in a break does not
    split it), and a gap shorter than ``IDLE_GAP_MIN_MINUTES`` (``IDLE_SINGLE_READING_MINUTES``
    when it rests on one idle/away reading) is a moment of thought, not listed.

    A pause is the person's own break, not a gap: it closes a stretch at the pause's minute, what
    the client reports while paused is left out, and stretches either side of it are not merged."""
    raw: list[tuple[float, float, list[str]]] = []
    pause_starts = clock.pause_starts()
    barriers: list[float] = []
    seen: set[str] = set()
    start: float | None = None
    kinds: list[str] = []

    def close(end: float) -> None:
        nonlocal start, kinds
        if start is not None:
            raw.append((start, max(start, end), kinds))
        start, kinds = None, []

    for e in events:
        while pause_starts and pause_starts[0] <= _aware(e.ts):
            barriers.append(clock.minute(pause_starts.pop(0)))
            close(barriers[-1])
        if clock.paused_at(e.ts):
            continue
        minute = clock.minute(e.ts)
        content = _content(e)
        idle_kind = None
        if e.event_type == "ping" and content.get("activity") in IDLE_SIGNALS:
            idle_kind = content["activity"]
        elif e.event_type == "distraction" and _signal(e) in IDLE_SIGNALS:
            idle_kind = _signal(e)
        if idle_kind is not None:
            if start is None:
                start = minute
            kinds.append(idle_kind)
        elif start is not None and (
            e.event_type == "flow_start" or (e.event_type == "ping" and content.get("activity") == "active")
        ):
            close(minute)
    if pause_starts:
        barriers.append(clock.minute(pause_starts[0]))
        close(barriers[-1])
    close(clock.total)

    merged: list[tuple[float, float, list[str]]] = []
    for gap in raw:
        split = any(merged[-1][1] <= b <= gap[0] for b in barriers) if merged else True
        if not split and gap[0] - merged[-1][1] < IDLE_MERGE_MINUTES:
            merged[-1] = (merged[-1][0], gap[1], merged[-1][2] + gap[2])
        else:
            merged.append(gap)
    gaps: list[dict] = []
    for begin, end, gap_kinds in merged:
        minutes = end - begin
        if minutes < IDLE_GAP_MIN_MINUTES - 1e-9 or (
            len(gap_kinds) < 2 and minutes < IDLE_SINGLE_READING_MINUTES - 1e-9
        ):
            continue
        seen.update(gap_kinds)
        label = " or ".join(dict.fromkeys(k for k in ("idle", "away") if k in gap_kinds))
        gaps.append(_friction("idle_gap", begin, minutes, f"{label} for {duration_text(minutes)}"))
    return gaps, seen


def _spikes(events: Sequence[EventRecord], clock: _Clock, key: str) -> list[dict]:
    """Stress or fatigue up at least ``SPIKE_DELTA`` from where the session began, with hysteresis.

    The baseline of a pinged series is the median of its first ``SPIKE_BASE_READINGS`` readings
    (at least ``SPIKE_BASE_MIN_READINGS``: the person's own start, never the model's defaults a
    new person's rhythm snapshot holds);
    with fewer readings, or a rhythm-only series, the earliest value known from any source. Each point is read as the median of the last
    ``SPIKE_SMOOTHING`` (one noisy reading is not a spike); a spike starts when that reaches the
    baseline + ``SPIKE_DELTA`` having risen that much within ``SPIKE_WITHIN_MINUTES`` (a slow
    drift over a long session is not a spike), and ends only when it falls below the baseline +
    half of it, so a value hovering at the threshold is one friction point, not many. A spike
    that rises again within ``SPIKE_MERGE_MINUTES`` of its end goes on (one dip below half the
    rise is noise, not a recovery), and one that was over within a tick period was a blip."""
    points, source = _series(events, clock, key)
    if not points:
        return []
    base: float | None = None
    if source == "ping" and len(points) >= SPIKE_BASE_MIN_READINGS:
        base = statistics.median(v for _, v in points[:SPIKE_BASE_READINGS])
    else:
        for e in events:
            value = _unit(_content(e).get(key)) if e.event_type == "ping" else None
            if value is None:
                value = _unit(_snapshot(e).get(key))
            if value is not None:
                base = value
                break
        if base is None:
            return []
    enter = base + SPIKE_DELTA - 1e-9
    leave = base + SPIKE_DELTA / 2
    up_at: float | None = None
    high = base

    ended: list[tuple[float, float, float]] = []  # (rose, fell, highest)

    def add(end: float) -> None:
        assert up_at is not None  # called only while a spike is open
        if ended and up_at - ended[-1][1] < SPIKE_MERGE_MINUTES:
            ended[-1] = (ended[-1][0], end, max(ended[-1][2], high))
        else:
            ended.append((up_at, end, high))

    values = [v for _, v in points]
    levels: list[tuple[float, float]] = []
    for i, (minute, _) in enumerate(points):
        level = statistics.median(values[max(0, i - SPIKE_SMOOTHING + 1) : i + 1])
        # Where it was a while ago (the median of the points SPIKE_WITHIN_MINUTES to two thirds
        # of that before): a step stands out against it, a drift does not.
        before = [lv for m, lv in levels if minute - SPIKE_WITHIN_MINUTES <= m <= minute - SPIKE_WITHIN_MINUTES * 2 / 3]
        levels.append((minute, level))
        sudden = not before or level - statistics.median(before) >= SPIKE_DELTA - 1e-9
        if up_at is None and level >= enter and sudden:
            up_at, high = minute, level
        elif up_at is not None:
            if level >= leave:
                high = max(high, level)
            else:
                add(minute)
                up_at = None
    if up_at is not None:
        add(clock.total)
    period = minutes_in_ticks(1)
    return [
        _friction(f"{key}_spike", rose, fell - rose, f"{key} rose from {base:.0%} to {top:.0%}")
        for rose, fell, top in ended
        if fell - rose >= period or fell >= clock.total
    ]


def _ignored_nudges(events: Sequence[EventRecord], clock: _Clock) -> list[dict]:
    window = minutes_in_ticks(NUDGE_FOLLOW_PERIODS)
    result: list[dict] = []
    pending: tuple[float, str] | None = None  # (minute, kind) of the last nudge still watched
    for e in events:
        minute = clock.raw(e.ts)
        if e.event_type in ("nudge", "break"):
            kind = _label(_content(e).get("kind"))
            pending = None if kind in BREAK_KINDS else (minute, kind)
        elif e.event_type == "distraction" and pending is not None:
            sent_at, kind = pending
            if sent_at < minute <= sent_at + window:
                signal = _signal_label(_signal(e), _signal(e) or "distraction")
                at = min(clock.total, max(0.0, sent_at))
                result.append(
                    _friction(
                        "nudge_ignored",
                        at,
                        None,
                        f"{kind.replace('_', '-')} nudge was followed by more distraction ({signal})",
                    )
                )
                pending = None
            elif minute > sent_at + window:
                pending = None
    return result


# --------------------------------------------------------------------------- sentences


def _duration_phrase(actual: float, estimated: int, early_end: bool, over_estimate: bool) -> str:
    a = round(actual)
    if estimated <= 0:
        return "Under a minute" if actual < 1 else duration_text(a)
    if actual < 1:
        return f"Stopped within the first minute of a {duration_text(estimated, 'adjective')} session"
    if early_end and actual < estimated:
        return f"Stopped at {a} of {estimated} minutes"
    if over_estimate:
        return f"{a} minutes against a {duration_text(estimated, 'adjective')} estimate"
    return f"{a} of {estimated} minutes"


def _flow_phrase(flow_total: float, actual: float) -> str:
    f = round(flow_total)
    if f < 1:
        return ""
    if actual >= 1 and flow_total >= actual - 0.5:
        return "all of it in flow"
    return f"{f} in flow"


def _energy_phrase(curve: dict) -> str:
    trend = curve["trend"]
    if trend == "unknown":
        return ""
    if trend == "rising":
        return "energy rose as you went"
    if curve["dip_minute"] is not None:
        dip = round(curve["dip_minute"])
        return "energy dipped early on" if dip < 1 else f"energy dipped after {duration_text(dip)}"
    if trend == "falling":
        return "energy eased off toward the end"
    return "energy held steady"


def _friction_sentence(friction: list[dict], idle_kinds: set[str]) -> str:
    by_kind: dict[str, list[dict]] = {}
    for f in friction:
        by_kind.setdefault(f["kind"], []).append(f)
    parts: list[str] = []
    if d := by_kind.get("distraction"):
        total = round(sum(f["minutes"] or 0 for f in d))
        noun = "distraction stretch" if len(d) == 1 else "distraction stretches"
        parts.append(f"{len(d)} {noun} ({duration_text(total)})")
    if g := by_kind.get("idle_gap"):
        total = round(sum(f["minutes"] or 0 for f in g))
        label = " or ".join(k for k in ("idle", "away") if k in idle_kinds) or "idle"
        parts.append(f"{label} for {duration_text(total)}" if total else f"a moment {label}")
    for key in ("stress", "fatigue"):
        if s := by_kind.get(f"{key}_spike"):
            at = round(s[0]["at_minute"])
            parts.append(f"{key} rose around minute {at}" if at else f"{key} ran high from the start")
    if n := by_kind.get("nudge_ignored"):
        parts.append("a nudge didn't stick" if len(n) == 1 else f"{len(n)} nudges didn't stick")
    parts = parts[:2]
    if not parts:
        return ""
    text = " and ".join(parts)
    return text[0].upper() + text[1:] + "."


# --------------------------------------------------------------------------- bounds


def _hours(hours: float) -> str:
    """'12 hours', '1 hour', '0.5 hours' (a fraction only in a time-compressed setup)."""
    return duration_text(hours * 60, "hours")


ALWAYS_LISTED = ENDING_FRICTION  # one each at most, and they say how the session ended


def _listed_friction(friction: list[dict]) -> list[dict]:
    """At most MAX_FRICTION_POINTS, in minute order: early_end/overrun, then the longest of the rest."""
    if len(friction) <= MAX_FRICTION_POINTS:
        return friction
    keep = [f for f in friction if f["kind"] in ALWAYS_LISTED]
    rest = sorted(
        (f for f in friction if f["kind"] not in ALWAYS_LISTED),
        key=lambda f: (-(f["minutes"] or 0.0), f["at_minute"], f["kind"]),
    )
    keep += rest[: MAX_FRICTION_POINTS - len(keep)]
    return sorted(keep, key=lambda f: (f["at_minute"], f["kind"]))


def _friction_totals(friction: list[dict]) -> dict:
    """Every friction point counted per kind (the list itself may be capped)."""
    totals: dict[str, dict] = {}
    for f in friction:
        entry = totals.setdefault(f["kind"], {"count": 0, "minutes": 0.0})
        entry["count"] += 1
        entry["minutes"] += f["minutes"] or 0.0
    return {kind: {"count": t["count"], "minutes": _r1(t["minutes"])} for kind, t in sorted(totals.items())}


def _capped(counts: Counter) -> Counter:
    """At most MAX_COUNTED_LABELS labels: the most frequent; the rest are counted as "other"."""
    if len(counts) <= MAX_COUNTED_LABELS:
        return counts
    kept = Counter(dict(counts.most_common(MAX_COUNTED_LABELS - 1)))
    kept["other"] += sum(counts.values()) - sum(kept.values())
    return kept


# --------------------------------------------------------------------------- public API


def build_summary(
    *,
    started_at: datetime,
    ended_at: datetime,
    estimated_minutes: int,
    completion_score: float | None,
    session_quality: Any,
    early_end: bool,
    events: Sequence[EventRecord],
    tick_seconds: int = 300,
    ended_after_hours: float | None = None,
    pauses: Sequence[tuple[datetime, datetime | None]] = (),
    ended_after_pause_minutes: float | None = None,
) -> dict:
    """Summarize an ended session; all session-relative times are session minutes (see module doc).

    ``minute = elapsed_seconds / tick_seconds * 5``: one tick period reads as 5 minutes, so a
    time-compressed run (FOCUS_TICK_SECONDS=2) reads like a real one; with the default 300 these
    are plain minutes. ``ended_after_hours`` is set when the max-age sweep ended the session.
    Raises ValueError only for a ``tick_seconds`` that is not a positive finite number.
    """
    if isinstance(tick_seconds, bool) or not isinstance(tick_seconds, (int, float)) or not 0 < tick_seconds < math.inf:
        raise ValueError("tick_seconds must be a positive finite number")
    clock = _Clock(started_at, ended_at, tick_seconds, tuple(pauses))
    ordered = sorted((e for e in events if isinstance(getattr(e, "ts", None), datetime)), key=lambda e: _aware(e.ts))
    est = _number(estimated_minutes)
    est = max(0, round(est)) if est is not None else 0
    early_end = bool(early_end)
    actual = clock.total
    over = max(0.0, actual - est) if est > 0 else 0.0
    overrun = est > 0 and over >= max(OVERRUN_MIN_MINUTES, OVERRUN_FRACTION * est)
    completion = _number(completion_score)
    completion = None if completion is None else min(1.0, max(0.0, completion))

    curve = energy_curve(ordered, clock)
    flow = flow_windows(ordered, clock)

    idle, idle_kinds = _idle_gaps(ordered, clock)
    friction = _distraction_episodes(ordered, clock, tick_seconds) + idle
    auto_hours = _number(ended_after_hours, 0.0)
    pause_limit = _number(ended_after_pause_minutes, 0.0)
    if early_end:
        short = max(0.0, est - actual)
        detail = (
            f"ended {duration_text(short)} before the {duration_text(est, 'adjective')} estimate"
            if est > 0 and round(short) >= 1
            else "ended early"
        )
        if auto_hours is not None:
            detail = f"left running, ended automatically after {_hours(auto_hours)}"
        elif pause_limit is not None:
            detail = f"paused longer than {duration_text(pause_limit)}, ended automatically"
        friction.append(_friction("early_end", actual, short, detail))
    if overrun:
        friction.append(
            _friction(
                "overrun", est, over, f"ran {duration_text(over)} past the {duration_text(est, 'adjective')} estimate"
            )
        )
    friction += _spikes(ordered, clock, "stress") + _spikes(ordered, clock, "fatigue")
    friction += _ignored_nudges(ordered, clock)
    friction.sort(key=lambda f: (f["at_minute"], f["kind"]))

    sent = _capped(Counter(_label(_content(e).get("kind")) for e in ordered if e.event_type in ("nudge", "break")))
    suppressed = _capped(Counter(_label(_content(e).get("reason")) for e in ordered if e.event_type == "tick"))

    if auto_hours is not None:
        first = f"Ended automatically after {_hours(auto_hours)}"
        first += f" against a {duration_text(est, 'adjective')} estimate" if est > 0 else ""
    elif pause_limit is not None:
        phrase = _duration_phrase(actual, est, early_end, round(actual) > est)
        first = (
            f"Ended by itself after a pause longer than {duration_text(pause_limit)}: {phrase[0].lower()}{phrase[1:]}"
        )
    else:
        first = _duration_phrase(actual, est, early_end, round(actual) > est)
    if flow_phrase := _flow_phrase(flow["total_minutes"], actual):
        first += ", " + flow_phrase
    if energy_phrase := _energy_phrase(curve):
        first += "; " + energy_phrase
    sentences = [first + "."]
    if second := _friction_sentence(friction, idle_kinds):
        sentences.append(second)
    if clock.paused >= 0.5:
        sentences.append(f"Paused for {duration_text(clock.paused)}, left out of the times above.")

    return {
        "duration": {
            "estimated_minutes": est,
            "actual_minutes": _r1(actual),
            "ratio": _r2(actual / est) if est > 0 else None,
            "overrun_minutes": _r1(over),
            "paused_minutes": _r1(clock.paused),
        },
        "completion_score": completion,
        "session_quality": _json_safe(session_quality),
        "early_end": early_end,
        "energy_curve": curve,
        "flow_windows": flow,
        "friction_points": _listed_friction(friction),
        "friction_totals": _friction_totals(friction),
        "nudges": {
            "sent": dict(sorted(sent.items())),
            "sent_total": sum(sent.values()),
            "suppressed": dict(sorted(suppressed.items())),
        },
        "sentences": sentences,
        "headline": " ".join(sentences),
        "ended_automatically": auto_hours is not None,
        "ended_after_pause": pause_limit is not None,
        # Time paused for meetings (focus/meetings.py), counted apart: already left out of every duration.
        "meeting_minutes": meeting_minutes(ordered, ended_at=ended_at, tick_seconds=tick_seconds),
    }


def meeting_minutes(events: Iterable, *, ended_at: datetime, tick_seconds: float) -> float:
    """Session minutes spent paused for meetings, from a session's events in time order (records
    with event_type, ts, content): each meeting pause up to the resume after it, or the end."""
    total, since = 0.0, None
    for event in events:
        if event.event_type == PAUSE and since is None:
            if _content(event).get("reason") == PAUSE_MEETING:
                since = _aware(event.ts)
        elif event.event_type == RESUME and since is not None:
            total += (_aware(event.ts) - since).total_seconds()
            since = None
    if since is not None:
        total += max(0.0, (_aware(ended_at) - since).total_seconds())
    return round(session_minutes_of(total, tick_seconds), 1)


def quality_value(session_quality: Any) -> float | None:
    """The person's own rating as -1..1: {"rating": 1..5} → (r-3)/2, else {"score": 0..1} → 2s-1, else None."""
    if not isinstance(session_quality, Mapping):
        return None
    rating = _lenient_number(session_quality.get("rating"), 1.0, 5.0)
    if rating is not None:
        return (rating - 3.0) / 2.0
    score = _lenient_number(session_quality.get("score"), 0.0, 1.0)
    if score is not None:
        return 2.0 * score - 1.0
    return None


def summary_sentiment(*, completion_score: float | None, session_quality: Any, early_end: bool) -> float:
    """Sentiment of an ended session in [-1, 1], rounded to 3 places; never None.

    The mean of what is known — completion ``2c - 1`` (so 0.5 is neutral) and the quality rating
    (``quality_value``) — minus ``EARLY_END_PENALTY`` for an early end; 0.0 when nothing is known.
    With the seed's thresholds (> 0.25 positive, < -0.25 negative) a completion of 0.8 alone is
    positive and an early end alone is neutral.
    """
    parts = []
    completion = _number(completion_score)
    if completion is not None:
        parts.append(2.0 * min(1.0, max(0.0, completion)) - 1.0)
    quality = quality_value(session_quality)
    if quality is not None:
        parts.append(quality)
    value = sum(parts) / len(parts) if parts else 0.0
    if early_end:
        value -= EARLY_END_PENALTY
    return round(min(1.0, max(-1.0, value)), 3) + 0.0

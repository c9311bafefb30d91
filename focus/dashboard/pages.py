"""What each dashboard page shows, shaped from the person's sessions (reads in reads.py)."""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from focus.clock import SessionClock, duration_text, session_minutes_per_wall_minute
from focus.dashboard import charts
from focus.dashboard.feed import FEED_LIMIT, answered_labels, feed_item, tick_text
from focus.dashboard.format import csv_cell, day_range, percent, remaining_text, streak_days
from focus.dashboard.reads import (
    ended_sessions_since,
    history_sessions,
    recent_events,
    recent_session_pings,
    tasks_with_sessions,
    user_facing_events,
)
from focus.models import EventType, FocusSession, Mode
from focus.summary import MAX_CURVE_POINTS, MAX_FLOW_WINDOWS, MAX_FRICTION_POINTS
from focus.vocabulary import friction_label
from planner.models import Task
from rhythm.selectors import habit_strength

HISTORY_DAYS = 30
RECENT_SESSIONS = 5
_ENERGY_PHRASE = re.compile(r"; energy [^.;]*(?=\.$)")  # "…; energy held steady." in an old stored summary
SUMMARY_NUDGES = 50  # nudges shown on a summary page (FOCUS_MAX_NUDGES is 8 by default)


def time_scale() -> float:
    """Session minutes per wall-clock minute: 1 at the default tick, 150 at FOCUS_TICK_SECONDS=2."""
    return session_minutes_per_wall_minute(settings.FOCUS_TICK_SECONDS)


def session_minutes(session: FocusSession, now: datetime | None = None) -> float:
    """How long a session ran, in session minutes: once ended, the one figure every surface shows
    (``FocusSession.actual_minutes``), else so far (unrounded, for the timer)."""
    if session.ended_at is not None:
        return session.actual_minutes()
    return session.clock().session_minutes(now or timezone.now())


@dataclass
class HomeStats:
    today_minutes: float
    today_sessions: int
    streak: int
    habit_strength: int  # percent
    recent: list[dict] = field(default_factory=list)

    @property
    def today_text(self) -> str:
        """Today's minutes as every duration reads ("4 h 23 min"), the sessions' own figures summed."""
        return duration_text(self.today_minutes, "short")


def session_row(session: FocusSession) -> dict:
    """A session as the lists show it."""
    summary = _mapping(session.summary)
    flow = _mapping(summary.get("flow_windows"))
    return {
        "session": session,
        "minutes": session_minutes(session),
        "minutes_text": duration_text(session_minutes(session), "short"),
        "completion": percent(session.completion_score),
        "flow_minutes": flow.get("total_minutes") or 0,
        "headline": summary.get("headline") or "",
        "friction_count": _friction_count(summary),  # every one, though the summary lists at most 24
    }


def home_stats(*, person_id: uuid.UUID, now: datetime | None = None) -> HomeStats:
    now = now or timezone.now()
    today = timezone.localdate(now)
    # Sessions of the last year are enough to count any realistic streak on a dashboard.
    sessions = list(ended_sessions_since(person_id=person_id, since=now - timedelta(days=366)))
    days = {timezone.localdate(s.started_at) for s in sessions}
    todays = [s for s in sessions if timezone.localdate(s.started_at) == today]
    return HomeStats(
        today_minutes=sum(session_minutes(s) for s in todays),
        today_sessions=len(todays),
        streak=streak_days(days, today),
        habit_strength=percent(habit_strength(person_id=person_id, now=now)) or 0,
        recent=[session_row(s) for s in sessions[:RECENT_SESSIONS]],
    )


def live_page(*, session: FocusSession, now: datetime | None = None) -> dict:
    """Everything the live page shows at load; the page then polls the events API for more."""
    now = now or timezone.now()
    events = recent_events(session=session, limit=FEED_LIMIT)
    last_event_id = max((e.id for e in events), default=0)
    feed = [
        item for e in events if (item := feed_item(event_id=e.id, event_type=e.event_type, ts=e.ts, content=e.content))
    ]
    answered = answered_labels(events)  # a nudge answered already shows its answer, not the buttons
    for item in feed:
        if item.get("answerable") and item["id"] in answered:
            item["answered"] = answered[item["id"]]
    flow_events = [e for e in events if e.event_type in (EventType.FLOW_START, EventType.FLOW_END)]
    in_flow = bool(flow_events) and flow_events[0].event_type == EventType.FLOW_START
    last_tick = next((e for e in events if e.event_type in (EventType.TICK, EventType.NUDGE, EventType.BREAK)), None)
    elapsed = session_minutes(session, now)
    return {
        "feed": feed,
        "in_flow": in_flow,
        "last_event_id": last_event_id,
        "last_tick": last_tick,
        "last_tick_text": tick_text(last_tick.content) if last_tick and last_tick.event_type == EventType.TICK else "",
        "elapsed_minutes": elapsed,
        "elapsed_text": duration_text(elapsed, "timer"),
        "remaining_text": remaining_text(elapsed, session.estimated_duration),
        "progress": min(100, round(100 * elapsed / session.estimated_duration)),
        "ending_early": elapsed < session.estimated_duration,
        "scale": time_scale(),
        "next_check_at": session.next_tick_at,
        # Where each slider starts: this session's last reading, or unset (None). Never the rhythm
        # state, which holds defaults or an earlier session's values the person did not say today.
        "sliders": last_readings(recent_session_pings(session=session, limit=LAST_READING_PINGS)),
        "paused": session.is_paused,
        "paused_minutes": duration_text(session.paused_minutes(now), "short"),
    }


LAST_READING_PINGS = 50  # a slider left unset after 50 pings without it starts unset
SLIDERS = ("energy", "stress", "focus")


def last_readings(pings: Iterable[Any]) -> dict[str, int | None]:
    """Each slider's newest reading in ``pings`` (newest first), as a percent, or None."""
    found: dict[str, int | None] = dict.fromkeys(SLIDERS)
    for ping in pings:
        content = ping.content if isinstance(ping.content, Mapping) else {}
        for key in SLIDERS:
            if found[key] is None:
                found[key] = percent(content.get(key))
        if all(v is not None for v in found.values()):
            break
    return found


def _mapping(value: Any) -> Mapping[str, Any]:
    """A stored JSON object, or an empty one for anything else (summaries are stored data)."""
    return value if isinstance(value, Mapping) else {}


def _number(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def _friction_count(summary: Mapping) -> int:
    """Every friction point of the session: the summary's totals count those its list leaves out."""
    totals = summary.get("friction_totals")
    if isinstance(totals, Mapping):
        counts: list[int] = [
            t["count"] for t in totals.values() if isinstance(t, Mapping) and isinstance(t.get("count"), int)
        ]
        return sum(counts)
    listed = summary.get("friction_points")
    return len(listed) if isinstance(listed, list) else 0


def summary_page(*, session: FocusSession) -> dict:
    """The ended session's summary, with its energy chart drawn (server-side SVG)."""
    summary = _mapping(session.summary)
    duration = _mapping(summary.get("duration"))
    actual = session_minutes(session)
    estimated = duration.get("estimated_minutes") or session.estimated_duration
    # The summary's own scale (robust to FOCUS_TICK_SECONDS changing later).
    clock = SessionClock.fitted(
        started_at=session.started_at,
        ended_at=session.ended_at or session.started_at,
        session_minutes=actual,
        tick_seconds=settings.FOCUS_TICK_SECONDS,
        pauses=session.pause_spans(),
    )

    curve = _mapping(summary.get("energy_curve"))
    # Only readings of this session: summaries stored before focus/summary.py stopped drawing rhythm
    # snapshots carry points with "source": "rhythm" (defaults, carried values), never shown.
    points: list[tuple[Any, Any]] = [
        (p.get("minute"), p.get("energy"))
        for p in curve.get("points") or []
        if isinstance(p, Mapping) and p.get("source", "ping") == "ping"
    ]
    flow = _mapping(summary.get("flow_windows"))
    windows = [
        (w.get("start_minute") or 0, w.get("end_minute") or 0)
        for w in flow.get("windows") or []
        if isinstance(w, Mapping)
    ]
    # Bounded whatever was stored: summaries written before the bounds (focus/summary.py) could list
    # every friction point, and a session can hold more nudge events than FOCUS_MAX_NUDGES allows
    # (a changed setting, imported data).
    points = points[:MAX_CURVE_POINTS]
    windows = windows[:MAX_FLOW_WINDOWS]
    nudge_events = user_facing_events(session=session, limit=SUMMARY_NUDGES)
    nudges = []
    for e in nudge_events:
        item = feed_item(event_id=e.id, event_type=e.event_type, ts=e.ts, content=e.content) or {}
        nudges.append(
            {
                "minute": round(clock.session_minutes(e.ts), 1),
                "at_text": duration_text(clock.session_minutes(e.ts), "short"),
                "title": item.get("title", ""),
                "message": item.get("message", ""),
                "tone": item.get("tone", "nudge"),
                "ts": e.ts,
            }
        )
    friction: list[dict[str, Any]] = []
    stored = summary.get("friction_points")
    listed: list[Any] = stored if isinstance(stored, list) else []
    for f in listed[:MAX_FRICTION_POINTS]:
        if isinstance(f, Mapping):
            friction.append(
                {
                    "kind": f.get("kind"),
                    "label": friction_label(f.get("kind")),
                    "at_minute": f.get("at_minute") or 0,
                    "at_text": duration_text(_number(f.get("at_minute")), "short"),
                    "minutes": f.get("minutes"),
                    "detail": f.get("detail") or "",
                }
            )
    chart_values: dict[str, Any] = {
        "points": points,
        "total_minutes": actual,
        "estimate_minutes": estimated,
        "flow_windows": windows,
        "nudges": [charts.Marker(n["minute"], f"{n['title']}: {n['message']}", n["tone"]) for n in nudges],
        "friction": [charts.Marker(f["at_minute"], f"{f['label']}: {f['detail']}", f["kind"] or "") for f in friction],
    }
    chart = charts.energy_chart(**chart_values)
    # A phone gets the whole session at a readable size, not a wide chart to scroll (CSS picks one).
    phone_chart = charts.energy_chart(
        **chart_values,
        width=380,
        height=320,
        id_prefix="energy-phone",
        css_class="chart energy-chart-phone",
        max_ticks=4,
    )
    quality = session.session_quality if isinstance(session.session_quality, Mapping) else {}
    nudge_counts = _mapping(summary.get("nudges"))
    last_reading = max((m for m, _ in points if isinstance(m, (int, float))), default=None)
    sentences = [str(t) for t in summary.get("sentences") or []]
    if not points and sentences:  # a stored summary's trend drawn from rhythm snapshots is not said either
        sentences[0] = _ENERGY_PHRASE.sub("", sentences[0])
    return {
        "has_summary": bool(summary),
        "headline": " ".join(sentences),
        "sentences": sentences,
        "energy_chart": chart,
        "energy_chart_phone": phone_chart,
        "energy_points": [
            {"minute": m, "at_text": duration_text(_number(m), "short"), "energy": percent(v)} for m, v in points
        ],
        "energy": curve,
        "energy_trend": (curve.get("trend") or "unknown") if points else "unknown",
        "energy_last_minute": last_reading,
        "energy_last_text": duration_text(last_reading or 0.0, "short"),
        "energy_stops_early": last_reading is not None and last_reading < actual - 1,
        "flow_windows": [
            {
                "start": s,
                "end": t,
                "minutes": round(t - s, 1),
                "text": f"{duration_text(_number(s), 'short')} to {duration_text(_number(t), 'short')} "
                f"({duration_text(_number(t) - _number(s), 'short')})",
            }
            for s, t in windows
        ],
        "flow_total": flow.get("total_minutes") or 0,
        "flow_text": duration_text(_number(flow.get("total_minutes")), "short"),
        "flow_count": flow.get("count") if isinstance(flow.get("count"), int) else len(windows),
        "nudges": nudges,
        "held_back": sum(v for v in (nudge_counts.get("suppressed") or {}).values() if isinstance(v, int)),
        "friction": friction,
        "friction_unlisted": max(0, _friction_count(summary) - len(friction)),
        "estimate_chart": charts.estimate_chart(estimated=estimated, actual=actual),
        "estimated": estimated,
        "actual": actual,
        "actual_text": duration_text(actual, "short"),
        "completion": percent(session.completion_score),
        "rating": quality.get("rating"),
        "note": quality.get("note") if isinstance(quality.get("note"), str) else "",
    }


def day_labels(calendar: Sequence[date], every: int = 5) -> list[str]:
    """Every ``every``-th day labelled counting back from today ("16"); the first label and the
    first of each new month name the month ("6 Nov", "1 Dec")."""
    labels, month = [], None
    for i, day in enumerate(calendar):
        if (len(calendar) - 1 - i) % every:
            labels.append("")
            continue
        labels.append(f"{day.day} {day:%b}" if day.month != month else str(day.day))
        month = day.month
    return labels


@dataclass
class History:
    days: list[dict]  # newest first, only days with sessions
    chart: str
    phone_chart: str
    total_minutes: float
    session_count: int
    active_days: int
    sessions: list[FocusSession]
    tasks: list[Task]

    @property
    def total_text(self) -> str:
        return duration_text(self.total_minutes, "short")


def history_start(now: datetime | None = None, days: int = HISTORY_DAYS) -> datetime:
    """Midnight (in the current time zone) at the start of the first of the last ``days`` days."""
    first = day_range(timezone.localdate(now or timezone.now()), days)[0]
    return timezone.make_aware(datetime.combine(first, datetime.min.time()))


def history(
    *,
    person_id: uuid.UUID,
    task_id: uuid.UUID | None = None,
    mode: str | None = None,
    now: datetime | None = None,
    days: int = HISTORY_DAYS,
) -> History:
    now = now or timezone.now()
    today = timezone.localdate(now)
    calendar = day_range(today, days)
    sessions = history_sessions(person_id=person_id, since=history_start(now, days), task_id=task_id, mode=mode)
    by_day: dict[date, list[FocusSession]] = defaultdict(list)
    for s in sessions:
        by_day[timezone.localdate(s.started_at)].append(s)
    minutes = {day: sum(session_minutes(s) for s in by_day.get(day, [])) for day in calendar}
    bars = [
        charts.Bar(
            label=label,
            value=minutes[day],
            title=f"{day:%a} {day.day} {day:%b}: {duration_text(minutes[day], 'short')}",
            highlight=day == today,
        )
        for day, label in zip(calendar, day_labels(calendar))
    ]
    tasks = tasks_with_sessions(person_id=person_id)
    return History(
        days=[
            {
                "day": day,
                "minutes": minutes[day],
                "minutes_text": duration_text(minutes[day], "short"),
                "rows": [session_row(s) for s in by_day[day]],
            }
            for day in reversed(calendar)
            if by_day.get(day)
        ],
        chart=charts.bar_chart(bars=bars, title=f"Focus minutes per day, last {days} days", id_prefix="history"),
        # A phone gets the 30 days at its own width, y-axis included, rather than a chart to scroll.
        phone_chart=charts.bar_chart(
            bars=bars,
            title=f"Focus minutes per day, last {days} days",
            id_prefix="history-phone",
            width=380,
            height=230,
            css_class="chart bar-chart-phone",
        ),
        total_minutes=sum(minutes.values()),
        session_count=len(sessions),
        active_days=len(by_day),
        sessions=sessions,
        tasks=tasks,
    )


CSV_HEADER = (
    "session_id",
    "started_at",
    "ended_at",
    "mode",
    "task",
    "estimated_minutes",
    "actual_minutes",
    "completion_percent",
    "early_end",
    "nudges_sent",
    "flow_minutes",
    "friction_points",
    "summary",
)


def csv_rows(sessions: Sequence[FocusSession]) -> Iterable[list[str]]:
    yield list(CSV_HEADER)
    for s in sessions:
        row = session_row(s)
        yield [
            csv_cell(v)
            for v in (
                s.id,
                timezone.localtime(s.started_at).isoformat(),
                timezone.localtime(s.ended_at).isoformat() if s.ended_at else "",
                s.mode,
                s.task.title if s.task_id and s.task else "",
                s.estimated_duration,
                s.actual_minutes(),
                "" if row["completion"] is None else row["completion"],
                "yes" if s.early_end else "no",
                s.nudges_sent,
                row["flow_minutes"],
                row["friction_count"],
                row["headline"],
            )
        ]


def parse_filters(query: Mapping[str, str]) -> tuple[uuid.UUID | None, str | None]:
    """(task_id, mode) from a query string; anything unknown is ignored rather than an error."""
    task_id = None
    try:
        task_id = uuid.UUID(query.get("task", "")) if query.get("task") else None
    except ValueError:
        task_id = None
    mode = query.get("mode") if query.get("mode") in Mode.values else None
    return task_id, mode

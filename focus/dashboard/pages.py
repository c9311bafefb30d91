"""What each dashboard page shows, shaped from the person's sessions (reads in reads.py)."""

from __future__ import annotations

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
    tasks_with_sessions,
    user_facing_events,
)
from focus.models import EventType, FocusSession, Mode
from focus.summary import MAX_CURVE_POINTS, MAX_FLOW_WINDOWS, MAX_FRICTION_POINTS
from focus.vocabulary import friction_label
from planner.models import Task
from rhythm.selectors import habit_strength, rhythm_snapshot

HISTORY_DAYS = 30
RECENT_SESSIONS = 5
SUMMARY_NUDGES = 50  # nudges shown on a summary page (FOCUS_MAX_NUDGES is 8 by default)


def time_scale() -> float:
    """Session minutes per wall-clock minute: 1 at the default tick, 150 at FOCUS_TICK_SECONDS=2."""
    return session_minutes_per_wall_minute(settings.FOCUS_TICK_SECONDS)


def session_minutes(session: FocusSession, now: datetime | None = None) -> float:
    """How long a session ran, in session minutes: the summary's figure once ended, else so far."""
    summary = _mapping(session.summary)
    duration = summary.get("duration")
    actual = duration.get("actual_minutes") if isinstance(duration, Mapping) else None
    if isinstance(actual, (int, float)) and not isinstance(actual, bool):
        return float(actual)
    end = session.ended_at or now or timezone.now()
    return session.clock().session_minutes(end)


@dataclass
class HomeStats:
    today_minutes: float
    today_sessions: int
    streak: int
    habit_strength: int  # percent
    recent: list[dict] = field(default_factory=list)


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
    rhythm = rhythm_snapshot(person_id=session.person_id)
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
        "paused": session.is_paused,
        "paused_minutes": duration_text(session.paused_minutes(now), "short"),
        "sliders": {
            "energy": _or(percent(rhythm.get("energy")), 60),
            "stress": _or(percent(rhythm.get("stress")), 30),
            "focus": 60,
        },
    }


def _mapping(value: Any) -> Mapping[str, Any]:
    """A stored JSON object, or an empty one for anything else (summaries are stored data)."""
    return value if isinstance(value, Mapping) else {}


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


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
    points: list[tuple[Any, Any]] = [
        (p.get("minute"), p.get("energy")) for p in curve.get("points") or [] if isinstance(p, Mapping)
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
                    "minutes": f.get("minutes"),
                    "detail": f.get("detail") or "",
                }
            )
    chart = charts.energy_chart(
        points=points,
        total_minutes=actual,
        estimate_minutes=estimated,
        flow_windows=windows,
        nudges=[charts.Marker(n["minute"], f"{n['title']}: {n['message']}", n["tone"]) for n in nudges],
        friction=[charts.Marker(f["at_minute"], f"{f['label']}: {f['detail']}", f["kind"] or "") for f in friction],
    )
    quality = session.session_quality if isinstance(session.session_quality, Mapping) else {}
    nudge_counts = _mapping(summary.get("nudges"))
    return {
        "has_summary": bool(summary),
        "headline": summary.get("headline") or "",
        "sentences": summary.get("sentences") or [],
        "energy_chart": chart,
        "energy_points": [{"minute": m, "energy": percent(v)} for m, v in points],
        "energy": curve,
        "energy_trend": curve.get("trend") or "unknown",
        "flow_windows": [{"start": s, "end": t, "minutes": round(t - s, 1)} for s, t in windows],
        "flow_total": flow.get("total_minutes") or 0,
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


@dataclass
class History:
    days: list[dict]  # newest first, only days with sessions
    chart: str
    total_minutes: float
    session_count: int
    active_days: int
    sessions: list[FocusSession]
    tasks: list[Task]


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
            label=day.strftime("%-d") if (len(calendar) - 1 - i) % 5 == 0 else "",
            value=minutes[day],
            title=f"{day:%a %b} {day.day}: {duration_text(minutes[day], 'short')}",
            highlight=day == today,
        )
        for i, day in enumerate(calendar)
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
    "completion_score",
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
                round(row["minutes"], 1),
                "" if s.completion_score is None else s.completion_score,
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

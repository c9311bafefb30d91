"""What a scheduler run is judged by, read back from the database after the processes stopped:
tick lateness (execution time minus due time), sustained ticks/s, and guardrail violations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection

TICK_TYPES = ("tick", "nudge", "break")
USER_FACING = ("nudge", "break")
ALLOWED_KINDS = ("check_in", "refocus", "micro_break", "recovery_break", "wrap_up")


def _rows(sql: str, params: dict | None = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or {})
        return cursor.fetchall()


@dataclass
class Lateness:
    due: int  # ticks due in the window (sessions still active)
    done: list[float]  # lateness in seconds of the ticks that ran
    pending: list[float]  # for ticks that never ran: how late they were when the run stopped


def measured_lateness(*, t0: datetime, window_end: datetime, stopped_at: datetime) -> Lateness:
    """Each seeded session due in [t0, window_end) ticks once there: its first tick event at or
    after t0, minus its due time (bench_due). Sessions the churn ended are never in this set."""
    rows = _rows(
        """
        SELECT extract(epoch FROM d.due), extract(epoch FROM first.ts)
        FROM bench_due d
        JOIN focus_sessions s ON s.id = d.session_id
        LEFT JOIN LATERAL (
            SELECT min(e.ts) AS ts FROM focus_events e
            WHERE e.session_id = d.session_id AND e.event_type IN ('tick', 'nudge', 'break') AND e.ts >= %(t0)s
        ) first ON true
        WHERE d.due >= %(t0)s AND d.due < %(end)s AND (s.ended_at IS NULL OR s.ended_at > %(end)s)
        """,
        {"t0": t0, "end": window_end},
    )
    stop = stopped_at.timestamp()
    done = [float(ts) - float(due) for due, ts in rows if ts is not None]
    pending = [stop - float(due) for due, ts in rows if ts is None]
    return Lateness(due=len(rows), done=done, pending=pending)


def started_lateness(*, t0: datetime) -> list[float]:
    """Sessions started during the run: their first tick minus their start (due at start)."""
    rows = _rows(
        """
        SELECT extract(epoch FROM min(e.ts) - s.started_at)
        FROM focus_sessions s JOIN focus_events e ON e.session_id = s.id AND e.event_type IN ('tick', 'nudge', 'break')
        WHERE s.started_at >= %(t0)s GROUP BY s.id, s.started_at
        """,
        {"t0": t0},
    )
    return [float(r[0]) for r in rows]


def ticks_between(start: datetime, end: datetime) -> int:
    return _rows(
        "SELECT count(*) FROM focus_events WHERE event_type IN ('tick', 'nudge', 'break') "
        "AND ts >= %(start)s AND ts < %(end)s",
        {"start": start, "end": end},
    )[0][0]


def behind_seconds() -> float:
    """How far behind the oldest due, untouched, measured tick is right now (0 when none is due)."""
    value = _rows(
        """
        SELECT extract(epoch FROM now() - min(d.due)) FROM bench_due d JOIN focus_sessions s ON s.id = d.session_id
        WHERE s.tick_count = d.ticks_before AND s.ended_at IS NULL AND d.due <= now()
        """
    )[0][0]
    return float(value or 0.0)


def unticked(window_end: datetime) -> int:
    return _rows(
        """
        SELECT count(*) FROM bench_due d JOIN focus_sessions s ON s.id = d.session_id
        WHERE s.tick_count = d.ticks_before AND s.ended_at IS NULL AND d.due < %(end)s
        """,
        {"end": window_end},
    )[0][0]


def violations(*, period: int, min_gap: int, max_nudges: int) -> dict[str, int]:
    """Every guarantee of DESIGN.md "Guardrails", checked over the whole benchmark database."""
    checks = {
        # only allowed kinds; micro tone (at most 120 characters)
        "kind_or_tone": """
            SELECT count(*) FROM focus_events WHERE event_type IN ('nudge', 'break') AND (
                NOT (content->>'kind' = ANY(%(kinds)s)) OR content->>'tone' IS DISTINCT FROM 'micro'
                OR length(content->>'message') > 120 OR content->>'message' IS NULL)""",
        # at most one user-facing event per min gap per session
        "min_gap": """
            SELECT count(*) FROM (
                SELECT ts - lag(ts) OVER (PARTITION BY session_id ORDER BY ts, id) AS gap
                FROM focus_events WHERE event_type IN ('nudge', 'break')) g
            WHERE g.gap < make_interval(secs => %(gap)s)""",
        # at most max_nudges per session, and the counter agrees with the events
        "cap": """
            SELECT count(*) FROM focus_sessions s LEFT JOIN (
                SELECT session_id, count(*) AS n FROM focus_events WHERE event_type IN ('nudge', 'break')
                GROUP BY session_id) f ON f.session_id = s.id
            WHERE coalesce(f.n, 0) > %(max_nudges)s OR coalesce(f.n, 0) <> s.nudges_sent""",
        # none after the session ended
        "after_end": """
            SELECT count(*) FROM focus_events e JOIN focus_sessions s ON s.id = e.session_id
            WHERE s.ended_at IS NOT NULL AND e.event_type IN ('tick', 'nudge', 'break') AND e.ts > s.ended_at""",
        # never two ticks of one session at once: no two tick events of a session within half a period
        "double_tick": """
            SELECT count(*) FROM (
                SELECT ts - lag(ts) OVER (PARTITION BY session_id ORDER BY ts, id) AS gap
                FROM focus_events WHERE event_type IN ('tick', 'nudge', 'break')) g
            WHERE g.gap < make_interval(secs => %(half)s)""",
        # exactly one event per tick: the session's tick counter moved by as many tick events as it has
        "event_per_tick": """
            SELECT count(*) FROM focus_sessions s
            LEFT JOIN bench_due d ON d.session_id = s.id
            LEFT JOIN (SELECT session_id, count(*) AS n FROM focus_events
                       WHERE event_type IN ('tick', 'nudge', 'break') GROUP BY session_id) t ON t.session_id = s.id
            WHERE s.tick_count - coalesce(d.ticks_before - 1, 0) <> coalesce(t.n, 0)""",
    }
    params = {"kinds": list(ALLOWED_KINDS), "gap": min_gap, "max_nudges": max_nudges, "half": period / 2}
    return {name: _rows(sql, params)[0][0] for name, sql in checks.items()}

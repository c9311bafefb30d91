"""The browser dashboard's reads and page shaping: what each page shows, from the person's sessions.

Everything is scoped to one person (the dashboard always shows the signed-in person's own data,
staff included). One job per module:

- ``reads.py``   what the pages read from the database, through focus.selectors;
- ``pages.py``   each page's values (home, live, summary, history, the CSV export);
- ``feed.py``    the one feed renderer: how an event reads in the live feed, for the first page
  and for the updates the page fetches (templates/focus/_feed_item.html);
- ``format.py``  pure helpers (streaks, day buckets, the remaining text, CSV cells, percents);
- ``charts.py``  the server-drawn SVG charts (pure).

Session time: lengths shown to a person are session minutes (focus/clock.py), as in the summary,
so an estimate of 45 minutes and a duration are always comparable.
"""

from __future__ import annotations

from focus.dashboard.feed import FEED_LIMIT, answer_text, feed_html, feed_item, feed_update, ping_text, tick_text
from focus.dashboard.format import csv_cell, day_range, percent, remaining_text, streak_days
from focus.dashboard.pages import (
    CSV_HEADER,
    HISTORY_DAYS,
    RECENT_SESSIONS,
    SUMMARY_NUDGES,
    History,
    HomeStats,
    csv_rows,
    history,
    history_start,
    home_stats,
    live_page,
    parse_filters,
    session_minutes,
    session_row,
    summary_page,
    time_scale,
)
from focus.dashboard.reads import ended_sessions_since, history_sessions, open_tasks

__all__ = [
    "CSV_HEADER",
    "FEED_LIMIT",
    "HISTORY_DAYS",
    "RECENT_SESSIONS",
    "SUMMARY_NUDGES",
    "History",
    "HomeStats",
    "csv_cell",
    "csv_rows",
    "day_range",
    "ended_sessions_since",
    "answer_text",
    "feed_html",
    "feed_item",
    "feed_update",
    "history",
    "history_sessions",
    "history_start",
    "home_stats",
    "live_page",
    "open_tasks",
    "parse_filters",
    "percent",
    "ping_text",
    "remaining_text",
    "session_minutes",
    "session_row",
    "streak_days",
    "summary_page",
    "tick_text",
    "time_scale",
]

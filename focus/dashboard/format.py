"""Pure helpers for the pages: streaks, day buckets, the timer's remaining text, CSV cells, percents."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from focus.clock import duration_text


def streak_days(days: Iterable[date], today: date) -> int:
    """Consecutive days with a focus session, counting back from today (or from yesterday when
    today has none yet: a streak is not broken before the day is over)."""
    seen = set(days)
    day = today if today in seen else today - timedelta(days=1)
    count = 0
    while day in seen:
        count += 1
        day -= timedelta(days=1)
    return count


def day_range(today: date, days: int) -> list[date]:
    """The last ``days`` days, oldest first, ending with today."""
    return [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]


def remaining_text(elapsed_minutes: float, estimate_minutes: float) -> str:
    left = estimate_minutes - elapsed_minutes
    if left >= 0.5:
        return f"{duration_text(left, 'short')} left of {round(estimate_minutes)}"
    if left > -0.5:
        return "Right at your estimate"
    return f"{duration_text(-left, 'short')} past your estimate"


def csv_cell(value: Any) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def percent(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return round(min(1.0, max(0.0, float(value))) * 100)

"""What a person told the policy (their preferences): kinds they hold, and their working hours.

Pure: the tick reads the person's preferences (rhythm.models.PersonPreferences) once per batch and
hands them over in TickContext (`held_kinds`, `working_hours`); `preference_block` says whether a
proposal of a kind is held by them, with the tick reason's code (focus/vocabulary.py).

A recovery break is never held: it is the policy's answer to rising stress or fatigue, the one nudge
that protects the person rather than their plan (the preferences API refuses to hold it, and working
hours do not hold it either). The guardrails are not preferences and never move.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, time, timedelta

NEVER_HELD = frozenset({"recovery_break"})
HELD_BY_YOU = "held_by_you"
OUTSIDE_WORKING_HOURS = "outside_working_hours"
IN_MEETING = (
    "in_meeting"  # a meeting from the person's calendars (TickContext.in_meeting); not a preference, but held alike
)
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # datetime.weekday() order


@dataclass(frozen=True)
class WorkingHours:
    """Working hours in a time zone: from `start` to `end` on each of `days` (0 = Monday). An `end`
    at or before `start` runs past midnight (22:00-06:00 belongs to the day it starts on)."""

    start: time
    end: time
    days: frozenset[int]
    zone: str  # an IANA name, validated at the edge (the preferences API)

    def contains(self, moment: datetime) -> bool:
        try:
            local = moment.astimezone(zoneinfo.ZoneInfo(self.zone))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return True  # a zone this machine no longer knows: hold nothing rather than everything
        clock = local.time().replace(tzinfo=None)
        if self.start < self.end:
            return local.weekday() in self.days and self.start <= clock < self.end
        # Past midnight: the evening part belongs to today, the morning part to yesterday.
        if clock >= self.start:
            return local.weekday() in self.days
        yesterday = (local - timedelta(days=1)).weekday()
        return clock < self.end and yesterday in self.days


def preference_block(
    kind: str, *, now: datetime, held_kinds: Collection[str], working_hours: WorkingHours | None
) -> str | None:
    """The tick reason a proposal of `kind` is held for by the person's preferences, or None."""
    if kind in NEVER_HELD:
        return None
    if kind in held_kinds:
        return HELD_BY_YOU
    if working_hours is not None and not working_hours.contains(now):
        return OUTSIDE_WORKING_HOURS
    return None

"""From an iCalendar text to the busy times in a window: every VEVENT occurrence (recurrences,
exceptions and their time zones expanded by recurring-ical-events) that blocks time. Pure.

What counts as busy: a timed event (not an all-day one: those are days off, birthdays or
reminders, rarely meetings) that is not marked free (TRANSP:TRANSPARENT) nor cancelled. A floating
time (no zone) is read in the calendar's X-WR-TIMEZONE, else UTC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time

import icalendar
import recurring_ical_events

MAX_BUSY_TIMES = 2000  # per feed and window: a runaway RRULE (FREQ=SECONDLY) stops here
MAX_TITLE = 200


class CalendarUnreadable(ValueError):
    """Not an iCalendar text we can read; the message is short and safe to show its owner."""


@dataclass(frozen=True)
class Busy:
    starts_at: datetime
    ends_at: datetime
    title: str


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def busy_times(text: str | bytes, *, start: datetime, end: datetime) -> list[Busy]:
    """The busy times overlapping [start, end), in start order, at most MAX_BUSY_TIMES."""
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except Exception as exc:  # icalendar raises ValueError, KeyError, IndexError … on bad input
        raise CalendarUnreadable(f"This is not an iCalendar file we can read ({type(exc).__name__}).") from None
    if not isinstance(calendar, icalendar.Calendar):
        raise CalendarUnreadable("This is not an iCalendar file (no VCALENDAR).")
    found: list[Busy] = []
    try:
        query = recurring_ical_events.of(calendar, skip_bad_series=True)
        for event in query.after(start):
            first = event.get("DTSTART")
            if first is None:
                continue
            begins = first.dt
            if not isinstance(begins, datetime):  # an all-day event: not busy time
                if datetime.combine(begins, time(), UTC) >= end:
                    break
                continue
            begins = _aware(begins)
            if begins >= end:
                break  # occurrences come in start order
            if str(event.get("TRANSP", "")).upper() == "TRANSPARENT" or str(event.get("STATUS", "")).upper() == (
                "CANCELLED"
            ):
                continue
            last = event.get("DTEND")
            if last is not None and isinstance(last.dt, datetime):
                ends = _aware(last.dt)
            elif event.get("DURATION") is not None:
                ends = begins + event["DURATION"].dt
            else:
                ends = begins  # no end and no duration: an instant, no busy time
            if ends <= begins or ends <= start:
                continue
            title = " ".join(str(event.get("SUMMARY", "")).split())[:MAX_TITLE]
            found.append(Busy(begins, ends, title))
            if len(found) >= MAX_BUSY_TIMES:
                break
    except CalendarUnreadable:
        raise
    except Exception as exc:  # a broken RRULE or time zone the library refuses
        raise CalendarUnreadable(f"This calendar could not be expanded ({type(exc).__name__}).") from None
    return found

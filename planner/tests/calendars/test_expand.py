"""Expanding a calendar into busy times (pure): recurrences, exceptions, time zones, what is not busy."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from planner.calendars.expand import MAX_BUSY_TIMES, CalendarUnreadable, busy_times
from planner.tests.calendars.ics import WEEKLY_NEW_YORK, one_meeting


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_weekly_meeting_in_new_york_expands_across_the_end_of_daylight_saving_time():
    found = busy_times(WEEKLY_NEW_YORK, start=utc(2026, 10, 5), end=utc(2026, 11, 18))
    assert [(b.starts_at, b.ends_at, b.title) for b in found] == [
        (utc(2026, 10, 6, 13, 30), utc(2026, 10, 6, 14, 0), "Team standup"),  # EDT, UTC-4
        # 13 October skipped (EXDATE)
        (utc(2026, 10, 20, 13, 30), utc(2026, 10, 20, 14, 0), "Team standup"),
        (utc(2026, 10, 27, 13, 30), utc(2026, 10, 27, 14, 0), "Team standup"),
        (utc(2026, 11, 3, 16, 0), utc(2026, 11, 3, 16, 30), "Team standup (moved)"),  # 11:00 EST, UTC-5
        (utc(2026, 11, 10, 14, 30), utc(2026, 11, 10, 15, 0), "Team standup"),  # 09:30 EST
        (utc(2026, 11, 17, 14, 30), utc(2026, 11, 17, 15, 0), "Team standup"),
    ]
    assert all(b.starts_at.tzinfo is not None for b in found)


def test_all_day_free_and_cancelled_events_are_not_busy():
    found = busy_times(WEEKLY_NEW_YORK, start=utc(2026, 10, 21), end=utc(2026, 10, 23))
    assert found == []


def test_a_meeting_under_way_at_the_window_start_counts():
    found = busy_times(
        one_meeting(utc(2026, 5, 1, 9), utc(2026, 5, 1, 10)), start=utc(2026, 5, 1, 9, 30), end=utc(2026, 5, 2)
    )
    assert [b.starts_at for b in found] == [utc(2026, 5, 1, 9)]


def test_a_floating_time_is_read_in_the_calendars_x_wr_timezone():
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nX-WR-TIMEZONE:Europe/Berlin\r\n"
        "BEGIN:VEVENT\r\nUID:f@x\r\nDTSTAMP:20260601T000000Z\r\nDTSTART:20260602T100000\r\n"
        "DTEND:20260602T110000\r\nSUMMARY:Floating\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    (busy,) = busy_times(text, start=utc(2026, 6, 1), end=utc(2026, 6, 3))
    assert busy.starts_at == utc(2026, 6, 2, 8)  # 10:00 in Berlin (CEST, UTC+2)


def test_a_runaway_rule_stops_at_the_cap():
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n"
        "BEGIN:VEVENT\r\nUID:r@x\r\nDTSTAMP:20260601T000000Z\r\nDTSTART:20260601T000000Z\r\n"
        "DTEND:20260601T000030Z\r\nRRULE:FREQ=MINUTELY\r\nSUMMARY:Spam\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    assert len(busy_times(text, start=utc(2026, 6, 1), end=utc(2026, 6, 8))) == MAX_BUSY_TIMES


@pytest.mark.parametrize(
    "text", ["", "hello", "BEGIN:VEVENT\r\nEND:VEVENT\r\n", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n", b"\xff\xfe"]
)
def test_what_is_not_a_calendar_is_refused_cleanly(text):
    with pytest.raises(CalendarUnreadable):
        busy_times(text, start=utc(2026, 6, 1), end=utc(2026, 6, 8))

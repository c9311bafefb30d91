"""iCalendar texts for the calendar tests."""

from __future__ import annotations

from datetime import UTC, datetime

# A weekly meeting at 09:30 New York time (Tuesdays), across the end of daylight saving time on
# 2026-11-01: 13:30 UTC before, 14:30 UTC after. One week is skipped (EXDATE), one is moved to
# 11:00 (RECURRENCE-ID), and there is an all-day event, a free one and a cancelled one.
WEEKLY_NEW_YORK = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//FocusFlow tests//EN
BEGIN:VTIMEZONE
TZID:America/New_York
BEGIN:DAYLIGHT
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
TZNAME:EDT
DTSTART:19700308T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
TZNAME:EST
DTSTART:19701101T020000
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU
END:STANDARD
END:VTIMEZONE
BEGIN:VEVENT
UID:weekly-standup@example.com
DTSTAMP:20260901T000000Z
DTSTART;TZID=America/New_York:20260908T093000
DTEND;TZID=America/New_York:20260908T100000
RRULE:FREQ=WEEKLY;BYDAY=TU
EXDATE;TZID=America/New_York:20261013T093000
SUMMARY:Team standup
END:VEVENT
BEGIN:VEVENT
UID:weekly-standup@example.com
DTSTAMP:20260901T000000Z
RECURRENCE-ID;TZID=America/New_York:20261103T093000
DTSTART;TZID=America/New_York:20261103T110000
DTEND;TZID=America/New_York:20261103T113000
SUMMARY:Team standup (moved)
END:VEVENT
BEGIN:VEVENT
UID:offsite@example.com
DTSTAMP:20260901T000000Z
DTSTART;VALUE=DATE:20261021
DTEND;VALUE=DATE:20261022
SUMMARY:Offsite day
END:VEVENT
BEGIN:VEVENT
UID:focus-block@example.com
DTSTAMP:20260901T000000Z
DTSTART:20261021T150000Z
DTEND:20261021T160000Z
TRANSP:TRANSPARENT
SUMMARY:Free: reading
END:VEVENT
BEGIN:VEVENT
UID:cancelled@example.com
DTSTAMP:20260901T000000Z
DTSTART:20261022T150000Z
DTEND:20261022T160000Z
STATUS:CANCELLED
SUMMARY:Called off
END:VEVENT
END:VCALENDAR
"""


def one_meeting(starts: datetime, ends: datetime, title: str = "Design review", uid: str = "one@example.com") -> str:
    """A calendar with a single meeting (UTC times)."""

    def stamp(moment: datetime) -> str:
        return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")

    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//FocusFlow tests//EN\r\n"
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:{stamp(starts)}\r\nDTSTART:{stamp(starts)}\r\n"
        f"DTEND:{stamp(ends)}\r\nSUMMARY:{title}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )

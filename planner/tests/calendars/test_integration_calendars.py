"""Calendar feeds read by a real worker and beat (over a throwaway Redis and the test database)
from a local HTTP server on a free port (FOCUS_ALLOW_PRIVATE_URLS on for it). Waits poll with
deadlines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from focus.tests.receiver import Reply
from focus.tests.stack import wait_for
from focusflow.people import account_person_id
from planner.calendars.models import BusyTime, CalendarFeed
from planner.calendars.services import feed_add_url

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

CALENDAR_KNOBS = {
    "FOCUS_ALLOW_PRIVATE_URLS": "true",
    "FOCUS_CALENDAR_SWEEP_SECONDS": "1",
    "FOCUS_CALENDAR_RETRY_SECONDS": "1",  # retries after 1 s, 2 s, 4 s …
    "FOCUS_CALENDAR_TIMEOUT_SECONDS": "1",
    "FOCUS_CALENDAR_MAX_BYTES": "5000000",
    "FOCUS_CALENDAR_DAYS": "14",
}
TOKYO_WEEKLY = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//FocusFlow tests//EN
BEGIN:VTIMEZONE
TZID:Asia/Tokyo
BEGIN:STANDARD
DTSTART:19700101T000000
TZOFFSETFROM:+0900
TZOFFSETTO:+0900
TZNAME:JST
END:STANDARD
END:VTIMEZONE
BEGIN:VEVENT
UID:tokyo-weekly@example.com
DTSTAMP:20260101T000000Z
DTSTART;TZID=Asia/Tokyo:{first}T083000
DTEND;TZID=Asia/Tokyo:{first}T091500
RRULE:FREQ=WEEKLY
SUMMARY:Sync with Tokyo
END:VEVENT
END:VCALENDAR
"""


@pytest.fixture
def feeds(stack, settings):
    settings.FOCUS_ALLOW_PRIVATE_URLS = True
    stack.env.update(CALENDAR_KNOBS)
    stack.worker()
    stack.beat()
    return stack


@pytest.fixture
def person(django_user_model):
    return account_person_id(user=django_user_model.objects.create_user("cal", password="cal-pass-123"))


def test_a_weekly_meeting_in_another_time_zone_is_expanded_by_the_worker(feeds, person, receiver):
    tokyo = ZoneInfo("Asia/Tokyo")
    first = timezone.now().astimezone(tokyo).date() - timedelta(days=30)
    receiver.answers["/tokyo.ics"] = [Reply(200, TOKYO_WEEKLY.format(first=first.strftime("%Y%m%d")).encode())]
    feed = feed_add_url(person_id=person, url=receiver.url("/tokyo.ics"))

    wait_for(lambda: CalendarFeed.objects.get(pk=feed.pk).state == "ok", timeout=60, what="the feed read")
    now = timezone.now()
    expected = []
    day = first
    while day <= (now + timedelta(days=15)).date():
        starts = datetime(day.year, day.month, day.day, 8, 30, tzinfo=tokyo).astimezone(UTC)
        if now - timedelta(days=1) < starts + timedelta(minutes=45) and starts < now + timedelta(days=14):
            expected.append((starts, starts + timedelta(minutes=45)))
        day += timedelta(days=7)
    got = list(BusyTime.objects.filter(feed_id=feed.pk).values_list("starts_at", "ends_at"))
    assert got == expected and len(got) >= 2
    assert all(start.astimezone(UTC).hour == 23 and start.minute == 30 for start, _ in got)  # 08:30 JST


@pytest.mark.parametrize(
    "reply, reason",
    [
        (Reply(200, b"slow", delay=3), "No answer"),
        (Reply(500, b"internal error"), "500"),
        (Reply(200, b"X" * 20_000_000), "larger"),
    ],
    ids=["times out", "answers 500", "is 20 MB"],
)
def test_a_bad_feed_is_refused_cleanly_and_retried_later(feeds, person, receiver, reply, reason):
    starts = timezone.now().replace(microsecond=0) + timedelta(hours=3)
    good = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:g@x\r\nDTSTAMP:20260101T000000Z\r\n"
        f"DTSTART:{starts:%Y%m%dT%H%M%SZ}\r\nDTEND:{starts + timedelta(hours=1):%Y%m%dT%H%M%SZ}\r\n"
        "SUMMARY:Review\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()
    receiver.answers["/bad.ics"] = [reply]
    feed = feed_add_url(person_id=person, url=receiver.url("/bad.ics"))

    def failing(at_least: int):
        row = CalendarFeed.objects.get(pk=feed.pk)
        return row if row.state == "failing" and row.failures >= at_least else None

    first = wait_for(lambda: failing(1), timeout=60, what="the first failure")
    assert reason in first.last_error and first.next_fetch_at > first.last_fetch_at
    assert not BusyTime.objects.filter(feed_id=feed.pk).exists()
    second = wait_for(lambda: failing(2), timeout=60, what="a retry, later")
    assert second.last_fetch_at >= first.next_fetch_at  # not before its backoff
    assert (second.next_fetch_at - second.last_fetch_at) > (first.next_fetch_at - first.last_fetch_at)

    receiver.answers["/bad.ics"] = [Reply(200, good)]  # the feed is fixed: the next retry reads it
    wait_for(lambda: CalendarFeed.objects.get(pk=feed.pk).state == "ok", timeout=60, what="the read after the fix")
    row = CalendarFeed.objects.get(pk=feed.pk)
    assert (row.failures, row.last_error, row.busy_count) == (0, "", 1)
    assert BusyTime.objects.get(feed_id=feed.pk).starts_at == starts

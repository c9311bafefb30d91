"""Reading a feed, called directly against a real local server: conditional GET, failures kept
apart from what was known, backoff, the sweep's claims."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from focus.tests.receiver import Reply
from focusflow.people import account_person_id
from planner.calendars import refresh
from planner.calendars.models import BusyTime, CalendarFeed
from planner.calendars.services import feed_add_upload, feed_add_url
from planner.tests.calendars.ics import one_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _local(settings):
    settings.FOCUS_ALLOW_PRIVATE_URLS = True
    settings.FOCUS_CALENDAR_TIMEOUT_SECONDS = 0.5
    settings.FOCUS_CALENDAR_RETRY_SECONDS = 60
    settings.FOCUS_CALENDAR_MAX_BYTES = 100_000


def meeting_text(hours_ahead: float = 1, title: str = "Planning") -> str:
    starts = timezone.now().replace(microsecond=0) + timedelta(hours=hours_ahead)
    return one_meeting(starts, starts + timedelta(minutes=30), title=title)


def read(feed) -> str:
    ((feed_id, seq),) = refresh.claim_due(now=timezone.now() + timedelta(seconds=1))
    return refresh.feed_refresh(feed_id=feed_id, seq=seq)


def test_a_feed_is_read_then_read_again_with_a_conditional_get(alice, receiver):
    person = account_person_id(user=alice)
    receiver.answers["/cal.ics"] = [
        Reply(200, meeting_text().encode(), {"ETag": '"v1"', "Last-Modified": "Tue, 01 Dec 2026 10:00:00 GMT"})
    ]
    feed = feed_add_url(person_id=person, url=receiver.url("/cal.ics"))
    assert read(feed) == "ok"
    feed.refresh_from_db()
    assert (feed.state, feed.busy_count, feed.etag, feed.failures) == ("ok", 1, '"v1"', 0)
    assert BusyTime.objects.get().title == "Planning"

    receiver.answers["/cal.ics"] = [Reply(304, b"")]
    CalendarFeed.objects.filter(pk=feed.pk).update(next_fetch_at=timezone.now())
    assert read(feed) == "not_modified"
    second = receiver.at("/cal.ics")[-1]
    assert second.headers["if-none-match"] == '"v1"'
    assert second.headers["if-modified-since"] == "Tue, 01 Dec 2026 10:00:00 GMT"
    assert BusyTime.objects.get().title == "Planning"  # expanded again from the stored text


@pytest.mark.parametrize(
    "reply, reason",
    [
        (Reply(500, b"oops"), "500"),
        (Reply(404, b"gone"), "404"),
        (Reply(302, b"", {"Location": "http://10.0.0.1/feed.ics"}), "302"),
        (Reply(200, b"x" * 200_000), "larger"),
        (Reply(200, b"<html>login</html>"), "iCalendar"),
        (Reply(200, b"late", delay=1.5), "No answer"),
    ],
    ids=["500", "404", "redirect", "too large", "not a calendar", "timeout"],
)
def test_a_failing_read_keeps_what_was_known_and_backs_off(alice, receiver, reply, reason):
    receiver.answers["/cal.ics"] = [Reply(200, meeting_text().encode()), reply]
    feed = feed_add_url(person_id=account_person_id(user=alice), url=receiver.url("/cal.ics"))
    assert read(feed) == "ok"
    for failures in (1, 2):
        CalendarFeed.objects.filter(pk=feed.pk).update(next_fetch_at=timezone.now())
        before = timezone.now()
        assert read(feed) == "failed"
        feed.refresh_from_db()
        assert feed.state == "failing" and feed.failures == failures and reason in feed.last_error
        wait = (feed.next_fetch_at - before).total_seconds()
        assert 60 * 2 ** (failures - 1) - 5 < wait < 60 * 2 ** (failures - 1) + 5  # 60 s, then 120 s
        assert refresh.claim_due(now=timezone.now() + timedelta(seconds=1)) == []  # not before then
        assert BusyTime.objects.count() == 1  # the busy times already known are kept
    receiver.answers["/cal.ics"] = [Reply(200, meeting_text(title="Back").encode())]
    CalendarFeed.objects.filter(pk=feed.pk).update(next_fetch_at=timezone.now())
    assert read(feed) == "ok"
    feed.refresh_from_db()
    assert (feed.state, feed.failures, feed.last_error) == ("ok", 0, "")
    assert BusyTime.objects.get().title == "Back"


def test_a_private_address_is_refused_at_read_time_unless_allowed(alice, receiver, settings):
    feed = feed_add_url(person_id=account_person_id(user=alice), url=receiver.url("/cal.ics"))
    settings.FOCUS_ALLOW_PRIVATE_URLS = False
    assert read(feed) == "failed"
    feed.refresh_from_db()
    assert "https" in feed.last_error and receiver.received == []


def test_an_upload_is_expanded_again_without_any_request(alice, receiver):
    feed = feed_add_upload(person_id=account_person_id(user=alice), text=meeting_text())
    CalendarFeed.objects.filter(pk=feed.pk).update(next_fetch_at=timezone.now())
    BusyTime.objects.all().delete()
    assert read(feed) == "ok"
    assert BusyTime.objects.count() == 1 and receiver.received == []


def test_a_stale_claim_reads_nothing(alice, receiver):
    feed_add_url(person_id=account_person_id(user=alice), url=receiver.url("/cal.ics"))
    ((feed_id, seq),) = refresh.claim_due(now=timezone.now() + timedelta(seconds=1))
    assert refresh.feed_refresh(feed_id=feed_id, seq=seq - 1) == "stale"
    assert refresh.feed_refresh(feed_id=feed_id, seq=None) == "stale"  # claimed by the sweep already
    assert receiver.received == []

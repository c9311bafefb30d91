"""Calendar feed writes: add one by URL (read later by a task) or by upload (read now: no request
is made), remove one (its busy times go with it)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from planner.calendars.models import CalendarFeed
from planner.calendars.refresh import busy_replace, feeds_publish


def feed_add_url(*, person_id: uuid.UUID, url: str, name: str = "") -> CalendarFeed:
    """A feed to fetch: due at once; its first read is queued after commit (and the sweep reads it
    if that message is lost). The URL was checked without any lookup; it is checked again, with
    its addresses, at every read."""
    with transaction.atomic():
        feed = CalendarFeed.objects.create(
            person_id=person_id, name=name, source=CalendarFeed.Source.URL, url=url, next_fetch_at=timezone.now()
        )
        transaction.on_commit(lambda: feeds_publish([feed.id]))
    return feed


@transaction.atomic
def feed_add_upload(*, person_id: uuid.UUID, text: str, name: str = "") -> CalendarFeed:
    """An uploaded calendar: expanded now (raises CalendarUnreadable, and nothing is written), then
    again as the days move on, from the stored text."""
    now = timezone.now()
    feed = CalendarFeed.objects.create(
        person_id=person_id,
        name=name,
        source=CalendarFeed.Source.UPLOAD,
        ics=text,
        state=CalendarFeed.State.OK,
        last_fetch_at=now,
        last_success_at=now,
        next_fetch_at=now + timedelta(seconds=settings.FOCUS_CALENDAR_REFRESH_SECONDS),
    )
    feed.busy_count = busy_replace(feed=feed, text=text, now=now)
    feed.save(update_fields=["busy_count"])
    return feed


def feed_remove(*, feed: CalendarFeed) -> None:
    feed.delete()

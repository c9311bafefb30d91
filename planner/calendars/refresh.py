"""Reading calendar feeds: claim a due feed, fetch it (conditional GET, bounded, through
focusflow/outbound.py), expand its busy times for the next FOCUS_CALENDAR_DAYS, and schedule the
next read. Runs only in Celery tasks (the sweep, a beat entry, and the first read queued when a
feed is added), never in a web request.

A fetch that fails (timeout, refused connection, an answer that is not 2xx/304, one larger than
FOCUS_CALENDAR_MAX_BYTES, a text that is not iCalendar, an address the rules refuse) keeps the busy
times already known, counts the failure on the feed (shown in the admin and the API with its
reason) and is retried after FOCUS_CALENDAR_RETRY_SECONDS × 2^(failures−1), at most a day. A
success resets the count and reads again after FOCUS_CALENDAR_REFRESH_SECONDS. An uploaded file is
never fetched: it is expanded again from the stored text, so a weekly meeting keeps showing up.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from focusflow import outbound
from focusflow.broker import acquire_request_connection
from planner.calendars.expand import CalendarUnreadable, busy_times
from planner.calendars.models import BusyTime, CalendarFeed

logger = logging.getLogger(__name__)

REFRESH_TASK = "planner.refresh_calendar_feed"
SWEEP_BATCH = 100
MAX_BACKOFF_SECONDS = 24 * 3600
ERROR_LENGTH = 200


def lease_seconds() -> float:
    return settings.FOCUS_CALENDAR_TIMEOUT_SECONDS * 2 + 30  # a fetch, plus parsing a large file


def backoff_seconds(failures: int) -> float:
    return min(settings.FOCUS_CALENDAR_RETRY_SECONDS * 2 ** max(failures - 1, 0), MAX_BACKOFF_SECONDS)


def window(now: datetime) -> tuple[datetime, datetime]:
    """The busy times kept: from a day ago (a meeting under way) to FOCUS_CALENDAR_DAYS ahead."""
    return now - timedelta(days=1), now + timedelta(days=settings.FOCUS_CALENDAR_DAYS)


# --------------------------------------------------------------------------- busy times


def busy_replace(*, feed: CalendarFeed, text: str, now: datetime) -> int:
    """Expand `text` and make it the feed's busy times (one transaction). Raises CalendarUnreadable."""
    start, end = window(now)
    found = busy_times(text, start=start, end=end)
    with transaction.atomic():
        BusyTime.objects.filter(feed=feed).delete()
        BusyTime.objects.bulk_create(
            BusyTime(feed=feed, person_id=feed.person_id, starts_at=b.starts_at, ends_at=b.ends_at, title=b.title)
            for b in found
        )
    return len(found)


# --------------------------------------------------------------------------- claiming and queueing


def feeds_publish(feed_ids: list) -> None:
    """Queue a first read of feeds just added (after commit, inside the web request: one bounded
    try). A broker that is down only delays it to the next sweep: the feed is due already."""
    try:
        with acquire_request_connection() as connection:
            for feed_id in feed_ids:
                current_app.send_task(REFRESH_TASK, args=[str(feed_id), None], retry=False, connection=connection)
    except Exception:
        logger.warning("could not queue the first read of %d calendar feeds; the sweep will", len(feed_ids))


def claim_due(*, now: datetime, limit: int = SWEEP_BATCH) -> list[tuple[str, int]]:
    with transaction.atomic():
        ids = list(
            CalendarFeed.objects.select_for_update(skip_locked=True)
            .filter(next_fetch_at__lte=now)
            .order_by("next_fetch_at")
            .values_list("id", flat=True)[:limit]
        )
        if not ids:
            return []
        CalendarFeed.objects.filter(id__in=ids).update(
            next_fetch_at=now + timedelta(seconds=lease_seconds()), claim_seq=F("claim_seq") + 1
        )
        return [(str(pk), seq) for pk, seq in CalendarFeed.objects.filter(id__in=ids).values_list("id", "claim_seq")]


def feeds_sweep(*, now: datetime | None = None) -> int:
    """The beat entry's work: claim the feeds that are due and queue their reads."""
    sent = 0
    for feed_id, seq in claim_due(now=now or timezone.now()):
        try:
            current_app.send_task(REFRESH_TASK, args=[feed_id, seq], retry=False)
        except Exception:  # the claims lapse and a later sweep claims them again
            logger.warning("could not queue calendar reads; a later sweep will", exc_info=True)
            break
        sent += 1
    return sent


def _claim(feed_id: str, seq: int | None, now: datetime) -> bool:
    """Take the feed for this read: the sweep's claim (seq), or a first read (seq None) of a feed
    still due and never read."""
    lease = now + timedelta(seconds=lease_seconds())
    feeds = CalendarFeed.objects.filter(pk=feed_id)
    if seq is None:
        return bool(
            feeds.filter(next_fetch_at__lte=now, last_fetch_at__isnull=True).update(
                next_fetch_at=lease, claim_seq=F("claim_seq") + 1
            )
        )
    return bool(feeds.filter(claim_seq=seq).update(next_fetch_at=lease))


# --------------------------------------------------------------------------- one read


def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= ERROR_LENGTH else text[: ERROR_LENGTH - 1] + "…"


def feed_refresh(*, feed_id: str, seq: int | None, now: datetime | None = None) -> str:
    """Read one claimed feed; returns what happened ("ok", "not_modified", "failed", "stale")."""
    now = now or timezone.now()
    if not _claim(feed_id, seq, now):
        return "stale"
    feed = CalendarFeed.objects.filter(pk=feed_id).first()
    if feed is None:
        return "stale"  # removed meanwhile
    status_code, error, outcome = None, "", "ok"
    text = feed.ics
    changes: dict = {}
    try:
        if feed.source == CalendarFeed.Source.URL:
            headers = {"Accept": "text/calendar, */*;q=0.5"}
            if feed.etag and feed.ics:
                headers["If-None-Match"] = feed.etag
            if feed.last_modified and feed.ics:
                headers["If-Modified-Since"] = feed.last_modified
            answer = outbound.request(
                "GET",
                feed.url,
                headers=headers,
                timeout=settings.FOCUS_CALENDAR_TIMEOUT_SECONDS,
                max_bytes=settings.FOCUS_CALENDAR_MAX_BYTES,
            )
            status_code = answer.status
            if answer.status == 304 and feed.ics:
                outcome = "not_modified"
            elif 200 <= answer.status < 300:
                text = answer.body.decode("utf-8", errors="replace").replace("\x00", "")
                changes.update(
                    etag=answer.headers.get("etag", "")[:300],
                    last_modified=answer.headers.get("last-modified", "")[:100],
                )
            else:
                raise outbound.FetchFailed(f"The feed answered {answer.status}.")
        count = busy_replace(feed=feed, text=text, now=now)
    except (outbound.UnsafeUrl, outbound.FetchFailed, CalendarUnreadable) as exc:
        error, outcome = _short(str(exc)), "failed"
    if outcome == "failed":
        failures = feed.failures + 1
        CalendarFeed.objects.filter(pk=feed.pk).update(
            state=CalendarFeed.State.FAILING,
            failures=failures,
            last_error=error,
            last_status_code=status_code,
            last_fetch_at=now,
            next_fetch_at=now + timedelta(seconds=backoff_seconds(failures)),
        )
        return outcome
    if text != feed.ics:
        changes["ics"] = text
    CalendarFeed.objects.filter(pk=feed.pk).update(
        state=CalendarFeed.State.OK,
        failures=0,
        last_error="",
        last_status_code=status_code,
        last_fetch_at=now,
        last_success_at=now,
        busy_count=count,
        next_fetch_at=now + timedelta(seconds=settings.FOCUS_CALENDAR_REFRESH_SECONDS),
        **changes,
    )
    return outcome

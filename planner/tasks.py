"""Thin Celery tasks of the planner: reading calendar feeds (planner/calendars/refresh.py)."""

from celery import shared_task

from planner.calendars import refresh

TASK_OPTIONS = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}


@shared_task(name="planner.refresh_calendar_feed", **TASK_OPTIONS)
def refresh_calendar_feed(feed_id: str, seq: int | None = None) -> str:
    """Read one feed (claimed by the sweep, or a first read right after it was added)."""
    return refresh.feed_refresh(feed_id=feed_id, seq=seq)


@shared_task(name="planner.refresh_calendar_feeds", **TASK_OPTIONS)
def refresh_calendar_feeds() -> int:
    """The beat entry: queue the reads of the feeds that are due."""
    return refresh.feeds_sweep()

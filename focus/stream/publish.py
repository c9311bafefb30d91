"""The publisher: announces each committed write's events to every web process (focus.events LISTENERS).

The announcement is tiny, ``[["<session id>", <newest event id>], ...]`` on one Redis channel
(CHANNEL), one PUBLISH per committed write (a tick batch's many sessions in one).
The events themselves are read from the database by each web process's hub, so an announcement
carries no personal data and its loss costs only latency (the hub's resync finds the events).

It runs after the commit, in the request or the tick worker: it never raises, and waits at most
BROKER_REQUEST_TIMEOUT for Redis. Without Redis (the quick start) it does nothing: streams poll.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Sequence

from django.conf import settings

log = logging.getLogger("focus.stream")

# Every committed write is announced here: one channel for all sessions (a web process wants the news
# of many sessions, and the announcements are tiny).
CHANNEL = "focusflow:events"


@functools.cache
def _client(url: str, timeout: float):
    import redis

    # redis-py's pool notices a fork and starts afresh in the child (gunicorn, Celery prefork).
    return redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)


def announcement(events: Sequence) -> str:
    """The newest event id of each session among ``events``, as JSON."""
    newest: dict[str, int] = {}
    for event in events:
        key = str(event.session_id)
        newest[key] = max(newest.get(key, 0), event.id)
    return json.dumps(list(newest.items()), separators=(",", ":"))


def events_publish(events: Sequence) -> None:
    """focus.events listener: announce the committed events (best effort; the database is the truth)."""
    url = settings.FOCUS_STREAM_REDIS_URL
    if not url or not events:
        return
    try:
        _client(url, settings.BROKER_REQUEST_TIMEOUT).publish(CHANNEL, announcement(events))
    except Exception as error:  # Redis down or slow: streams catch up on their resync
        log.warning("stream announcement not published (%s); streams catch up on their resync", error)

"""The per-process hub: one broker subscription, fanned out to this process's open streams.

A web process (one event loop) holds one :class:`Hub`. Each open stream registers a
:class:`Stream` for its session with the last event id its client has; the hub keeps it fed:

- **What to send comes from the database, never from the broker.** A publish (focus.stream.publish)
  only says "session S has events up to id N". The hub then reads the events after each stream's
  last id, for every session with news at once, in one query, on its one database thread, and
  hands each stream its new events in id order. A session's events are all written under its row
  lock (the services and the tick lock the session first), so within a session id order is commit
  order, and reading ``id > last sent`` never skips an event that commits later: nothing is lost,
  nothing is sent twice, whatever order the publishes arrive in.
- **Subscribe before replay.** A new stream is registered first, then marked for a read: its replay
  (``Last-Event-ID``/``?after=``) and anything published meanwhile are the same read.
- **A lost publish loses nothing.** Every FOCUS_STREAM_RESYNC_SECONDS the hub asks the database for
  the newest event id of every open session (one grouped query per 1,000 sessions) and reads where a
  stream is behind; after the subscription drops and comes back, every open session is read.
- **No Redis (the quick start):** no subscription; the same resync runs every
  FOCUS_STREAM_POLL_SECONDS, so streams poll the database inside the server.
- **A process that stops ends its streams first** (:func:`drain_streams`, on the web server's
  shutdown): each is told when to come back (``retry:``), spread over a few seconds per
  RECONNECTS_PER_SECOND, so that thousands of pages do not all reconnect to the new process at once.
- **No connection held while idle.** Reads run on the hub's own thread (one per process, not one per
  stream) and give their connection back after each read (to the pool under ASGI).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import Max, Q
from rest_framework.renderers import JSONRenderer

from focus.models import FocusEvent
from focus.serializers import EventSerializer
from focus.stream.publish import CHANNEL

log = logging.getLogger("focus.stream")

READ_BATCH = 200  # sessions per read
RESYNC_BATCH = 1000  # sessions per "newest id" query
# A stopping process asks its streams to come back spread over one second per this many of them
# (a web process opens several hundred streams a second on its event loop, focus.stream.fast).
RECONNECTS_PER_SECOND = 500
DRAIN_WAIT_S = 2.0  # how long a stopping process waits for its streams to have said so

Delivery = tuple[int, str, str]  # (event id, event type, the events list's JSON for it)


@dataclass(eq=False)
class Stream:
    """One open stream: its session, the last event id its client has, and what is waiting for it."""

    session_id: uuid.UUID
    last_id: int
    queue: asyncio.Queue[list[Delivery]] = field(default_factory=asyncio.Queue)
    # Set when the process is stopping: send this reconnect delay (ms) and end the stream.
    retry_ms: int | None = None


@dataclass
class HubStats:
    announcements: int = 0
    reads: int = 0
    delivered: int = 0
    resyncs: int = 0
    resync_catches: int = 0  # events a resync found that no announcement had brought
    errors: int = 0
    subscribed: bool = False


def events_after(wants: dict[uuid.UUID, int]) -> dict[uuid.UUID, list[Delivery]]:
    """The events after ``wants[session]`` of each session, oldest first, rendered as the events list
    renders them (one query; on PostgreSQL first one that finds their ids, none more when there are
    none: a reconnecting stream usually has nothing to replay)."""
    if connection.vendor == "postgresql":
        # One statement of constant text, whatever the number of sessions (an OR per session costs
        # PostgreSQL more to plan than to run, and the ORM more to build).
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT e.id FROM focus_events e "
                "JOIN unnest(%s::uuid[], %s::bigint[]) AS w(session_id, after) "
                "ON e.session_id = w.session_id AND e.id > w.after",
                [list(wants), list(wants.values())],
            )
            ids = [row[0] for row in cursor.fetchall()]
        if not ids:
            return {}
        events = FocusEvent.objects.filter(id__in=ids).order_by("id")
    else:
        condition = Q()
        for session_id, after in wants.items():
            condition |= Q(session_id=session_id, id__gt=after)
        events = FocusEvent.objects.filter(condition).order_by("id")
    renderer = JSONRenderer()
    found: dict[uuid.UUID, list[Delivery]] = defaultdict(list)
    for event in events:
        data = renderer.render(EventSerializer(event).data).decode()
        found[event.session_id].append((event.id, event.event_type, data))
    return found


def read_events(wants: dict[uuid.UUID, int]) -> dict[uuid.UUID, list[Delivery]]:
    """events_after on the hub's database thread, giving the connection back before returning."""
    try:
        return events_after(wants)
    finally:
        connection.close()


def newest_ids(session_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    """The newest event id of each of these sessions (one query)."""
    try:
        rows = (
            FocusEvent.objects.filter(session_id__in=session_ids)
            .values("session_id")
            .annotate(newest=Max("id"))
            .values_list("session_id", "newest")
        )
        return dict(rows)
    finally:
        connection.close()


def parse_announcement(data: bytes | str) -> list[tuple[uuid.UUID, int]]:
    """``[["<session id>", <newest event id>], ...]`` (focus.stream.publish); junk yields nothing."""
    try:
        items = json.loads(data)
        return [(uuid.UUID(str(session_id)), int(newest)) for session_id, newest in items]
    except (ValueError, TypeError):
        log.warning("ignored a malformed stream announcement: %.200r", data)
        return []


class Hub:
    def __init__(self, *, redis_url: str | None = None) -> None:
        self.redis_url = settings.FOCUS_STREAM_REDIS_URL if redis_url is None else redis_url
        self.streams: dict[uuid.UUID, set[Stream]] = {}
        self.dirty: set[uuid.UUID] = set()
        self.wake = asyncio.Event()
        self.stats = HubStats()
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="focus-stream-db")
        self.tasks: list[asyncio.Task] = []
        self.draining = False

    # ----------------------------------------------------------------- lifecycle
    def start(self) -> None:
        loop = asyncio.get_running_loop()
        self.tasks = [loop.create_task(self._deliver()), loop.create_task(self._resync())]
        if self.redis_url:
            self.tasks.append(loop.create_task(self._listen()))

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self.executor.shutdown(wait=False)

    @property
    def resync_seconds(self) -> float:
        return settings.FOCUS_STREAM_RESYNC_SECONDS if self.redis_url else settings.FOCUS_STREAM_POLL_SECONDS

    # ----------------------------------------------------------------- streams
    def open(self, session_id: uuid.UUID, after: int | None) -> Stream:
        """Register a stream (before its replay is read: nothing can fall between the two)."""
        stream = Stream(session_id=session_id, last_id=after or 0)
        self.streams.setdefault(session_id, set()).add(stream)
        self._mark([session_id])
        if self.draining:
            self._end(stream, drain_delay_ms(self.open_streams))
        return stream

    def drain(self) -> None:
        """The process is stopping: every stream sends a reconnect delay, spread over the streams
        this process holds, and ends (what is already queued for it is sent first)."""
        self.draining = True
        spread = self.open_streams
        for streams in self.streams.values():
            for stream in streams:
                self._end(stream, drain_delay_ms(spread))

    @staticmethod
    def _end(stream: Stream, retry_ms: int) -> None:
        stream.retry_ms = retry_ms
        stream.queue.put_nowait([])  # wakes the stream up

    def close(self, stream: Stream) -> None:
        streams = self.streams.get(stream.session_id)
        if streams is not None:
            streams.discard(stream)
            if not streams:
                del self.streams[stream.session_id]

    @property
    def open_streams(self) -> int:
        return sum(len(streams) for streams in self.streams.values())

    def announce(self, session_id: uuid.UUID, newest: int) -> bool:
        """Session ``session_id`` has events up to ``newest``: read them for the streams behind."""
        streams = self.streams.get(session_id)
        if streams and any(stream.last_id < newest for stream in streams):
            self._mark([session_id])
            return True
        return False

    def _mark(self, session_ids: Iterable[uuid.UUID]) -> None:
        self.dirty.update(session_ids)
        self.wake.set()

    # ----------------------------------------------------------------- the three loops
    async def _deliver(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self.wake.wait()
            self.wake.clear()
            while self.dirty:
                batch = [self.dirty.pop() for _ in range(min(READ_BATCH, len(self.dirty)))]
                wants = {
                    session_id: min(stream.last_id for stream in self.streams[session_id])
                    for session_id in batch
                    if self.streams.get(session_id)
                }
                if not wants:
                    continue
                try:
                    found = await loop.run_in_executor(self.executor, read_events, wants)
                except Exception:
                    self.stats.errors += 1
                    log.exception("stream read failed; retrying in 1 s")
                    self.dirty.update(wants)
                    await asyncio.sleep(1)
                    continue
                self.stats.reads += 1
                for session_id, events in found.items():
                    for stream in tuple(self.streams.get(session_id, ())):
                        if stream.last_id < wants[session_id]:
                            continue  # opened during the read, further back than it reached: read again
                        new = [event for event in events if event[0] > stream.last_id]
                        if new:
                            stream.last_id = new[-1][0]
                            stream.queue.put_nowait(new)
                            self.stats.delivered += len(new)

    async def _resync(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self.resync_seconds)
            open_sessions = [session_id for session_id, streams in self.streams.items() if streams]
            for start in range(0, len(open_sessions), RESYNC_BATCH):
                chunk = open_sessions[start : start + RESYNC_BATCH]
                try:
                    newest = await loop.run_in_executor(self.executor, newest_ids, chunk)
                except Exception:
                    self.stats.errors += 1
                    log.exception("stream resync failed")
                    break
                for session_id, newest_id in newest.items():
                    if self.announce(session_id, newest_id) and self.redis_url:
                        self.stats.resync_catches += 1
            self.stats.resyncs += 1

    async def _listen(self) -> None:
        import redis.asyncio as aioredis
        from redis.exceptions import RedisError

        backoff = 0.5
        while True:
            client = aioredis.from_url(self.redis_url, socket_connect_timeout=2, socket_timeout=None)
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(CHANNEL)
                self.stats.subscribed = True
                backoff = 0.5
                # Whatever was announced while not subscribed: read every open session once.
                self._mark(list(self.streams))
                while True:
                    message = await pubsub.get_message(timeout=15.0)
                    if message is None:
                        await pubsub.ping()  # a silent, dead connection shows here
                        continue
                    if message.get("type") != "message":
                        continue
                    self.stats.announcements += 1
                    for session_id, newest in parse_announcement(message["data"]):
                        self.announce(session_id, newest)
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as error:
                self.stats.errors += 1
                log.warning("stream subscription lost (%s); resubscribing in %.1f s", error, backoff)
            finally:
                self.stats.subscribed = False
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                with contextlib.suppress(Exception):
                    await client.aclose()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 10.0)


def drain_delay_ms(streams: int, rng: random.Random | None = None) -> int:
    """A reconnect delay for one of ``streams`` streams of a stopping process: 1 s, plus a uniform
    share of one second per RECONNECTS_PER_SECOND streams."""
    spread = streams / RECONNECTS_PER_SECOND
    return int(1000 * (1 + (rng or random).random() * spread))


async def drain_streams() -> None:
    """End this process's streams, each with its reconnect delay (the web server's shutdown)."""
    hub = _hub
    if hub is None or _hub_loop is not asyncio.get_running_loop():
        return
    from focus.stream.fast import current_opener

    opener = current_opener()
    log.warning(
        "web process stopping: %d open streams told when to come back; %d streams opened on the event loop, "
        "%d by the view since start",
        hub.open_streams,
        opener.opened,
        opener.viewed,
    )
    hub.drain()
    deadline = time.monotonic() + DRAIN_WAIT_S
    while hub.open_streams and time.monotonic() < deadline:
        await asyncio.sleep(0.05)


_hub: Hub | None = None
_hub_loop: asyncio.AbstractEventLoop | None = None


def current_hub() -> Hub:
    """This process's hub, started on the running event loop at first use."""
    global _hub, _hub_loop
    loop = asyncio.get_running_loop()
    if _hub is None or _hub_loop is not loop:
        _hub, _hub_loop = Hub(), loop
        _hub.start()
    return _hub

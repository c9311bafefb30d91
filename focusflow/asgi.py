"""The web process's ASGI application (Procfile: gunicorn with uvicorn workers, focusflow.asgi_worker).

Django's own handler, with four differences:

- **Event streams** (``/focus/sessions/{id}/stream``): Django runs each request's sync code
  (middleware, DRF views) on a thread that lives as long as the request, which for a stream is hours.
  Here a stream's request has that thread only while its view runs (authentication, the 404 check);
  the thread and its database connection are given back before the first byte of the body, which
  then runs on the event loop alone (focus.stream.api.event_stream).
- **Bounded sync code** (focusflow.lanes): at most as many requests run their sync code at once as the
  connection pool can serve, on threads that are kept and reused; opening a stream has its own
  lane, so a reconnect storm never queues the pings. A request whose client leaves while it waits is
  dropped unserved.
- **One Redis pool per process** for the cache (the throttles), instead of one per request.
- **Full garbage collections on a clock** (focusflow.collector), not on allocation: with thousands
  of open streams each one stalled the event loop for most of a second.

Sync views under ASGI run on threads that end with their request, so a persistent connection there
would leak: the web process uses a connection pool instead (DATABASE_POOL_MAX, set here by default;
settings.py), and each request gives its connection back when it finishes.
"""

import asyncio
import contextlib
import logging
import os
import re
import uuid

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "focusflow.settings")
os.environ.setdefault("DATABASE_POOL_MAX", "16")

from asgiref.sync import ThreadSensitiveContext, sync_to_async  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core import signals  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402
from django.core.exceptions import RequestAborted  # noqa: E402
from django.core.handlers.asgi import ASGIHandler, get_script_prefix  # noqa: E402
from django.db import connections  # noqa: E402
from django.urls import set_script_prefix  # noqa: E402

from focusflow import collector  # noqa: E402
from focusflow.lanes import Lane, settle  # noqa: E402

STREAM_PATH = re.compile(r"^/focus/sessions/[^/]+/stream/?$")
# Of the sync-code threads, this share is for opening streams (authentication, the 404 check): a
# reconnect storm (a web restart, 10,000 pages) waits in its own queue, not in front of the pings.
STREAM_SHARE = 1 / 3


class FocusASGIHandler(ASGIHandler):
    def __init__(self):
        super().__init__()
        # One thread per slot, each holding at most one connection: the pool's size less the hub's
        # connection and one spare. Open streams do not count: their thread and connection are given
        # back before the body runs.
        pool = settings.DATABASES["default"].get("OPTIONS", {}).get("pool")
        threads = max(2, pool["max_size"] - 2) if pool else 32
        streams = max(1, round(threads * STREAM_SHARE))
        self.stream_lane = Lane("stream", streams)
        self.lane = Lane("sync", threads - streams)

    async def settle(self, timeout: float) -> None:
        """A stopping process: wait (at most ``timeout`` seconds) for the requests it has taken."""
        await settle((self.lane, self.stream_lane), timeout)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        stream = bool(STREAM_PATH.match(scope.get("path", "")))
        if stream:
            receive = await self._stream_fast(scope, receive, send)
            if receive is None:
                return  # opened on the event loop (focus.stream.fast), and now over
        lane = self.stream_lane if stream else self.lane
        receive = await lane.admit(receive)
        if receive is None:
            return  # the client left while waiting: nobody to answer
        executor = lane.executor()
        response = None
        try:
            # Django's own ThreadSensitiveContext inside defers to this one: the request's sync code
            # runs on the lane's thread.
            async with ThreadSensitiveContext(executor=executor):
                if stream:
                    response = await self._stream_view(scope, receive, send)
                else:
                    await super().__call__(scope, receive, send)
        finally:
            await lane.release(executor)
            if stream:
                from focus.stream.fast import current_opener

                # The view's own headers, for the streams opened without it; the next probe may start.
                streamed = response is not None and response.streaming and response.status_code == 200
                current_opener().view_answered(list(response.items()) if streamed else None)
        if response is not None:
            await self._stream_body(response, receive, send)

    async def _lifespan(self, receive, send):
        collecting = None
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await self._warm_up()
                collector.tune()  # after the warm-up: what it loaded is frozen too
                collecting = asyncio.create_task(collector.collect_periodically())
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if collecting is not None:
                    collecting.cancel()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _warm_up(self):
        """What the first requests would otherwise pay while thousands of pages reconnect to a new
        process: the URL patterns (and the views they import), a database connection of the pool,
        the event loop's opening of streams. A failure here is left to the first request to meet."""
        from focus.stream.fast import current_opener

        def sync_parts():
            from django.urls import get_resolver

            get_resolver().resolve(f"/focus/sessions/{uuid.UUID(int=0)}/stream")
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT 1")
            connections.close_all()

        try:
            await sync_to_async(sync_parts, thread_sensitive=False)()
            await current_opener().warm()
        except Exception:
            logging.getLogger("focus.stream").warning("warm-up failed", exc_info=True)

    async def _stream_fast(self, scope, receive, send):
        """Open the stream on the event loop when focus.stream.fast can (an owner's open session);
        None once done, else the receive for the view's way."""
        from django.http import StreamingHttpResponse

        from focus.stream.api import event_stream
        from focus.stream.fast import current_opener

        first = await receive()
        if first["type"] == "http.disconnect":
            return None
        if first["type"] == "http.request" and not first.get("more_body") and not first.get("body"):
            opener = current_opener()
            opening = await opener.opening(scope)
            if opening is not None:
                body = event_stream(opening.session_id, opening.after)
                await self._stream_body(StreamingHttpResponse(body, headers=dict(opener.headers)), receive, send)
                return None
        replayed = False

        async def replaying():
            nonlocal replayed
            if not replayed:
                replayed = True
                return first
            return await receive()

        return replaying

    async def _stream_view(self, scope, receive, send):
        """As ASGIHandler.handle up to the response: the streaming response to send, or None when
        the answer was sent here already. The thread is given back before the body is sent."""
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return None
        set_script_prefix(get_script_prefix(scope))
        await signals.request_started.asend(sender=self.__class__, scope=scope)
        request, error_response = self.create_request(scope, body_file)
        if request is None:
            body_file.close()
            await self.send_response(error_response, send)
            await sync_to_async(error_response.close)()
            return None
        response = await self.run_get_response(request)
        body_file.close()
        # The view is done with the database: give its connection back before the body runs.
        await sync_to_async(connections.close_all)()
        return response

    async def _stream_body(self, response, receive, send):
        async def respond():
            with contextlib.suppress(asyncio.CancelledError):  # the client went away mid-send
                await self.send_response(response, send)

        tasks = [asyncio.create_task(self.listen_for_disconnect(receive)), asyncio.create_task(respond())]
        with contextlib.suppress(asyncio.CancelledError):  # the server shutting down: end the stream
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            if not task.done():
                task.cancel()
            try:
                await task
            except (asyncio.CancelledError, RequestAborted):
                pass
            except AssertionError:
                pass  # a client that sent more after its request: it is gone either way
        # request_finished (close_old_connections) on a shared thread: this request holds no connection.
        await sync_to_async(response.close, thread_sensitive=False)()


def _share_redis_pools() -> None:
    """One Redis connection pool per process for Django's RedisCache (the throttles' counters).

    Django keeps a cache object per request context under ASGI, each with pools of its own, so
    every request opened a new Redis connection (a TCP connect and a handshake, and under load
    "max number of clients reached"). The pools are keyed by server and options; redis-py's pool
    is thread-safe and starts afresh after a fork."""
    from django.core.cache.backends.redis import RedisCacheClient

    pools: dict = {}
    own = RedisCacheClient._get_connection_pool

    def shared_pool(self, write):
        index = self._get_connection_pool_index(write)
        key = (self._servers[index], self._pool_class, repr(sorted(self._pool_options.items(), key=str)))
        if key not in pools:
            pools[key] = own(self, write)
        return pools[key]

    RedisCacheClient._get_connection_pool = shared_pool


def _application():
    get_asgi_application()  # django.setup(), as Django's own entry point does
    _share_redis_pools()
    return FocusASGIHandler()


application = _application()

# A web process that started before collectstatic would answer every page with a 500: refuse to start.
from focusflow.checks import refuse_to_serve_without_static_manifest  # noqa: E402  (needs Django set up)

refuse_to_serve_without_static_manifest()

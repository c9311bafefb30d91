"""The web process's ASGI application (Procfile: gunicorn with uvicorn workers, focusflow.asgi_worker).

Django's own handler, with one difference for the event streams (``/focus/sessions/{id}/stream``):
Django runs each request's sync code (middleware, DRF views) on a thread of its own that lives as
long as the request, which for a stream is hours. Here a stream's request gets that thread only
while its view runs (authentication, the 404 check); the thread and its database connection are
given back before the first byte of the body, which then runs on the event loop alone
(focus.stream.api.event_stream). Every other request is served exactly as Django serves it.

Sync views under ASGI run on threads that end with their request, so a persistent connection there
would leak: the web process uses a connection pool instead (DATABASE_POOL_MAX, set here by default;
settings.py), and each request gives its connection back when it finishes.
"""

import asyncio
import contextlib
import os
import re

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

STREAM_PATH = re.compile(r"^/focus/sessions/[^/]+/stream/?$")


class FocusASGIHandler(ASGIHandler):
    def __init__(self):
        super().__init__()
        # At most this many requests run their sync code at once (each on a thread of its own, holding
        # a database connection): the rest wait here, on the event loop, as they waited in a sync
        # worker's backlog, instead of starting threads that time out waiting for the pool (a 500).
        # Open streams do not count: their thread and connection are given back before the body runs.
        pool = settings.DATABASES["default"].get("OPTIONS", {}).get("pool")
        self.slots = asyncio.Semaphore(max(1, pool["max_size"] - 2) if pool else 32)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] == "http" and STREAM_PATH.match(scope.get("path", "")):
            await self._stream(scope, receive, send)
            return
        async with self.slots:
            await super().__call__(scope, receive, send)

    async def _lifespan(self, receive, send):
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _stream(self, scope, receive, send):
        """As ASGIHandler.handle, but the request's thread ends before the body is sent."""
        async with self.slots, ThreadSensitiveContext():
            try:
                body_file = await self.read_body(receive)
            except RequestAborted:
                return
            set_script_prefix(get_script_prefix(scope))
            await signals.request_started.asend(sender=self.__class__, scope=scope)
            request, error_response = self.create_request(scope, body_file)
            if request is None:
                body_file.close()
                await self.send_response(error_response, send)
                await sync_to_async(error_response.close)()
                return
            response = await self.run_get_response(request)
            body_file.close()
            # The view is done with the database: give its connection back before the body runs.
            await sync_to_async(connections.close_all)()

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


def _application():
    get_asgi_application()  # django.setup(), as Django's own entry point does
    return FocusASGIHandler()


application = _application()

# A web process that started before collectstatic would answer every page with a 500: refuse to start.
from focusflow.checks import refuse_to_serve_without_static_manifest  # noqa: E402  (needs Django set up)

refuse_to_serve_without_static_manifest()

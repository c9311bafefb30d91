"""The web server's worker class: uvicorn under gunicorn (Procfile; docs/benchmarks.md "Live delivery"
says why this one). gunicorn manages the processes (WEB_CONCURRENCY of them, restarts, signals);
each runs one uvicorn event loop that holds thousands of open streams.

On a restart the open streams end first, each told when to come back (an SSE ``retry:`` spread over
a few seconds, focus.stream.hub.drain_streams), so that the pages reconnect with Last-Event-ID spread
out and miss nothing, instead of all at once the moment the new process listens; what is left ends
after a short grace instead of holding the old process for gunicorn's whole graceful timeout.
Requests already taken (a ping queued behind a reconnect storm) are answered first, for as long as
gunicorn's graceful timeout leaves after the drain and that grace.
"""

import asyncio
import sys

from gunicorn.arbiter import Arbiter
from uvicorn.server import Server
from uvicorn_worker import UvicornWorker


class DrainingServer(Server):
    def __init__(self, config, *, settle_s: float = 0.0) -> None:
        super().__init__(config=config)
        self.settle_s = settle_s

    async def shutdown(self, sockets=None) -> None:
        from focus.stream.hub import drain_streams
        from focusflow.asgi import application

        started = asyncio.get_running_loop().time()
        for server in self.servers:
            server.close()  # no new connections while the streams are told to come back
        await drain_streams()
        for connection in list(self.server_state.connections):
            connection.shutdown()  # an idle keep-alive connection closes; a busy one after its answer
        await application.settle(max(0.0, self.settle_s - (asyncio.get_running_loop().time() - started)))
        await super().shutdown(sockets=sockets)


class StreamingUvicornWorker(UvicornWorker):
    CONFIG_KWARGS = {
        "loop": "uvloop",
        "http": "httptools",
        "lifespan": "on",
        "timeout_graceful_shutdown": 2,
    }

    async def _serve(self) -> None:
        # As UvicornWorker._serve, with the draining server.
        self.config.app = self.wsgi
        # gunicorn kills the process after its graceful timeout: keep a second and uvicorn's own grace.
        settle_s = self.cfg.graceful_timeout - self.CONFIG_KWARGS["timeout_graceful_shutdown"] - 1
        server = DrainingServer(config=self.config, settle_s=settle_s)
        self._install_sigquit_handler()
        await server.serve(sockets=self.sockets)
        if not server.started:
            sys.exit(Arbiter.WORKER_BOOT_ERROR)

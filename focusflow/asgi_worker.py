"""The web server's worker class: uvicorn under gunicorn (Procfile; docs/benchmarks.md "Live delivery"
says why this one). gunicorn manages the processes (WEB_CONCURRENCY of them, restarts, signals);
each runs one uvicorn event loop that holds thousands of open streams.

On a restart the open streams end first, each told when to come back (an SSE ``retry:`` spread over
a few seconds, focus.stream.hub.drain_streams), so that the pages reconnect with Last-Event-ID spread
out and miss nothing, instead of all at once the moment the new process listens; what is left ends
after a short grace instead of holding the old process for gunicorn's whole graceful timeout.
"""

import sys

from gunicorn.arbiter import Arbiter
from uvicorn.server import Server
from uvicorn_worker import UvicornWorker


class DrainingServer(Server):
    async def shutdown(self, sockets=None) -> None:
        from focus.stream.hub import drain_streams

        for server in self.servers:
            server.close()  # no new connections while the streams are told to come back
        await drain_streams()
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
        server = DrainingServer(config=self.config)
        self._install_sigquit_handler()
        await server.serve(sockets=self.sockets)
        if not server.started:
            sys.exit(Arbiter.WORKER_BOOT_ERROR)

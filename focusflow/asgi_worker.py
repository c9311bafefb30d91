"""The web server's worker class: uvicorn under gunicorn (Procfile; docs/benchmarks.md "Live delivery"
says why this one). gunicorn manages the processes (WEB_CONCURRENCY of them, restarts, signals);
each runs one uvicorn event loop that holds thousands of open streams.

On a restart the open streams end after a short grace (the clients reconnect with Last-Event-ID and
miss nothing), instead of holding the old process for gunicorn's whole graceful timeout.
"""

from uvicorn_worker import UvicornWorker


class StreamingUvicornWorker(UvicornWorker):
    CONFIG_KWARGS = {
        "loop": "uvloop",
        "http": "httptools",
        "lifespan": "on",
        "timeout_graceful_shutdown": 2,
    }

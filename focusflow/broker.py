"""Broker connections used inside a web request: every connect and read bounded, one attempt.

Worker and beat keep long-lived connections with BROKER_SOCKET_TIMEOUT (settings). A web request
cannot wait that long: a hung broker (accepting connections, never answering) held a gunicorn
worker until gunicorn killed it, and a refused one was retried for the whole connect timeout. The
two broker calls a request makes, the first tick's enqueue after a start commits and /healthz, use
connections on which each connect and each read waits at most BROKER_REQUEST_TIMEOUT and nothing
is retried. A failure there costs nothing lasting: the database still says the session is due, and
the next sweep sends its tick.
"""

from __future__ import annotations

import functools

from celery import current_app
from django.conf import settings
from kombu import Connection
from kombu.connection import ConnectionPool


def request_connection() -> Connection:
    """A fresh bounded connection (use it as a context manager): /healthz must see the broker as it
    is now, not a pooled connection that looks connected."""
    timeout = settings.BROKER_REQUEST_TIMEOUT
    return current_app.connection_for_write(
        settings.CELERY_BROKER_URL,  # read now, as the health check always did (tests point it elsewhere)
        connect_timeout=timeout,
        # max_retries=0: kombu connects once (by default it retries until connect_timeout, sleeping
        # 2 s in between); socket_*: redis-py's own bounds on each connect and each read.
        transport_options={"socket_connect_timeout": timeout, "socket_timeout": timeout, "max_retries": 0},
    )


@functools.cache
def request_pool() -> ConnectionPool:
    """This process's pool of bounded connections for publishing from a request (a new connection
    per publish costs several round trips). Created on first use, so after gunicorn forks."""
    return request_connection().Pool(limit=current_app.conf.broker_pool_limit)


def acquire_request_connection() -> Connection:
    """A pooled bounded connection (use it as a context manager; it goes back to the pool). Waits
    for a free one at most BROKER_REQUEST_TIMEOUT."""
    return request_pool().acquire(block=True, timeout=settings.BROKER_REQUEST_TIMEOUT)

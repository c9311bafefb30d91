"""Server-Sent Events framing (https://html.spec.whatwg.org/multipage/server-sent-events.html).

Pure functions: text in, text out. One message per focus event: `id:` its id (what the client
sends back as Last-Event-ID), `event:` its type, `data:` its JSON on one line.
"""

from __future__ import annotations

import re

KEEPALIVE = ": keepalive\n\n"
# A client reconnects this long after the connection drops (EventSource's own default is ~3 s), plus
# up to RETRY_JITTER_MS chosen per stream: the streams of a process that died come back spread out,
# not all in the same instant.
RETRY_MS = 2000
RETRY_JITTER_MS = 3000

_LAST_EVENT_ID = re.compile(r"[0-9]{1,18}")


def sse_message(*, event_id: int, event_type: str, data: str) -> str:
    """One SSE message. ``data`` is compact JSON, which never holds a raw line break."""
    if "\n" in data or "\r" in data:
        # Stay correct for any text: each line becomes its own data: field (the client joins them).
        lines = data.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        body = "".join(f"data: {line}\n" for line in lines)
    else:
        body = f"data: {data}\n"
    return f"id: {event_id}\nevent: {event_type}\n{body}\n"


def sse_preamble(retry_ms: int = RETRY_MS) -> str:
    """The first bytes of a stream: the client's reconnect delay, and a comment so that proxies and
    clients see the response start at once."""
    return f"retry: {retry_ms}\n: stream open\n\n"


def sse_retry(retry_ms: int) -> str:
    """A message that only sets the client's reconnect delay (sent before a stream is ended on
    purpose: the client comes back after it, with Last-Event-ID)."""
    return f"retry: {retry_ms}\n\n"


def parse_last_event_id(value: str | None) -> int | None:
    """The event id a reconnecting client last received, or None for none; ValueError if malformed."""
    if value is None or value.strip() == "":
        return None
    value = value.strip()
    if not _LAST_EVENT_ID.fullmatch(value):
        raise ValueError("Last-Event-ID must be an event id (digits).")
    return int(value)

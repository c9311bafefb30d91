"""A small Server-Sent Events reader for the stream tests: one thread per open stream, reading the
real HTTP response line by line (no mock of the server), recording what arrived and when."""

from __future__ import annotations

import contextlib
import http.client
import json
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class Message:
    id: int
    event: str
    data: dict
    received: float  # time.time() when its last line arrived


@dataclass
class SseReader:
    url: str  # base URL + path (and query)
    token: str | None = None
    cookie: str | None = None  # a browser's Cookie header instead of a token
    last_event_id: int | None = None
    timeout: float = 30.0
    status: int | None = None
    headers: dict = field(default_factory=dict)
    messages: list[Message] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    body: str = ""
    opened: threading.Event = field(default_factory=threading.Event)
    closed: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None
    reconnect: bool = False  # as EventSource does: reconnect with Last-Event-ID until session_end
    connections: int = 0
    ended: bool = False

    def start(self) -> SseReader:
        threading.Thread(target=self._run, daemon=True).start()
        return self

    def ids(self) -> list[int]:
        return [m.id for m in self.messages]

    def stop(self) -> None:
        self._stopped = True
        conn = getattr(self, "_conn", None)
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.sock and conn.sock.shutdown(2)
            conn.close()

    def _run(self) -> None:
        while True:
            self._read_once()
            if not self.reconnect or self.ended or self.status == 204 or getattr(self, "_stopped", False):
                break
            if self.messages:
                self.last_event_id = self.messages[-1].id
            time.sleep(0.2)
        self.opened.set()
        self.closed.set()

    def _read_once(self) -> None:
        self.connections += 1
        parts = urlsplit(self.url)
        headers = {"Accept": "text/event-stream"}
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        if self.cookie:
            headers["Cookie"] = self.cookie
        if self.last_event_id is not None:
            headers["Last-Event-ID"] = str(self.last_event_id)
        try:
            self._conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=self.timeout)
            self._conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers)
            response = self._conn.getresponse()
            self.status = response.status
            self.headers = {name.lower(): value for name, value in response.getheaders()}
            self.opened.set()
            if response.status != 200:
                self.body = response.read().decode(errors="replace")
                return
            fields: dict[str, str] = {}
            while True:
                raw = response.readline()
                if not raw:
                    return
                line = raw.decode().rstrip("\r\n")
                if line == "":
                    if "data" in fields:
                        self.messages.append(
                            Message(
                                id=int(fields["id"]),
                                event=fields.get("event", "message"),
                                data=json.loads(fields["data"]),
                                received=time.time(),
                            )
                        )
                        self.ended = self.ended or fields.get("event") == "session_end"
                    fields = {}
                elif line.startswith(":"):
                    self.comments.append(line[1:].strip())
                else:
                    name, _, value = line.partition(":")
                    value = value[1:] if value.startswith(" ") else value
                    fields[name] = fields[name] + "\n" + value if name == "data" and name in fields else value
        except (OSError, ValueError, AttributeError, http.client.HTTPException) as error:  # stop() mid-read too
            self.error = error
        finally:
            self._conn.close()

"""The live benchmark's load generator (its own process; `python -m bench.live.load <spec.json>`).

Each page is one person's open live page: an SSE client on its session's stream (aiohttp), which
reconnects as EventSource does (Last-Event-ID, after the delay the stream's last `retry:` field set;
after a refusal, a status other than 200, as static/js/stream.js does: 30 s later) and records every
message's arrival and how long each stream took to open (request to response headers), and
an automatic ping once per tick period at its own offset (`source: "page"`), as static/js/sensing.js
sends. Mode "poll" is today's page before live delivery instead: a GET of the events list every 3 s
per page with `?after=` its last event id. Results go to a JSON file for the driver (bench/live/__main__.py).
"""

from __future__ import annotations

import asyncio
import json
import random
import resource
import sys
import time
from pathlib import Path

import aiohttp

CONNECT_SPREAD_S = 0.002  # pages open their streams this far apart (500 a second)
RETRY_S = 3.0  # EventSource's reconnect delay until a stream's retry: field sets one
REFUSED_RETRY_S = 30.0  # stream.js: after a refused stream the page polls, and tries the stream again this late


def raise_file_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


class Page:
    def __init__(self, spec: dict, client: dict):
        self.spec = spec
        self.token = client["token"]
        self.session_id = client["session_id"]
        self.last_id = client["after"]
        self.received: list[list] = []  # [event id, event ts (epoch s), arrival (epoch s), event type]
        self.reconnects = 0
        self.connected = False
        self.opened: list[float] = []  # seconds from each stream request to its response headers
        self.first_open: float | None = None  # when its first stream opened (epoch s): the page is open
        self.errors: dict[str, int] = {}

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Token {self.token}"}

    async def stream(self, http: aiohttp.ClientSession, stop_at: float) -> None:
        url = f"{self.spec['base']}/focus/sessions/{self.session_id}/stream"
        first = True
        retry_s, wait_s = RETRY_S, 0.0
        while time.time() < stop_at:
            if not first:
                self.reconnects += 1
                await asyncio.sleep(min(wait_s, max(0.0, stop_at - time.time())))
                if time.time() >= stop_at:
                    return
            first = False
            wait_s = retry_s
            headers = {**self.headers, "Accept": "text/event-stream", "Last-Event-ID": str(self.last_id)}
            requested = time.time()
            try:
                async with http.get(url, headers=headers, timeout=aiohttp.ClientTimeout(total=None, sock_read=60)) as r:
                    if r.status != 200:
                        self.error(f"stream {r.status}")
                        wait_s = REFUSED_RETRY_S
                        continue
                    self.opened.append(time.time() - requested)
                    if self.first_open is None:
                        self.first_open = time.time()
                    self.connected = True
                    fields: dict[str, str] = {}
                    while time.time() < stop_at:
                        remaining = stop_at - time.time()
                        try:
                            raw = await asyncio.wait_for(r.content.readline(), timeout=max(0.1, remaining))
                        except TimeoutError:
                            break
                        if not raw:
                            break  # the server closed the stream (a restart): reconnect
                        line = raw.decode().rstrip("\r\n")
                        if line == "":
                            if "data" in fields:
                                now = time.time()
                                data = json.loads(fields["data"])
                                event_id = int(fields["id"])
                                self.last_id = event_id
                                ts = _epoch(data["ts"])
                                self.received.append([event_id, ts, now, fields.get("event", "")])
                            fields = {}
                        elif not line.startswith(":"):
                            name, _, value = line.partition(":")
                            value = value[1:] if value.startswith(" ") else value
                            if name == "retry":
                                if value.isdigit():  # as EventSource: takes effect at once
                                    retry_s = wait_s = int(value) / 1000
                            else:
                                fields[name] = value
            except (TimeoutError, aiohttp.ClientError, OSError) as error:
                self.error(f"stream {type(error).__name__}")
            finally:
                self.connected = False

    async def poll(self, http: aiohttp.ClientSession, stop_at: float, latencies: list[float]) -> None:
        url = f"{self.spec['base']}/focus/sessions/{self.session_id}/events/"
        await asyncio.sleep(random.random() * 3.0)
        next_at = time.time()
        while time.time() < stop_at:
            started = time.time()
            try:
                async with http.get(url, params={"after": str(self.last_id)}, headers=self.headers) as r:
                    body = await r.json() if r.status == 200 else None
                    if r.status != 200:
                        self.error(f"poll {r.status}")
                latencies.append(time.time() - started)
                for row in reversed(body or []):  # newest first
                    if row["id"] > self.last_id:
                        self.last_id = row["id"]
                        self.received.append([row["id"], _epoch(row["ts"]), time.time(), row["event_type"]])
            except (TimeoutError, aiohttp.ClientError, OSError, ValueError) as error:
                self.error(f"poll {type(error).__name__}")
            next_at += 3.0
            await asyncio.sleep(max(0.0, next_at - time.time()))

    async def ping(self, http: aiohttp.ClientSession, stop_at: float, period: float, latencies: list[float]) -> None:
        url = f"{self.spec['base']}/focus/ping"
        next_at = time.time() + random.random() * period  # dispersed over the period
        while True:
            await asyncio.sleep(max(0.0, min(next_at, stop_at) - time.time()))
            if time.time() >= stop_at:
                return
            body = {
                "session_id": self.session_id,
                "activity": random.choice(("active", "active", "active", "idle")),
                "app_switches": random.randint(0, 4),
                "source": "page",
            }
            started = time.time()
            try:
                async with http.post(url, json=body, headers=self.headers) as r:
                    await r.read()
                    if r.status != 201:
                        self.error(f"ping {r.status}")
                    else:
                        latencies.append(time.time() - started)
            except (TimeoutError, aiohttp.ClientError, OSError) as error:
                self.error(f"ping {type(error).__name__}")
            next_at += period


def _epoch(iso: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


async def run(spec: dict) -> dict:
    pages = [Page(spec, client) for client in spec["clients"]]
    ping_latencies: list[float] = []
    poll_latencies: list[float] = []
    connected_samples: list[list[float]] = []
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    timeout = aiohttp.ClientTimeout(total=60)
    start = time.time()
    stop_at = start + spec["duration"]
    ping_stop = start + spec["ping_duration"]
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        tasks = []
        for page in pages:
            if spec["mode"] == "stream":
                tasks.append(asyncio.create_task(page.stream(http, stop_at)))
                await asyncio.sleep(CONNECT_SPREAD_S)
            else:
                tasks.append(asyncio.create_task(page.poll(http, stop_at, poll_latencies)))
            if spec["ping_period"]:
                tasks.append(asyncio.create_task(page.ping(http, ping_stop, spec["ping_period"], ping_latencies)))

        async def sample():
            while time.time() < stop_at:
                connected_samples.append([time.time(), sum(p.connected for p in pages)])
                await asyncio.sleep(2.0)

        tasks.append(asyncio.create_task(sample()))
        await asyncio.gather(*tasks, return_exceptions=True)
    errors: dict[str, int] = {}
    for page in pages:
        for what, n in page.errors.items():
            errors[what] = errors.get(what, 0) + n
    return {
        "pages": {
            p.session_id: {"received": p.received, "reconnects": p.reconnects, "first_open": p.first_open}
            for p in pages
        },
        "opened": [t for p in pages for t in p.opened],
        "ping_latencies": ping_latencies,
        "poll_latencies": poll_latencies,
        "connected": connected_samples,
        "errors": errors,
        "started": start,
    }


def main() -> None:
    raise_file_limit()
    spec = json.loads(Path(sys.argv[1]).read_text())
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    result = asyncio.run(run(spec))
    with open(spec["out"], "w") as out:
        json.dump(result, out)


if __name__ == "__main__":
    main()

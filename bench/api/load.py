"""A small load generator (asyncio + aiohttp). Closed loop: `concurrency` clients, each with its own
token (its own person), send requests back to back for `duration` seconds. Open loop: pings arrive at
a fixed `rate` whatever is in flight, spread over the clients' sessions. Every request's endpoint,
status and latency is recorded; prints one JSON object to stdout.

Scenarios:
- flow: start → 5 pings → events poll → end, again and again (the seed's flow);
- ping: pings on a session started beforehand (one per client);
- bare: POST /bench/bare (the framework's ceiling);
- open: pings at `rate` per second (open loop). A ping's latency is counted from the moment it was
  due, not from when it was sent, so a generator or server that falls behind shows in it (no
  coordinated omission).

Run by bench/api/__main__.py; it only ever talks to the server it was given on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import sys
import time
from pathlib import Path

import aiohttp

PINGS_PER_SESSION = 5


class Recorder:
    def __init__(self, until: float):
        self.until = until
        self.samples: dict[str, list[float]] = {}
        self.errors: dict[str, dict[str, int]] = {}

    def done(self) -> bool:
        return time.perf_counter() >= self.until

    async def call(
        self,
        http: aiohttp.ClientSession,
        name: str,
        method: str,
        url: str,
        body=None,
        due: float | None = None,
        headers: dict | None = None,
    ):
        started = time.perf_counter() if due is None else due
        async with http.request(method, url, json=body, headers=headers) as response:
            payload = await response.read()
        elapsed = time.perf_counter() - started
        if started < self.until:  # a request begun before the end counts in full
            if response.status < 400:
                self.samples.setdefault(name, []).append(elapsed)
            else:
                by_status = self.errors.setdefault(name, {})
                by_status[str(response.status)] = by_status.get(str(response.status), 0) + 1
        return response.status, (json.loads(payload) if payload else {})


def ping_body(session_id: str) -> dict:
    return {
        "session_id": session_id,
        "heart_rate": random.randint(60, 90),
        "stress": round(random.random() * 0.6, 2),
        "focus": round(0.4 + random.random() * 0.6, 2),
        "activity": "active",
        "app_switches": random.randint(0, 8),
    }


async def flow_client(http, base: str, rec: Recorder) -> None:
    while not rec.done():
        status, body = await rec.call(
            http,
            "POST /focus/start",
            "POST",
            f"{base}/focus/start",
            {"task_id": None, "estimated_duration": 45, "mode": "deep"},
        )
        if status == 409 and body.get("active_session_id"):  # left over from an earlier phase
            async with http.post(f"{base}/focus/end", json={"session_id": body["active_session_id"]}) as response:
                await response.read()
            continue
        if status != 201:
            continue
        session_id = body["session_id"]
        for _ in range(PINGS_PER_SESSION):
            await rec.call(http, "POST /focus/ping", "POST", f"{base}/focus/ping", ping_body(session_id))
        await rec.call(http, "GET /focus/sessions/{id}/events/", "GET", f"{base}/focus/sessions/{session_id}/events/")
        await rec.call(
            http,
            "POST /focus/end",
            "POST",
            f"{base}/focus/end",
            {"session_id": session_id, "completion_score": 0.8, "session_quality": {"bench": True}},
        )


async def ping_client(http, base: str, rec: Recorder, session_id: str) -> None:
    while not rec.done():
        await rec.call(http, "POST /focus/ping", "POST", f"{base}/focus/ping", ping_body(session_id))


async def bare_client(http, base: str, rec: Recorder) -> None:
    while not rec.done():
        await rec.call(http, "POST /bench/bare", "POST", f"{base}/bench/bare", {"session_id": "x"})


OPEN_LOOP_IN_FLIGHT = 256  # connections the open loop may hold at once (far above what 2 workers serve)


async def open_loop(clients: list[dict], base: str, rec: Recorder, rate: float) -> dict:
    """Send ping n at start + n / rate, round robin over the clients' sessions, never waiting for
    earlier answers. Returns how many were sent and how late the generator itself sent them."""
    in_flight: set[asyncio.Task] = set()
    sent, worst_lag = 0, 0.0
    connector = aiohttp.TCPConnector(limit=OPEN_LOOP_IN_FLIGHT)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as http:
        start = time.perf_counter()
        while True:
            due = start + sent / rate
            if due >= rec.until:
                break
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            worst_lag = max(worst_lag, time.perf_counter() - due)
            client = clients[sent % len(clients)]
            task = asyncio.create_task(
                rec.call(
                    http,
                    "POST /focus/ping",
                    "POST",
                    f"{base}/focus/ping",
                    ping_body(client["session_id"]),
                    due=due,
                    headers={"Authorization": f"Token {client['token']}"},
                )
            )
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)
            sent += 1
        if in_flight:
            await asyncio.gather(*in_flight)
    return {"sent": sent, "rate": rate, "worst_send_lag": worst_lag}


async def run(args) -> dict:
    clients = json.loads(Path(args.clients).read_text())[: args.concurrency]
    rec = Recorder(until=time.perf_counter() + args.duration)
    if args.scenario == "open":
        started = time.perf_counter()
        cpu0 = resource.getrusage(resource.RUSAGE_SELF)
        sent = await open_loop(clients, args.base, rec, args.rate)
        wall = time.perf_counter() - started
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
        return {
            "scenario": "open",
            "concurrency": len(clients),
            "duration": args.duration,
            "wall": args.duration,
            "client_cpu": (cpu1.ru_utime - cpu0.ru_utime + cpu1.ru_stime - cpu0.ru_stime) / wall,
            "samples": rec.samples,
            "errors": rec.errors,
            **sent,
        }
    tasks = []
    sessions = []
    for client in clients:
        http = aiohttp.ClientSession(
            headers={"Authorization": f"Token {client['token']}"},
            connector=aiohttp.TCPConnector(limit=1),
            timeout=aiohttp.ClientTimeout(total=60),
        )
        sessions.append(http)
        if args.scenario == "flow":
            tasks.append(flow_client(http, args.base, rec))
        elif args.scenario == "ping":
            tasks.append(ping_client(http, args.base, rec, client["session_id"]))
        else:
            tasks.append(bare_client(http, args.base, rec))
    started = time.perf_counter()
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    await asyncio.gather(*tasks)
    wall = time.perf_counter() - started
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    for http in sessions:
        await http.close()
    return {
        "scenario": args.scenario,
        "concurrency": len(clients),
        "duration": args.duration,
        "wall": wall,
        "client_cpu": (cpu1.ru_utime - cpu0.ru_utime + cpu1.ru_stime - cpu0.ru_stime) / wall,
        "samples": rec.samples,
        "errors": rec.errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--clients", required=True, help="JSON file: [{token, session_id?}, ...]")
    parser.add_argument("--scenario", choices=("flow", "ping", "bare", "open"), required=True)
    parser.add_argument("--concurrency", type=int, required=True, help="clients (open: sessions to spread over)")
    parser.add_argument("--duration", type=float, required=True)
    parser.add_argument("--rate", type=float, help="open: pings per second")
    args = parser.parse_args()
    if not args.base.startswith(("http://127.0.0.1:", "http://localhost:")):
        sys.exit("the load generator only talks to a server on this machine")
    if args.scenario == "open" and not (args.rate and args.rate > 0):
        sys.exit("--rate is required for the open scenario")
    random.seed(args.concurrency)
    json.dump(asyncio.run(run(args)), sys.stdout)


if __name__ == "__main__":
    main()

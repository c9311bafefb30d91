"""Live delivery benchmark: `make bench-live` (or `python -m bench.live --help`).

N open live pages against production settings on this box: the Procfile's web command (gunicorn with
uvicorn workers on focusflow.asgi, WEB_CONCURRENCY of them), PostgreSQL, Redis (broker, cache and the
streams' fan-out), a real Celery worker and beat ticking every session at the real 300 s period,
the due times spread over one period. Each page (bench/live/load.py, in load-generator processes of
their own, at most 5,000 pages each) is its own person's active session: an SSE client on its stream
that reconnects as EventSource does, and an automatic ping once per tick period at its own offset.

Per N: delivery latency, committed → received (bench/live/commits.py), p50/p99/max of the events
committed while their page was open, and the p99 from the event's time, taken when it is written
(an upper bound: a tick batch commits later); streams held; pings/s and their p99; the web
processes' RSS and CPU; errors; lost and duplicated events (each page's ids checked against the
database after the run: every event of its session committed more than GRACE_S before the end must
have arrived once). Then the polling design the page used before (a GET of the events list every 3 s
per page) at the same N, beside it. In one run (--restart, default the largest N) the web processes
are stopped and started again halfway through: the pages reconnect with Last-Event-ID and must lose
nothing. Rewrites its section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench import common
from bench.live.commits import Commits, Subscriber

PERIOD = 300  # the real tick period
PAGES_PER_LOADGEN = 5000
GRACE_S = 5.0
STREAM_DURATION = 360.0
POLL_DURATION = 60.0


def raise_file_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def seed_pages(n: int) -> list[dict]:
    """N active sessions (bench.scheduler.seed: history, rhythm, model), each with its own login and token."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from knox.models import AuthToken, get_digest_token
    from knox.settings import CONSTANTS

    from bench.scheduler import seed
    from focusflow.models import PersonAccount

    User = get_user_model()
    seed.reset()
    User.objects.filter(username__startswith="bench-live-").delete()
    seed.create_sessions(n=n, period=PERIOD)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.id, s.person_id, max(e.id) FROM focus_sessions s JOIN focus_events e ON e.session_id = s.id "
            "WHERE s.ended_at IS NULL GROUP BY s.id, s.person_id ORDER BY s.id"
        )
        sessions = cursor.fetchall()
    users = User.objects.bulk_create([User(username=f"bench-live-{i}", password="!") for i in range(n)])
    PersonAccount.objects.bulk_create(
        [PersonAccount(user=user, person_id=person_id) for user, (_, person_id, _) in zip(users, sessions)]
    )
    keys, tokens = [], []
    for user in users:
        digest, key = get_digest_token()
        keys.append(key)
        tokens.append(AuthToken(user=user, digest=digest, token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH], expiry=None))
    AuthToken.objects.bulk_create(tokens)
    with connection.cursor() as cursor:
        # Planner statistics, as autovacuum keeps them on a live database: right after a bulk seed
        # there are none yet, and a look-up per stream opening may be planned as a scan.
        cursor.execute("ANALYZE")
    return [
        {"token": key, "session_id": str(session_id), "after": after}
        for key, (session_id, _, after) in zip(keys, sessions)
    ]


def committed_ids(session_ids: list[str], *, after: dict[str, int], until: float) -> dict[str, list[int]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT session_id::text, id FROM focus_events WHERE session_id = ANY(%s::uuid[]) "
            "AND ts <= to_timestamp(%s) ORDER BY id",
            [session_ids, until],
        )
        found: dict[str, list[int]] = {}
        for session_id, event_id in cursor.fetchall():
            if event_id > after[session_id]:
                found.setdefault(session_id, []).append(event_id)
    return found


class Web:
    """The Procfile's web command on a fixed port, restartable."""

    def __init__(self, *, port: int, workers: int, env: dict):
        self.port, self.workers, self.env = port, workers, env
        self.popen: subprocess.Popen | None = None
        self.log = common.RUN_DIR / "live-web.log"
        self.samples: list[tuple[float, float, float]] = []  # (time, rss MiB, cpu seconds)

    def start(self) -> None:
        from focus.tests.stack import wait_for

        argv = [
            str(common.ROOT / ".venv" / "bin" / "gunicorn"),
            "focusflow.asgi",
            "--worker-class",
            "focusflow.asgi_worker.StreamingUvicornWorker",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--graceful-timeout",
            "10",
            "--access-logfile",
            "-",
        ]
        log = self.log.open("ab")
        self.popen = subprocess.Popen(
            argv,
            cwd=common.ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=raise_file_limit,
        )
        before = self.log.read_text(errors="replace").count("Application startup complete")
        wait_for(
            lambda: (
                self.log.read_text(errors="replace").count("Application startup complete") >= before + self.workers
                or self.popen.poll() is not None
            ),
            timeout=90,
            what="web workers",
        )
        assert self.popen.poll() is None, self.log.read_text()[-3000:]

    def stop(self) -> None:
        if self.popen and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(10)

    def sample(self) -> None:
        import psutil

        try:
            root = psutil.Process(self.popen.pid)
            procs = [root, *root.children(recursive=True)]
            rss = sum(p.memory_info().rss for p in procs) / 2**20
            cpu = sum(sum(p.cpu_times()[:2]) for p in procs)
            self.samples.append((time.time(), rss, cpu))
        except (psutil.Error, AttributeError):
            pass


def process_kind(proc) -> str:
    """Which part of the run a process on this machine is (for the CPU shares)."""
    try:
        command = " ".join(proc.cmdline())
        name = proc.name()
    except Exception:
        return "other"
    for needle, kind in (
        ("bench.live.load", "load generator"),
        ("gunicorn", "web"),
        ("redis-server", "redis"),
        (" beat", "beat"),
        ("celery", "worker"),
        ("bench.live", "driver"),
    ):
        if needle in command:
            return kind
    return "postgres" if name.startswith("postgres") else "other"


class CpuShares:
    """CPU time per kind of process over a window (% of one core), every process on the machine
    counted: what else runs on the box shows as "other"."""

    def __init__(self) -> None:
        self.seen: dict[int, tuple[str, float]] = {}
        self.busy: dict[str, float] = {}
        self.since = time.time()
        self.lock = threading.Lock()

    def sample(self) -> None:
        with self.lock:
            self._sample()

    def _sample(self) -> None:
        import psutil

        for proc in psutil.process_iter():
            try:
                times = proc.cpu_times()
                cpu = times.user + times.system
            except psutil.Error:
                continue
            kind, before = self.seen.get(proc.pid) or (process_kind(proc), None)
            if before is not None:
                self.busy[kind] = self.busy.get(kind, 0.0) + max(0.0, cpu - before)
            self.seen[proc.pid] = (kind, cpu)

    def start(self) -> None:
        with self.lock:
            self._sample()
            self.busy, self.since = {}, time.time()

    def shares(self) -> str:
        self.sample()
        elapsed = max(1.0, time.time() - self.since)
        ranked = sorted(self.busy.items(), key=lambda kv: -kv[1])
        return ", ".join(f"{kind} {busy / elapsed * 100:.0f}%" for kind, busy in ranked if busy / elapsed >= 0.005)


def spawn(name: str, argv: list[str], env: dict):
    from focus.tests.stack import Proc

    log = common.RUN_DIR / f"live-{name}.log"
    popen = subprocess.Popen(
        argv, cwd=common.ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )
    return Proc(name, popen, log)


def start_ticking(env: dict):
    """A Celery worker and beat as the Procfile runs them (the sweep claims due sessions, the worker ticks)."""
    celery = str(common.ROOT / ".venv" / "bin" / "celery")
    worker = spawn("worker", [celery, "-A", "focusflow", "worker", "-Q", "focus,celery", "--loglevel", "WARNING"], env)
    pidfile = str(common.RUN_DIR / "live-beat.pid")
    beat = spawn(
        "beat", [celery, "-A", "focusflow", "beat", "-S", "django", "--loglevel", "WARNING", "--pidfile", pidfile], env
    )
    return worker, beat


def run_load(*, base: str, clients: list[dict], mode: str, duration: float, env: dict, tag: str) -> dict:
    """Start the load generators (one per PAGES_PER_LOADGEN pages) and merge what they report."""
    parts = math.ceil(len(clients) / PAGES_PER_LOADGEN)
    procs, outs = [], []
    for k in range(parts):
        chunk = clients[k::parts]
        out = common.RUN_DIR / f"live-{tag}-{k}.json"
        spec_file = common.RUN_DIR / f"live-{tag}-{k}-spec.json"
        spec = {
            "base": base,
            "clients": chunk,
            "mode": mode,
            "duration": duration,
            "ping_duration": max(1.0, duration - 2 * GRACE_S),
            "ping_period": PERIOD,
            "out": str(out),
        }
        spec_file.write_text(json.dumps(spec))
        outs.append(out)
        procs.append(
            subprocess.Popen([sys.executable, "-m", "bench.live.load", str(spec_file)], cwd=common.ROOT, env=env)
        )
    return {"procs": procs, "outs": outs, "started": time.time()}


def collect(load: dict) -> dict:
    for proc in load["procs"]:
        proc.wait()
    merged = {
        "pages": {},
        "ping_latencies": [],
        "poll_latencies": [],
        "opened": [],
        "connected": [],
        "errors": {},
        "started": None,
    }
    series = []
    for out in load["outs"]:
        part = json.loads(Path(out).read_text())
        merged["pages"].update(part["pages"])
        merged["ping_latencies"] += part["ping_latencies"]
        merged["poll_latencies"] += part["poll_latencies"]
        merged["opened"] += part.get("opened", [])
        for what, n in part["errors"].items():
            merged["errors"][what] = merged["errors"].get(what, 0) + n
        series.append(part["connected"])
        merged["started"] = min(merged["started"] or part["started"], part["started"])
    # Streams held: the pages' connected counts summed over the load generators, per 2 s sample.
    merged["connected"] = (
        [[series[0][i][0], sum(s[i][1] for s in series)] for i in range(min(len(s) for s in series))] if series else []
    )
    return merged


def judge(result: dict, clients: list[dict], *, outage: tuple[float, float, float] | None, commits) -> dict:
    """Every event of every page's session after its first id must have arrived, once.

    Latency is from the event's commit (bench.live.commits; its ``ts`` when the commit was not seen)
    to its arrival, for the events committed while the page was open: what was committed before a
    page first opened its stream is that page's replay (reported as how long after the page opened
    it arrived), and what was written while the web was down is reported as how long after the web
    came back it arrived. ``from_write`` is the same events from their ``ts``: an upper bound."""
    after = {c["session_id"]: c["after"] for c in clients}
    expected = committed_ids(list(after), after=after, until=time.time() + 3600)
    latencies, from_write, caught_up, before_open = [], [], [], []
    lost = duplicated = reconnects = unseen = 0
    for session_id in after:
        page = result["pages"].get(session_id, {"received": [], "reconnects": 0})
        ids = [row[0] for row in page["received"]]
        duplicated += len(ids) - len(set(ids))
        lost += len(set(expected.get(session_id, [])) - set(ids))
        reconnects += page["reconnects"]
        opened = page.get("first_open")
        for event_id, ts, arrived, _ in page["received"]:
            committed = commits.committed_at(session_id, event_id)
            if committed is None:
                unseen += 1
                committed = ts
            if outage and outage[0] - 1 <= ts <= outage[2] + 1:  # down .. every page reconnected
                caught_up.append(arrived - outage[1])
            elif opened is None or committed < opened:
                before_open.append(arrived - (opened or arrived))
            else:
                latencies.append(max(0.0, arrived - committed))
                from_write.append(arrived - ts)
    return {
        "latencies": latencies,
        "from_write": from_write,
        "caught_up": caught_up,
        "before_open": before_open,
        "unseen": unseen,
        "lost": lost,
        "duplicated": duplicated,
        "reconnects": reconnects,
        "expected": sum(len(v) for v in expected.values()),
    }


def ms(values: list[float], q: float) -> str:
    return f"{common.percentile(values, q) * 1000:.0f}" if values else "-"


def web_usage(web: Web, since: float, until: float) -> tuple[str, str]:
    window = [s for s in web.samples if since <= s[0] <= until]
    if len(window) < 2:
        return "-", "-"
    rss = max(s[1] for s in window)
    # CPU seconds summed over consecutive samples (a restart starts the counters again).
    busy = sum(max(0.0, b[2] - a[2]) for a, b in zip(window, window[1:]))
    cpu = busy / (window[-1][0] - window[0][0]) * 100
    return f"{rss:.0f}", f"{cpu:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.live", description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", default="1000,5000,10000", help="open pages per run (default: %(default)s)")
    parser.add_argument(
        "--duration", type=float, default=STREAM_DURATION, help="seconds of streaming per N (default: %(default)s)"
    )
    parser.add_argument(
        "--poll-duration",
        type=float,
        default=POLL_DURATION,
        help="seconds of the polling design per N (default: %(default)s)",
    )
    parser.add_argument(
        "--restart", type=int, default=None, help="restart the web in the run of this N (default: the largest)"
    )
    parser.add_argument("--no-poll", action="store_true", help="skip the polling design")
    parser.add_argument("--web-concurrency", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 2)))
    parser.add_argument("--no-doc", action="store_true", help="do not rewrite docs/benchmarks.md")
    args = parser.parse_args()
    pages = [int(n) for n in args.pages.split(",") if n]
    restart_at = args.restart if args.restart is not None else max(pages)
    raise_file_limit()
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda *_: sys.exit(1))  # stop what was started here (the finally below)

    common.RUN_DIR.mkdir(parents=True, exist_ok=True)
    (common.RUN_DIR / "live-web.log").write_text("")
    from focus.tests.stack import RedisServer, free_port

    redis_server = RedisServer(common.RUN_DIR)
    redis_server.start()
    web = worker = beat = None
    rows, poll_rows, notes = [], [], []
    try:
        common.setup_django(broker_url=redis_server.url, CACHE_URL=redis_server.url[:-1] + "2")
        info = common.machine()
        env = common.process_env()
        web = Web(port=free_port(), workers=args.web_concurrency, env=env)
        web.start()
        base = f"http://127.0.0.1:{web.port}"
        stop_sampling = threading.Event()

        cpu_shares = CpuShares()

        def sampler():
            while not stop_sampling.wait(5.0):
                web.sample()
                cpu_shares.sample()

        threading.Thread(target=sampler, daemon=True).start()
        from datetime import datetime, timedelta, timezone

        from bench.scheduler import seed

        for n in pages:
            print(f"== {n} pages: seeding", flush=True)
            clients = seed_pages(n)
            seed.spread_due(start=datetime.now(timezone.utc) + timedelta(seconds=5), period=PERIOD)
            worker, beat = start_ticking(env)
            print(f"== {n} pages: streaming for {args.duration:.0f} s", flush=True)
            cpu_shares.start()
            commits = Commits()
            subscriber = Subscriber(redis_server.url, commits).start()
            load = run_load(base=base, clients=clients, mode="stream", duration=args.duration, env=env, tag=f"s{n}")
            started = load["started"]
            stop = started + args.duration
            restart_note, outage = "", None
            if n == restart_at:
                time.sleep(max(0.0, started + args.duration / 2 - time.time()))
                down = time.time()
                print(f"== {n} pages: restarting the web processes", flush=True)
                web.stop()
                web.start()
                outage = (down, time.time())
                restart_note = f"web restarted at {down - started:.0f} s (down {outage[1] - down:.1f} s)"
            # Nothing is written in the last 2 x GRACE_S: every event committed must reach its page.
            time.sleep(max(0.0, stop - 2 * GRACE_S - time.time()))
            shares = cpu_shares.shares()
            for proc in (beat, worker):
                proc.stop()
            worker = beat = None
            result = collect(load)
            subscriber.stop()
            if outage:
                # The outage lasts until every page has its stream again (the reconnects included).
                back = [t for t, count in result["connected"] if t > outage[1] and count >= n]
                outage = (*outage, back[0] if back else stop)
                restart_note += f"; every page reconnected {outage[2] - outage[1]:.1f} s after the web was back"
            verdict = judge(result, clients, outage=outage, commits=commits)
            held = [count for _, count in result["connected"]] or [0]
            rss, cpu = web_usage(web, started + min(30.0, args.duration / 4), stop)
            pings = result["ping_latencies"]
            rows.append(
                [
                    n,
                    ms(verdict["latencies"], 50),
                    ms(verdict["latencies"], 99),
                    ms(verdict["latencies"], 100),
                    ms(verdict["from_write"], 99),
                    f"{max(held)} / {held[-1]}",
                    f"{len(pings) / max(1.0, args.duration - 2 * GRACE_S):.1f}",
                    ms(pings, 99),
                    rss,
                    cpu,
                    sum(result["errors"].values()),
                    verdict["expected"],
                    verdict["lost"],
                    verdict["duplicated"],
                    verdict["reconnects"],
                ]
            )
            if result["errors"]:
                notes.append(f"{n} pages, streaming: errors {result['errors']}")
            replayed = verdict["before_open"]
            notes.append(
                f"{n} pages, streaming: {len(verdict['latencies'])} events committed while their page was open "
                f"(latency above; {verdict['unseen']} of all received without a seen announcement, timed from "
                f"their ts); {len(replayed)} committed before their page first opened its stream"
                + (f", replayed at most {max(replayed):.1f} s after that opening" if replayed else "")
            )
            opened = result["opened"]
            first_all = [t for t, count in result["connected"] if count >= n]
            notes.append(
                f"{n} pages, streaming: {len(opened)} streams opened (request to response headers p50 "
                f"{ms(opened, 50)} ms, p99 {ms(opened, 99)} ms, max {ms(opened, 100)} ms); all {n} open "
                + (f"{first_all[0] - started:.0f} s after the start" if first_all else "at no sample")
                + f"; CPU over the run (% of one core): {shares}; load average at the end {common.load_now()}"
            )
            if restart_note:
                back = max(verdict["caught_up"]) if verdict["caught_up"] else 0.0
                notes.append(
                    f"{n} pages: {restart_note}; {verdict['reconnects']} reconnects; {len(verdict['caught_up'])} "
                    f"events written around the outage (until every page had reconnected) all arrived within {back:.1f} s "
                    "of the web being back; "
                    f"{verdict['lost']} lost, {verdict['duplicated']} duplicated"
                )
            common.print_table(HEADER, rows[-1:])
            if not args.no_poll:
                print(f"== {n} pages: polling every 3 s for {args.poll_duration:.0f} s", flush=True)
                clients_now = [{**c, "after": c["after"]} for c in clients]
                load = run_load(
                    base=base, clients=clients_now, mode="poll", duration=args.poll_duration, env=env, tag=f"p{n}"
                )
                started = load["started"]
                result = collect(load)
                polls = result["poll_latencies"]
                rss, cpu = web_usage(web, started + 10, started + args.poll_duration)
                delivered = [
                    row[2] - row[1]
                    for page in result["pages"].values()
                    for row in page["received"]
                    if row[1] >= started
                ]
                poll_rows.append(
                    [
                        n,
                        f"{n / 3:.0f}",
                        f"{len(polls) / args.poll_duration:.0f}",
                        ms(polls, 50),
                        ms(polls, 99),
                        ms(delivered, 50),
                        ms(delivered, 99),
                        rss,
                        cpu,
                        sum(result["errors"].values()),
                    ]
                )
                if result["errors"]:
                    notes.append(f"{n} pages, polling: errors {result['errors']}")
                common.print_table(POLL_HEADER, poll_rows[-1:])
        stop_sampling.set()
        load_after = common.load_now()
    finally:
        for proc in (beat, worker):
            if proc is not None:
                proc.stop()
        if web is not None:
            web.stop()
        redis_server.stop()
    print()
    common.print_table(HEADER, rows)
    if poll_rows:
        print()
        common.print_table(POLL_HEADER, poll_rows)
    for note in notes:
        print(note)
    if not args.no_doc:
        extra = os.environ.get("BENCH_ARGS", "")
        lines = [
            *common.machine_lines(info, load_after=load_after),
            "",
            f"Command: `make bench-live{f' BENCH_ARGS={extra!r}' if extra else ''}`. The Procfile's web command "
            f"({args.web_concurrency} uvicorn workers under gunicorn), PostgreSQL, Redis, a Celery worker and beat; "
            f"ticks every {PERIOD} s spread over one period; each page streams for {args.duration:.0f} s and pings "
            f"once per period. Latency: an event's commit (the publisher's announcement of it, seen by a subscriber of "
            "the benchmark's own) to its arrival at the client (ms), for the events committed while their page was "
            "open; p99 from write: from the event's `ts`, taken when it is written, before its transaction commits "
            "(an upper bound). Streams held: most open at once / open at the end. "
            "Worker and beat stop 10 s before the end; lost: any event of a page's session that it never got.",
            "",
            *common.markdown_table(HEADER, rows),
            "",
        ]
        if poll_rows:
            lines += [
                "The polling design (the page before live delivery: the events list every 3 s per page), same N, "
                f"{args.poll_duration:.0f} s each:",
                "",
                *common.markdown_table(POLL_HEADER, poll_rows),
                "",
            ]
        lines += [f"- {note}" for note in notes]
        common.write_section("live", lines)


HEADER = [
    "pages",
    "latency p50",
    "p99",
    "max",
    "p99 from write",
    "streams held",
    "pings/s",
    "ping p99",
    "web RSS MiB",
    "web CPU %",
    "errors",
    "events",
    "lost",
    "duplicated",
    "reconnects",
]
POLL_HEADER = [
    "pages",
    "polls/s offered",
    "polls/s served",
    "poll p50",
    "p99",
    "latency p50",
    "p99",
    "web RSS MiB",
    "web CPU %",
    "errors",
]


if __name__ == "__main__":
    main()

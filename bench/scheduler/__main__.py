"""Scheduler benchmark: `make bench-scheduler` (or `python -m bench.scheduler --help`).

For each N: bulk-create N active sessions, spread their due times evenly over one tick period
(N / FOCUS_TICK_SECONDS ticks per second), and run the real processes over real Redis and
PostgreSQL: one Celery worker with as many prefork processes as the machine has cores, and one
beat. Sessions start and end during the run (mean session 45 minutes = 9 tick periods).

- "sweep": the product's design (focus/scheduler.py): one beat entry claims due sessions and
  publishes them in chunks; workers tick a chunk as one batch (focus/engine.py).
- "naive": what a Django developer would pick first: one django-celery-beat PeriodicTask per
  session (every FOCUS_TICK_SECONDS, task focus.run_focus_tick), created at start and deleted at
  end, with the stock DatabaseScheduler; the sweep's own entry is disabled. It stops as soon as
  the oldest due tick is more than a period late, or when the run's bound is reached.

Lateness is measured on the seeded sessions due in the measurement window: each ticks once
there; lateness = its tick event's time (taken after the row lock) minus its due time.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

from bench import common

DEFAULT_WINDOWS = {1_000: 60, 10_000: 90, 100_000: 180}
SESSION_PERIODS = 9  # a mean session of 45 minutes at the default tick: the churn rate is N / (9 periods)


@dataclass
class Result:
    design: str
    n: int
    window: int
    offered: float
    sustained: float = 0.0
    lateness: list[float] = field(default_factory=list)
    pending: list[float] = field(default_factory=list)
    due: int = 0
    started_first_tick: list[float] = field(default_factory=list)
    stats: dict[str, int] = field(default_factory=dict)
    worker_rss: float = 0.0
    beat_rss: float = 0.0
    worker_cpu: float = 0.0
    beat_cpu: float = 0.0
    driver_cpu: float = 0.0
    machine_busy: float = 0.0
    violations: dict[str, int] = field(default_factory=dict)
    note: str = ""
    started: int = 0
    ended: int = 0
    profile: str = ""


def now_utc() -> datetime:
    return datetime.now(dt_timezone.utc)


class Processes:
    """The worker and beat of one run, with their memory and CPU sampled."""

    def __init__(self, *, env: dict[str, str], workers: int, logdir):
        from focus.tests.stack import Proc

        self.procs: list = []
        self.env, self.workers, self.logdir, self.Proc = env, workers, logdir, Proc
        self.peak = {"worker": 0.0, "beat": 0.0}
        self.cpu_start: dict[str, float] = {}

    def _spawn(self, name: str, argv: list[str], ready: str) -> None:
        import subprocess

        from focus.tests.stack import wait_for

        log = self.logdir / f"{name}.log"
        popen = subprocess.Popen(
            argv, cwd=common.ROOT, env=self.env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
        )
        proc = self.Proc(name, popen, log)
        self.procs.append(proc)
        wait_for(lambda: ready in proc.output() or not proc.alive(), timeout=120, what=f"{name} ready")
        assert proc.alive(), f"{name} exited:\n{proc.output()[-3000:]}"

    def start(self) -> None:
        celery = str(common.ROOT / ".venv" / "bin" / "celery")
        self._spawn(
            "worker",
            [
                celery,
                "-A",
                "bench.scheduler.worker_app",
                "worker",
                "-Q",
                "focus,celery",
                "--concurrency",
                str(self.workers),
                "-n",
                "bench@%h",
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            "ready.",
        )
        self._spawn(
            "beat",
            [
                celery,
                "-A",
                "bench.scheduler.worker_app",
                "beat",
                "-S",
                "django",
                "--loglevel",
                "INFO",
                "--pidfile",
                str(self.logdir / "beat.pid"),
            ],
            "beat: Starting",
        )
        self.cpu_start = self.cpu_seconds()

    def _tree(self, name: str):
        import psutil

        proc = next(p for p in self.procs if p.name == name)
        try:
            root = psutil.Process(proc.popen.pid)
            return [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def sample(self) -> None:
        import psutil

        for name in ("worker", "beat"):
            rss = 0
            for p in self._tree(name):
                with contextlib.suppress(psutil.NoSuchProcess):
                    rss += p.memory_info().rss
            self.peak[name] = max(self.peak[name], rss / 2**20)

    def cpu_seconds(self) -> dict[str, float]:
        import psutil

        out = {}
        for name in ("worker", "beat"):
            total = 0.0
            for p in self._tree(name):
                try:
                    t = p.cpu_times()
                    total += t.user + t.system
                except psutil.NoSuchProcess:
                    pass
            out[name] = total
        return out

    def alive(self) -> bool:
        return all(p.alive() for p in self.procs)

    def stop(self) -> None:
        for proc in reversed(self.procs):
            proc.stop(timeout=30)


class Churn:
    """Sessions starting and ending during the run, at N / (9 periods) per second each way.

    A start is the real `session_start` service (for the sweep it queues the first tick on commit;
    for the naive design it creates the session's PeriodicTask instead). An end is what ending
    changes for scheduling (ended_at, and no next tick) plus, for the naive design, deleting the
    session's PeriodicTask. The rest of `session_end` (summary, memory, habit) is the same in both
    designs and belongs to the web processes, so it is left out of the scheduler's machine.
    """

    def __init__(self, *, rate: float, candidates: list[uuid.UUID], naive: bool, interval_id: int | None):
        self.rate, self.candidates, self.naive, self.interval_id = rate, candidates, naive, interval_id
        self.owed_starts = self.owed_ends = 0.0
        self.started = self.ended = 0
        self.last = time.monotonic()

    def step(self) -> None:
        from django.db import transaction

        from focus.models import FocusSession
        from focus.services import session_start

        now_mono = time.monotonic()
        self.owed_starts += self.rate * (now_mono - self.last)
        self.owed_ends += self.rate * (now_mono - self.last)
        self.last = now_mono
        ends, self.owed_ends = int(self.owed_ends), self.owed_ends - int(self.owed_ends)
        ending = [self.candidates.pop() for _ in range(min(ends, len(self.candidates)))]
        if ending:
            with transaction.atomic():
                FocusSession.objects.filter(pk__in=ending, ended_at__isnull=True).update(
                    ended_at=now_utc(), next_tick_at=None, lease_until=None
                )
                if self.naive:
                    from django_celery_beat.models import PeriodicTask

                    PeriodicTask.objects.filter(name__in=[f"naive-tick-{pk}" for pk in ending]).delete()
            self.ended += len(ending)
        starts, self.owed_starts = int(self.owed_starts), self.owed_starts - int(self.owed_starts)
        for _ in range(starts):
            session = session_start(person_id=uuid.uuid4(), task_id=None, estimated_duration=45, mode="deep")
            if self.naive:
                from django_celery_beat.models import PeriodicTask

                PeriodicTask.objects.create(
                    name=f"naive-tick-{session.id}",
                    task="focus.run_focus_tick",
                    interval_id=self.interval_id,
                    args=json.dumps([str(session.id)]),
                )
            self.started += 1


def install_naive_schedule(*, period: int) -> int:
    """One PeriodicTask per active session (not yet due: no last run); the sweep entry disabled."""
    from django.db import connection
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    every, _ = IntervalSchedule.objects.get_or_create(every=period, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.filter(name="focus.dispatch_due_ticks").update(enabled=False)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM focus_sessions WHERE ended_at IS NULL")
        ids = [row[0] for row in cursor.fetchall()]
    tasks = [
        PeriodicTask(
            name=f"naive-tick-{pk}",
            task="focus.run_focus_tick",
            interval=every,
            args=json.dumps([str(pk)]),
            enabled=True,
        )
        for pk in ids
    ]
    PeriodicTask.objects.bulk_create(tasks, batch_size=5000)
    return every.id


def align_naive_schedule(*, period: int) -> None:
    """Each session's PeriodicTask last ran one period before its due time (bench_due), so beat
    sends it at that due time; then tell beat the schedule changed."""
    from django.db import connection
    from django_celery_beat.models import PeriodicTasks

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE django_celery_beat_periodictask t SET last_run_at = d.due - make_interval(secs => %s) "
            "FROM bench_due d WHERE t.name = 'naive-tick-' || d.session_id::text",
            [period],
        )
    PeriodicTasks.update_changed()


def enable_sweep() -> None:
    from django_celery_beat.models import PeriodicTask

    PeriodicTask.objects.filter(name="focus.dispatch_due_ticks").update(enabled=True)


def run_one(*, design: str, n: int, window: int, args, broker, stats) -> Result:
    from django.db import connection

    from bench.scheduler import checks, seed
    from focus import scheduler

    period = args.period
    result = Result(design=design, n=n, window=window, offered=n / period)
    logdir = common.RUN_DIR / f"scheduler-{design}-{n}"
    logdir.mkdir(parents=True, exist_ok=True)
    for old in logdir.glob("py-spy-*.txt"):
        old.unlink()
    print(f"\n== {design}, N={n:,}: seeding", flush=True)
    seed.reset()
    broker_client = __import__("redis").Redis.from_url(broker.url)
    broker_client.flushall()
    seed.create_sessions(n=n, period=period)
    naive = design == "naive"
    interval_id = None
    original_enqueue = scheduler.enqueue_tick

    procs = Processes(env=common.process_env(BENCH_STATS_URL=stats), workers=args.workers, logdir=logdir)
    try:
        # Due times start `warmup` seconds before the measurement window (t0): the window sees the
        # processes already running at the full rate, not their first seconds.
        if naive:
            interval_id = install_naive_schedule(period=period)
            t0 = now_utc() + timedelta(seconds=args.lead + args.warmup)
            seed.spread_due(start=t0 - timedelta(seconds=args.warmup), period=period)
            align_naive_schedule(period=period)
            scheduler.enqueue_tick = lambda **kwargs: True  # the naive design's first tick comes from beat
            procs.start()
        else:
            enable_sweep()
            procs.start()
            t0 = now_utc() + timedelta(seconds=2 + args.warmup)
            seed.spread_due(start=t0 - timedelta(seconds=args.warmup), period=period)
        window_end = t0 + timedelta(seconds=window)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT session_id FROM bench_due WHERE due >= %s ORDER BY random()",
                [window_end + timedelta(seconds=5)],
            )
            candidates = [row[0] for row in cursor.fetchall()]
        churn = Churn(rate=n / (SESSION_PERIODS * period), candidates=candidates, naive=naive, interval_id=interval_id)
        import psutil

        me = psutil.Process()
        driver_cpu0 = sum(me.cpu_times()[:2])
        psutil.cpu_percent()  # start the machine-wide CPU measurement
        print(f"   offered {n / period:.1f} ticks/s; window {window} s from {t0:%H:%M:%S}", flush=True)
        deadline = t0 + timedelta(seconds=window)
        stop_reason = ""
        profiler = None
        last_report = 0.0
        while now_utc() < deadline:
            time.sleep(1.0)
            if now_utc() >= t0 - timedelta(seconds=args.warmup):
                churn.step()
            if profiler is None and args.profile and not naive and now_utc() >= t0 + timedelta(seconds=window / 2):
                profiler = start_profile(procs, logdir, seconds=args.profile)
            procs.sample()
            if not procs.alive():
                stop_reason = "a process died"
                break
            if time.monotonic() - last_report >= 10:
                last_report = time.monotonic()
                behind = checks.behind_seconds()
                print(
                    f"   t+{(now_utc() - t0).total_seconds():5.0f}s  ticks {int(stats_get(stats, 'ticks')):>7}"
                    f"  oldest due tick {behind:6.1f}s late",
                    flush=True,
                )
                if behind > period:
                    stop_reason = (
                        f"fell behind by more than a period ({period} s) at t+{(now_utc() - t0).total_seconds():.0f} s"
                    )
                    break
        driver_cpu = sum(me.cpu_times()[:2]) - driver_cpu0
        result.machine_busy = psutil.cpu_percent() / 100
        # Drain: let the window's ticks finish, bounded (the naive design up to a period + 30 s).
        drain_until = now_utc() + timedelta(seconds=args.drain if not naive else max(args.drain, period + 30 - window))
        while not stop_reason and now_utc() < drain_until and checks.unticked(window_end) > 0:
            time.sleep(2.0)
            procs.sample()
            behind = checks.behind_seconds()
            if behind > period:
                stop_reason = (
                    f"fell behind by more than a period ({period} s) at t+{(now_utc() - t0).total_seconds():.0f} s"
                )
            elif time.monotonic() - last_report >= 10:
                last_report = time.monotonic()
                print(
                    f"   draining t+{(now_utc() - t0).total_seconds():5.0f}s  oldest due tick {behind:6.1f}s late",
                    flush=True,
                )
        if not stop_reason and checks.unticked(window_end) > 0:
            stop_reason = f"stopped at the bound (t+{(now_utc() - t0).total_seconds():.0f} s) with ticks still due"
        stopped_at = now_utc()
        if profiler:
            result.profile = finish_profile(profiler, logdir)
        cpu = procs.cpu_seconds()
        elapsed = (stopped_at - t0).total_seconds()
        result.worker_cpu = (cpu["worker"] - procs.cpu_start["worker"]) / elapsed
        result.beat_cpu = (cpu["beat"] - procs.cpu_start["beat"]) / elapsed
        result.driver_cpu = driver_cpu / window
    finally:
        procs.stop()
        scheduler.enqueue_tick = original_enqueue

    measured = checks.measured_lateness(t0=t0, window_end=window_end, stopped_at=stopped_at)
    result.due, result.lateness, result.pending = measured.due, measured.done, measured.pending
    result.sustained = checks.ticks_between(t0, window_end) / window
    result.started_first_tick = checks.started_lateness(t0=t0) if not naive else []
    result.stats = {
        k.decode(): int(v) for k, v in __import__("redis").Redis.from_url(stats).hgetall("bench:stats").items()
    }
    result.worker_rss, result.beat_rss = procs.peak["worker"], procs.peak["beat"]
    result.violations = checks.violations(period=period, min_gap=args.min_gap, max_nudges=args.max_nudges)
    result.note = stop_reason or "all due ticks ran"
    result.started, result.ended = churn.started, churn.ended
    __import__("redis").Redis.from_url(stats).delete("bench:stats")
    print(f"   done: {len(result.lateness):,} of {result.due:,} due ticks ran; {stop_reason or 'kept up'}", flush=True)
    return result


def start_profile(procs: Processes, logdir, *, seconds: int) -> list:
    """py-spy on each worker pool process for `seconds` (sampling, no pause of the process)."""
    import subprocess

    spy = str(common.ROOT / ".venv" / "bin" / "py-spy")
    children = procs._tree("worker")[1:]
    return [
        subprocess.Popen(
            [
                spy,
                "record",
                "-p",
                str(child.pid),
                "-d",
                str(seconds),
                "-r",
                "50",
                "--nonblocking",
                "-f",
                "raw",
                "-o",
                str(logdir / f"py-spy-{child.pid}.txt"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for child in children
    ]


# Where a worker's time goes, by the innermost frame that names a layer (py-spy raw stacks).
PROFILE_LAYERS = [
    ("waiting on PostgreSQL", ("Connection.wait", "_connect_gen", "Connection.close", "_exec_command")),
    ("nudge policy (focus/policy/)", ("focus/policy/",)),
    ("engine outside SQL (focus/engine.py)", ("engine.py",)),
    ("sweep (focus/scheduler.py)", ("scheduler.py",)),
    ("Django ORM and psycopg (building SQL, adapting values)", ("django/db", "psycopg")),
    ("Celery, kombu and Redis (messages)", ("celery/", "kombu/", "billiard/", "redis/")),
]


def finish_profile(profilers: list, logdir) -> str:
    import collections

    for profiler in profilers:
        profiler.wait(timeout=120)
    layers: collections.Counter = collections.Counter()
    total = 0
    for path in logdir.glob("py-spy-*.txt"):
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not count.isdigit():
                continue
            total += int(count)
            frames = stack.split(";")
            layer = "other"
            for frame in reversed(frames):
                match = next((name for name, marks in PROFILE_LAYERS if any(m in frame for m in marks)), None)
                if match:
                    layer = match
                    break
            layers[layer] += int(count)
    if not total:
        return ""
    return "; ".join(f"{name} {n * 100 / total:.0f}%" for name, n in layers.most_common())


def stats_get(url: str, key: str) -> float:
    value = __import__("redis").Redis.from_url(url).hget("bench:stats", key)
    return float(value or 0)


def fmt_seconds(values: list[float], q: float | None, pending: list[float]) -> str:
    """A lateness percentile; with ticks that never ran, a lower bound (they count as late as they were)."""
    everything = values + pending
    if not everything:
        return "–"
    value = max(everything) if q is None else common.percentile(everything, q)
    mark = "≥ " if pending and value >= min(pending) else ""
    return f"{mark}{value:.2f} s"


HEADER = [
    "design",
    "N",
    "offered ticks/s",
    "sustained ticks/s",
    "ran/due",
    "lateness p50",
    "p99",
    "max",
    "queries/tick",
    "round trips/tick",
    "worker RSS",
    "beat RSS",
    "worker CPU",
    "beat CPU",
    "machine CPU",
    "violations",
    "note",
]


def row(r: Result) -> list[object]:
    ticks = max(1, r.stats.get("ticks", 0))
    queries = r.stats.get("queries", 0)
    transactions = r.stats.get("commits", 0) + r.stats.get("rollbacks", 0)
    trips = queries + 2 * transactions + r.stats.get("health_checks", 0)
    violations = sum(r.violations.values())
    return [
        r.design,
        f"{r.n:,}",
        f"{r.offered:.1f}",
        f"{r.sustained:.1f}",
        f"{len(r.lateness):,}/{r.due:,}",
        fmt_seconds(r.lateness, 50, r.pending),
        fmt_seconds(r.lateness, 99, r.pending),
        fmt_seconds(r.lateness, None, r.pending),
        f"{queries / ticks:.2f}",
        f"{trips / ticks:.2f}",
        f"{r.worker_rss:.0f} MiB",
        f"{r.beat_rss:.0f} MiB",
        f"{r.worker_cpu * 100:.0f}%",
        f"{r.beat_cpu * 100:.0f}%",
        f"{r.machine_busy * 100:.0f}%",
        str(violations) if violations == 0 else f"{violations} {r.violations}",
        r.note,
    ]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scheduler", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated N (default: %(default)s)")
    parser.add_argument("--designs", default="sweep,naive", help="sweep, naive or both (default: %(default)s)")
    parser.add_argument(
        "--period", type=int, default=300, help="FOCUS_TICK_SECONDS (default: %(default)s, the real one)"
    )
    parser.add_argument("--dispatch-seconds", type=int, default=2, help="FOCUS_DISPATCH_SECONDS (default: %(default)s)")
    parser.add_argument("--window", type=int, default=0, help="measurement window in s (default: 60/90/180 by N)")
    parser.add_argument("--drain", type=int, default=60, help="at most this long for the window's last ticks")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="worker processes (default: cores)")
    parser.add_argument("--lead", type=int, default=10, help="naive: seconds between creating the schedule and t0")
    parser.add_argument(
        "--warmup", type=int, default=30, help="seconds at the full rate before the window (default: %(default)s)"
    )
    parser.add_argument(
        "--profile", type=int, default=20, help="py-spy the sweep's workers this many seconds mid-window (0: off)"
    )
    parser.add_argument("--no-doc", action="store_true", help="do not rewrite docs/benchmarks.md")
    args = parser.parse_args()
    args.min_gap, args.max_nudges = args.period, 8
    sizes = [int(s) for s in args.sizes.split(",") if s]
    designs = [d for d in args.designs.split(",") if d]
    random.seed(1)

    common.RUN_DIR.mkdir(parents=True, exist_ok=True)
    from focus.tests.stack import RedisServer  # the integration tests' throwaway redis-server

    broker = RedisServer(common.RUN_DIR)
    broker.start()
    stats = broker.url[:-1] + "1"
    try:
        common.setup_django(
            broker_url=broker.url,
            FOCUS_TICK_SECONDS=str(args.period),
            FOCUS_NUDGE_MIN_GAP_SECONDS=str(args.min_gap),
            FOCUS_MAX_NUDGES=str(args.max_nudges),
            FOCUS_DISPATCH_SECONDS=str(args.dispatch_seconds),
        )
        info = common.machine()
        results = []
        for n in sizes:
            window = args.window or DEFAULT_WINDOWS.get(n, 60)
            for design in designs:
                results.append(run_one(design=design, n=n, window=window, args=args, broker=broker, stats=stats))
        load_after = common.load_now()
    finally:
        broker.stop()

    rows = [row(r) for r in results]
    print()
    common.print_table(HEADER, rows)
    notes = []
    for r in results:
        if r.started_first_tick:
            notes.append(
                f"- sweep, N={r.n:,}: {len(r.started_first_tick)} sessions started during the run got their "
                f"first tick {common.percentile(r.started_first_tick, 50):.2f} s (p50) / "
                f"{common.percentile(r.started_first_tick, 99):.2f} s (p99) after start."
            )
        if r.profile:
            notes.append(
                f"- sweep, N={r.n:,}: where the worker processes' time went (py-spy, {args.profile} s "
                f"mid-window, by innermost layer): {r.profile}."
            )
        notes.append(
            f"- {r.design}, N={r.n:,}: {r.started} sessions started and {r.ended} ended during the run; "
            f"the churn driver used {r.driver_cpu * 100:.0f}% of a core; worker counters "
            + ", ".join(f"{k} {v}" for k, v in sorted(r.stats.items()) if ":" not in k)
            + "; violations by check: "
            + ", ".join(f"{k} {v}" for k, v in r.violations.items())
            + "."
        )
    for line in notes:
        print(line)
    if not args.no_doc:
        command = "make bench-scheduler" + (f" BENCH_ARGS='{' '.join(os.sys.argv[1:])}'" if os.sys.argv[1:] else "")
        common.write_section(
            "scheduler",
            [
                *common.machine_lines(info, load_after=load_after),
                "",
                f"Command: `{command}`. FOCUS_TICK_SECONDS={args.period}, FOCUS_DISPATCH_SECONDS={args.dispatch_seconds}, "
                f"FOCUS_NUDGE_MIN_GAP_SECONDS={args.min_gap}, FOCUS_MAX_NUDGES={args.max_nudges}; one worker with "
                f"{args.workers} prefork processes, one beat.",
                "",
                *common.markdown_table(HEADER, rows),
                "",
                *notes,
            ],
        )


if __name__ == "__main__":
    main()

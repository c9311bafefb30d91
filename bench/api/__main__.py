"""API benchmark: `make bench-api` (or `python -m bench.api --help`).

gunicorn exactly as the Procfile runs it (uvicorn workers on focusflow.asgi, WEB_CONCURRENCY of them,
access log on; `--server wsgi`: the former sync workers),
with the production settings (DEBUG off, PostgreSQL, Redis as broker and cache) and a bench-only
URLconf that adds `POST /bench/bare` (bench/api/urls.py). A load generator (bench/api/load.py, its
own process) runs authenticated clients, each its own person, at each concurrency level through
three closed-loop phases of the same length, against the same server (bare and ping alternate in
slices, so that other work on a shared machine weighs on both alike):

- bare: the constant DRF endpoint, the framework's ceiling (token auth, throttles, JSON);
- ping: POST /focus/ping alone, on one running session per client;
- flow: the seed's flow, start → 5 pings → events poll → end, over and over.

Then one open-loop phase: pings arriving at a fixed rate, 70% of the best ping throughput the
closed-loop phases measured, spread over the largest level's sessions. A closed loop's latency is
clients ÷ throughput whatever the server does (Little's law), so latency is judged here, at a load
the server can carry: the target is p99 ≤ 100 ms.

Per endpoint it reports requests/s, p50 and p99 latency, and the ratio of its throughput to the
bare endpoint's at the same concurrency: for ping from the ping phase (both measured directly); for
the flow's endpoints, which share their clients' time, from Little's law (a closed loop's
throughput = clients ÷ mean latency), i.e. what the endpoint would sustain alone at that latency.
Throttle rates and the ceiling on pings per session are raised for the run (every client is its own
person sending as fast as it can).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess

from bench import common

ENDPOINTS = ["POST /focus/start", "POST /focus/ping", "GET /focus/sessions/{id}/events/", "POST /focus/end"]
BARE = "POST /bench/bare"
UNTHROTTLED = "1000000/min"
OPEN_LOOP_SHARE = 0.7  # of the best closed-loop ping throughput
OPEN_LOOP_P99_MS = 100.0
PING_RATIO_TARGET = 0.5


def create_clients(n: int) -> list[dict]:
    from django.contrib.auth import get_user_model

    from focusflow.people import account_person_id
    from focusflow.tokens import token_create

    User = get_user_model()
    User.objects.filter(username__startswith="bench-api-").delete()
    clients = []
    for i in range(n):
        user = User.objects.create_user(f"bench-api-{i}")
        clients.append(
            {"token": token_create(user=user), "person_id": str(account_person_id(user=user)), "user_id": user.pk}
        )
    return clients


def queries_per_request(client: dict) -> dict[str, int]:
    """One request of each endpoint in this process, its SQL statements counted (Django's test client)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {client['token']}")
    counts = {}

    def count(name, method, path, body=None):
        with CaptureQueriesContext(connection) as queries:
            response = getattr(api, method)(path, body, format="json")
        assert response.status_code < 400, (name, response.status_code, response.content[:300])
        counts[name] = len(queries)
        return response.json()

    count(BARE, "post", "/bench/bare", {"session_id": "x"})
    session_id = count(
        ENDPOINTS[0], "post", "/focus/start", {"task_id": None, "estimated_duration": 45, "mode": "deep"}
    )["session_id"]
    for _ in range(3):
        count(ENDPOINTS[1], "post", "/focus/ping", {"session_id": session_id, "stress": 0.4, "activity": "active"})
    count(ENDPOINTS[2], "get", f"/focus/sessions/{session_id}/events/")
    count(ENDPOINTS[3], "post", "/focus/end", {"session_id": session_id, "completion_score": 0.8})
    return counts


def end_active_sessions() -> None:
    from focus.models import FocusSession
    from focus.services import session_end

    for session_id in FocusSession.objects.filter(ended_at__isnull=True).values_list("id", flat=True):
        session_end(session_id=session_id, person_id=None, completion_score=0.5)


def start_sessions(clients: list[dict]) -> None:
    import uuid

    from focus.services import session_start

    for client in clients:
        client["session_id"] = str(
            session_start(person_id=uuid.UUID(client["person_id"]), task_id=None, estimated_duration=45, mode="deep").id
        )


def run_load(
    *, base: str, clients_file, scenario: str, concurrency: int, duration: float, env, rate: float | None = None
) -> dict:
    done = subprocess.run(
        [
            str(common.ROOT / ".venv" / "bin" / "python"),
            "-m",
            "bench.api.load",
            "--base",
            base,
            "--clients",
            str(clients_file),
            "--scenario",
            scenario,
            "--concurrency",
            str(concurrency),
            "--duration",
            str(duration),
            *(["--rate", f"{rate:.1f}"] if rate else []),
        ],
        cwd=common.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=duration + 120,
    )
    if done.returncode != 0:
        raise RuntimeError(f"load generator failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)


def merged(parts: list[dict]) -> dict:
    """One phase from the slices it ran in: samples and errors pooled, wall time and CPU added up."""
    samples: dict[str, list[float]] = {}
    errors: dict[str, dict[str, int]] = {}
    for part in parts:
        for name, latencies in part["samples"].items():
            samples.setdefault(name, []).extend(latencies)
        for name, by_status in part["errors"].items():
            for code, count in by_status.items():
                errors.setdefault(name, {})[code] = errors.get(name, {}).get(code, 0) + count
    wall = sum(part["wall"] for part in parts)
    cpu = sum(part["client_cpu"] * part["wall"] for part in parts) / wall
    return {"samples": samples, "errors": errors, "wall": wall, "client_cpu": cpu}


def _rps(phase: dict, name: str) -> float:
    return len(phase["samples"].get(name, [])) / phase["wall"]


def summarize(name: str, latencies: list[float], wall: float, errors: dict[str, int]) -> dict:
    return {
        "endpoint": name,
        "requests": len(latencies),
        "rps": len(latencies) / wall,
        "p50": common.percentile(latencies, 50) * 1000 if latencies else float("nan"),
        "p99": common.percentile(latencies, 99) * 1000 if latencies else float("nan"),
        "mean": statistics.fmean(latencies) if latencies else float("nan"),
        "errors": sum(errors.values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.api", description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", default="8,32,64", help="concurrent clients (default: %(default)s)")
    parser.add_argument("--duration", type=float, default=15, help="seconds per phase (default: %(default)s)")
    parser.add_argument(
        "--web-concurrency",
        type=int,
        default=int(os.environ.get("WEB_CONCURRENCY", 2)),
        help="gunicorn workers, as WEB_CONCURRENCY in the Procfile (default: %(default)s)",
    )
    parser.add_argument(
        "--slices",
        type=int,
        default=3,
        help="bare and ping alternate in this many slices of each phase (default: %(default)s)",
    )
    parser.add_argument(
        "--server",
        choices=("asgi", "wsgi"),
        default="asgi",
        help="asgi: the Procfile's uvicorn workers on focusflow.asgi; wsgi: the former sync workers (default: %(default)s)",
    )
    parser.add_argument("--no-doc", action="store_true", help="do not rewrite docs/benchmarks.md")
    args = parser.parse_args()
    levels = [int(n) for n in args.levels.split(",") if n]

    common.RUN_DIR.mkdir(parents=True, exist_ok=True)
    from focus.tests.stack import Proc, RedisServer, free_port, wait_for

    redis_server = RedisServer(common.RUN_DIR)
    redis_server.start()
    cache_url = redis_server.url[:-1] + "2"
    web = None
    try:
        common.setup_django(
            broker_url=redis_server.url,
            settings_module="bench.api.settings",
            CACHE_URL=cache_url,
            ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
            THROTTLE_USER_RATE=UNTHROTTLED,
            THROTTLE_STAFF_RATE=UNTHROTTLED,
            THROTTLE_START_RATE=UNTHROTTLED,
            THROTTLE_PING_RATE=UNTHROTTLED,
            FOCUS_MAX_PINGS_PER_SESSION="1000000",
        )
        from bench.scheduler import seed

        info = common.machine()
        seed.reset()
        clients = create_clients(max(levels))
        queries = queries_per_request(clients[0])
        print("queries per request:", queries, flush=True)

        port = free_port()
        log = common.RUN_DIR / "api-gunicorn.log"
        env = common.process_env()
        server = (
            ["focusflow.asgi", "--worker-class", "focusflow.asgi_worker.StreamingUvicornWorker"]
            if args.server == "asgi"
            else ["focusflow.wsgi"]
        )
        argv = [
            str(common.ROOT / ".venv" / "bin" / "gunicorn"),
            *server,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.web_concurrency),
            "--access-logfile",
            "-",
        ]
        web = Proc(
            "web",
            subprocess.Popen(
                argv, cwd=common.ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
            ),
            log,
        )
        wait_for(
            lambda: web.output().count("Booting worker") >= args.web_concurrency or not web.alive(),
            timeout=60,
            what="gunicorn workers",
        )
        assert web.alive(), web.output()[-3000:]
        base = f"http://127.0.0.1:{port}"
        clients_file = common.RUN_DIR / "api-clients.json"
        # Warm-up, not measured: both workers import and connect before the first phase counts.
        end_active_sessions()
        start_sessions(clients[:4])
        clients_file.write_text(json.dumps(clients))
        for scenario in ("bare", "ping"):
            run_load(base=base, clients_file=clients_file, scenario=scenario, concurrency=4, duration=3, env=env)
        results = []
        for level in levels:
            end_active_sessions()
            start_sessions(clients[:level])
            clients_file.write_text(json.dumps(clients))
            # bare and ping alternate in slices, so other work on the machine weighs on both alike.
            slices: dict[str, list[dict]] = {"bare": [], "ping": []}
            for n in range(args.slices):
                for scenario in ("bare", "ping"):
                    print(
                        f"== {level} clients: {scenario} for {args.duration / args.slices:.0f} s "
                        f"({n + 1}/{args.slices})",
                        flush=True,
                    )
                    slices[scenario].append(
                        run_load(
                            base=base,
                            clients_file=clients_file,
                            scenario=scenario,
                            concurrency=level,
                            duration=args.duration / args.slices,
                            env=env,
                        )
                    )
            phases = {scenario: merged(parts) for scenario, parts in slices.items()}
            end_active_sessions()
            print(f"== {level} clients: flow for {args.duration:.0f} s", flush=True)
            phases["flow"] = run_load(
                base=base,
                clients_file=clients_file,
                scenario="flow",
                concurrency=level,
                duration=args.duration,
                env=env,
            )
            results.append((level, phases))
        # Open loop at 70% of the best closed-loop ping throughput, over the largest level's sessions.
        best_ping = max(_rps(phases["ping"], ENDPOINTS[1]) for _, phases in results)
        open_rate = OPEN_LOOP_SHARE * best_ping
        end_active_sessions()
        start_sessions(clients[: max(levels)])
        clients_file.write_text(json.dumps(clients))
        print(f"== open loop: {open_rate:.0f} pings/s for {args.duration:.0f} s", flush=True)
        open_loop = run_load(
            base=base,
            clients_file=clients_file,
            scenario="open",
            concurrency=max(levels),
            duration=args.duration,
            env=env,
            rate=open_rate,
        )
        load_after = common.load_now()
    finally:
        if web is not None:
            web.stop()
        redis_server.stop()

    header = [
        "clients",
        "phase",
        "endpoint",
        "requests",
        "req/s",
        "p50 ms",
        "p99 ms",
        "errors",
        "queries/request",
        "ours ÷ bare",
        "client CPU",
    ]
    rows = []
    ping_ratios: dict[int, float] = {}
    for level, phases in results:
        bare = phases["bare"]
        b = summarize(BARE, bare["samples"].get(BARE, []), bare["wall"], bare["errors"].get(BARE, {}))
        rows.append(
            [
                level,
                "bare",
                BARE,
                b["requests"],
                f"{b['rps']:.0f}",
                f"{b['p50']:.1f}",
                f"{b['p99']:.1f}",
                b["errors"],
                queries[BARE],
                "1.00",
                f"{bare['client_cpu'] * 100:.0f}%",
            ]
        )
        ping = phases["ping"]
        p = summarize(
            ENDPOINTS[1], ping["samples"].get(ENDPOINTS[1], []), ping["wall"], ping["errors"].get(ENDPOINTS[1], {})
        )
        ratio = p["rps"] / b["rps"] if b["rps"] else float("nan")
        ping_ratios[level] = ratio
        rows.append(
            [
                level,
                "ping",
                ENDPOINTS[1],
                p["requests"],
                f"{p['rps']:.0f}",
                f"{p['p50']:.1f}",
                f"{p['p99']:.1f}",
                p["errors"],
                queries[ENDPOINTS[1]],
                f"{ratio:.2f}",
                f"{ping['client_cpu'] * 100:.0f}%",
            ]
        )
        flow = phases["flow"]
        for name in ENDPOINTS:
            f = summarize(name, flow["samples"].get(name, []), flow["wall"], flow["errors"].get(name, {}))
            alone = level / f["mean"] if f["requests"] else float("nan")  # Little's law: clients ÷ mean latency
            rows.append(
                [
                    level,
                    "flow",
                    name,
                    f["requests"],
                    f"{f['rps']:.0f}",
                    f"{f['p50']:.1f}",
                    f"{f['p99']:.1f}",
                    f["errors"],
                    queries[name],
                    f"{alone / b['rps']:.2f}",
                    f"{flow['client_cpu'] * 100:.0f}%" if name == ENDPOINTS[0] else "",
                ]
            )
    o = summarize(
        ENDPOINTS[1],
        open_loop["samples"].get(ENDPOINTS[1], []),
        open_loop["wall"],
        open_loop["errors"].get(ENDPOINTS[1], {}),
    )
    rows.append(
        [
            f"open, {open_rate:.0f}/s",
            "open loop",
            ENDPOINTS[1],
            o["requests"],
            f"{o['rps']:.0f}",
            f"{o['p50']:.1f}",
            f"{o['p99']:.1f}",
            o["errors"],
            queries[ENDPOINTS[1]],
            "",
            f"{open_loop['client_cpu'] * 100:.0f}%",
        ]
    )
    print()
    common.print_table(header, rows)
    ratios_met = all(r >= PING_RATIO_TARGET for r in ping_ratios.values())
    open_met = o["p99"] <= OPEN_LOOP_P99_MS and o["errors"] == 0
    verdict = [
        f"Target: `POST /focus/ping` at ≥ {PING_RATIO_TARGET:.0%} of the bare endpoint's throughput at every level "
        f"(measured {', '.join(f'{r * 100:.0f}% at {level}' for level, r in ping_ratios.items())}): "
        f"{'met' if ratios_met else 'not met'}.",
        "",
        f"Target: pings arriving open-loop at {OPEN_LOOP_SHARE:.0%} of the best closed-loop ping throughput "
        f"({best_ping:.0f}/s → {open_rate:.0f}/s, spread over {max(levels)} sessions; the generator fell at most "
        f"{open_loop['worst_send_lag'] * 1000:.0f} ms behind its schedule) answered with p99 ≤ "
        f"{OPEN_LOOP_P99_MS:.0f} ms, latency counted from when each ping was due (measured p50 {o['p50']:.1f} ms, "
        f"p99 {o['p99']:.1f} ms, {o['errors']} errors): {'met' if open_met else 'not met'}.",
    ]
    print(*verdict, sep="\n")
    if not args.no_doc:
        extra = " ".join(os.sys.argv[1:])
        common.write_section(
            "api",
            [
                *common.machine_lines(info, load_after=load_after),
                "",
                f"Command: `make bench-api{f' BENCH_ARGS={extra!r}' if extra else ''}`. gunicorn with "
                f"{args.web_concurrency} {'uvicorn workers on focusflow.asgi' if args.server == 'asgi' else 'sync workers'} "
                "(WEB_CONCURRENCY), production settings (DEBUG off), PostgreSQL, "
                f"Redis as broker and cache; {args.duration:.0f} s per phase, bare and ping alternating in "
                f"{args.slices} slices each; the load generator runs on the same machine "
                "(its CPU use is the last column, in % of one core).",
                "",
                *common.markdown_table(header, rows),
                "",
                *verdict,
            ],
        )


if __name__ == "__main__":
    main()

"""What both benchmarks share: the benchmark database and broker, the machine they ran on, real
processes (the integration tests' helpers: Proc, RedisServer, wait_for), percentiles, and the
section of docs/benchmarks.md each one rewrites.

Benchmarks run on their own database (BENCH_DATABASE_URL, default `focusflow_bench`, created and
migrated here) and a throwaway redis-server on a spare port, so they never touch the development
or test data, nor other people's Redis databases.
"""

from __future__ import annotations

import contextlib
import os
import platform
import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
RUN_DIR = ROOT / ".run" / "bench"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/focusflow_bench"

# Production-like knobs for every process a benchmark starts (DEBUG off: no query log in memory).
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789abcdef",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "EMAIL_URL": "dummy://",  # required with DEBUG off; the benchmarks send no mail
    "LOG_LEVEL": "WARNING",
    "PYTHONUNBUFFERED": "1",
}


def database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)


def ensure_database(url: str) -> None:
    """Create the benchmark database if it is missing (on the server's maintenance database)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(("postgresql", parts.netloc, "/postgres", "", ""))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(*, broker_url: str, settings_module: str = "focusflow.settings", **knobs: str) -> None:
    """Configure this (driver) process like the processes it starts, then django.setup() and migrate."""
    url = database_url()
    ensure_database(url)
    os.environ.update(PRODUCTION_ENV)
    os.environ.update(
        {"DATABASE_URL": url, "CELERY_BROKER_URL": broker_url, "DJANGO_SETTINGS_MODULE": settings_module, **knobs}
    )
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    # What a deploy's release phase does too: with DEBUG off the web process refuses to start without it.
    call_command("collectstatic", interactive=False, verbosity=0)


def process_env(**extra: str) -> dict[str, str]:
    """The environment of a started process: this one's (already set up), without test knobs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return ordered[rank - 1]


def _command(*argv: str) -> str:
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"


def machine() -> dict[str, str]:
    """The machine a benchmark ran on, and how busy it was when it started."""
    cpu = "?"
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    memory = "?"
    try:
        kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, AttributeError):
        pass
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    redis = _command("redis-server", "--version").split(" v=")[-1].split(" ")[0]
    return {
        "when": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": f"{os.cpu_count()} cores, {cpu}",
        "memory": memory,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "postgresql": postgres,
        "redis": redis,
        "load": _command("uptime").split("load average:")[-1].strip(),
        "commit": _command("git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"),
    }


def machine_lines(info: dict[str, str], *, load_after: str | None = None) -> list[str]:
    load = f"load average at start {info['load']}" + (f", at end {load_after}" if load_after else "")
    return [
        f"Ran {info['when']} at commit `{info['commit']}` on {info['cpu']}, {info['memory']} memory, "
        f"{info['os']}, Python {info['python']}, PostgreSQL {info['postgresql']}, Redis {info['redis']}; "
        f"{load} (`uptime`: other work on the machine shares these cores).",
    ]


def load_now() -> str:
    return _command("uptime").split("load average:")[-1].strip()


def markdown_table(header: list[str], rows: list[list[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines


def print_table(header: list[str], rows: list[list[object]]) -> None:
    cells = [header] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for n, row in enumerate(cells):
        print("  ".join(cell.rjust(widths[i]) for i, cell in enumerate(row)))
        if n == 0:
            print("  ".join("-" * w for w in widths))


def write_section(name: str, lines: list[str]) -> None:
    """Replace the generated part of docs/benchmarks.md between its `bench:<name>` markers."""
    begin, end = f"<!-- bench:{name} begin (generated) -->", f"<!-- bench:{name} end -->"
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    block = "\n".join([begin, *lines, end])
    if begin in text and end in text:
        text = text[: text.index(begin)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text)

"""Real FocusFlow processes for integration tests: gunicorn, Celery worker(s) and beat(s), and
throwaway Redis servers, all on the test database. Nothing here mocks or runs eagerly.

Every wait polls with a deadline (`wait_for`); no assertion depends on a fixed sleep.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

# Time-compressed knobs: a tick every 2 s, sweeps every second, a short lease.
FAST = {
    "FOCUS_TICK_SECONDS": "2",
    "FOCUS_NUDGE_MIN_GAP_SECONDS": "2",
    "FOCUS_DISPATCH_SECONDS": "1",
    "FOCUS_LEASE_SECONDS": "3",
}


def wait_for(predicate: Callable[[], object], *, timeout: float = 30.0, interval: float = 0.1, what: str = ""):
    """Poll until predicate() is truthy; fail after the deadline. Returns the truthy value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or predicate}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def current_database_url() -> str:
    """The URL of the database this test runs on (pytest-django's test database)."""
    s = connection.settings_dict
    user = s.get("USER") or "postgres"
    auth = f"{user}:{s['PASSWORD']}" if s.get("PASSWORD") else user
    return f"postgres://{auth}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal the whole process group (a prefork worker's children too)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)

    def stop(self, timeout: float = 10.0) -> None:
        if self.alive():
            self.kill(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill(signal.SIGKILL)
                self.popen.wait(timeout)
        self.kill(signal.SIGKILL)  # leftovers in the group, if any


class RedisServer:
    """A throwaway redis-server on a spare port (fault tests stop and start it)."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for(self.answers, timeout=15, what=f"redis on port {self.port}")

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.proc = None


@dataclass
class Stack:
    """Processes sharing one environment (database, broker, knobs)."""

    workdir: Path
    env: dict[str, str]
    procs: list[Proc] = field(default_factory=list)

    def _spawn(self, name: str, argv: list[str], ready: str | None, timeout: float = 60) -> Proc:
        log = self.workdir / f"{name}-{len(self.procs)}.log"
        popen = subprocess.Popen(
            argv, cwd=ROOT, env=self.env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
        )
        proc = Proc(name, popen, log)
        self.procs.append(proc)
        if ready:
            wait_for(lambda: ready in proc.output() or not proc.alive(), timeout=timeout, what=f"{name} ready")
            assert proc.alive(), f"{name} exited:\n{proc.output()[-3000:]}"
        return proc

    def worker(self, concurrency: int = 2, name: str | None = None) -> Proc:
        node = name or f"w{len(self.procs)}@%h"
        return self._spawn(
            "worker",
            [
                str(BIN / "celery"),
                "-A",
                "focusflow",
                "worker",
                "-Q",
                "focus,celery",
                "--concurrency",
                str(concurrency),
                "-n",
                node,
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            ready="ready.",
        )

    def beat(self) -> Proc:
        schedule = self.workdir / f"beat-{len(self.procs)}.pid"
        return self._spawn(
            "beat",
            [
                str(BIN / "celery"),
                "-A",
                "focusflow",
                "beat",
                "-S",
                "django",
                "--loglevel",
                "INFO",
                "--pidfile",
                str(schedule),
            ],
            ready="beat: Starting",
        )

    def web(self) -> tuple[Proc, str]:
        port = free_port()
        proc = self._spawn(
            "web",
            [
                str(BIN / "gunicorn"),
                "focusflow.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--access-logfile",
                "-",
            ],
            ready="Booting worker",
        )
        return proc, f"http://127.0.0.1:{port}"

    def web_asgi(self, port: int | None = None, workers: int = 1) -> tuple[Proc, str]:
        """The Procfile's web server: gunicorn with uvicorn workers serving focusflow.asgi (streams)."""
        port = port or free_port()
        proc = self._spawn(
            "web",
            [
                str(BIN / "gunicorn"),
                "focusflow.asgi",
                "--worker-class",
                "focusflow.asgi_worker.StreamingUvicornWorker",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--graceful-timeout",
                "5",
            ],
            ready="Application startup complete",
        )
        return proc, f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        for proc in reversed(self.procs):
            proc.stop()

    def logs(self) -> str:
        return "\n".join(f"--- {p.name} ({p.log.name})\n{p.output()[-4000:]}" for p in self.procs)


def stack_env(*, broker_url: str, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("FOCUS_", "PYTEST_"))}
    env.update(FAST)
    env.update(
        {
            "DATABASE_URL": current_database_url(),
            "CELERY_BROKER_URL": broker_url,
            "DEBUG": "true",
            "PYTHONUNBUFFERED": "1",
            "LOG_LEVEL": "INFO",
        }
    )
    env.update(extra)
    return env


PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), None)


class PostgresCluster:
    """A throwaway PostgreSQL cluster on a spare port (fault tests restart it). PostgreSQL refuses to
    run as root, so when the tests run as root the cluster belongs to the `postgres` OS user."""

    def __init__(self, name: str = "focusflow_fault"):
        import tempfile

        if PG_BIN is None or not (PG_BIN / "initdb").exists():
            raise RuntimeError("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
        self.port = free_port()
        self.name = name
        self.dir = Path(tempfile.mkdtemp(prefix="focusflow-pg-"))
        self.data = self.dir / "data"
        self.logfile = self.dir / "postgres.log"
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{self.name}"

    def _run(self, *argv: str, timeout: float = 120) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        done = subprocess.run([*prefix, *argv], capture_output=True, text=True, timeout=timeout, cwd=self.dir)
        if done.returncode != 0:
            raise RuntimeError(f"{argv[0]} failed: {done.stdout}{done.stderr}\n{self.log()[-2000:]}")
        return done

    def log(self) -> str:
        return self.logfile.read_text(errors="replace") if self.logfile.exists() else ""

    def _pg_ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        self._run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.logfile),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            *args,
        )

    def start(self) -> None:
        self._run(
            str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"
        )
        self._pg_ctl("start")
        self.sql(f'CREATE DATABASE "{self.name}"', database="postgres")

    def restart(self) -> None:
        """A fast restart: every client connection is cut, the server comes back on the same port."""
        self._pg_ctl("-m", "fast", "restart")

    def stop(self) -> None:
        if self.data.exists():
            with contextlib.suppress(RuntimeError):  # not running
                self._pg_ctl("-m", "immediate", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)

    def connect(self, database: str | None = None):
        import psycopg

        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user="postgres",
            dbname=database or self.name,
            autocommit=True,
            connect_timeout=5,
        )

    def sql(self, query: str, params: tuple = (), *, database: str | None = None) -> list[tuple]:
        with self.connect(database) as conn:
            cursor = conn.execute(query, params)
            return cursor.fetchall() if cursor.description else []

    def manage(self, *args: str, env: dict[str, str]) -> str:
        """Run manage.py against this cluster (e.g. migrate)."""
        done = subprocess.run(
            [str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

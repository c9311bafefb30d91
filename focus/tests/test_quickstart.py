"""The quick start runs on SQLite (`make run` with no DATABASE_URL): migrations, the demo accounts,
and a whole session through the services and the tick engine, in a subprocess on a fresh SQLite file;
and `make run` itself, from a clean shell, serves where it says it does and where the README says."""

import os
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import psutil
import pytest

from focus.tests.stack import ROOT, RedisServer, free_port, wait_for

pytestmark = pytest.mark.integration

SESSION_SCRIPT = """
import uuid
from datetime import timedelta
from focus import engine
from focus.services import session_end, session_ping, session_start
s = session_start(person_id=uuid.uuid4(), task_id=None, estimated_duration=30, mode="deep")
print("first", engine.run_tick(session_id=s.id))
session_ping(session_id=s.id, person_id=None, values={"stress": 0.95, "fatigue": 0.5, "activity": "active"})
print("batch", engine.run_ticks(claims=[(str(s.id), 0)], now=s.started_at + timedelta(seconds=301)))
print("headline", session_end(session_id=s.id, person_id=None).summary["headline"])
"""


def manage(*args: str, env: dict) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_a_whole_session_runs_on_sqlite(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("FOCUS_", "PYTEST_"))}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", DEBUG="true")
    manage("migrate", "--noinput", env=env)
    assert "API token" in manage("demo_account", env=env)
    out = manage("shell", "-c", SESSION_SCRIPT, env=env)
    assert "first tick" in out
    assert "batch {'break': 1}" in out
    assert "headline" in out


# --------------------------------------------------------------------------- `make run` from a clean shell

BOUND = re.compile(r"Listening at: http://0\.0\.0\.0:(\d+)|Connection in use: \('0\.0\.0\.0', (\d+)\)")
PRINTED = re.compile(r"FocusFlow quick start — http://localhost:(\d+)/")


def readme_ports() -> set[str]:
    return set(re.findall(r"localhost:(\d+)", (ROOT / "README.md").read_text()))


def stop_tree(root: subprocess.Popen) -> None:
    """Stop `make run` the way Ctrl-C does: honcho is told to stop and stops web, worker and beat
    (each in a session of its own, so signalling make's process group would not reach them)."""
    try:
        tree = psutil.Process(root.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        tree = []
    for proc in tree:
        try:
            if "honcho" in " ".join(proc.cmdline()):
                proc.send_signal(signal.SIGINT)
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(tree, timeout=20)
    for proc in alive:
        proc.kill()
    root.kill()
    root.wait(10)


def make_run(tmp_path: Path, broker_url: str, **extra: str) -> tuple[str, str, str]:
    """`make run` in a clean shell (no PORT, DEBUG or SECRET_KEY) on a fresh SQLite file: the port
    the web process bound (or tried to: someone else may hold it), the port it printed, the log."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": os.environ.get("HOME", "/root"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CELERY_BROKER_URL": broker_url,
        **extra,
    }
    log = tmp_path / "make-run.log"
    make = subprocess.Popen(
        ["make", "--no-print-directory", "run"],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:

        def both() -> tuple[str, str] | None:
            text = log.read_text(errors="replace")
            bound, printed = BOUND.search(text), PRINTED.search(text)
            if make.poll() is not None and not (bound and printed):
                raise AssertionError(f"make run exited ({make.returncode}):\n{text[-3000:]}")
            return (bound.group(1) or bound.group(2), printed.group(1)) if bound and printed else None

        bound, printed = wait_for(both, timeout=120, what="make run: the web process binding its port")
        if PORT := extra.get("PORT"):
            health = wait_for(
                lambda: _get(f"http://127.0.0.1:{PORT}/healthz"), timeout=120, what="healthz (the web workers booted)"
            )
            assert health == 200
        return bound, printed, log.read_text(errors="replace")
    finally:
        stop_tree(make)


def _get(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status
    except OSError:
        return None


@pytest.fixture
def broker(tmp_path):
    redis = RedisServer(tmp_path)
    redis.start()
    yield redis.url
    redis.stop()


def test_make_run_serves_on_the_port_it_prints_and_the_readme_names(tmp_path, broker):
    """honcho hands the first process PORT=5000 unless PORT is set: `make run` must set it."""
    bound, printed, log = make_run(tmp_path, broker)
    assert readme_ports() == {"8000"}
    assert (bound, printed) == ("8000", "8000"), log[-3000:]


def test_make_run_serves_and_prints_the_port_given_in_PORT(tmp_path, broker):
    port = str(free_port())
    bound, printed, log = make_run(tmp_path, broker, PORT=port)
    assert (bound, printed) == (port, port), log[-3000:]

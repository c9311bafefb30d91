"""The quick start runs on SQLite (`make run` with no DATABASE_URL): migrations, the demo accounts,
and a whole session through the services and the tick engine, in a subprocess on a fresh SQLite file."""

import os
import subprocess
import sys

import pytest

from focus.tests.stack import ROOT

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
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
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

"""The root conftest.py: the pure tests run on a laptop without PostgreSQL; a run that collects a
database test refuses anything but PostgreSQL, before any test starts."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_pytest(*args: str) -> subprocess.CompletedProcess:
    """pytest in a fresh process with no DATABASE_URL (the settings' SQLite default) and no broker."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_pure_tests_run_without_postgresql():
    done = run_pytest("focus/tests/test_messages.py", "rhythm/tests/test_habit.py")
    assert done.returncode == 0, done.stdout + done.stderr
    assert " passed" in done.stdout


def test_a_run_with_database_tests_refuses_anything_but_postgresql():
    done = run_pytest("rhythm/tests/test_habit.py", "rhythm/tests/test_api_state.py")
    assert done.returncode == 2
    output = done.stdout + done.stderr
    assert "The tests run on PostgreSQL" in output and "set DATABASE_URL" in output
    assert " passed" not in output  # refused before any test ran, the pure ones included

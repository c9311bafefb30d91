"""The database connection's settings: PostgreSQL without JIT compilation (focusflow/settings.py)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_our_connections_run_without_jit():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def settings_options(database_url: str) -> str:
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "focusflow.settings"}
    done = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_database_urls_own_options_are_kept():
    assert "'options': '-c jit=off'" in settings_options("postgres://u@db:5432/app")
    assert "'options': '-c work_mem=8MB -c jit=off'" in settings_options(
        "postgres://u@db:5432/app?options=-c%20work_mem%3D8MB"
    )
    assert "'options': '-c jit=on'" in settings_options("postgres://u@db:5432/app?options=-c%20jit%3Don")

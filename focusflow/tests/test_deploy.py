"""A production deploy: the release phase (collectstatic, then migrate) runs before the web process,
and a deploy that skipped collectstatic stops with a message naming it instead of serving 500s
("Missing staticfiles manifest entry for 'admin/css/base.css'" on /admin/login/ was one).

Production settings are read in subprocesses (settings are evaluated once per process)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from focus.tests.stack import BIN, ROOT, Stack, current_database_url

PRODUCTION = {
    "DEBUG": "false",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "EMAIL_URL": "dummy://",
    "PYTHONUNBUFFERED": "1",
}


def production_env(static_root: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FOCUS_", "PYTEST_")) and k != "DEBUG"}
    env.update(PRODUCTION, SECRET_KEY=secrets.token_urlsafe(50), STATIC_ROOT=str(static_root), **extra)
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_check_stops_a_deploy_that_skipped_collectstatic(tmp_path):
    done = manage("check", env=production_env(tmp_path / "static"))
    assert done.returncode != 0
    assert "focusflow.E001" in done.stderr
    assert "collectstatic" in done.stderr


def test_migrate_stops_too_so_a_release_in_the_wrong_order_fails_before_web_starts(tmp_path):
    env = production_env(tmp_path / "static", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    done = manage("migrate", "--noinput", "--plan", env=env)
    assert done.returncode != 0
    assert "collectstatic" in done.stderr


def test_check_passes_once_collectstatic_ran(tmp_path):
    env = production_env(tmp_path / "static")
    assert manage("collectstatic", "--noinput", "--verbosity", "0", env=env).returncode == 0
    done = manage("check", env=env)
    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout


def test_a_file_added_since_collectstatic_is_caught(tmp_path, collected_static):
    """A manifest from an older collectstatic misses the new file: its pages would be 500s."""
    extra = tmp_path / "extra"
    (extra / "css").mkdir(parents=True)
    (extra / "css" / "added-later.css").write_text("body{}")
    code = (
        "import django; from django.conf import settings; django.setup(); "
        f"settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, {str(extra)!r}]; "
        "from focusflow.checks import static_manifest_problem; print(static_manifest_problem())"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**production_env(collected_static), "DJANGO_SETTINGS_MODULE": "focusflow.settings"},
    )
    assert done.returncode == 0, done.stderr
    assert "css/added-later.css" in done.stdout and "collectstatic has not run since" in done.stdout


def test_debug_runs_need_no_collectstatic(tmp_path):
    done = manage("check", env={**production_env(tmp_path / "static"), "DEBUG": "true"})
    assert done.returncode == 0, done.stderr


def test_the_web_process_refuses_to_start_before_collectstatic(tmp_path):
    """gunicorn exits with the reason instead of answering every page with a 500."""
    done = subprocess.run(
        [str(BIN / "gunicorn"), "focusflow.wsgi", "--bind", "127.0.0.1:0", "--workers", "1"],
        cwd=ROOT,
        env=production_env(tmp_path / "static"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "No staticfiles manifest" in done.stderr and "collectstatic" in done.stderr


@pytest.mark.integration
@pytest.mark.django_db
def test_a_deploy_runs_the_release_phase_then_serves_the_admin(tmp_path):
    """What a platform does: the Procfile's release command, then web; the admin login is a page."""
    env = production_env(
        tmp_path / "static", DATABASE_URL=current_database_url(), PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}"
    )  # the app's python, as on a platform
    release = subprocess.run(
        [str(BIN / "honcho"), "start", "-f", "Procfile", "release"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert release.returncode == 0, release.stdout[-3000:] + release.stderr[-3000:]
    assert (tmp_path / "static" / "staticfiles.json").exists()
    stack = Stack(tmp_path, env)
    try:
        _, base = stack.web()
        status, page = get(f"{base}/admin/login/")
        assert status == 200, page[-2000:]
        stylesheet = page.split('href="/static/admin/css/base.', 1)[1].split('"', 1)[0]
        assert get(f"{base}/static/admin/css/base.{stylesheet}")[0] == 200
    finally:
        stack.stop()

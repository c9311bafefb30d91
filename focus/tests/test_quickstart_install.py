"""`make run` installs what runs and nothing more (issue 15.10): the runtime requirements, with honcho
among them to start web, worker and beat; the test, lint, browser and benchmark toolchain is
`make install`'s. Checked with `make -n` (prints the commands, runs none) on a fresh venv path."""

import re
import subprocess

from focus.tests.stack import ROOT


def dry_run(target: str, venv) -> str:
    result = subprocess.run(
        ["make", "-n", "--no-print-directory", target, f"VENV={venv}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_run_installs_only_the_runtime_requirements(tmp_path):
    commands = dry_run("run", tmp_path / "venv")
    installs = [line for line in commands.splitlines() if "pip install" in line and " -r " in line]
    assert installs and all("requirements-dev.txt" not in line for line in installs), installs
    assert any(re.search(r"-r requirements\.txt$", line) for line in installs), installs
    assert "honcho start -f Procfile web worker beat" in commands


def test_make_install_adds_the_dev_requirements(tmp_path):
    assert "-r requirements-dev.txt" in dry_run("install", tmp_path / "venv")


def test_honcho_that_make_run_starts_the_processes_with_is_a_runtime_requirement():
    runtime = (ROOT / "requirements.txt").read_text()
    dev = (ROOT / "requirements-dev.in").read_text()
    assert re.search(r"^honcho==", runtime, re.M) and not re.search(r"^honcho==", dev, re.M)


def _curl_flow() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Try it: the seed's minimal flow", 1)[1].split("\n## ", 1)[0]
    return section.split("```sh", 1)[1].split("```", 1)[0]


def test_the_readme_curl_flow_sets_session_uses_the_printed_token_and_hides_no_early_end():
    from focus.management.commands import demo_account

    flow = _curl_flow()
    assert flow.index("SESSION=$(") < flow.index("$SESSION")  # set before it is used
    assert "$TOKEN" in flow and "export TOKEN=" in (ROOT / demo_account.__file__).read_text()
    assert '"early_end":false' not in flow.replace(" ", "")
    # The id is read with python3 alone (no jq): run that very command on a start answer.
    (reader,) = re.findall(r"\| (python3 -c '[^']+')", flow)
    answer = subprocess.run(
        reader,
        shell=True,
        input='{"session_id": "3f0c8d52-6a4e-4c1b-9a5e-2d7b1f0e8c11", "mode": "deep"}',
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert answer.stdout.strip() == "3f0c8d52-6a4e-4c1b-9a5e-2d7b1f0e8c11", answer.stderr


def test_the_readme_shows_a_newcomer_the_dashboard_first():
    headings = re.findall(r"(?m)^## (.+)$", (ROOT / "README.md").read_text())
    dashboard = headings.index("Dashboard")
    assert headings[dashboard - 1] == "Two commands"  # right after how to run it
    for later in ("API", "Configuration", "Processes", "Architecture", "Data", "Admin"):
        assert headings.index(later) > dashboard, later

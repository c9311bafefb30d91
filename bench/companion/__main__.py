"""Session simulator: `make bench-companion` (or `python -m bench.companion --help`).

Runs every archetype (bench/companion/people.py) over SEEDS seeds through the real policy, tick by
tick as the engine does (bench/companion/drive.py), prints the rates of issue 11 with their
targets (bench/companion/metrics.py), cross-checks a sample against the real engine on
PostgreSQL (bench/companion/engine_check.py) and rewrites docs/companion.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from bench.companion import limit
from bench.companion.drive import simulate
from bench.companion.metrics import Row, archetype_rows
from bench.companion.people import ARCHETYPES, build_person
from focus.policy.answers import DISMISS_HOLD_TICKS, MIN_ANSWERS

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "companion.md"
BASELINE = ROOT / "bench" / "companion" / "baseline.json"
DEFAULT_SEEDS = 30
# The engine cross-check's sample: a few seeds of a few archetypes (each a whole session on PostgreSQL).
ENGINE_SAMPLE = (
    "calm_deep",
    "planted_distraction",
    "self_report",
    "coffee_break",
    "new_user_rise",
    "browser_only",
    "takes_breaks",
    "multi_switcher",
    "dismisses_check_ins",
    "done_on_breaks",
    "snoozes_micro_breaks",
    "pauses_midway",
)
ENGINE_SEEDS = (0, 1, 2)


def run(archetypes: list[str], seeds: int) -> tuple[list[Row], dict[str, float]]:
    rows: list[Row] = []
    seconds: dict[str, float] = {}
    for name in archetypes:
        began = time.perf_counter()
        persons = [simulate(build_person(name, seed)) for seed in range(seeds)]
        rows.extend(archetype_rows(name, persons))
        seconds[name] = time.perf_counter() - began
    return rows, seconds


def _key(row: Row) -> str:
    return f"{row.archetype} / {row.metric}"


def load_baseline() -> dict:
    """The committed baseline run (--save-baseline), to show which rates moved; {} if none."""
    try:
        return json.loads(BASELINE.read_text())
    except (OSError, ValueError):
        return {}


def save_baseline(rows: list[Row], *, seeds: int) -> None:
    rates = {_key(r): f"{r.value} {r.verdict}" for r in rows}
    BASELINE.write_text(json.dumps({"commit": commit(), "seeds": seeds, "rates": rates}, indent=1) + "\n")


def _was(row: Row, baseline: dict) -> list[str]:
    return [baseline.get("rates", {}).get(_key(row), "—")] if baseline else []


def table(rows: list[Row], baseline: dict | None = None) -> list[str]:
    baseline = baseline or {}
    extra = ["Baseline"] if baseline else []
    header = ["Archetype", "Rate", "Target", "Result", "", *extra, "Source"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in rows:
        cells = [r.archetype, r.metric, r.target, r.value, r.verdict, *_was(r, baseline), r.source]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _git(*argv: str) -> str:
    try:
        return subprocess.run(["git", *argv], capture_output=True, text=True, cwd=ROOT).stdout.strip()
    except OSError:
        return ""


def commit() -> str:
    """The commit measured: HEAD, the last commit that changed the companion's code, and whether
    that code has uncommitted changes."""
    head = _git("rev-parse", "--short", "HEAD") or "?"
    code = ("focus", "rhythm")
    policy = _git("log", "-1", "--format=%h", "--", *code) or "?"
    dirty = " (with uncommitted changes to focus/ or rhythm/)" if _git("status", "--porcelain", "--", *code) else ""
    return f"{head} (focus/ and rhythm/ as of {policy}){dirty}"


TOTALLED = ("guardrail violations", "policy exceptions", "friction points <= 1 per real episode")


def glance(rows: list[Row], baseline: dict | None = None) -> list[str]:
    """Issue 11's "Done when", one line per rate, and the totals over every archetype."""
    baseline = baseline or {}
    header = ["Done when", "Archetype", "Target", "Result", "", *(["Baseline"] if baseline else [])]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in rows:
        if r.source == "issue 11" and r.metric not in TOTALLED:
            cells = [r.metric, r.archetype, r.target, r.value, r.verdict, *_was(r, baseline)]
            lines.append("| " + " | ".join(cells) + " |")
    pad = " — |" if baseline else ""
    violations = sum(int(r.value) for r in rows if r.metric == "guardrail violations")
    exceptions = sum(int(r.value) for r in rows if r.metric == "policy exceptions")
    within = total = 0
    for r in rows:
        if r.metric == TOTALLED[2] and (found := re.match(r"(\d+)/(\d+)", r.value)):
            within, total = within + int(found[1]), total + int(found[2])
    lines += [
        f"| guardrail violations | every session | 0 | {violations} | {'PASS' if violations == 0 else 'FAIL'} |{pad}",
        f"| policy exceptions | every session | 0 | {exceptions} | {'PASS' if exceptions == 0 else 'FAIL'} |{pad}",
        f"| friction points <= 1 per real episode | every session | all sessions | {within}/{total} | "
        f"{'PASS' if within == total else 'FAIL'} |{pad}",
    ]
    return lines


def document(rows: list[Row], *, seeds: int, check: list[str], seconds: float, label: str, baseline: dict) -> str:
    failing = sorted({r.archetype for r in rows if r.passed is False and r.source == "issue 11"})
    lines = [
        "# The companion on realistic people: the session simulator",
        "",
        "`make bench-companion` (`python -m bench.companion`, options in `--help`) runs every person",
        "archetype below over SEEDS seeds (default 30) through the real policy, tick by tick exactly as",
        'focus/engine.py does, and rewrites this page. Issue 11\'s "Done when" rates are marked',
        '"issue 11"; rows marked "extra" are further rates worth watching (no target from the issue, or',
        'one taken from its "What was seen").',
        "",
        f"## {label} on {commit()}",
        "",
        f"{seeds} seeds per archetype, {sum(1 for _ in rows)} rates, {seconds:.0f} s of simulation. "
        f"Issue 11 rates failing on: {', '.join(failing) if failing else 'none'}.",
        "",
        *(BASELINE_NOTE if label.lower() == "baseline" else []),
        "### At a glance",
        "",
        *(
            [
                f"The Baseline column is the run saved in bench/companion/baseline.json ({baseline.get('commit')}, "
                f"{baseline.get('seeds')} seeds), so a change shows which rates moved.",
                "",
            ]
            if baseline
            else []
        ),
        *glance(rows, baseline),
        "",
        *answers_section(rows, baseline),
        STILL_FAILING,
        *limit.section(limit.ideal_detector()),
        "### Every rate, per archetype",
        "",
        *table(rows, baseline),
        "",
        "## Engine cross-check",
        "",
        *check,
        "",
        "## The archetypes",
        "",
        "| Archetype | Who | Mode | How the stream is generated |",
        "|---|---|---|---|",
        *(
            f"| {a.name} | {a.title} | {build_person(a.name, 0).sessions[0].mode} | {a.what} |"
            for a in ARCHETYPES.values()
        ),
        "",
        HOW,
    ]
    return "\n".join(lines) + "\n"


ANSWERS_NOTE = """Four people answer what the companion sends, or pause, on the page, through the product's
own paths (`focus.controls.respond`, `pause_session`, `resume_session` in the engine cross-check;
the simulator mirrors them, and what it learns is folded with `rhythm.answers.answers_added`, as
`nudge_answers_add` stores it). The targets are read from issue 13's wording:

- **dismisses_check_ins**, "sees fewer within three sessions": check-ins per session hour by
  session number, session 3 below session 1, and what was learned (`summary["learned"]` after
  session 2) spacing check-ins out for at least 95% of the people;
- **done_on_breaks**, "keeps getting them": no session's breaks spaced out by what was learned
  (taking a break is never held against it) and session 3 bringing at least 80% of session 1's
  micro breaks per hour (recovery breaks follow the readings, not the answers; the 80% is our
  allowance for noise);
- **snoozes_micro_breaks**, "comes back after the snooze, never before, guardrails hold": a
  snoozed micro break never back before the snooze is over (0), back within one tick after it
  (>= 95%, snoozes whose session ended before they could come back left out), 0 guardrail
  violations;
- **pauses_midway**, "no ticks during the pause, the summary leaves it out, the pause counts as a
  break": no tick while paused, the first tick one period after the resume, the summary's
  minutes without the pause (and `paused_minutes` 20), no micro break after the resume (25-35
  minutes of work are left), no idle gap or distraction in the summary at the pause's minute.

Reading them: what was learned moves a kind's spacing only from {min_answers} answers of that kind
on (`focus.policy.answers.MIN_ANSWERS`), and a dismissal holds that kind for {hold} tick periods of
the session; check-ins come after 30 quiet minutes, so the rows "check-ins per hour, session n"
show how many answers a person gives per session. The pauser's client keeps pinging while paused;
the summary places those pings at the pause's minute, which is where an idle gap would show."""


def answers_section(rows: list[Row], baseline: dict) -> list[str]:
    """Issue 13's rates (answers and pauses), one line each."""
    mine = [r for r in rows if r.source == "issue 13"]
    if not mine:
        return []
    header = ["Archetype", "Rate", "Target", "Result", "", *(["Baseline"] if baseline else [])]
    note = ANSWERS_NOTE.format(min_answers=MIN_ANSWERS, hold=DISMISS_HOLD_TICKS)
    lines = ["## Answers and pauses (issue 13)", "", note, ""]
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in mine:
        lines.append(
            "| " + " | ".join([r.archetype, r.metric, r.target, r.value, r.verdict, *_was(r, baseline)]) + " |"
        )
    failing = sorted({r.archetype for r in mine if r.passed is False})
    lines += ["", f"Issue 13 rates failing on: {', '.join(failing) if failing else 'none'}.", ""]
    return lines


STILL_FAILING = """### What still fails, and why

- **coffee_break: a refocus in a few sessions** (issue 11 asks for none). Not the break: stepping
  away never causes a refocus now. They are the person's own switching: a Poisson stream at 2-5
  switches / 5 min has clusters of 7-10 in five minutes for 6-8 minutes, and a first session
  (these people have no earlier sessions, so no norm) learns its pace from its first half hour,
  which is sometimes a quiet one (a realised 1.5-2). Against that pace such a cluster is 4-5 x for
  longer than a tick, which is what the planted distraction (5 x for 10 minutes) looks like too:
  the data cannot tell them apart. Every way of raising the bar that we measured (a higher
  factor, more spreads, more readings, a longer span, reading every run as a rolling counter's,
  a trimmed-mean or grouped-median pace) cut the per-ping planted distraction below 95% or moved
  its summary start, before the coffee break reached 0. Two things we hoped would settle it do
  not. Knowing the counter: told each client's counter (an oracle the product cannot have), the
  best rule we found, a rolling counter's run read as one sample per 5 minutes and required to
  span 1.5 tick periods, brought coffee_break to 1/30 but the planted distraction on a rolling
  counter to 24/30 detected; at 2 periods coffee_break reached 0 and the planted one 12/30 (the
  per-ping rows held at 29/30). Norms from earlier sessions: multi_deep people carry one and
  still show a false switch episode in about one session in eight, at paces of 1-3 switches /
  5 min, where the floor of 4 switches binds and a cluster of 4-6 for ten minutes is ordinary
  Poisson noise. At this noise the two zero-tolerance rows conflict with detecting a 5 x
  distraction in >= 95%; we kept the detection. The next section shows it is not only our
  detector: an ideal one that sees every switch meets both rows only by luck at best.
- **friction points <= 1 per real episode** (issue 11 asks for every session): the sessions over
  are the same false switch-distraction episodes as above, on calm_deep, coffee_break, stressed,
  ignores_breaks, takes_breaks, multi_deep and the answering people; idle gaps, spikes and pauses
  are at most one per real episode (a pause is never an idle gap: focus/summary.py leaves what
  the client reports while paused out, and does not merge stretches across a pause).
- **dismisses_check_ins was redesigned** (issue 13): the first version was a calm worker at their
  own steady pace, whom the issue-11 policy rightly sees in flow and sends no check-ins at all, so
  it had nothing to dismiss. A person who dismisses check-ins is one who gets them: ordinary
  office work in light mode broken every 6-14 minutes by a 3-6 minute interruption (phone, a
  colleague; idle, no switches, recorded as breaks), so out of flow. A dismissal holds check-ins
  for the rest of an hour, so such a person gives one dismissal a session; learning now starts
  from `MIN_ANSWERS` = 2 answers of a kind (was 4; docs/policy.md "Answers"), so the third
  session's check-ins wait three times as long. No guardrail moved.
"""


BASELINE_NOTE = [
    "This is the baseline: the policy as it stood before issue 11's changes (norms, noise-robust",
    "detectors, budgeted guardrails, mode). It is meant to fail: the failing rows are what the",
    "issue reports, measured; the guardrail and exception rows are what already holds.",
    "",
]

HOW = """## How the streams are generated

- **Pings**: a client pings every 1-2.5 minutes (uniform; some archetypes' clients 1-1.5 or 2-2.5),
  from a random phase, at whole seconds, never exactly on a tick. The live page pings once per tick
  period at its own phase with +-15 s drift.
- **App switches**: a Poisson process at the person's own pace (switches per 5 minutes), running
  for 30 minutes before the session starts, so a rolling counter's first readings count switches
  from before the start. A rolling counter reports the switches of the last 5 minutes; a per-ping
  counter (and the page's focus losses) those since its previous ping.
- **Activity**: what the person does (active, idle while reading, away at a coffee break), with a
  2% chance that a ping while working says idle (a minute of thinking without input).
- **Readings**: energy, stress and fatigue around the person's own level (0.2-0.4 stress and
  fatigue, 0.5-0.7 energy; fatigue drifting +0.03/h, energy -0.03/h) with noise SD 0.04, clipped
  to 0..1 and rounded to 2 places; a real rise is a step at a known minute. Heart rate and HRV
  (wearable) with noise SD 3 bpm and log-normal SD 0.12.
- **Rhythm state**: a returning person's state is what an earlier day's last ping left; a brand-new
  user has none (the tick then reads the model's defaults, 0.6 / 0.3 / 0.3, as production does).
  Every ping with a reading moves it, across the sessions of a multi-session person.
- **Seeds**: `random.Random("<archetype>:<seed>")`, so a seed always gives the same person,
  stream and result.

## How the rates are read

- A nudge or break is counted when the tick sends it (event `nudge` or `break`), at its tick's
  minute; "within one tick" of an instant means no later than one tick period (5 min) after the
  first tick at or after it (for a rise: the first ping after it that carries the reading).
- Flow windows, flow share and friction points are those of the session's summary, built by
  focus/summary.py from the simulated events.
- A false refocus is any refocus in a session with no planted distraction. "Counted as a break":
  no micro_break from the break on (less than 50 minutes of work follow it), and no distraction
  friction point overlapping it.
- A person who takes breaks reacts to what a tick sent: 20-90 s after a break suggestion they are
  away for its length (activity away, no switches), in the simulator and the cross-check alike.
- A person who answers does so on the page: a dismissal or a snooze 15-75 s after the nudge,
  "done" 5-30 s after coming back from the break. A pause is planned (a whole second, never on a
  tick); while paused the client keeps pinging (away, no switches). The ticks then run a period
  after the resume and every period from there, as `resume_session` schedules them. Every nudge
  nobody answered counts as ignored at the session's end, as `session_end` records it.
- Friction points per real episode: per session, distraction / idle_gap / stress_spike /
  fatigue_spike points against the planted distractions / breaks / rises of the same kind.
- Guardrails are checked by our own checker (allowed kind and its event type, micro tone, one
  sentence of at most 120 characters, 5-minute gap, cap of 8, none at or after the end); an
  exception from the policy is caught and counted and the tick is retried at the next one.

## Run it

    make bench-companion                 # 30 seeds, the engine cross-check, rewrites this page
    SEEDS=50 make bench-companion
    .venv/bin/python -m bench.companion --seeds 5 --archetypes calm_deep,reader --no-engine --no-doc
    .venv/bin/python -m bench.companion --label Baseline --save-baseline   # a new Baseline column

The engine cross-check needs PostgreSQL (BENCH_DATABASE_URL, default `focusflow_bench`, created and
migrated); it runs in a transaction that is rolled back, so it leaves nothing behind. One seed of
each archetype runs in `make test` (bench/companion/tests/).
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.companion", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=int(os.environ.get("SEEDS") or DEFAULT_SEEDS))
    parser.add_argument("--archetypes", default="", help="comma-separated (default: all)")
    parser.add_argument("--no-engine", action="store_true", help="skip the cross-check on PostgreSQL")
    parser.add_argument("--no-doc", action="store_true", help="print only; do not rewrite docs/companion.md")
    parser.add_argument("--label", default="Result", help='what this run is, in the heading (e.g. "Baseline")')
    parser.add_argument(
        "--save-baseline",
        action="store_true",
        help="save this run as bench/companion/baseline.json (the Baseline column)",
    )
    args = parser.parse_args(argv)
    names = [n for n in args.archetypes.split(",") if n] or list(ARCHETYPES)
    unknown = [n for n in names if n not in ARCHETYPES]
    if unknown:
        parser.error(f"unknown archetypes: {', '.join(unknown)} (known: {', '.join(ARCHETYPES)})")
    began = time.perf_counter()
    rows, _ = run(names, args.seeds)
    seconds = time.perf_counter() - began
    baseline = {} if args.save_baseline else load_baseline()
    print("\n".join(table(rows, baseline)))
    check = ["Not run (--no-engine)."]
    if not args.no_engine:
        from bench.companion import engine_check

        sample = [(n, s) for n in ENGINE_SAMPLE if n in names for s in ENGINE_SEEDS]
        check = engine_check.report(sample)
        print("\n".join(check))
    if not args.no_doc:
        DOC.write_text(
            document(rows, seeds=args.seeds, check=check, seconds=seconds, label=args.label, baseline=baseline)
        )
        print(f"wrote {DOC.relative_to(ROOT)}")
    if args.save_baseline:
        save_baseline(rows, seeds=args.seeds)
        print(f"wrote {BASELINE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

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
DEFAULT_SEEDS = (
    300  # the issue asks for >= 30; at 30 a true 88% passes ">= 95%" one run in ten, at 100 a true 93% one in four
)
# The engine cross-check's sample: a few seeds of a few archetypes (each a whole session on PostgreSQL).
ENGINE_SAMPLE = (
    "calm_deep",
    "planted_distraction",
    "distraction_per_ping",
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


def run(archetypes: list[str], seeds: int, first: int = 0) -> tuple[list[Row], dict[str, float]]:
    rows: list[Row] = []
    seconds: dict[str, float] = {}
    for name in archetypes:
        began = time.perf_counter()
        persons = [simulate(build_person(name, seed)) for seed in range(first, first + seeds)]
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


FRICTION = "friction points <= 1 per real episode"
UNMATCHED = "sessions with a friction point and no real episode"
STRICT_FRICTION = "friction points <= real episodes (strict reading)"
TOTALLED = ("guardrail violations", "policy exceptions", FRICTION, UNMATCHED, STRICT_FRICTION)


def _summed(rows: list[Row], metric: str) -> tuple[int, int]:
    """(hits, sessions) of a per-archetype "n/m" rate, over every archetype."""
    hits = total = 0
    for r in rows:
        if r.metric == metric and (found := re.match(r"(\d+)/(\d+)", r.value)):
            hits, total = hits + int(found[1]), total + int(found[2])
    return hits, total


def glance(rows: list[Row], baseline: dict | None = None) -> list[str]:
    """Issue 11's "Done when", one line per rate (with the strict readings beside them, marked
    extra), and the totals over every archetype."""
    baseline = baseline or {}
    header = ["Done when", "Archetype", "Target", "Result", "", *(["Baseline"] if baseline else [])]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in rows:
        strict = r.metric.endswith("(strict reading)")
        if (r.source == "issue 11" or strict) and r.metric not in TOTALLED:
            label = f"{r.metric}, extra" if strict else r.metric
            cells = [label, r.archetype, r.target, r.value, r.verdict, *_was(r, baseline)]
            lines.append("| " + " | ".join(cells) + " |")
    pad = " — |" if baseline else ""
    violations = sum(int(r.value) for r in rows if r.metric == "guardrail violations")
    exceptions = sum(int(r.value) for r in rows if r.metric == "policy exceptions")
    within, total = _summed(rows, FRICTION)
    unmatched, _ = _summed(rows, UNMATCHED)
    strict, _ = _summed(rows, STRICT_FRICTION)
    share = unmatched / max(total, 1)
    lines += [
        f"| guardrail violations | every session | 0 | {violations} | {'PASS' if violations == 0 else 'FAIL'} |{pad}",
        f"| policy exceptions | every session | 0 | {exceptions} | {'PASS' if exceptions == 0 else 'FAIL'} |{pad}",
        f"| {FRICTION} | every session | all sessions | {within}/{total} | {'PASS' if within == total else 'FAIL'} |{pad}",
        f"| {UNMATCHED}, extra | every session | <= 5% | {unmatched}/{total} ({share:.0%}) | "
        f"{'PASS' if share <= 0.05 else 'FAIL'} |{pad}",
        f"| {STRICT_FRICTION}, extra | every session | all sessions | {strict}/{total} | "
        f"{'PASS' if strict == total else 'FAIL'} |{pad}",
    ]
    return lines


def document(rows: list[Row], *, seeds: int, check: list[str], seconds: float, label: str, baseline: dict) -> str:
    failing = sorted({r.archetype for r in rows if r.passed is False and r.source == "issue 11"})
    lines = [
        "# The companion on realistic people: the session simulator",
        "",
        "`make bench-companion` (`python -m bench.companion`, options in `--help`) runs every person",
        "archetype below over SEEDS seeds (default 300) through the real policy, tick by tick exactly as",
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
        *limit.section(limit.ideal_detector(), sessions=_summed(rows, FRICTION)[1]),
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
  session 2) spacing check-ins out for at least 95% of the people who had dismissed `MIN_ANSWERS`
  check-ins by then (a few got fewer in their first two sessions, and have taught nothing yet);
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


STILL_FAILING = """### What still fails, what 300 seeds found, and how two rows are read

- **Switch counts read as counts** (docs/policy.md "Distraction"). Read as a threshold on the
  mean of a run of overlapping readings, a planted distraction was refocused within a tick in 95%
  and placed within 5 minutes in 91% at 300 seeds (distraction_per_ping 95% and 94%). Now a rolling
  counter's readings a tick apart are read as disjoint 5-minute counts, a per-ping counter's as
  counts since the ping before, against the person's rate before the stretch (20 minutes, leaving
  out readings at a distraction's level), and the episode begins where the first window's count
  says the switching rose. A client that does not say what it counts is read as rolling.
- **Held-out seeds** (`--first-seed 300 --seeds 600 --no-doc`, seeds this page was never tuned
  on). Before the changes below they failed where seeds 0-299 passed: distraction_per_ping placed
  in 93% (560/600), planted_distraction in 95% (571/600), and the zero-tolerance rows in 1-3 of
  600 sessions (a stress or fatigue spike split in two on exhausted_starter, ignores_breaks and
  takes_breaks; one recovery break for a new user). What we found and changed:
  - *A quiet start read as the person's pace.* Someone whose first twenty minutes were unusually
    quiet had their ordinary switching read, at detection, as the episode's beginning (6-10
    minutes early). Once the episode is over the summary now places its start again with all of
    it: where the switching rose from the person's rate around it, before and after, to its own
    (`switching_rise`). An oracle that knows the person's true pace and the distraction's places
    98% of these sessions; the rest is the simulator's Poisson noise.
  - *A moment of thought left out of the rate.* One idle reading among active ones no longer
    takes its minutes out of the twenty the person's rate is read from (a distraction 20 minutes
    in went unread when two such readings fell early). Per-ping readings at a distraction's
    level are now those over 4 switches, not over 4 per tick period (a 2 in 2.4 minutes is not).
  - *A spike that dips and rises again within 10 minutes goes on*, and one over within a tick
    period is a blip, not a friction point.
  - *A start read from three readings.* A new person who began a little calmer than usual (0.42
    where 0.5 was usual) had their ordinary level read as a rise: the start is now the median of
    the first five pinged readings (read from three until there are five).
  After them, on seeds 300-899: distraction_per_ping placed 573/600 (96%), planted_distraction
  576/600 (96%), and no issue 11 or issue 13 row fails. What it cost: a per-ping client that does
  not say what it counts (distraction_per_ping_unsaid, extra, read as rolling) is placed less
  well (86% -> 82% at seeds 0-299) and has more false episodes (1% -> 5%).
- **Rare failures 300 seeds found, and fixed**: a switching stretch detected just before a coffee
  break ran on into it in the summary (a rolling count still carries the last minutes' switches),
  and a run could bridge the break (its idle and away readings were skipped, not a boundary);
  now two idle/away readings in a row end a stretch, and no run reaches back across them. One
  idle reading during a suggested break counted it as taken, so a person who works through every
  break got a third suggestion within the hour; now the person must leave the keyboard (two
  idle/away readings in a row, or one from a client that pings about once a tick). A second
  detection whose evidence overlapped the first episode became a second friction point; now it
  continues that episode.
Two of the "Done when" lines can be read strictly, as zero tolerance over every session, and read
so they contradict the issue's own tolerances and, at the simulator's noise, any detector that
finds a 5 x distraction in >= 95% (the next section). We measure each as what it is about, and
show the strict reading beside it, marked extra, in the table above.

- **Coffee break and reading, "0 refocus"**: the line is about the break (What was seen, 2: the
  coffee break scolded with "A gentle nudge to come back", reading told to close what you don't
  need). The row counts a refocus for the break: one set off by the person being idle or away, or
  sent during the break or in the tick after they come back. Strictly read, no refocus anywhere in
  the session (reader 0, coffee_break a few): those few are not the break but the person's own
  switching, in the 90 minutes of ordinary work around it, for which the issue allows a false
  refocus in 5% of sessions (the ordinary rows); demanding 0 of it because a break sits in the
  middle contradicts that row. They come from a Poisson stream at 2-5 switches / 5 min, which has
  clusters of 7-10 in five minutes for 6-8 minutes, read against a pace learned in a first session
  (these people have no earlier sessions, so no norm) from its first half hour, sometimes a quiet
  one (a realised 1.5-2). Against that pace such a cluster is 4-5 x for longer than a tick, which is
  what the planted distraction (5 x for 10 minutes) looks like too. Every way of raising the bar
  that we measured (a higher factor, more spreads, more readings, a longer span, reading every run
  as a rolling counter's, a trimmed-mean or grouped-median pace) cut the per-ping planted
  distraction (then read by the same rule) below 95% or moved its summary start before the strict
  reading reached 0; told each
  client's counter (an oracle the product cannot have), the best rule we found brought it to 1/30
  with the planted distraction on a rolling counter at 24/30 detected, and to 0 at 12/30.
- **Friction points, "at most one per real episode"**: the issue's concern (What was seen, 6) is
  fragmentation: 16 fatigue_spike points for one hovering episode, 126 in two hours of noisy input.
  The row counts, per real episode (a planted distraction, a break taken, a rise to the session's
  end), the friction points of its kind that start in it, give or take a tick: at most one, in
  every session. A friction point with no real episode is a false detection, not a fragment: each false
  refocus leaves one, since the summary lists the distraction it was sent for. Those are counted
  beside it ("sessions with a friction point and no real episode", extra), held to the
  false-refocus rows' 5%: long sessions at a low pace (1-3.5 switches / 5 min: calm_deep,
  multi_deep, ignores_breaks, takes_breaks, coffee_break) exceed it, the same false
  switch-distraction episodes as above; multi_deep people carry a norm from earlier sessions and
  still show one in about one session in eight, where the floor of 4 switches binds and a cluster
  of 4-6 for ten minutes is ordinary Poisson noise. The strict reading, no more points than real
  episodes in every simulated session, is the last line of the table; the next section
  shows that even an ideal detector meets it only by luck while finding 95%.
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
- A false refocus is any refocus in a session with no planted distraction. A refocus for the break:
  set off by an idle or away signal, or sent from the break's start to one tick after its end.
  "Counted as a break": no micro_break from the break on (less than 50 minutes of work follow it),
  and no distraction friction point overlapping it.
- A person who takes breaks reacts to what a tick sent: 20-90 s after a break suggestion they are
  away for its length (activity away, no switches), in the simulator and the cross-check alike.
- A person who answers does so on the page: a dismissal or a snooze 15-75 s after the nudge,
  "done" 5-30 s after coming back from the break. A pause is planned (a whole second, never on a
  tick); while paused the client keeps pinging (away, no switches). The ticks then run a period
  after the resume and every period from there, as `resume_session` schedules them. Every nudge
  nobody answered counts as ignored at the session's end, as `session_end` records it.
- Friction points per real episode: per session, distraction / idle_gap / stress_spike /
  fatigue_spike points against the planted distractions / breaks (the person's own and those taken
  when suggested) / rises (from their minute to the session's end) of the same kind; a point
  belongs to an episode if it starts from one tick before the episode's start to one tick after
  its end. A point of a kind the summary's list capped, unlisted, counts as one with no real
  episode.
- Guardrails are checked by our own checker (allowed kind and its event type, micro tone, one
  sentence of at most 120 characters, 5-minute gap, cap of 8, none at or after the end); an
  exception from the policy is caught and counted and the tick is retried at the next one.

## Run it

    make bench-companion                 # 300 seeds, the engine cross-check, rewrites this page
    SEEDS=30 make bench-companion        # the issue's minimum: quicker, and noisier
    .venv/bin/python -m bench.companion --seeds 5 --archetypes calm_deep,reader --no-engine --no-doc
    .venv/bin/python -m bench.companion --first-seed 300 --seeds 600 --no-engine --no-doc   # held-out seeds
    .venv/bin/python -m bench.companion --label Baseline --save-baseline   # a new Baseline column

The engine cross-check needs PostgreSQL (BENCH_DATABASE_URL, default `focusflow_bench`, created and
migrated); it runs in a transaction that is rolled back, so it leaves nothing behind. One seed of
each archetype runs in `make test` (bench/companion/tests/).
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.companion", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=int(os.environ.get("SEEDS") or DEFAULT_SEEDS))
    parser.add_argument(
        "--first-seed", type=int, default=0, help="start at this seed (held-out seeds: --first-seed 300 --no-doc)"
    )
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
    if args.first_seed and not args.no_doc:
        parser.error("--first-seed is for held-out runs: add --no-doc (this page records seeds 0 to SEEDS - 1)")
    unknown = [n for n in names if n not in ARCHETYPES]
    if unknown:
        parser.error(f"unknown archetypes: {', '.join(unknown)} (known: {', '.join(ARCHETYPES)})")
    began = time.perf_counter()
    rows, _ = run(names, args.seeds, args.first_seed)
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

"""How far any app-switch detector could go: an ideal detector on the simulator's own people.

Issue 11, read strictly, asks for two things of switch distraction at once: a planted 10-minute
distraction at 5 x the person's pace found in >= 95% of sessions, and no false episode in any
session of people who only switch at their own pace (coffee_break: 0 of 30; friction points: every
simulated session). This module measures how far those can both hold for a detector far better
placed than the product's: it sees every switch (no ping interval, no counter to guess: rolling or per ping)
and needs no activity signal; like the product in a person's first session, it learns the pace
from the session's own minutes before it looks. It alarms when some 10-minute window holds at
least k switches, k the Poisson (1 - p) quantile at 2 x an upper bound (confidence ``c``) on the
learned pace per 5 minutes.

Its people are the simulator's: the planted distraction's (pace 2-5 switches / 5 min, the
distraction starting at minute 20-32, detected from start to end + 1 tick) and coffee_break's
work (pace 2-5, 105 minutes; pace learned over the first 30). Pure, seeded, a few seconds.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass

from focus.policy.poisson import quantile, upper_bound

FIVE_MINUTES = 300.0
WINDOW = 600.0  # the detector's window: as long as the planted distraction
STEP = 15.0  # the window slides in 15 s steps
PACE = (2.0, 5.0)  # switches per 5 min (bench/companion/people.py: coffee_break, _distraction)
WORK_SECONDS = 105 * 60.0  # coffee_break's session
LEARN_SECONDS = 30 * 60.0  # the pace a coffee_break person's detector learns first
PLANTED_START = (20 * 60.0, 32 * 60.0)
PLANTED_SECONDS = 600.0
PLANTED_FACTOR = 5.0
DETECT_AFTER_END = FIVE_MINUTES  # "distraction detected (start to end + 1 tick)"
SETTINGS = ((0.5, 1e-3), (0.5, 1e-4), (0.8, 1e-3), (0.8, 1e-4), (0.9, 3e-4), (0.9, 1e-4), (0.9, 1e-5))
PERSONS = 2000


@dataclass(frozen=True)
class LimitRow:
    confidence: float
    p: float
    false_per_session: float  # share of ordinary sessions with a false alarm
    detected: float  # share of planted distractions found in time


def _switches(rng: random.Random, spans: list[tuple[float, float, float]]) -> list[float]:
    """Switch times of a Poisson process: (start, end, switches per second) spans."""
    times: list[float] = []
    for start, end, rate in spans:
        t = start
        while (t := t + rng.expovariate(rate)) < end:
            times.append(t)
    return times


def _alarms(
    times: list[float], *, learned_until: float, watch: tuple[float, float], confidence: float, p: float
) -> bool:
    seen = bisect.bisect_right(times, learned_until)
    pace = upper_bound(seen, confidence) / (learned_until / FIVE_MINUTES)
    k = quantile(2 * pace, p)  # a 10-minute window holds two 5-minute paces
    end = watch[0] + WINDOW
    while end <= watch[1]:
        if bisect.bisect_right(times, end) - bisect.bisect_right(times, end - WINDOW) >= k:
            return True
        end += STEP
    return False


def ideal_detector(persons: int = PERSONS, seed: int = 11) -> list[LimitRow]:
    rows = []
    for confidence, p in SETTINGS:
        rng = random.Random(f"limit:{seed}:{confidence}:{p}")
        false = found = 0
        for _ in range(persons):
            rate = rng.uniform(*PACE) / FIVE_MINUTES
            ordinary = _switches(rng, [(0.0, WORK_SECONDS, rate)])
            false += _alarms(
                ordinary, learned_until=LEARN_SECONDS, watch=(LEARN_SECONDS, WORK_SECONDS), confidence=confidence, p=p
            )
            start = rng.uniform(*PLANTED_START)
            end = start + PLANTED_SECONDS
            planted = _switches(
                rng,
                [(0.0, start, rate), (start, end, PLANTED_FACTOR * rate), (end, end + DETECT_AFTER_END, rate)],
            )
            found += _alarms(
                planted,
                learned_until=start,
                watch=(start - WINDOW / 2, end + DETECT_AFTER_END),
                confidence=confidence,
                p=p,
            )
        rows.append(LimitRow(confidence, p, false / persons, found / persons))
    return rows


def section(rows: list[LimitRow], sessions: int) -> list[str]:
    """The table, with the chance of no false alarm over ``sessions`` (the benchmark's, every archetype)."""
    lines = [
        "### How far any switch detector could go",
        "",
        "An ideal detector on the same people (bench/companion/limit.py): it sees every switch (no",
        "ping interval, no counter kind to guess), learns the pace from the session's own minutes",
        "first, as a first session must, and alarms on a 10-minute window holding at least the Poisson",
        "(1 - p) quantile of twice an upper bound (confidence c) on that pace. Planted: pace 2-5",
        "switches / 5 min, 10 minutes at 5 x from minute 20-32, found from its start to its end + 1 tick.",
        f"Ordinary: coffee_break's 105 minutes of work at pace 2-5, the pace learned over 30. {PERSONS:,}",
        "people per row.",
        "",
        "| c | p | sessions with a false alarm | chance of 0 in 30 (coffee_break, strict) "
        f"| of 0 in {sessions:,} (friction, strict) | planted found |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        clean = 1 - r.false_per_session
        lines.append(
            f"| {r.confidence} | {r.p:g} | {100 * r.false_per_session:.2f}% | {100 * clean**30:.0f}% | "
            f"{100 * clean**sessions:.0f}% | {100 * r.detected:.1f}% |"
        )
    lines += [
        "",
        "Read across: where the planted distraction is found in >= 95%, a false alarm still comes in",
        "a few sessions in a thousand, so no false episode over every simulated session (the friction",
        "row's strict reading) is out of reach even for this detector; where false alarms are rare",
        "enough for that, it finds fewer than 95%. coffee_break's strict reading alone (30 sessions) it",
        "would pass in most runs; the product's detector, which sees readings every 1-2.5 minutes from",
        "a counter of either kind rather than every switch, does not (the rows above).",
        "",
    ]
    return lines

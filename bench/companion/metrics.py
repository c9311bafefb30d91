"""The rates of issue 11's "Done when", per archetype, each with its target and PASS/FAIL.

Every rate is read from what the person would see (the nudges and breaks sent, when) and from the
session's summary (focus/summary.py), against the truth the generator recorded. "Within one tick"
of an instant is: sent no later than one tick period after the first tick at or after it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bench.companion.drive import TICK_LAG_SECONDS, USER_FACING, SessionRun, policy_config
from focus.guardrails import MAX_MESSAGE_CHARS, is_micro_tone
from focus.policy.answers import MIN_ANSWERS
from focus.summary import EventRecord
from focus.vocabulary import ALLOWED_KINDS, BREAK_KINDS, event_type_for

TICK = timedelta(seconds=policy_config().tick_seconds)
NON_URGENT = ("check_in", "refocus", "micro_break")
DONE_WHEN = "issue 11"
EXTRA = "extra"

Person = list[SessionRun]


@dataclass(frozen=True)
class Row:
    archetype: str
    metric: str
    target: str
    value: str
    passed: bool | None  # None: reported, no target
    source: str = DONE_WHEN

    @property
    def verdict(self) -> str:
        return "—" if self.passed is None else ("PASS" if self.passed else "FAIL")


def _sessions(persons: Sequence[Person]) -> list[SessionRun]:
    return [run for person in persons for run in person]


def _share(hits: int, total: int) -> str:
    return f"{hits}/{total} ({100 * hits / total:.0f}%)" if total else "0/0"


def _at_least(name: str, metric: str, hits: int, total: int, share: float, source: str = DONE_WHEN) -> Row:
    return Row(name, metric, f">= {share:.0%}", _share(hits, total), total > 0 and hits >= share * total - 1e-9, source)


def _at_most(name: str, metric: str, hits: int, total: int, share: float, source: str = DONE_WHEN) -> Row:
    target = "0 sessions" if share == 0 else f"<= {share:.0%}"
    return Row(name, metric, target, _share(hits, total), hits <= share * total + 1e-9, source)


def _first_tick_at_or_after(run: SessionRun, at: datetime) -> datetime | None:
    return next((t for t in run.ticks() if t >= at), None)


def within_one_tick(run: SessionRun, at: datetime, sent: datetime) -> bool:
    """``sent`` lands no later than one tick after the first tick that could see ``at``."""
    first = _first_tick_at_or_after(run, at)
    return first is not None and at <= sent <= first + TICK


def _instant(run: SessionRun, minute: float) -> datetime:
    return run.started_at + timedelta(minutes=minute)


def _first_evidence(run: SessionRun, minute: float, reading: str) -> datetime | None:
    """The first ping after ``minute`` that carries ``reading`` (when a client could show it)."""
    at = _instant(run, minute)
    return next(
        (e.ts for e in run.events if e.event_type == "ping" and e.ts >= at and reading in e.content),
        None,
    )


# --------------------------------------------------------------------------- guardrails (our own checker)


def guardrail_violations(run: SessionRun) -> list[str]:
    """Every broken guardrail in a session: kind, event type, micro tone, gap, cap, none after end."""
    config = policy_config()
    found: list[str] = []
    previous: datetime | None = None
    count = 0
    for e in run.events:
        if e.event_type not in USER_FACING:
            continue
        kind, message = e.content.get("kind"), e.content.get("message")
        count += 1
        if kind not in ALLOWED_KINDS:
            found.append(f"unknown kind {kind!r}")
        elif event_type_for(kind) != e.event_type:
            found.append(f"{kind} sent as a {e.event_type}")
        if e.content.get("tone") != "micro" or not is_micro_tone(message) or len(str(message)) > MAX_MESSAGE_CHARS:
            found.append(f"not micro tone: {message!r}")
        if previous is not None and (e.ts - previous).total_seconds() < config.min_gap_seconds:
            found.append(f"gap {(e.ts - previous).total_seconds():.0f} s")
        if count > config.max_nudges:
            found.append(f"cap: nudge {count}")
        if e.ts >= run.ended_at:
            found.append("after the end")
        previous = e.ts
    return found


# --------------------------------------------------------------------------- metrics


def guardrails(name: str, persons: Sequence[Person]) -> list[Row]:
    runs = _sessions(persons)
    violations = sum(len(guardrail_violations(r)) for r in runs)
    exceptions = sum(len(r.exceptions) for r in runs)
    return [
        Row(name, "guardrail violations", "0", str(violations), violations == 0),
        Row(name, "policy exceptions", "0", str(exceptions), exceptions == 0),
    ]


def flow_by_minute_20(name: str, persons: Sequence[Person]) -> Row:
    runs = _sessions(persons)
    hits = sum(
        any(e.event_type == "flow_start" and r.minute(e.ts) <= 20 + TICK_LAG_SECONDS / 60 for e in r.events)
        for r in runs
    )
    return _at_least(name, "flow detected by minute 20", hits, len(runs), 0.9)


def _flow_windows(run: SessionRun) -> list[tuple[float, float]]:
    return [(w["start_minute"], w["end_minute"]) for w in run.summary["flow_windows"]["windows"]]


def non_urgent_in_flow(name: str, persons: Sequence[Person]) -> Row:
    runs = _sessions(persons)
    hours = sum(r.summary["flow_windows"]["total_minutes"] for r in runs) / 60
    count = 0
    for r in runs:
        windows = _flow_windows(r)
        count += sum(
            1 for minute, kind, _ in r.sent() if kind in NON_URGENT and any(s < minute <= t for s, t in windows)
        )
    target = "<= 0.1 per flow hour"
    if hours <= 0:
        return Row(name, "non-urgent nudges in flow", target, f"{count} in 0 flow hours", None)
    return Row(
        name,
        "non-urgent nudges in flow",
        target,
        f"{count / hours:.2f} ({count} in {hours:.1f} h)",
        count / hours <= 0.1,
    )


def summary_flow_share(name: str, persons: Sequence[Person]) -> Row:
    runs = _sessions(persons)
    hits = sum(
        r.summary["flow_windows"]["total_minutes"] >= 0.7 * max(r.summary["duration"]["actual_minutes"], 1e-9)
        for r in runs
    )
    return _at_least(name, "summary flow >= 70% of the session", hits, len(runs), 0.9)


def _refocus(run: SessionRun) -> list[tuple[float, str, EventRecord]]:
    return [s for s in run.sent() if s[1] == "refocus"]


def _refocus_cause(run: SessionRun, sent: EventRecord) -> str:
    """What set off a refocus: the signal of the distraction detected last before it."""
    detected = [e for e in run.events if e.event_type == "distraction" and e.ts <= sent.ts]
    return str(detected[-1].content.get("signal")) if detected else "?"


def _refocus_signals(runs: Sequence[SessionRun]) -> str:
    signals = Counter(_refocus_cause(r, sent) for r in runs for _, _, sent in _refocus(r))
    return ", ".join(f"{signal} {n}" for signal, n in signals.most_common())


def _refocus_row(name: str, persons: Sequence[Person], metric: str, share: float, source: str) -> Row:
    runs = _sessions(persons)
    hits = sum(bool(_refocus(r)) for r in runs)
    row = _at_most(name, metric, hits, len(runs), share, source)
    signals = _refocus_signals(runs)
    return replace(row, value=f"{row.value}; by {signals}") if signals else row


def false_refocus(name: str, persons: Sequence[Person], source: str = DONE_WHEN) -> Row:
    return _refocus_row(name, persons, "sessions with a false refocus", 0.05, source)


def no_refocus(name: str, persons: Sequence[Person], source: str = DONE_WHEN) -> Row:
    return _refocus_row(name, persons, "sessions with any refocus", 0.0, source)


def _break_reported(run: SessionRun, start: float, end: float) -> float:
    """The minute the client first reported the break (its first idle or away ping in it): what
    the companion can know of it. A refocus computed from the readings before it is not the
    break's, even if the person had just stood up."""
    reports = [
        run.minute(e.ts)
        for e in run.events
        if e.event_type == "ping" and e.content.get("activity") in ("idle", "away") and start <= run.minute(e.ts) <= end
    ]
    return min(reports, default=start)


def refocus_for_break(name: str, persons: Sequence[Person]) -> Row:
    """The break scolded: a refocus set off by the person being idle or away, or sent while they
    are on their break or in the tick after they come back (from the client's first report of
    it to its end + 1 tick)."""
    runs = _sessions(persons)
    after = TICK.total_seconds() / 60.0
    hits = 0
    for r in runs:
        breaks = [(_break_reported(r, start, end), end + after) for start, end, _ in r.plan.truth.breaks]
        hits += any(
            _refocus_cause(r, sent) in ("idle", "away") or any(begin <= minute <= until for begin, until in breaks)
            for minute, _, sent in _refocus(r)
        )
    row = _at_most(name, "sessions with a refocus for the break", hits, len(runs), 0.0)
    signals = _refocus_signals(runs)
    return replace(row, value=f"{row.value}; refocus at any time: {signals}") if signals else row


def any_refocus_at_work_pace(name: str, persons: Sequence[Person]) -> Row:
    """Any refocus at all, the break's or the work's: the strict reading of "0 refocus". The work
    around the break is ordinary work at the person's own pace, so it is held to that row's 5%."""
    return _refocus_row(name, persons, "sessions with any refocus (strict reading)", 0.05, EXTRA)


def counted_as_break(name: str, persons: Sequence[Person]) -> Row:
    """The person's own break resets the break clock (no micro_break from its start to the end of
    the session, which is under 50 minutes of work after it) and the summary shows it as an
    idle/away stretch, not a distraction."""
    runs = _sessions(persons)
    hits = 0
    for r in runs:
        ok = True
        for start, end, _ in r.plan.truth.breaks:
            if any(kind == "micro_break" and minute >= start for minute, kind, _ in r.sent()):
                ok = False
            # The summary knows the break from the client's first report of it (its minutes are
            # rounded to a tenth, start and length each).
            reported = _break_reported(r, start, end) + 0.1
            for f in r.summary["friction_points"]:
                if (
                    f["kind"] == "distraction"
                    and f["at_minute"] < end
                    and f["at_minute"] + (f["minutes"] or 0) > reported
                ):
                    ok = False
        hits += ok
    return _at_least(name, "counted as a break", hits, len(runs), 1.0)


def distraction_rates(name: str, persons: Sequence[Person], source: str = DONE_WHEN) -> list[Row]:
    runs = _sessions(persons)
    detected = refocused = placed = early = 0
    for r in runs:
        (start, end) = r.plan.truth.distractions[0]
        window_start, window_end = _instant(r, start), _instant(r, end) + TICK
        detection = next(
            (
                e.ts
                for e in r.events
                if e.event_type == "distraction"
                and e.content.get("signal") not in ("idle", "away")
                and window_start <= e.ts <= window_end
            ),
            None,
        )
        if detection is not None:
            detected += 1
            if any(e.content.get("kind") == "refocus" and detection <= e.ts <= detection + TICK for e in r.events):
                refocused += 1
        episodes = [f for f in r.summary["friction_points"] if f["kind"] == "distraction"]
        placed += any(abs(f["at_minute"] - start) <= 5 for f in episodes)
        early += any(minute < start for minute, kind, _ in r.sent() if kind == "refocus")
    return [
        _at_least(name, "distraction detected (start to end + 1 tick)", detected, len(runs), 0.95, EXTRA),
        _at_least(name, "refocus within one tick of detection", refocused, len(runs), 0.95, source),
        _at_least(name, "summary episode starts within 5 min of truth", placed, len(runs), 0.95, source),
        _at_most(name, "sessions with a refocus before the distraction", early, len(runs), 0.05, EXTRA),
    ]


def self_report_counts(name: str, persons: Sequence[Person]) -> Row:
    """A self-reported distraction gets its refocus at the first tick after it."""
    runs = _sessions(persons)
    hits = 0
    for r in runs:
        said = _instant(r, r.plan.truth.self_reports[0])
        first = _first_tick_at_or_after(r, said)
        hits += first is not None and any(kind == "refocus" and said <= e.ts <= first for _, kind, e in r.sent())
    return _at_least(name, "refocus at the first tick after the self-report", hits, len(runs), 0.95, EXTRA)


def _recoveries(run: SessionRun) -> list[tuple[float, str, EventRecord]]:
    return [s for s in run.sent() if s[1] == "recovery_break"]


def no_recovery(name: str, persons: Sequence[Person], source: str = DONE_WHEN) -> Row:
    runs = _sessions(persons)
    hits = sum(bool(_recoveries(r)) for r in runs)
    return _at_most(name, "sessions with a recovery break, no real rise", hits, len(runs), 0.0, source)


def rise_rates(
    name: str, persons: Sequence[Person], source: str = DONE_WHEN, label: str = "real rise", before_too: bool = True
) -> list[Row]:
    """The planted stress rise gets a recovery break within one tick (and none came before it,
    unless the person also tires on their own before it, ``before_too=False``)."""
    runs = _sessions(persons)
    hits = before = 0
    for r in runs:
        minute, readings = next(rise for rise in r.plan.truth.rises if "stress" in rise[1])
        evidence = _first_evidence(r, minute, readings[0])
        sent = [e.ts for e in r.events if e.content.get("kind") == "recovery_break" and e.event_type == "break"]
        if evidence is not None and any(within_one_tick(r, evidence, ts) for ts in sent):
            hits += 1
        before += any(m < minute for m, _, _ in _recoveries(r))
    rows = [_at_least(name, f"{label}: recovery break within one tick", hits, len(runs), 0.95, source)]
    if before_too:
        rows.append(_at_most(name, "sessions with a recovery break before the rise", before, len(runs), 0.05, EXTRA))
    return rows


def heart_in_reason(name: str, persons: Sequence[Person]) -> Row:
    runs = _sessions(persons)
    hits = sum(
        any("heart" in str(e.content.get("reason", "")) for e in r.events if e.event_type == "break") for r in runs
    )
    return Row(name, "recovery break names heart signals", "—", _share(hits, len(runs)), None, EXTRA)


def exhausted_rates(name: str, persons: Sequence[Person]) -> list[Row]:
    runs = _sessions(persons)
    many = sum(len(_recoveries(r)) > 1 for r in runs)
    early = sum(any(m <= 10 for m, _, _ in _recoveries(r)) for r in runs)
    return [
        _at_most(name, "sessions with more than one recovery break", many, len(runs), 0.05, EXTRA),
        Row(name, "recovery break by minute 10", "—", _share(early, len(runs)), None, EXTRA),
    ]


def max_breaks_per_hour(name: str, persons: Sequence[Person]) -> Row:
    runs = _sessions(persons)
    worst_each = []
    for r in runs:
        minutes = [m for m, kind, _ in r.sent() if kind in BREAK_KINDS]
        worst_each.append(max((sum(1 for n in minutes if m <= n < m + 60) for m in minutes), default=0))
    ok = sum(w <= 2 for w in worst_each)
    return Row(
        name,
        "break suggestions in any 60 min <= 2",
        "all sessions",
        f"{_share(ok, len(runs))}; worst {max(worst_each, default=0)}",
        ok == len(runs),
    )


def silence_in_taken_breaks(name: str, persons: Sequence[Person]) -> Row:
    """Nothing is sent while the person is away on a break the companion suggested."""
    runs = _sessions(persons)
    ok = sum(not any(start < minute <= end for minute, _, _ in r.sent() for start, end in r.taken_breaks) for r in runs)
    taken = sum(len(r.taken_breaks) for r in runs)
    return Row(
        name,
        "nothing sent during a break taken",
        "all sessions",
        f"{_share(ok, len(runs))}; {taken / max(len(runs), 1):.1f} breaks taken per session",
        ok == len(runs),
        EXTRA,
    )


def wrap_up_at_estimate(name: str, persons: Sequence[Person]) -> Row:
    runs = _sessions(persons)
    hits = 0
    for r in runs:
        estimate = _instant(r, r.plan.estimate)
        hits += any(
            kind == "wrap_up" and estimate - TICK <= e.ts <= estimate + TICK + timedelta(seconds=TICK_LAG_SECONDS)
            for _, kind, e in r.sent()
        )
    return _at_least(name, "wrap-up within one tick of the estimate", hits, len(runs), 0.95)


_EPISODE_KINDS: dict[str, Callable[[SessionRun], int]] = {
    "distraction": lambda r: len(r.plan.truth.distractions),
    "idle_gap": lambda r: len(r.plan.truth.breaks) + len(r.taken_breaks),
    "stress_spike": lambda r: sum("stress" in readings for _, readings in r.plan.truth.rises),
    "fatigue_spike": lambda r: sum("fatigue" in readings for _, readings in r.plan.truth.rises),
}


def _real_episodes(run: SessionRun) -> dict[str, list[tuple[float, float]]]:
    """Each real episode as (start, end) session minutes, per friction kind: the planted
    distractions, the breaks (the person's own and those taken when suggested), and each rise
    from its minute to the end (a risen level stays up)."""
    end = run.session_minutes()
    truth = run.plan.truth
    return {
        "distraction": list(truth.distractions),
        "idle_gap": [(start, stop) for start, stop, _ in truth.breaks] + list(run.taken_breaks),
        **{
            f"{key}_spike": [(m, end) for m, readings in truth.rises if key in readings]
            for key in ("stress", "fatigue")
        },
    }


def _belongs(point: dict, episode: tuple[float, float]) -> bool:
    """A friction point belongs to a real episode if it starts within it, or up to a tick period
    before it (as "the summary's episode starts within 5 minutes of the truth" allows) or after it."""
    slack = TICK.total_seconds() / 60.0
    start, end = episode
    return start - slack <= point["at_minute"] < end + slack


def _friction_by_episode(run: SessionRun) -> tuple[int, int]:
    """(friction points beyond one per real episode, friction points with no real episode) of the
    episode kinds. A point is the episode's it belongs to (:func:`_belongs`; of two, the one that
    starts nearer it); a kind whose list the summary capped counts its unlisted points as the
    latter."""
    beyond = unmatched = 0
    for kind, episodes in _real_episodes(run).items():
        points = [f for f in run.summary["friction_points"] if f["kind"] == kind]
        owners: Counter[int] = Counter()
        for f in points:
            mine = [i for i, ep in enumerate(episodes) if _belongs(f, ep)]
            if mine:
                owners[min(mine, key=lambda i: abs(episodes[i][0] - f["at_minute"]))] += 1
            else:
                unmatched += 1
        beyond += sum(n - 1 for n in owners.values())
        unmatched += run.summary["friction_totals"].get(kind, {}).get("count", 0) - len(points)
    return beyond, unmatched


def friction_per_episode(name: str, persons: Sequence[Person]) -> list[Row]:
    """Summaries do not fragment: at most one friction point of a kind per real episode of that
    kind (issue 11). Beside it, the friction points with no real episode: each false detection
    leaves one (a false refocus is sent for a distraction the summary then lists), so they are held
    to the false-refocus rows' 5%; and the strict reading, no more points than real episodes."""
    runs = _sessions(persons)
    counted = [_friction_by_episode(r) for r in runs]
    within = sum(beyond == 0 for beyond, _ in counted)
    points = episodes = 0
    excess: Counter[str] = Counter()
    strict = 0
    for r in runs:
        totals = r.summary["friction_totals"]
        ok = True
        for kind, truth in _EPISODE_KINDS.items():
            count = totals.get(kind, {}).get("count", 0)
            points += count
            episodes += truth(r)
            ok = ok and count <= truth(r)
            excess[kind] += max(0, count - truth(r))
        strict += ok
    extra = ", ".join(f"{kind} {n}" for kind, n in excess.most_common() if n)
    beyond = sum(b for b, _ in counted)
    return [
        Row(
            name,
            "friction points <= 1 per real episode",
            "all sessions",
            f"{_share(within, len(runs))}; {points} points / {episodes} episodes; {beyond} beyond one per episode",
            within == len(runs),
        ),
        _at_most(
            name,
            "sessions with a friction point and no real episode",
            sum(unmatched > 0 for _, unmatched in counted),
            len(runs),
            0.05,
            EXTRA,
        ),
        Row(
            name,
            "friction points <= real episodes (strict reading)",
            "all sessions",
            f"{_share(strict, len(runs))}" + (f"; extra: {extra}" if extra else ""),
            strict == len(runs),
            EXTRA,
        ),
    ]


def nudges_per_session(name: str, persons: Sequence[Person]) -> Row:
    runs = _sessions(persons)
    total = sum(len(r.sent()) for r in runs)
    return Row(name, "nudges and breaks per session", "—", f"{total / max(len(runs), 1):.1f}", None, EXTRA)


# --------------------------------------------------------------------------- answers and pauses (issue 13)

ISSUE_13 = "issue 13"


def _by_session_number(persons: Sequence[Person], kinds: tuple[str, ...]) -> list[tuple[int, float]]:
    """(sent, session hours) per session number (1, 2, ...), over every person."""
    totals: list[tuple[int, float]] = []
    for n in range(max((len(p) for p in persons), default=0)):
        runs = [p[n] for p in persons if len(p) > n]
        sent = sum(1 for r in runs for _, kind, _ in r.sent() if kind in kinds)
        totals.append((sent, sum(r.session_minutes() for r in runs) / 60))
    return totals


def _rate(sent: int, hours: float) -> float:
    return sent / hours if hours > 0 else 0.0


def _rates_by_session(name: str, persons: Sequence[Person], kinds: tuple[str, ...], label: str) -> list[Row]:
    return [
        Row(
            name,
            f"{label} per hour, session {n + 1}",
            "—",
            f"{_rate(sent, hours):.2f} ({sent} in {hours:.1f} h)",
            None,
            ISSUE_13,
        )
        for n, (sent, hours) in enumerate(_by_session_number(persons, kinds))
    ]


def fewer_check_ins(name: str, persons: Sequence[Person]) -> list[Row]:
    """A person who dismisses every check-in sees fewer of them by their third session."""
    totals = _by_session_number(persons, ("check_in",))
    rows = _rates_by_session(name, persons, ("check_in",), "check-ins")
    if len(totals) >= 3:
        first, third = _rate(*totals[0]), _rate(*totals[2])
        value = f"{third:.2f} vs {first:.2f} per hour"
        rows.append(Row(name, "check-ins per hour, session 3 vs 1", "fewer", value, third < first, ISSUE_13))
    # Only a person who has dismissed MIN_ANSWERS check-ins by then has taught anything: one whose
    # first two sessions brought fewer check-ins (flow, other nudges first) has not, yet.
    taught = [
        p
        for p in persons
        if sum(
            n.content.get("kind") == "check_in" and a.content.get("response") == "dismiss"
            for r in p[:2]
            for n, a in r.answers()
        )
        >= MIN_ANSWERS
    ]
    learned = sum(
        any(k["kind"] == "check_in" and k["factor"] > 1 for k in p[1].summary.get("learned", [])) for p in taught
    )
    row = _at_least(name, "check-ins spaced out (learned) after session 2", learned, len(taught), 0.95, ISSUE_13)
    untaught = len(persons) - len(taught)
    rows.append(
        replace(row, value=f"{row.value} of those who dismissed {MIN_ANSWERS}; {untaught} got fewer to dismiss")
    )
    return rows


def keeps_breaks(name: str, persons: Sequence[Person]) -> list[Row]:
    """A person who takes every break and says "done" keeps getting them: taking a break never
    spaces breaks out, and session 3 brings about as many micro breaks as session 1 (recovery
    breaks follow the person's readings, not their answers)."""
    totals = _by_session_number(persons, ("micro_break",))
    rows = _rates_by_session(name, persons, ("micro_break",), "micro breaks")
    if len(totals) >= 3:
        first, third = _rate(*totals[0]), _rate(*totals[2])
        value = f"{third:.2f} vs {first:.2f} per hour"
        rows.append(Row(name, "micro breaks per hour, session 3 vs 1", ">= 80%", value, third >= 0.8 * first, ISSUE_13))
    runs = _sessions(persons)
    spaced = sum(
        any(k["kind"] in BREAK_KINDS and k["factor"] > 1 for k in r.summary.get("learned", []))
        or any(e.event_type == "tick" and e.content.get("reason") == "learned_spacing" for e in r.events)
        for r in runs
    )
    rows.append(_at_most(name, "sessions with breaks spaced out (learned)", spaced, len(runs), 0.0, ISSUE_13))
    return rows


def snooze_returns(name: str, persons: Sequence[Person]) -> list[Row]:
    """A snoozed kind comes back once the snooze is over, never before (the guardrails still hold)."""
    runs = _sessions(persons)
    snoozes = early = back = 0
    for r in runs:
        for nudge, answer in r.answers():
            if answer.content.get("response") != "snooze":
                continue
            kind = nudge.content.get("kind")
            over = answer.ts + timedelta(minutes=answer.content["snooze_minutes"])
            first = _first_tick_at_or_after(r, over)
            if first is None or first + TICK > r.ended_at:
                continue  # the session ended before it could come back
            snoozes += 1
            later = [e.ts for _, k, e in r.sent() if k == kind and e.ts > answer.ts]
            early += any(ts < over for ts in later)
            back += any(within_one_tick(r, over, ts) for ts in later)
    return [
        replace(
            _at_most(name, "snoozed kind back before the snooze is over", early, snoozes, 0.0, ISSUE_13),
            target="0 snoozes",
        ),
        _at_least(name, "snoozed kind back within one tick after it", back, snoozes, 0.95, ISSUE_13),
    ]


def pause_rates(name: str, persons: Sequence[Person]) -> list[Row]:
    """A pause: no tick while paused, the next one a period after the resume, the summary's
    minutes leave it out, it counts as a break (no micro break for the rest of the session, under
    50 minutes of work), and the summary shows no idle gap or distraction where it was (what the
    client sent while paused sits at the pause's minute)."""
    runs = _sessions(persons)
    ticked = cadence = minutes = as_break = unmarked = 0
    for r in runs:
        tick_times = r.ticks()
        for paused, resumed in r.pauses:
            ticked += any(paused < t < resumed for t in tick_times)
            after = [t for t in tick_times if t > resumed]
            cadence += bool(after) and after[0] == resumed + TICK + timedelta(seconds=TICK_LAG_SECONDS)
        paused_minutes = sum((b - a).total_seconds() for a, b in r.pauses) / 60
        duration = r.summary["duration"]
        minutes += (
            abs(duration["actual_minutes"] - r.session_minutes()) < 0.05
            and abs(duration["paused_minutes"] - paused_minutes) < 0.05
        )
        resumes = [resumed for _, resumed in r.pauses]
        as_break += not any(kind == "micro_break" and e.ts > min(resumes) for _, kind, e in r.sent())
        at = [r.minute(paused) for paused, _ in r.pauses[:1]]  # a session minute: the session's first pause
        unmarked += not any(
            f["kind"] in ("idle_gap", "distraction") and abs(f["at_minute"] - a) <= 1
            for f in r.summary["friction_points"]
            for a in at
        )
    return [
        _at_most(name, "sessions ticked while paused", ticked, len(runs), 0.0, ISSUE_13),
        _at_least(name, "first tick one period after the resume", cadence, len(runs), 1.0, ISSUE_13),
        _at_least(name, "summary minutes leave the pause out", minutes, len(runs), 1.0, ISSUE_13),
        _at_least(name, "pause counted as a break (no micro break after it)", as_break, len(runs), 1.0, ISSUE_13),
        _at_least(name, "summary: no idle gap or distraction at the pause", unmarked, len(runs), 1.0, ISSUE_13),
    ]


# Which rates each archetype is measured on (the guardrail rows, friction and nudge count for all).
PLAN: dict[str, list[Callable[[str, Sequence[Person]], Row | list[Row]]]] = {
    "calm_deep": [flow_by_minute_20, non_urgent_in_flow, summary_flow_share, lambda n, p: false_refocus(n, p, EXTRA)],
    "ordinary": [false_refocus],
    "ordinary_fast_client": [false_refocus],
    "ordinary_per_ping": [false_refocus],
    "ordinary_per_ping_unsaid": [lambda n, p: false_refocus(n, p, EXTRA)],
    "heavy_admin": [false_refocus],
    "reader": [refocus_for_break, counted_as_break, any_refocus_at_work_pace],
    "coffee_break": [refocus_for_break, counted_as_break, any_refocus_at_work_pace],
    "planted_distraction": [distraction_rates],
    "distraction_per_ping": [distraction_rates],
    "distraction_per_ping_unsaid": [lambda n, p: distraction_rates(n, p, EXTRA)],
    "self_report": [self_report_counts, distraction_rates],
    "stressed": [lambda n, p: rise_rates(n, p, EXTRA), lambda n, p: false_refocus(n, p, EXTRA)],
    "exhausted_starter": [exhausted_rates],
    "new_user": [no_recovery, lambda n, p: false_refocus(n, p, EXTRA)],
    "new_user_rise": [rise_rates],
    "wearable": [lambda n, p: rise_rates(n, p, EXTRA), heart_in_reason],
    "never_pings": [lambda n, p: no_refocus(n, p, EXTRA)],
    "browser_only": [lambda n, p: false_refocus(n, p, EXTRA)],
    "ignores_breaks": [max_breaks_per_hour],
    "takes_breaks": [
        silence_in_taken_breaks,
        lambda n, p: rise_rates(n, p, EXTRA, before_too=False),
        lambda n, p: false_refocus(n, p, EXTRA),
    ],
    "long_day": [lambda n, p: rise_rates(n, p, DONE_WHEN, "late rise"), wrap_up_at_estimate],
    "multi_switcher": [lambda n, p: false_refocus(n, p, EXTRA)],
    "multi_deep": [flow_by_minute_20, non_urgent_in_flow, summary_flow_share],
    "dismisses_check_ins": [fewer_check_ins],
    "done_on_breaks": [keeps_breaks, silence_in_taken_breaks],
    "snoozes_micro_breaks": [snooze_returns, silence_in_taken_breaks],
    "pauses_midway": [pause_rates],
}


def archetype_rows(name: str, persons: Sequence[Person]) -> list[Row]:
    rows: list[Row] = []
    for metric in PLAN.get(name, []):
        result = metric(name, persons)
        rows.extend(result if isinstance(result, list) else [result])
    rows.extend(friction_per_episode(name, persons))
    rows.extend(guardrails(name, persons))
    rows.append(nudges_per_session(name, persons))
    return rows

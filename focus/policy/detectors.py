"""What the policy notices in a tick's pings: flow, distraction, breakpoints, stress and fatigue."""

from __future__ import annotations

import bisect
import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from focus.clock import as_utc, duration_text, minutes_in_ticks
from focus.policy.config import PolicyConfig
from focus.policy.inputs import (
    ACTIVE,
    AWAY,
    IDLE,
    Detection,
    PingSample,
    RhythmValues,
    _activities,
    _clamp,
    _has_behaviour,
    _latest,
    _pct,
    _switch_readings,
)
from focus.policy.inputs import (
    EPSILON as _EPSILON,
)
from focus.policy.norms import NORM_SIGNALS, Norm, PersonNorms, norm_of
from focus.policy.poisson import quantile, upper_bound
from focus.policy.state import _State
from focusflow.numbers import finite_number

# --------------------------------------------------------------------------- detection helpers

MODE_LIGHT = "light"
MODE_ADMIN = "admin"


def mode_tolerance(mode: str | None, config: PolicyConfig) -> float:
    """How much more switching a mode tolerates than deep work (docs/policy.md "Mode")."""
    if mode == MODE_LIGHT:
        return float(config.light_switch_tolerance)
    if mode == MODE_ADMIN:
        return float(config.admin_switch_tolerance)
    return 1.0


def switch_pace(history: Sequence[PingSample], config: PolicyConfig, norms: PersonNorms | None = None) -> Norm | None:
    """The person's usual switches per reading: their norm from earlier sessions once it rests on
    enough readings, else this session's earlier readings once there are ``min_switch_history``
    of them spanning ``switch_history_ticks`` tick periods, else None (not known yet; never a
    model default)."""
    if norms is not None and (norm := norms.known("app_switches")) is not None:
        return norm
    working = [p for p in history if p.activity not in (IDLE, AWAY) and finite_number(p.app_switches) is not None]
    readings = _active_switches(working)
    if len(readings) < config.min_switch_history:
        return None
    if (working[-1].at - working[0].at).total_seconds() < config.switch_history_ticks * config.tick_seconds:
        return None  # a rolling counter's readings overlap: a few minutes of them are one sample
    return norm_of(readings)


def switch_baseline(history: Sequence[PingSample], config: PolicyConfig, norms: PersonNorms | None = None) -> float:
    """The person's typical app switches per 5 min (:func:`switch_pace`'s median), or
    ``flow_switches_floor`` while it is not known."""
    pace = switch_pace(history, config, norms)
    return float(config.flow_switches_floor) if pace is None else float(pace.median)


def distraction_threshold(
    baseline: float, config: PolicyConfig, tolerance: float = 1.0, spread: float | None = None, readings: float = 1
) -> float:
    """Switches per reading that count as distracted, for the mean of ``readings`` readings:
    max(minimum, factor x the person's pace, pace + ``distraction_spreads`` spreads / sqrt(readings)),
    times the mode's tolerance. Relative to the person's own readings, so it holds for a per-ping
    counter as for a rolling 5-minute one; the mean of more readings is less noisy."""
    spread = config.switch_spread_floor if spread is None else spread
    return tolerance * max(
        float(config.distraction_min_switches),
        config.distraction_factor * baseline,
        baseline + config.distraction_spreads * spread / math.sqrt(max(1.0, readings)),
    )


def _active_switches(pings: Sequence[PingSample]) -> list[float]:
    """Switch readings taken while working (an idle or away reading says nothing about pace)."""
    return _switch_readings([p for p in pings if p.activity not in (IDLE, AWAY)])


def typical_switches(window: Sequence[PingSample]) -> float | None:
    """A tick's typical switch count: the median of its readings (one noisy reading moves it little)."""
    readings = _switch_readings(window)
    return float(statistics.median(readings)) if readings else None


def _lowest_focus(window: Sequence[PingSample]) -> float | None:
    values = [v for p in window if (v := finite_number(p.focus)) is not None]
    return min(values) if values else None


def stepped_away(window: Sequence[PingSample]) -> str | None:
    """ "idle" or "away" if this tick shows the person really left the keyboard: its latest two
    activity readings are idle or away (or its only one is), else None. One idle reading among
    active ones is a moment of thought."""
    acts = _activities(window)
    if not acts or acts[-1] not in (IDLE, AWAY) or (len(acts) >= 2 and acts[-2] not in (IDLE, AWAY)):
        return None
    return acts[-1]


def _absences(pings: Sequence[PingSample], sparse_seconds: float | None = None) -> list[datetime]:
    """When each idle or away reading shows the person really gone: its previous activity reading
    was idle or away too, or (``sparse_seconds``) came that long before it, from a client that
    pings about once a tick. One idle reading among active ones is a moment of thought."""
    readings = [p for p in pings if p.activity in (ACTIVE, IDLE, AWAY)]
    return [
        later.at
        for earlier, later in zip(readings, readings[1:])
        if later.activity in (IDLE, AWAY)
        and (
            earlier.activity in (IDLE, AWAY)
            or (sparse_seconds is not None and (later.at - earlier.at).total_seconds() > sparse_seconds)
        )
    ]


def left_the_keyboard(pings: Sequence[PingSample], window_start: datetime, config: PolicyConfig) -> bool:
    """True if this tick's pings show the person really left (:func:`_absences`, a client that
    pings about once a tick read as one), or its first reading ever says idle or away."""
    if any(at > window_start for at in _absences(pings, config.tick_seconds / 2)):
        return True
    readings = [p for p in pings if p.activity in (ACTIVE, IDLE, AWAY)]
    return bool(readings) and readings[0].at > window_start and readings[0].activity in (IDLE, AWAY)


def _mostly_active(window: Sequence[PingSample]) -> bool:
    activities = _activities(window)
    active = sum(1 for a in activities if a == ACTIVE)
    return bool(activities) and active * 2 > len(activities) and _latest(window, "activity") == ACTIVE


def flow_enter_threshold(baseline: float, spread: float, config: PolicyConfig, tolerance: float = 1.0) -> float:
    """A tick's median switches at or below this builds a flow streak: the person's pace plus
    ``flow_enter_spreads`` spreads, at least ``flow_switches_floor`` (both times the mode's tolerance)."""
    return tolerance * max(float(config.flow_switches_floor), baseline + config.flow_enter_spreads * spread)


def is_flow_tick(
    window: Sequence[PingSample],
    baseline: float,
    config: PolicyConfig,
    *,
    spread: float | None = None,
    tolerance: float = 1.0,
) -> bool:
    """True if this tick's typical behaviour looks like flow: mostly "active" (and active at the
    end), median switches at or below the enter threshold (and under the distraction floor),
    and no self-reported focus at or below ``low_focus``."""
    if not _mostly_active(window):
        return False
    typical = typical_switches(window)
    spread = config.switch_spread_floor if spread is None else spread
    if typical is not None and (
        typical > flow_enter_threshold(baseline, spread, config, tolerance)
        or typical >= tolerance * config.distraction_switches_floor
    ):
        return False
    focus = _lowest_focus(window)
    return focus is None or focus > config.low_focus


def flow_break_reason(
    window: Sequence[PingSample],
    baseline: float,
    config: PolicyConfig,
    tolerance: float = 1.0,
    spread: float | None = None,
) -> str | None:
    """Why an ongoing flow stretch (or a streak toward one) ends with this tick's pings, or None.

    Going idle or away (:func:`stepped_away`), a tick whose median switches reach the distraction
    threshold, or a self-reported low focus end flow; a few noisy readings do not."""
    activity = stepped_away(window)
    if activity == IDLE:
        return "You went idle."
    if activity == AWAY:
        return "You stepped away."
    typical = typical_switches(window)
    if typical is not None and typical >= distraction_threshold(baseline, config, tolerance, spread):
        return f"A burst of about {int(typical)} app switches in 5 minutes."
    focus = _lowest_focus(window)
    if focus is not None and focus <= config.low_focus:
        return f"You rated your focus at {_pct(focus)}."
    return None


def _back_since(pings: Sequence[PingSample]) -> datetime | None:
    """The last reading of the person's latest real absence (two idle/away readings in a row):
    switching before it and after it are not one run, whatever the readings in between were."""
    return max(_absences(pings), default=None)


# Readings at this multiple of the person's rate are the stretch's own beginning: a per-ping
# counter's latest ones are left out of the rate it is read against, a rolling counter's first
# windows below it are left out of the episode, and a rolling stretch needs readings above it
# spanning a tick period (one burst lifts a rolling count for less than that).
_RUN_START_FACTOR = 2.0
# The longest stretch a run is read over: a distraction is found within it.
_COUNTED_RUN_TICKS = 4
# Two windows of a rolling counter's stretch above the person's rate by this much are sustained.
_SUSTAINED_FACTOR = 1.5
# The readings an episode's rate is read from, once it is over: this many tick periods either side.
_RISE_LOOKBACK_TICKS = 6
_MOST_SWITCHES = NORM_SIGNALS["app_switches"][1]  # a reading past this is read as this


def _switch_count(p: PingSample) -> float:
    """What a count can be, whatever was stored."""
    return _clamp(float(p.app_switches), 0.0, _MOST_SWITCHES)  # type: ignore[arg-type]


def _switches_needed(span: float, rate: float, bound: float, config: PolicyConfig, tolerance: float) -> float:
    """Switches over ``span`` seconds that are too many for a person switching at ``rate`` per
    second (``bound``: an upper bound on it): ``distraction_factor`` x the rate,
    ``distraction_min_switches`` per tick period, and a count that rare (Poisson,
    ``distraction_rarity``) at the bound, all times the mode's tolerance."""
    floor = max(config.distraction_factor * rate * span, config.distraction_min_switches * span / config.tick_seconds)
    return tolerance * max(floor, quantile(tolerance * bound * span, config.distraction_rarity))


def _likelihood_ratio(seen: float, expected: float) -> float:
    """How much likelier ``seen`` switches are at their own rate than at ``expected`` (Poisson)."""
    return seen * math.log(seen / expected) - (seen - expected)


@dataclass(frozen=True)
class CountedRun:
    """Sustained switching read as counts (:func:`_counted_run`)."""

    readings: tuple[PingSample, ...]  # the stretch; () if none holds
    threshold: float | None  # switches per reading that would hold (the episode's leave mark); None: rate unknown
    since: datetime | None = None  # when the switching began
    reason: str = ""


class _SwitchCounts:
    """A client's working switch readings read as counts over the time each covers.

    A rolling counter's reading (``rolling``: the switches in the last tick period) covers the tick
    period before it, so readings a tick period apart count disjoint windows; a per-ping counter's
    reading covers the time since the client's previous ping. The readings of an absence are left
    out: their switches say nothing of the person's pace."""

    def __init__(
        self, pings: Sequence[PingSample], config: PolicyConfig, *, rolling: bool, norm: Norm | None = None
    ) -> None:
        self.config, self.rolling, self.norm = config, rolling, norm
        tick = self.tick = config.tick_seconds
        counted = [p for p in pings if p.app_switches is not None]
        if rolling:
            cover = {id(p): p.at - timedelta(seconds=tick) for p in counted}
        else:
            cover = {id(later): earlier.at for earlier, later in zip(counted, counted[1:])}
        # An absence's readings (idle or away beside another, or the latest) say nothing of pace;
        # one idle reading among active ones is a moment of thought, its count as good as any.
        left = [p.activity in (IDLE, AWAY) for p in counted] + [True]
        self.readings = [
            p
            for i, p in enumerate(counted)
            if id(p) in cover and not (left[i] and (left[i + 1] or (i and left[i - 1])))
        ]
        self.starts = [cover[id(p)] for p in self.readings]  # when each reading's count began
        self.seconds = [(p.at - start).total_seconds() for p, start in zip(self.readings, self.starts)]
        self.counts = [_switch_count(p) for p in self.readings]
        self.times = [p.at for p in self.readings]
        self.back = _back_since(pings)
        # The time the first k readings cover together (a rolling counter's windows overlap: once).
        self.covered = [0.0]
        for i, p in enumerate(self.readings):
            step = min(self.seconds[i], (p.at - self.times[i - 1]).total_seconds()) if i else self.seconds[i]
            self.covered.append(self.covered[-1] + step)
        self._rates: dict[int, tuple[float, float] | None] = {}

    def rate(self, indices: Sequence[int]) -> float:
        """Switches per second over these readings."""
        return sum(self.counts[i] for i in indices) / max(1.0, sum(self.seconds[i] for i in indices))

    def usual_rate(self, indices: Sequence[int]) -> float:
        """Switches per second over these readings, leaving out those at a distraction's level:
        over ``distraction_factor`` x their median rate and ``distraction_min_switches`` a tick
        period (an episode is not the person's pace)."""
        config, tick = self.config, self.tick
        median = statistics.median(self.counts[i] / max(self.seconds[i], 1.0) for i in indices)
        return self.rate(
            [
                i
                for i in indices
                if self.counts[i]
                <= max(
                    config.distraction_factor * median * self.seconds[i],
                    config.distraction_min_switches * max(1.0, self.seconds[i] / tick),
                )
            ]
        )

    def rate_before(self, moment: datetime) -> tuple[float, float] | None:
        """(rate, an upper bound on it) per second from the readings up to ``moment``, or None:
        once they cover ``distraction_rate_ticks`` tick periods, leaving out those at a
        distraction's level (an earlier episode is not the person's pace); before that, the
        person's norm (a rolling counter's only)."""
        config, tick = self.config, self.tick
        wanted = config.distraction_rate_ticks * tick
        k = bisect.bisect_right(self.times, moment)
        if k not in self._rates:
            self._rates[k] = None
            covered = self.covered[k]
            if k and covered >= wanted - _EPSILON:
                rate = self.usual_rate(range(k))
                seen = rate * covered  # the switches in the time they cover
                self._rates[k] = (rate, upper_bound(int(seen), config.distraction_rate_confidence) / covered)
            elif self.norm is not None and self.rolling:
                seen = self.norm.median * config.distraction_rate_ticks
                self._rates[k] = (seen / wanted, upper_bound(int(seen), config.distraction_rate_confidence) / wanted)
        return self._rates[k]

    def chain(self, end: int) -> list[int]:
        """The readings back from ``end`` whose counts are disjoint, latest first, not across an absence."""
        found = [end]
        for i in range(end - 1, -1, -1):
            if self.back is not None and self.times[i] <= self.back:
                break
            if self.times[i] <= self.starts[found[-1]] + timedelta(seconds=_EPSILON):
                found.append(i)
        return found

    def rise(self, order: list[int], rate: float, own: float, earlier: Sequence[int]) -> tuple[list[int], datetime]:
        """Where switching at ``rate`` rose to ``own`` in these readings (oldest first): at the
        reading from which the excess over halfway between the two is largest, or earlier if
        the readings before them (``earlier``, latest first) ran that high too. Per ping, the
        rise is at the ping before that reading; rolling, where in its window the count says the
        switching rose (``rate`` for part of it, the readings' own after)."""
        counts, seconds = self.counts, self.seconds
        middle = (rate + own) / 2
        excess = [counts[i] - middle * seconds[i] for i in order]
        kept = order[max(range(len(order)), key=lambda k: (sum(excess[k:]), -k)) :]
        if len(kept) == len(order):
            for i in earlier:
                if counts[i] <= middle * seconds[i]:
                    break
                kept.insert(0, i)  # the switching had already risen
        since = self.starts[kept[0]]
        if self.rolling and len(kept) > 1:
            after = self.rate(kept[1:])
            if after > rate:
                into = (after * self.tick - counts[kept[0]]) / (after - rate)
                since += timedelta(seconds=_clamp(into, 0.0, self.tick))
        return kept, since


def _counted_run(
    pings: Sequence[PingSample],
    window_start: datetime,
    config: PolicyConfig,
    *,
    tolerance: float = 1.0,
    norm: Norm | None = None,
    rolling: bool = True,
) -> CountedRun:
    """Sustained switching read as counts over the time they cover (:class:`_SwitchCounts`): the
    stretch of working readings ending in this tick whose switches are too many
    (:func:`_switches_needed`) for the person's rate before it (:meth:`_SwitchCounts.rate_before`;
    not known yet, nothing is read as distraction).

    A rolling counter's stretch is a chain of disjoint windows back from a reading of this tick, a
    per-ping counter's a run of readings. Either spans at least a tick period, at most
    ``_COUNTED_RUN_TICKS``, never across an absence. Of the stretches that hold, the likeliest
    (Poisson log-likelihood ratio) wins, and it must be sustained (more than one burst's worth).
    The episode begins where the switching rose to the stretch's own rate
    (:meth:`_SwitchCounts.rise`)."""
    tick = config.tick_seconds
    read = _SwitchCounts(pings, config, rolling=rolling, norm=norm)
    readings, counts, seconds, times, starts = read.readings, read.counts, read.seconds, read.times, read.starts

    def sustained(stretch: list[int], rate: float) -> bool:
        """More than one burst's worth of switching. Per ping: two readings at twice the rate.
        Rolling: two windows above it by half again, or readings at twice it spanning a tick
        period (one burst lifts a rolling count for less than that)."""
        if not rolling:
            return sum(counts[i] > _RUN_START_FACTOR * rate * seconds[i] for i in stretch) >= 2
        if sum(counts[i] > _SUSTAINED_FACTOR * rate * tick for i in stretch) >= 2:
            return True
        start = starts[stretch[-1]]
        high = [
            t for t, c in zip(times, counts) if start < t <= times[stretch[0]] and c > _RUN_START_FACTOR * rate * tick
        ]
        return bool(high) and (high[-1] - high[0]).total_seconds() >= tick - _EPSILON

    known = [i for i, p in enumerate(readings) if p.at <= window_start]
    interval = tick if rolling else statistics.median(seconds[i] for i in known) if known else tick
    latest = read.rate_before(starts[known[-1]]) if known else None
    leave_mark = _switches_needed(tick, *latest, config, tolerance) * interval / tick if latest else None
    best: tuple[float, list[int], float, float, float] | None = None  # (ratio, stretch latest first, need, rate, span)
    for end in (i for i, p in enumerate(readings) if p.at > window_start):
        links = read.chain(end)
        seen = span = 0.0
        for n, i in enumerate(links):
            if (times[end] - starts[i]).total_seconds() > _COUNTED_RUN_TICKS * tick + _EPSILON:
                break
            known_rate = read.rate_before(starts[i])
            if known_rate is None:
                break
            rate, bound = known_rate
            seen += counts[i]
            span += seconds[i]
            expected = rate * span
            if span < tick - _EPSILON or expected <= 0 or seen <= expected:
                continue
            ratio = _likelihood_ratio(seen, expected)
            if best is not None and ratio <= best[0]:
                continue
            need = _switches_needed(span, rate, bound, config, tolerance)
            stretch = links[: n + 1]
            if seen >= need - _EPSILON and sustained(stretch, rate):
                best = (ratio, stretch, need, rate, span)
    if best is None:
        return CountedRun((), leave_mark)
    _, links, need, rate, span = best
    earlier = read.chain(links[0])[len(links) :]  # before the stretch: too early to read a rate against
    order, since = read.rise(list(reversed(links)), rate, sum(counts[i] for i in links) / span, earlier)
    return CountedRun(
        tuple(readings[i] for i in order),
        need * interval / span,
        since,
        f"You've switched apps {int(sum(counts[i] for i in links))} times in "
        f"{duration_text(minutes_in_ticks(round(span / tick)) if rolling else max(1, round(span / 60)))}.",
    )


def switching_rise(
    pings: Sequence[PingSample], since: datetime, until: datetime, config: PolicyConfig
) -> datetime | None:
    """When an episode of switching began, read once it is over (the summary's start for it):
    where the switching rose (:meth:`_SwitchCounts.rise`) from the person's rate around it (the
    working readings within ``_RISE_LOOKBACK_TICKS`` tick periods before and after it, leaving out
    those at a distraction's level) to its own, from its detection's ``since`` to its end
    (``until``). At detection the rate was read from the minutes before only, and a person who
    was unusually quiet then had their ordinary switching read as the episode's beginning.
    Looked for from a tick period before ``since``; None when the counts cannot say."""
    tick = timedelta(seconds=config.tick_seconds)
    around = tick * _RISE_LOOKBACK_TICKS
    counters = [p for p in pings if p.app_switches is not None and p.at < until]
    if not counters:
        return None
    near = [p for p in pings if since - around <= p.at <= until + around]
    read = _SwitchCounts(near, config, rolling=not counters[-1].counts_since_last_ping)
    before = [i for i, t in enumerate(read.times) if t < until]
    if not before:
        return None
    links = read.chain(before[-1])
    inside = [i for i in links if read.starts[i] >= since - tick]
    if not inside:
        return None
    outside = [i for i, t in enumerate(read.times) if t <= read.starts[inside[-1]] or read.starts[i] >= until]
    if sum(read.seconds[i] for i in outside) < config.distraction_rate_ticks * tick.total_seconds() - _EPSILON:
        return None
    rate = read.usual_rate(outside)
    own = read.rate([i for i in inside if read.starts[i] >= since])
    if own <= rate:
        return None
    return read.rise(list(reversed(inside)), rate, own, links[len(inside) :])[1]


def distraction_signal(
    window: Sequence[PingSample],
    *,
    high_switch_ticks: int = 0,
    on_break: bool = False,
    config: PolicyConfig,
    run: Sequence[PingSample] = (),
) -> tuple[str, str] | None:
    """(signal, plain reason) if this tick shows distraction, else None.

    Signals: a self-reported focus at or below ``low_focus`` anywhere in the tick (it counts at
    once, whatever a later ping says), or a sustained run of switch readings at the distraction
    threshold (``run``, from :func:`_counted_run`; ``high_switch_ticks``
    >= ``distraction_switch_ticks`` stands in for a caller that counts ticks). Idle and away are never distraction: stepping away
    or reading without switching is a break or quiet work (docs/policy.md "Distraction")."""
    focus = _lowest_focus(window)
    if focus is not None and focus <= config.low_focus:
        return "low_focus", f"You rated your focus at {_pct(focus)}."
    switches = _switch_readings(window)
    if run:
        peak = max(int(float(p.app_switches)) for p in run)  # type: ignore[arg-type]
        return "app_switches", f"You've switched apps {peak} times in 5 minutes."
    if switches and high_switch_ticks >= config.distraction_switch_ticks:
        return "app_switches", f"You've switched apps {int(max(switches))} times in 5 minutes."
    return None


def detect_breakpoint(
    pings: Sequence[PingSample], window_start: datetime, baseline: float, config: PolicyConfig
) -> str | None:
    """A natural pause in the work, seen in the newest ping (which must be from this tick).

    "went_idle" (the latest activity is idle, the one before it active), "back_from_away"
    (the one before it away), or "switch_burst" (a burst of switches after a long quiet run).
    docs/policy.md "Interrupt at breakpoints" (Iqbal & Bailey 2008; Okoshi et al. 2015)."""
    acts = [p for p in pings if p.activity in (ACTIVE, IDLE, AWAY)]
    if len(acts) >= 2 and acts[-1].at > window_start:
        last, previous = acts[-1].activity, acts[-2].activity
        if last == IDLE and previous == ACTIVE:
            return "went_idle"
        if previous == AWAY and last != AWAY:
            return "back_from_away"
    readings = [(p.at, n) for p in pings if (n := finite_number(p.app_switches)) is not None]
    if len(readings) > config.quiet_run_pings and readings[-1][0] > window_start:
        burst = readings[-1][1] >= max(float(config.burst_switches_floor), 2.0 * baseline)
        run = readings[-1 - config.quiet_run_pings : -1]
        if burst and all(value <= baseline for _, value in run):
            return "switch_burst"
    return None


def hrv_corroborates(
    pings: Sequence[PingSample], started_at: datetime, config: PolicyConfig, norms: PersonNorms | None = None
) -> bool:
    """True if heart signals agree with a stress rise: the latest ``hrv_flag_pings`` HRV
    readings are all below the baseline mean - 1 SD (log RMSSD), or the latest heart-rate
    readings all above mean + 1 SD. The baseline is the person's norm once known (median and
    MAD as SD), else the session's first ``hrv_baseline_ticks`` ticks (10 min) with >=
    ``hrv_min_readings`` readings. Never a trigger on its own (Martinez et al. 2022: ~1-2% of
    stress explained)."""
    cutoff = as_utc(started_at).timestamp() + config.hrv_baseline_ticks * config.tick_seconds

    def flagged(values: list[tuple[float, float]], low: bool, norm: Norm | None, log: bool) -> bool:
        if norm is not None:
            later = [v for _, v in values]
            centre = math.log(norm.median) if log and norm.median > 0 else norm.median
            # MAD of log values ~ MAD / median for small spreads.
            spread = norm.spread(0.0) / norm.median if log and norm.median > 0 else norm.spread(0.0)
            if len(later) < config.hrv_flag_pings or spread <= 0:
                return False
            mean, sd = centre, spread
        else:
            early = [v for t, v in values if t < cutoff]
            later = [v for t, v in values if t >= cutoff]
            if len(early) < config.hrv_min_readings or len(later) < config.hrv_flag_pings:
                return False
            mean, sd = statistics.fmean(early), statistics.stdev(early)
        recent = later[-config.hrv_flag_pings :]
        return all(v < mean - sd for v in recent) if low else all(v > mean + sd for v in recent)

    hrv = [
        (as_utc(p.at).timestamp(), math.log(v)) for p in pings if (v := finite_number(p.hrv_ms)) is not None and v > 0
    ]
    hr = [(as_utc(p.at).timestamp(), v) for p in pings if (v := finite_number(p.heart_rate)) is not None and v > 0]
    hrv_norm = norms.known("hrv_ms") if norms is not None else None
    hr_norm = norms.known("heart_rate") if norms is not None else None
    return flagged(hrv, True, hrv_norm, log=True) or flagged(hr, False, hr_norm, log=False)


def _pinged(pings: Sequence[PingSample], attr: str) -> list[float]:
    return [v for p in pings if (v := finite_number(getattr(p, attr), 0.0, 1.0)) is not None]


def strain_level(
    pings: Sequence[PingSample], rhythm_now: RhythmValues, attr: str, config: PolicyConfig
) -> float | None:
    """Stress or fatigue now, smoothed: the median of the latest ``stress_smoothing_readings``
    pinged values when the session's pings carry it (one noisy reading moves a median of three
    little), else the rhythm state (set outside pings)."""
    readings = _pinged(pings, attr)
    if readings:
        return float(statistics.median(readings[-config.stress_smoothing_readings :]))
    return finite_number(getattr(rhythm_now, attr))


def _current(window: Sequence[PingSample], rhythm_now: RhythmValues, attr: str) -> float | None:
    """The higher of the rhythm state and this tick's latest pinged value, if any (a raw reading)."""
    values = [v for v in (finite_number(getattr(rhythm_now, attr)), _latest(window, attr)) if v is not None]
    return max(values) if values else None


def strain_baseline(
    pings: Sequence[PingSample],
    rhythm_at_start: RhythmValues,
    attr: str,
    config: PolicyConfig,
    norms: PersonNorms | None = None,
) -> tuple[float, bool] | None:
    """(baseline, from_this_session) for stress or fatigue, or None while it is not known.

    When the session's pings carry the value: the median of its first ``stress_baseline_readings``
    readings, read from its first ``stress_smoothing_readings`` (as many as a level rests on) until
    there are that many; before that, the person's norm from earlier sessions (if known), else
    nothing (a first session is read from its own first readings, never from the model's
    defaults). When pings never carry it: the rhythm snapshot at the session start."""
    readings = _pinged(pings, attr)
    if len(readings) >= min(config.stress_smoothing_readings, config.stress_baseline_readings):
        return float(statistics.median(readings[: config.stress_baseline_readings])), True
    if readings:
        norm = norms.known(attr) if norms is not None else None
        return (norm.median, False) if norm is not None else None
    value = finite_number(getattr(rhythm_at_start, attr))
    return (value, True) if value is not None else None


@dataclass(frozen=True)
class Strain:
    """A reason for a recovery break: which signal, how high, against what, and the sentence."""

    attr: str  # "stress" | "fatigue"
    level: float
    high: bool  # at or above the absolute high threshold (else a rise)
    reason: str


def strain_signal(
    *,
    pings: Sequence[PingSample],
    rhythm_now: RhythmValues,
    rhythm_at_start: RhythmValues,
    started_at: datetime,
    config: PolicyConfig,
    norms: PersonNorms | None = None,
    last_levels: Mapping[str, float] | None = None,
) -> Strain | None:
    """Why a recovery break is due, or None (see :func:`stress_trigger`)."""
    last_levels = last_levels or {}
    found: Strain | None = None
    for attr, rise, high, word in (
        ("stress", config.stress_rise, config.high_stress, "stress"),
        ("fatigue", config.fatigue_rise, config.high_fatigue, "tiredness"),
    ):
        level = strain_level(pings, rhythm_now, attr, config)
        if level is None:
            continue
        base = strain_baseline(pings, rhythm_at_start, attr, config, norms)
        last = last_levels.get(attr)
        if last is not None and level < last + rise - _EPSILON:
            continue  # a recovery break went out for this level already
        risen = base is not None and level - base[0] >= rise - _EPSILON
        # High in absolute terms, unless it was already (nearly: within a rise) that high when
        # the session started (the person knew; only a further rise says something new).
        high_now = level >= high - _EPSILON and not (base is not None and base[0] >= high - rise - _EPSILON)
        if high_now:
            found = Strain(attr, level, True, f"Your {word} is at {_pct(level)}.")
            break
        if risen and found is None:
            assert base is not None
            since = "since you started" if base[1] else "compared with your usual"
            found = Strain(attr, level, False, f"Your {word} is up from {_pct(base[0])} to {_pct(level)} {since}.")
    if found is None:
        return None
    if hrv_corroborates(pings, started_at, config, norms):
        return replace(found, reason=found.reason[:-1] + ", and your heart signals point the same way.")
    return found


def stress_trigger(
    *,
    window: Sequence[PingSample] = (),
    pings: Sequence[PingSample],
    rhythm_now: RhythmValues,
    rhythm_at_start: RhythmValues,
    started_at: datetime,
    config: PolicyConfig,
    norms: PersonNorms | None = None,
) -> str | None:
    """A plain reason for a recovery_break, or None.

    Fires on stress or fatigue, smoothed (:func:`strain_level`), at or above the high threshold
    (unless it was that high from the start), or up by at least ``stress_rise`` /
    ``fatigue_rise`` from the session's own start (:func:`strain_baseline`). Heart signals
    below the person's baseline only add to the reason. ``window`` is kept for callers; the
    level is read from all of the session's pings."""
    found = strain_signal(
        pings=pings,
        rhythm_now=rhythm_now,
        rhythm_at_start=rhythm_at_start,
        started_at=started_at,
        config=config,
        norms=norms,
    )
    return found.reason if found else None


def recovery_break_minutes(fatigue: float | None, config: PolicyConfig) -> int:
    """5 + 25 x clamp((fatigue - 0.4) / 0.5, 0, 1), rounded half up: 5-30 minutes
    (docs/policy.md "Breaks"; Albulescu et al. 2022, Sievertsen et al. 2016). Unknown fatigue
    gives the shortest recovery break."""
    value = finite_number(fatigue)
    if value is None:
        return int(config.recovery_min_minutes)
    share = _clamp((value - config.recovery_fatigue_floor) / config.recovery_fatigue_span, 0.0, 1.0)
    span = config.recovery_max_minutes - config.recovery_min_minutes
    return int(math.floor(config.recovery_min_minutes + span * share + 0.5))


# --------------------------------------------------------------------------- detectors


def _update_distraction(
    state: _State,
    window: Sequence[PingSample],
    pings: Sequence[PingSample],
    window_start: datetime,
    config: PolicyConfig,
    *,
    norm: Norm | None = None,
    tolerance: float = 1.0,
) -> Detection | None:
    """One ``distraction`` detection per episode, carrying when the evidence began (``since``).

    Switch counts are read by what they count: the switches since the client's previous ping
    (:func:`_counted_run`), else the switches in the last tick period (``rolling``, also
    for a client that does not say). No count is read as distraction before the person's rate is
    known (``norm``: from earlier sessions). An episode ends with a tick whose median switches fall
    below ``distraction_leave_fraction`` of one reading's threshold (hysteresis) and no low focus."""
    counted: CountedRun | None = None
    latest = [p for p in window if p.app_switches is not None]
    if latest:
        rolling = not latest[-1].counts_since_last_ping
        counted = _counted_run(pings, window_start, config, tolerance=tolerance, norm=norm, rolling=rolling)
    run = counted.readings if counted is not None else ()
    threshold = counted.threshold if counted is not None else None
    found = distraction_signal(window, config=config, run=run)
    if found is None:
        if _has_behaviour(window):  # a calm tick ends the episode
            typical = typical_switches(window)
            if typical is None or threshold is None or typical < config.distraction_leave_fraction * threshold:
                state.distraction_active = False
                state.refocus_pending = False
                state.refocus_reason = None
        return None
    signal, reason = found
    if signal == "app_switches" and counted is not None and counted.reason:
        reason = counted.reason
    if state.refocus_pending:
        state.refocus_reason = reason
    if state.distraction_active:
        return None
    state.distraction_active = True
    state.refocus_pending = True
    state.refocus_reason = reason
    if signal == "app_switches" and counted is not None and counted.since is not None:
        since = counted.since
    else:
        since = next(p.at for p in window if (f := finite_number(p.focus)) is not None and f <= config.low_focus)
    content: dict = {"signal": signal, "reason": reason, "since": as_utc(since).isoformat()}
    if signal == "app_switches" and threshold is not None:
        content["threshold"] = round(threshold, 1)
    return Detection("distraction", content)


def _update_flow(
    state: _State,
    window: Sequence[PingSample],
    baseline: float,
    config: PolicyConfig,
    *,
    spread: float | None = None,
    tolerance: float = 1.0,
    distraction_reason: str | None = None,
) -> Detection | None:
    """Flow with hysteresis: a flow-looking tick builds the streak, a breaking tick (idle, away,
    a burst at the distraction threshold, low focus, a distraction detected) ends it, and a tick
    in between neither builds nor breaks it; flow starts after ``flow_ticks`` flow-looking ticks."""
    if not _has_behaviour(window):
        # No behavioural signal this tick: it neither builds nor breaks a streak, but flow
        # cannot be assumed for long without any signal.
        if state.in_flow:
            state.flow_quiet_ticks += 1
            if state.flow_quiet_ticks >= config.no_signal_flow_end_ticks:
                minutes = minutes_in_ticks(state.flow_ticks)
                state.end_flow()
                return Detection("flow_end", {"reason": "No activity signal for a while.", "flow_minutes": minutes})
            state.flow_ticks += 1
        return None
    state.flow_quiet_ticks = 0
    reason = distraction_reason or flow_break_reason(window, baseline, config, tolerance, spread)
    if state.in_flow:
        if reason is None:
            state.flow_ticks += 1
            return None
        minutes = minutes_in_ticks(state.flow_ticks)
        state.end_flow()
        return Detection("flow_end", {"reason": reason, "flow_minutes": minutes})
    if reason is not None:
        state.flow_streak = 0
        state.flow_streak_since = None
        return None
    if not is_flow_tick(window, baseline, config, spread=spread, tolerance=tolerance):
        return None  # between the thresholds: the streak holds
    if state.flow_streak == 0:
        first_active = next(p for p in window if p.activity == ACTIVE)
        state.flow_streak_since = as_utc(first_active.at).isoformat()
    state.flow_streak += 1
    if state.flow_streak < config.flow_ticks:
        return None
    state.in_flow = True
    state.flow_ticks = state.flow_streak
    state.long_flow_break_offered = False
    streak = duration_text(minutes_in_ticks(state.flow_streak))
    return Detection(
        "flow_start",
        {"reason": f"Steady activity with few app switches for {streak}.", "since": state.flow_streak_since},
    )

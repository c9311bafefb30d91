"""Seeded noisy signals a person's clients produce: when they ping, what activity and app-switch
counts they report, and the readings (energy, stress, fatigue, heart rate, HRV) with ordinary noise.

Everything is a pure function of a ``random.Random`` and a plan of what the person really does
(:class:`Behaviour`): the switching process runs from before the session starts, so a rolling
counter's first reading already counts the switches of the minutes before; the clients only
observe it.

Times are seconds from the session start (negative: before it).
"""

from __future__ import annotations

import bisect
import math
import random
from dataclasses import dataclass, field

from focus.vocabulary import SWITCHES_LAST_5_MINUTES, SWITCHES_SINCE_LAST_PING

ACTIVE, IDLE, AWAY = "active", "idle", "away"
FIVE_MINUTES = 300.0
# How long before the session the switching process (the person's ordinary use of the computer)
# has been running: a rolling counter's first reading counts switches from before the start.
PRE_SESSION_SECONDS = 1800.0


@dataclass(frozen=True)
class Segment:
    """From ``start`` to ``end`` seconds the person is ``activity`` and switches apps at
    ``switches_per_5min`` on average (a Poisson process)."""

    start: float
    end: float
    activity: str
    switches_per_5min: float


@dataclass(frozen=True)
class Levels:
    """A reading's true level over time (seconds from the session start) and its noise."""

    base: float
    drift_per_hour: float = 0.0
    steps: tuple[tuple[float, float], ...] = ()  # (at second, +delta) real rises (or drops)
    noise: float = 0.04  # SD of one reading (a self-estimate or a derived score)

    def at(self, t: float) -> float:
        value = self.base + self.drift_per_hour * t / 3600.0
        value += sum(delta for at, delta in self.steps if t >= at)
        return value


@dataclass
class Behaviour:
    """What a person really does in one session (the truth the clients observe)."""

    segments: list[Segment]
    idle_blip: float = 0.02  # chance a ping while active says idle (a minute thinking or reading)
    energy: Levels | None = None
    stress: Levels | None = None
    fatigue: Levels | None = None
    heart_rate: Levels | None = None  # bpm
    hrv_ms: Levels | None = None  # RMSSD ms; noise is multiplicative (log scale)
    focus: Levels | None = None  # a client's own focus estimate, 0..1

    def segment_at(self, t: float) -> Segment:
        for segment in self.segments:
            if segment.start <= t < segment.end:
                return segment
        return self.segments[-1] if t >= self.segments[-1].end else self.segments[0]


@dataclass(frozen=True)
class Client:
    """How a person's client reports: its ping interval (minutes, uniform), its switch counter,
    which readings it sends, and what it stamps as ``source``."""

    interval: tuple[float, float] = (1.0, 2.5)
    counter: str = "rolling"  # "rolling": switches in the last 5 min | "per_ping": since the last ping
    says_counter: bool = False  # sends app_switches_counter, as the API documents
    activity: bool = True
    switches: bool = True
    readings: tuple[str, ...] = ("energy", "stress", "fatigue")
    source: str | None = None  # DESIGN.md "Live delivery": "page" | "client" | "self_report"
    once_per_tick: bool = False  # the live page: one automatic ping per tick period, at its own phase


SAID_COUNTER = {"rolling": SWITCHES_LAST_5_MINUTES, "per_ping": SWITCHES_SINCE_LAST_PING}


@dataclass
class SwitchProcess:
    """App switches as a Poisson process with a piecewise-constant rate, from before the start."""

    times: list[float] = field(default_factory=list)

    @classmethod
    def generate(cls, rng: random.Random, behaviour: Behaviour, end: float) -> SwitchProcess:
        times: list[float] = []
        first = behaviour.segments[0]
        spans = [Segment(-PRE_SESSION_SECONDS, first.start, first.activity, first.switches_per_5min)]
        for segment in [*spans, *behaviour.segments]:
            rate = segment.switches_per_5min / FIVE_MINUTES
            if rate <= 0:
                continue
            t = segment.start
            while True:
                t += rng.expovariate(rate)
                if t >= min(segment.end, end):
                    break
                times.append(t)
        times.sort()
        return cls(times)

    def count(self, after: float, until: float) -> int:
        """Switches in (after, until]."""
        return bisect.bisect_right(self.times, until) - bisect.bisect_right(self.times, after)


def _reading(rng: random.Random, levels: Levels, t: float, *, log_noise: bool = False) -> float:
    true = levels.at(t)
    if log_noise:
        return true * math.exp(rng.gauss(0.0, levels.noise))
    return true + rng.gauss(0.0, levels.noise)


def _unit(value: float) -> float:
    return round(min(1.0, max(0.0, value)), 2)


def _read(rng: random.Random, behaviour: Behaviour, name: str, t: float) -> float | int | None:
    """One noisy reading of ``name`` at ``t``, as a client sends it; None if the person has no such signal."""
    levels = getattr(behaviour, name, None)
    if levels is None:
        return None
    if name == "heart_rate":
        return int(round(_reading(rng, levels, t)))
    if name == "hrv_ms":
        return round(_reading(rng, levels, t, log_noise=True), 1)
    return _unit(_reading(rng, levels, t))


def ping_times(rng: random.Random, client: Client, end: float, tick_seconds: float) -> list[float]:
    """When a client pings during a session of ``end`` seconds (never exactly on a tick)."""
    times: list[float] = []
    if client.once_per_tick:
        t = rng.uniform(20.0, tick_seconds - 20.0)  # the page's timer has its own phase
        while t < end:
            times.append(t)
            t += tick_seconds + rng.uniform(-15.0, 15.0)  # timers drift a little
    else:
        low, high = client.interval
        t = rng.uniform(0.0, high * 60.0)
        while t < end:
            times.append(t)
            t += rng.uniform(low, high) * 60.0
    # Whole seconds, as a client's clock stamps them, and never on a tick (a tick at the same
    # instant as a ping is a race the engine resolves by lock order, not something to measure).
    rounded = []
    for t in times:
        second = float(round(t))
        if second % tick_seconds in (0.0, 1.0, 2.0, 3.0):
            second += 4.0
        rounded.append(second)
    return sorted(set(rounded))


@dataclass(frozen=True)
class Observation:
    """What one client sent during a session, and what it needs to report it again differently
    (the person's switches and the client's counter), should the person step away."""

    pings: list[tuple[float, dict]]  # (second, content), in time order
    switch_times: tuple[float, ...]
    counter: str
    first_previous: float  # where a per-ping counter's first reading starts counting

    def stepped_away(
        self, pings: list[tuple[float, dict]], away: list[tuple[float, float]], since: float
    ) -> list[tuple[float, dict]]:
        """``pings`` with those after ``since`` reported as if the person were away during each of
        the ``away`` windows: activity away, and no app switches while away."""
        process = SwitchProcess(list(self.switch_times))

        def count(after: float, until: float) -> int:
            total = process.count(after, until)
            for start, end in away:
                low, high = max(after, start), min(until, end)
                if low < high:
                    total -= process.count(low, high)
            return total

        result: list[tuple[float, dict]] = []
        previous = self.first_previous
        for t, content in pings:
            if t > since:
                content = dict(content)
                if "activity" in content and any(start <= t < end for start, end in away):
                    content["activity"] = AWAY
                if "app_switches" in content:
                    after = t - FIVE_MINUTES if self.counter == "rolling" else previous
                    content["app_switches"] = count(after, t)
            result.append((t, content))
            previous = t
        return result


def observe(rng: random.Random, behaviour: Behaviour, client: Client, end: float, tick_seconds: float) -> Observation:
    """What one client sends while the person behaves as planned."""
    switches = SwitchProcess.generate(rng, behaviour, end)
    pings: list[tuple[float, dict]] = []
    first_previous = previous = -rng.uniform(60.0, FIVE_MINUTES)  # a per-ping counter counts from its last report
    for t in ping_times(rng, client, end, tick_seconds):
        segment = behaviour.segment_at(t)
        content: dict = {}
        if client.activity:
            activity = segment.activity
            if activity == ACTIVE and rng.random() < behaviour.idle_blip:
                activity = IDLE
            content["activity"] = activity
        if client.switches:
            after = t - FIVE_MINUTES if client.counter == "rolling" else previous
            content["app_switches"] = switches.count(after, t)
            if client.says_counter:
                content["app_switches_counter"] = SAID_COUNTER[client.counter]
        for name in client.readings:
            value = _read(rng, behaviour, name, t)
            if value is not None:
                content[name] = value
        if client.source:
            content["source"] = client.source
        previous = t
        pings.append((t, content))
    return Observation(pings, tuple(switches.times), client.counter, first_previous)

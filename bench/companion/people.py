"""Person archetypes: what people do in a session, as seeded plans their clients then observe.

Each archetype is designed from what people do (how often they switch apps, when they step away,
when their stress really rises), never from what the policy looks for. One archetype built with
one seed is a :class:`PersonPlan`: one or more sessions in a row, each with its pings (what the
person's client sends) and its :class:`Truth` (what really happened, for the metrics).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from bench.companion.signals import ACTIVE, AWAY, IDLE, Behaviour, Client, Levels, Observation, Segment, observe

TICK_SECONDS = 300
MINUTE = 60.0


@dataclass
class Truth:
    """What really happened in a session, in session minutes."""

    distractions: list[tuple[float, float]] = field(default_factory=list)  # (start, end)
    breaks: list[tuple[float, float, str]] = field(default_factory=list)  # (start, end, "away" | "idle")
    rises: list[tuple[float, tuple[str, ...]]] = field(default_factory=list)  # (minute, readings that rose)
    self_reports: list[float] = field(default_factory=list)  # minutes the person said "I got distracted"
    norm_per_5min: float = 0.0  # the person's own app-switch pace


@dataclass(frozen=True)
class Answering:
    """How a person answers what the companion sends, on the page (focus.controls.respond); a
    person with none answers nothing (every nudge counts as ignored at the end)."""

    dismiss: tuple[str, ...] = ()  # kinds they dismiss, every time
    done_on_breaks: bool = False  # "done" on each break they take, on coming back from it
    # Snooze each fresh micro break for one of these minutes; the one that comes back is taken.
    snooze_micro_breaks: tuple[int, ...] = ()


@dataclass
class SessionPlan:
    minutes: float  # how long the person keeps the session open
    estimate: int
    mode: str  # deep | light | admin, as the person would choose
    pings: list[tuple[float, dict]]  # (seconds from start, ping content)
    truth: Truth
    gap_minutes: float = 0.0  # time since the previous session's end (or the day's start)
    observation: Observation | None = None  # how the client would report the person stepping away
    takes_breaks: bool = False  # steps away for every break the companion suggests
    answering: Answering | None = None  # how they answer nudges on the page
    pauses: tuple[tuple[float, float], ...] = ()  # (pause, resume) seconds from the start, wall clock

    def take_break(
        self, pings: list[tuple[float, dict]], *, sent_at: float, minutes: int, taken: list[tuple[float, float]]
    ) -> list[tuple[float, dict]]:
        """The person takes a break suggested at ``sent_at`` (seconds): they finish the thought (20-90 s,
        the same for the same suggestion at the same second) and are away for its length. Appends the
        break to ``taken`` (seconds) and returns the pings as the client now reports them."""
        if not self.takes_breaks or self.observation is None:
            return pings
        rng = random.Random(f"break:{sent_at}:{minutes}:{len(self.pings)}")
        start = sent_at + rng.uniform(20.0, 90.0)
        taken.append((start, start + minutes * MINUTE))
        return self.observation.stepped_away(pings, taken, sent_at)


@dataclass
class PersonPlan:
    archetype: str
    seed: int
    sessions: list[SessionPlan]
    rhythm_before: dict | None  # the person's rhythm state before the first session; None: never pinged


@dataclass(frozen=True)
class Archetype:
    name: str
    title: str
    what: str  # who this is and how the stream is generated (docs/companion.md)
    build: Callable[[random.Random, int], PersonPlan]


def _person_levels(rng: random.Random) -> tuple[Levels, Levels, Levels]:
    """An ordinary person's energy, stress and fatigue: their own levels, slow drifts, noise."""
    energy = Levels(base=rng.uniform(0.5, 0.7), drift_per_hour=-0.03)
    stress = Levels(base=rng.uniform(0.2, 0.4))
    fatigue = Levels(base=rng.uniform(0.2, 0.4), drift_per_hour=0.03)
    return energy, stress, fatigue


def _yesterday(energy: Levels, stress: Levels, fatigue: Levels, rng: random.Random) -> dict:
    """The rhythm state a returning person's last ping (an earlier day) left behind."""
    return {
        "energy": round(energy.base + rng.gauss(0, 0.04), 2),
        "stress": round(stress.base + rng.gauss(0, 0.04), 2),
        "fatigue": round(fatigue.base + rng.gauss(0, 0.04), 2),
    }


def _work(start: float, end: float, pace: float) -> Segment:
    return Segment(start * MINUTE, end * MINUTE, ACTIVE, pace)


def _session(
    rng: random.Random,
    *,
    minutes: float,
    estimate: int,
    mode: str,
    segments: list[Segment],
    truth: Truth,
    client: Client | None = None,
    levels: tuple[Levels, Levels, Levels] | None = None,
    heart: tuple[Levels, Levels] | None = None,
    focus: Levels | None = None,
    gap_minutes: float = 0.0,
    takes_breaks: bool = False,
    answering: Answering | None = None,
    pauses: tuple[tuple[float, float], ...] = (),
) -> SessionPlan:
    energy, stress, fatigue = levels or (None, None, None)
    behaviour = Behaviour(
        segments=segments,
        energy=energy,
        stress=stress,
        fatigue=fatigue,
        heart_rate=heart[0] if heart else None,
        hrv_ms=heart[1] if heart else None,
        focus=focus,
    )
    end = minutes * MINUTE + 30.0
    observation = observe(rng, behaviour, client or Client(), end, TICK_SECONDS)
    return SessionPlan(
        minutes, estimate, mode, observation.pings, truth, gap_minutes, observation, takes_breaks, answering, pauses
    )


def _rise(levels: Levels, minute: float, delta: float) -> Levels:
    return Levels(levels.base, levels.drift_per_hour, ((minute * MINUTE, delta),), levels.noise)


# --------------------------------------------------------------------------- the archetypes


def calm_deep(rng: random.Random, seed: int) -> PersonPlan:
    pace = rng.uniform(1.0, 3.0)
    levels = _person_levels(rng)
    session = _session(
        rng,
        minutes=90,
        estimate=90,
        mode="deep",
        segments=[_work(0, 91, pace)],
        truth=Truth(norm_per_5min=pace),
        levels=levels,
    )
    return PersonPlan("calm_deep", seed, [session], _yesterday(*levels, rng))


def _ordinary(name: str, client: Client, pace_range: tuple[float, float], mode: str) -> Callable:
    def build(rng: random.Random, seed: int) -> PersonPlan:
        pace = rng.uniform(*pace_range)
        levels = _person_levels(rng)
        session = _session(
            rng,
            minutes=60,
            estimate=60,
            mode=mode,
            segments=[_work(0, 61, pace)],
            truth=Truth(norm_per_5min=pace),
            client=client,
            levels=levels,
        )
        return PersonPlan(name, seed, [session], _yesterday(*levels, rng))

    return build


def reader(rng: random.Random, seed: int) -> PersonPlan:
    pace = rng.uniform(3.0, 6.0)
    levels = _person_levels(rng)
    start = rng.uniform(38, 44)
    end = start + rng.uniform(12, 16)
    session = _session(
        rng,
        minutes=95,
        estimate=95,
        mode="light",
        segments=[_work(0, start, pace), Segment(start * MINUTE, end * MINUTE, IDLE, 0.0), _work(end, 96, pace)],
        truth=Truth(breaks=[(start, end, IDLE)], norm_per_5min=pace),
        levels=levels,
    )
    return PersonPlan("reader", seed, [session], _yesterday(*levels, rng))


def coffee_break(rng: random.Random, seed: int) -> PersonPlan:
    pace = rng.uniform(2.0, 5.0)
    levels = _person_levels(rng)
    start = rng.uniform(44, 47)
    end = start + 15
    session = _session(
        rng,
        minutes=105,
        estimate=105,
        mode="deep",
        segments=[_work(0, start, pace), Segment(start * MINUTE, end * MINUTE, AWAY, 0.0), _work(end, 106, pace)],
        truth=Truth(breaks=[(start, end, AWAY)], norm_per_5min=pace),
        levels=levels,
    )
    return PersonPlan("coffee_break", seed, [session], _yesterday(*levels, rng))


def _distraction(name: str, client: Client) -> Callable:
    def build(rng: random.Random, seed: int) -> PersonPlan:
        pace = rng.uniform(2.0, 5.0)
        levels = _person_levels(rng)
        start = rng.uniform(20, 32)
        end = start + 10
        session = _session(
            rng,
            minutes=60,
            estimate=60,
            mode="deep",
            segments=[
                _work(0, start, pace),
                Segment(start * MINUTE, end * MINUTE, ACTIVE, 5 * pace),
                _work(end, 61, pace),
            ],
            truth=Truth(distractions=[(start, end)], norm_per_5min=pace),
            client=client,
            levels=levels,
        )
        return PersonPlan(name, seed, [session], _yesterday(*levels, rng))

    return build


def self_report(rng: random.Random, seed: int) -> PersonPlan:
    pace = rng.uniform(2.0, 5.0)
    levels = _person_levels(rng)
    start = rng.uniform(20, 32)
    end = start + 10
    # The client estimates focus on every ping; it sags during the distraction, not to "low".
    focus = Levels(rng.uniform(0.75, 0.85), 0.0, ((start * MINUTE, -0.25), (end * MINUTE, 0.25)), noise=0.08)
    session = _session(
        rng,
        minutes=60,
        estimate=60,
        mode="deep",
        segments=[
            _work(0, start, pace),
            Segment(start * MINUTE, end * MINUTE, ACTIVE, 5 * pace),
            _work(end, 61, pace),
        ],
        truth=Truth(distractions=[(start, end)], norm_per_5min=pace),
        client=Client(readings=("energy", "stress", "fatigue", "focus")),
        levels=levels,
        focus=focus,
    )
    # 1.5-4 minutes in, the person notices and says so on the page ("I got distracted").
    second = float(round(start * MINUTE + rng.uniform(90, 240)))
    if second % TICK_SECONDS < 4:
        second += 4.0
    pings = sorted([*session.pings, (second, {"focus": 0.2, "source": "self_report"})], key=lambda p: p[0])
    session.pings = pings
    if session.observation is not None:
        session.observation = replace(session.observation, pings=pings)
    session.truth.self_reports.append(second / MINUTE)
    return PersonPlan("self_report", seed, [session], _yesterday(*levels, rng))


def _stressed(name: str, *, new_user: bool, wearable: bool, rise: bool) -> Callable:
    def build(rng: random.Random, seed: int) -> PersonPlan:
        pace = rng.uniform(3.0, 7.0)
        if new_user:  # someone whose stress simply reads 0.5, in their first session
            energy, stress, fatigue = Levels(0.5), Levels(0.5), Levels(0.5)
        else:
            energy, stress, fatigue = _person_levels(rng)
        before = None if new_user else _yesterday(energy, stress, fatigue, rng)
        truth = Truth(norm_per_5min=pace)
        heart = None
        hr, hrv = Levels(rng.uniform(62, 75), noise=3.0), Levels(rng.uniform(35, 60), noise=0.12)
        if rise:
            minute = rng.uniform(30, 45)
            stress, fatigue = _rise(stress, minute, 0.3), _rise(fatigue, minute, 0.3)
            hr = Levels(hr.base, 0.0, ((minute * MINUTE, 12.0),), hr.noise)
            hrv = Levels(hrv.base, 0.0, ((minute * MINUTE, -0.3 * hrv.base),), hrv.noise)
            truth.rises.append((minute, ("stress", "fatigue")))
        client = Client()
        if wearable:
            heart = (hr, hrv)
            client = Client(readings=("energy", "stress", "fatigue", "heart_rate", "hrv_ms"))
        session = _session(
            rng,
            minutes=75,
            estimate=75,
            mode="light" if not new_user else "deep",
            segments=[_work(0, 76, pace)],
            truth=truth,
            client=client,
            levels=(energy, stress, fatigue),
            heart=heart,
        )
        return PersonPlan(name, seed, [session], before)

    return build


def exhausted_starter(rng: random.Random, seed: int) -> PersonPlan:
    pace = rng.uniform(3.0, 7.0)
    energy, stress, fatigue = Levels(0.3), Levels(rng.uniform(0.5, 0.6)), Levels(rng.uniform(0.8, 0.9))
    before = {"energy": round(rng.uniform(0.5, 0.7), 2), "stress": 0.35, "fatigue": round(rng.uniform(0.3, 0.4), 2)}
    session = _session(
        rng,
        minutes=60,
        estimate=60,
        mode="light",
        segments=[_work(0, 61, pace)],
        # Already up on yesterday when the session starts: one episode each, from minute 0.
        truth=Truth(rises=[(0.0, ("stress", "fatigue"))], norm_per_5min=pace),
        levels=(energy, stress, fatigue),
    )
    return PersonPlan("exhausted_starter", seed, [session], before)


def never_pings(rng: random.Random, seed: int) -> PersonPlan:
    session = SessionPlan(60, 60, "deep", [], Truth())
    return PersonPlan("never_pings", seed, [session], None if rng.random() < 0.5 else {"stress": 0.3})


def browser_only(rng: random.Random, seed: int) -> PersonPlan:
    pace = rng.uniform(4.0, 8.0)
    page = Client(counter="per_ping", readings=(), source="page", once_per_tick=True)
    session = _session(
        rng,
        minutes=60,
        estimate=60,
        mode="light",
        segments=[_work(0, 61, pace)],
        truth=Truth(norm_per_5min=pace),
        client=page,
    )
    return PersonPlan("browser_only", seed, [session], None)


def ignores_breaks(rng: random.Random, seed: int) -> PersonPlan:
    pace = rng.uniform(3.0, 6.0)
    energy, stress, fatigue = _person_levels(rng)
    before = _yesterday(energy, stress, fatigue, rng)
    minute = rng.uniform(70, 90)
    stress = _rise(stress, minute, 0.2)
    fatigue = Levels(fatigue.base, 0.12, (), fatigue.noise)  # tiring through a long stretch
    session = _session(
        rng,
        minutes=180,
        estimate=180,
        mode="deep",
        segments=[_work(0, 181, pace)],  # works through every suggestion, never steps away
        # Two real episodes: the stress rise, and tiring +0.15 by minute 75 (one fatigue episode).
        truth=Truth(rises=[(minute, ("stress",)), (75.0, ("fatigue",))], norm_per_5min=pace),
        levels=(energy, stress, fatigue),
    )
    return PersonPlan("ignores_breaks", seed, [session], before)


def takes_breaks(rng: random.Random, seed: int) -> PersonPlan:
    pace = rng.uniform(3.0, 6.0)
    energy, stress, fatigue = _person_levels(rng)
    before = _yesterday(energy, stress, fatigue, rng)
    minute = rng.uniform(70, 90)
    stress = _rise(stress, minute, 0.2)
    fatigue = Levels(fatigue.base, 0.12, (), fatigue.noise)
    session = _session(
        rng,
        minutes=180,
        estimate=180,
        mode="deep",
        segments=[_work(0, 181, pace)],
        # Two real episodes: the stress rise, and tiring +0.15 by minute 75 (one fatigue episode).
        truth=Truth(rises=[(minute, ("stress",)), (75.0, ("fatigue",))], norm_per_5min=pace),
        levels=(energy, stress, fatigue),
        takes_breaks=True,
    )
    return PersonPlan("takes_breaks", seed, [session], before)


def long_day(rng: random.Random, seed: int) -> PersonPlan:
    pace = rng.uniform(4.0, 8.0)
    energy, stress, fatigue = _person_levels(rng)
    before = _yesterday(energy, stress, fatigue, rng)
    breaks = []
    for low, high, length in ((120, 150, 10), (220, 260, 30), (330, 360, 10)):
        start = rng.uniform(low, high)
        breaks.append((start, start + length, AWAY))
    rise = rng.uniform(420, 450)
    stress, fatigue = _rise(stress, rise, 0.3), _rise(Levels(fatigue.base, 0.0), rise, 0.3)
    segments, at = [], 0.0
    for start, end, activity in breaks:
        segments += [_work(at, start, pace), Segment(start * MINUTE, end * MINUTE, activity, 0.0)]
        at = end
    segments.append(_work(at, 611, pace))
    session = _session(
        rng,
        minutes=610,
        estimate=600,
        mode="light",
        segments=segments,
        truth=Truth(breaks=breaks, rises=[(rise, ("stress", "fatigue"))], norm_per_5min=pace),
        levels=(energy, stress, fatigue),
    )
    return PersonPlan("long_day", seed, [session], before)


def _multi(name: str, *, pace_range: tuple[float, float], mode: str, minutes: int) -> Callable:
    def build(rng: random.Random, seed: int) -> PersonPlan:
        pace = rng.uniform(*pace_range)
        levels = _person_levels(rng)
        sessions = [
            _session(
                rng,
                minutes=minutes,
                estimate=minutes,
                mode=mode,
                segments=[_work(0, minutes + 1, pace * rng.uniform(0.9, 1.1))],
                truth=Truth(norm_per_5min=pace),
                levels=levels,
                gap_minutes=rng.uniform(15, 40) if n else 0.0,
            )
            for n in range(3)
        ]
        return PersonPlan(name, seed, sessions, _yesterday(*levels, rng))

    return build


def _answering(name: str, *, answering: Answering, takes_breaks: bool, sessions: int, minutes: int) -> Callable:
    """A steady person (3-6 switches / 5 min, light mode) over ``sessions`` sessions in a row who
    answers nudges as ``answering`` says."""

    def build(rng: random.Random, seed: int) -> PersonPlan:
        pace = rng.uniform(3.0, 6.0)
        levels = _person_levels(rng)
        plans = [
            _session(
                rng,
                minutes=minutes,
                estimate=minutes,
                mode="light",
                segments=[_work(0, minutes + 1, pace * rng.uniform(0.9, 1.1))],
                truth=Truth(norm_per_5min=pace),
                levels=levels,
                gap_minutes=rng.uniform(15, 40) if n else 0.0,
                takes_breaks=takes_breaks,
                answering=answering,
            )
            for n in range(sessions)
        ]
        return PersonPlan(name, seed, plans, _yesterday(*levels, rng))

    return build


def _interrupted_work(rng: random.Random, minutes: float, pace: float) -> list[Segment]:
    """Ordinary office work at ``pace``, broken every 8-16 minutes by a 2-4 minute interruption
    away from the screen's apps (a phone call, a colleague at the desk, a look at a paper note:
    activity idle, no switches). Nobody settles into flow like this, which is when check-ins come."""
    segments, at = [], 0.0
    while at < minutes + 1:
        work_end = min(minutes + 1, at + rng.uniform(6.0, 14.0))
        segments.append(_work(at, work_end, pace * rng.uniform(0.9, 1.1)))
        if work_end >= minutes + 1:
            break
        pause_end = min(minutes + 1, work_end + rng.uniform(3.0, 6.0))
        segments.append(Segment(work_end * MINUTE, pause_end * MINUTE, IDLE, 0.0))
        at = pause_end
    return segments


def dismisses_check_ins(rng: random.Random, seed: int) -> PersonPlan:
    """Four 90-minute sessions of interrupted light work; every check-in is dismissed."""
    pace = rng.uniform(3.0, 6.0)
    levels = _person_levels(rng)
    plans = [
        _session(
            rng,
            minutes=90,
            estimate=90,
            mode="light",
            segments=(segments := _interrupted_work(rng, 90, pace)),
            truth=Truth(
                breaks=[(g.start / MINUTE, g.end / MINUTE, IDLE) for g in segments if g.activity == IDLE],
                norm_per_5min=pace,
            ),
            levels=levels,
            gap_minutes=rng.uniform(15, 40) if n else 0.0,
            answering=Answering(dismiss=("check_in",)),
        )
        for n in range(4)
    ]
    return PersonPlan("dismisses_check_ins", seed, plans, _yesterday(*levels, rng))


def pauses_midway(rng: random.Random, seed: int) -> PersonPlan:
    """60 minutes of work with a 20-minute pause (away) after 25-35 of them: 80 minutes open."""
    pace = rng.uniform(3.0, 6.0)
    levels = _person_levels(rng)
    start = float(round(rng.uniform(25, 35) * MINUTE))
    if start % TICK_SECONDS < 4:  # not on a tick
        start += 4.0
    end = start + 20 * MINUTE
    minutes = 80
    session = _session(
        rng,
        minutes=minutes,
        estimate=60,
        mode="light",
        segments=[
            _work(0, start / MINUTE, pace),
            Segment(start, end, AWAY, 0.0),
            _work(end / MINUTE, minutes + 1, pace),
        ],
        truth=Truth(norm_per_5min=pace),
        levels=levels,
        pauses=((start, end),),
    )
    return PersonPlan("pauses_midway", seed, [session], _yesterday(*levels, rng))


ARCHETYPES: dict[str, Archetype] = {
    a.name: a
    for a in [
        Archetype(
            "calm_deep",
            "Calm deep worker",
            "90 min in deep mode at their own calm pace (1-3 switches / 5 min, Poisson), all pings active "
            "but a 2% chance of an idle blip; energy/stress/fatigue every ping (noise SD 0.04, fatigue "
            "drifting +0.03/h); a returning person (rhythm state from an earlier day).",
            calm_deep,
        ),
        Archetype(
            "ordinary",
            "Ordinary worker, own pace",
            "60 min in light mode at 5-10 switches / 5 min, rolling counter, a ping every 1-2.5 min.",
            _ordinary("ordinary", Client(), (5.0, 10.0), "light"),
        ),
        Archetype(
            "ordinary_fast_client",
            "Ordinary worker, fast client",
            "As ordinary, but the client pings every 1-1.5 min (rolling counter).",
            _ordinary("ordinary_fast_client", Client(interval=(1.0, 1.5)), (5.0, 10.0), "light"),
        ),
        Archetype(
            "ordinary_per_ping",
            "Ordinary worker, per-ping counter",
            "As ordinary, but the client pings every 2-2.5 min, counts switches since its last ping and "
            "says so (app_switches_counter).",
            _ordinary(
                "ordinary_per_ping",
                Client(interval=(2.0, 2.5), counter="per_ping", says_counter=True),
                (5.0, 10.0),
                "light",
            ),
        ),
        Archetype(
            "ordinary_per_ping_unsaid",
            "Ordinary worker, per-ping counter it does not name",
            "As ordinary_per_ping, but the client does not say what it counts.",
            _ordinary(
                "ordinary_per_ping_unsaid", Client(interval=(2.0, 2.5), counter="per_ping"), (5.0, 10.0), "light"
            ),
        ),
        Archetype(
            "heavy_admin",
            "Heavy switcher in admin mode",
            "60 min in admin mode at 11-13 switches / 5 min (mail, tickets, chat), rolling counter.",
            _ordinary("heavy_admin", Client(), (11.0, 13.0), "admin"),
        ),
        Archetype(
            "reader",
            "Reader",
            "95 min in light mode: ~40 min of work (3-6 switches / 5 min), then 12-16 min reading "
            "(activity idle, no switches), then work again.",
            reader,
        ),
        Archetype(
            "coffee_break",
            "Coffee break / meeting",
            "105 min in deep mode: ~45 min of work (2-5 switches / 5 min), 15 min away, then ~45 min of work.",
            coffee_break,
        ),
        Archetype(
            "planted_distraction",
            "Planted distraction",
            "60 min in deep mode at 2-5 switches / 5 min, with a 10-minute distraction at 5x that pace "
            "starting at a random minute 20-32 (true start and end recorded).",
            _distraction("planted_distraction", Client()),
        ),
        Archetype(
            "distraction_per_ping",
            "Planted distraction, per-ping counter",
            "As planted distraction, seen by a client that pings every 2-2.5 min, counts switches "
            "since its last ping and says so (app_switches_counter).",
            _distraction("distraction_per_ping", Client(interval=(2.0, 2.5), counter="per_ping", says_counter=True)),
        ),
        Archetype(
            "distraction_per_ping_unsaid",
            "Planted distraction, per-ping counter it does not name",
            "As distraction_per_ping, but the client does not say what it counts: the policy reads its "
            "counts as it reads any client's that says nothing.",
            _distraction("distraction_per_ping_unsaid", Client(interval=(2.0, 2.5), counter="per_ping")),
        ),
        Archetype(
            "self_report",
            'Says "I got distracted"',
            "As planted distraction, with a client that also estimates focus every ping (0.75-0.85, "
            "down 0.25 during the distraction, noise SD 0.08); 1.5-4 min into the distraction the person "
            "reports it on the page (focus 0.2, source 'self_report').",
            self_report,
        ),
        Archetype(
            "stressed",
            "Stressed",
            "75 min in light mode, a returning person at their own levels; a real rise of +0.3 stress "
            "and fatigue at a random minute 30-45.",
            _stressed("stressed", new_user=False, wearable=False, rise=True),
        ),
        Archetype(
            "exhausted_starter",
            "Exhausted starter",
            "60 min in light mode starting exhausted (fatigue 0.8-0.9, stress 0.5-0.6) and staying so, "
            "no rise during the session; yesterday's rhythm state was ordinary (fatigue 0.3-0.4, stress "
            "0.35), so both are one episode from minute 0.",
            exhausted_starter,
        ),
        Archetype(
            "new_user",
            "Brand-new user, steady",
            "First session ever (no rhythm state): stress, fatigue and energy read a steady 0.5 "
            "(noise SD 0.04), no rise; deep mode, 75 min.",
            _stressed("new_user", new_user=True, wearable=False, rise=False),
        ),
        Archetype(
            "new_user_rise",
            "Brand-new user, real rise",
            "As new user, with a real rise of +0.3 stress and fatigue at a random minute 30-45.",
            _stressed("new_user_rise", new_user=True, wearable=False, rise=True),
        ),
        Archetype(
            "wearable",
            "Wearable user (HR/HRV)",
            "As stressed, with heart rate (+12 bpm at the rise, noise SD 3) and HRV (-30% at the rise, "
            "log-normal noise SD 0.12) on every ping.",
            _stressed("wearable", new_user=False, wearable=True, rise=True),
        ),
        Archetype(
            "never_pings",
            "Client that never pings",
            "A 60-minute deep session with no ping at all (half of them from a person with a rhythm state).",
            never_pings,
        ),
        Archetype(
            "browser_only",
            "Browser-only person",
            "60 min in light mode at 4-8 switches / 5 min; the only pings are the live page's automatic "
            "ones: one per tick period at the page's own phase (+-15 s drift), activity and "
            "app_switches = focus losses since the last ping, source 'page', no readings.",
            browser_only,
        ),
        Archetype(
            "ignores_breaks",
            "Ignores every break",
            "180 min in deep mode, fatigue drifting up +0.12/h and a real stress rise of +0.2 at minute "
            "70-90; works through every suggestion (never idle or away).",
            ignores_breaks,
        ),
        Archetype(
            "takes_breaks",
            "Takes every break",
            "As ignores every break, but steps away for every break suggested (20-90 s after it, for "
            "its length): activity away and no switches, as the client then reports it.",
            takes_breaks,
        ),
        Archetype(
            "long_day",
            "600-minute day",
            "610 min in light mode against a 600-minute estimate at 4-8 switches / 5 min, away for 10 "
            "min (~2 h), 30 min (lunch, ~4 h), 10 min (~5.5 h); a real rise of +0.3 stress and fatigue "
            "at minute 420-450.",
            long_day,
        ),
        Archetype(
            "multi_switcher",
            "Heavy switcher, 3 sessions",
            "Three 45-minute admin sessions in a row (15-40 min apart) at 10-13 switches / 5 min: the "
            "person's norms can carry from one session to the next.",
            _multi("multi_switcher", pace_range=(10.0, 13.0), mode="admin", minutes=45),
        ),
        Archetype(
            "multi_deep",
            "Calm deep worker, 3 sessions",
            "Three 60-minute deep sessions in a row (15-40 min apart) at 1-3 switches / 5 min.",
            _multi("multi_deep", pace_range=(1.0, 3.0), mode="deep", minutes=60),
        ),
        Archetype(
            "dismisses_check_ins",
            "Dismisses every check-in",
            "Four 90-minute light sessions in a row (15-40 min apart) of ordinary office work at "
            "3-6 switches / 5 min, broken every 8-16 min by a 2-4 min interruption (phone, a "
            "colleague: idle, no switches), so out of flow, which is when check-ins come; dismisses "
            "every check-in on the page 15-75 s after it (focus.controls.respond), answers nothing else.",
            dismisses_check_ins,
        ),
        Archetype(
            "done_on_breaks",
            'Takes breaks and says "done"',
            "Three 120-minute light sessions in a row at 3-6 switches / 5 min; steps away for every "
            'break suggested (20-90 s after it, for its length) and answers "done" 5-30 s after '
            "coming back.",
            _answering(
                "done_on_breaks",
                answering=Answering(done_on_breaks=True),
                takes_breaks=True,
                sessions=3,
                minutes=120,
            ),
        ),
        Archetype(
            "snoozes_micro_breaks",
            "Snoozes micro breaks",
            "Three 150-minute light sessions in a row at 3-6 switches / 5 min; snoozes each fresh "
            'micro break for 5, 10 or 15 min (15-75 s after it), takes the one that comes back ("done" '
            "on coming back) and every other break.",
            _answering(
                "snoozes_micro_breaks",
                answering=Answering(done_on_breaks=True, snooze_micro_breaks=(5, 10, 15)),
                takes_breaks=True,
                sessions=3,
                minutes=150,
            ),
        ),
        Archetype(
            "pauses_midway",
            "Pauses for 20 minutes",
            "60 min of light work at 3-6 switches / 5 min against a 60-minute estimate, paused "
            "(focus.controls.pause_session) after 25-35 min and resumed 20 min later; the client "
            "keeps pinging (away, no switches) during the pause.",
            pauses_midway,
        ),
    ]
}


def build_person(archetype: str, seed: int) -> PersonPlan:
    """The plan of one archetype for one seed: the same seed always gives the same plan."""
    rng = random.Random(f"{archetype}:{seed}")
    return ARCHETYPES[archetype].build(rng, seed)

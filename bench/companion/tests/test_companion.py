"""The session simulator as a fast regression check: one seed of each archetype on the real policy.

Only what must hold on ANY policy is asserted here (the rates of issue 11 are the benchmark's,
docs/companion.md): no guardrail broken, no exception from the policy, every message in micro
tone, the simulator deterministic per seed, and the simulator agreeing with the real engine on
PostgreSQL.
"""

from __future__ import annotations

import random
import statistics

import pytest

from bench.companion import drive, engine_check
from bench.companion.metrics import archetype_rows, guardrail_violations
from bench.companion.people import ARCHETYPES, build_person
from bench.companion.signals import FIVE_MINUTES, Behaviour, Client, Segment, SwitchProcess, observe
from focus.guardrails import is_micro_tone


@pytest.fixture(scope="module")
def runs() -> dict[str, list[drive.SessionRun]]:
    return {name: drive.simulate(build_person(name, 0)) for name in ARCHETYPES}


@pytest.mark.parametrize("archetype", list(ARCHETYPES))
def test_every_archetype_keeps_the_guardrails_and_the_policy_never_raises(runs, archetype):
    for run in runs[archetype]:
        assert guardrail_violations(run) == []
        assert run.exceptions == []
        assert run.ticks(), "every session is ticked"


@pytest.mark.parametrize("archetype", list(ARCHETYPES))
def test_every_message_is_one_calm_sentence(runs, archetype):
    for run in runs[archetype]:
        for _, _, event in run.sent():
            assert event.content["tone"] == "micro"
            assert is_micro_tone(event.content["message"]), event.content["message"]


def test_the_metrics_are_computed_for_every_archetype(runs):
    for name, person in runs.items():
        rows = archetype_rows(name, [person])
        assert {"guardrail violations", "policy exceptions"} <= {r.metric for r in rows}
        assert all(r.verdict in ("PASS", "FAIL", "—") for r in rows)


def test_the_simulator_is_deterministic_per_seed():
    first, again = build_person("planted_distraction", 3), build_person("planted_distraction", 3)
    assert first == again
    events = [(e.event_type, e.ts, e.content) for run in drive.simulate(first) for e in run.events]
    assert events == [(e.event_type, e.ts, e.content) for run in drive.simulate(again) for e in run.events]
    assert build_person("planted_distraction", 4).sessions[0].pings != first.sessions[0].pings


def test_a_rolling_counter_reads_the_persons_pace_and_counts_switches_from_before_the_start():
    rng = random.Random("instrument")
    behaviour = Behaviour(segments=[Segment(0, 3 * 3600, "active", 8.0)], idle_blip=0.0)
    pings = observe(rng, behaviour, Client(), 3 * 3600, 300).pings
    counts = [content["app_switches"] for _, content in pings]
    assert 7.0 <= statistics.mean(counts) <= 9.0
    early = [content["app_switches"] for t, content in pings if t < FIVE_MINUTES]
    assert early and all(n > 0 for n in early), "the process was already running before the session"
    gaps = [b - a for (a, _), (b, _) in zip(pings, pings[1:], strict=False)]
    assert min(gaps) >= 55 and max(gaps) <= 155


def test_a_per_ping_counter_counts_every_switch_once():
    rng = random.Random(1)
    behaviour = Behaviour(segments=[Segment(0, 3600, "active", 6.0)], idle_blip=0.0)
    pings = observe(rng, behaviour, Client(counter="per_ping", interval=(2.0, 2.5)), 3600, 300).pings
    process = SwitchProcess.generate(random.Random(1), behaviour, 3600)
    assert sum(content["app_switches"] for _, content in pings) <= len(process.times)
    assert all(set(content) >= {"activity", "app_switches"} for _, content in pings)


def test_a_person_who_takes_a_break_is_reported_away_without_switches(runs):
    (run,) = runs["takes_breaks"]
    assert run.taken_breaks, "the person stepped away for a suggested break"
    pings = [e for e in run.events if e.event_type == "ping"]
    for start, end in run.taken_breaks:
        during = [p for p in pings if start <= run.minute(p.ts) < end]
        assert during and all(p.content["activity"] == "away" for p in during)
        settled = [p for p in during if run.minute(p.ts) >= start + 5]
        assert all(p.content["app_switches"] == 0 for p in settled)
    plan = build_person("takes_breaks", 0).sessions[0]
    assert [content for _, content in plan.pings] != [p.content for p in pings], "the plan itself is untouched"


def test_the_browser_page_pings_once_per_tick_with_its_source():
    plan = build_person("browser_only", 0).sessions[0]
    assert all(
        content["source"] == "page" and set(content) == {"source", "activity", "app_switches"}
        for _, content in plan.pings
    )
    assert len(plan.pings) == pytest.approx(plan.minutes / 5, abs=1)


def test_the_adapter_mirrors_the_engines_constants():
    from focus import engine
    from rhythm.models import PersonalModel, RhythmState

    assert drive.RECENT_PINGS == engine.RECENT_PINGS
    assert drive.policy_config() == engine.policy_config()
    assert RhythmState(person_id=None).as_snapshot() == drive.RHYTHM_DEFAULTS
    assert PersonalModel.NUDGE_ANSWERS_KEPT == drive.NUDGE_ANSWERS_KEPT


def test_people_answer_pause_and_resume_on_the_page(runs):
    """The answering archetypes answer (nudge_response events, the answer kept on the person) and
    the pauser's pause has no tick in it and is left out of the summary's minutes."""
    responses = {
        name: [answer.content["response"] for run in runs[name] for _, answer in run.answers()]
        for name in ("dismisses_check_ins", "done_on_breaks", "snoozes_micro_breaks")
    }
    assert set(responses["dismisses_check_ins"]) == {"dismiss"}
    assert set(responses["done_on_breaks"]) == {"done"}
    assert "snooze" in responses["snoozes_micro_breaks"]
    last = runs["dismisses_check_ins"][-1].summary["learned"]
    assert {"kind": "check_in"}.items() <= next(k for k in last if k["kind"] == "check_in").items()
    (run,) = runs["pauses_midway"]
    ((paused, resumed),) = run.pauses
    assert (resumed - paused).total_seconds() == 20 * 60
    assert not [t for t in run.ticks() if paused < t < resumed]
    assert run.summary["duration"]["paused_minutes"] == 20.0
    assert run.summary["duration"]["actual_minutes"] == pytest.approx(run.session_minutes(), abs=0.01)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "archetype",
    [
        "takes_breaks",
        "multi_switcher",
        "distraction_per_ping",
        "dismisses_check_ins",
        "snoozes_micro_breaks",
        "pauses_midway",
    ],
)
def test_the_simulator_and_the_real_engine_give_the_same_events(archetype):
    agreement = engine_check.compare(build_person(archetype, 0))
    assert agreement.differences == []
    assert agreement.events > 40


@pytest.mark.django_db
def test_the_cross_check_sees_a_simulator_that_drifts_from_the_engine(monkeypatch):
    monkeypatch.setattr(drive, "RHYTHM_DEFAULTS", {"energy": 0.6, "stress": 0.4, "fatigue": 0.3})
    agreement = engine_check.compare(build_person("new_user", 0))
    assert not agreement.agrees


@pytest.mark.django_db
def test_the_cross_check_sees_answers_kept_differently_from_the_product(monkeypatch):
    monkeypatch.setattr(drive, "NUDGE_ANSWERS_KEPT", 1)
    agreement = engine_check.compare(build_person("long_day", 0))  # three check-ins, all ignored
    assert any("learned" in d for d in agreement.differences)

"""The cross-check: the same person through the real engine on PostgreSQL gives the same events.

For each sampled person, every session is started with ``focus.services.session_start``, every
ping written with ``session_ping``, every answer, pause and resume made with ``focus.controls``
``respond`` / ``pause_session`` / ``resume_session``, and every tick run with
``focus.engine.run_tick``, at the times the simulator uses (the clock pinned with time-machine, so
everything stamped with "now" is the simulated instant), and the session ended with
``session_end``. Then every event the database holds (type, time, content, rhythm snapshot), the
summary ``session_end`` built and the policy state the engine saved must equal the simulator's.
An answer's ``event_id`` is compared as the answered event's place in the session (the simulator
has no database ids). A person's rhythm state before their first session is written with
``rhythm.services.rhythm_update`` a day earlier.

Needs Django set up (:func:`setup`) or a test database; :func:`report` runs each person inside a
transaction it rolls back, so the cross-check leaves nothing behind (and queues no tick).
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import time_machine

from bench.companion.drive import DAY_START, Script, SessionRun, session_starts, simulate
from bench.companion.people import PersonPlan, build_person


@dataclass
class Agreement:
    archetype: str
    seed: int
    sessions: int
    events: int
    differences: list[str]

    @property
    def agrees(self) -> bool:
        return not self.differences


def _person_id(person: PersonPlan) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"focusflow-bench-companion:{person.archetype}:{person.seed}:{uuid.uuid4()}")


def engine_sessions(person: PersonPlan) -> list[tuple[list[tuple[Any, ...]], dict, dict]]:
    """Run the person on the real services and engine: per session (events, summary, policy state)."""
    from focus import controls, engine
    from focus.models import FocusEvent, FocusSession
    from focus.services import session_end, session_ping, session_start
    from rhythm.models import RhythmSample
    from rhythm.services import rhythm_update

    person_id = _person_id(person)
    if person.rhythm_before:
        with time_machine.travel(DAY_START - timedelta(days=1), tick=False):
            rhythm_update(person_id=person_id, source=RhythmSample.Source.PING, **person.rhythm_before)
    results = []
    for plan, started_at in zip(person.sessions, session_starts(person), strict=True):
        with time_machine.travel(started_at, tick=False):
            session = session_start(
                person_id=person_id, task_id=None, estimated_duration=plan.estimate, mode=plan.mode, now=started_at
            )
        script = Script(plan, started_at)
        for what, at, content in script:
            with time_machine.travel(at, tick=False):
                if what == "ping":
                    session_ping(session_id=session.id, values=dict(content or {}), now=at)
                elif what == "respond":
                    nudge = FocusEvent.objects.get(
                        session_id=session.id, ts=content.nudge_at, event_type__in=("nudge", "break")
                    )
                    controls.respond(
                        event_id=nudge.id,
                        response=content.response,
                        snooze_minutes=content.snooze_minutes,
                        now=at,
                        person_id=person_id,
                    )
                elif what == "pause":
                    controls.pause_session(session_id=session.id, now=at, person_id=person_id)
                elif what == "resume":
                    controls.resume_session(session_id=session.id, now=at, person_id=person_id)
                elif engine.run_tick(session_id=session.id, now=at) in ("nudge", "break"):
                    event_type, sent = (
                        FocusEvent.objects.filter(session_id=session.id, ts=at, event_type__in=("nudge", "break"))
                        .values_list("event_type", "content")
                        .get()
                    )
                    script.sent(at, event_type, sent)
        ended_at = script.ended_at
        with time_machine.travel(ended_at, tick=False):
            ended = session_end(session_id=session.id, person_id=None, now=ended_at)
        rows = list(
            FocusEvent.objects.filter(session_id=session.id)
            .order_by("ts", "id")
            .values_list("id", "event_type", "ts", "content", "rhythm_snapshot")
        )
        place = {pk: n for n, (pk, *_) in enumerate(rows)}
        events = [(t, ts, _placed(t, c, place), r) for _, t, ts, c, r in rows]
        state = FocusSession.objects.values_list("policy_state", flat=True).get(pk=session.id)
        results.append((events, ended.summary, state or {}))
    return results


def _placed(event_type: str, content: Any, place: dict[int, int]) -> Any:
    """A nudge_response's ``event_id`` as the answered event's place in the session."""
    if event_type == "nudge_response" and isinstance(content, dict) and content.get("event_id") in place:
        return {**content, "event_id": place[content["event_id"]]}
    return content


def _sim_events(run: SessionRun) -> list[tuple[Any, ...]]:
    return [(e.event_type, e.ts, dict(e.content), dict(e.rhythm_snapshot or {})) for e in run.events]


def compare(person: PersonPlan) -> Agreement:
    """Simulator and engine on one person: the differences, none if they agree."""
    runs = simulate(person)
    differences: list[str] = []
    events = 0
    for n, (run, (db_events, summary, state)) in enumerate(zip(runs, engine_sessions(person), strict=True)):
        sim = _sim_events(run)
        db = [(t, ts, dict(c or {}), dict(r or {})) for t, ts, c, r in db_events]
        events += len(db)
        if sim != db:
            first = next((i for i, (a, b) in enumerate(zip(sim, db, strict=False)) if a != b), min(len(sim), len(db)))
            differences.append(
                f"session {n + 1}: {len(sim)} simulated vs {len(db)} engine events; first difference at "
                f"#{first}: {sim[first] if first < len(sim) else None} vs {db[first] if first < len(db) else None}"
            )
        if run.summary != summary:
            keys = [k for k in summary if summary.get(k) != run.summary.get(k)]
            differences.append(f"session {n + 1}: summaries differ in {keys}")
        if run.policy_state != state:
            differences.append(f"session {n + 1}: policy states differ")
    return Agreement(person.archetype, person.seed, len(runs), events, differences)


def setup() -> None:
    """Django on the benchmark database (BENCH_DATABASE_URL, created and migrated)."""
    from bench import common

    url = common.database_url()
    common.ensure_database(url)
    os.environ.update(common.PRODUCTION_ENV)
    os.environ.update(
        {
            "DATABASE_URL": url,
            "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15"),
            "DJANGO_SETTINGS_MODULE": "focusflow.settings",
        }
    )
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)


def report(sample: list[tuple[str, int]]) -> list[str]:
    """Cross-check each (archetype, seed) on PostgreSQL; markdown lines saying how they agree."""
    setup()
    from django.db import transaction

    results: list[Agreement] = []
    for name, seed in sample:
        with transaction.atomic():
            results.append(compare(build_person(name, seed)))
            transaction.set_rollback(True)  # nothing stays, nothing is queued on commit
    agree = sum(r.agrees for r in results)
    lines = [
        f"Engine cross-check: {agree}/{len(results)} persons agree (every event's type, time, content and "
        "rhythm snapshot, the summary and the saved policy state), real services and `focus.engine.run_tick` "
        "on PostgreSQL with the clock pinned by time-machine.",
        "",
        "| Archetype | Seed | Sessions | Events | Agree |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(f"| {r.archetype} | {r.seed} | {r.sessions} | {r.events} | {'yes' if r.agrees else 'NO'} |")
    for r in results:
        lines += [f"- {r.archetype} seed {r.seed}: {d}" for d in r.differences[:3]]
    return lines

"""The person's norms across sessions (issue 11.2): a session's end moves them on from its pings,
the next session's ticks hand them (and the session's mode) to the policy."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings

from focus import engine, services
from focus.policy import PersonNorms
from focus.tests.test_engine_guardrails import T0
from rhythm.models import PersonalModel

pytestmark = pytest.mark.django_db

TICK = 300


@pytest.fixture
def contexts(monkeypatch):
    """Every TickContext the engine's ticks handed the real policy."""
    seen = []
    real = engine.decide

    def recording(ctx, config):
        seen.append(ctx)
        return real(ctx, config)

    monkeypatch.setattr(engine, "decide", recording)
    return seen


def _session(person, *, start, mode, switches, stress):
    with time_machine.travel(start, tick=False) as clock:
        session = services.session_start(person_id=person, task_id=None, estimated_duration=30, mode=mode)
        engine.run_tick(session_id=session.id, now=start)
        for n, (s, st) in enumerate(zip(switches, stress, strict=True), start=1):
            at = start + timedelta(minutes=2 * n)
            clock.move_to(at)
            services.session_ping(session_id=session.id, values={"activity": "active", "app_switches": s, "stress": st})
        end = start + timedelta(minutes=2 * len(switches) + 1)
        clock.move_to(end)
        engine.run_tick(session_id=session.id, now=end)
        services.session_end(session_id=session.id, person_id=None, now=end)
    return session


@override_settings(FOCUS_TICK_SECONDS=TICK, FOCUS_NUDGE_MIN_GAP_SECONDS=TICK, FOCUS_MAX_NUDGES=8)
def test_a_sessions_end_moves_the_norms_and_the_next_sessions_ticks_read_them(contexts):
    person = uuid.uuid4()
    _session(person, start=T0, mode="deep", switches=[2, 3, 4, 3, 2, 3], stress=[0.5] * 6)
    norms = PersonNorms.from_mapping(PersonalModel.objects.get(person_id=person).norms)
    assert norms.sessions == 1
    assert norms.app_switches is not None and norms.app_switches.median == 3 and norms.app_switches.count == 6
    assert norms.stress is not None and norms.stress.median == 0.5
    assert all(ctx.norms in (None, PersonNorms()) for ctx in contexts)  # a first session has none
    assert {ctx.mode for ctx in contexts} == {"deep"}

    contexts.clear()
    _session(person, start=T0 + timedelta(hours=3), mode="admin", switches=[12] * 6, stress=[0.4] * 6)
    assert contexts and all(ctx.norms == norms for ctx in contexts)  # read as the first end left them
    assert {ctx.mode for ctx in contexts} == {"admin"}
    moved = PersonNorms.from_mapping(PersonalModel.objects.get(person_id=person).norms)
    assert moved.sessions == 2 and 3 < moved.app_switches.median < 12  # moved toward the new pace, not replaced

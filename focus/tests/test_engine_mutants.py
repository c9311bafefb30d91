"""What `make mutate` found the engine tests did not check (docs/testing.md): each test here fails
with the mutant it names."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings

from focus import engine, services
from focus.models import FocusEvent
from focus.tests.test_engine_guardrails import T0
from rhythm.services import rhythm_update

pytestmark = pytest.mark.django_db

TICK = 300


def test_a_tick_for_an_id_that_is_not_a_uuid_is_skipped_not_raised():
    # Mutant: `except ValueError` in run_tick replaced, so a malformed id from a message raises.
    assert engine.run_tick(session_id="not-a-uuid") == engine.SKIPPED_MISSING
    assert engine.run_ticks(claims=[("not-a-uuid", 1)]) == {engine.SKIPPED_MISSING: 1}


@override_settings(FOCUS_TICK_SECONDS=TICK, FOCUS_NUDGE_MIN_GAP_SECONDS=TICK, FOCUS_MAX_NUDGES=8)
def test_stress_and_fatigue_set_outside_pings_reach_the_policy():
    """The person's rhythm (PUT /rhythm/state, no ping at all) rising from the start state is what
    the tick reads: it suggests a recovery break. Mutant: `snapshot or {}` → `snapshot and {}` in
    _rhythm_values, so the policy saw no rhythm at all."""
    person = uuid.uuid4()
    with time_machine.travel(T0, tick=False) as clock:
        rhythm_update(person_id=person, energy=0.7, stress=0.2, fatigue=0.2)
        session = services.session_start(person_id=person, task_id=None, estimated_duration=60, mode="deep")
        rhythm_update(person_id=person, stress=0.95, fatigue=0.9)
        for n in range(3):
            clock.move_to(T0 + timedelta(seconds=TICK * n))
            engine.run_tick(session_id=session.id)
    kinds = [e.content.get("kind") for e in FocusEvent.objects.filter(session=session, event_type="break")]
    assert "recovery_break" in kinds

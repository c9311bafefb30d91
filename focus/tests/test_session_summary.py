"""A time-compressed session with flow, a distraction and a stress rise: the summary names all
three, the memory record holds it, and the habit grows."""

from datetime import timedelta

import pytest
from django.utils import timezone

from focus import engine
from focus.models import FocusEvent
from focus.services import session_end, session_ping, session_start
from rhythm.models import MemoryShortTerm, PersonalModel

pytestmark = pytest.mark.django_db

TICK = 2  # seconds: one tick period stands for 5 minutes of session time

CALM = {"activity": "active", "app_switches": 2, "focus": 0.85, "energy": 0.7, "stress": 0.3}
SCATTERED = {"activity": "active", "app_switches": 22, "focus": 0.2, "energy": 0.5, "stress": 0.35}
STRAINED = {"activity": "active", "app_switches": 3, "focus": 0.6, "energy": 0.4, "stress": 0.9, "fatigue": 0.7}


def test_the_summary_names_flow_the_distraction_and_the_stress_rise(alice_api, settings):
    settings.FOCUS_TICK_SECONDS = TICK
    settings.FOCUS_NUDGE_MIN_GAP_SECONDS = TICK
    t0 = timezone.now().replace(microsecond=0)
    session = session_start(person_id=alice_api.person_id, task_id=None, estimated_duration=60, mode="deep", now=t0)
    script = [None, CALM, CALM, CALM, CALM, CALM, SCATTERED, SCATTERED, STRAINED, STRAINED, CALM]
    for n, ping in enumerate(script):
        now = t0 + timedelta(seconds=TICK * n)
        if ping:
            session_ping(session_id=session.id, person_id=None, values=ping, now=now - timedelta(seconds=1))
        assert engine.run_tick(session_id=session.id, now=now) in ("tick", "nudge", "break")

    detected = set(FocusEvent.objects.filter(session=session).values_list("event_type", flat=True))
    assert {"flow_start", "flow_end", "distraction"} <= detected
    ended = session_end(
        session_id=session.id,
        person_id=None,
        completion_score=0.9,
        session_quality={"rating": 4},
        early_end=False,
        now=t0 + timedelta(seconds=TICK * 12),
    )

    summary = ended.summary
    assert summary["flow_windows"]["total_minutes"] >= 10
    kinds = {point["kind"] for point in summary["friction_points"]}
    assert "distraction" in kinds and "stress_spike" in kinds
    assert summary["nudges"]["sent"].get("recovery_break") == 1
    assert summary["duration"]["estimated_minutes"] == 60 and summary["duration"]["actual_minutes"] == 60
    assert "flow" in summary["headline"]
    assert summary["energy_curve"]["points"] and summary["energy_curve"]["trend"] in ("falling", "steady", "rising")

    memory = MemoryShortTerm.objects.get(session_id=session.id)
    assert memory.kind == "focus_summary" and memory.content == summary and memory.sentiment > 0
    model = PersonalModel.objects.get(person_id=alice_api.person_id)
    assert model.emotion == "positive" and 0 < model.focus_habit_strength < 1

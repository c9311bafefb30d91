"""Reads of a person's state."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.utils import timezone

from rhythm.habit import habit_strength_decayed
from rhythm.models import PersonalModel, PersonPreferences, RhythmSample, RhythmState


def rhythm_snapshot(*, person_id: uuid.UUID) -> dict:
    """The person's rhythm now; before any update, the model's defaults (what a first update starts from)."""
    state = RhythmState.objects.filter(person_id=person_id).first()
    return (state or RhythmState(person_id=person_id)).as_snapshot()


def rhythm_history(*, person_id: uuid.UUID, limit: int = 50) -> list[RhythmSample]:
    return list(RhythmSample.objects.filter(person_id=person_id).order_by("-recorded_at")[:limit])


def emotion_baseline(*, person_id: uuid.UUID) -> dict:
    """The person's emotion baseline; never empty: no signal yet reads `neutral` from `default`."""
    model = PersonalModel.objects.filter(person_id=person_id).only("emotion", "emotion_source").first()
    if model is None or model.emotion is None:
        return {"emotion": PersonalModel.Emotion.NEUTRAL, "source": "default"}
    return {"emotion": model.emotion, "source": model.emotion_source}


def habit_strength(*, person_id: uuid.UUID, now: datetime | None = None) -> float:
    """Focus habit strength with idle-day decay applied lazily at read time."""
    model = PersonalModel.objects.filter(person_id=person_id).first()
    if model is None:
        return 0.0
    if model.last_session_at is None:
        return model.focus_habit_strength
    idle_days = max(0.0, ((now or timezone.now()) - model.last_session_at).total_seconds() / 86400)
    return habit_strength_decayed(model.focus_habit_strength, days_idle=idle_days)


def person_state(*, person_id: uuid.UUID, history: int = 20) -> dict:
    """Everything the API shows of a person's state; reading writes nothing."""
    state = RhythmState.objects.filter(person_id=person_id).first()
    return {
        "person_id": person_id,
        **rhythm_snapshot(person_id=person_id),
        "updated_at": state.updated_at if state else None,
        "emotion": emotion_baseline(person_id=person_id),
        "focus_habit_strength": habit_strength(person_id=person_id),
        "history": rhythm_history(person_id=person_id, limit=history),
    }


def nudge_answers(*, person_id: uuid.UUID) -> dict:
    """How the person answered nudges, per kind (their last answers, oldest first); {} if none yet."""
    answers = PersonalModel.objects.filter(person_id=person_id).values_list("nudge_answers", flat=True).first()
    return answers if isinstance(answers, dict) else {}


def preferences_or_defaults(*, person_id: uuid.UUID) -> PersonPreferences:
    """The person's saved preferences, or (unsaved) the defaults: a read that writes nothing."""
    return PersonPreferences.objects.filter(person_id=person_id).first() or PersonPreferences(person_id=person_id)

"""Writes to a person's state. Records are created on first use (staff act for any person_id)."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db import transaction
from django.db.models import Case, CharField, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.lookups import GreaterThan, LessThan
from django.utils import timezone

from rhythm.answers import answers_added
from rhythm.habit import (
    NEGATIVE_BELOW,
    POSITIVE_ABOVE,
    emotion_from_sentiment,
    habit_strength_after_session,
    habit_strength_decayed,
)
from rhythm.models import MemoryShortTerm, PersonalModel, PersonPreferences, RhythmSample, RhythmState

RHYTHM_FIELDS = ("energy", "stress", "fatigue")


def rhythm_state_get_or_create(*, person_id: uuid.UUID, lock: bool = False) -> RhythmState:
    """The person's rhythm row, locked for this transaction when asked (a new row is locked by its INSERT)."""
    states = RhythmState.objects.select_for_update() if lock else RhythmState.objects
    return states.get_or_create(person_id=person_id)[0]


def personal_model_get_or_create(*, person_id: uuid.UUID, lock: bool = False) -> PersonalModel:
    """The person's model row, locked for this transaction when asked (a new row is locked by its INSERT)."""
    models = PersonalModel.objects.select_for_update() if lock else PersonalModel.objects
    return models.get_or_create(person_id=person_id)[0]


@transaction.atomic
def rhythm_update(
    *, person_id: uuid.UUID, source: str = RhythmSample.Source.UPDATE, **values: float | None
) -> RhythmState:
    """Set the given energy/stress/fatigue values and record them in the history."""
    given = {name: values[name] for name in RHYTHM_FIELDS if values.get(name) is not None}
    state = rhythm_state_get_or_create(person_id=person_id, lock=True)
    if not given:
        return state
    for name, value in given.items():
        setattr(state, name, value)
    state.save()
    RhythmSample.objects.create(person_id=person_id, source=source, **given)
    if source == RhythmSample.Source.UPDATE:
        emotion_refresh(person_id=person_id)
    return state


# A ping's rhythm write, as data-modifying CTEs for the ping's one statement (focus/services.py):
# set the values it carries (a first one creates the row from the model's defaults), record them in
# the history, and give the state as it now is, as the event's snapshot (`rhythm.snapshot`).
_PING_RHYTHM_CTES = """rhythm AS (
    INSERT INTO rhythm_state AS r (person_id, energy, stress, fatigue, updated_at)
    VALUES (%(rhythm_person)s, COALESCE(%(energy)s::double precision, %(energy_default)s),
            COALESCE(%(stress)s::double precision, %(stress_default)s),
            COALESCE(%(fatigue)s::double precision, %(fatigue_default)s), %(rhythm_at)s)
    ON CONFLICT (person_id) DO UPDATE SET energy = COALESCE(%(energy)s::double precision, r.energy),
        stress = COALESCE(%(stress)s::double precision, r.stress),
        fatigue = COALESCE(%(fatigue)s::double precision, r.fatigue), updated_at = EXCLUDED.updated_at
    RETURNING jsonb_build_object('energy', r.energy, 'stress', r.stress, 'fatigue', r.fatigue) AS snapshot
), rhythm_sample AS (
    INSERT INTO rhythm_samples (person_id, energy, stress, fatigue, source, recorded_at)
    VALUES (%(rhythm_person)s, %(energy)s::double precision, %(stress)s::double precision,
            %(fatigue)s::double precision, %(rhythm_source)s, %(rhythm_at)s)
)"""


def rhythm_ping_write_sql(*, person_id: uuid.UUID, values: dict[str, float]) -> tuple[str, dict]:
    """PostgreSQL: the CTEs of a ping's rhythm write and their parameters. Same effect as
    `rhythm_update(source=PING, ...)`, which is what other databases run (stamped with the time of
    writing, as the models' auto_now fields are)."""
    fields = {field.name: field for field in RhythmState._meta.get_fields()}
    params = {"rhythm_person": person_id, "rhythm_at": timezone.now(), "rhythm_source": RhythmSample.Source.PING.value}
    for name in RHYTHM_FIELDS:
        params[name] = values.get(name)
        params[f"{name}_default"] = fields[name].default
    return _PING_RHYTHM_CTES, params


@transaction.atomic
def memory_write(
    *,
    person_id: uuid.UUID,
    kind: str,
    content,
    sentiment: float | None = None,
    emotion_tags: list[str] | None = None,
    session_id: uuid.UUID | None = None,
) -> MemoryShortTerm:
    """Write a short-term memory; one that carries a sentiment also moves the emotion baseline."""
    memory = MemoryShortTerm.objects.create(
        user_id=person_id,
        kind=kind,
        content=content,
        sentiment=None if sentiment is None else round(sentiment, 3),
        emotion_tags=emotion_tags or [],
        session_id=session_id,
    )
    if sentiment is not None:
        emotion_refresh(person_id=person_id)
    return memory


def emotion_refresh(*, person_id: uuid.UUID) -> PersonalModel:
    """Set personal_model.emotion from the latest memory with a sentiment (the seed's thresholds)."""
    model = personal_model_get_or_create(person_id=person_id, lock=True)
    latest = (
        MemoryShortTerm.objects.filter(user_id=person_id, sentiment__isnull=False)
        .order_by("-created_at", "-id")
        .values_list("sentiment", flat=True)
        .first()
    )
    emotion = emotion_from_sentiment(None if latest is None else float(latest))
    if emotion is not None and (model.emotion != emotion or model.emotion_source != "memory"):
        model.emotion = emotion
        model.emotion_source = "memory"
        model.save(update_fields=["emotion", "emotion_source", "updated_at"])
    return model


def habit_strengthen(
    *,
    person_id: uuid.UUID,
    actual_minutes: float,
    estimated_minutes: int,
    early_end: bool,
    completion_score: float | None,
    now: datetime | None = None,
) -> PersonalModel:
    """Move the focus habit after an ended session (rule in rhythm/habit.py); decay idle days first."""
    now = now or timezone.now()
    model = personal_model_get_or_create(person_id=person_id, lock=True)
    strength = model.focus_habit_strength
    if model.last_session_at is not None:
        idle_days = max(0.0, (now - model.last_session_at).total_seconds() / 86400)
        strength = habit_strength_decayed(strength, days_idle=idle_days)
    model.focus_habit_strength = habit_strength_after_session(
        strength,
        actual_minutes=actual_minutes,
        estimated_minutes=estimated_minutes,
        early_end=early_end,
        completion_score=completion_score,
    )
    model.last_session_at = now
    model.save(update_fields=["focus_habit_strength", "last_session_at", "updated_at"])
    return model


def personal_norms_save(*, person_id: uuid.UUID, norms: dict) -> PersonalModel:
    """Store the person's norms (focus/policy/norms.py computes them; this only writes them)."""
    model = personal_model_get_or_create(person_id=person_id, lock=True)
    model.norms = norms
    model.save(update_fields=["norms", "updated_at"])
    return model


def emotion_backfill() -> int:
    """Set every person's emotion from their latest memory with a sentiment, in one UPDATE.

    The seed's backfill SQL is the reference (same thresholds, latest memory with a sentiment,
    only rows whose emotion would change); this one also marks the source. Returns rows changed.
    """
    latest = Subquery(
        MemoryShortTerm.objects.filter(user_id=OuterRef("person_id"), sentiment__isnull=False)
        .order_by("-created_at", "-id")
        .values("sentiment")[:1]
    )
    emotion = Case(
        When(GreaterThan(latest, POSITIVE_ABOVE), then=Value(PersonalModel.Emotion.POSITIVE)),
        When(LessThan(latest, NEGATIVE_BELOW), then=Value(PersonalModel.Emotion.NEGATIVE)),
        default=Value(PersonalModel.Emotion.NEUTRAL),
        output_field=CharField(),
    )
    has_signal = Exists(MemoryShortTerm.objects.filter(user_id=OuterRef("person_id"), sentiment__isnull=False))
    return (
        PersonalModel.objects.filter(has_signal)
        .alias(latest_emotion=emotion)
        .filter(Q(emotion__isnull=True) | ~Q(emotion=F("latest_emotion")))
        .update(emotion=emotion, emotion_source="backfill")
    )


@transaction.atomic
def nudge_answers_add(*, person_id: uuid.UUID, answers: list[tuple[str, str]]) -> PersonalModel:
    """Add (kind, answer) pairs, oldest first, to the person's nudge answers; each kind keeps its last
    PersonalModel.NUDGE_ANSWERS_KEPT."""
    model = personal_model_get_or_create(person_id=person_id, lock=True)
    if not answers:
        return model
    model.nudge_answers = answers_added(model.nudge_answers, answers, keep=PersonalModel.NUDGE_ANSWERS_KEPT)
    model.save(update_fields=["nudge_answers", "updated_at"])
    return model


@transaction.atomic
def nudge_answers_reset(*, person_id: uuid.UUID) -> PersonalModel:
    """Forget how the person answered nudges: the policy goes back to its defaults for them."""
    model = personal_model_get_or_create(person_id=person_id, lock=True)
    model.nudge_answers = {}
    model.save(update_fields=["nudge_answers", "updated_at"])
    return model


# --------------------------------------------------------------------------- preferences

PREFERENCE_FIELDS = (
    "held_kinds",
    "notifications",
    "sound",
    "default_estimate",
    "default_mode",
    "time_zone",
    "work_start",
    "work_end",
    "work_days",
    "meetings",
    "meeting_titles",
)


def preferences_for(*, person_id: uuid.UUID) -> PersonPreferences:
    """The person's preferences, made with the defaults on first read."""
    return PersonPreferences.objects.get_or_create(person_id=person_id)[0]


@transaction.atomic
def preferences_update(*, person_id: uuid.UUID, **values) -> PersonPreferences:
    """Save the given preference fields (already validated at the edge: focus/me_serializers.py)."""
    unknown = set(values) - set(PREFERENCE_FIELDS)
    if unknown:
        raise TypeError(f"not preference fields: {sorted(unknown)}")
    preferences = PersonPreferences.objects.select_for_update().get_or_create(person_id=person_id)[0]
    for name, value in values.items():
        setattr(preferences, name, value)
    preferences.save()
    return preferences

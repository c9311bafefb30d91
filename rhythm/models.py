"""A person's state: rhythm (energy/stress/fatigue with history), personal model, short-term memory.

People are identified by a UUID `person_id`, as in the seed's tables; which login acts as which
person, and who may act for others, is identity (focusflow/models.py), not a person's rhythm.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from focusflow.json import SanitizedJSONEncoder

unit_interval = [MinValueValidator(0.0), MaxValueValidator(1.0)]


class RhythmState(models.Model):
    """The person's current energy, stress and fatigue (0..1)."""

    person_id = models.UUIDField(unique=True)
    energy = models.FloatField(default=0.6, validators=unit_interval)
    stress = models.FloatField(default=0.3, validators=unit_interval)
    fatigue = models.FloatField(default=0.3, validators=unit_interval)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "rhythm_state"

    def __str__(self) -> str:
        return f"rhythm {self.person_id}"

    def as_snapshot(self) -> dict:
        return {"energy": self.energy, "stress": self.stress, "fatigue": self.fatigue}


class RhythmSample(models.Model):
    """One point of a person's rhythm history, so a tick can tell that stress or fatigue is rising."""

    class Source(models.TextChoices):
        UPDATE = "update"
        PING = "ping"

    person_id = models.UUIDField()
    energy = models.FloatField(null=True, blank=True, validators=unit_interval)
    stress = models.FloatField(null=True, blank=True, validators=unit_interval)
    fatigue = models.FloatField(null=True, blank=True, validators=unit_interval)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.UPDATE)
    recorded_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "rhythm_samples"
        indexes = [models.Index(fields=["person_id", "-recorded_at"], name="rhythm_sample_person_idx")]

    def __str__(self) -> str:
        return f"sample {self.person_id} @ {self.recorded_at:%Y-%m-%d %H:%M}"


class PersonalModel(models.Model):
    """The seed's `personal_model`: emotion baseline and focus habit strength."""

    class Emotion(models.TextChoices):
        POSITIVE = "positive"
        NEUTRAL = "neutral"
        NEGATIVE = "negative"

    person_id = models.UUIDField(unique=True)
    emotion = models.CharField(max_length=16, choices=Emotion.choices, null=True, blank=True)
    emotion_source = models.CharField(max_length=32, default="default", help_text="memory, rhythm, backfill or default")
    focus_habit_strength = models.FloatField(default=0.0, validators=unit_interval)
    last_session_at = models.DateTimeField(null=True, blank=True)
    # How the person answered nudges, per kind: their last answers, oldest first ("taken", "snoozed",
    # "dismissed", "ignored"), at most NUDGE_ANSWERS_KEPT each. The policy reads it (focus/policy/answers.py).
    nudge_answers = models.JSONField(
        encoder=SanitizedJSONEncoder, default=dict, blank=True, db_default=models.Value({}, models.JSONField())
    )
    # A database default too: rows written by SQL outside Django (the seed's, a backfill) start empty.
    norms = models.JSONField(
        encoder=SanitizedJSONEncoder,
        default=dict,
        blank=True,
        db_default=models.Value({}, models.JSONField()),
        help_text="The person's own norms (median/MAD per signal), moved on at each session end (focus/policy/norms.py).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    NUDGE_ANSWERS_KEPT = 20

    class Meta:
        db_table = "personal_model"

    def __str__(self) -> str:
        return f"personal model {self.person_id}"


class MemoryShortTerm(models.Model):
    """The seed's `memory_short_term`; one `focus_summary` record per ended session."""

    FOCUS_SUMMARY = "focus_summary"

    user_id = models.UUIDField(db_index=True)
    kind = models.CharField(max_length=64)
    content = models.JSONField(encoder=SanitizedJSONEncoder, default=dict)
    sentiment = models.DecimalField(max_digits=4, decimal_places=3, null=True, blank=True)
    emotion_tags = models.JSONField(encoder=SanitizedJSONEncoder, default=list, blank=True)
    session_id = models.UUIDField(null=True, blank=True, unique=True, help_text="The focus session this summary is of.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "memory_short_term"
        verbose_name = "short-term memory"
        verbose_name_plural = "short-term memories"

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"


def _weekdays() -> list[str]:
    return ["mon", "tue", "wed", "thu", "fri"]


class PersonPreferences(models.Model):
    """What a person chose (GET/PATCH /api/me/preferences, the preferences page): one row per person,
    made with the defaults on first read (rhythm.services.preferences_for).

    `held_kinds` are nudge kinds the policy never sends them (never recovery_break: see
    focus/policy/preferences.py); `notifications` and `sound` are for the live page's script; the
    default estimate and mode fill the start form and a start without them; `time_zone` (an IANA
    name, blank: the browser's) is where the dashboard shows times and where working hours are read;
    outside working hours (`work_start`-`work_end` on `work_days`; none when unset) only recovery
    breaks are sent."""

    person_id = models.UUIDField(unique=True)
    held_kinds = models.JSONField(default=list, blank=True)
    notifications = models.BooleanField(default=False)
    sound = models.BooleanField(default=False)
    default_estimate = models.PositiveIntegerField(
        default=25, validators=[MinValueValidator(1), MaxValueValidator(600)], help_text="Minutes."
    )
    default_mode = models.CharField(max_length=16, default="deep")
    time_zone = models.CharField(max_length=64, blank=True, default="")
    work_start = models.TimeField(null=True, blank=True)
    work_end = models.TimeField(null=True, blank=True)
    work_days = models.JSONField(default=_weekdays, blank=True)
    # Meetings from the person's calendars (planner/calendars/, focus/meetings.py): "pause" pauses a
    # running session for a meeting and resumes it after; "hold" keeps it running with every
    # non-urgent nudge held. `meeting_titles`: a meeting's title may be written on its pause event.
    meetings = models.CharField(max_length=8, default="pause", db_default="pause")
    meeting_titles = models.BooleanField(default=False, db_default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "person_preferences"
        verbose_name = "preferences"
        verbose_name_plural = "preferences"

    def __str__(self) -> str:
        return f"preferences {self.person_id}"

    @property
    def has_working_hours(self) -> bool:
        return self.work_start is not None and self.work_end is not None

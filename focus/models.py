"""Focus sessions and their events (the seed's `focus_sessions` and `focus_events`)."""

import uuid
from datetime import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import JSONField, Q, Value
from django.utils import timezone

from focus import vocabulary
from focus.clock import Pause, SessionClock, as_utc
from focusflow.json import SanitizedJSONEncoder

MIN_ESTIMATE_MINUTES = 1
MAX_ESTIMATE_MINUTES = 600


class Mode(models.TextChoices):
    DEEP = "deep", "Deep work"
    LIGHT = "light", "Light work"
    ADMIN = "admin", "Admin"
    CREATIVE = "creative", "Creative"


# The event types are the vocabulary's (focus/vocabulary.py); EventType.NUDGE == "nudge".
EventType = models.TextChoices("EventType", [(name.upper(), name) for name in vocabulary.EVENT_TYPES])

USER_FACING_EVENTS = tuple(EventType(name) for name in vocabulary.USER_FACING_EVENT_TYPES)


class FocusSession(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person_id = models.UUIDField()
    task = models.ForeignKey(
        "planner.Task",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sessions",
        db_column="task_id",
    )
    mode = models.CharField(max_length=16, choices=Mode.choices, default=Mode.DEEP)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    estimated_duration = models.PositiveIntegerField(
        validators=[MinValueValidator(MIN_ESTIMATE_MINUTES), MaxValueValidator(MAX_ESTIMATE_MINUTES)],
        help_text="Minutes.",
    )
    actual_duration = models.FloatField(default=0.0, help_text="Minutes, updated every tick and at end.")
    completion_score = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)]
    )
    session_quality = models.JSONField(encoder=SanitizedJSONEncoder, null=True, blank=True)
    start_state = models.JSONField(encoder=SanitizedJSONEncoder, default=dict)
    early_end = models.BooleanField(default=False)
    summary = models.JSONField(encoder=SanitizedJSONEncoder, null=True, blank=True)

    # Scheduling (DESIGN.md "Scheduling"): the database says what is due; the broker only carries work.
    next_tick_at = models.DateTimeField(null=True, blank=True)
    last_tick_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    tick_seq = models.PositiveIntegerField(default=0)
    tick_count = models.PositiveIntegerField(default=0)

    # Guardrail counters, read and written under the session's row lock in the tick transaction.
    nudges_sent = models.PositiveIntegerField(default=0)
    last_nudge_at = models.DateTimeField(null=True, blank=True)
    policy_state = models.JSONField(encoder=SanitizedJSONEncoder, default=dict, blank=True)

    # Pings so far, counted by the statement that takes the row lock for a ping: the ceiling
    # (FOCUS_MAX_PINGS_PER_SESSION) is checked without a statement of its own. A database default too,
    # so SQL that inserts sessions without naming it (bench/scheduler/seed.py) still works.
    ping_count = models.PositiveIntegerField(default=0, db_default=0)

    # Pause and resume (focus/controls.py). While paused, next_tick_at is NULL, so the sweep never
    # claims the session; ``pauses`` holds the closed spans as [paused at, resumed at] ISO pairs, and
    # the session clock leaves them (and the open one since ``paused_at``) out of every duration.
    paused_at = models.DateTimeField(null=True, blank=True)
    pauses = models.JSONField(encoder=SanitizedJSONEncoder, default=list, blank=True, db_default=Value([], JSONField()))

    class Meta:
        db_table = "focus_sessions"
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person_id"], condition=Q(ended_at__isnull=True), name="one_active_session_per_person"
            ),
            models.CheckConstraint(
                condition=Q(estimated_duration__gte=MIN_ESTIMATE_MINUTES)
                & Q(estimated_duration__lte=MAX_ESTIMATE_MINUTES),
                name="estimated_duration_in_range",
            ),
            models.CheckConstraint(
                condition=Q(completion_score__isnull=True) | (Q(completion_score__gte=0) & Q(completion_score__lte=1)),
                name="completion_score_in_range",
            ),
        ]
        indexes = [
            models.Index(fields=["person_id", "-started_at"], name="focus_session_person_idx"),
            models.Index(fields=["next_tick_at"], condition=Q(ended_at__isnull=True), name="focus_session_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} session {self.id}"

    def clock(self) -> SessionClock:
        """This session's clock at the configured tick (focus/clock.py: session minutes, elapsed time),
        its paused spans left out."""
        return SessionClock(self.started_at, settings.FOCUS_TICK_SECONDS, self.pause_spans())

    def pause_spans(self) -> tuple[Pause, ...]:
        """The paused spans, oldest first: the stored closed ones, then the open one if paused now."""
        spans: list[Pause] = []
        for pair in self.pauses or ():
            try:
                paused_at, resumed_at = (as_utc(datetime.fromisoformat(str(v))) for v in pair)
            except (TypeError, ValueError):  # a malformed entry (hand-edited) counts as no pause
                continue
            spans.append((paused_at, resumed_at))
        if self.paused_at is not None:
            spans.append((self.paused_at, None))
        return tuple(spans)

    def close_pause(self, now: datetime) -> None:
        """Close the open paused span at ``now`` (resume, or ending a paused session); unsaved."""
        if self.paused_at is not None:
            start = min(self.paused_at, now)
            self.pauses = [*(self.pauses or []), [start.isoformat(), now.isoformat()]]
            self.paused_at = None

    @property
    def is_paused(self) -> bool:
        return self.ended_at is None and self.paused_at is not None

    def paused_minutes(self, until: datetime | None = None) -> float:
        """Wall-clock minutes this session has been paused (to ``until``, its end, or now), like actual_duration."""
        end = until or self.ended_at or timezone.now()
        return round(self.clock().paused_seconds(end) / 60, 2)

    @property
    def is_active(self) -> bool:
        return self.ended_at is None

    def actual_minutes(self, now=None) -> float:
        """How long the session ran, in session minutes to one decimal: the one figure the dashboard,
        the API (`actual_minutes`), the CSV export and the admin show. Once ended, its summary's
        `duration.actual_minutes`; before, the minutes so far (``now``, default the current time)."""
        summary = self.summary if isinstance(self.summary, dict) else {}
        duration = summary.get("duration")
        stored = duration.get("actual_minutes") if isinstance(duration, dict) else None
        if isinstance(stored, (int, float)) and not isinstance(stored, bool):
            return round(float(stored), 1)
        if self.ended_at is not None and self.actual_duration:
            return round(float(self.actual_duration), 1)
        return round(self.clock().session_minutes(self.ended_at or now or timezone.now()), 1)


class FocusEvent(models.Model):
    session = models.ForeignKey(FocusSession, on_delete=models.CASCADE, related_name="events")
    event_type = models.CharField(max_length=32, choices=EventType.choices)
    ts = models.DateTimeField()
    content = models.JSONField(encoder=SanitizedJSONEncoder, default=dict)
    rhythm_snapshot = models.JSONField(encoder=SanitizedJSONEncoder, null=True, blank=True)
    task_snapshot = models.JSONField(encoder=SanitizedJSONEncoder, null=True, blank=True)
    emotion_snapshot = models.JSONField(encoder=SanitizedJSONEncoder, null=True, blank=True)

    class Meta:
        db_table = "focus_events"
        ordering = ["-ts", "-id"]
        indexes = [models.Index(fields=["session", "-ts"], name="focus_event_session_ts_idx")]

    def __str__(self) -> str:
        return f"{self.event_type} @ {timezone.localtime(self.ts):%H:%M:%S %Z}"  # the active zone, named


# Signed webhooks' models, loaded with the focus app's (focus/webhooks/).
from focus.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint  # noqa: E402, F401

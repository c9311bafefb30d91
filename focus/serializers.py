"""Input and output shapes of the focus API."""

import re

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from focus.models import MAX_ESTIMATE_MINUTES, MIN_ESTIMATE_MINUTES, FocusEvent, FocusSession, Mode
from focus.vocabulary import (
    ALLOWED_KINDS,
    PING_SOURCE_CLIENT,
    PING_SOURCES,
    RESPONSES,
    SNOOZE,
    SNOOZE_MINUTES,
    SWITCH_COUNTERS,
)
from focusflow.fields import (
    MOMENT_RULES,
    InputSerializer,
    StrictBooleanField,
    StrictFloatField,
    StrictIntegerField,
    UnstorableMoment,
    parse_moment,
)

ACTIVITIES = ("active", "idle", "away")
HEART_RATE_RANGE = (20, 250)  # bpm, human range
HRV_RANGE = (1.0, 300.0)  # RMSSD milliseconds
MAX_APP_SWITCHES = 1000  # per ~5 minutes
MAX_NOTE_LENGTH = 500


def unit_field(**kwargs):
    return StrictFloatField(min_value=0.0, max_value=1.0, **kwargs)


class StartInput(InputSerializer):
    person_id = serializers.UUIDField(required=False, allow_null=True)
    task_id = serializers.UUIDField(required=False, allow_null=True)
    estimated_duration = StrictIntegerField(
        required=False,
        min_value=MIN_ESTIMATE_MINUTES,
        max_value=MAX_ESTIMATE_MINUTES,
        help_text="Minutes, 1-600; left out: the person's default estimate (GET /api/me/preferences).",
    )
    mode = serializers.ChoiceField(
        choices=Mode.choices, required=False, help_text="Left out: the person's default mode (deep unless changed)."
    )


class PingInput(InputSerializer):
    session_id = serializers.UUIDField()
    heart_rate = StrictIntegerField(
        required=False, allow_null=True, min_value=HEART_RATE_RANGE[0], max_value=HEART_RATE_RANGE[1]
    )
    hrv_ms = StrictFloatField(required=False, allow_null=True, min_value=HRV_RANGE[0], max_value=HRV_RANGE[1])
    energy = unit_field(required=False, allow_null=True)
    stress = unit_field(required=False, allow_null=True)
    fatigue = unit_field(required=False, allow_null=True)
    focus = unit_field(required=False, allow_null=True)
    activity = serializers.ChoiceField(choices=ACTIVITIES, required=False, allow_null=True)
    app_switches = StrictIntegerField(required=False, allow_null=True, min_value=0, max_value=MAX_APP_SWITCHES)
    app_switches_counter = serializers.ChoiceField(
        choices=SWITCH_COUNTERS,
        required=False,
        allow_null=True,
        help_text="What `app_switches` counts: `last_5_minutes` (a rolling count) or `since_last_ping`. "
        "Left out, the counts are read as `last_5_minutes`, except the live page's own pings, which count "
        "since the last ping.",
    )
    note = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=MAX_NOTE_LENGTH)
    source = serializers.ChoiceField(
        choices=PING_SOURCES,
        required=False,
        default=PING_SOURCE_CLIENT,
        help_text="Where the reading came from: `page` (the live page's automatic ping), `client` (an API "
        "client; the default), `self_report` (the person's own, by hand). Kept in the ping's content "
        "unless it is `client`.",
    )


class EndInput(InputSerializer):
    session_id = serializers.UUIDField()
    completion_score = unit_field(required=False, allow_null=True)
    session_quality = serializers.JSONField(required=False, allow_null=True)
    early_end = StrictBooleanField(required=False, allow_null=True)


class SessionControlInput(InputSerializer):
    session_id = serializers.UUIDField()


class RespondInput(InputSerializer):
    """POST /focus/respond, as validated (the schema shows it as RespondAnswerInput | RespondSnoozeInput)."""

    event_id = StrictIntegerField(min_value=1, max_value=2**63 - 1, help_text="A nudge or break event's id.")
    response = serializers.ChoiceField(choices=RESPONSES, help_text="done: taken; snooze: later; dismiss: not now.")
    snooze_minutes = serializers.ChoiceField(choices=SNOOZE_MINUTES, required=False, help_text="5, 10 or 15.")

    def validate(self, attrs):
        if attrs["response"] == SNOOZE and attrs.get("snooze_minutes") is None:
            raise serializers.ValidationError({"snooze_minutes": ["Required for snooze: one of 5, 10, 15."]})
        if attrs["response"] != SNOOZE and "snooze_minutes" in self.initial_data:
            raise serializers.ValidationError({"snooze_minutes": ["Only a snooze has minutes."]})
        return attrs


class RespondAnswerInput(InputSerializer):
    """Done (taken) or dismiss (not now)."""

    event_id = StrictIntegerField(min_value=1, max_value=2**63 - 1, help_text="A nudge or break event's id.")
    response = serializers.ChoiceField(choices=[r for r in RESPONSES if r != SNOOZE])


class RespondSnoozeInput(InputSerializer):
    """Snooze: the kind comes back after this many minutes, if it still applies."""

    event_id = StrictIntegerField(min_value=1, max_value=2**63 - 1, help_text="A nudge or break event's id.")
    response = serializers.ChoiceField(choices=[SNOOZE])
    snooze_minutes = serializers.ChoiceField(choices=SNOOZE_MINUTES)


RESPOND_REQUEST = PolymorphicProxySerializer(
    component_name="Respond",
    serializers=[RespondAnswerInput, RespondSnoozeInput],
    resource_type_field_name=None,
)


class SessionListQuery(serializers.Serializer):
    state = serializers.ChoiceField(choices=("active", "ended"), required=False)
    person_id = serializers.UUIDField(required=False)


# An event id (ASCII digits that fit a bigint) or a time (focusflow.fields.parse_moment).
EVENT_ID_PATTERN = re.compile(r"^[0-9]{1,18}$")


@extend_schema_field(
    {"anyOf": [{"type": "string", "pattern": EVENT_ID_PATTERN.pattern}, {"type": "string", "format": "date-time"}]}
)
class EventCursorField(serializers.CharField):
    pass


class EventsQuery(serializers.Serializer):
    after = EventCursorField(required=False, max_length=64, help_text=f"An event id, or a time: {MOMENT_RULES}")
    limit = serializers.IntegerField(required=False, min_value=1, max_value=500, default=100)

    def validate_after(self, value: str):
        # Not str.isdigit(): it is true for "²" and other digits int() refuses.
        if EVENT_ID_PATTERN.match(value):
            return {"after_id": int(value)}
        try:
            return {"after_ts": parse_moment(value)}
        except UnstorableMoment as error:
            if error.code == "invalid":
                raise serializers.ValidationError("Give an event id or an RFC 3339 time with a UTC offset.") from None
            raise serializers.ValidationError(error.message, code=error.code) from None


@extend_schema_field({"type": "object", "additionalProperties": True})
class JsonObjectField(serializers.JSONField):
    """A stored JSON object (typed as an object in the schema, not a string)."""


class EventSerializer(serializers.ModelSerializer):
    session_id = serializers.UUIDField(read_only=True)
    content = JsonObjectField(
        read_only=True,
        help_text="What happened: for a nudge or break `kind`, `message`, `tone`, `reason`; for a tick the "
        "`reason` nothing was sent; for a ping the readings as sent (0-1).",
    )
    rhythm_snapshot = JsonObjectField(
        read_only=True, allow_null=True, help_text="energy, stress, fatigue (0-1) when the event was written."
    )
    task_snapshot = JsonObjectField(read_only=True, allow_null=True, help_text="The session's task then, if any.")
    emotion_snapshot = JsonObjectField(read_only=True, allow_null=True, help_text="The emotion baseline then.")

    class Meta:
        model = FocusEvent
        fields = [
            "id",
            "session_id",
            "event_type",
            "ts",
            "content",
            "rhythm_snapshot",
            "task_snapshot",
            "emotion_snapshot",
        ]


class SessionSerializer(serializers.ModelSerializer):
    session_id = serializers.UUIDField(source="id", read_only=True)
    task_id = serializers.UUIDField(read_only=True, allow_null=True)
    task_title = serializers.CharField(source="task.title", read_only=True, allow_null=True, default=None)
    is_active = serializers.BooleanField(read_only=True)
    paused_minutes = serializers.SerializerMethodField(help_text="Minutes paused so far (left out of every duration).")
    estimated_duration = serializers.IntegerField(read_only=True, help_text="Minutes planned (as estimated_minutes).")
    estimated_minutes = serializers.IntegerField(
        source="estimated_duration", read_only=True, help_text="Minutes planned."
    )
    actual_duration = serializers.FloatField(
        read_only=True,
        help_text="Session minutes so far (updated each tick and at the end), to two decimals. Kept for "
        "compatibility; `actual_minutes` is the figure the dashboard, CSV and admin show.",
    )
    actual_minutes = serializers.SerializerMethodField(
        help_text="How long the session ran, in session minutes to one decimal: the summary's "
        "`duration.actual_minutes` once ended, the minutes so far while it runs. The same number the "
        "dashboard, the CSV export and the admin show."
    )
    completion_score = serializers.FloatField(
        read_only=True, allow_null=True, help_text="0-1, as sent to /focus/end (the dashboard shows it as %)."
    )
    start_state = JsonObjectField(
        read_only=True, help_text="At the start: `rhythm` (energy, stress, fatigue 0-1), `task`, `emotion` baseline."
    )
    session_quality = serializers.JSONField(read_only=True, allow_null=True, help_text="Any JSON sent to /focus/end.")
    summary = JsonObjectField(
        read_only=True,
        allow_null=True,
        help_text="Once ended: `duration` (estimated_minutes, actual_minutes), `energy_curve` (points from "
        "this session's pings only), `flow_windows`, `friction_points`, `nudges`, `sentences`, `headline`.",
    )

    @extend_schema_field(serializers.FloatField())
    def get_actual_minutes(self, session: FocusSession) -> float:
        return session.actual_minutes()

    class Meta:
        model = FocusSession
        fields = [
            "session_id",
            "id",
            "person_id",
            "task_id",
            "task_title",
            "mode",
            "started_at",
            "ended_at",
            "estimated_duration",
            "estimated_minutes",
            "actual_duration",
            "actual_minutes",
            "completion_score",
            "session_quality",
            "start_state",
            "early_end",
            "is_active",
            "nudges_sent",
            "tick_count",
            "last_tick_at",
            "next_tick_at",
            "paused_at",
            "paused_minutes",
            "summary",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.FLOAT)
    def get_paused_minutes(self, session: FocusSession) -> float:
        return session.paused_minutes()


class LearnedQuery(serializers.Serializer):
    person_id = serializers.UUIDField(required=False, help_text="Service accounts: whose; others: their own.")


class LearnedKindSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ALLOWED_KINDS)
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="taken, snoozed, dismissed, ignored")
    factor = serializers.FloatField(help_text="How much this kind's spacing is stretched: 1 (as usual) to its limit.")
    sentence = serializers.CharField()


class LearnedSerializer(serializers.Serializer):
    person_id = serializers.UUIDField()
    kinds = LearnedKindSerializer(many=True)

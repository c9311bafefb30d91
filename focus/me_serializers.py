"""Shapes of /api/me/preferences and /api/me/export: a person's preferences and their data."""

from __future__ import annotations

import re
import zoneinfo
from datetime import time

from drf_spectacular.utils import OpenApiExample, extend_schema_field
from rest_framework import serializers

from focus.models import MAX_ESTIMATE_MINUTES, MIN_ESTIMATE_MINUTES, Mode
from focus.policy import NEVER_HELD, WEEKDAYS
from focus.vocabulary import ALLOWED_KINDS
from focusflow.fields import InputSerializer, StrictBooleanField, StrictIntegerField

HOLDABLE_KINDS = tuple(kind for kind in ALLOWED_KINDS if kind not in NEVER_HELD)
RECOVERY_BREAK_STAYS = (
    "A recovery break can't be turned off: it is the one suggestion sent when your stress or fatigue "
    "rises, to protect you rather than your plan. It is also sent outside your working hours."
)
MEETING_CHOICES = ("pause", "hold")
MEETINGS_HELP = (
    "When a meeting from your calendars starts during a session: pause it and resume it after the meeting, "
    "or hold: keep it running with every non-urgent nudge held."
)
MEETING_TITLES_HELP = "Write a meeting's title on the pause it causes (otherwise only that it was a meeting)."
TIME_ZONE_HELP = 'An IANA time zone name, e.g. "Europe/Berlin"; "": the browser\'s for pages, UTC for working hours.'


# The IANA names this machine knows (zoneinfo reads them from the system or the tzdata package);
# "" follows the browser.
TIME_ZONE_CHOICES = ["", *sorted(zoneinfo.available_timezones())]


class HeldKindsField(serializers.ListField):
    """Nudge kinds to hold. A recovery break is refused with the reason, not as an unknown kind."""

    child = serializers.ChoiceField(choices=HOLDABLE_KINDS)

    def to_internal_value(self, data):
        if isinstance(data, list) and any(isinstance(kind, str) and kind in NEVER_HELD for kind in data):
            raise serializers.ValidationError(RECOVERY_BREAK_STAYS, code="recovery_break_stays")
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as error:
            raise serializers.ValidationError(_flat(error.detail)) from None


def _flat(detail, prefix: str = "") -> list[str]:
    """Nested field errors as one list of sentences (the API's errors are {field: [sentence, ...]})."""
    if isinstance(detail, dict):
        return [m for key, value in detail.items() for m in _flat(value, f"{prefix}{key}: ")]
    if isinstance(detail, list):
        return [m for value in detail for m in _flat(value, prefix)]
    return [f"{prefix}{detail}"]


HOUR_MINUTE = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


@extend_schema_field({"type": "string", "pattern": HOUR_MINUTE, "example": "09:00"})
class HourMinuteField(serializers.Field):
    """A local clock time as "HH:MM" (24-hour), read as a datetime.time."""

    default_error_messages = {"invalid": 'A time as "HH:MM", 00:00-23:59.'}

    def to_internal_value(self, data) -> time:
        if not isinstance(data, str) or not re.fullmatch(HOUR_MINUTE, data):
            self.fail("invalid")
        return time(int(data[:2]), int(data[3:]))

    def to_representation(self, value) -> str:
        return value.strftime("%H:%M") if isinstance(value, time) else str(value)


class WorkingHoursSerializer(InputSerializer):
    start = HourMinuteField(help_text='Local time, "09:00".')
    end = HourMinuteField(help_text='Local time, "17:30"; at or before the start: past midnight (equal: 24 hours).')
    days = serializers.ListField(
        child=serializers.ChoiceField(choices=WEEKDAYS), min_length=1, max_length=7, help_text="mon … sun."
    )

    def validate(self, data):
        data["days"] = sorted(set(data["days"]), key=WEEKDAYS.index)
        return data


@extend_schema_field(WorkingHoursSerializer)
class WorkingHoursField(serializers.Field):
    """`working_hours` in a request: an object read by WorkingHoursSerializer, its errors flattened."""

    def to_internal_value(self, data) -> dict:
        serializer = WorkingHoursSerializer(data=data)
        if not serializer.is_valid():
            raise serializers.ValidationError(_flat(serializer.errors))
        return dict(serializer.validated_data)


def _working_hours_of(preferences) -> dict | None:
    if not preferences.has_working_hours:
        return None
    return {
        "start": preferences.work_start.strftime("%H:%M"),
        "end": preferences.work_end.strftime("%H:%M"),
        "days": list(preferences.work_days),
    }


class PreferencesSerializer(serializers.Serializer):
    person_id = serializers.UUIDField()
    held_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=HOLDABLE_KINDS),
        help_text="Nudge kinds never sent to you. recovery_break cannot be held.",
    )
    notifications = serializers.BooleanField(help_text="The live page shows a browser notification for a nudge.")
    sound = serializers.BooleanField(help_text="The live page plays a soft chime for a nudge.")
    default_estimate = serializers.IntegerField(help_text="Minutes: the start form's and a start's without one.")
    default_mode = serializers.ChoiceField(choices=Mode.choices, help_text="A start's mode when it names none.")
    time_zone = serializers.CharField(allow_blank=True, help_text=TIME_ZONE_HELP)
    working_hours = serializers.SerializerMethodField(
        help_text="Outside these hours only recovery breaks are sent; null: no working hours."
    )
    meetings = serializers.ChoiceField(choices=MEETING_CHOICES, help_text=MEETINGS_HELP)
    meeting_titles = serializers.BooleanField(help_text=MEETING_TITLES_HELP)
    updated_at = serializers.DateTimeField()

    @extend_schema_field(WorkingHoursSerializer(allow_null=True))
    def get_working_hours(self, preferences) -> dict | None:
        return _working_hours_of(preferences)


class PreferencesInput(InputSerializer):
    """PATCH: any of the fields; what is left out stays as it was."""

    person_id = serializers.UUIDField(required=False, allow_null=True, help_text="Service accounts only.")
    held_kinds = HeldKindsField(required=False)
    notifications = StrictBooleanField(required=False)
    sound = StrictBooleanField(required=False)
    default_estimate = StrictIntegerField(
        required=False, min_value=MIN_ESTIMATE_MINUTES, max_value=MAX_ESTIMATE_MINUTES, help_text="Minutes, 1-600."
    )
    default_mode = serializers.ChoiceField(choices=Mode.choices, required=False)
    time_zone = serializers.ChoiceField(
        choices=TIME_ZONE_CHOICES,
        required=False,
        help_text=TIME_ZONE_HELP,
        error_messages={"invalid_choice": 'Not a time zone this server knows: use an IANA name like "Europe/Berlin".'},
    )
    working_hours = WorkingHoursField(required=False, allow_null=True)
    meetings = serializers.ChoiceField(choices=MEETING_CHOICES, required=False, help_text=MEETINGS_HELP)
    meeting_titles = StrictBooleanField(required=False, help_text=MEETING_TITLES_HELP)

    def validate_held_kinds(self, value: list[str]) -> list[str]:
        return [kind for kind in HOLDABLE_KINDS if kind in value]  # once each, in the vocabulary's order


def preference_values(data: dict) -> dict:
    """Validated input as the model's fields (working_hours → work_start, work_end, work_days)."""
    values = {k: v for k, v in data.items() if k not in ("person_id", "working_hours")}
    if "working_hours" in data:
        hours = data["working_hours"]
        values["work_start"] = hours["start"] if hours else None
        values["work_end"] = hours["end"] if hours else None
        if hours:
            values["work_days"] = hours["days"]
    return values


PREFERENCES_EXAMPLE = OpenApiExample(
    "Preferences",
    value={
        "person_id": "6f1c2d4e-8a9b-4c3d-9e8f-7a6b5c4d3e2f",
        "held_kinds": ["check_in"],
        "notifications": True,
        "sound": False,
        "default_estimate": 45,
        "default_mode": "deep",
        "time_zone": "Europe/Berlin",
        "working_hours": {"start": "09:00", "end": "17:30", "days": ["mon", "tue", "wed", "thu", "fri"]},
        "updated_at": "2026-12-01T20:15:00Z",
    },
    response_only=True,
)
PREFERENCES_PATCH_EXAMPLE = OpenApiExample(
    "Hold check-ins, set working hours",
    value={
        "held_kinds": ["check_in"],
        "time_zone": "Europe/Berlin",
        "working_hours": {"start": "09:00", "end": "17:30", "days": ["mon", "tue", "wed", "thu", "fri"]},
    },
    request_only=True,
)


# --------------------------------------------------------------------------- your data

DELETE_PHRASE = "delete my account"


class PersonQuery(serializers.Serializer):
    person_id = serializers.UUIDField(required=False, help_text="Service accounts only: whose.")


class ExportSerializer(serializers.Serializer):
    """GET /api/me/export: one JSON file with every row held about the person."""

    format = serializers.CharField(help_text='"focusflow-export/1".')
    exported_at = serializers.DateTimeField()
    person_id = serializers.UUIDField()
    account = serializers.DictField(
        allow_null=True, help_text="The login: username, email, names, dates, API tokens (created, expiry)."
    )
    tables = serializers.DictField(
        child=serializers.ListField(child=serializers.DictField()),
        help_text="Table name → its rows about the person, every column: focus_sessions, focus_events, "
        "memory_short_term, personal_model, person_preferences, planner_tasks, rhythm_state, rhythm_samples, "
        "person_access_log, axes login records, and any table added later that holds a person_id.",
    )


class DeleteInput(InputSerializer):
    person_id = serializers.UUIDField(required=False, allow_null=True, help_text="Service accounts only: whose.")
    confirm = serializers.ChoiceField(
        choices=[DELETE_PHRASE], help_text=f'Must be "{DELETE_PHRASE}": the deletion cannot be undone.'
    )


class DeletedSerializer(serializers.Serializer):
    deleted = serializers.DictField(child=serializers.IntegerField(), help_text="Rows deleted, by table.")


EXPORT_EXAMPLE = OpenApiExample(
    "Export",
    value={
        "format": "focusflow-export/1",
        "exported_at": "2026-12-01T20:30:00Z",
        "person_id": "6f1c2d4e-8a9b-4c3d-9e8f-7a6b5c4d3e2f",
        "account": {"username": "alice", "email": "", "date_joined": "2026-11-02T08:00:00Z", "api_tokens": []},
        "tables": {
            "focus_sessions": [{"id": "0b7c…", "person_id": "6f1c…", "mode": "deep", "estimated_duration": 45}],
            "focus_events": [{"id": 1, "session_id": "0b7c…", "event_type": "session_start", "content": {}}],
            "person_preferences": [{"person_id": "6f1c…", "held_kinds": ["check_in"], "time_zone": "Europe/Berlin"}],
        },
    },
    response_only=True,
)
DELETE_EXAMPLE = OpenApiExample("Delete", value={"confirm": DELETE_PHRASE}, request_only=True)

from django.contrib import admin

from focusflow.admin import OperatorAdmin, local_time, person_cell, with_person_username
from rhythm.models import (
    MemoryShortTerm,
    PersonalModel,
    PersonPreferences,
    RhythmSample,
    RhythmState,
)

# Personal data (rhythm, samples, personal model, memory, and focus's sessions and events) shows in the
# admin only to superusers and to staff given that model's view permission: the staff flag alone
# opens the admin and shows none of it (Django's model permissions do the gating).


def _percent(value) -> str:
    return "–" if value is None else f"{round(value * 100)}%"


class PersonAdmin(OperatorAdmin):
    """A person by account name (person_id on hover), times in the operator's zone, named."""

    person_field = "person_id"

    def get_queryset(self, request):
        return with_person_username(super().get_queryset(request), self.person_field)

    @admin.display(description="person")
    def person(self, obj):
        return person_cell(getattr(obj, "person_username", None), getattr(obj, self.person_field))


@admin.register(RhythmState)
class RhythmStateAdmin(PersonAdmin):
    list_display = ["person", "energy_pct", "stress_pct", "fatigue_pct", "updated"]
    search_fields = ["person_id"]

    @admin.display(description="energy", ordering="energy")
    def energy_pct(self, obj):
        return _percent(obj.energy)

    @admin.display(description="stress", ordering="stress")
    def stress_pct(self, obj):
        return _percent(obj.stress)

    @admin.display(description="fatigue", ordering="fatigue")
    def fatigue_pct(self, obj):
        return _percent(obj.fatigue)

    @admin.display(description="updated", ordering="updated_at")
    def updated(self, obj):
        return local_time(obj.updated_at)


@admin.register(RhythmSample)
class RhythmSampleAdmin(PersonAdmin):
    list_display = ["person", "recorded", "source", "energy_pct", "stress_pct", "fatigue_pct"]
    list_filter = ["source", "recorded_at"]
    search_fields = ["person_id"]
    energy_pct, stress_pct, fatigue_pct = (
        RhythmStateAdmin.energy_pct,
        RhythmStateAdmin.stress_pct,
        RhythmStateAdmin.fatigue_pct,
    )

    @admin.display(description="recorded", ordering="recorded_at")
    def recorded(self, obj):
        return local_time(obj.recorded_at)


@admin.register(PersonalModel)
class PersonalModelAdmin(PersonAdmin):
    list_display = ["person", "emotion", "emotion_source", "habit", "last_session", "updated"]
    list_filter = ["emotion", "emotion_source"]
    search_fields = ["person_id"]

    @admin.display(description="focus habit strength", ordering="focus_habit_strength")
    def habit(self, obj):
        return _percent(obj.focus_habit_strength)

    @admin.display(description="last session", ordering="last_session_at")
    def last_session(self, obj):
        return local_time(obj.last_session_at)

    @admin.display(description="updated", ordering="updated_at")
    def updated(self, obj):
        return local_time(obj.updated_at)


@admin.register(MemoryShortTerm)
class MemoryShortTermAdmin(PersonAdmin):
    person_field = "user_id"
    list_display = ["person", "kind", "sentiment", "session_id", "created"]
    list_filter = ["kind", "created_at"]
    search_fields = ["user_id", "session_id"]
    readonly_fields = ["created_at"]

    @admin.display(description="created", ordering="created_at")
    def created(self, obj):
        return local_time(obj.created_at)


@admin.register(PersonPreferences)
class PersonPreferencesAdmin(admin.ModelAdmin):
    list_display = [
        "person_id",
        "time_zone",
        "default_estimate",
        "default_mode",
        "notifications",
        "sound",
        "updated_at",
    ]
    search_fields = ["person_id"]

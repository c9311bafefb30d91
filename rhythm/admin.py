from django.contrib import admin

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


@admin.register(RhythmState)
class RhythmStateAdmin(admin.ModelAdmin):
    list_display = ["person_id", "energy", "stress", "fatigue", "updated_at"]
    search_fields = ["person_id"]


@admin.register(RhythmSample)
class RhythmSampleAdmin(admin.ModelAdmin):
    list_display = ["person_id", "recorded_at", "source", "energy", "stress", "fatigue"]
    list_filter = ["source", "recorded_at"]
    search_fields = ["person_id"]


@admin.register(PersonalModel)
class PersonalModelAdmin(admin.ModelAdmin):
    list_display = ["person_id", "emotion", "emotion_source", "focus_habit_strength", "last_session_at", "updated_at"]
    list_filter = ["emotion", "emotion_source"]
    search_fields = ["person_id"]


@admin.register(MemoryShortTerm)
class MemoryShortTermAdmin(admin.ModelAdmin):
    list_display = ["user_id", "kind", "sentiment", "session_id", "created_at"]
    list_filter = ["kind", "created_at"]
    search_fields = ["user_id", "session_id"]
    readonly_fields = ["created_at"]


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

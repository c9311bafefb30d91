from django.contrib import admin

from rhythm.models import MemoryShortTerm, PersonAccount, PersonalModel, RhythmSample, RhythmState


@admin.register(PersonAccount)
class PersonAccountAdmin(admin.ModelAdmin):
    list_display = ["user", "person_id"]
    search_fields = ["user__username", "person_id"]
    readonly_fields = ["person_id"]


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

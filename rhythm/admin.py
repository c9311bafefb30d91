from django.contrib import admin

from rhythm.models import (
    MemoryShortTerm,
    PersonAccess,
    PersonAccount,
    PersonalModel,
    RhythmSample,
    RhythmState,
)

# Personal data (rhythm, samples, personal model, memory, and focus's sessions and events) shows in the
# admin only to superusers and to staff given that model's view permission: the staff flag alone
# opens the admin and shows none of it (Django's model permissions do the gating).


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


@admin.register(PersonAccess)
class PersonAccessAdmin(admin.ModelAdmin):
    """The audit of service accounts acting for people: superusers read it; nobody edits it."""

    list_display = ["at", "actor_username", "person_id", "method", "path", "status"]
    list_filter = ["method", "at"]
    search_fields = ["actor_username", "person_id", "path"]
    date_hierarchy = "at"
    readonly_fields = [f.name for f in PersonAccess._meta.fields]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

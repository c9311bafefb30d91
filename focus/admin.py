from django.contrib import admin, messages

from focus import services
from focus.models import FocusEvent, FocusSession
from focusflow.errors import DomainError


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("active", "Active"), ("ended", "Ended")]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.filter(ended_at__isnull=True)
        if self.value() == "ended":
            return queryset.filter(ended_at__isnull=False)
        return queryset


class FocusEventInline(admin.TabularInline):
    model = FocusEvent
    fields = ["ts", "event_type", "content", "rhythm_snapshot", "task_snapshot", "emotion_snapshot"]
    readonly_fields = fields
    ordering = ["-ts", "-id"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(FocusSession)
class FocusSessionAdmin(admin.ModelAdmin):
    list_display = ["id", "person_id", "mode", "started_at", "duration", "state", "nudges_sent", "early_end"]
    list_filter = [StateFilter, "mode", "early_end", "started_at"]
    search_fields = ["id", "person_id"]
    date_hierarchy = "started_at"
    readonly_fields = [f.name for f in FocusSession._meta.fields]
    inlines = [FocusEventInline]
    actions = ["end_sessions"]
    list_select_related = ["task"]

    @admin.display(description="duration (min)", ordering="actual_duration")
    def duration(self, obj):
        return f"{obj.actual_duration:.1f} / {obj.estimated_duration}"

    @admin.display(description="state", boolean=False, ordering="ended_at")
    def state(self, obj):
        return "active" if obj.ended_at is None else "ended"

    def has_add_permission(self, request):
        return False  # sessions start through the API, which records their start state

    @admin.action(description="End selected sessions", permissions=["change"])
    def end_sessions(self, request, queryset):
        ended = 0
        for session_id in queryset.filter(ended_at__isnull=True).values_list("id", flat=True):
            try:
                services.session_end(session_id=session_id, person_id=None, session_quality={"ended_by": "admin"})
                ended += 1
            except DomainError:
                continue  # ended meanwhile by its owner
        self.message_user(request, f"Ended {ended} session(s).", messages.SUCCESS)


@admin.register(FocusEvent)
class FocusEventAdmin(admin.ModelAdmin):
    list_display = ["ts", "event_type", "session", "short_content"]
    list_filter = ["event_type", "ts"]
    search_fields = ["session__id"]
    readonly_fields = [f.name for f in FocusEvent._meta.fields]
    list_select_related = ["session"]

    @admin.display(description="content")
    def short_content(self, obj):
        content = obj.content or {}
        return content.get("message") or content.get("detail") or content.get("reason") or ""

    def has_add_permission(self, request):
        return False


# Webhook endpoints and deliveries (focus/webhooks/admin.py registers them).
from focus.webhooks import admin as webhooks_admin  # noqa: E402, F401

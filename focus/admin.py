from django.contrib import admin, messages

from focus import controls, services
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
    actions = ["end_sessions", "pause_sessions", "resume_sessions"]
    list_select_related = ["task"]

    @admin.display(description="duration (min)", ordering="actual_duration")
    def duration(self, obj):
        return f"{obj.actual_duration:.1f} / {obj.estimated_duration}"

    @admin.display(description="state", boolean=False, ordering="ended_at")
    def state(self, obj):
        if obj.ended_at is not None:
            return "ended"
        return "paused" if obj.paused_at is not None else "active"

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

    @admin.action(description="Pause selected sessions", permissions=["change"])
    def pause_sessions(self, request, queryset):
        self._control(request, queryset.filter(ended_at__isnull=True, paused_at__isnull=True), controls.pause_session)

    @admin.action(description="Resume selected sessions", permissions=["change"])
    def resume_sessions(self, request, queryset):
        self._control(request, queryset.filter(ended_at__isnull=True, paused_at__isnull=False), controls.resume_session)

    def _control(self, request, queryset, control) -> None:
        done = 0
        for session_id in queryset.values_list("id", flat=True):
            try:
                control(session_id=session_id)
                done += 1
            except DomainError:
                continue  # ended, paused or resumed meanwhile
        verb = "Paused" if control is controls.pause_session else "Resumed"
        self.message_user(request, f"{verb} {done} session(s).", messages.SUCCESS)


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

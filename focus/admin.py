"""Sessions and events for an operator: who (account name), what (task, mode), how it went (state,
minutes as the dashboard counts them, nudges, early end), in the operator's zone; each session's
events read as the feed words them, with their stored JSON behind a disclosure."""

from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join

from focus import controls, services
from focus.clock import duration_text
from focus.dashboard.feed import feed_item, tick_text
from focus.models import EventType, FocusEvent, FocusSession
from focus.vocabulary import friction_label
from focusflow.admin import OperatorAdmin, json_details, local_time, person_cell, with_person_username
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


def event_text(event: FocusEvent) -> str:
    """One event in words: the feed's title and message, a tick's reason, the end's figures."""
    content = event.content if isinstance(event.content, dict) else {}
    if event.event_type == EventType.TICK:
        return f"Nothing sent: {tick_text(content)}"
    if event.event_type == EventType.SESSION_START:
        return "Session started"
    item = feed_item(event_id=event.id, event_type=event.event_type, ts=event.ts, content=content)
    if item:
        return " · ".join(part for part in (item["title"], item["message"]) if part)
    return event.get_event_type_display()


def _minutes(value) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def snapshot_text(snapshot) -> str:
    """A rhythm snapshot as a person reads it: "energy 42%, stress 10%, fatigue 20%"."""
    if not isinstance(snapshot, dict):
        return "–"
    parts = [
        f"{key} {round(value * 100)}%"
        for key in ("energy", "stress", "fatigue")
        if isinstance(value := snapshot.get(key), (int, float)) and not isinstance(value, bool)
    ]
    return ", ".join(parts) or "–"


class EventColumns:
    """The columns an event shows in the admin, in its list, its page and a session's inline."""

    @admin.display(description="when", ordering="ts")
    def when(self, obj):
        return local_time(obj.ts, seconds=True)

    @admin.display(description="what")
    def what(self, obj):
        return event_text(obj)

    @admin.display(description="rhythm then")
    def rhythm(self, obj):
        return snapshot_text(obj.rhythm_snapshot)

    @admin.display(description="stored JSON")
    def stored(self, obj):
        return json_details(
            {
                "content": obj.content,
                "rhythm_snapshot": obj.rhythm_snapshot,
                "task_snapshot": obj.task_snapshot,
                "emotion_snapshot": obj.emotion_snapshot,
            }
        )


class FocusEventInline(EventColumns, admin.TabularInline):
    model = FocusEvent
    fields = ["when", "event_type", "what", "rhythm", "stored"]
    readonly_fields = fields
    ordering = ["-ts", "-id"]
    extra = 0
    can_delete = False
    show_change_link = True
    max_num = 0

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(FocusSession)
class FocusSessionAdmin(OperatorAdmin):
    list_display = ["started", "person", "task_title", "mode", "minutes", "state", "nudges_sent", "early_end"]
    list_display_links = ["started"]
    list_filter = [StateFilter, "mode", "early_end", "started_at"]
    search_fields = ["id", "person_id", "task__title"]
    date_hierarchy = "started_at"
    inlines = [FocusEventInline]
    actions = ["end_sessions", "pause_sessions", "resume_sessions"]
    list_select_related = ["task"]
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["person", "task_title", "mode", "state", "started", "ended", "minutes", "completion"]}),
        ("How it went", {"fields": ["summary_text", "nudges_sent", "early_end", "summary_json"]}),
        ("At the start", {"fields": ["start_state_text", "start_state_json", "quality_json"]}),
        (
            "Scheduling",
            {
                "classes": ["collapse"],
                "fields": ["id", "next_tick", "last_tick", "tick_count", "tick_seq", "ping_count"],
            },
        ),
    ]
    readonly_fields = [
        "id",
        "person",
        "task_title",
        "mode",
        "state",
        "started",
        "ended",
        "minutes",
        "completion",
        "summary_text",
        "nudges_sent",
        "early_end",
        "summary_json",
        "start_state_text",
        "start_state_json",
        "quality_json",
        "next_tick",
        "last_tick",
        "tick_count",
        "tick_seq",
        "ping_count",
    ]

    def get_queryset(self, request):
        return with_person_username(super().get_queryset(request))

    @admin.display(description="person")
    def person(self, obj):
        return person_cell(getattr(obj, "person_username", None), obj.person_id)

    @admin.display(description="task", ordering="task__title")
    def task_title(self, obj):
        return obj.task.title if obj.task_id and obj.task else "–"

    @admin.display(description="started", ordering="started_at")
    def started(self, obj):
        return local_time(obj.started_at, short=True)

    @admin.display(description="ended", ordering="ended_at")
    def ended(self, obj):
        return local_time(obj.ended_at, short=True)

    @admin.display(description="minutes", ordering="actual_duration")
    def minutes(self, obj):
        """The dashboard's figure (FocusSession.actual_minutes), worded as it words it, of the estimate."""
        return f"{duration_text(obj.actual_minutes(), 'short')} of {obj.estimated_duration} min"

    @admin.display(description="state", ordering="ended_at")
    def state(self, obj):
        if obj.ended_at is not None:
            return "ended"
        return "paused" if obj.paused_at is not None else "active"

    @admin.display(description="done")
    def completion(self, obj):
        return "–" if obj.completion_score is None else f"{round(obj.completion_score * 100)}%"

    @admin.display(description="summary")
    def summary_text(self, obj):
        summary = obj.summary if isinstance(obj.summary, dict) else {}
        if not summary:
            return "No summary yet." if obj.ended_at is None else "No summary was recorded."
        sentences = [str(s) for s in summary.get("sentences") or []] or [str(summary.get("headline") or "")]
        friction = [f for f in summary.get("friction_points") or [] if isinstance(f, dict)]
        items = format_html_join(
            "",
            "<li>{} at {}: {}</li>",
            (
                (friction_label(f.get("kind")), duration_text(_minutes(f.get("at_minute")), "short"), f.get("detail"))
                for f in friction
            ),
        )
        return format_html("<p>{}</p><ul>{}</ul>", " ".join(sentences), items) if friction else " ".join(sentences)

    @admin.display(description="summary JSON")
    def summary_json(self, obj):
        return json_details(obj.summary)

    @admin.display(description="start state")
    def start_state_text(self, obj):
        state = obj.start_state if isinstance(obj.start_state, dict) else {}
        rhythm = snapshot_text(state.get("rhythm"))
        emotion = state.get("emotion")
        emotion = emotion.get("emotion") if isinstance(emotion, dict) else emotion
        return f"Rhythm {rhythm}; emotion baseline {emotion or 'unknown'}"

    @admin.display(description="start state JSON")
    def start_state_json(self, obj):
        return json_details(obj.start_state)

    @admin.display(description="session quality JSON")
    def quality_json(self, obj):
        return json_details(obj.session_quality)

    @admin.display(description="next tick due")
    def next_tick(self, obj):
        return local_time(obj.next_tick_at, seconds=True)

    @admin.display(description="last tick")
    def last_tick(self, obj):
        return local_time(obj.last_tick_at, seconds=True)

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
class FocusEventAdmin(EventColumns, OperatorAdmin):
    list_display = ["when", "event_type", "session", "what"]
    list_filter = ["event_type", "ts"]
    search_fields = ["session__id"]
    list_select_related = ["session"]
    fields = ["session", "when", "event_type", "what", "rhythm", "stored"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False


# Webhook endpoints and deliveries (focus/webhooks/admin.py registers them).
from focus.webhooks import admin as webhooks_admin  # noqa: E402, F401

"""The admin's view of calendar feeds: their state, fetches, failures and backoff. Never a feed's
contents, its busy times or its address's path (which often holds a private token): the host only."""

from django.contrib import admin

from planner.calendars.models import CalendarFeed


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["id", "person_id", "source", "host", "state", "failures", "last_error", "next_fetch_at"]
    list_filter = ["state", "source"]
    search_fields = ["person_id"]
    fields = [
        "id",
        "person_id",
        "source",
        "host",
        "state",
        "busy_count",
        "failures",
        "last_error",
        "last_status_code",
        "last_fetch_at",
        "last_success_at",
        "next_fetch_at",
        "created_at",
    ]
    readonly_fields = fields

    @admin.display(description="host")
    def host(self, obj):
        return obj.host or "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

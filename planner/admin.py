from django.contrib import admin

from planner.models import Task


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["title", "person_id", "status", "priority", "estimate", "due"]
    list_filter = ["status", "priority"]
    search_fields = ["title", "person_id"]


# Calendar feeds' state (planner/calendars/admin.py registers it).
from planner.calendars import admin as calendars_admin  # noqa: E402, F401

from django.contrib import admin

from focusflow.admin import OperatorAdmin, person_cell, with_person_username
from planner.models import Task


@admin.register(Task)
class TaskAdmin(OperatorAdmin):
    list_display = ["title", "person", "status", "priority", "estimate", "due"]
    list_filter = ["status", "priority"]
    search_fields = ["title", "person_id"]

    def get_queryset(self, request):
        return with_person_username(super().get_queryset(request))

    @admin.display(description="person")
    def person(self, obj):
        return person_cell(getattr(obj, "person_username", None), obj.person_id)


# Calendar feeds' state (planner/calendars/admin.py registers it).
from planner.calendars import admin as calendars_admin  # noqa: E402, F401

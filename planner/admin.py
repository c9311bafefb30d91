from django.contrib import admin

from planner.models import Task


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["title", "person_id", "status", "priority", "estimate", "due"]
    list_filter = ["status", "priority"]
    search_fields = ["title", "person_id"]

"""Planner tasks: what a focus session works on."""

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class Task(models.Model):
    class Status(models.TextChoices):
        TODO = "todo"
        IN_PROGRESS = "in_progress"
        DONE = "done"

    class Priority(models.IntegerChoices):
        LOW = 1
        NORMAL = 2
        HIGH = 3
        URGENT = 4

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person_id = models.UUIDField(db_index=True)
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.TODO)
    estimate = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
        help_text="Estimated minutes.",
    )
    due = models.DateTimeField(null=True, blank=True)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "planner_tasks"
        ordering = ["-priority", "due", "created_at"]

    def __str__(self) -> str:
        return self.title

    def as_snapshot(self) -> dict:
        return {
            "id": str(self.id),
            "title": self.title,
            "status": self.status,
            "estimate": self.estimate,
            "due": self.due.isoformat() if self.due else None,
            "priority": self.priority,
        }


# Calendar feeds and busy times, loaded with planner's models (planner/calendars/).
from planner.calendars.models import BusyTime, CalendarFeed  # noqa: E402, F401

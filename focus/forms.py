"""Dashboard forms: they validate what a person typed and turn it into service arguments.

Ranges come from the API's serializers (focus/serializers.py) so the dashboard and the API accept
the same values. Sliders are percentages (0-100) on the page and unit values (0-1) in the services.
"""

from __future__ import annotations

from typing import Any

from django import forms

from focus.models import MAX_ESTIMATE_MINUTES, MIN_ESTIMATE_MINUTES, Mode
from focus.serializers import MAX_NOTE_LENGTH
from planner.models import Task

NEW_TASK = "new"
ESTIMATE_PRESETS = (25, 45, 90)
DISTRACTED_FOCUS = 0.2  # "I got distracted" reads as low self-rated focus (the policy's low_focus is 0.3)
DISTRACTED_NOTE = "I got distracted"
RATINGS = [("", "No rating"), ("1", "1 · rough"), ("2", "2"), ("3", "3 · okay"), ("4", "4"), ("5", "5 · great")]


class StartForm(forms.Form):
    task = forms.ChoiceField(label="Task", required=False)
    new_task_title = forms.CharField(
        label="New task",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "What will you work on?"}),
    )
    estimated_duration = forms.IntegerField(
        label="Estimated minutes",
        min_value=MIN_ESTIMATE_MINUTES,
        max_value=MAX_ESTIMATE_MINUTES,
        initial=25,
    )
    mode = forms.ChoiceField(label="Mode", choices=Mode.choices, initial=Mode.DEEP, widget=forms.RadioSelect)

    def __init__(self, *args, tasks: list[Task], **kwargs):
        super().__init__(*args, **kwargs)
        self.tasks = {str(task.id): task for task in tasks}
        self.fields["task"].choices = [
            ("", "No task"),
            *((key, t.title) for key, t in self.tasks.items()),
            (NEW_TASK, "+ New task…"),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        choice = data.get("task") or ""
        title = (data.get("new_task_title") or "").strip()
        data["new_task_title"] = title
        if choice == NEW_TASK and not title:
            self.add_error("new_task_title", "Give the new task a title.")
        elif choice not in ("", NEW_TASK) and title:
            self.add_error("new_task_title", "Pick an existing task or type a new one, not both.")
        data["task_id"] = self.tasks[choice].id if choice in self.tasks else None
        data["create_task"] = bool(title) and choice in ("", NEW_TASK)
        return data


def _percent_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=False, min_value=0, max_value=100)


class PingForm(forms.Form):
    energy = _percent_field("Energy")
    stress = _percent_field("Stress")
    focus = _percent_field("Focus")
    note = forms.CharField(label="Note", required=False, max_length=MAX_NOTE_LENGTH)
    distracted = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        values: dict[str, Any] = {
            name: data[name] / 100 for name in ("energy", "stress", "focus") if data.get(name) is not None
        }
        note = (data.get("note") or "").strip()
        if data.get("distracted"):
            values["focus"] = min(values.get("focus", DISTRACTED_FOCUS), DISTRACTED_FOCUS)
            note = f"{DISTRACTED_NOTE}: {note}" if note else DISTRACTED_NOTE
        if note:
            values["note"] = note[:MAX_NOTE_LENGTH]
        if not values:
            raise forms.ValidationError("Move a slider or write a note first.")
        data["values"] = values
        return data


class EndForm(forms.Form):
    completion = forms.IntegerField(
        label="How much of what you planned got done?", required=False, min_value=0, max_value=100
    )
    rating = forms.TypedChoiceField(
        label="How did it feel?", required=False, choices=RATINGS, coerce=int, empty_value=None
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "Anything to remember next time?"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        quality: dict[str, Any] = {}
        if data.get("rating") is not None:
            quality["rating"] = data["rating"]
        if note := (data.get("note") or "").strip():
            quality["note"] = note
        data["session_quality"] = quality or None
        data["completion_score"] = data["completion"] / 100 if data.get("completion") is not None else None
        return data

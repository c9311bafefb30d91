from django.core.validators import RegexValidator
from rest_framework import serializers

from focusflow.fields import InputModelSerializer, StrictIntegerField
from planner.models import Task


class TaskSerializer(InputModelSerializer):
    """A task, in and out; `due` (like every input time) is read by focusflow.fields.MomentField."""

    person_id = serializers.UUIDField(required=False, help_text="Staff only: the person the task is for.")
    # Lengths count what was sent (as the schema's maxLength does), then the title is stored trimmed;
    # a title of only whitespace is refused (the schema's pattern says so).
    title = serializers.CharField(
        max_length=200, trim_whitespace=False, validators=[RegexValidator(r"\S", message="Give the task a title.")]
    )
    estimate = StrictIntegerField(required=False, allow_null=True, min_value=1, max_value=600)
    priority = serializers.ChoiceField(choices=Task.Priority.choices, required=False)

    def validate_title(self, value: str) -> str:
        return value.strip()

    class Meta:
        model = Task
        fields = ["id", "person_id", "title", "status", "estimate", "due", "priority", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class TaskQuery(serializers.Serializer):
    status = serializers.ChoiceField(choices=Task.Status.choices, required=False)

from rest_framework import serializers

from focusflow.fields import RejectUnknownFields, StrictIntegerField
from planner.models import Task


class TaskSerializer(RejectUnknownFields, serializers.ModelSerializer):
    person_id = serializers.UUIDField(required=False, help_text="Staff only: the person the task is for.")
    estimate = StrictIntegerField(required=False, allow_null=True, min_value=1, max_value=600)
    priority = serializers.ChoiceField(choices=Task.Priority.choices, required=False)

    class Meta:
        model = Task
        fields = ["id", "person_id", "title", "status", "estimate", "due", "priority", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class TaskQuery(serializers.Serializer):
    status = serializers.ChoiceField(choices=Task.Status.choices, required=False)

"""Planner tasks CRUD at /planner/tasks/; a person sees only their own tasks."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from focusflow.fields import validated
from focusflow.people import PersonAccessAudit, acting_person_id, visible_person_id
from planner import services
from planner.models import Task
from planner.serializers import TaskQuery, TaskSerializer


@extend_schema_view(
    list=extend_schema(summary="List your tasks", description="`?status=todo|in_progress|done`."),
    create=extend_schema(summary="Add a task", description="A task a focus session can work on."),
    retrieve=extend_schema(summary="One task"),
    update=extend_schema(summary="Replace a task"),
    partial_update=extend_schema(summary="Change a task"),
    destroy=extend_schema(summary="Delete a task", description="Its sessions keep their record, without the task."),
)
@extend_schema(tags=["planner"])
class TaskViewSet(PersonAccessAudit, viewsets.ModelViewSet):
    serializer_class = TaskSerializer
    lookup_value_regex = "[0-9a-fA-F-]{32,36}"

    @extend_schema(parameters=[TaskQuery])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        tasks = Task.objects.all()
        person_id = visible_person_id(self.request)
        if person_id is not None:
            tasks = tasks.filter(person_id=person_id)
        if self.action == "list":
            status = validated(TaskQuery, self.request.query_params).get("status")
            if status:
                tasks = tasks.filter(status=status)
        return tasks

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        person_id = acting_person_id(self.request, data.pop("person_id", None))
        serializer.instance = services.task_create(person_id=person_id, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        if "person_id" in data:  # moving a task to another person is a service account's act
            data["person_id"] = acting_person_id(self.request, data["person_id"])
        serializer.instance = services.task_update(task=serializer.instance, **data)

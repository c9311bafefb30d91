"""Planner task writes."""

from __future__ import annotations

import uuid

from planner.models import Task


def task_create(*, person_id: uuid.UUID, **fields) -> Task:
    task = Task(person_id=person_id, **fields)
    task.full_clean()
    task.save()
    return task


def task_update(*, task: Task, **fields) -> Task:
    for name, value in fields.items():
        setattr(task, name, value)
    task.full_clean()
    task.save()
    return task

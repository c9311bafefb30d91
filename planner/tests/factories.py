import uuid

import factory

from planner.models import Task


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    person_id = factory.LazyFunction(uuid.uuid4)
    title = factory.Sequence(lambda n: f"Task {n}")
    estimate = 45

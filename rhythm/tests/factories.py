import uuid

import factory

from rhythm.models import MemoryShortTerm, PersonalModel


class PersonalModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PersonalModel

    person_id = factory.LazyFunction(uuid.uuid4)


class MemoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemoryShortTerm

    user_id = factory.LazyFunction(uuid.uuid4)
    kind = "note"
    content = factory.LazyFunction(dict)

import uuid

import factory
from django.utils import timezone

from focus.models import EventType, FocusEvent, FocusSession, Mode


class FocusSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FocusSession

    person_id = factory.LazyFunction(uuid.uuid4)
    mode = Mode.DEEP
    started_at = factory.LazyFunction(timezone.now)
    estimated_duration = 45
    next_tick_at = factory.SelfAttribute("started_at")
    start_state = factory.LazyFunction(lambda: {"rhythm": {"energy": 0.6, "stress": 0.3, "fatigue": 0.3}})


class FocusEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FocusEvent

    session = factory.SubFactory(FocusSessionFactory)
    event_type = EventType.TICK
    ts = factory.LazyFunction(timezone.now)
    content = factory.LazyFunction(lambda: {"reason": "nothing_to_say", "detail": "All calm."})

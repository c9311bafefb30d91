"""The emotion baseline: moved by sentiment-bearing memories and rhythm updates, backfilled in one
UPDATE that agrees with the seed's SQL, never read as NULL."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from focus.tests.test_seed_sql import SEED_EMOTION_BACKFILL
from rhythm.models import MemoryShortTerm, PersonalModel
from rhythm.selectors import emotion_baseline
from rhythm.services import emotion_backfill, memory_write, rhythm_update
from rhythm.tests.factories import MemoryFactory, PersonalModelFactory

pytestmark = pytest.mark.django_db


def test_a_person_with_no_signal_reads_neutral_from_default():
    assert emotion_baseline(person_id=uuid.uuid4()) == {"emotion": "neutral", "source": "default"}


@pytest.mark.parametrize(
    "sentiment, emotion",
    [
        (0.9, "positive"),
        (0.26, "positive"),
        (0.25, "neutral"),
        (0.0, "neutral"),
        (-0.25, "neutral"),
        (-0.26, "negative"),
    ],
)
def test_a_memory_with_a_sentiment_moves_the_baseline(sentiment, emotion):
    person = uuid.uuid4()
    memory_write(person_id=person, kind="note", content={"text": "hi"}, sentiment=sentiment)
    assert emotion_baseline(person_id=person) == {"emotion": emotion, "source": "memory"}


def test_a_rhythm_update_refreshes_the_baseline_from_the_latest_memory():
    person = uuid.uuid4()
    MemoryFactory(user_id=person, sentiment=Decimal("-0.8"))  # written around the service
    assert emotion_baseline(person_id=person)["source"] == "default"
    rhythm_update(person_id=person, stress=0.4)
    assert emotion_baseline(person_id=person) == {"emotion": "negative", "source": "memory"}


def _dataset():
    """People with rising, falling, flat, missing and absent signals; no ties on created_at."""
    now = timezone.now()
    people = [uuid.uuid4() for _ in range(8)]
    sentiments = [
        [Decimal("-0.9"), Decimal("0.6")],
        [Decimal("0.8"), Decimal("-0.4")],
        [Decimal("0.1")],
        [None],
        [Decimal("0.25")],
        [Decimal("-0.26"), None],
        [],
        [Decimal("0.3")],
    ]
    for index, (person, values) in enumerate(zip(people, sentiments)):
        PersonalModelFactory(person_id=person, emotion="negative" if index == 7 else None)
        for age, value in enumerate(reversed(values)):
            memory = MemoryFactory(user_id=person, sentiment=value)
            MemoryShortTerm.objects.filter(pk=memory.pk).update(created_at=now - timedelta(minutes=age))
    return people


def _emotions():
    return dict(PersonalModel.objects.values_list("person_id", "emotion"))


def test_the_backfill_command_and_the_seeds_update_agree():
    _dataset()
    with connection.cursor() as cursor:
        cursor.execute(SEED_EMOTION_BACKFILL)
        seed_changed = cursor.rowcount
    assert seed_changed == 6  # everyone with a sentiment whose emotion differs
    by_seed = _emotions()
    PersonalModel.objects.update(emotion=None)
    PersonalModel.objects.filter(pk=PersonalModel.objects.order_by("pk").last().pk).update(emotion="negative")

    ours_changed = emotion_backfill()
    assert _emotions() == by_seed
    assert ours_changed == seed_changed
    assert emotion_backfill() == 0  # idempotent, like the seed's IS DISTINCT FROM


def test_the_management_command_reports_what_it_changed(capsys):
    person = uuid.uuid4()
    PersonalModelFactory(person_id=person)
    MemoryFactory(user_id=person, sentiment=Decimal("0.7"))
    call_command("backfill_emotion")
    assert "1 person" in capsys.readouterr().out
    assert PersonalModel.objects.get(person_id=person).emotion_source == "backfill"

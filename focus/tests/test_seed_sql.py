"""The seed's own SQL runs unchanged against our tables (../shared/seed/000_1d4303244e3a336a.txt)."""

import json
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from focus.tests.factories import FocusEventFactory, FocusSessionFactory
from rhythm.models import MemoryShortTerm, PersonalModel
from rhythm.tests.factories import MemoryFactory, PersonalModelFactory

pytestmark = pytest.mark.django_db

# Verbatim from the seed's "Minimal Test Flow", step 2 (with the session id filled in).
SEED_EVENT_CHECK = (
    "SELECT event_type, ts, content FROM focus_events WHERE session_id='{session_id}' ORDER BY ts DESC LIMIT 10;"
)

# Verbatim from the seed's "Integration Notes" (the optional emotion backfill).
SEED_EMOTION_BACKFILL = """UPDATE personal_model pm
SET emotion = CASE
  WHEN ls.sentiment::float > 0.25 THEN 'positive'
  WHEN ls.sentiment::float < -0.25 THEN 'negative'
  ELSE 'neutral'
END
FROM (
  SELECT user_id::uuid AS user_id, sentiment
  FROM memory_short_term mst
  WHERE sentiment IS NOT NULL
    AND mst.created_at = (
      SELECT MAX(created_at) FROM memory_short_term WHERE user_id = mst.user_id AND sentiment IS NOT NULL
    )
) ls
WHERE pm.person_id = ls.user_id
  AND pm.emotion IS DISTINCT FROM CASE
    WHEN ls.sentiment::float > 0.25 THEN 'positive'
    WHEN ls.sentiment::float < -0.25 THEN 'negative'
    ELSE 'neutral'
  END;"""


def test_the_seed_event_check_lists_the_newest_ten_events():
    session = FocusSessionFactory()
    start = timezone.now()
    for minute in range(12):
        FocusEventFactory(
            session=session,
            ts=start + timedelta(minutes=minute),
            content={"reason": "nothing_to_say", "score": Decimal("0.5"), "at": start, "id": session.id},
        )
    with connection.cursor() as cursor:
        cursor.execute(SEED_EVENT_CHECK.format(session_id=session.id))
        rows = cursor.fetchall()
    assert len(rows) == 10
    assert [row[1] for row in rows] == sorted((row[1] for row in rows), reverse=True)
    assert rows[0][0] == "tick"
    content = json.loads(rows[0][2])  # Django's connection hands jsonb back as text
    assert content["score"] == 0.5 and content["id"] == str(session.id)  # sanitized JSON: Decimal/UUID/datetime


def test_the_seed_emotion_backfill_sets_emotion_from_the_latest_sentiment():
    now = timezone.now()
    happy, sad, calm, silent = (uuid.uuid4() for _ in range(4))
    for person in (happy, sad, calm, silent):
        PersonalModelFactory(person_id=person)
    MemoryFactory(user_id=happy, sentiment=Decimal("-0.9"))  # older, superseded below
    MemoryFactory(user_id=sad, sentiment=Decimal("0.8"))
    MemoryFactory(user_id=calm, sentiment=Decimal("0.1"))
    MemoryFactory(user_id=silent, sentiment=None)
    MemoryShortTerm.objects.filter(user_id__in=[happy, sad]).update(created_at=now - timedelta(hours=1))
    MemoryFactory(user_id=happy, sentiment=Decimal("0.6"))
    MemoryFactory(user_id=sad, sentiment=Decimal("-0.4"))

    with connection.cursor() as cursor:
        cursor.execute(SEED_EMOTION_BACKFILL)
        assert cursor.rowcount == 3

    emotions = dict(PersonalModel.objects.values_list("person_id", "emotion"))
    assert emotions == {happy: "positive", sad: "negative", calm: "neutral", silent: None}

    with connection.cursor() as cursor:  # running it again changes nothing (IS DISTINCT FROM)
        cursor.execute(SEED_EMOTION_BACKFILL)
        assert cursor.rowcount == 0

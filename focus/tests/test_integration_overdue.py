"""The max-age sweep with real processes: two beats and two workers (time-compressed, a maximum of
a few seconds) end each forgotten session exactly once, after which nothing more is written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from focus.models import EventType, FocusEvent, FocusSession
from focus.tests.factories import FocusSessionFactory
from focus.tests.stack import Stack, stack_env, wait_for
from rhythm.models import MemoryShortTerm

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

MAX_HOURS = 0.002  # 7.2 s; the sweep then runs every second (settings.OVERDUE_SWEEP_SECONDS)


@pytest.fixture
def overdue_stack(transactional_db, broker, tmp_path):
    processes = Stack(workdir=tmp_path, env=stack_env(broker_url=broker.url, FOCUS_MAX_SESSION_HOURS=str(MAX_HOURS)))
    yield processes
    processes.stop()


def test_two_beats_and_two_workers_end_each_forgotten_session_once(overdue_stack):
    now = timezone.now()
    forgotten = [FocusSessionFactory(started_at=now - timedelta(seconds=i)) for i in range(5)]
    for _ in range(2):
        overdue_stack.worker()
        overdue_stack.beat()

    try:
        wait_for(
            lambda: not FocusSession.objects.filter(pk__in=[s.id for s in forgotten], ended_at__isnull=True).exists(),
            timeout=90,
            what="every forgotten session ended",
        )
    except AssertionError:
        print(overdue_stack.logs())
        raise
    for session in forgotten:
        session.refresh_from_db()
        assert session.early_end is True and session.summary["ended_automatically"] is True
        assert (session.ended_at - session.started_at).total_seconds() >= MAX_HOURS * 3600
        assert MemoryShortTerm.objects.filter(session_id=session.id).count() == 1
        ends = FocusEvent.objects.filter(session=session, event_type=EventType.SESSION_END)
        assert ends.count() == 1
        assert not FocusEvent.objects.filter(session=session, ts__gt=ends.get().ts).exists()

"""The sweep: claims due, un-leased, active sessions once; leases and sequences."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from focus import scheduler
from focus.models import FocusSession
from focus.tests.factories import FocusSessionFactory


@pytest.mark.django_db
def test_it_claims_only_due_unleased_active_sessions(settings):
    now = timezone.now()
    due = FocusSessionFactory(next_tick_at=now - timedelta(seconds=1))
    FocusSessionFactory(next_tick_at=now + timedelta(seconds=30))  # not due
    FocusSessionFactory(next_tick_at=now - timedelta(seconds=1), ended_at=now)  # ended
    FocusSessionFactory(next_tick_at=now - timedelta(seconds=1), lease_until=now + timedelta(seconds=5))  # leased
    expired = FocusSessionFactory(next_tick_at=now - timedelta(seconds=1), lease_until=now - timedelta(seconds=1))
    claims = scheduler.claim_due_sessions(now=now)
    assert sorted(claims) == sorted([(str(due.id), 1), (str(expired.id), 1)])
    due.refresh_from_db()
    assert due.lease_until == now + timedelta(seconds=settings.FOCUS_LEASE_SECONDS) and due.tick_seq == 1
    assert scheduler.claim_due_sessions(now=now) == []  # leased now


@pytest.mark.django_db
def test_a_lost_claim_is_claimed_again_when_its_lease_runs_out(settings):
    now = timezone.now()
    session = FocusSessionFactory(next_tick_at=now)
    assert scheduler.claim_due_sessions(now=now) == [(str(session.id), 1)]
    later = now + timedelta(seconds=settings.FOCUS_LEASE_SECONDS)
    assert scheduler.claim_due_sessions(now=later) == [(str(session.id), 2)]


@pytest.mark.django_db(transaction=True)
def test_overlapping_sweeps_never_claim_one_session_twice():
    now = timezone.now()
    ids = {str(FocusSessionFactory(next_tick_at=now).id) for _ in range(300)}
    results: list[list] = []
    barrier = threading.Barrier(3)

    def sweep():
        barrier.wait()
        try:
            results.append(scheduler.claim_due_sessions(now=now, limit=120))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    claimed = [session_id for batch in results for session_id, _ in batch]
    assert len(claimed) == len(set(claimed))
    assert set(claimed) <= ids
    assert FocusSession.objects.filter(tick_seq__gt=1).count() == 0


@pytest.mark.django_db
def test_dispatch_publishes_claims_in_chunks(settings, monkeypatch):
    now = timezone.now()
    for _ in range(250):
        FocusSessionFactory(next_tick_at=now)
    import redis

    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete(settings.FOCUS_QUEUE)
    assert scheduler.dispatch_due_ticks(now=now) == 250
    assert broker.llen(settings.FOCUS_QUEUE) == 3  # 100 + 100 + 50 sessions per message
    broker.delete(settings.FOCUS_QUEUE)


@pytest.mark.django_db
def test_a_sweep_claims_nothing_while_the_workers_are_a_backlog_behind(settings):
    import redis

    now = timezone.now()
    session = FocusSessionFactory(next_tick_at=now)
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete(settings.FOCUS_QUEUE)
    broker.lpush(settings.FOCUS_QUEUE, *[b"{}"] * scheduler.QUEUE_HIGH_WATER)
    try:
        assert scheduler.dispatch_due_ticks(now=now) == 0
        session.refresh_from_db()
        assert session.lease_until is None and session.tick_seq == 0  # left for a later sweep
        broker.delete(settings.FOCUS_QUEUE)
        assert scheduler.dispatch_due_ticks(now=now) == 1
    finally:
        broker.delete(settings.FOCUS_QUEUE)

"""The dispatcher's log (issue 15.10): a sweep is logged only when it sent something, and Celery's
own per-sweep INFO lines (beat's "Sending due task", the worker's "received" and "succeeded") are
dropped unless focus.scheduler logs at DEBUG, so they do not drown the access log."""

import logging

import pytest
import redis
from django.utils import timezone

from focus import scheduler
from focus.tests.factories import FocusSessionFactory


def _record(logger_name: str, level: int, message: str, *args) -> logging.LogRecord:
    return logging.getLogger(logger_name).makeRecord(logger_name, level, __file__, 1, message, args, None)


def _passes(record: logging.LogRecord) -> bool:
    return logging.getLogger(record.name).filter(record)


def test_celerys_per_sweep_info_lines_are_dropped_and_everything_else_kept():
    sending = _record("celery.beat", logging.INFO, "Scheduler: Sending due task %s (%s)", *[scheduler.SWEEP_TASK] * 2)
    succeeded = _record(
        "celery.app.trace", logging.INFO, "Task %s[%s] succeeded in %ss: %s", scheduler.SWEEP_TASK, "x", 0.01, 0
    )
    received = _record("celery.worker.strategy", logging.INFO, "Task %s[%s] received", scheduler.SWEEP_TASK, "x")
    tick = _record("celery.app.trace", logging.INFO, "Task %s[%s] succeeded", "focus.run_focus_ticks", "x")
    failed = _record("celery.app.trace", logging.ERROR, "Task %s[%s] raised", scheduler.SWEEP_TASK, "x")
    assert [_passes(r) for r in (sending, succeeded, received, tick, failed)] == [False, False, False, True, True]
    scheduler.logger.setLevel(logging.DEBUG)
    try:
        assert _passes(sending) and _passes(received)
    finally:
        scheduler.logger.setLevel(logging.NOTSET)


@pytest.mark.django_db
def test_a_sweep_logs_at_info_only_when_it_sent_ticks(settings, caplog):
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete(settings.FOCUS_QUEUE)
    now = timezone.now()
    with caplog.at_level(logging.INFO, logger="focus.scheduler"):
        assert scheduler.dispatch_due_ticks(now=now) == 0
        assert [r for r in caplog.records if r.name == "focus.scheduler"] == []
        FocusSessionFactory(next_tick_at=now)
        assert scheduler.dispatch_due_ticks(now=now) == 1
    assert [r.getMessage() for r in caplog.records if r.name == "focus.scheduler"] == ["sweep: sent 1 due tick(s)"]
    broker.delete(settings.FOCUS_QUEUE)

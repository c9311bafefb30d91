"""The product's Celery app (`focusflow.celery.app`, same tasks, same settings) plus counters, for
the scheduler benchmark's worker: `celery -A bench.scheduler.worker_app worker ...`.

Each worker process counts what it asks the database for and adds it to a Redis hash after every
task (BENCH_STATS_URL, key `bench:stats`): SQL statements (Django's execute wrapper), explicit
transactions (each costs two extra round trips with psycopg 3: BEGIN and COMMIT/ROLLBACK),
connection health checks (a `SELECT 1` each), and the ticks the task ran (from its outcomes).
Nothing here changes what a task does.
"""

from __future__ import annotations

import os
from collections import Counter

import redis
from celery.signals import task_postrun, worker_process_init
from django.db.backends.postgresql.base import DatabaseWrapper

from focusflow.celery import app  # noqa: F401  (the app `celery -A` finds)

STATS_KEY = "bench:stats"
TICK_OUTCOMES = ("tick", "nudge", "break")

_counts: Counter = Counter()
_stats: redis.Redis | None = None


def _count(name: str, method):
    def counted(self, *args, **kwargs):
        _counts[name] += 1
        return method(self, *args, **kwargs)

    return counted


def _count_query(execute, sql, params, many, context):
    _counts["queries"] += 1
    return execute(sql, params, many, context)


@worker_process_init.connect
def _install(**_):
    global _stats
    _stats = redis.Redis.from_url(os.environ["BENCH_STATS_URL"])
    DatabaseWrapper._commit = _count("commits", DatabaseWrapper._commit)
    DatabaseWrapper._rollback = _count("rollbacks", DatabaseWrapper._rollback)
    DatabaseWrapper.is_usable = _count("health_checks", DatabaseWrapper.is_usable)
    original_connect = DatabaseWrapper.connect

    def connect(self):
        original_connect(self)
        _counts["connects"] += 1
        if _count_query not in self.execute_wrappers:
            self.execute_wrappers.append(_count_query)

    DatabaseWrapper.connect = connect


@task_postrun.connect
def _flush(task=None, retval=None, **_):
    if _stats is None:
        return
    counts = dict(_counts)
    _counts.clear()
    name = (task.name if task else "?").split(".")[-1]
    ticks = 0
    if isinstance(retval, dict):
        ticks = sum(n for outcome, n in retval.items() if outcome in TICK_OUTCOMES)
    elif retval in TICK_OUTCOMES:
        ticks = 1
    pipe = _stats.pipeline()
    for counter, value in counts.items():
        pipe.hincrby(STATS_KEY, counter, value)
        pipe.hincrby(STATS_KEY, f"{name}:{counter}", value)
    pipe.hincrby(STATS_KEY, "ticks", ticks)
    pipe.hincrby(STATS_KEY, f"{name}:tasks", 1)
    pipe.execute()

"""Bulk data for the scheduler benchmark: N active sessions, each with a little history, in a few
set-based INSERTs (seconds for 100,000 sessions, where the ORM would take minutes).

Every session started 1-6 tick periods ago and already has what a real one would: a
`session_start` event, its previous tick one period ago (for every fifth session a `check_in`
nudge, so backoff, spacing and the cap are exercised), two pings (activity, app switches, focus,
stress), a rhythm state and a personal model for its person. Sessions are created "parked" (not
due, far in the future); `spread_due` then spreads their due times over one tick period from a
start time, once the processes that will tick them are running.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection

PARKED = "2100-01-01T00:00:00Z"

_SESSIONS = """
INSERT INTO focus_sessions (id, person_id, task_id, mode, started_at, ended_at, estimated_duration,
    actual_duration, completion_score, session_quality, start_state, early_end, summary,
    next_tick_at, last_tick_at, lease_until, tick_seq, tick_count, nudges_sent, last_nudge_at, policy_state)
SELECT gen_random_uuid(), gen_random_uuid(), NULL, 'deep',
       now() - make_interval(secs => %(period)s * (1 + g %% 6)), NULL, 45 + (g %% 4) * 15,
       0, NULL, NULL,
       '{"rhythm": {"energy": 0.6, "stress": 0.3, "fatigue": 0.3}, "task": null,
         "emotion": {"emotion": "neutral", "source": "default"}}'::jsonb,
       false, NULL,
       %(parked)s::timestamptz, now() - make_interval(secs => %(period)s), NULL, 0, 1 + g %% 6,
       CASE WHEN g %% 5 = 0 THEN 1 ELSE 0 END,
       CASE WHEN g %% 5 = 0 THEN now() - make_interval(secs => %(period)s) END,
       '{}'::jsonb
FROM generate_series(1, %(n)s) AS g
"""

_PEOPLE = """
INSERT INTO rhythm_state (person_id, energy, stress, fatigue, updated_at)
SELECT person_id, 0.6, 0.3 + (random() * 0.2), 0.3, now() FROM focus_sessions WHERE ended_at IS NULL
ON CONFLICT (person_id) DO NOTHING;
INSERT INTO personal_model (person_id, emotion, emotion_source, focus_habit_strength, updated_at)
SELECT person_id, 'neutral', 'default', 0.2, now() FROM focus_sessions WHERE ended_at IS NULL
ON CONFLICT (person_id) DO NOTHING;
"""

_HISTORY = """
INSERT INTO focus_events (session_id, event_type, ts, content, rhythm_snapshot, task_snapshot, emotion_snapshot)
SELECT s.id, e.event_type, e.ts, e.content, '{"energy": 0.6, "stress": 0.3, "fatigue": 0.3}'::jsonb, NULL,
       '{"emotion": "neutral", "source": "default"}'::jsonb
FROM focus_sessions s
CROSS JOIN LATERAL (VALUES
    ('session_start', s.started_at, '{"mode": "deep", "estimated_duration": 45, "task_id": null}'::jsonb),
    -- the previous tick: a check-in nudge for every fifth session, else a tick that sent nothing
    (CASE WHEN s.nudges_sent = 1 THEN 'nudge' ELSE 'tick' END, s.last_tick_at,
     CASE WHEN s.nudges_sent = 1
          THEN '{"kind": "check_in", "message": "How is this session going so far?", "tone": "micro",
                 "reason": "check_in"}'::jsonb
          ELSE '{"reason": "nothing_to_say", "detail": "All calm."}'::jsonb END),
    ('ping', s.last_tick_at + interval '20 seconds',
     '{"activity": "active", "app_switches": 3, "focus": 0.7, "stress": 0.35}'::jsonb),
    ('ping', s.last_tick_at + interval '80 seconds',
     '{"activity": "active", "app_switches": 4, "focus": 0.7, "heart_rate": 72}'::jsonb)
) AS e(event_type, ts, content)
WHERE s.ended_at IS NULL;
"""


def reset() -> None:
    """Empty every table the benchmark writes (a benchmark database only)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE focus_events, focus_sessions, rhythm_state, rhythm_samples, personal_model, "
            "memory_short_term RESTART IDENTITY CASCADE"
        )
        cursor.execute("DELETE FROM django_celery_beat_periodictask WHERE name LIKE 'naive-tick-%%'")


def create_sessions(*, n: int, period: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(_SESSIONS, {"n": n, "period": period, "parked": PARKED})
        cursor.execute(_PEOPLE)
        cursor.execute(_HISTORY)
        cursor.execute("ANALYZE focus_sessions; ANALYZE focus_events; ANALYZE rhythm_state; ANALYZE personal_model")


def spread_due(*, start: datetime, period: int) -> None:
    """Make every active session due once in [start, start + period), evenly spread (a uniform load
    of N / period ticks per second), and remember each one's due time in `bench_due`."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH ranked AS (
                SELECT id, row_number() OVER (ORDER BY id) - 1 AS k, count(*) OVER () AS n
                FROM focus_sessions WHERE ended_at IS NULL
            )
            UPDATE focus_sessions s
            SET next_tick_at = %(start)s::timestamptz + make_interval(secs => %(period)s * r.k / r.n)
            FROM ranked r WHERE s.id = r.id
            """,
            {"start": start, "period": period},
        )
        cursor.execute("DROP TABLE IF EXISTS bench_due")
        cursor.execute(
            "CREATE TABLE bench_due AS SELECT id AS session_id, next_tick_at AS due, tick_count AS ticks_before "
            "FROM focus_sessions WHERE ended_at IS NULL"
        )
        cursor.execute("ALTER TABLE bench_due ADD PRIMARY KEY (session_id)")

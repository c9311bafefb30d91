"""The tick: one session, one transaction, exactly one event (a nudge/break, or a tick saying why not).

The session row is locked for the whole tick, so two deliveries of one tick (a duplicate message,
a redelivery after a worker died, the start-time enqueue racing the sweep) run one after the
other; the second finds the session no longer due and writes nothing. The guardrail counters
(nudges sent, last nudge time) are read and written under that same lock.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from focus.models import USER_FACING_EVENTS, EventType, FocusSession
from focus.policy import PingSample, PolicyConfig, RhythmValues, TickContext, decide
from focus.services import event_write, minutes_between
from rhythm.selectors import emotion_baseline, rhythm_snapshot

RECENT_PINGS = 50

SKIPPED_ENDED = "skipped:ended"
SKIPPED_NOT_DUE = "skipped:not_due"
SKIPPED_STALE = "skipped:stale"
SKIPPED_MISSING = "skipped:missing"


def policy_config() -> PolicyConfig:
    return PolicyConfig(
        tick_seconds=settings.FOCUS_TICK_SECONDS,
        min_gap_seconds=settings.FOCUS_NUDGE_MIN_GAP_SECONDS,
        max_nudges=settings.FOCUS_MAX_NUDGES,
    )


def _rhythm_values(snapshot: dict | None) -> RhythmValues:
    snapshot = snapshot or {}
    return RhythmValues(
        energy=snapshot.get("energy"), stress=snapshot.get("stress"), fatigue=snapshot.get("fatigue")
    )


def _ping_samples(session: FocusSession) -> tuple[PingSample, ...]:
    rows = session.events.filter(event_type=EventType.PING).order_by("-ts", "-id").values_list("ts", "content")
    fields = PingSample.__dataclass_fields__
    samples = [
        PingSample(at=ts, **{name: value for name, value in content.items() if name in fields and name != "at"})
        for ts, content in rows[:RECENT_PINGS]
    ]
    return tuple(reversed(samples))


def _last_sent_by_kind(session: FocusSession) -> dict[str, datetime]:
    last: dict[str, datetime] = {}
    for ts, content in session.events.filter(event_type__in=USER_FACING_EVENTS).values_list("ts", "content"):
        kind = content.get("kind")
        if kind and (kind not in last or ts > last[kind]):
            last[kind] = ts
    return last


def _next_due(session: FocusSession, now: datetime) -> datetime:
    """Keep the cadence (due + period); if the tick ran late by more than a period, restart from now."""
    period = timedelta(seconds=settings.FOCUS_TICK_SECONDS)
    due = (session.next_tick_at or now) + period
    return due if due > now else now + period


def run_tick(*, session_id: uuid.UUID | str, seq: int | None = None, now: datetime | None = None) -> str:
    """Run one tick of a session; returns the event type written, or why the tick was skipped."""
    with transaction.atomic():
        session = FocusSession.objects.select_for_update().filter(pk=session_id).first()
        now = now or timezone.now()  # read after the lock: a waiting tick must see the time it runs at
        if session is None:
            return SKIPPED_MISSING
        if session.ended_at is not None:
            return SKIPPED_ENDED
        if seq is not None and seq != session.tick_seq:
            return SKIPPED_STALE
        if session.next_tick_at is None or session.next_tick_at > now:
            return SKIPPED_NOT_DUE

        rhythm = rhythm_snapshot(person_id=session.person_id)
        emotion = emotion_baseline(person_id=session.person_id)
        decision = decide(
            TickContext(
                now=now,
                started_at=session.started_at,
                estimated_minutes=session.estimated_duration,
                tick_number=session.tick_count + 1,
                pings=_ping_samples(session),
                rhythm_now=_rhythm_values(rhythm),
                rhythm_at_start=_rhythm_values((session.start_state or {}).get("rhythm")),
                nudges_sent=session.nudges_sent,
                last_nudge_at=session.last_nudge_at,
                last_sent_by_kind=_last_sent_by_kind(session),
                state=session.policy_state or {},
            ),
            policy_config(),
        )
        for detection in decision.detections:
            event_write(session=session, event_type=detection.event_type, ts=now,
                        content=detection.content, rhythm=rhythm, emotion=emotion)
        event_write(session=session, event_type=decision.event_type, ts=now,
                    content=decision.content, rhythm=rhythm, emotion=emotion)

        if decision.event_type in USER_FACING_EVENTS:
            session.nudges_sent += 1
            session.last_nudge_at = now
        session.tick_count += 1
        session.policy_state = decision.state
        session.last_tick_at = now
        session.next_tick_at = _next_due(session, now)
        session.lease_until = None
        session.actual_duration = minutes_between(session.started_at, now)
        session.save(update_fields=[
            "nudges_sent", "last_nudge_at", "tick_count", "policy_state", "last_tick_at",
            "next_tick_at", "lease_until", "actual_duration",
        ])
        return decision.event_type


def run_ticks(*, claims: list[tuple[str, int]]) -> dict[str, int]:
    """Run the ticks of a dispatched chunk, each in its own transaction; returns outcome counts."""
    outcomes: dict[str, int] = {}
    for session_id, seq in claims:
        outcome = run_tick(session_id=session_id, seq=seq)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes

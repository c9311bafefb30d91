"""Thin Celery tasks: take ids, call a service. They ack late and are rejected on worker loss,
so a tick killed mid-run is redelivered (and its row lock, held by the dead connection, is gone)."""

from celery import shared_task

from focus import engine, long_pauses, meetings, overdue, scheduler
from focus.webhooks import delivery

TASK_OPTIONS = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}


@shared_task(name="focus.run_focus_tick", **TASK_OPTIONS)
def run_focus_tick(session_id: str, seq: int | None = None) -> str:
    """The seed's task: run one tick of one session (skipped if ended, not due or stale)."""
    return engine.run_tick(session_id=session_id, seq=seq)


@shared_task(name="focus.run_focus_ticks", **TASK_OPTIONS)
def run_focus_ticks(claims: list[list]) -> dict[str, int]:
    """The dispatcher's batch form: [[session_id, seq], ...]."""
    return engine.run_ticks(claims=[(session_id, seq) for session_id, seq in claims])


@shared_task(name="focus.dispatch_due_ticks", **TASK_OPTIONS)
def dispatch_due_ticks() -> int:
    """The one beat entry: sweep due sessions and publish their ticks."""
    return scheduler.dispatch_due_ticks()


@shared_task(name="focus.end_overdue_sessions", **TASK_OPTIONS)
def end_overdue_sessions() -> int:
    """Its own beat entry: end sessions left running past FOCUS_MAX_SESSION_HOURS."""
    return overdue.end_overdue_sessions()


@shared_task(name="focus.end_long_paused_sessions", **TASK_OPTIONS)
def end_long_paused_sessions() -> int:
    """Its own beat entry: end sessions paused past FOCUS_MAX_PAUSE_MINUTES."""
    return long_pauses.end_long_paused_sessions()


@shared_task(name="focus.deliver_webhook", **TASK_OPTIONS)
def deliver_webhook(delivery_id: int, seq: int) -> str:
    """Send one claimed webhook delivery (queued after its event commits, or by the sweep)."""
    return delivery.delivery_attempt(delivery_id=delivery_id, seq=seq)


@shared_task(name="focus.sweep_webhooks", **TASK_OPTIONS)
def sweep_webhooks() -> int:
    """Its own beat entry: queue the webhook deliveries that are due (retries, lost first sends)."""
    return delivery.webhooks_sweep()


@shared_task(name="focus.sweep_meetings", **TASK_OPTIONS)
def sweep_meetings() -> dict[str, int]:
    """Its own beat entry: pause sessions a meeting interrupts, resume them once it is over."""
    return meetings.meetings_sweep()

"""Sending the outbox: claim a due delivery, sign it (Standard Webhooks), POST it, record the
attempt, and schedule the next one with exponential backoff.

A delivery is sent by the task queued when its event committed (`deliveries_publish`), or, if that
message never ran (broker down, worker lost), by the sweep (`webhooks_sweep`, a beat entry) once its
lease lapses; the sweep also sends the retries as they fall due. Claims are compare-and-set on
`claim_seq`, so two workers never send the same claim, and a stale message does nothing.

Delivery is at least once: a worker that dies after the receiver answered but before the outcome is
recorded sends it again later, with the same `webhook-id`, which the receiver uses to drop the
duplicate. Each attempt is signed afresh (`webhook-timestamp` is the attempt's time, as the
specification asks, so receivers can refuse old replays); the body is fixed at the first attempt.

Outcomes: a 2xx answer delivers it. A timeout, a failed connection, a 3xx (no redirect is followed),
4xx or 5xx answer is retried after FOCUS_WEBHOOK_RETRY_SECONDS × 2^(attempt−1), until
FOCUS_WEBHOOK_MAX_ATTEMPTS attempts (then it is given up: status failed). An address the rules
refuse (focusflow/outbound.py) is given up at once, as is a delivery whose endpoint was turned off.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime, timedelta

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from focus.webhooks.models import WebhookAttempt, WebhookDelivery
from focusflow import outbound
from focusflow.broker import acquire_request_connection
from focusflow.json import SanitizedJSONEncoder

logger = logging.getLogger(__name__)

DELIVER_TASK = "focus.deliver_webhook"
SWEEP_BATCH = 200  # deliveries claimed per sweep; the next sweep carries on
MAX_ANSWER_BYTES = 64 * 1024  # what is read of a receiver's answer (its start is kept for the admin)
RESPONSE_EXCERPT = 200  # characters of the answer kept on the attempt
MAX_BACKOFF_SECONDS = 24 * 3600


def lease_seconds() -> float:
    """How long a claim holds a delivery: longer than one attempt can take (outbound's deadline is
    twice the timeout), so only a dead worker's claim ever lapses."""
    return settings.FOCUS_WEBHOOK_TIMEOUT_SECONDS * 2 + 5


def backoff_seconds(attempts: int) -> float:
    """The wait after the `attempts`-th failed attempt: the first retry after
    FOCUS_WEBHOOK_RETRY_SECONDS, doubling, at most a day."""
    return min(settings.FOCUS_WEBHOOK_RETRY_SECONDS * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS)


# --------------------------------------------------------------------------- queueing


def deliveries_publish(claims: list[tuple[int, int]]) -> None:
    """Queue a send per (delivery id, claim), after the events' commit. It runs in a web request or
    a tick, so one bounded try (focusflow/broker.py); a broker that is down only delays the delivery
    to the sweep after its lease."""
    try:
        with acquire_request_connection() as connection:
            for delivery_id, seq in claims:
                current_app.send_task(
                    DELIVER_TASK,
                    args=[delivery_id, seq],
                    queue=settings.FOCUS_QUEUE,
                    retry=False,
                    connection=connection,
                )
    except Exception:  # the outbox row is committed: the sweep owes the delivery
        logger.warning("could not queue %d webhook deliveries; the sweep will send them", len(claims), exc_info=True)


def claim_due(*, now: datetime, limit: int = SWEEP_BATCH) -> list[tuple[int, int]]:
    """Claim pending deliveries that are due (a retry's time has come, or a claim lapsed)."""

    with transaction.atomic():
        ids = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .filter(status=WebhookDelivery.Status.PENDING, due_at__lte=now)
            .order_by("due_at")
            .values_list("id", flat=True)[:limit]
        )
        if not ids:
            return []
        WebhookDelivery.objects.filter(id__in=ids).update(
            due_at=now + timedelta(seconds=lease_seconds()), claim_seq=F("claim_seq") + 1
        )
        return list(WebhookDelivery.objects.filter(id__in=ids).values_list("id", "claim_seq"))


def webhooks_sweep(*, now: datetime | None = None) -> int:
    """The beat entry's work: claim what is due and queue its sends. Returns how many were queued."""
    claims = claim_due(now=now or timezone.now())
    sent = 0
    for delivery_id, seq in claims:
        try:
            current_app.send_task(DELIVER_TASK, args=[delivery_id, seq], queue=settings.FOCUS_QUEUE, retry=False)
        except Exception:  # the claims lapse and a later sweep claims them again
            logger.warning("could not queue webhook deliveries; a later sweep will", exc_info=True)
            break
        sent += 1
    return sent


# --------------------------------------------------------------------------- the body


def _event_data(delivery) -> dict:
    event = delivery.event
    session = event.session
    data = {
        "session_id": str(session.id),
        "person_id": str(session.person_id),
        "event_id": event.id,
        **(event.content or {}),
    }
    if event.event_type == "session_start":
        data["started_at"] = session.started_at
    elif event.event_type == "session_end":
        data["started_at"] = session.started_at
        data["ended_at"] = session.ended_at
        data["summary"] = session.summary
    return data


def delivery_body(delivery) -> str:
    """The JSON body: {"type", "timestamp" (the event's time), "data"}."""
    return json.dumps(
        {"type": delivery.webhook_type, "timestamp": delivery.event.ts, "data": _event_data(delivery)},
        cls=SanitizedJSONEncoder,
        separators=(",", ":"),
    )


def signed_headers(*, secret: str, webhook_id: str, body: str, at: datetime) -> dict[str, str]:
    """The Standard Webhooks headers for one attempt at `at`."""
    at = at.astimezone(UTC)
    return {
        "Content-Type": "application/json",
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(webhook_id, at, body),
    }


# --------------------------------------------------------------------------- one attempt


def _excerpt(raw: bytes | str) -> str:
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    text = " ".join(text.replace("\x00", "").split())
    return text if len(text) <= RESPONSE_EXCERPT else text[: RESPONSE_EXCERPT - 1] + "…"


def delivery_attempt(*, delivery_id: int, seq: int) -> str:
    """Send one claimed delivery and record the outcome; returns what happened (for the task's log)."""

    delivery = (
        WebhookDelivery.objects.select_related("endpoint", "event__session")
        .filter(pk=delivery_id, claim_seq=seq, status=WebhookDelivery.Status.PENDING)
        .first()
    )
    if delivery is None:
        return "stale"  # delivered, given up, removed, or claimed again since
    mine = WebhookDelivery.objects.filter(pk=delivery_id, claim_seq=seq, status=WebhookDelivery.Status.PENDING)
    started = timezone.now()
    endpoint = delivery.endpoint
    if not endpoint.active:
        mine.update(status=WebhookDelivery.Status.FAILED, due_at=None, last_response="The endpoint was turned off.")
        return "endpoint_off"
    if not delivery.body:
        delivery.body = delivery_body(delivery)
        mine.update(body=delivery.body)
    headers = signed_headers(secret=endpoint.secret, webhook_id=delivery.webhook_id, body=delivery.body, at=started)
    clock = time.monotonic()
    status_code, response, ok, final = None, "", False, False
    try:
        answer = outbound.request(
            "POST",
            endpoint.url,
            body=delivery.body.encode(),
            headers=headers,
            timeout=settings.FOCUS_WEBHOOK_TIMEOUT_SECONDS,
            max_bytes=MAX_ANSWER_BYTES,
        )
        status_code, response = answer.status, _excerpt(answer.body)
        ok = 200 <= answer.status < 300
    except outbound.UnsafeUrl as exc:
        response, final = _excerpt(str(exc)), True
    except outbound.FetchFailed as exc:
        response = _excerpt(str(exc))
    duration_ms = int((time.monotonic() - clock) * 1000)
    attempts = delivery.attempts + 1
    now = timezone.now()
    if ok:
        outcome = {"status": WebhookDelivery.Status.DELIVERED, "due_at": None, "delivered_at": now}
    elif final or attempts >= settings.FOCUS_WEBHOOK_MAX_ATTEMPTS:
        outcome = {"status": WebhookDelivery.Status.FAILED, "due_at": None}
    else:
        outcome = {"due_at": now + timedelta(seconds=backoff_seconds(attempts))}
    with transaction.atomic():
        if not mine.update(attempts=attempts, last_status_code=status_code, last_response=response, **outcome):
            return "stale"  # removed meanwhile (its endpoint was deleted)
        WebhookAttempt.objects.create(
            delivery_id=delivery_id,
            number=attempts,
            at=started,
            status_code=status_code,
            response=response,
            duration_ms=duration_ms,
            ok=ok,
        )
    return "delivered" if ok else str(outcome.get("status", "retry"))

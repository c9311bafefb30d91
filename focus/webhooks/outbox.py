"""The outbox rows of written events: one per event and subscribed, active endpoint, inserted in
the transaction that writes the events (focus/events.py), so a delivery exists exactly when its
event committed, whatever the broker does. Pings, ticks and detections are never webhook events, so
those writes cost nothing here; a write with webhook events costs one read of the endpoints, and
one insert when any endpoint wants them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.utils import timezone

from focus.vocabulary import WEBHOOK_EVENT_TYPES
from focus.webhooks.delivery import lease_seconds
from focus.webhooks.models import WebhookDelivery, WebhookEndpoint


def outbox_write(events: Sequence) -> list[tuple[int, int]]:
    """Write the deliveries `events` (saved FocusEvents) owe; returns their (id, claim) pairs, to be
    sent after commit. Each row is born claimed (claim 0) for one lease: the task queued on commit
    sends it; if that message is lost (the broker was down), the sweep sends it once the lease lapses."""
    wanted = [event for event in events if event.event_type in WEBHOOK_EVENT_TYPES]
    if not wanted:
        return []
    persons = {event.session.person_id for event in wanted}
    endpoints = list(
        WebhookEndpoint.objects.filter(person_id__in=persons, active=True).values_list("id", "person_id", "event_types")
    )
    if not endpoints:
        return []
    now = timezone.now()
    due = now + timedelta(seconds=lease_seconds())
    rows = []
    for event in wanted:
        webhook_type = WEBHOOK_EVENT_TYPES[event.event_type]
        for endpoint_id, person_id, types in endpoints:
            if person_id == event.session.person_id and webhook_type in (types or ()):
                rows.append(
                    WebhookDelivery(
                        endpoint_id=endpoint_id, event=event, webhook_type=webhook_type, created_at=now, due_at=due
                    )
                )
    if not rows:
        return []
    return [(row.id, row.claim_seq) for row in WebhookDelivery.objects.bulk_create(rows)]

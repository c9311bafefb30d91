"""Signed webhooks (DESIGN.md "Integrations"): endpoints a person registers, and the outbox of
deliveries that Celery sends to them following the Standard Webhooks specification.

- `models.py`: WebhookEndpoint, WebhookDelivery (the outbox), WebhookAttempt (each try, for the admin).
- `outbox.py`: the outbox rows written with the events (called by focus/events.py, same transaction).
- `delivery.py`: claiming a due delivery, signing and sending it, backoff, the sweep.
- `services.py`, `serializers.py`, `api.py`: the endpoints' API under /api/webhooks/.
- `admin.py`: endpoints and deliveries with every attempt.

Requests go through focusflow/outbound.py (the address rules), only from Celery tasks.
"""

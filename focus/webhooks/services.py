"""Webhook endpoint writes: create (with its signing secret), update, delete."""

from __future__ import annotations

import base64
import secrets
import uuid

from django.db import transaction

from focus.webhooks.models import WebhookEndpoint

SECRET_BYTES = 32


def secret_new() -> str:
    """A Standard Webhooks signing secret: whsec_ and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def endpoint_create(*, person_id: uuid.UUID, url: str, event_types: list[str], active: bool = True) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        person_id=person_id, url=url, event_types=list(event_types), active=active, secret=secret_new()
    )


@transaction.atomic
def endpoint_update(*, endpoint: WebhookEndpoint, **fields) -> WebhookEndpoint:
    """Change url, event_types, active (or person_id, a service account's act). Deliveries already
    queued keep going to the endpoint (to its new URL); turning it off stops them."""
    for name, value in fields.items():
        setattr(endpoint, name, list(value) if name == "event_types" else value)
    endpoint.save()
    return endpoint


def endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    """Remove the endpoint and its deliveries: nothing more is sent to it (a send already under
    way finishes, and its outcome is not recorded)."""
    endpoint.delete()

"""Webhook endpoints and the outbox of their deliveries. Loaded with the focus app's models
(imported at the end of focus/models.py)."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q


class WebhookEndpoint(models.Model):
    """Where a person's events are POSTed. The secret signs every delivery; it is shown once, when
    the endpoint is created (the API never shows it again)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person_id = models.UUIDField(db_index=True)
    url = models.CharField(max_length=2000)
    event_types = models.JSONField(default=list, help_text="Webhook event types, e.g. session.started.")
    active = models.BooleanField(default=True)
    secret = models.CharField(max_length=100, help_text="whsec_<base64>, for Standard Webhooks signatures.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "focus_webhook_endpoints"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event for one endpoint: the outbox row, written in the transaction that wrote the event
    (so nothing is lost if the broker is down), sent by Celery after commit and by the sweep.

    `due_at` is when it may next be sent: a claim moves it one lease ahead (a worker that dies
    mid-send leaves it due again once the lease lapses), a failure moves it by the backoff, and it
    is cleared once delivered or given up. `claim_seq` counts claims: only the holder of the latest
    claim records the outcome."""

    class Status(models.TextChoices):
        PENDING = "pending"
        DELIVERED = "delivered"
        FAILED = "failed"  # given up after FOCUS_WEBHOOK_MAX_ATTEMPTS, or the address was refused

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey("focus.FocusEvent", on_delete=models.CASCADE, related_name="webhook_deliveries")
    webhook_type = models.CharField(max_length=32)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    due_at = models.DateTimeField(null=True, blank=True)
    claim_seq = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_response = models.CharField(max_length=300, blank=True, help_text="The answer's start, or the error.")
    # The body, fixed at the first attempt: every retry sends the very same bytes.
    body = models.TextField(blank=True)

    class Meta:
        db_table = "focus_webhook_deliveries"
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        constraints = [models.UniqueConstraint(fields=["endpoint", "event"], name="one_delivery_per_event")]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(status="pending"), name="webhook_delivery_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.webhook_type} → {self.endpoint_id}"

    @property
    def webhook_id(self) -> str:
        """The `webhook-id` header: the same for every attempt of this event to this endpoint, so a
        receiver drops a duplicate (a retry after a lost answer)."""
        return f"msg_{self.event_id}_{self.endpoint_id.hex}"


class WebhookAttempt(models.Model):
    """One try of a delivery: what the admin lists."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    ok = models.BooleanField(default=False)

    class Meta:
        db_table = "focus_webhook_attempts"
        ordering = ["delivery", "number"]

    def __str__(self) -> str:
        return f"attempt {self.number}: {self.status_code or self.response[:40]}"

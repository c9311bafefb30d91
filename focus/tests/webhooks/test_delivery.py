"""The outbox and one delivery attempt, called directly against a real local receiver: which events
owe deliveries, the Standard Webhooks signature, backoff, giving up, stale claims."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from focus import services
from focus.tests.receiver import Reply
from focus.webhooks import delivery
from focus.webhooks.models import WebhookDelivery
from focus.webhooks.services import endpoint_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _local(settings):
    settings.FOCUS_ALLOW_PRIVATE_URLS = True
    settings.FOCUS_WEBHOOK_TIMEOUT_SECONDS = 1
    settings.FOCUS_WEBHOOK_RETRY_SECONDS = 30
    settings.FOCUS_WEBHOOK_MAX_ATTEMPTS = 3


def _start(person_id):
    return services.session_start(person_id=person_id, task_id=None, estimated_duration=30, mode="deep")


def test_a_start_writes_one_delivery_per_subscribed_active_endpoint(alice_api, receiver):
    person = alice_api.person_id
    wanted = endpoint_create(person_id=person, url=receiver.url(), event_types=["session.started"])
    endpoint_create(person_id=person, url=receiver.url("/ends"), event_types=["session.ended"])
    endpoint_create(person_id=person, url=receiver.url("/off"), event_types=["session.started"], active=False)
    endpoint_create(
        person_id=alice_api.person_id.__class__(int=1), url=receiver.url("/other"), event_types=["session.started"]
    )
    session = _start(person)
    (row,) = WebhookDelivery.objects.all()
    assert (row.endpoint_id, row.event.session_id, row.webhook_type) == (wanted.id, session.id, "session.started")
    assert row.status == "pending" and row.claim_seq == 0 and row.due_at > timezone.now()


def test_a_rolled_back_start_leaves_no_delivery(alice_api, receiver):
    endpoint_create(person_id=alice_api.person_id, url=receiver.url(), event_types=["session.started"])
    with pytest.raises(RuntimeError), transaction.atomic():
        _start(alice_api.person_id)
        raise RuntimeError("the request failed after the event")
    assert not WebhookDelivery.objects.exists()


def test_a_ping_owes_no_delivery(alice_api, receiver):
    endpoint_create(person_id=alice_api.person_id, url=receiver.url(), event_types=list(delivery_types()))
    session = _start(alice_api.person_id)
    services.session_ping(session_id=session.id, values={"focus": 0.5})
    assert list(WebhookDelivery.objects.values_list("webhook_type", flat=True)) == ["session.started"]


def delivery_types():
    from focus.vocabulary import WEBHOOK_TYPES

    return WEBHOOK_TYPES


def test_an_attempt_posts_a_signed_body_that_verifies(alice_api, receiver):
    endpoint = endpoint_create(person_id=alice_api.person_id, url=receiver.url(), event_types=["session.started"])
    session = _start(alice_api.person_id)
    row = WebhookDelivery.objects.get()
    assert delivery.delivery_attempt(delivery_id=row.id, seq=0) == "delivered"
    (got,) = receiver.at("/hook")
    payload = Webhook(endpoint.secret).verify(got.body, got.headers)
    assert payload["type"] == "session.started"
    assert payload["data"]["session_id"] == str(session.id) and payload["data"]["estimated_duration"] == 30
    assert set(payload) == {"type", "timestamp", "data"}
    assert got.headers["webhook-id"] == f"msg_{row.event_id}_{endpoint.id.hex}"
    assert got.headers["content-type"] == "application/json"
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_status_code, row.due_at) == ("delivered", 1, 200, None)
    # A second message for the same claim does nothing.
    assert delivery.delivery_attempt(delivery_id=row.id, seq=0) == "stale"
    assert len(receiver.at("/hook")) == 1


def test_the_ended_event_carries_the_summary(alice_api, receiver):
    endpoint = endpoint_create(person_id=alice_api.person_id, url=receiver.url(), event_types=["session.ended"])
    session = _start(alice_api.person_id)
    services.session_end(session_id=session.id, person_id=None, completion_score=0.8)
    row = WebhookDelivery.objects.get()
    delivery.delivery_attempt(delivery_id=row.id, seq=0)
    payload = Webhook(endpoint.secret).verify(receiver.at("/hook")[0].body, receiver.at("/hook")[0].headers)
    assert payload["type"] == "session.ended"
    assert payload["data"]["completion_score"] == 0.8
    session.refresh_from_db()
    summary = payload["data"]["summary"]
    assert summary["completion_score"] == 0.8 and summary["duration"] == session.summary["duration"]


def test_a_failing_receiver_is_retried_with_backoff_then_given_up(alice_api, receiver):
    endpoint_create(person_id=alice_api.person_id, url=receiver.url(), event_types=["session.started"])
    receiver.answers["/hook"] = [Reply(500, b"boom " * 100)]
    _start(alice_api.person_id)
    row = WebhookDelivery.objects.get()
    seq, waits = 0, []
    with time_machine.travel(timezone.now(), tick=True) as clock:
        for attempt in range(1, 4):
            if attempt > 1:
                clock.shift(timedelta(seconds=waits[-1] + 1))
                ((_, seq),) = delivery.claim_due(now=timezone.now())
            delivery.delivery_attempt(delivery_id=row.id, seq=seq)
            row.refresh_from_db()
            assert row.attempts == attempt and row.last_status_code == 500
            assert row.last_response.startswith("boom") and len(row.last_response) <= delivery.RESPONSE_EXCERPT
            if row.due_at:
                waits.append((row.due_at - timezone.now()).total_seconds())
                assert delivery.claim_due(now=timezone.now()) == []  # not due yet
    assert row.status == "failed" and row.due_at is None
    assert [round(w / 30) for w in waits] == [1, 2]  # 30 s, then 60 s
    assert list(row.attempt_log.values_list("number", "status_code", "ok")) == [
        (1, 500, False),
        (2, 500, False),
        (3, 500, False),
    ]
    # Every attempt signs the same body under the same id.
    bodies = {(r.body, r.headers["webhook-id"]) for r in receiver.at("/hook")}
    assert len(bodies) == 1


def test_a_refused_address_is_given_up_at_once(alice_api, receiver, settings):
    endpoint_create(person_id=alice_api.person_id, url=receiver.url(), event_types=["session.started"])
    _start(alice_api.person_id)
    settings.FOCUS_ALLOW_PRIVATE_URLS = False
    row = WebhookDelivery.objects.get()
    assert delivery.delivery_attempt(delivery_id=row.id, seq=0) == "failed"
    row.refresh_from_db()
    assert row.status == "failed" and "http" in row.last_response  # "Use an https:// URL."
    assert receiver.received == []


def test_a_lapsed_claim_is_claimed_again_by_the_sweep_and_the_old_one_goes_stale(alice_api, receiver):
    endpoint_create(person_id=alice_api.person_id, url=receiver.url(), event_types=["session.started"])
    _start(alice_api.person_id)
    row = WebhookDelivery.objects.get()
    assert delivery.claim_due(now=timezone.now()) == []  # born claimed for one lease
    later = timezone.now() + timedelta(seconds=delivery.lease_seconds() + 1)
    assert delivery.claim_due(now=later) == [(row.id, 1)]
    assert delivery.delivery_attempt(delivery_id=row.id, seq=0) == "stale"
    assert delivery.delivery_attempt(delivery_id=row.id, seq=1) == "delivered"
    assert json.loads(receiver.at("/hook")[0].body)["type"] == "session.started"


def test_a_turned_off_endpoint_gets_nothing_more(alice_api, receiver):
    endpoint = endpoint_create(person_id=alice_api.person_id, url=receiver.url(), event_types=["session.started"])
    _start(alice_api.person_id)
    endpoint.active = False
    endpoint.save()
    row = WebhookDelivery.objects.get()
    assert delivery.delivery_attempt(delivery_id=row.id, seq=0) == "endpoint_off"
    assert receiver.received == []


def test_pause_resume_nudge_and_break_owe_their_webhook_types(alice_api, receiver):
    """Every writer goes through focus/events.py: the controls' pause and resume, a tick's nudge or break."""
    from focus import controls
    from focus.events import events_new, events_write

    endpoint_create(person_id=alice_api.person_id, url=receiver.url(), event_types=list(delivery_types()))
    session = _start(alice_api.person_id)
    controls.pause_session(session_id=session.id)
    controls.resume_session(session_id=session.id)
    items = [("nudge", {"kind": "check_in", "message": "How's it going?"}), ("break", {"kind": "micro_break"})]
    events_write(
        events_new(session=session, ts=timezone.now(), items=items, rhythm=None, emotion=None, task_snapshot=None)
    )
    types = list(WebhookDelivery.objects.order_by("id").values_list("webhook_type", flat=True))
    assert types == ["session.started", "session.paused", "session.resumed", "nudge.sent", "break.suggested"]

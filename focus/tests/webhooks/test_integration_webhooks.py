"""Webhooks with real processes: gunicorn, a Celery worker and beat over a throwaway Redis and the
test database, delivering to a local HTTP receiver on a free port (FOCUS_ALLOW_PRIVATE_URLS on for
it, the only way plain http and 127.0.0.1 are allowed). Waits poll with deadlines; "nothing more
arrives" is checked after the sweep has run several more times."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from standardwebhooks.webhooks import Webhook

from focus.tests.receiver import Reply
from focus.tests.stack import wait_for
from focus.tests.test_integration_ticks import call
from focus.webhooks.models import WebhookDelivery
from focusflow.tokens import token_create

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

WEBHOOK_KNOBS = {
    "FOCUS_ALLOW_PRIVATE_URLS": "true",
    "FOCUS_WEBHOOK_TIMEOUT_SECONDS": "2",  # a claim's lease: 2 × 2 + 5 = 9 s
    "FOCUS_WEBHOOK_RETRY_SECONDS": "0.5",  # retries after 0.5 s, 1 s, 2 s …
    "FOCUS_WEBHOOK_SWEEP_SECONDS": "1",
}
ALL_TYPES = ["session.started", "session.paused", "session.resumed", "nudge.sent", "break.suggested", "session.ended"]


@pytest.fixture
def token(django_user_model) -> str:
    user = django_user_model.objects.create_user("hooked", password="hooked-pass-123")
    return token_create(user=user)


@pytest.fixture
def running(stack, settings):
    """web, worker and beat with the webhook knobs; returns the web's base URL and the beat."""
    settings.FOCUS_ALLOW_PRIVATE_URLS = True
    stack.env.update(WEBHOOK_KNOBS)
    _, base = stack.web()
    stack.worker()
    beat = stack.beat()
    return base, beat


def sweeps(beat) -> int:
    return beat.output().count("Sending due task focus.sweep_webhooks")


def a_few_more_sweeps(beat, n: int = 3) -> None:
    """Let the sweep run n more times: anything it still owed would have been sent by then."""
    seen = sweeps(beat)
    wait_for(lambda: sweeps(beat) >= seen + n, timeout=30, what=f"{n} more sweeps")


def register(base, token, receiver, path, event_types) -> dict:
    status, body = call(base, "POST", "/api/webhooks/", token, {"url": receiver.url(path), "event_types": event_types})
    assert status == 201, body
    return body


def start_and_end(base, token) -> str:
    status, session = call(base, "POST", "/focus/start", token, {"task_id": None, "estimated_duration": 10})
    assert status == 201, session
    status, ended = call(base, "POST", "/focus/end", token, {"session_id": session["session_id"]})
    assert status == 200, ended
    return session["session_id"]


def all_settled() -> bool:
    return WebhookDelivery.objects.exists() and not WebhookDelivery.objects.filter(status="pending").exists()


def test_a_receiver_gets_each_subscribed_event_once_with_a_valid_signature(running, token, receiver):
    base, beat = running
    everything = register(base, token, receiver, "/all", ALL_TYPES)
    ends_only = register(base, token, receiver, "/ends", ["session.ended"])
    session_id = start_and_end(base, token)

    wait_for(all_settled, timeout=60, what="every delivery settled")
    a_few_more_sweeps(beat)
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"delivered"}

    for endpoint, path in ((everything, "/all"), (ends_only, "/ends")):
        got = receiver.at(path)
        payloads = [Webhook(endpoint["secret"]).verify(r.body, r.headers) for r in got]  # raises if not valid
        ids = Counter(r.headers["webhook-id"] for r in got)
        assert all(count == 1 for count in ids.values()), ids  # each event once
        assert all(p["data"]["session_id"] == session_id for p in payloads)
        owed = WebhookDelivery.objects.filter(endpoint_id=endpoint["id"])
        assert sorted(p["type"] for p in payloads) == sorted(owed.values_list("webhook_type", flat=True))
        assert set(ids) == {d.webhook_id for d in owed}
    types = [p["type"] for p in (Webhook(everything["secret"]).verify(r.body, r.headers) for r in receiver.at("/all"))]
    assert types[0] == "session.started" and types[-1] == "session.ended"
    assert [Webhook(ends_only["secret"]).verify(r.body, r.headers)["type"] for r in receiver.at("/ends")] == [
        "session.ended"
    ]
    ended = Webhook(ends_only["secret"]).verify(receiver.at("/ends")[0].body, receiver.at("/ends")[0].headers)
    assert ended["data"]["summary"]["duration"]["estimated_minutes"] == 10


def test_a_receiver_answering_500_twice_gets_it_on_the_third_attempt_and_the_admin_shows_each(
    running, token, receiver, admin_client
):
    base, beat = running
    receiver.answers["/flaky"] = [Reply(500, b"not now"), Reply(503, b"still not"), Reply(200, b"thanks")]
    register(base, token, receiver, "/flaky", ["session.started"])
    status, session = call(base, "POST", "/focus/start", token, {"task_id": None, "estimated_duration": 10})
    assert status == 201

    wait_for(all_settled, timeout=60, what="the delivery settled")
    a_few_more_sweeps(beat)
    got = receiver.at("/flaky")
    assert len(got) == 3 and len({r.headers["webhook-id"] for r in got}) == 1 and len({r.body for r in got}) == 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 3, 200)
    attempts = list(delivery.attempt_log.values_list("number", "status_code", "ok"))
    assert attempts == [(1, 500, False), (2, 503, False), (3, 200, True)]
    gaps = [(b.at - a.at).total_seconds() for a, b in zip(delivery.attempt_log.all(), delivery.attempt_log.all()[1:])]
    # No attempt comes before its backoff is over (0.5 s, then 1 s). How much later it comes depends on the
    # sweeps and on how busy the machine is, so only the lower bound is read here; that the backoff doubles
    # is checked with a pinned clock in test_delivery.py.
    assert gaps[0] >= 0.5 and gaps[1] >= 1.0, gaps

    page = admin_client.get(f"/admin/focus/webhookdelivery/{delivery.id}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    for text in ("not now", "still not", "thanks", delivery.webhook_id):
        assert text in html
    listing = admin_client.get("/admin/focus/webhookdelivery/").content.decode()
    assert "delivered" in listing and re.search(r">\s*3\s*<", listing)


def test_with_the_broker_down_when_the_event_commits_it_is_delivered_once_it_is_back(running, token, receiver, broker):
    base, beat = running
    endpoint = register(base, token, receiver, "/hook", ["session.started"])
    broker.stop()
    status, session = call(base, "POST", "/focus/start", token, {"task_id": None, "estimated_duration": 10})
    assert status == 201, session
    assert WebhookDelivery.objects.filter(status="pending").count() == 1  # in the outbox, committed
    assert receiver.at("/hook") == []
    broker.start()  # same port, empty: the queued send is gone, the outbox row is not

    wait_for(all_settled, timeout=150, what="the delivery after the outage")
    a_few_more_sweeps(beat)
    (got,) = receiver.at("/hook")
    assert Webhook(endpoint["secret"]).verify(got.body, got.headers)["data"]["session_id"] == session["session_id"]


def test_a_removed_endpoint_gets_nothing_more(running, token, receiver):
    base, beat = running
    removed = register(base, token, receiver, "/removed", ["session.started", "session.ended"])
    register(base, token, receiver, "/kept", ["session.ended"])
    status, session = call(base, "POST", "/focus/start", token, {"task_id": None, "estimated_duration": 10})
    assert status == 201
    wait_for(lambda: receiver.at("/removed"), timeout=60, what="the start delivered")
    assert call(base, "DELETE", f"/api/webhooks/{removed['id']}/", token)[0] == 204

    assert call(base, "POST", "/focus/end", token, {"session_id": session["session_id"]})[0] == 200
    wait_for(lambda: receiver.at("/kept"), timeout=60, what="the end delivered to the kept endpoint")
    a_few_more_sweeps(beat)
    assert [r.headers["webhook-id"] for r in receiver.at("/removed")] == [
        receiver.at("/removed")[0].headers["webhook-id"]
    ]
    assert len(receiver.at("/removed")) == 1
    assert not WebhookDelivery.objects.filter(endpoint_id=removed["id"]).exists()

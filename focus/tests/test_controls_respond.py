"""Answering a nudge (POST /focus/respond) and what the personal model learns from it
(GET/DELETE /api/me/learned); the engine hands the answers to the policy."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from focus import engine
from focus.models import EventType, FocusEvent, FocusSession
from focus.services import session_end, session_start
from rhythm.models import PersonalModel

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def start(person_id) -> FocusSession:
    with time_machine.travel(T0, tick=False):
        return session_start(person_id=person_id, task_id=None, estimated_duration=45, mode="deep")


def nudge(session, *, kind="check_in", minutes=10, event_type=EventType.NUDGE, **content) -> FocusEvent:
    return FocusEvent.objects.create(
        session=session,
        event_type=event_type,
        ts=at(minutes),
        content={"kind": kind, "message": "How's it going?", "tone": "micro", "reason": "x", **content},
    )


def respond(client, event_id, response, when=None, **extra):
    with time_machine.travel(when or at(11), tick=False):
        return client.post("/focus/respond", {"event_id": event_id, "response": response, **extra}, format="json")


def answers_of(person_id) -> dict:
    model = PersonalModel.objects.filter(person_id=person_id).first()
    return model.nudge_answers if model else {}


def test_answering_a_nudge_writes_one_nudge_response_event_and_teaches_the_model(alice_api):
    session = start(alice_api.person_id)
    event = nudge(session, kind="micro_break", event_type=EventType.BREAK, break_minutes=3)
    response = respond(alice_api, event.id, "snooze", snooze_minutes=10)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["event_type"] == "nudge_response" and body["session_id"] == str(session.id)
    assert {k: body["content"][k] for k in ("event_id", "kind", "response", "snooze_minutes")} == {
        "event_id": event.id,
        "kind": "micro_break",
        "response": "snooze",
        "snooze_minutes": 10,
    }
    assert answers_of(alice_api.person_id) == {"micro_break": ["snoozed"]}


def test_a_nudge_is_answered_once(alice_api):
    session = start(alice_api.person_id)
    event = nudge(session)
    assert respond(alice_api, event.id, "dismiss").status_code == 201
    again = respond(alice_api, event.id, "done")
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    assert FocusEvent.objects.filter(event_type=EventType.NUDGE_RESPONSE).count() == 1
    assert answers_of(alice_api.person_id) == {"check_in": ["dismissed"]}


def test_only_a_nudge_or_break_of_an_active_session_can_be_answered(alice_api):
    session = start(alice_api.person_id)
    tick = FocusEvent.objects.create(session=session, event_type=EventType.TICK, ts=at(5), content={"reason": "x"})
    assert respond(alice_api, tick.id, "done").status_code == 409
    event = nudge(session)
    with time_machine.travel(at(20), tick=False):
        session_end(session_id=session.id, person_id=None)
    assert respond(alice_api, event.id, "done", when=at(21)).status_code == 409
    assert not FocusEvent.objects.filter(event_type=EventType.NUDGE_RESPONSE).exists()


def test_another_persons_nudge_is_a_404_like_one_nobody_has(alice_api, bob_api):
    event = nudge(start(alice_api.person_id))
    theirs = respond(bob_api, event.id, "dismiss")
    nobodys = respond(bob_api, event.id + 1000, "dismiss")
    assert (theirs.status_code, theirs.json()) == (nobodys.status_code, nobodys.json()) == (404, nobodys.json())
    assert answers_of(alice_api.person_id) == {}


@pytest.mark.parametrize(
    "body",
    [
        {"response": "snooze"},  # snooze needs minutes
        {"response": "snooze", "snooze_minutes": 7},
        {"response": "snooze", "snooze_minutes": True},
        {"response": "done", "snooze_minutes": 5},  # only a snooze has minutes
        {"response": "later"},
        {"response": None},
        {},
    ],
)
def test_bad_answers_are_400s_that_write_nothing(alice_api, body):
    event = nudge(start(alice_api.person_id))
    with time_machine.travel(at(11), tick=False):
        response = alice_api.post("/focus/respond", {"event_id": event.id, **body}, format="json")
    assert response.status_code == 400, response.json()
    assert not FocusEvent.objects.filter(event_type=EventType.NUDGE_RESPONSE).exists()
    for bad_id in ("x", -1, 2**70, None, 1.5):
        response = alice_api.post("/focus/respond", {"event_id": bad_id, "response": "done"}, format="json")
        assert response.status_code == 400


def test_unanswered_nudges_count_as_ignored_and_the_summary_shows_what_was_learned(alice_api):
    PersonalModel.objects.create(person_id=alice_api.person_id, nudge_answers={"check_in": ["dismissed"] * 6})
    session = start(alice_api.person_id)
    answered = nudge(session, minutes=10)
    nudge(session, minutes=20)  # never answered
    FocusSession.objects.filter(pk=session.id).update(nudges_sent=2)  # as the ticks that sent them count
    respond(alice_api, answered.id, "dismiss")
    with time_machine.travel(at(30), tick=False):
        ended = session_end(session_id=session.id, person_id=None)
    assert answers_of(alice_api.person_id) == {"check_in": ["dismissed"] * 7 + ["ignored"]}
    (row,) = ended.summary["learned"]
    assert row["kind"] == "check_in" and row["factor"] > 1
    assert row["sentence"] == "Check-ins come less often: you dismissed 7 of the last 8."


def test_the_person_sees_what_was_learned_and_can_reset_it(alice_api, bob_api):
    PersonalModel.objects.create(person_id=alice_api.person_id, nudge_answers={"check_in": ["dismissed"] * 9})
    body = alice_api.get("/api/me/learned").json()
    assert body["person_id"] == str(alice_api.person_id)
    assert body["kinds"][0]["sentence"] == "Check-ins come less often: you dismissed 9 of the last 9."
    assert bob_api.get("/api/me/learned").json()["kinds"] == []  # bob's own, not alice's
    assert alice_api.delete("/api/me/learned").status_code == 200
    assert answers_of(alice_api.person_id) == {}
    assert alice_api.get("/api/me/learned").json()["kinds"] == []


def test_the_tick_hands_the_answers_and_the_learned_history_to_the_policy(alice_api):
    """A person who mostly dismisses check-ins: the tick that would send one holds it, and says why."""
    PersonalModel.objects.create(
        person_id=alice_api.person_id, nudge_answers={"check_in": ["dismissed"] * 7 + ["taken", "snoozed"]}
    )
    session = start(alice_api.person_id)
    FocusSession.objects.filter(pk=session.id).update(tick_count=6, next_tick_at=at(35))
    assert engine.run_tick(session_id=session.id, now=at(35)) == "tick"  # 35 quiet minutes: a check-in, usually
    tick = FocusEvent.objects.filter(session=session, event_type=EventType.TICK).get()
    assert tick.content == {
        "reason": "learned_spacing",
        "detail": "Check-ins come less often: you dismissed 7 of the last 9.",
    }


def test_the_tick_brings_a_snoozed_check_in_back_after_the_snooze(alice_api):
    session = start(alice_api.person_id)
    FocusSession.objects.filter(pk=session.id).update(
        tick_count=7, next_tick_at=at(40), last_nudge_at=at(35), nudges_sent=1, estimated_duration=120
    )
    sent = nudge(session, minutes=35)
    respond(alice_api, sent.id, "snooze", when=at(36), snooze_minutes=10)  # back from minute 46
    assert engine.run_tick(session_id=session.id, now=at(40)) == "tick"
    assert engine.run_tick(session_id=session.id, now=at(45)) == "tick"
    assert engine.run_tick(session_id=session.id, now=at(50)) == "nudge"
    back = FocusEvent.objects.filter(session=session, event_type=EventType.NUDGE).order_by("-ts").first()
    assert back.content["kind"] == "check_in" and back.content["reason"].startswith("You asked to be reminded")


def test_a_person_who_dismissed_most_check_ins_in_earlier_sessions_gets_fewer_and_the_reason_says_so(
    alice_api, bob_api
):
    """Two earlier sessions in which alice dismissed the check-ins she got (bob took his); in a third,
    ticked by the engine for two hours of quiet work, she gets fewer check-ins than bob, and the
    ticks that held one back say why."""
    day = timedelta(days=1)
    for earlier in (2, 1):
        for client, response in ((alice_api, "dismiss"), (bob_api, "done")):
            with time_machine.travel(T0 - earlier * day, tick=False):
                session = session_start(person_id=client.person_id, task_id=None, estimated_duration=60, mode="deep")
            for minute in (10, 20, 30, 40, 50):
                event = nudge(session, minutes=minute - earlier * 24 * 60)
                respond(client, event.id, response, when=at(minute + 1 - earlier * 24 * 60))
            with time_machine.travel(at(55 - earlier * 24 * 60), tick=False):
                session_end(session_id=session.id, person_id=None)
    assert answers_of(alice_api.person_id) == {"check_in": ["dismissed"] * 10}

    def check_ins(client) -> tuple[int, list[str]]:
        session = start(client.person_id)
        FocusSession.objects.filter(pk=session.id).update(estimated_duration=600)
        for tick in range(1, 25):  # two hours, a tick every 5 minutes
            FocusSession.objects.filter(pk=session.id).update(next_tick_at=at(5 * tick))
            engine.run_tick(session_id=session.id, now=at(5 * tick))
        events = FocusEvent.objects.filter(session=session)
        sent = events.filter(event_type=EventType.NUDGE, content__kind="check_in").count()
        held = [
            e.content["detail"] for e in events.filter(event_type=EventType.TICK, content__reason="learned_spacing")
        ]
        with time_machine.travel(at(125), tick=False):
            session_end(session_id=session.id, person_id=None)
        return sent, held

    alice_sent, alice_held = check_ins(alice_api)
    bob_sent, bob_held = check_ins(bob_api)
    assert alice_sent < bob_sent
    assert bob_held == []
    assert alice_held and set(alice_held) == {"Check-ins come less often: you dismissed 10 of the last 10."}

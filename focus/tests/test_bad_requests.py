"""Bad input never costs data or a 500: each request below gets a clear 4xx JSON answer and
writes nothing."""

import json
import uuid

import pytest

from focus.models import FocusEvent, FocusSession
from focus.tests.factories import FocusSessionFactory
from planner.models import Task
from rhythm.models import MemoryShortTerm, PersonalModel, RhythmSample, RhythmState

pytestmark = pytest.mark.django_db

ACTIVE = "{active}"  # replaced by the id of alice's active session
DEEP = "[" * 5000 + "]" * 5000


def body(**fields) -> str:
    return json.dumps(fields)


START = "/focus/start"
PING = "/focus/ping"
END = "/focus/end"
VALID_START = {"task_id": None, "estimated_duration": 45, "mode": "deep"}

CASES = [
    # (name, method, path, raw body or None, content type, expected status)
    ("malformed json", "post", START, '{"estimated_duration": 45,', "application/json", 400),
    ("body is a list", "post", START, "[1, 2]", "application/json", 400),
    ("body is a string", "post", START, '"start please"', "application/json", 400),
    # An empty body or one without an estimate starts with the person's defaults (test_preferences.py).
    ("estimate null", "post", START, body(estimated_duration=None), "application/json", 400),
    ("mode null", "post", START, body(estimated_duration=45, mode=None), "application/json", 400),
    ("estimate zero", "post", START, body(estimated_duration=0), "application/json", 400),
    ("estimate too long", "post", START, body(estimated_duration=601), "application/json", 400),
    ("estimate a word", "post", START, body(estimated_duration="forty"), "application/json", 400),
    ("estimate a boolean", "post", START, body(estimated_duration=True), "application/json", 400),
    ("estimate a fraction", "post", START, body(estimated_duration=45.5), "application/json", 400),
    ("estimate NaN", "post", START, '{"estimated_duration": NaN}', "application/json", 400),
    ("estimate huge int", "post", START, body(estimated_duration=10**40), "application/json", 400),
    ("unknown mode", "post", START, body(estimated_duration=45, mode="sleepy"), "application/json", 400),
    ("task id not a uuid", "post", START, body(estimated_duration=45, task_id="task-1"), "application/json", 400),
    ("unknown task", "post", START, body(estimated_duration=45, task_id=str(uuid.uuid4())), "application/json", 400),
    ("person id not a uuid", "post", START, body(estimated_duration=45, person_id="123"), "application/json", 400),
    ("unknown field", "post", START, body(estimated_duration=45, duration=45), "application/json", 400),
    ("NUL in a string", "post", START, body(estimated_duration=45, mode="deep\u0000"), "application/json", 400),
    ("deeply nested", "post", START, '{"mode": ' + DEEP + "}", "application/json", 400),
    ("huge body", "post", START, body(estimated_duration=45, pad="x" * 100_000), "application/json", 413),
    ("not json", "post", START, "estimated_duration=45", "text/plain", 415),
    ("wrong method", "put", START, body(**VALID_START), "application/json", 405),
    ("ping without session", "post", PING, body(focus=0.5), "application/json", 400),
    ("ping session not a uuid", "post", PING, body(session_id="abc"), "application/json", 400),
    ("ping unknown session", "post", PING, body(session_id=str(uuid.uuid4())), "application/json", 404),
    ("heart rate too low", "post", PING, body(session_id=ACTIVE, heart_rate=10), "application/json", 400),
    ("heart rate too high", "post", PING, body(session_id=ACTIVE, heart_rate=300), "application/json", 400),
    ("energy above one", "post", PING, body(session_id=ACTIVE, energy=1.5), "application/json", 400),
    ("stress below zero", "post", PING, body(session_id=ACTIVE, stress=-0.1), "application/json", 400),
    ("fatigue a string", "post", PING, body(session_id=ACTIVE, fatigue="tired"), "application/json", 400),
    ("unknown activity", "post", PING, body(session_id=ACTIVE, activity="sleeping"), "application/json", 400),
    ("note too long", "post", PING, body(session_id=ACTIVE, note="n" * 501), "application/json", 400),
    ("negative switches", "post", PING, body(session_id=ACTIVE, app_switches=-1), "application/json", 400),
    ("hrv a word", "post", PING, body(session_id=ACTIVE, hrv_ms="abc"), "application/json", 400),
    ("NUL in a note", "post", PING, body(session_id=ACTIVE, note="a\u0000b"), "application/json", 400),
    ("ping unknown field", "post", PING, body(session_id=ACTIVE, hr=70), "application/json", 400),
    ("end score above one", "post", END, body(session_id=ACTIVE, completion_score=2), "application/json", 400),
    ("end early_end a word", "post", END, body(session_id=ACTIVE, early_end="yes"), "application/json", 400),
    (
        "end quality nested",
        "post",
        END,
        '{"session_id": "' + ACTIVE + '", "session_quality": ' + DEEP + "}",
        "application/json",
        400,
    ),
    (
        "end quality NUL key",
        "post",
        END,
        body(session_id=ACTIVE, session_quality={"a\u0000": 1}),
        "application/json",
        400,
    ),
    ("end unknown session", "post", END, body(session_id=str(uuid.uuid4())), "application/json", 404),
    ("end without session", "post", END, body(completion_score=0.5), "application/json", 400),
    ("events after garbage", "get", "/focus/sessions/" + ACTIVE + "/events/?after=yesterday", None, None, 400),
    (
        "events after naive time",
        "get",
        "/focus/sessions/" + ACTIVE + "/events/?after=2026-01-01T10:00:00",
        None,
        None,
        400,
    ),
    ("events limit zero", "get", "/focus/sessions/" + ACTIVE + "/events/?limit=0", None, None, 400),
    ("sessions unknown state", "get", "/focus/sessions/?state=paused", None, None, 400),
    ("session id not a uuid", "get", "/focus/sessions/not-a-uuid/", None, None, 404),
    ("unknown path", "get", "/focus/nothing-here", None, None, 404),
    ("task without title", "post", "/planner/tasks/", body(estimate=30), "application/json", 400),
    ("task estimate zero", "post", "/planner/tasks/", body(title="x", estimate=0), "application/json", 400),
    ("task unknown status", "post", "/planner/tasks/", body(title="x", status="someday"), "application/json", 400),
    ("task NUL title", "post", "/planner/tasks/", body(title="x\u0000"), "application/json", 400),
    ("rhythm energy above one", "put", "/rhythm/state/", body(energy=2), "application/json", 400),
    ("rhythm stress a list", "put", "/rhythm/state/", body(stress=[0.5]), "application/json", 400),
]


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (FocusSession, FocusEvent, MemoryShortTerm, Task, RhythmState, RhythmSample, PersonalModel)
    }


def test_there_are_at_least_25_cases():
    assert len(CASES) >= 25


@pytest.mark.parametrize("name, method, path, raw, content_type, expected", CASES, ids=[c[0] for c in CASES])
def test_a_bad_request_gets_a_clear_4xx_and_writes_nothing(alice_api, name, method, path, raw, content_type, expected):
    active = FocusSessionFactory(person_id=alice_api.person_id)
    path = path.replace(ACTIVE, str(active.id))
    before = _counts()
    kwargs = {}
    if raw is not None:
        kwargs = {"data": raw.replace(ACTIVE, str(active.id)).encode(), "content_type": content_type}
    response = getattr(alice_api, method)(path, **kwargs)
    assert response.status_code == expected, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    payload = response.json()
    assert payload.get("detail") or payload.get("errors")
    assert _counts() == before
    active.refresh_from_db()
    assert active.ended_at is None


# --------------------------------------------------------------------------- times the database cannot store

# Every time that comes from outside goes through focusflow.fields.parse_moment: what PostgreSQL
# cannot store (or Python cannot read back) is a 400 with a field message, never a 500.
UNSTORABLE_TIMES = [
    # (name, value)
    ("offset +23:30, the fuzzer's 500", "0415-04-23T02:40:30+23:30"),
    ("offset +16:00", "2026-05-06T09:00:00+16:00"),
    ("offset -16:00", "2026-05-06T09:00:00-16:00"),
    ("offset -23:59", "2026-05-06T09:00:00-23:59"),
    ("offset +24:00", "2026-05-06T09:00:00+24:00"),
    ("offset minutes 75", "2026-05-06T09:00:00+05:75"),
    ("year 1 east of UTC", "0001-01-01T00:30:00+01:00"),
    ("year 1 at midnight UTC", "0001-01-01T00:00:00Z"),
    ("year 9999 west of UTC", "9999-12-31T23:00:00-05:00"),
    ("last day of 9999", "9999-12-31T00:00:00Z"),
    ("year 0", "0000-06-01T00:00:00Z"),
    ("leap second", "2016-12-31T23:59:60Z"),
    ("leap second with offset", "2016-12-31T23:59:60.5+00:00"),
    ("naive", "2026-05-06T09:00:00"),
    ("naive with a space", "2026-05-06 09:00:00"),
    ("naive without seconds", "2026-05-06T09:00"),
    ("30 February", "2026-02-30T09:00:00Z"),
    ("hour 24", "2026-05-06T24:00:00Z"),
    ("a date only", "2026-05-06"),
    ("unicode digits", "２０２６-05-06T09:00:00Z"),
]


@pytest.mark.parametrize("name, value", UNSTORABLE_TIMES, ids=[c[0] for c in UNSTORABLE_TIMES])
def test_an_events_cursor_the_database_cannot_store_is_a_400_with_a_field_message(alice_api, name, value):
    active = FocusSessionFactory(person_id=alice_api.person_id)
    before = _counts()
    response = alice_api.get(f"/focus/sessions/{active.id}/events/", {"after": value})
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["errors"]["after"], response.json()
    assert _counts() == before


@pytest.mark.parametrize(
    "value, stored",
    [
        ("2026-05-06T09:00:00+15:59", "2026-05-05T17:01:00+00:00"),
        ("2026-05-06T09:00:00-15:59", "2026-05-07T00:59:00+00:00"),
        ("0001-01-02T00:00:00Z", "0001-01-02T00:00:00+00:00"),
        ("9999-12-30T23:59:59.999999Z", "9999-12-30T23:59:59.999999+00:00"),
        ("2016-12-31T23:59:59.123456789z", "2016-12-31T23:59:59.123456+00:00"),
        ("2026-05-06 09:00:00-00:00", "2026-05-06T09:00:00+00:00"),
    ],
)
def test_a_storable_time_at_the_edges_is_accepted_and_read_in_utc(alice_api, value, stored):
    from datetime import datetime

    from focusflow.fields import parse_moment

    assert parse_moment(value) == datetime.fromisoformat(stored)
    active = FocusSessionFactory(person_id=alice_api.person_id)
    assert alice_api.get(f"/focus/sessions/{active.id}/events/", {"after": value}).status_code == 200

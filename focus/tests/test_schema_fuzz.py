"""Bad input, generated from the API's own OpenAPI schema (schemathesis) against a live test server,
as a signed-in person: every operation with schema-valid and schema-violating data, then stateful
sequences that follow the links schemathesis infers between operations (create a task → read,
update, delete it; start a session → read it and its events).

Every `date-time` is drawn from edge cases as well as ordinary times: UTC offsets up to ±23:59
(RFC 3339 allows them, PostgreSQL stores only up to ±15:59), years 0001 and 9999 that leave the
range once turned into UTC, leap seconds (:60), naive times and odd spellings, with more cases for
the operations that take a time. Most schema-valid cases use the fuzzer's own session and task ids
in the path and body, so a time reaches the query or the write behind the 404 check (a random id
stops at "not found"): that is how `?after=0415-04-23T02:40:30+23:30` was a 500 the fuzzer never
saw.

Every answer must be a non-5xx that the schema documents, with the documented content type, headers
and body; schema-violating data must be refused and schema-valid data accepted. Runs are bounded
(examples per operation, derandomized) so CI stays fast and reproducible."""

from __future__ import annotations

import itertools
import re
from datetime import date, datetime, timedelta, timezone

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from focus.models import FocusEvent, FocusSession
from focus.tests.factories import FocusEventFactory, FocusSessionFactory
from focusflow.people import account_person_id
from focusflow.tokens import token_create
from planner.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLES_PER_OPERATION = 40
# Schema-valid cases for an operation that takes a date-time (`?after=`, a task's `due`): an optional
# time is sent in about a fifth of the cases, so it takes this many for the edges to be sure to land.
TIME_EXAMPLES = 150
STATEFUL_SCENARIOS = 20
FUZZ_SETTINGS = hypothesis.settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,  # the same cases every run; the seed is the test's name
    suppress_health_check=list(HealthCheck),
    database=None,
)

# Schema-valid requests that the API still refuses with a 400, for reasons the schema cannot say
# (README, "Errors"): a task_id that is a well-formed uuid of no task of this person's, and JSON that
# PostgreSQL or Python would choke on (a NUL character anywhere, nesting over 32 levels).
UNKNOWN_REFERENCES = {"task_id": ["No such task for this person."]}
UNSTORABLE_JSON = ("JSON strings may not contain the NUL character", "JSON nests deeper than")
# A webhook's or calendar feed's `url` refused by the address rules (focusflow/outbound.py: https only,
# no private, loopback or link-local host), which depend on settings and DNS, and an uploaded calendar
# `file` that is not iCalendar: the schema can say neither.
BEYOND_THE_SCHEMA = {"url", "file"}


# --------------------------------------------------------------------------- date-time edge cases


def _two_digits(low: int, high: int) -> st.SearchStrategy[str]:
    return st.integers(low, high).map("{:02d}".format)


def edge_datetimes() -> st.SearchStrategy[str]:
    """RFC 3339 date-times, with the edges a parser and PostgreSQL disagree on drawn often."""
    day = (
        st.sampled_from(
            [
                date(1, 1, 1),
                date(1, 1, 2),
                date(9999, 12, 30),
                date(9999, 12, 31),
                date(2016, 12, 31),
                date(2024, 2, 29),
            ]
        )
        | st.dates()
    )
    hour = st.sampled_from(["00", "23"]) | _two_digits(0, 23)
    minute = st.sampled_from(["00", "59"]) | _two_digits(0, 59)
    second = st.sampled_from(["59", "60"]) | _two_digits(0, 59)  # 60: a leap second
    fraction = st.sampled_from(["", ".5", ".999999", ".123456789"])
    offset = st.one_of(
        st.sampled_from(["+16:00", "-16:00", "+23:30", "+23:59", "-23:59"]),  # RFC 3339 yes, PostgreSQL no
        st.sampled_from(
            ["Z", "z", "+00:00", "-00:00", "+15:59", "-15:59", "+14:00", "-12:00", "+05:45", ""]
        ),  # "": naive
        st.builds("{}{}:{}".format, st.sampled_from("+-"), _two_digits(0, 23), _two_digits(0, 59)),
    )
    return st.builds(
        "{}{}{}:{}:{}{}{}".format,
        day.map(date.isoformat),
        st.sampled_from("Tt"),
        hour,
        minute,
        second,
        fraction,
        offset,
    )


schemathesis.openapi.format("date-time", edge_datetimes())

# The documented limits (README, "Errors"), restated independently as the oracle for which
# generated times the API may refuse although RFC 3339 allows them.
RFC3339 = re.compile(
    r"^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt ]([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?"
    r"([Zz]|[+-][0-9]{2}:[0-9]{2})?$"
)
EARLIEST = datetime(1, 1, 2, tzinfo=timezone.utc)
LATEST = datetime(9999, 12, 31, tzinfo=timezone.utc)


def is_unstorable_time(value) -> bool:
    """True if the value is a time the API documents it refuses: naive, a leap second, an offset
    of 16 hours or more, or an instant outside 0001-01-02 .. 9999-12-30 UTC."""
    match = RFC3339.match(value) if isinstance(value, str) else None
    if match is None:
        return False
    year, month, day, hour, minute, second, _, offset = match.groups()
    if offset is None or second == "60":
        return True
    utc = offset.upper() == "Z"
    if not utc and int(offset[1:3]) >= 16:
        return True
    shift = (
        timedelta(0)
        if utc
        else (1 if offset[0] == "+" else -1) * timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6]))
    )
    local = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second))  # noqa: DTZ001 (wall time)
    return not (EARLIEST.replace(tzinfo=None) + shift <= local < LATEST.replace(tzinfo=None) + shift)


def _takes_date_time(node, document: dict) -> bool:
    """True if an input schema (parameters, request body; $refs followed) holds a writable date-time."""
    if isinstance(node, list):
        return any(_takes_date_time(item, document) for item in node)
    if not isinstance(node, dict) or node.get("readOnly"):
        return False
    if node.get("format") == "date-time":
        return True
    if isinstance(node.get("$ref"), str):
        name = node["$ref"].rsplit("/", 1)[-1]
        return _takes_date_time(document["components"]["schemas"][name], document)
    return any(_takes_date_time(value, document) for value in node.values())


def _operations() -> list[tuple[str, bool, bool]]:
    """(label, has inputs, takes a date-time) for every operation of the schema the code generates
    (no server needed)."""
    from drf_spectacular.generators import SchemaGenerator

    document = SchemaGenerator().get_schema(request=None, public=True)
    found = []
    for result in schemathesis.openapi.from_dict(document).get_all_operations():
        operation = result.ok()
        inputs = [p for p in operation.iter_parameters() if p.location in ("path", "query")]
        definition = document["paths"][operation.path][operation.method.lower()]
        takes_time = _takes_date_time([definition.get("parameters", []), definition.get("requestBody", {})], document)
        found.append((operation.label, bool(inputs) or bool(operation.body), takes_time))
    return sorted(found)


@pytest.fixture
def throttles_lifted(settings) -> None:
    # The fuzzer calls far faster than a person: lift the throttles (they have tests of their own).
    rest = dict(settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"] = {scope: "100000/min" for scope in rest["DEFAULT_THROTTLE_RATES"]}
    settings.REST_FRAMEWORK = rest


@pytest.fixture
def fuzz_token(django_user_model, throttles_lifted) -> str:
    user = django_user_model.objects.create_user("fuzzer", password="fuzzer-pass-123")
    return token_create(user=user)


@pytest.fixture
def own_ids(fuzz_token, django_user_model) -> dict[str, str]:
    """The fuzzer's own records, by the parameter names that take them."""
    person_id = account_person_id(user=django_user_model.objects.get(username="fuzzer"))
    task = TaskFactory(person_id=person_id)
    session = FocusSessionFactory(person_id=person_id, task=task)
    FocusEventFactory(session=session)
    return {"session_id": str(session.id), "id": str(task.id), "task_id": str(task.id)}


def use_own_ids(case, ids: dict[str, str]) -> None:
    """Point a schema-valid case's ids at the fuzzer's own records."""
    case.path_parameters = {name: ids.get(name, value) for name, value in case.path_parameters.items()}
    if isinstance(case.body, dict):
        case.body = {name: ids[name] if name in ids and name != "id" else value for name, value in case.body.items()}


@pytest.fixture
def live_schema(live_server):
    return schemathesis.openapi.from_url(f"{live_server.url}/api/schema/")


def assert_valid_data_accepted(case, response) -> None:
    """schemathesis's positive-data check, minus the one refusal a schema cannot express."""
    if case.meta.generation.mode.is_positive and response.status_code == 400:
        answer = response.json()
        if answer["code"] == "parse_error" and answer["detail"].startswith(UNSTORABLE_JSON):
            return
        sent = {**(case.query or {}), **(case.body if isinstance(case.body, dict) else {})}
        if answer.get("errors") and all(is_unstorable_time(sent.get(field)) for field in answer["errors"]):
            return
        if answer.get("errors") and set(answer["errors"]) <= BEYOND_THE_SCHEMA:
            return
        assert answer.get("errors") == UNKNOWN_REFERENCES, f"valid data refused: {case.body!r} → {response.text[:300]}"


OPERATIONS = _operations()


def test_the_operations_that_take_a_time_are_fuzzed_with_more_cases():
    assert {label for label, _, takes_time in OPERATIONS if takes_time} == {
        "GET /focus/sessions/{session_id}/events/",
        "POST /planner/tasks/",
        "PUT /planner/tasks/{id}/",
        "PATCH /planner/tasks/{id}/",
    }


@pytest.mark.parametrize("label, has_inputs, takes_time", OPERATIONS, ids=[label for label, *_ in OPERATIONS])
def test_every_operation_answers_within_its_schema(label, has_inputs, takes_time, live_schema, fuzz_token, own_ids):
    operation = live_schema.find_operation_by_label(label)
    assert operation is not None, f"{label} is not in the served schema"
    auth = {"Authorization": f"Token {fuzz_token}"}
    # Schema-violating data too, where there is an input to get wrong.
    modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE] if has_inputs else [GenerationMode.POSITIVE]
    for mode in modes:
        examples = TIME_EXAMPLES if takes_time and mode is GenerationMode.POSITIVE else EXAMPLES_PER_OPERATION

        # Three valid cases in four use the fuzzer's own ids (the rest, random ids: the 404 path).
        @hypothesis.settings(FUZZ_SETTINGS, max_examples=examples)
        @hypothesis.given(case=operation.as_strategy(generation_mode=mode), own=st.integers(0, 3).map(bool))
        def check(case, own):
            if own and mode is GenerationMode.POSITIVE:  # noqa: B023 (check() runs within this iteration)
                use_own_ids(case, own_ids)
            response = case.call_and_validate(headers=auth, excluded_checks=[positive_data_acceptance])
            assert_valid_data_accepted(case, response)

        check()


def test_linked_sequences_answer_within_the_schema(live_schema, throttles_lifted, django_user_model):
    """Stateful: schemathesis chains operations along the links it infers from the schema (ids
    that one response returns and another operation takes).

    Each scenario signs in as a new person, so it starts from the same server state: nothing to
    list, nothing running. With one person for all scenarios, a list (GET /planner/tasks/) is empty
    or not depending on what earlier scenarios created, schemathesis draws a path id only when the
    link finds none in the answer, and Hypothesis, replaying a scenario, sees other draws than the
    first time: FlakyStrategyDefinition (and a scenario that cannot be replayed cannot be shrunk).
    The records of earlier scenarios stay, so the assertions below are about the whole run."""
    # The stream is a read with nothing to link onward (the per-operation fuzz covers it); in the
    # derandomized sequences it only pushed the starts out.
    machine = live_schema.exclude(path_regex=r"/stream$").as_state_machine()
    assert machine.bundles, "no links between operations: the stateful test would test nothing"
    people = itertools.count(1)

    class Sequences(machine):
        def setup(self):
            user = django_user_model.objects.create_user(f"fuzzer-{next(people)}")
            self.auth = {"Authorization": f"Token {token_create(user=user)}"}

        def get_call_kwargs(self, case):
            return {"headers": self.auth}

        def validate_response(self, response, case, additional_checks=(), **kwargs):
            case.validate_response(response, headers=self.auth, excluded_checks=[positive_data_acceptance])
            assert_valid_data_accepted(case, response)

    Sequences.run(
        settings=hypothesis.settings(
            max_examples=STATEFUL_SCENARIOS,
            stateful_step_count=6,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
    )
    # The sequences reached deep enough to matter: sessions were started and used.
    assert FocusSession.objects.exists()
    assert FocusEvent.objects.exists()


@pytest.mark.parametrize("after", ["²", "١٢", "9" * 19, "0x10", "2031-01-01T00:00:00"])
def test_an_events_cursor_the_fuzzer_found_is_a_400_not_a_500(after, alice_api):
    """`str.isdigit()` is true for "²", which int() refuses: that was a 500."""
    from focus.tests.factories import FocusSessionFactory

    session = FocusSessionFactory(person_id=alice_api.person_id)
    response = alice_api.get(f"/focus/sessions/{session.id}/events/", {"after": after})
    assert response.status_code == 400
    assert "after" in response.json()["errors"]

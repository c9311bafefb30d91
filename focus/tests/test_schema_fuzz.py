"""Bad input, generated from the API's own OpenAPI schema (schemathesis) against a live test server,
as a signed-in person: every operation with schema-valid and schema-violating data, then stateful
sequences that follow the links schemathesis infers between operations (create a task → read,
update, delete it; start a session → read it and its events).

Every answer must be a non-5xx that the schema documents, with the documented content type, headers
and body; schema-violating data must be refused and schema-valid data accepted. Runs are bounded
(examples per operation, derandomized) so CI stays fast and reproducible."""

from __future__ import annotations

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck
from focusflow.tokens import token_create
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from focus.models import FocusEvent, FocusSession

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLES_PER_OPERATION = 25
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


def _operations() -> list[tuple[str, bool]]:
    """(label, has inputs) for every operation of the schema the code generates (no server needed)."""
    from drf_spectacular.generators import SchemaGenerator

    document = SchemaGenerator().get_schema(request=None, public=True)
    found = []
    for result in schemathesis.openapi.from_dict(document).get_all_operations():
        operation = result.ok()
        inputs = [p for p in operation.iter_parameters() if p.location in ("path", "query")]
        found.append((operation.label, bool(inputs) or bool(operation.body)))
    return sorted(found)


@pytest.fixture
def fuzz_token(django_user_model, settings) -> str:
    user = django_user_model.objects.create_user("fuzzer", password="fuzzer-pass-123")
    # The fuzzer calls far faster than a person: lift the throttles (they have tests of their own).
    rest = dict(settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"] = {scope: "100000/min" for scope in rest["DEFAULT_THROTTLE_RATES"]}
    settings.REST_FRAMEWORK = rest
    return token_create(user=user)


@pytest.fixture
def live_schema(live_server):
    return schemathesis.openapi.from_url(f"{live_server.url}/api/schema/")


def assert_valid_data_accepted(case, response) -> None:
    """schemathesis's positive-data check, minus the one refusal a schema cannot express."""
    if case.meta.generation.mode.is_positive and response.status_code == 400:
        answer = response.json()
        if answer["code"] == "parse_error" and answer["detail"].startswith(UNSTORABLE_JSON):
            return
        assert answer.get("errors") == UNKNOWN_REFERENCES, f"valid data refused: {case.body!r} → {response.text[:300]}"


OPERATIONS = _operations()


@pytest.mark.parametrize("label, has_inputs", OPERATIONS, ids=[label for label, _ in OPERATIONS])
def test_every_operation_answers_within_its_schema(label, has_inputs, live_schema, fuzz_token):
    operation = live_schema.find_operation_by_label(label)
    assert operation is not None, f"{label} is not in the served schema"
    auth = {"Authorization": f"Token {fuzz_token}"}
    # Schema-violating data too, where there is an input to get wrong.
    modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE] if has_inputs else [GenerationMode.POSITIVE]
    for mode in modes:

        @FUZZ_SETTINGS
        @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
        def check(case):
            response = case.call_and_validate(headers=auth, excluded_checks=[positive_data_acceptance])
            assert_valid_data_accepted(case, response)

        check()


def test_linked_sequences_answer_within_the_schema(live_schema, fuzz_token):
    """Stateful: schemathesis chains operations along the links it infers from the schema (ids
    that one response returns and another operation takes)."""
    auth = {"Authorization": f"Token {fuzz_token}"}
    machine = live_schema.as_state_machine()
    assert machine.bundles, "no links between operations: the stateful test would test nothing"

    class Sequences(machine):
        def get_call_kwargs(self, case):
            return {"headers": auth}

        def validate_response(self, response, case, additional_checks=(), **kwargs):
            case.validate_response(response, headers=auth, excluded_checks=[positive_data_acceptance])
            assert_valid_data_accepted(case, response)

    Sequences.run(settings=hypothesis.settings(
        max_examples=STATEFUL_SCENARIOS, stateful_step_count=6, deadline=None, derandomize=True,
        suppress_health_check=list(HealthCheck), database=None,
    ))
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

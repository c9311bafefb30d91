"""The API docs (/api/schema/, shown at /api/docs/) a developer can trust (issue 15.9): every
operation says what it does, error answers show real bodies, stored JSON is typed as objects, and
the documented example for POST /focus/start works as-is for the signed-in person."""

import json
import re

import pytest
import yaml
from django.test import Client

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return yaml.safe_load(Client().get("/api/schema/").content)


def operations(schema):
    for path, item in schema["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def test_every_operation_has_a_summary_and_the_focus_ones_a_description(schema):
    for path, method, operation in operations(schema):
        assert operation.get("summary"), (method, path)
        if path.startswith("/focus/"):
            assert len(operation.get("description") or "") > 40, (method, path)


def test_error_answers_show_real_bodies_not_placeholders(schema):
    text = json.dumps(schema)
    assert "additionalProp1" not in text
    for path, method, operation in operations(schema):
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                examples = response["content"]["application/json"]["examples"]
                (example,) = examples.values()
                assert example["value"]["detail"] and example["value"]["code"], (method, path, status)


def test_start_state_and_summary_are_objects_and_the_minutes_are_named(schema):
    session = schema["components"]["schemas"]["Session"]["properties"]
    assert session["start_state"]["type"] == "object" and session["summary"]["type"] == "object"
    assert session["actual_minutes"]["type"] == "number" and "minutes" in session["actual_minutes"]["description"]
    assert session["estimated_minutes"]["type"] == "integer"


def test_try_it_out_on_the_documented_start_example_succeeds_for_the_signed_in_person(schema, alice):
    (start_path,) = [p for p in schema["paths"] if p.startswith("/focus/start")]
    body = schema["paths"][start_path]["post"]["requestBody"]["content"]["application/json"]
    (example,) = body["examples"].values()
    assert "person_id" not in example["value"]
    # The docs page signs requests with the browser session and its CSRF token, as Swagger UI does.
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    script = browser.get("/api/docs/?script=").content.decode()  # Swagger UI's setup script carries the token
    (token,) = re.findall(r'request\.headers\["X-CSRFTOKEN"\] = "([^"]+)"', script)
    response = browser.post(
        start_path, json.dumps(example["value"]), content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 201, response.content
    assert response.json()["estimated_minutes"] == 45

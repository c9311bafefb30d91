import uuid

import pytest

from rhythm.models import RhythmSample, RhythmState

pytestmark = pytest.mark.django_db


def test_reading_a_new_persons_state_shows_defaults_and_writes_nothing(alice_api):
    body = alice_api.get("/rhythm/state/").json()
    assert body["person_id"] == str(alice_api.person_id)
    assert body["emotion"] == {"emotion": "neutral", "source": "default"}
    assert body["history"] == [] and body["focus_habit_strength"] == 0.0
    assert not RhythmState.objects.exists()


def test_an_update_sets_the_state_and_records_history(alice_api):
    response = alice_api.put("/rhythm/state/", {"stress": 0.6, "fatigue": 0.5}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["stress"] == 0.6 and body["fatigue"] == 0.5
    assert len(body["history"]) == 1 and body["history"][0]["source"] == "update"
    alice_api.patch("/rhythm/state/", {"energy": 0.2}, format="json")
    state = RhythmState.objects.get(person_id=alice_api.person_id)
    assert (state.energy, state.stress, state.fatigue) == (0.2, 0.6, 0.5)
    assert RhythmSample.objects.filter(person_id=alice_api.person_id).count() == 2


def test_staff_read_and_update_anyones_state(staff_api):
    person = uuid.uuid4()
    assert staff_api.put("/rhythm/state/", {"person_id": str(person), "stress": 0.9}, format="json").status_code == 200
    assert staff_api.get(f"/rhythm/state/?person_id={person}").json()["stress"] == 0.9

"""A session with far more pings than the API allows still ends in a few statements, with a
summary, an answer, a memory record and a summary page of bounded size (issue 17, point 5).

The pings are bulk-created straight into the database: the ping ceiling stops the API from
writing this many, and the bound is for the sessions it did not stop (older data, a bug)."""

from __future__ import annotations

import json
import math
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from focus.models import EventType, FocusEvent, FocusSession
from focus.services import SUMMARY_EXACT_PINGS, session_start
from focus.summary import MAX_CURVE_POINTS, MAX_FRICTION_POINTS, EventRecord, build_summary
from rhythm.models import MemoryShortTerm

pytestmark = pytest.mark.django_db

PINGS = 20_000
HOURS = 10
MAX_SUMMARY_BYTES = 64 * 1024  # the summary, the end's answer and the memory record each stay under this
MAX_PAGE_BYTES = 160 * 1024  # the summary page
MAX_END_STATEMENTS = 27  # what POST /focus/end runs, whatever the number of events (2 of them fold the unanswered nudges into what the policy learned)


def ping_content(i: int) -> dict:
    """Restless readings: stress and activity flip every few pings (each flip is friction), energy
    falls from 0.8 to 0.3 over the session."""
    return {
        "energy": round(0.8 - 0.5 * i / PINGS, 3),
        "stress": 0.9 if (i // 3) % 2 else 0.2,
        "activity": "idle" if (i // 5) % 2 else "active",
        "focus": 0.5,
        "app_switches": i % 7,
        "note": "x" * 40,
    }


def long_session(person_id, *, pings: int = PINGS, content=ping_content) -> FocusSession:
    started = timezone.now() - timedelta(hours=HOURS)
    session = session_start(person_id=person_id, task_id=None, estimated_duration=600, mode="deep", now=started)
    step = timedelta(hours=HOURS) / (pings + 1)
    FocusEvent.objects.bulk_create(
        [
            FocusEvent(
                session=session,
                event_type=EventType.PING,
                ts=started + step * (i + 1),
                content=content(i),
                rhythm_snapshot={
                    "energy": content(i).get("energy"),
                    "stress": content(i).get("stress"),
                    "fatigue": 0.3,
                },
            )
            for i in range(pings)
        ],
        batch_size=5000,
    )
    return session


def size(value) -> int:
    return len(json.dumps(value).encode())


def end(client, session) -> tuple:
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/focus/end", {"session_id": str(session.id), "completion_score": 0.5}, format="json")
    return response, len(queries)


def test_a_session_with_20000_pings_ends_with_a_bounded_summary_in_a_bounded_number_of_statements(alice_api):
    session = long_session(alice_api.person_id)

    response, statements = end(alice_api, session)

    assert response.status_code == 200
    assert len(response.content) < MAX_SUMMARY_BYTES
    assert statements <= MAX_END_STATEMENTS
    summary = FocusSession.objects.get(pk=session.id).summary
    assert size(summary) < MAX_SUMMARY_BYTES
    assert size(MemoryShortTerm.objects.get(session_id=session.id).content) < MAX_SUMMARY_BYTES
    assert len(summary["energy_curve"]["points"]) <= MAX_CURVE_POINTS
    assert len(summary["friction_points"]) <= MAX_FRICTION_POINTS
    # Idle every few seconds is one long stretch (stretches under 3 minutes apart are one gap,
    # focus/summary.py); the cap on the list against uncapped counts: test_summary.py.
    assert summary["friction_totals"]["idle_gap"]["count"] >= 1
    assert summary["energy_curve"]["trend"] == "falling"
    assert len(summary["sentences"]) == 2


def test_ending_runs_as_many_statements_with_20000_pings_as_with_a_few(alice_api, bob_api):
    few = long_session(alice_api.person_id, pings=10)
    many = long_session(bob_api.person_id)
    (_, with_few), (_, with_many) = end(alice_api, few), end(bob_api, many)
    # One more at most: past SUMMARY_EXACT_PINGS the pings are read folded by bucket.
    assert with_few <= with_many <= with_few + 1


def test_the_summary_page_of_a_20000_ping_session_stays_small(alice, alice_api):
    session = long_session(alice_api.person_id)
    assert end(alice_api, session)[0].status_code == 200
    web = Client()
    web.force_login(alice)

    page = web.get(reverse("dashboard-summary", args=[session.id]))

    assert page.status_code == 200
    assert len(page.content) < MAX_PAGE_BYTES
    assert page.content.count(b'class="friction-item') <= MAX_FRICTION_POINTS


def exact_summary(session: FocusSession) -> dict:
    """The summary built from every row, as session_end did before the bound."""
    events = [
        EventRecord(*row)
        for row in FocusEvent.objects.filter(session=session)
        .order_by("ts", "id")
        .values_list("event_type", "ts", "content", "rhythm_snapshot")
    ]
    return build_summary(
        started_at=session.started_at,
        ended_at=session.ended_at,
        early_end=session.early_end,
        estimated_minutes=session.estimated_duration,
        completion_score=session.completion_score,
        session_quality=session.session_quality,
        events=events,
    )


def calm_then_away(i: int, pings: int = 3 * SUMMARY_EXACT_PINGS) -> dict:
    """A session that reads plainly: energy eases from 0.8 to 0.4, stress jumps to 0.8 for the middle
    fifth, the person is away for the fourth tenth."""
    share = i / pings
    return {
        "energy": round(0.8 - 0.4 * share, 3),
        "stress": 0.8 if 0.4 <= share < 0.6 else 0.3,
        "activity": "away" if 0.3 <= share < 0.4 else "active",
        "focus": 0.7,
    }


def test_a_summary_from_folded_pings_says_what_the_summary_from_every_ping_says(alice_api):
    session = long_session(alice_api.person_id, pings=3 * SUMMARY_EXACT_PINGS, content=calm_then_away)
    assert end(alice_api, session)[0].status_code == 200
    session.refresh_from_db()
    folded, exact = session.summary, exact_summary(session)

    # The same sentences, to within the resolution of the folding (a bucket) and of the curve.
    assert [s.split(" minute")[0] for s in folded["sentences"]] == [s.split(" minute")[0] for s in exact["sentences"]]
    curve_minutes = HOURS * 60 / MAX_CURVE_POINTS
    assert math.isclose(
        folded["energy_curve"]["dip_minute"],
        exact["energy_curve"]["dip_minute"],
        abs_tol=curve_minutes + HOURS * 60 / 500,
    )
    assert folded["friction_totals"].keys() == exact["friction_totals"].keys() == {"idle_gap", "stress_spike"}
    bucket_minutes = HOURS * 60 / 500
    for kind in ("idle_gap", "stress_spike"):
        (f,), (e,) = ([p for p in summary["friction_points"] if p["kind"] == kind] for summary in (folded, exact))
        # A spike is read on a median of three points: folded, up to two buckets later.
        lag = 2 * bucket_minutes if kind == "stress_spike" else bucket_minutes
        assert math.isclose(f["at_minute"], e["at_minute"], abs_tol=lag)
        assert math.isclose(f["minutes"], e["minutes"], abs_tol=2 * bucket_minutes)
    for key in ("start", "end", "peak", "low"):
        assert math.isclose(folded["energy_curve"][key], exact["energy_curve"][key], abs_tol=0.02)
    assert folded["energy_curve"]["trend"] == exact["energy_curve"]["trend"] == "falling"

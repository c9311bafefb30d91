"""The dashboard's signed-in browsers (moved from test_dashboard_views.py): alice (with her person id) and bob."""

import pytest
from django.test import Client

from focusflow.people import account_person_id


@pytest.fixture
def alice_web(alice) -> Client:
    client = Client()
    client.force_login(alice)
    client.person_id = account_person_id(user=alice)
    return client


@pytest.fixture
def bob_web(bob) -> Client:
    client = Client()
    client.force_login(bob)
    return client

import pytest


@pytest.fixture
def receiver():
    """A local HTTP server on a free port serving the feeds (focus/tests/receiver.py)."""
    from focus.tests.receiver import Receiver

    server = Receiver().start()
    yield server
    server.stop()

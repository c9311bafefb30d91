import pytest


@pytest.fixture
def receiver():
    """A local HTTP server on a free port serving the feeds (focus/tests/receiver.py)."""
    from focus.tests.receiver import Receiver

    server = Receiver().start()
    yield server
    server.stop()


# The integration fixtures (real worker and beat over a throwaway Redis) are focus's.
from focus.tests.conftest import broker, stack  # noqa: E402, F401

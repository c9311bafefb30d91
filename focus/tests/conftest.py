import pytest

from focus.tests.stack import RedisServer, Stack, stack_env


@pytest.fixture
def broker(tmp_path):
    """A throwaway Redis for one integration test (fault tests stop and restart it)."""
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def stack(transactional_db, broker, tmp_path, request):
    """Real processes on the test database and the throwaway broker; stopped before the
    database is flushed. Logs are printed when a test fails."""
    processes = Stack(workdir=tmp_path, env=stack_env(broker_url=broker.url))
    yield processes
    processes.stop()
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        print(processes.logs())


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    """Throttle counters live in the cache (per process in tests): no test inherits another's."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def pg_cluster():
    """A throwaway PostgreSQL cluster on a spare port, stopped and removed afterwards."""
    from focus.tests.stack import PostgresCluster

    cluster = PostgresCluster()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def receiver():
    """A local HTTP server on a free port (webhook receiver, calendar feeds); see focus/tests/receiver.py."""
    from focus.tests.receiver import Receiver

    server = Receiver().start()
    yield server
    server.stop()

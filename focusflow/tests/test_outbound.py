"""The address rules for requests to user-given URLs (focusflow/outbound.py), against a real local
server: refused unless FOCUS_ALLOW_PRIVATE_URLS, no redirects, bounded time and size."""

from __future__ import annotations

import socket

import pytest

from focus.tests.receiver import Receiver, Reply
from focusflow import outbound


@pytest.fixture
def server():
    receiver = Receiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def private_allowed(settings):
    settings.FOCUS_ALLOW_PRIVATE_URLS = True


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.5.5.5",
        "10.0.0.1",
        "10.255.1.2",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # shared address space
        "0.0.0.0",
        "224.0.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
    ],
)
def test_an_address_that_is_not_public_is_refused(address):
    assert outbound.address_problem(address) is not None


@pytest.mark.parametrize("address", ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111"])
def test_a_public_address_is_accepted(address):
    assert outbound.address_problem(address) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/hook",  # plain http
        "ftp://example.com/feed.ics",
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://localhost/hook",
        "https://user:pass@example.com/hook",
        "https:///nohost",
        "https://example.com/hook#frag",
        "https://exa mple.com/",
        "https://example.com:99999/",
        "",
    ],
)
def test_url_problem_refuses_without_any_lookup(url):
    assert outbound.url_problem(url)


def test_url_problem_accepts_an_https_name():
    assert outbound.url_problem("https://hooks.example.com/focus?x=1") is None


@pytest.mark.parametrize("path", ["127.0.0.1", "localhost"])
def test_a_request_to_a_loopback_host_is_refused_before_connecting(server, path):
    url = f"https://{path}:{server.port}/hook"
    with pytest.raises(outbound.UnsafeUrl):
        outbound.request("GET", url, timeout=2, max_bytes=1000)
    assert server.received == []


def test_a_name_resolving_to_a_private_address_is_refused(monkeypatch, server):
    """Every address of the name is checked: one private address among public ones refuses it."""

    def fake_getaddrinfo(host, port, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    with pytest.raises(outbound.UnsafeUrl, match="10.0.0.7"):
        outbound.request("GET", "https://rebind.example.com/hook", timeout=2, max_bytes=1000)


def test_plain_http_and_local_addresses_only_where_allowed(private_allowed, server):
    answer = outbound.request("POST", server.url("/hook?a=1"), body=b"{}", timeout=2, max_bytes=1000)
    assert (answer.status, answer.body) == (200, b"ok")
    (got,) = server.received
    assert (got.method, got.path, got.body) == ("POST", "/hook?a=1", b"{}")
    assert got.headers["host"] == f"127.0.0.1:{server.port}"


def test_no_redirect_is_followed(private_allowed, server):
    server.answers["/hook"] = [Reply(302, b"", {"Location": server.url("/elsewhere")})]
    answer = outbound.request("GET", server.url("/hook"), timeout=2, max_bytes=1000)
    assert answer.status == 302
    assert server.at("/elsewhere") == []


def test_a_slow_server_times_out(private_allowed, server):
    server.answers["/slow"] = [Reply(200, b"late", delay=1.5)]
    with pytest.raises(outbound.FetchFailed, match="No answer"):
        outbound.request("GET", server.url("/slow"), timeout=0.3, max_bytes=1000)


def test_an_answer_over_the_size_limit_is_refused(private_allowed, server):
    server.answers["/big"] = [Reply(200, b"x" * 5000)]
    with pytest.raises(outbound.FetchFailed, match="larger"):
        outbound.request("GET", server.url("/big"), timeout=2, max_bytes=4096)


def test_a_closed_port_fails_cleanly(private_allowed):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(outbound.FetchFailed):
        outbound.request("GET", f"http://127.0.0.1:{port}/", timeout=1, max_bytes=100)

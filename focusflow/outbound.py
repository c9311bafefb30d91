"""Requests to addresses that people give us: the one place they are checked and the one place they
are made (webhook deliveries, focus/webhooks/; calendar feeds, planner/calendars/).

Rules (DESIGN.md "Integrations"):

- https only; the host is resolved and *every* address it resolves to must be a public one (no
  private, loopback, link-local, shared, reserved, multicast or unspecified address, IPv4-mapped
  IPv6 unwrapped first). The connection goes to the address that was checked (the host name is kept
  for TLS and the Host header), so a second lookup cannot swap in an internal address.
- No redirect is followed, to any address: a 3xx is an answer like any other (a failure for a
  webhook or a feed). Nothing here retries; the callers keep their own backoff.
- Every request is bounded: a connect and a read timeout, an overall deadline, and a cap on the
  size of the answer (a longer answer is refused without reading the rest).
- FOCUS_ALLOW_PRIVATE_URLS=true (tests only, for their local servers) lifts the address rules and
  allows plain http.

`url_problem` is the check without any lookup, for validating input inside a web request (which
never makes a request to a user-given URL); `request` does the lookup, the checks and the request,
and is called only by Celery tasks.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from django.conf import settings

MAX_URL_LENGTH = 2000
USER_AGENT = "FocusFlow/1.0 (+https://github.com/focusflow)"


class UnsafeUrl(ValueError):
    """An address we will not connect to; the message says why (shown to the person)."""


class FetchFailed(Exception):
    """The request was made but gave no usable answer: a timeout, a refused connection, a TLS error,
    an answer too large. The message is short and safe to show the URL's owner."""


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]  # names lower-cased
    body: bytes


def _private_allowed() -> bool:
    return bool(getattr(settings, "FOCUS_ALLOW_PRIVATE_URLS", False))


def address_problem(address: str) -> str | None:
    """Why an IP address is refused, or None for a public one."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    except ValueError:
        return "is not an IP address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "is a loopback address"
    if ip.is_link_local:
        return "is a link-local address"
    if ip.is_private:
        return "is a private address"
    if ip.is_multicast or ip.is_unspecified or ip.is_reserved or not ip.is_global:
        return "is not a public address"
    return None


def _split(url: str):
    if not isinstance(url, str) or not url:
        raise UnsafeUrl("Give a URL.")
    if len(url) > MAX_URL_LENGTH:
        raise UnsafeUrl(f"The URL is longer than {MAX_URL_LENGTH} characters.")
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise UnsafeUrl("The URL contains spaces or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeUrl(f"The URL is not valid: {exc}.") from None
    allowed = ("https", "http") if _private_allowed() else ("https",)
    if parts.scheme not in allowed:
        raise UnsafeUrl("Use an https:// URL.")
    if not parts.hostname:
        raise UnsafeUrl("The URL has no host.")
    if parts.username is not None or parts.password is not None:
        raise UnsafeUrl("Put no user name or password in the URL.")
    if parts.fragment:
        raise UnsafeUrl("The URL must not have a #fragment.")
    return parts, port or (443 if parts.scheme == "https" else 80)


def url_problem(url: str) -> str | None:
    """Why a URL is refused, checked without any lookup (scheme, host, a literal address), or None."""
    try:
        parts, _ = _split(url)
    except UnsafeUrl as exc:
        return str(exc)
    if not _private_allowed():
        try:
            ipaddress.ip_address(parts.hostname.split("%", 1)[0])
        except ValueError:
            if parts.hostname.rstrip(".").lower() == "localhost" or parts.hostname.lower().endswith(".localhost"):
                return "The host is localhost, which is not a public address."
            return None  # a name: checked when it is resolved, at each request
        problem = address_problem(parts.hostname)
        if problem:
            return f"The host {parts.hostname} {problem}."
    return None


def resolve_checked(host: str, port: int) -> list[str]:
    """The host's addresses, every one checked (one bad address refuses the host: DNS answers can
    rotate). Raises UnsafeUrl, or FetchFailed when the name does not resolve."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchFailed(f"The host {host} could not be resolved ({exc}).") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise FetchFailed(f"The host {host} has no address.")
    if not _private_allowed():
        for address in addresses:
            problem = address_problem(address)
            if problem:
                raise UnsafeUrl(f"The host {host} resolves to {address}, which {problem}.")
    return addresses


def request(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float,
    max_bytes: int,
) -> Answer:
    """One request, checked as the module says; raises UnsafeUrl or FetchFailed, else the answer
    (any status: the caller decides what a 3xx, 4xx or 5xx means)."""
    parts, port = _split(url)
    problem = url_problem(url)
    if problem:
        raise UnsafeUrl(problem)
    host = parts.hostname
    address = resolve_checked(host, port)[0]
    default_port = 443 if parts.scheme == "https" else 80
    host_header = (f"[{host}]" if ":" in host else host) + ("" if port == default_port else f":{port}")
    sent = {"User-Agent": USER_AGENT, **(headers or {}), "Host": host_header}
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    bounds = urllib3.Timeout(connect=timeout, read=timeout)
    if parts.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address,
            port,
            timeout=bounds,
            retries=False,
            maxsize=1,
            server_hostname=host,  # SNI and the certificate check are for the name, not the address
            assert_hostname=host,
            cert_reqs="CERT_REQUIRED",
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=bounds, retries=False, maxsize=1)
    deadline = time.monotonic() + timeout * 2
    try:
        response = pool.urlopen(
            method,
            path,
            body=body,
            headers=sent,
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FetchFailed(f"The answer is larger than {max_bytes // 1024} KB.")
            chunks, size = [], 0
            for chunk in response.stream(64 * 1024, decode_content=True):
                size += len(chunk)
                if size > max_bytes:
                    raise FetchFailed(f"The answer is larger than {max_bytes // 1024} KB.")
                if time.monotonic() > deadline:
                    raise FetchFailed(f"The answer took longer than {timeout * 2:g} s.")
                chunks.append(chunk)
            return Answer(
                status=response.status,
                headers={name.lower(): value for name, value in response.headers.items()},
                body=b"".join(chunks),
            )
        finally:
            response.release_conn()
            response.close()
    except urllib3.exceptions.TimeoutError:
        raise FetchFailed(f"No answer within {timeout:g} s.") from None
    except urllib3.exceptions.SSLError as exc:
        raise FetchFailed(f"TLS failed: {_short(exc)}.") from None
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise FetchFailed(f"The request failed: {_short(exc)}.") from None
    finally:
        pool.close()


def _short(exc: Exception, limit: int = 160) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"

"""Fetching a calendar URL: one conditional GET, bounded in time, size and hops.

- Conditional GET (RFC 9111 section 4.3.1): with a cached copy, the request
  carries its validators, `If-None-Match: <etag>` (RFC 9110 section 13.1.2)
  and `If-Modified-Since: <Last-Modified>` (section 13.1.3); a server that
  answers 304 Not Modified (section 15.4.5) costs one small response, and
  the cached copy is used.
- Bounds: a connect and a read timeout, a deadline for the whole body (a
  server that trickles one byte a second is not waited on for ever), a size
  cap checked on Content-Length and again while reading, and a redirect
  limit. Redirects are followed here, hop by hop (RFC 9110 section 15.4),
  so that each hop is checked: never from https to plain http, and
  credentials only ever go to the host they were written for.
- Failures: a server that cannot be reached, times out, or answers 5xx or
  429 is "unreachable": the last good copy is used with a warning. Without
  a copy, and for any answer that says the address itself is wrong (4xx),
  the run stops with one line naming the redacted URL.
- Plain http: refused, except on this machine (loopback), because the
  address is the calendar's password and would cross the network in clear
  text, and so would the calendar. `webcal://` is the subscription spelling
  of the same address and is fetched over https.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit, urlunsplit

from guardian.adapters.redact import redact
from guardian.adapters.sources.url.cache import Cached, CalendarCache
from guardian.errors import InputError, ProviderError

log = logging.getLogger("guardian")

USER_AGENT = "guardian (calendar audit; +https://pypi.org/project/guardian-focus/)"
REDIRECTS = {301, 302, 303, 307, 308}
UNREACHABLE_STATUS = {429, 500, 502, 503, 504}


@dataclass(frozen=True)
class Limits:
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    deadline: float = 120.0  # the whole body, however slowly it arrives
    max_bytes: int = 64 * 1024 * 1024
    max_redirects: int = 5


@dataclass(frozen=True)
class Fetched:
    """A calendar's bytes and where they came from."""

    body: bytes
    etag: str = ""
    last_modified: str = ""
    fresh: bool = True  # False: the cached copy (unchanged, or the server was unreachable)
    requests: int = 0  # HTTP requests this fetch made


class _Unreachable(Exception):
    """The server could not be asked (a short, secret-free reason)."""


def http_url(url: str) -> str:
    """The address to GET: webcal(s) means https; userinfo is taken out (sent as auth)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in ("webcal", "webcals"):
        scheme = "https"
    if scheme not in ("http", "https"):
        raise InputError(f"{redact(url)}: not an http(s) or webcal address")
    if not parts.hostname:
        raise InputError(f"{redact(url)}: the address names no host")
    netloc = parts.netloc.rsplit("@", 1)[-1]
    if scheme == "http" and not is_loopback(parts.hostname):
        raise InputError(
            f"{redact(url)}: plain http would send the calendar and its secret address unencrypted",
            hint="use the https:// (or webcal://) address; plain http is only accepted for this machine",
        )
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def credentials(url: str) -> tuple[str, str] | None:
    from urllib.parse import unquote

    parts = urlsplit(url)
    if parts.username is None:
        return None
    return unquote(parts.username), unquote(parts.password or "")


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def fetch(
    url: str,
    cache: CalendarCache,
    limits: Limits = Limits(),
    *,
    session=None,
    attempts: int = 2,
    sleep: Callable[[float], None] = time.sleep,
) -> Fetched:
    """The calendar at `url`: fresh, or the cached copy when unchanged or unreachable."""
    import requests

    target = http_url(url)
    auth = credentials(url)
    cached = cache.load(url)
    session = session or requests.Session()
    counter = [0]
    try:
        for attempt in range(1, max(1, attempts) + 1):
            try:
                return _get(session, url, target, auth, cached, limits, counter)
            except _Unreachable as exc:
                if attempt >= attempts:
                    return _fall_back(url, cached, str(exc), counter[0])
                sleep(min(2.0 * attempt, 10.0))
        raise AssertionError("unreachable")  # pragma: no cover
    finally:
        session.close()


def _fall_back(url: str, cached: Cached | None, reason: str, requests: int) -> Fetched:
    if cached is None:
        raise ProviderError(
            f"{redact(url)}: cannot fetch the calendar ({reason}) and there is no earlier copy"
        )
    when = cached.fetched.astimezone().strftime("%Y-%m-%d %H:%M") if cached.fetched else "an earlier run"
    age = ""
    if cached.fetched is not None:
        hours = (datetime.now(UTC) - cached.fetched).total_seconds() / 3600
        age = f", {hours:.0f} h old" if hours >= 1 else ", less than an hour old"
    log.warning(
        "%s: cannot fetch the calendar (%s); using the copy from %s%s", redact(url), reason, when, age
    )
    return Fetched(cached.body, cached.etag, cached.last_modified, fresh=False, requests=requests)


def _get(session, url, target, auth, cached, limits: Limits, counter: list[int]) -> Fetched:
    import requests

    headers = {"User-Agent": USER_AGENT, "Accept": "text/calendar, application/octet-stream;q=0.5, */*;q=0.1"}
    if cached is not None:
        # RFC 9110 13.1.3: a recipient ignores If-Modified-Since when If-None-Match is present,
        # so sending both is safe and serves servers that only keep dates.
        if cached.etag:
            headers["If-None-Match"] = cached.etag
        if cached.last_modified:
            headers["If-Modified-Since"] = cached.last_modified
    origin = (urlsplit(target).hostname or "").lower()
    current = target
    for _hop in range(limits.max_redirects + 1):
        host = (urlsplit(current).hostname or "").lower()
        try:
            counter[0] += 1
            response = session.get(
                current,
                headers=headers,
                auth=auth if host == origin else None,  # credentials stay with their host
                timeout=(limits.connect_timeout, limits.read_timeout),
                stream=True,
                allow_redirects=False,
            )
        except requests.exceptions.SSLError:
            raise ProviderError(
                f"{redact(url)}: the server's TLS certificate is not trusted", hint="check the address"
            ) from None
        except requests.exceptions.Timeout:
            raise _Unreachable("timed out") from None
        except requests.exceptions.ConnectionError:
            raise _Unreachable(f"cannot connect to {host}") from None
        except requests.exceptions.RequestException as exc:
            raise _Unreachable(type(exc).__name__) from None
        with response:
            status = response.status_code
            if status in REDIRECTS and response.headers.get("Location"):
                following = urljoin(current, response.headers["Location"])
                _check_hop(url, current, following)
                current = following
                if status == 303:
                    headers.pop("If-None-Match", None)  # a different resource: its own validators
                    headers.pop("If-Modified-Since", None)
                continue
            if status == 304:
                if cached is None:  # validators we never sent: treat as a plain answer
                    raise _Unreachable("HTTP 304 without a cached copy")
                return Fetched(
                    cached.body, cached.etag, cached.last_modified, fresh=False, requests=counter[0]
                )
            if status in UNREACHABLE_STATUS:
                raise _Unreachable(f"HTTP {status}")
            if status >= 400:
                raise ProviderError(f"{redact(url)}: the server answered HTTP {status}", hint=_hint(status))
            if status != 200:
                raise ProviderError(f"{redact(url)}: unexpected HTTP {status} for a calendar")
            body = _read(response, url, limits)
            return Fetched(
                body,
                response.headers.get("ETag", ""),
                response.headers.get("Last-Modified", ""),
                fresh=True,
                requests=counter[0],
            )
    raise ProviderError(
        f"{redact(url)}: more than {limits.max_redirects} redirects", hint="check the address"
    )


def _check_hop(url: str, current: str, following: str) -> None:
    now, then = urlsplit(current), urlsplit(following)
    scheme = then.scheme.lower()
    if scheme not in ("http", "https"):
        raise ProviderError(f"{redact(url)}: redirected to a {scheme or 'relative'} address")
    if scheme == "http" and not is_loopback(then.hostname or ""):
        if now.scheme.lower() == "https":
            raise ProviderError(
                f"{redact(url)}: the server redirected from https to plain http; not followed"
            )
        raise ProviderError(f"{redact(url)}: redirected to plain http; not followed")


def _read(response, url: str, limits: Limits) -> bytes:
    length = response.headers.get("Content-Length", "")
    if length.isdigit() and int(length) > limits.max_bytes:
        raise ProviderError(f"{redact(url)}: the calendar is larger than {_mib(limits.max_bytes)}; not read")
    started = time.monotonic()
    chunks: list[bytes] = []
    size = 0
    import requests

    try:
        for chunk in response.iter_content(chunk_size=64 * 1024):
            size += len(chunk)
            if size > limits.max_bytes:
                raise ProviderError(
                    f"{redact(url)}: the calendar is larger than {_mib(limits.max_bytes)}; not read"
                )
            if time.monotonic() - started > limits.deadline:
                raise _Unreachable(f"the body took longer than {limits.deadline:g} s")
            chunks.append(chunk)
    except requests.exceptions.RequestException as exc:
        raise _Unreachable(f"the connection broke ({type(exc).__name__})") from None
    return b"".join(chunks)


def _hint(status: int) -> str:
    if status in (401, 403):
        return "the address needs a sign-in or was revoked; copy the secret (private) iCal address again"
    if status in (404, 410):
        return "the address is wrong or was reset; copy the calendar's address again"
    return "check the address"


def _mib(size: int) -> str:
    return f"{size / (1 << 20):g} MiB"

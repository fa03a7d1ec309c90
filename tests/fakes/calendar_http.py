"""A loopback web server that publishes calendars the way providers do.

Google's "secret address in iCal format", Outlook's published calendars and
iCloud's public links are plain HTTP GETs of one .ics file. What this fake
models, each with the documented behaviour it follows:

- Validators and conditional GET: every 200 carries a strong `ETag` (RFC 9110
  section 8.8.3) and a `Last-Modified` (section 8.8.2). A GET with
  `If-None-Match` that matches the current ETag gets 304 Not Modified
  (section 13.1.2: "the origin server MUST NOT perform the requested
  method"; for GET it responds 304); without If-None-Match, an
  `If-Modified-Since` not older than Last-Modified gets 304 as well
  (section 13.1.3). When If-None-Match is present, If-Modified-Since is
  ignored (section 13.1.3: "A recipient MUST ignore If-Modified-Since if the
  request contains an If-None-Match header field"). A 304 carries the
  validators again and no body (section 15.4.5; RFC 9111 section 4.3.4 has the
  client freshen its stored copy from them).
- Redirects (RFC 9110 section 15.4): `/redirect/N/...` answers 302 with a
  Location one hop nearer the calendar; `/loop` redirects to itself.
- Faults: `slow` trickles the body a few bytes at a time, `huge` announces and
  sends more than a client's cap, `gone` answers 404, `error` answers 503
  with Retry-After (section 10.2.3), `login` serves an HTML sign-in page
  with 200, as providers do for an expired link.
- `stop()` takes the server away (connections are refused), as when a
  laptop is offline.

Every request is recorded (method, path, the conditional headers) so tests
can count what a run cost.
"""

from __future__ import annotations

import email.utils
import hashlib
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import loopback


@dataclass
class Seen:
    method: str
    path: str
    if_none_match: str | None
    if_modified_since: str | None
    authorization: str | None


@dataclass
class Published:
    """One calendar at one path, with the validators of its current version."""

    body: bytes
    modified: float = field(default_factory=lambda: time.time() - 3600)

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'

    @property
    def last_modified(self) -> str:
        return email.utils.formatdate(self.modified, usegmt=True)


class CalendarServer:
    """`with CalendarServer() as server: server.publish("/a.ics", body); server.url("/a.ics")`."""

    def __init__(self, tls_cert=None) -> None:
        self.calendars: dict[str, Published] = {}
        self.seen: list[Seen] = []
        self.slow_seconds_per_chunk = 0.5
        self.huge_bytes = 2 * 1024 * 1024
        self.send_etag = True
        self.send_last_modified = True
        self.require_auth: tuple[str, str] | None = None
        self._lock = threading.Lock()
        self._tls_cert = tls_cert  # a trustme LeafCert, for https
        self._server: ThreadingHTTPServer | None = None

    # --- control -----------------------------------------------------------------

    def publish(self, path: str, body: bytes | str) -> Published:
        data = body.encode() if isinstance(body, str) else body
        with self._lock:
            self.calendars[path] = Published(data, time.time() - 3600)
            return self.calendars[path]

    def url(self, path: str, scheme: str | None = None) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        default = "https" if self._tls_cert is not None else "http"
        return f"{scheme or default}://127.0.0.1:{port}{path}"

    def requests_to(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]

    def start(self) -> CalendarServer:
        context = None
        if self._tls_cert is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            self._tls_cert.configure_cert(context)
        self._server = loopback.serve(_handler(self), tls=context)
        return self

    def stop(self) -> None:
        """The server goes away: its port refuses connections from now on."""
        loopback.shut(self._server)

    def __enter__(self) -> CalendarServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _handler(fake: CalendarServer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # quiet
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            path = self.path.split("?", 1)[0]
            fake.seen.append(
                Seen(
                    "GET",
                    path,
                    self.headers.get("If-None-Match"),
                    self.headers.get("If-Modified-Since"),
                    self.headers.get("Authorization"),
                )
            )
            if fake.require_auth is not None and not self._authorized():
                self._send(401, b"", {"WWW-Authenticate": 'Basic realm="calendars"'})
                return
            if path.startswith("/redirect/"):
                _, _, hops, rest = path.split("/", 3)
                n = int(hops)
                location = f"/redirect/{n - 1}/{rest}" if n > 1 else f"/{rest}"
                self._send(302, b"", {"Location": location})
                return
            if path == "/loop":
                self._send(302, b"", {"Location": "/loop"})
                return
            if path == "/to-plain-http":
                self._send(302, b"", {"Location": "http://calendar.example.org/basic.ics"})
                return
            if path.startswith("/error"):
                self._send(503, b"try later", {"Retry-After": "0"})
                return
            if path.startswith("/login"):
                page = b"<!DOCTYPE html><html><body>Sign in to continue</body></html>"
                self._send(200, page, {"Content-Type": "text/html"})
                return
            if path.startswith("/huge"):
                self._send_huge()
                return
            calendar = fake.calendars.get(path)
            if calendar is None:
                self._send(404, b"not found", {})
                return
            validators = {}
            if fake.send_etag:
                validators["ETag"] = calendar.etag
            if fake.send_last_modified:
                validators["Last-Modified"] = calendar.last_modified
            if self._not_modified(calendar):
                self._send(304, b"", validators)  # RFC 9110 15.4.5: no body, the validators again
                return
            headers = {"Content-Type": "text/calendar; charset=utf-8", **validators}
            if path.startswith("/slow"):
                self._send_slowly(calendar.body, headers)
                return
            self._send(200, calendar.body, headers)

        def _authorized(self) -> bool:
            import base64

            user, password = fake.require_auth
            expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
            return self.headers.get("Authorization") == expected

        def _not_modified(self, calendar: Published) -> bool:
            tags = self.headers.get("If-None-Match")
            if tags is not None:  # RFC 9110 13.1.3: If-Modified-Since is then ignored
                return fake.send_etag and (
                    tags.strip() == "*" or calendar.etag in [t.strip() for t in tags.split(",")]
                )
            since = self.headers.get("If-Modified-Since")
            if since and fake.send_last_modified:
                try:
                    when = email.utils.parsedate_to_datetime(since).timestamp()
                except (TypeError, ValueError):
                    return False  # 13.1.3: an invalid date is ignored
                return int(calendar.modified) <= when
            return False

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body and status != 304:
                self.wfile.write(body)

        def _send_slowly(self, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(200)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                for start in range(0, len(body), 16):
                    self.wfile.write(body[start : start + 16])
                    self.wfile.flush()
                    time.sleep(fake.slow_seconds_per_chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def _send_huge(self) -> None:
            # no Content-Length (chunked would be fairer, HTTP/1.0-style close is enough):
            # the client has to count while reading
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            self.send_header("Connection", "close")
            self.end_headers()
            chunk = b"X-FILLER:" + b"x" * 1014 + b"\r\n"
            try:
                for _ in range(fake.huge_bytes // len(chunk) + 1):
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.close_connection = True

    return Handler

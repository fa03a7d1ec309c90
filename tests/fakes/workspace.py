"""Org-sized fakes: a Google Workspace of many users, and a Graph tenant that meters its mailboxes.

Both reuse the single-user fakes as they are and add only what an org run
needs to be checked against the providers' documented limits.

FakeGoogleWorkspace serves many users behind one endpoint, as Google does
for a service account with domain-wide delegation
(developers.google.com/identity/protocols/oauth2/service-account,
"Delegating domain-wide authority"): the token endpoint's jwt-bearer grant
carries the user to act as in the assertion's `sub` claim, and the access
token it issues reaches that user's calendars only. Each user's calendars
are one `FakeGoogleCalendar` (owner = the user), whose own dispatch answers
the request, batches included. A `sub` outside the domain is refused with
`unauthorized_client`, as Google answers a subject the delegation does not
cover.

Quota: Google counts each part of a batch as one request ("A set of n
requests batched together counts toward your usage limit as n requests",
developers.google.com/workspace/calendar/api/guides/batch); the workspace
records a timestamp per request, batch parts included, and per token grant.

MeteredGraphFake is the Graph fake with a clock per request and the number
of requests each mailbox has in flight, to compare with Graph's Outlook
limits (10,000 requests per 10 minutes and 4 concurrent requests per app
per mailbox, learn.microsoft.com/graph/throttling-limits#outlook-service-limits).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.fakes.google_calendar import TOKEN_PATH, FakeGoogleCalendar, _jwt_claims
from tests.fakes.graph import GraphFake

from . import loopback


def peak(times: list[float], window: float) -> int:
    """The most events in any `window` seconds (a sliding window, as Google computes quotas)."""
    times = sorted(times)
    best = start = 0
    for end, t in enumerate(times):
        while t - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


class FakeGoogleWorkspace:
    def __init__(self, domain: str = "acme.example", tz: str = "Europe/Berlin") -> None:
        self.domain = domain
        self.tz = tz
        self.users: dict[str, FakeGoogleCalendar] = {}
        self._owner_of: dict[str, str] = {}  # access token -> user
        self.request_times: list[float] = []  # every API request, batch parts included
        self.token_times: list[float] = []  # every token grant
        self.step_times: list[float] = []  # every first page of an events.list: one per guardian step
        self.per_user: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def add_user(self, email: str) -> FakeGoogleCalendar:
        fake = FakeGoogleCalendar(owner=email, tz=self.tz)
        self.users[email.lower()] = fake
        return fake

    # --- lifecycle ---------------------------------------------------------------

    def start(self) -> FakeGoogleWorkspace:
        workspace = self

        class Handler(_Handler):
            owner = workspace

        self._server = loopback.serve(Handler, queue_size=128)
        return self

    def stop(self) -> None:
        loopback.shut(self._server)
        self._server = None

    def __enter__(self) -> FakeGoogleWorkspace:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{loopback.port(self._server)}"

    @property
    def api_endpoint(self) -> str:
        return self.base_url + "/calendar/v3/"

    @property
    def batch_uri(self) -> str:
        return self.base_url + "/batch/calendar/v3"

    @property
    def token_uri(self) -> str:
        return self.base_url + TOKEN_PATH

    # --- serving -----------------------------------------------------------------

    def token(self, form: dict[str, str]) -> tuple[int, dict]:
        claims = _jwt_claims(form.get("assertion", "")) or {}
        user = self.users.get(str(claims.get("sub", "")).lower())
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" or user is None:
            return 400, {
                "error": "unauthorized_client",
                "error_description": "Client is unauthorized to retrieve access tokens using this method.",
            }
        status, payload = user.token(form)
        if status == 200:
            with self._lock:
                self._owner_of[payload["access_token"]] = user.owner.lower()
                self.token_times.append(time.monotonic())
        return status, payload

    def dispatch(
        self, method: str, target: str, headers: Any, body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        auth = headers.get("Authorization") or ""
        owner = self._owner_of.get(auth[7:] if auth.lower().startswith("bearer ") else "")
        if owner is None:
            payload = {
                "error": {"code": 401, "message": "Invalid Credentials", "errors": [{"reason": "authError"}]}
            }
            return 401, {"Content-Type": "application/json"}, json.dumps(payload).encode()
        fake = self.users[owner]
        before = len(fake.log)
        answer = fake.dispatch(method, target, headers, body)
        made = max(len(fake.log) - before, 1)
        now = time.monotonic()
        parts = urlsplit(target)
        first_listing = (
            method == "GET" and parts.path.endswith("/events") and "pageToken" not in parse_qs(parts.query)
        )
        with self._lock:
            self.request_times.extend([now] * made)
            self.per_user[owner] += made
            if first_listing:
                self.step_times.append(now)
        return answer

    def write_requests(self) -> dict[str, list]:
        """Each user's writes (inserts, patches, deletes), batch parts included."""
        return {
            email: [r for r in fake.log if r.method in ("POST", "PATCH", "DELETE") and "batch" not in r.path]
            for email, fake in self.users.items()
        }


def _no_delay(connection: socket.socket) -> None:
    """Send small answers at once: headers and body are two writes, and without this
    Nagle's algorithm holds the body until the client's delayed ACK, 40 ms a request."""
    connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    owner: FakeGoogleWorkspace

    def log_message(self, *args: object) -> None:
        pass

    def setup(self) -> None:
        _no_delay(self.request)
        super().setup()

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if urlsplit(self.path).path == TOKEN_PATH:
            form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
            status, payload = self.owner.token(form)
            self._send(status, {"Content-Type": "application/json"}, json.dumps(payload).encode())
            return
        self._send(*self.owner.dispatch(self.command, self.path, self.headers, body))

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _handle


class MeteredGraphFake(GraphFake):
    """GraphFake plus a timestamp per request (batch items included) and in-flight counts per mailbox."""

    def start(self) -> MeteredGraphFake:
        super().start()
        assert self._server is not None
        base = self._server.RequestHandlerClass

        class Handler(base):  # type: ignore[valid-type, misc]
            def setup(self) -> None:
                _no_delay(self.request)
                super().setup()

        self._server.RequestHandlerClass = Handler
        return self

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.request_times: dict[str, list[float]] = {}
        self.in_flight: Counter[str] = Counter()
        self.max_in_flight: Counter[str] = Counter()
        self._meter = threading.Lock()

    @staticmethod
    def _mailbox(path: str, token: dict) -> str:
        segs = [unquote(s) for s in path.strip("/").split("/") if s]
        if segs and segs[0] == "users" and len(segs) > 1:
            return segs[1].lower()
        return str(token.get("user") or "me").lower()

    def handle_graph(self, method, path, query, headers, body, token, batch):  # type: ignore[no-untyped-def]
        box = self._mailbox(path, token)
        with self._meter:
            self.request_times.setdefault(box, []).append(time.monotonic())
            if not batch:
                self.in_flight[box] += 1
                self.max_in_flight[box] = max(self.max_in_flight[box], self.in_flight[box])
        try:
            return super().handle_graph(method, path, query, headers, body, token, batch)
        finally:
            if not batch:
                with self._meter:
                    self.in_flight[box] -= 1

    def batch(self, body: Any, token: dict) -> dict:
        boxes = {
            self._mailbox(urlsplit(r.get("url", "")).path, token) for r in (body or {}).get("requests", [])
        }
        with self._meter:
            for box in boxes:
                self.in_flight[box] += 1
                self.max_in_flight[box] = max(self.max_in_flight[box], self.in_flight[box])
        try:
            return super().batch(body, token)
        finally:
            with self._meter:
                for box in boxes:
                    self.in_flight[box] -= 1

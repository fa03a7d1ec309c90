"""A loopback fake of the part of the Slack Web API that guardian tick uses.

The real slack_sdk WebClient talks to it (its `base_url` pointed here), so
the tests send the same requests, headers and bodies as against
https://slack.com/api/. Behaviour follows api.slack.com:

- every method answers HTTP 200 with `{"ok": true, ...}`, or
  `{"ok": false, "error": CODE}` ("Callers should always check the value of
  the ok params in the response"); no token -> `not_authed`, an unknown one
  -> `invalid_auth`, a token without the method's scope -> `missing_scope`
  with `needed` and `provided` (scopes: users.profile.get
  `users.profile:read`, users.profile.set `users.profile:write`,
  dnd.setSnooze and dnd.endSnooze `dnd:write`);
- the token travels as `Authorization: Bearer ...` (or a `token` parameter);
- users.profile.get (GET) answers the `profile` with `status_text`,
  `status_emoji` and `status_expiration`; a status whose expiration has
  passed reads as reset ("When it becomes this time, the status will be
  reset", "User presence and status");
- users.profile.set (JSON body with `profile`): `status_text` of at most 100
  characters ("a string of no more than 100 characters"), otherwise
  `too_long`; clearing the emoji resets it;
- dnd.setSnooze (GET, `num_minutes`): `missing_duration` without it; answers
  snooze_enabled, snooze_endtime, snooze_remaining (in seconds: "If your
  request presents a num_minutes value of 1, the response's snooze_remaining
  will be 60") and snooze_is_indefinite false;
- dnd.endSnooze (POST): `snooze_not_active` when no snooze runs ("Snooze is
  not active for this user and cannot be ended");
- fault injection: the next N requests answer HTTP 429 with Retry-After
  (Slack's rate limiting: "a HTTP 429 Too Many Requests error, and a
  Retry-After HTTP header").

The fake's clock is `clock` (a callable), so expirations follow the test's
`--now`. `log` records each call (method, params or body, no token).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import loopback

SCOPE_OF = {
    "users.profile.get": "users.profile:read",
    "users.profile.set": "users.profile:write",
    "dnd.setSnooze": "dnd:write",
    "dnd.endSnooze": "dnd:write",
}
ALL_SCOPES = ("users.profile:read", "users.profile:write", "dnd:write")


@dataclass
class Call:
    method: str
    http: str
    args: dict[str, Any]


@dataclass
class FakeSlack:
    token: str = "xoxp-fake-user-token"
    scopes: tuple[str, ...] = ALL_SCOPES
    clock: Callable[[], datetime] = field(default=lambda: datetime.now().astimezone())
    profile: dict[str, Any] = field(
        default_factory=lambda: {"status_text": "", "status_emoji": "", "status_expiration": 0}
    )
    snooze_end: float | None = None  # epoch seconds while a snooze runs
    log: list[Call] = field(default_factory=list)
    rate_limited: int = 0  # the next N requests answer 429

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # --- lifecycle ---------------------------------------------------------------------

    def __enter__(self) -> FakeSlack:
        fake = self

        class Handler(_Handler):
            owner = fake

        self._server = loopback.serve(Handler)
        return self

    def __exit__(self, *exc: object) -> None:
        loopback.shut(self._server)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{loopback.port(self._server)}/api/"

    def calls(self, method: str | None = None) -> list[Call]:
        return [c for c in self.log if method is None or c.method == method]

    @property
    def snoozing(self) -> bool:
        return self.snooze_end is not None and self.snooze_end > self.clock().timestamp()

    # --- the methods ---------------------------------------------------------------------

    def answer(self, method: str, http: str, token: str | None, args: dict[str, Any]) -> dict:
        with self._lock:
            self.log.append(Call(method, http, {k: v for k, v in args.items() if k != "token"}))
            token = token or args.get("token")
            if not token:
                return {"ok": False, "error": "not_authed"}
            if token != self.token:
                return {"ok": False, "error": "invalid_auth"}
            needed = SCOPE_OF.get(method)
            if needed is None:
                return {"ok": False, "error": "unknown_method"}
            if needed not in self.scopes:
                return {
                    "ok": False,
                    "error": "missing_scope",
                    "needed": needed,
                    "provided": ",".join(self.scopes),
                }
            now = self.clock().timestamp()
            if method == "users.profile.get":
                expires = int(self.profile.get("status_expiration") or 0)
                if expires and expires <= now:
                    self.profile.update(status_text="", status_emoji="", status_expiration=0)
                return {"ok": True, "profile": dict(self.profile)}
            if method == "users.profile.set":
                profile = args.get("profile")
                if isinstance(profile, str):
                    profile = json.loads(profile)
                if not isinstance(profile, dict):
                    return {"ok": False, "error": "invalid_profile"}
                if len(str(profile.get("status_text", ""))) > 100:
                    return {"ok": False, "error": "too_long"}
                self.profile.update({k: v for k, v in profile.items() if k.startswith("status_")})
                return {"ok": True, "profile": dict(self.profile)}
            if method == "dnd.setSnooze":
                if "num_minutes" not in args:
                    return {"ok": False, "error": "missing_duration"}
                minutes = int(args["num_minutes"])
                self.snooze_end = now + minutes * 60
                return {
                    "ok": True,
                    "snooze_enabled": True,
                    "snooze_endtime": int(self.snooze_end),
                    "snooze_remaining": minutes * 60,
                    "snooze_is_indefinite": False,
                }
            # dnd.endSnooze
            if self.snooze_end is None or self.snooze_end <= now:
                return {"ok": False, "error": "snooze_not_active"}
            self.snooze_end = None
            return {"ok": True, "dnd_enabled": True, "snooze_enabled": False}


class _Handler(BaseHTTPRequestHandler):
    owner: FakeSlack
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def _handle(self, http: str) -> None:
        parts = urlsplit(self.path)
        method = parts.path.removeprefix("/api/")
        args: dict[str, Any] = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        ctype = self.headers.get("Content-Type") or ""
        if raw and "json" in ctype:
            args.update(json.loads(raw))
        elif raw:
            args.update({k: v[-1] for k, v in parse_qs(raw.decode()).items()})
        auth = self.headers.get("Authorization") or ""
        token = auth[7:] if auth.lower().startswith("bearer ") else None
        fake = self.owner
        if fake.rate_limited > 0:
            fake.rate_limited -= 1
            fake.log.append(Call(method, http, {"rate_limited": True}))
            body = json.dumps({"ok": False, "error": "ratelimited"}).encode()
            self.send_response(429)
            self.send_header("Retry-After", "0")
        else:
            body = json.dumps(fake.answer(method, http, token, args)).encode()
            self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        self._handle("POST")

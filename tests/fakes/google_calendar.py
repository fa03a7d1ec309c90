"""A loopback fake of the part of Google Calendar API v3 guardian uses.

The real google-api-python-client talks to it over HTTP, so the tests
exercise the same requests, paging, batching and error handling that run
against Google. Behaviour follows Google's documentation:

- events.list: `singleEvents`, `timeMin`/`timeMax` (RFC 3339 with a mandatory
  offset), `maxResults` (never more than 2500 per page; the server may return
  fewer, see `page_size`), `pageToken`/`nextPageToken`, `nextSyncToken` only on
  the last page, `syncToken` incremental listing that always includes deleted
  (cancelled) items, `syncToken` combined with timeMin/timeMax/q/iCalUID/
  orderBy/updatedMin/privateExtendedProperty/sharedExtendedProperty -> 400,
  an invalid or expired sync token -> 410 `fullSyncRequired`,
  `privateExtendedProperty=key=value` (repeatable, all must match),
  `eventTypes`, `showDeleted`, partial responses through `fields`.
- events.get / insert / patch (patch semantics: objects merge, arrays are
  replaced) / delete (deleting twice -> 410 `deleted`, unknown -> 404).
- focusTime (and outOfOffice) events only on the primary calendar of a
  Workspace user (`workspace=False` or another calendar -> 400), timed only,
  no other attendees, valid `focusTimeProperties` values.
- A non-organizer may only change their own attendee entry (RSVP);
  touching anything else -> 403 `forbiddenForNonOrganizer`.
- freebusy.query (POST /freeBusy): `timeMin`/`timeMax` required, `items` of
  calendar ids (at most `calendarExpansionMax`, 50: "Maximum value is 50"),
  answered as `calendars.{id}.busy[]` of start/end in UTC (the `timeZone`
  default), never a title; an unknown calendar gets `errors` with reason
  `notFound`, too many calendars `tooManyCalendarsRequested` (reference:
  "freebusy: query"). It needs one of `calendar.readonly`, `calendar`,
  `calendar.events.freebusy`, `calendar.freebusy` (its "Authorization"
  section): `calendar.events` alone is refused. Another person's calendar is
  seeded under their address as its calendar id; free (transparent) and
  cancelled events and declined invitations are not busy.
- The `/batch/calendar/v3` endpoint: multipart/mixed of application/http
  parts, answered part by part with `Content-ID: <response-...>`.
- An OAuth token endpoint (`/token`): `refresh_token` and the service
  account `jwt-bearer` grant; revoked tokens -> 400 `invalid_grant`.
  API calls need a bearer token the endpoint issued (401 otherwise) and
  writes need a write scope (403 `insufficientPermissions`).
- Fault injection: the next N requests answer 429 (with Retry-After), 500 or
  403 `rateLimitExceeded`.
- `log`: every request (method, path, query, batch part or not).

Recurring series are seeded as separate instances (as `singleEvents=true`
returns them) plus a master that `events.get` returns; the fake does not
expand RRULEs itself.
"""

from __future__ import annotations

import base64
import copy
import email.parser
import itertools
import json
import re
import threading
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

from . import loopback

API_PREFIX = "/calendar/v3/"
BATCH_PATH = "/batch/calendar/v3"
TOKEN_PATH = "/token"
AUTH_PATH = "/o/oauth2/auth"
MAX_PAGE = 2500

_AUTH = "https://www.googleapis.com/auth/"
#: The scopes each method accepts, as Calendar API v3's discovery document lists them
#: (googleapiclient's bundled calendar.v3.json, revision 20261030; the same lists appear
#: under "Authorization" on https://developers.google.com/calendar/api/v3/reference/events).
READ_SCOPES = {
    _AUTH + s
    for s in (
        "calendar",
        "calendar.app.created",
        "calendar.events",
        "calendar.events.freebusy",
        "calendar.events.owned",
        "calendar.events.owned.readonly",
        "calendar.events.public.readonly",
        "calendar.events.readonly",
        "calendar.readonly",
    )
}  # events.list, events.get, events.instances
WRITE_SCOPES = {
    _AUTH + s for s in ("calendar", "calendar.app.created", "calendar.events", "calendar.events.owned")
}  # events.insert, events.patch, events.update, events.delete
#: Scopes limited to some calendars: calendar.events.owned "See, create, change, and delete
#: events on Google calendars you own" (and .readonly: "See the events on Google calendars you
#: own"); calendar.events.public.readonly only public ones; calendar.app.created only those the
#: app created; calendar.events.freebusy only availability (discovery document descriptions).
OWNED_ONLY = {_AUTH + "calendar.events.owned", _AUTH + "calendar.events.owned.readonly"}
NARROW = {
    _AUTH + "calendar.app.created",
    _AUTH + "calendar.events.public.readonly",
    _AUTH + "calendar.events.freebusy",
}
SYNC_INCOMPATIBLE = (
    "timeMin",
    "timeMax",
    "q",
    "iCalUID",
    "orderBy",
    "updatedMin",
    "privateExtendedProperty",
    "sharedExtendedProperty",
)
AUTO_DECLINE_MODES = {
    "declineNone",
    "declineAllConflictingInvitations",
    "declineOnlyNewConflictingInvitations",
}
CHAT_STATUSES = {"available", "doNotDisturb"}
FREEBUSY_SCOPES = {
    "https://www.googleapis.com/auth/calendar.readonly",
    "https://www.googleapis.com/auth/calendar",
    "https://www.googleapis.com/auth/calendar.events.freebusy",
    "https://www.googleapis.com/auth/calendar.freebusy",
}
MAX_FREEBUSY_CALENDARS = 50


class ApiError(Exception):
    """An error answered in Google's JSON error shape."""

    def __init__(
        self,
        code: int,
        reason: str,
        message: str,
        *,
        domain: str = "global",
        headers: dict[str, str] | None = None,
        location: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code, self.reason, self.message, self.domain = code, reason, message, domain
        self.headers = headers or {}
        self.location = location
        self.after = False  # an injected fault answered after carrying the request out

    def body(self) -> dict:
        err: dict[str, Any] = {"domain": self.domain, "reason": self.reason, "message": self.message}
        if self.location:
            err["locationType"] = "parameter"
            err["location"] = self.location
        return {"error": {"errors": [err], "code": self.code, "message": self.message}}


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    batch_part: bool = False  # True for a request that arrived inside /batch

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


@dataclass
class Fault:
    status: int
    retry_after: str | None = None
    reason: str | None = None
    scope: str = "request"  # "request": any HTTP request; "part": a part of a batch
    after: bool = False  # the request is carried out, then the answer is this error


@dataclass
class _SyncState:
    calendar: str
    seq: int


@dataclass
class _Page:
    items: list[dict]
    sync_token: str | None
    extra: dict = field(default_factory=dict)


def _rfc3339(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse_rfc3339(value: str, name: str) -> datetime:
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ApiError(400, "invalid", f"Invalid value for: {name}", location=name) from None
    if dt.tzinfo is None:  # Google requires the offset
        raise ApiError(400, "invalid", f"Invalid value for: {name}", location=name)
    return dt


# --- partial responses (`fields`) ---------------------------------------------


def _parse_fields(mask: str) -> dict:
    """'a,b/c,d(e,f/g)' -> {'a': {}, 'b': {'c': {}}, 'd': {'e': {}, 'f': {'g': {}}}}."""
    pos = 0

    def parse_list() -> dict:
        nonlocal pos
        out: dict = {}
        while pos < len(mask):
            m = re.match(r"[A-Za-z0-9_*]+", mask[pos:])
            if not m:
                raise ApiError(400, "invalidParameter", "Invalid field selection", location="fields")
            path = [m.group(0)]
            pos += m.end()
            while pos < len(mask) and mask[pos] == "/":
                pos += 1
                m = re.match(r"[A-Za-z0-9_*]+", mask[pos:])
                if not m:
                    raise ApiError(400, "invalidParameter", "Invalid field selection", location="fields")
                path.append(m.group(0))
                pos += m.end()
            node = out
            for part in path[:-1]:
                node = node.setdefault(part, {})
            leaf = node.setdefault(path[-1], {})
            if pos < len(mask) and mask[pos] == "(":
                pos += 1
                leaf.update(parse_list())
                if pos >= len(mask) or mask[pos] != ")":
                    raise ApiError(400, "invalidParameter", "Invalid field selection", location="fields")
                pos += 1
            if pos < len(mask) and mask[pos] == ",":
                pos += 1
                continue
            break
        return out

    tree = parse_list()
    if pos != len(mask) and mask[pos] != ")":
        raise ApiError(400, "invalidParameter", "Invalid field selection", location="fields")
    return tree


def _apply_fields(value: Any, tree: dict) -> Any:
    if not tree or "*" in tree:
        return value
    if isinstance(value, list):
        return [_apply_fields(v, tree) for v in value]
    if not isinstance(value, dict):
        return value
    return {k: _apply_fields(value[k], sub) for k, sub in tree.items() if k in value}


def _merge(target: dict, patch: dict) -> dict:
    """Patch semantics: objects merge recursively, everything else is replaced."""
    out = copy.deepcopy(target)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        elif value is None:
            out.pop(key, None)
        else:
            out[key] = copy.deepcopy(value)
    return out


class FakeGoogleCalendar:
    """The fake server. Use as a context manager, or call start() / stop()."""

    def __init__(
        self,
        *,
        owner: str = "me@example.com",
        workspace: bool = True,
        tz: str = "UTC",
        page_size: int = MAX_PAGE,
        require_auth: bool = True,
        granted_scopes: tuple[str, ...] = (  # what `guardian auth google --write` asks for
            "https://www.googleapis.com/auth/calendar.events.readonly",
            "https://www.googleapis.com/auth/calendar.events.owned",
        ),
    ) -> None:
        self.owner = owner
        self.workspace = workspace  # focusTime needs a Workspace user...
        self.focus_calendars = {"primary"}  # ...and their primary calendar
        self.owned_calendars = {"primary"}  # the calendars this user owns (others are shared)
        self.focus_refusal: tuple[int, str] = (400, "invalid")  # (status, reason) of a refused focusTime
        self.tz = ZoneInfo(tz)
        self.page_size = page_size
        self.require_auth = require_auth
        self.granted_scopes = tuple(granted_scopes)
        self.events: dict[str, dict[str, dict]] = {}
        self.masters: dict[str, dict[str, dict]] = {}
        self.log: list[LoggedRequest] = []
        self.freebusy_queries: list[list[str]] = []  # the calendar ids of each freebusy.query
        self.token_requests: list[dict[str, str]] = []
        self.refresh_tokens: dict[str, tuple[str, ...]] = {"fake-refresh-token": self.granted_scopes}
        self.access_tokens: dict[str, tuple[str, ...]] = {}
        self._codes: dict[str, tuple[str, ...]] = {}  # authorization code -> scopes
        self._faults: deque[Fault] = deque()
        self._seqs: dict[str, dict[str, int]] = {}
        self._clock = itertools.count(1)
        self._ids = itertools.count(1)
        self._sync_tokens: dict[str, _SyncState] = {}
        self._pages: dict[str, _Page] = {}
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None

    # --- lifecycle -------------------------------------------------------------

    def start(self) -> FakeGoogleCalendar:
        fake = self

        class Handler(_Handler):
            server_fake = fake

        self._server = loopback.serve(Handler)
        return self

    def stop(self) -> None:
        loopback.shut(self._server)
        self._server = None

    def __enter__(self) -> FakeGoogleCalendar:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{loopback.port(self._server)}"

    @property
    def api_endpoint(self) -> str:
        return self.base_url + API_PREFIX

    @property
    def batch_uri(self) -> str:
        return self.base_url + BATCH_PATH

    @property
    def token_uri(self) -> str:
        return self.base_url + TOKEN_PATH

    @property
    def auth_uri(self) -> str:
        return self.base_url + AUTH_PATH

    def client_secrets(self) -> dict:
        """An installed-app client secrets document aimed at this fake."""
        return {
            "installed": {
                "client_id": "guardian-test.apps.googleusercontent.com",
                "client_secret": "client-secret-value",
                "auth_uri": self.auth_uri,
                "token_uri": self.token_uri,
                "redirect_uris": ["http://localhost"],
            }
        }

    # --- test helpers ----------------------------------------------------------

    def _cal(self, calendar_id: str) -> str:
        return "primary" if calendar_id in ("primary", self.owner) else calendar_id

    def allow_focus_time(self, calendar_id: str, allowed: bool = True) -> None:
        cal = self._cal(calendar_id)
        (self.focus_calendars.add if allowed else self.focus_calendars.discard)(cal)

    def inject(
        self,
        status: int,
        count: int = 1,
        *,
        retry_after: str | int | None = None,
        reason: str | None = None,
        scope: str = "request",
        after: bool = False,
    ) -> None:
        """Make the next `count` requests fail with `status`.

        With `after`, the request is carried out first and only its answer is
        lost: a front end's 502/503/504 or a timeout after the backend committed.
        """
        with self._lock:
            for _ in range(count):
                ra = None if retry_after is None else str(retry_after)
                self._faults.append(Fault(status, ra, reason, scope, after))

    def expire_sync_tokens(self) -> None:
        """Invalidate every sync token handed out (the next incremental list gets 410)."""
        with self._lock:
            self._sync_tokens.clear()

    def revoke(self) -> None:
        """The user revoked access: refresh tokens and access tokens stop working."""
        with self._lock:
            self.refresh_tokens.clear()
            self.access_tokens.clear()

    def requests(
        self, method: str | None = None, path_contains: str = "", *, batch_part: bool | None = None
    ) -> list[LoggedRequest]:
        return [
            r
            for r in self.log
            if (method is None or r.method == method)
            and path_contains in r.path
            and (batch_part is None or r.batch_part == batch_part)
        ]

    def clear_log(self) -> None:
        with self._lock:
            self.log.clear()
            self.token_requests.clear()

    def items(self, calendar_id: str = "primary", *, include_cancelled: bool = False) -> list[dict]:
        cal = self._cal(calendar_id)
        return [
            copy.deepcopy(e)
            for e in self.events.get(cal, {}).values()
            if include_cancelled or e.get("status") != "cancelled"
        ]

    def get(self, event_id: str, calendar_id: str = "primary") -> dict | None:
        cal = self._cal(calendar_id)
        ev = self.events.get(cal, {}).get(event_id) or self.masters.get(cal, {}).get(event_id)
        return copy.deepcopy(ev) if ev else None

    def seed(self, event: dict, calendar_id: str = "primary") -> dict:
        """Store `event` as the server would (id, etag, created, updated filled in)."""
        with self._lock:
            cal = self._cal(calendar_id)
            ev = self._complete(copy.deepcopy(event), cal)
            self._store(cal, ev)
            return copy.deepcopy(ev)

    def seed_series(
        self,
        master: dict,
        starts: list[datetime],
        calendar_id: str = "primary",
        *,
        overrides: dict[int, dict] | None = None,
    ) -> list[dict]:
        """A recurring series: the master (for events.get) and one item per start.

        `master` carries `start`/`end` (dateTime) and `recurrence`; instance ids
        are `<masterId>_<UTC start>` and carry recurringEventId/originalStartTime
        as Google returns them with singleEvents=true.
        """
        with self._lock:
            cal = self._cal(calendar_id)
            master = self._complete(copy.deepcopy(master), cal)
            self.masters.setdefault(cal, {})[master["id"]] = master
            first = datetime.fromisoformat(master["start"]["dateTime"])
            length = datetime.fromisoformat(master["end"]["dateTime"]) - first
            out = []
            for i, start in enumerate(starts):
                inst = {
                    k: copy.deepcopy(v) for k, v in master.items() if k not in ("recurrence", "id", "etag")
                }
                stamp = start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
                tzname = master["start"].get("timeZone")
                inst["id"] = f"{master['id']}_{stamp}"
                inst["recurringEventId"] = master["id"]
                inst["originalStartTime"] = {"dateTime": start.isoformat()}
                inst["start"] = {"dateTime": start.isoformat()}
                inst["end"] = {"dateTime": (start + length).isoformat()}
                if tzname:
                    for key in ("start", "end", "originalStartTime"):
                        inst[key]["timeZone"] = tzname
                inst.update(copy.deepcopy((overrides or {}).get(i, {})))
                inst["etag"] = self._etag()
                self._store(cal, inst)
                out.append(copy.deepcopy(inst))
            return out

    def mutate(self, event_id: str, changes: dict, calendar_id: str = "primary") -> dict:
        """Change an event as another client would (bumps `updated`)."""
        with self._lock:
            cal = self._cal(calendar_id)
            ev = _merge(self.events[cal][event_id], changes)
            ev["updated"] = _rfc3339(datetime.now(UTC))
            ev["etag"] = self._etag()
            self._store(cal, ev)
            return copy.deepcopy(ev)

    def remove(self, event_id: str, calendar_id: str = "primary") -> None:
        """Delete an event as another client would (it becomes a cancelled tombstone)."""
        with self._lock:
            cal = self._cal(calendar_id)
            self._tombstone(cal, event_id)

    #: how many cancelled instances an incremental sync reports when a series is deleted or cut
    #: short. "Deleted events are only guaranteed to have the id field populated" and, with
    #: singleEvents=true, "only single instances of deleted events (but not the underlying
    #: recurring events) are returned" (events resource `status`, events.list `showDeleted`,
    #: https://developers.google.com/calendar/api/v3/reference/events); in practice the sync
    #: reports the cancelled instances of a limited range only, so clients must not rely on
    #: seeing each one.
    series_cancellations_reported = 1

    def delete_series(self, master_id: str, calendar_id: str = "primary") -> None:
        """The organizer deletes a whole recurring series."""
        with self._lock:
            cal = self._cal(calendar_id)
            master = self.masters.get(cal, {}).pop(master_id)
            self._store(
                cal, {"kind": "calendar#event", "id": master_id, "status": "cancelled", "_was": master}
            )
            self._cancel_instances(cal, master_id, lambda inst: True)

    def truncate_series(self, master_id: str, until: datetime, calendar_id: str = "primary") -> None:
        """The organizer ends a series earlier ("this and following" deleted): instances from `until` go."""
        with self._lock:
            cal = self._cal(calendar_id)
            master = self.masters[cal][master_id]
            stamp = until.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
            master["recurrence"] = [
                r.split(";UNTIL=")[0].split(";COUNT=")[0] + f";UNTIL={stamp}" if r.startswith("RRULE:") else r
                for r in master.get("recurrence", [])
            ]
            master["etag"] = self._etag()  # singleEvents=true never lists the master itself
            self._cancel_instances(
                cal,
                master_id,
                lambda inst: datetime.fromisoformat(inst["originalStartTime"]["dateTime"]) >= until,
            )

    def _cancel_instances(self, cal: str, master_id: str, which) -> None:
        doomed = sorted(
            (
                ev
                for ev in self.events.get(cal, {}).values()
                if ev.get("recurringEventId") == master_id and ev.get("status") != "cancelled" and which(ev)
            ),
            key=lambda ev: ev["originalStartTime"]["dateTime"],
        )
        for n, inst in enumerate(doomed):
            if n < self.series_cancellations_reported:
                self._tombstone(cal, inst["id"])  # reported by the next incremental sync
            else:  # gone without a trace in the sync
                del self.events[cal][inst["id"]]
                self._seqs[cal].pop(inst["id"], None)

    # --- storage ---------------------------------------------------------------

    def _etag(self) -> str:
        return f'"{next(self._clock)}{uuid.uuid4().int % 10**9}"'

    def _new_id(self) -> str:
        # Google ids use base32hex characters (a-v, 0-9)
        raw = base64.b32hexencode(uuid.uuid4().bytes).decode().lower().rstrip("=")
        return raw[:26]

    def _complete(self, ev: dict, cal: str) -> dict:
        now = _rfc3339(datetime.now(UTC))
        ev.setdefault("kind", "calendar#event")
        ev.setdefault("id", self._new_id())
        ev.setdefault("status", "confirmed")
        ev.setdefault("created", now)
        ev.setdefault("updated", now)
        ev.setdefault("iCalUID", f"{ev['id']}@google.com")
        ev.setdefault("eventType", "default")
        ev.setdefault("sequence", 0)
        ev.setdefault("htmlLink", f"https://www.google.com/calendar/event?eid={ev['id']}")
        me = {"email": self.owner, "self": True}
        ev.setdefault("creator", dict(me))
        ev.setdefault("organizer", dict(me))
        ev["etag"] = self._etag()
        return ev

    def _store(self, cal: str, ev: dict) -> None:
        self.events.setdefault(cal, {})[ev["id"]] = ev
        self._seqs.setdefault(cal, {})[ev["id"]] = next(self._clock)

    def _tombstone(self, cal: str, event_id: str) -> None:
        ev = self.events[cal][event_id]
        tomb = {k: ev[k] for k in ("kind", "id", "etag") if k in ev}
        for key in ("recurringEventId", "originalStartTime"):
            if key in ev:
                tomb[key] = ev[key]
        tomb["status"] = "cancelled"
        tomb["_was"] = ev  # kept for showDeleted listings and tests, never returned
        self._store(cal, tomb)

    def _span(self, ev: dict) -> tuple[datetime, datetime]:
        src = ev.get("_was", ev)

        def point(p: dict) -> datetime:
            if "dateTime" in p:
                return datetime.fromisoformat(p["dateTime"].replace("Z", "+00:00"))
            return datetime.combine(date.fromisoformat(p["date"]), time(0), self.tz)

        return point(src["start"]), point(src["end"])

    # --- fault and auth gates --------------------------------------------------

    def _take_fault(self, scope: str) -> ApiError | None:
        with self._lock:
            if self._faults and self._faults[0].scope == scope:
                fault = self._faults.popleft()
            else:
                return None
        error = self._fault_error(fault)
        error.after = fault.after
        return error

    @staticmethod
    def _fault_error(fault: Fault) -> ApiError:
        headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
        if fault.status == 429:
            return ApiError(
                429,
                fault.reason or "rateLimitExceeded",
                "Rate Limit Exceeded",
                domain="usageLimits",
                headers=headers,
            )
        if fault.status == 403:
            return ApiError(
                403,
                fault.reason or "rateLimitExceeded",
                "Rate Limit Exceeded",
                domain="usageLimits",
                headers=headers,
            )
        if fault.status >= 500:
            return ApiError(fault.status, "backendError", "Backend Error", headers=headers)
        return ApiError(fault.status, fault.reason or "invalid", "Injected error", headers=headers)

    def _check_auth(
        self, headers: Any, write: bool, cal: str = "primary", needed: set[str] | None = None
    ) -> None:
        if not self.require_auth:
            return
        auth = headers.get("Authorization") or headers.get("authorization") or ""
        token = auth[7:] if auth.lower().startswith("bearer ") else ""
        scopes = self.access_tokens.get(token)
        if scopes is None:
            err = ApiError(
                401,
                "authError",
                "Invalid Credentials",
                headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'},
            )
            err.location = None
            raise err
        if needed is not None:
            accepted = set(needed)
        else:
            accepted = (WRITE_SCOPES if write else READ_SCOPES) - NARROW
            if cal not in self.owned_calendars:
                accepted -= OWNED_ONLY
        if not accepted.intersection(scopes):
            raise ApiError(403, "insufficientPermissions", "Request had insufficient authentication scopes.")

    # --- the token endpoint ----------------------------------------------------

    def token(self, form: dict[str, str]) -> tuple[int, dict]:
        with self._lock:
            self.token_requests.append(
                {
                    k: ("***" if "token" in k or k == "assertion" or k == "client_secret" else v)
                    for k, v in form.items()
                }
            )
            grant = form.get("grant_type")
            if grant == "refresh_token":
                scopes = self.refresh_tokens.get(form.get("refresh_token", ""))
                if scopes is None:
                    return 400, {
                        "error": "invalid_grant",
                        "error_description": "Token has been expired or revoked.",
                    }
            elif grant == "authorization_code":
                scopes = self._codes.pop(form.get("code", ""), None)
                if scopes is None:
                    return 400, {"error": "invalid_grant", "error_description": "Bad Request"}
                refresh = f"fake-refresh-{uuid.uuid4().hex[:8]}"
                self.refresh_tokens[refresh] = scopes
                access = f"ya29.fake-{next(self._ids)}-{uuid.uuid4().hex[:8]}"
                self.access_tokens[access] = scopes
                return 200, {
                    "access_token": access,
                    "expires_in": 3599,
                    "refresh_token": refresh,
                    "scope": " ".join(scopes),
                    "token_type": "Bearer",
                }
            elif grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
                claims = _jwt_claims(form.get("assertion", ""))
                if claims is None:
                    return 400, {"error": "invalid_grant", "error_description": "Invalid JWT."}
                scopes = tuple(str(claims.get("scope", "")).split())
            else:
                return 400, {
                    "error": "unsupported_grant_type",
                    "error_description": f"Invalid grant_type: {grant}",
                }
            access = f"ya29.fake-{next(self._ids)}-{uuid.uuid4().hex[:8]}"
            self.access_tokens[access] = scopes
            return 200, {
                "access_token": access,
                "expires_in": 3599,
                "scope": " ".join(scopes),
                "token_type": "Bearer",
            }

    # --- dispatch ----------------------------------------------------------------

    def dispatch(
        self, method: str, target: str, headers: Any, body: bytes, *, batch_part: bool = False
    ) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(target)
        path = unquote(parts.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        with self._lock:
            self.log.append(LoggedRequest(method, path, query, batch_part))
        try:
            fault = self._take_fault("part" if batch_part else "request")
            if fault and not fault.after:
                raise fault
            answer = self._serve(method, path, query, headers, body, batch_part)
            if fault:  # carried out, then the answer is lost
                raise fault
            return answer
        except ApiError as err:
            hdrs = {"Content-Type": "application/json; charset=UTF-8", **err.headers}
            return err.code, hdrs, json.dumps(err.body()).encode()

    def _serve(
        self, method: str, path: str, query: dict, headers: Any, body: bytes, batch_part: bool
    ) -> tuple[int, dict[str, str], bytes]:
        if path == BATCH_PATH and method == "POST" and not batch_part:
            return self._batch(headers, body)
        if not path.startswith(API_PREFIX):
            raise ApiError(404, "notFound", "Not Found")
        if path == API_PREFIX + "freeBusy":  # a POST that only reads
            self._check_auth(headers, write=False, needed=FREEBUSY_SCOPES)
        else:
            m = re.match(r"calendars/([^/]+)/", path[len(API_PREFIX) :])
            cal = self._cal(unquote(m.group(1))) if m else "primary"
            self._check_auth(headers, write=method in ("POST", "PATCH", "PUT", "DELETE"), cal=cal)
        data = json.loads(body) if body else None
        with self._lock:
            status, payload = self._route(method, path[len(API_PREFIX) :], query, data)
        if payload is None:
            return status, {}, b""
        if "fields" in query and query["fields"][0]:
            payload = _apply_fields(payload, _parse_fields(query["fields"][0]))
        return status, {"Content-Type": "application/json; charset=UTF-8"}, json.dumps(payload).encode()

    def _route(self, method: str, rest: str, q: dict, data: dict | None) -> tuple[int, dict | None]:
        if rest == "freeBusy" and method == "POST":
            return 200, self._freebusy(data or {})
        m = re.fullmatch(r"calendars/([^/]+)/events/([^/]+)/instances", rest)
        if m and method == "GET":
            return 200, self._instances(self._cal(m.group(1)), m.group(2), q)
        m = re.fullmatch(r"calendars/([^/]+)/events(?:/([^/]+))?", rest)
        if not m:
            raise ApiError(404, "notFound", "Not Found")
        cal = self._cal(m.group(1))
        event_id = m.group(2)
        if event_id is None:
            if method == "GET":
                return 200, self._list(cal, q)
            if method == "POST":
                return 200, self._insert(cal, data or {})
        else:
            if method == "GET":
                return 200, self._get(cal, event_id)
            if method == "PATCH":
                return 200, self._patch(cal, event_id, data or {})
            if method == "DELETE":
                self._delete(cal, event_id)
                return 204, None
        raise ApiError(405, "httpMethodNotAllowed", "Method not allowed")

    # --- freebusy.query ------------------------------------------------------------

    def _freebusy(self, body: dict) -> dict:
        for key in ("timeMin", "timeMax"):
            if key not in body:
                raise ApiError(400, "required", f"Missing {key}.", location=key)
        start = _parse_rfc3339(body["timeMin"], "timeMin")
        end = _parse_rfc3339(body["timeMax"], "timeMax")
        items = [str(i.get("id", "")) for i in body.get("items") or []]
        self.freebusy_queries.append(items)
        calendars: dict[str, dict] = {}
        for n, calendar_id in enumerate(items):
            if n >= MAX_FREEBUSY_CALENDARS:
                calendars[calendar_id] = {
                    "busy": [],
                    "errors": [{"domain": "calendar", "reason": "tooManyCalendarsRequested"}],
                }
                continue
            cal = self._cal(calendar_id)
            if cal not in self.events:
                calendars[calendar_id] = {"busy": [], "errors": [{"domain": "global", "reason": "notFound"}]}
                continue
            spans = []
            for ev in self.events[cal].values():
                if ev.get("status") == "cancelled" or ev.get("transparency") == "transparent":
                    continue
                me = next((a for a in ev.get("attendees", []) if a.get("self")), None)
                if me is not None and me.get("responseStatus") == "declined":
                    continue
                s, e = self._span(ev)
                if s < end and e > start:
                    spans.append((max(s, start), min(e, end)))
            spans.sort()
            merged: list[tuple[datetime, datetime]] = []
            for s, e in spans:
                if merged and s <= merged[-1][1]:
                    merged[-1] = (merged[-1][0], max(merged[-1][1], e))
                else:
                    merged.append((s, e))
            calendars[calendar_id] = {"busy": [{"start": _rfc3339(s), "end": _rfc3339(e)} for s, e in merged]}
        return {
            "kind": "calendar#freeBusy",
            "timeMin": _rfc3339(start),
            "timeMax": _rfc3339(end),
            "calendars": calendars,
        }

    # --- events.instances --------------------------------------------------------

    def _instances(self, cal: str, event_id: str, q: dict) -> dict:
        """events.instances: "Returns instances of the specified recurring event" (timeMin,
        timeMax, showDeleted, maxResults, pageToken); a deleted recurring event is gone (410)."""
        one = {k: v[0] for k, v in q.items()}
        master = self.masters.get(cal, {}).get(event_id)
        if master is None:
            ev = self.events.get(cal, {}).get(event_id)
            if ev is not None and ev.get("status") == "cancelled":
                raise ApiError(410, "deleted", "Resource has been deleted")
            raise ApiError(404, "notFound", "Not Found")
        tmin = _parse_rfc3339(one["timeMin"], "timeMin") if "timeMin" in one else None
        tmax = _parse_rfc3339(one["timeMax"], "timeMax") if "timeMax" in one else None
        show_deleted = one.get("showDeleted", "false").lower() == "true"
        chosen = []
        for ev in self.events.get(cal, {}).values():
            if ev.get("recurringEventId") != event_id:
                continue
            if ev.get("status") == "cancelled" and not show_deleted:
                continue
            start, end = self._span(ev)
            if (tmin and end <= tmin) or (tmax and start >= tmax):
                continue
            chosen.append(ev)
        chosen.sort(key=lambda e: self._span(e)[0])
        return {"kind": "calendar#events", "items": [self._public(ev, one) for ev in chosen]}

    # --- events.list -------------------------------------------------------------

    def _list(self, cal: str, q: dict) -> dict:
        one = {k: v[0] for k, v in q.items()}
        max_results = int(one.get("maxResults", 250))
        if max_results < 1:
            raise ApiError(400, "invalid", "Invalid value for: maxResults", location="maxResults")
        per_page = min(max_results, MAX_PAGE, self.page_size)
        if "pageToken" in one:
            page = self._pages.get(one["pageToken"])
            if page is None:
                raise ApiError(400, "invalid", "Invalid page token", location="pageToken")
            items, sync_token = page.items, page.sync_token
        else:
            items, sync_token = self._query(cal, q, one)
        chunk, rest = items[:per_page], items[per_page:]
        result: dict[str, Any] = {
            "kind": "calendar#events",
            "etag": self._etag(),
            "summary": cal,
            "updated": _rfc3339(datetime.now(UTC)),
            "timeZone": str(self.tz),
            "accessRole": "owner",
            "defaultReminders": [],
            "items": [self._public(ev, one) for ev in chunk],
        }
        if rest:
            token = f"page-{uuid.uuid4().hex}"
            self._pages[token] = _Page(rest, sync_token)
            result["nextPageToken"] = token
        elif sync_token:
            result["nextSyncToken"] = sync_token
        return result

    def _public(self, ev: dict, one: dict) -> dict:
        out = {k: copy.deepcopy(v) for k, v in ev.items() if not k.startswith("_")}
        if ev.get("guestsCanSeeOtherGuests") is False and not ev.get("organizer", {}).get("self"):
            # a guest of a hidden guest list sees only their own entry
            mine = [
                a
                for a in out.get("attendees", [])
                if a.get("self") or a.get("email", "").lower() == self.owner.lower()
            ]
            if len(mine) != len(out.get("attendees", [])):
                out["attendees"] = mine
                out["attendeesOmitted"] = True
        return out

    def _query(self, cal: str, q: dict, one: dict) -> tuple[list[dict], str | None]:
        events = self.events.get(cal, {})
        seqs = self._seqs.get(cal, {})
        single = one.get("singleEvents", "false").lower() == "true"
        if "syncToken" in one:
            bad = [p for p in SYNC_INCOMPATIBLE if p in q]
            if bad:
                raise ApiError(
                    400, "invalid", f"Sync token cannot be used with the {bad[0]} parameter.", location=bad[0]
                )
            if one.get("showDeleted", "true").lower() == "false":
                raise ApiError(
                    400,
                    "invalid",
                    "showDeleted=false is not allowed with a syncToken.",
                    location="showDeleted",
                )
            state = self._sync_tokens.get(one["syncToken"])
            if state is None or state.calendar != cal:
                raise ApiError(
                    410,
                    "fullSyncRequired",
                    "Sync token is no longer valid, a full sync is required.",
                    domain="calendar",
                )
            chosen = [ev for eid, ev in events.items() if seqs[eid] > state.seq]
            chosen = [ev for ev in chosen if self._type_ok(ev, q) and self._shape_ok(ev, single)]
        else:
            tmin = _parse_rfc3339(one["timeMin"], "timeMin") if "timeMin" in one else None
            tmax = _parse_rfc3339(one["timeMax"], "timeMax") if "timeMax" in one else None
            if tmin and tmax and tmax <= tmin:
                raise ApiError(
                    400,
                    "timeRangeEmpty",
                    "The specified time range is empty.",
                    domain="calendar",
                    location="timeMax",
                )
            show_deleted = one.get("showDeleted", "false").lower() == "true"
            chosen = []
            for ev in events.values():
                if ev.get("status") == "cancelled" and not show_deleted:
                    continue
                if not self._shape_ok(ev, single) or not self._type_ok(ev, q):
                    continue
                start, end = self._span(ev)
                if tmin and end <= tmin:
                    continue
                if tmax and start >= tmax:
                    continue
                if not self._props_ok(ev, q.get("privateExtendedProperty", []), "private"):
                    continue
                if not self._props_ok(ev, q.get("sharedExtendedProperty", []), "shared"):
                    continue
                chosen.append(ev)
            if not single:
                chosen += list(self.masters.get(cal, {}).values())
            if one.get("orderBy") == "startTime":
                if not single:
                    raise ApiError(
                        400,
                        "invalid",
                        "The requested ordering is not available for the particular query.",
                        location="orderBy",
                    )
                chosen.sort(key=lambda e: self._span(e)[0])
        token = f"sync-{uuid.uuid4().hex}"
        self._sync_tokens[token] = _SyncState(cal, max(seqs.values(), default=0))
        return list(chosen), token

    def _shape_ok(self, ev: dict, single: bool) -> bool:
        # singleEvents=true: instances, never masters (masters live apart anyway)
        return True if single else "recurringEventId" not in ev

    def _type_ok(self, ev: dict, q: dict) -> bool:
        wanted = q.get("eventTypes")
        if not wanted or ev.get("status") == "cancelled":
            return True
        return ev.get("_was", ev).get("eventType", "default") in wanted

    @staticmethod
    def _props_ok(ev: dict, filters: list[str], kind: str) -> bool:
        props = ev.get("extendedProperties", {}).get(kind, {})
        for f in filters:
            if "=" not in f:
                raise ApiError(
                    400, "invalid", f"Invalid {kind}ExtendedProperty: {f}", location=f"{kind}ExtendedProperty"
                )
            key, value = f.split("=", 1)
            if props.get(key) != value:
                return False
        return True

    # --- get / insert / patch / delete -------------------------------------------

    def _find(self, cal: str, event_id: str) -> dict:
        ev = self.events.get(cal, {}).get(event_id) or self.masters.get(cal, {}).get(event_id)
        if ev is None:
            raise ApiError(404, "notFound", "Not Found")
        return ev

    def _get(self, cal: str, event_id: str) -> dict:
        return self._public(self._find(cal, event_id), {})

    def _validate(self, cal: str, ev: dict) -> None:
        for key in ("start", "end"):
            point = ev.get(key)
            if not isinstance(point, dict) or not ({"date", "dateTime"} & point.keys()):
                raise ApiError(
                    400, "required", "Missing end time." if key == "end" else "Missing start time."
                )
        start, end = self._span(ev)
        if end < start:
            raise ApiError(400, "timeRangeEmpty", "The specified time range is empty.", domain="calendar")
        kind = ev.get("eventType", "default")
        if kind in ("focusTime", "outOfOffice", "workingLocation"):
            if cal not in self.focus_calendars or not self.workspace:
                # "These features are only available on primary calendars, and to some Google
                # Calendar users" (Manage focus time, out of office, and working location events,
                # https://developers.google.com/calendar/api/guides/calendar-status). How the
                # refusal reads is not documented: `focus_refusal` chooses it.
                status, reason = self.focus_refusal
                raise ApiError(
                    status,
                    reason,
                    f"A {kind} event can only be created on the primary calendar of a Google Workspace user.",
                )
            if kind != "workingLocation" and "date" in ev["start"]:
                raise ApiError(400, "invalid", f"A {kind} event cannot be an all-day event.")
            others = [
                a for a in ev.get("attendees", []) if not a.get("self") and a.get("email") != self.owner
            ]
            if others:
                raise ApiError(400, "invalid", f"A {kind} event cannot have attendees.")
        if kind == "focusTime":
            props = ev.get("focusTimeProperties", {})
            if props.get("autoDeclineMode", "declineNone") not in AUTO_DECLINE_MODES:
                raise ApiError(400, "invalid", "Invalid focusTimeProperties.autoDeclineMode.")
            if props.get("chatStatus", "available") not in CHAT_STATUSES:
                raise ApiError(400, "invalid", "Invalid focusTimeProperties.chatStatus.")
        elif "focusTimeProperties" in ev:
            raise ApiError(400, "invalid", "focusTimeProperties is only valid for focusTime events.")

    def _insert(self, cal: str, body: dict) -> dict:
        body = {k: v for k, v in body.items() if k not in ("etag", "kind", "created", "updated")}
        if "id" in body and not re.fullmatch(r"[a-v0-9]{5,1024}", str(body["id"])):
            # Google: base32hex characters (a-v, 0-9), 5 to 1024 of them
            raise ApiError(400, "invalid", "Invalid resource id value.")
        if "id" in body and body["id"] in self.events.get(cal, {}):
            existing = self.events[cal][body["id"]]
            if existing.get("status") != "cancelled":
                raise ApiError(409, "duplicate", "The requested identifier already exists.")
        self._validate(cal, body)
        ev = self._complete(body, cal)
        self._store(cal, ev)
        return self._public(ev, {})

    def _patch(self, cal: str, event_id: str, body: dict) -> dict:
        ev = self._find(cal, event_id)
        if ev.get("status") == "cancelled":
            raise ApiError(410, "deleted", "Resource has been deleted")
        if "eventType" in body and body["eventType"] != ev.get("eventType", "default"):
            raise ApiError(
                400, "eventTypeRestriction", "The event type cannot be changed.", domain="calendar"
            )
        organizer_is_me = bool(ev.get("organizer", {}).get("self"))
        if not organizer_is_me:
            self._check_attendee_only(ev, body)
        if body.get("attendeesOmitted") and "attendees" in body:
            # "when updating an event, this can be used to only update the
            # participant's response": the entries sent replace theirs, the rest stay
            given = {a.get("email", "").lower(): a for a in body["attendees"]}
            merged = [given.pop(a.get("email", "").lower(), a) for a in ev.get("attendees", [])]
            body = {k: v for k, v in body.items() if k != "attendeesOmitted"}
            body["attendees"] = merged + list(given.values())
        new = _merge(ev, body)
        self._validate(cal, new)
        new["updated"] = _rfc3339(datetime.now(UTC))
        new["etag"] = self._etag()
        new["sequence"] = ev.get("sequence", 0) + (0 if not organizer_is_me else 1)
        if event_id in self.masters.get(cal, {}):
            self.masters[cal][event_id] = new
        else:
            self._store(cal, new)
        return self._public(new, {})

    def _check_attendee_only(self, ev: dict, body: dict) -> None:
        """A guest can change only their own response (and comment)."""
        for key in body:
            if key not in ("attendees", "attendeesOmitted"):
                raise ApiError(
                    403,
                    "forbiddenForNonOrganizer",
                    "Shared properties can only be changed by the organizer of the event.",
                    domain="calendar",
                )
        before = {a.get("email", "").lower(): a for a in ev.get("attendees", [])}
        after = {a.get("email", "").lower(): a for a in body["attendees"]}
        if not after.keys() <= before.keys() or (
            before.keys() != after.keys() and not body.get("attendeesOmitted")
        ):
            raise ApiError(
                403,
                "forbiddenForNonOrganizer",
                "Only the organizer can add or remove attendees.",
                domain="calendar",
            )
        for email_, new in after.items():
            old = before[email_]
            if old.get("self") or email_ == self.owner.lower():
                continue
            if new != old:
                raise ApiError(
                    403,
                    "forbiddenForNonOrganizer",
                    "Only the organizer can change other attendees.",
                    domain="calendar",
                )

    def _delete(self, cal: str, event_id: str) -> None:
        ev = self._find(cal, event_id)
        if ev.get("status") == "cancelled":
            raise ApiError(410, "deleted", "Resource has been deleted")
        self._tombstone(cal, event_id)

    # --- /batch ------------------------------------------------------------------

    def _batch(self, headers: Any, body: bytes) -> tuple[int, dict[str, str], bytes]:
        ctype = headers.get("Content-Type") or headers.get("content-type") or ""
        if not ctype.startswith("multipart/mixed"):
            raise ApiError(400, "badRequest", "Batch requests must be multipart/mixed.")
        msg = email.parser.Parser().parsestr(f"Content-Type: {ctype}\r\n\r\n" + body.decode())
        parts = msg.get_payload()
        if not isinstance(parts, list) or not parts:
            raise ApiError(400, "badRequest", "Empty batch request.")
        if len(parts) > 1000:
            raise ApiError(400, "badRequest", "A batch can hold at most 1000 calls.")
        boundary = f"batch_{uuid.uuid4().hex}"
        out: list[str] = []
        for part in parts:
            content_id = part.get("Content-ID", "")
            inner = part.get_payload()
            request_line, rest = inner.split("\n", 1)
            method, target, _proto = request_line.strip().split(" ", 2)
            sub = email.parser.Parser().parsestr(rest)
            sub_body = sub.get_payload() or ""
            status, rheaders, rbody = self.dispatch(method, target, sub, sub_body.encode(), batch_part=True)
            reason = {200: "OK", 204: "No Content"}.get(status, "Error")
            rheaders = {**rheaders, "Content-Length": str(len(rbody))}
            head = "".join(f"{k}: {v}\r\n" for k, v in rheaders.items())
            out.append(
                f"--{boundary}\r\nContent-Type: application/http\r\n"
                f"Content-ID: <response-{content_id.strip('<>')}>\r\n\r\n"
                f"HTTP/1.1 {status} {reason}\r\n{head}\r\n{rbody.decode()}\r\n"
            )
        payload = "".join(out) + f"--{boundary}--\r\n"
        return 200, {"Content-Type": f"multipart/mixed; boundary={boundary}"}, payload.encode()


def _jwt_claims(assertion: str) -> dict | None:
    try:
        payload = assertion.split(".")[1]
        payload += "=" * (-len(payload) % 4)
        return json.loads(base64.urlsafe_b64decode(payload))
    except (IndexError, ValueError):
        return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_fake: FakeGoogleCalendar

    def log_message(self, *args: object) -> None:  # keep test output clean
        pass

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _handle(self) -> None:
        body = self._body()
        fake = self.server_fake
        if urlsplit(self.path).path == AUTH_PATH:
            # the consent screen, always granted: redirect back with a code
            q = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
            with fake._lock:
                fake.log.append(
                    LoggedRequest(self.command, AUTH_PATH, {k: [v] for k, v in q.items() if k != "state"})
                )
                code = f"fake-code-{uuid.uuid4().hex[:8]}"
                fake._codes[code] = tuple(q.get("scope", "").split())
            sep = "&" if "?" in q["redirect_uri"] else "?"
            location = (
                f"{q['redirect_uri']}{sep}code={code}&state={q.get('state', '')}"
                f"&scope={q.get('scope', '').replace(' ', '%20')}"
            )
            self._send(302, {"Location": location}, b"")
            return
        if urlsplit(self.path).path == TOKEN_PATH:
            with fake._lock:
                fake.log.append(LoggedRequest(self.command, TOKEN_PATH, {}))
            form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
            status, payload = fake.token(form)
            self._send(status, {"Content-Type": "application/json"}, json.dumps(payload).encode())
            return
        status, headers, out = fake.dispatch(self.command, self.path, self.headers, body)
        self._send(status, headers, out)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _handle


def write_token_file(
    path: Any,
    fake: FakeGoogleCalendar,
    *,
    scopes: tuple[str, ...] | None = None,
    expired: bool = True,
    refresh_token: str = "fake-refresh-token",
) -> Any:
    """An authorized-user token file (as google-auth writes it) aimed at the fake.

    Its access token is expired, so the first use refreshes it through the
    fake's token endpoint (its `token_uri`).
    """
    from pathlib import Path

    path = Path(path)
    info = {
        "token": "stale-access-token",
        "refresh_token": refresh_token,
        "token_uri": fake.token_uri,
        "client_id": "guardian-test.apps.googleusercontent.com",
        "client_secret": "client-secret-value",
        "scopes": list(scopes or fake.granted_scopes),
        "expiry": "2020-01-01T00:00:00Z" if expired else "2999-01-01T00:00:00Z",
    }
    if scopes is not None:
        fake.refresh_tokens[refresh_token] = tuple(scopes)
    path.write_text(json.dumps(info))
    return path

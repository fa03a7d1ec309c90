"""A loopback Microsoft Graph v1.0 + Microsoft identity platform fake.

It serves, over TLS with a throwaway trustme certificate, the small part of
Graph that guardian uses and the identity endpoints the real msal library
talks to, following Microsoft's documented shapes:

identity (under /{tenant}):
  GET  /{tenant}/v2.0/.well-known/openid-configuration
  POST /{tenant}/oauth2/v2.0/devicecode      (completes at once: no user needed)
  POST /{tenant}/oauth2/v2.0/token           (device_code, refresh_token,
                                              client_credentials grants)
graph (under /v1.0):
  GET    /{me|users/UPN}/calendarView        startDateTime, endDateTime, $select,
                                             $top, $skip (nextLink), Prefer outlook.timezone /
                                             body-content-type; no $filter or $expand on
                                             extended properties (undocumented there: 400)
  GET    /{me|users/UPN}/events              single instances and series masters; $filter on a
                                             single-value extended property, $select, $top
  GET    /{me|users/UPN}/calendarView/delta  @odata.nextLink / @odata.deltaLink, "@removed"
  GET    /{me|users/UPN}/events/{id}         $select
  POST   /{me|users/UPN}/events              201 + the event
  PATCH  /{me|users/UPN}/events/{id}         200 + the event
  DELETE /{me|users/UPN}/events/{id}         204
  POST   /{me|users/UPN}/events/{id}/accept|tentativelyAccept|decline   202;
                                             with sendResponse (default true) the organizer
                                             is sent the answer and comment, and an
                                             organizer's mailbox here shows it on its copy
  POST   /$batch                             up to 20 requests, JSON batching
  POST   /{me|users/UPN}/calendar/getSchedule schedules, startTime, endTime,
                                             availabilityViewInterval (5..1440): one
                                             scheduleInformation per address, with
                                             scheduleItems (status, start, end, and the
                                             subject and location the caller may see) or an
                                             error for a mailbox it cannot read
  POST   /{me|users/UPN}/presence/setUserPreferredPresence   availability/activity pairs of
                                             the documented table, expirationDuration
  POST   /{me|users/UPN}/presence/clearUserPreferredPresence  an empty body

Errors use Graph's envelope {"error": {"code", "message"}}. Tests can inject
faults (the next N Graph requests answer 429 with Retry-After, 503, 504) and
read a request log to count requests and writes.

Usage:

    with GraphFake() as fake:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", fake.ca_file)
        fake.seed_event(subject="Planning", start=..., end=...)
        settings = {"graph_url": fake.graph_url, "authority": fake.authority,
                    "client_id": fake.client_id, ...}
"""

from __future__ import annotations

import base64
import contextlib
import copy
import html
import json
import re
import secrets
import ssl
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit
from zoneinfo import ZoneInfo

from . import loopback

GRAPH_SCOPES_WRITE = "Calendars.ReadWrite"
GRAPH_SCOPES_READ = "Calendars.Read"
DEFAULT_PAGE_SIZE = 10  # Graph's default page size for calendarView
MAX_BATCH = 20

_EVENT_PROPS = (
    "id",
    "createdDateTime",
    "lastModifiedDateTime",
    "changeKey",
    "categories",
    "originalStartTimeZone",
    "originalEndTimeZone",
    "iCalUId",
    "reminderMinutesBeforeStart",
    "isReminderOn",
    "hasAttachments",
    "subject",
    "bodyPreview",
    "importance",
    "sensitivity",
    "isAllDay",
    "isCancelled",
    "isOrganizer",
    "responseRequested",
    "seriesMasterId",
    "showAs",
    "type",
    "webLink",
    "onlineMeetingUrl",
    "isOnlineMeeting",
    "onlineMeetingProvider",
    "originalStart",
    "responseStatus",
    "body",
    "start",
    "end",
    "location",
    "locations",
    "recurrence",
    "attendees",
    "organizer",
    "onlineMeeting",
    "transactionId",
)


#: event.showAs: "The status to show. Possible values are: free, tentative, busy, oof,
#: workingElsewhere, unknown." (https://learn.microsoft.com/en-us/graph/api/resources/event);
#: workingElsewhere is where one works that day (an all-day marker is common), unknown is
#: no status at all: neither makes the person busy.
FREE_BUSY_STATUSES = frozenset({"free", "tentative", "busy", "oof", "workingElsewhere", "unknown"})

#: "The createdDateTime and lastModifiedDateTime properties of event do not support
#: $select. To get their values, simply query on calendarView without applying $select."
#: (List calendarView, https://learn.microsoft.com/en-us/graph/api/user-list-calendarview)
UNSELECTABLE = frozenset({"createdDateTime", "lastModifiedDateTime"})


class GraphError(Exception):
    def __init__(
        self, status: int, code: str, message: str, headers: dict | None = None, inner: str | None = None
    ):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}
        self.inner = inner  # a more specific code, in innerError (Graph's error resource)


@dataclass
class LoggedRequest:
    method: str
    path: str  # without the /v1.0 prefix for Graph calls, e.g. "/me/calendarView"
    query: dict[str, str]
    batch: bool = False  # True for a request that arrived inside a $batch
    status: int = 0
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)  # lower-case, no Authorization
    scopes: tuple[str, ...] = ()  # what the presented token was granted

    @property
    def is_write(self) -> bool:
        return self.method in ("POST", "PATCH", "DELETE", "PUT") and self.path != "/$batch"


@dataclass
class _Fault:
    status: int
    retry_after: str | None
    in_batch: bool = False
    after: bool = False  # carry the request out, then answer the fault (a lost answer)


@dataclass
class _Mailbox:
    upn: str
    name: str
    events: dict[str, dict] = field(default_factory=dict)  # id -> stored event (UTC)
    #: the preferred presence set through Graph: {"availability", "activity", "expirationDuration"}
    presence: dict | None = None
    removed: dict[str, float] = field(default_factory=dict)  # id -> when deleted
    changed: dict[str, float] = field(default_factory=dict)  # id -> last change time


def _gid(prefix: str = "AAMkAG") -> str:
    return prefix + base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")


def _fmt(dt: datetime) -> str:
    """Graph's dateTimeTimeZone.dateTime: local wall time with 7 fractional digits."""
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + ".0000000"


def _fmt_offset(dt: datetime) -> str:
    """A DateTimeOffset as Graph writes it (UTC, Z suffix)."""
    dt = dt.astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + "Z"


def _zone(name: str | None):
    if not name or name.upper() in ("UTC", "COORDINATED UNIVERSAL TIME", "Z"):
        return UTC
    try:
        return ZoneInfo(name)
    except Exception:  # noqa: BLE001 - maybe a Windows name
        from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

        iana = WINDOWS_TO_OLSON.get(name)
        if iana:
            return ZoneInfo(iana)
    raise GraphError(
        400,
        "TimeZoneNotSupportedException",
        f"A valid TimeZone value must be specified. The following TimeZone value is not supported: '{name}'.",
    )


def _parse_dtz(value: dict) -> datetime:
    """Parse a dateTimeTimeZone into an aware UTC datetime."""
    try:
        raw = value["dateTime"]
        tzname = value.get("timeZone") or "UTC"
    except (TypeError, KeyError):
        raise GraphError(400, "ErrorInvalidRequest", "start and end need dateTime and timeZone") from None
    raw = raw.rstrip("Z")
    if "." in raw:
        head, frac = raw.split(".", 1)
        raw = head + "." + frac[:6]
    try:
        naive = datetime.fromisoformat(raw)
    except ValueError:
        raise GraphError(
            400,
            "ErrorInvalidRequest",
            f"Cannot convert the literal '{value['dateTime']}' to the expected type 'Edm.DateTime'.",
        ) from None
    if naive.tzinfo is not None:
        return naive.astimezone(UTC)
    return naive.replace(tzinfo=_zone(tzname)).astimezone(UTC)


def _parse_query_dt(value: str) -> datetime:
    v = value.strip()
    if v.endswith("Z"):
        v = v[:-1] + "+00:00"
    dt = datetime.fromisoformat(v)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)  # Graph treats offset-less values as UTC
    return dt.astimezone(UTC)


def _text_of_html(content: str) -> str:
    """Exchange's HTML to text: a hyperlink keeps its target, as `text<URL>`."""
    text = re.sub(r"(?is)<(script|style).*?</\1>", "", content)
    text = re.sub(
        r"""(?is)<a\s[^>]*?href\s*=\s*["']([^"']+)["'][^>]*>(.*?)</a>""",
        lambda m: (
            m.group(2)
            if m.group(1) == re.sub(r"<[^>]+>", "", m.group(2)).strip()
            else f"{m.group(2)}\x00{m.group(1)}\x01"
        ),  # kept apart from the tags stripped below
        text,
    )
    text = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</li>", "\n", text)
    text = re.sub(r"(?s)<[^>]+>", "", text)
    return html.unescape(text.replace("\x00", "<").replace("\x01", ">")).strip()


_FILTER_RE = re.compile(
    r"^singleValueExtendedProperties/any\(\s*(\w+)\s*:\s*\1/id\s+eq\s+'((?:[^']|'')*)'"
    r"(?:\s+and\s+\1/value\s+eq\s+'((?:[^']|'')*)')?\s*\)$",
    re.IGNORECASE,
)
_EXPAND_RE = re.compile(
    r"^singleValueExtendedProperties\(\s*\$filter\s*=\s*id\s+eq\s+'((?:[^']|'')*)'\s*\)$",
    re.IGNORECASE,
)


class GraphFake:
    """The fake: start it as a context manager; everything is in memory."""

    def __init__(
        self,
        *,
        tenant: str = "common",
        me: str = "me@contoso.com",
        me_name: str = "Me Myself",
        client_id: str = "11111111-2222-3333-4444-555555555555",
        client_secret: str = "fake-secret-value",
        page_size: int | None = None,
        mailbox_tz: str = "UTC",
    ) -> None:
        self.tenant = tenant
        self.tenant_id = "72f988bf-86f1-41af-91ab-2d7cd011db47"
        self.client_id = client_id
        self.client_secret = client_secret
        self.max_page_size = page_size  # a server-side cap, like odata.maxpagesize
        self.mailbox_tz = ZoneInfo(mailbox_tz) if mailbox_tz != "UTC" else UTC
        self.me = me
        self.mailboxes: dict[str, _Mailbox] = {}
        self.add_user(me, me_name)
        self.log: list[LoggedRequest] = []
        self.identity_log: list[LoggedRequest] = []
        self._faults: list[_Fault] = []
        self._tokens: dict[str, dict] = {}  # access token -> {"scopes", "user", "app"}
        self._refresh: dict[str, dict] = {}
        self._device_codes: dict[str, dict] = {}
        self._delta_tokens: dict[str, dict] = {}
        self.sent_responses: list[dict] = []  # meeting responses sent to organizers
        self.presence_log: list[tuple[str, str, dict]] = []  # ("set" | "clear", upn, body)
        self.device_flows = 0
        self._seq = 0  # a change counter: delta tokens remember where they were
        self.deny_consent = False
        # what each user consented to, by sign-in (scopes, resource-qualified)
        self.consents: dict[str, set[str]] = {}
        # an AADSTS code a conditional-access policy answers every silent refresh with
        self.conditional_access: str | None = None
        self._lock = threading.RLock()
        self._tmp = tempfile.TemporaryDirectory(prefix="graphfake-")
        self._server: ThreadingHTTPServer | None = None
        self.ca_file = ""
        self.base_url = ""

    # --- lifecycle ---------------------------------------------------------

    def start(self) -> GraphFake:
        import trustme

        ca = trustme.CA()
        cert = ca.issue_cert("127.0.0.1", "localhost")
        ca_path = Path(self._tmp.name) / "ca.pem"
        ca.cert_pem.write_to_path(str(ca_path))
        self.ca_file = str(ca_path)
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(ctx)

        fake = self

        class Handler(_Handler):
            owner = fake

        self._server = loopback.serve(Handler, tls=ctx, handshake_on_connect=False)
        self.base_url = f"https://127.0.0.1:{loopback.port(self._server)}"
        return self

    def go_offline(self) -> None:
        """Stop answering (connections are refused); the CA file stays for the client."""
        loopback.shut(self._server)
        self._server = None

    def stop(self) -> None:
        self.go_offline()
        self._tmp.cleanup()

    def __enter__(self) -> GraphFake:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def graph_url(self) -> str:
        return self.base_url + "/v1.0"

    #: where the @odata.nextLink / deltaLink it hands out point (a hostile server's choice)
    links_to: str | None = None

    @property
    def link_root(self) -> str:
        return self.links_to or self.graph_url

    @property
    def authority(self) -> str:
        return f"{self.base_url}/{self.tenant}"

    def settings(self, **extra: Any) -> dict:
        """An `[outlook]` config section pointing at this fake."""
        values = {
            "graph_url": self.graph_url,
            "authority": self.authority,
            "tenant": self.tenant,
            "client_id": self.client_id,
        }
        values.update(extra)
        return values

    # --- test helpers --------------------------------------------------------

    def add_user(self, upn: str, name: str = "") -> None:
        self.mailboxes[upn.lower()] = _Mailbox(upn=upn, name=name or upn.split("@")[0])

    def fail_next(
        self,
        n: int = 1,
        status: int = 429,
        retry_after: str | None = "0",
        *,
        in_batch: bool = False,
        after: bool = False,
    ) -> None:
        """The next `n` Graph requests (or $batch items) answer `status`.

        With `after`, each is carried out first and only its answer is lost
        (a gateway's 504 or a timeout after the mailbox committed the change).
        """
        with self._lock:
            self._faults.extend(_Fault(status, retry_after, in_batch, after) for _ in range(n))

    def clear_log(self) -> None:
        with self._lock:
            self.log.clear()
            self.identity_log.clear()

    def requests(
        self, method: str | None = None, path: str | None = None, *, batch: bool | None = None
    ) -> list[LoggedRequest]:
        """Logged Graph requests, filtered by method, a path substring and batch-ness."""
        out = []
        for r in list(self.log):
            if method and r.method != method:
                continue
            if path and path not in r.path:
                continue
            if batch is not None and r.batch != batch:
                continue
            out.append(r)
        return out

    def http_requests(self) -> list[LoggedRequest]:
        """Requests that went over the wire (a $batch counts once)."""
        return [r for r in list(self.log) if not r.batch]

    def writes(self) -> list[LoggedRequest]:
        """Every write, whether sent alone or inside a $batch."""
        return [r for r in list(self.log) if r.is_write]

    def events(self, user: str | None = None) -> list[dict]:
        return list(self._box(user or self.me).events.values())

    def presence(self, user: str | None = None) -> dict | None:
        """The preferred presence set for the user, or None."""
        return self._box(user or self.me).presence

    def seed_event(self, user: str | None = None, **fields: Any) -> dict:
        """Store a single-instance event; `start`/`end` may be aware datetimes.

        For an all-day event pass `isAllDay=True` and dates (or midnight datetimes).
        Any Graph event property can be given as a keyword.
        """
        box = self._box(user or self.me)
        event = self._new_event(box, fields)
        with self._lock:
            box.events[event["id"]] = event
            box.changed[event["id"]] = self._tick()
        return copy.deepcopy(event)

    def seed_series(
        self,
        user: str | None = None,
        *,
        start: datetime,
        end: datetime,
        count: int = 5,
        every: timedelta = timedelta(days=7),
        range_type: str = "endDate",  # endDate | noEnd | numbered
        exceptions: dict[int, dict] | None = None,
        deleted: tuple[int, ...] = (),
        **fields: Any,
    ) -> tuple[dict, list[dict]]:
        """A series master plus its `count` instances (occurrences and exceptions).

        calendarView returns the instances, never the master; `exceptions`
        maps an instance index to changed fields (e.g. a moved start), and
        `deleted` instances are left out as Outlook does.
        """
        box = self._box(user or self.me)
        exceptions = exceptions or {}
        weekly = every.days % 7 == 0
        tz_name = "UTC"
        last = start + every * (count - 1)
        rng: dict[str, Any] = {
            "type": range_type,
            "startDate": start.astimezone(UTC).date().isoformat(),
            "endDate": last.astimezone(UTC).date().isoformat() if range_type == "endDate" else "0001-01-01",
            "recurrenceTimeZone": fields.pop("recurrenceTimeZone", tz_name),
            "numberOfOccurrences": count if range_type == "numbered" else 0,
        }
        pattern = {
            "type": "weekly" if weekly else "daily",
            "interval": (every.days // 7) if weekly else max(1, every.days),
            "month": 0,
            "dayOfMonth": 0,
            "firstDayOfWeek": "sunday",
            "index": "first",
            "daysOfWeek": [start.astimezone(UTC).strftime("%A").lower()] if weekly else [],
        }
        master = self._new_event(box, dict(fields, start=start, end=end, type="seriesMaster"))
        master["recurrence"] = {"pattern": pattern, "range": rng}
        instances = []
        for i in range(count):
            if i in deleted:
                continue
            o_start = start + every * i
            inst_fields = dict(fields, start=o_start, end=o_start + (end - start))
            inst_fields.update(exceptions.get(i, {}))
            inst = self._new_event(box, inst_fields)
            inst["type"] = "exception" if i in exceptions else "occurrence"
            inst["seriesMasterId"] = master["id"]
            inst["iCalUId"] = master["iCalUId"]
            inst["originalStart"] = _fmt_offset(o_start)
            inst["recurrence"] = None
            instances.append(inst)
        with self._lock:
            now = self._tick()
            box.events[master["id"]] = master
            box.changed[master["id"]] = now
            for inst in instances:
                box.events[inst["id"]] = inst
                box.changed[inst["id"]] = now
        return copy.deepcopy(master), copy.deepcopy(instances)

    def update_event(self, event_id: str, user: str | None = None, **fields: Any) -> None:
        box = self._box(user or self.me)
        with self._lock:
            ev = box.events[event_id]
            for k, v in fields.items():
                if k in ("start", "end") and isinstance(v, datetime):
                    ev[k] = {"dateTime": _fmt(v.astimezone(UTC)), "timeZone": "UTC"}
                else:
                    ev[k] = v
            ev["lastModifiedDateTime"] = _fmt_offset(datetime.now(UTC))
            box.changed[event_id] = self._tick()

    def remove_event(self, event_id: str, user: str | None = None) -> None:
        box = self._box(user or self.me)
        with self._lock:
            box.events.pop(event_id)
            box.removed[event_id] = self._tick()

    # --- internals: storage ----------------------------------------------------

    def _tick(self) -> int:
        with self._lock:
            self._seq += 1
            return self._seq

    def _box(self, upn: str) -> _Mailbox:
        try:
            return self.mailboxes[upn.lower()]
        except KeyError:
            raise GraphError(404, "ErrorInvalidUser", f"The requested user '{upn}' is invalid.") from None

    def _new_event(self, box: _Mailbox, fields: dict) -> dict:
        fields = dict(fields)
        all_day = bool(fields.get("isAllDay"))
        ev: dict[str, Any] = {
            "@odata.etag": 'W/"' + secrets.token_urlsafe(8) + '"',
            "id": _gid(),
            "createdDateTime": _fmt_offset(datetime.now(UTC) - timedelta(days=3)),
            "lastModifiedDateTime": _fmt_offset(datetime.now(UTC)),
            "changeKey": secrets.token_urlsafe(8),
            "categories": [],
            "originalStartTimeZone": "UTC",
            "originalEndTimeZone": "UTC",
            "iCalUId": "040000008200E00074C5B7101A82E008" + uuid.uuid4().hex.upper(),
            "reminderMinutesBeforeStart": 15,
            "isReminderOn": True,
            "hasAttachments": False,
            "subject": "",
            "bodyPreview": "",
            "importance": "normal",
            "sensitivity": "normal",
            "isAllDay": False,
            "isCancelled": False,
            "isOrganizer": True,
            "responseRequested": True,
            "seriesMasterId": None,
            "showAs": "busy",
            "type": "singleInstance",
            "webLink": "https://outlook.office365.com/owa/?itemid=x",
            "onlineMeetingUrl": None,
            "isOnlineMeeting": False,
            "onlineMeetingProvider": "unknown",
            "originalStart": None,
            "responseStatus": {"response": "organizer", "time": "0001-01-01T00:00:00Z"},
            "body": {"contentType": "html", "content": ""},
            "location": {"displayName": "", "locationType": "default", "uniqueIdType": "unknown"},
            "locations": [],
            "recurrence": None,
            "attendees": [],
            "organizer": {"emailAddress": {"name": box.name, "address": box.upn}},
            "onlineMeeting": None,
        }
        for key in ("start", "end"):
            value = fields.pop(key, None)
            if value is None:
                raise GraphError(400, "ErrorInvalidRequest", f"{key} is required")
            if isinstance(value, dict):
                if all_day:
                    ev[key] = {"dateTime": value["dateTime"], "timeZone": value.get("timeZone", "UTC")}
                else:
                    ev[key] = {"dateTime": _fmt(_parse_dtz(value)), "timeZone": "UTC"}
            elif isinstance(value, datetime) and not all_day:
                if value.tzinfo is None:
                    raise ValueError("seed datetimes must be aware")
                ev[key] = {"dateTime": _fmt(value.astimezone(UTC)), "timeZone": "UTC"}
            else:  # an all-day date: floating midnight
                d = value.date() if isinstance(value, datetime) else value
                ev[key] = {"dateTime": _fmt(datetime.combine(d, datetime.min.time())), "timeZone": "UTC"}
        body = fields.pop("body", None)
        if isinstance(body, str):
            body = {"contentType": "html" if "<" in body else "text", "content": body}
        if body:
            ev["body"] = body
            ev["bodyPreview"] = _text_of_html(body["content"])[:255]
        if "attendees" in fields:
            fields["attendees"] = [self._attendee(a) for a in fields["attendees"]]
        if "organizer" in fields and isinstance(fields["organizer"], str):
            fields["organizer"] = {
                "emailAddress": {"name": fields["organizer"].split("@")[0], "address": fields["organizer"]}
            }
        if "responseStatus" in fields and isinstance(fields["responseStatus"], str):
            fields["responseStatus"] = {"response": fields["responseStatus"], "time": "0001-01-01T00:00:00Z"}
        if "onlineMeeting" in fields and isinstance(fields["onlineMeeting"], str):
            fields["onlineMeeting"] = {"joinUrl": fields["onlineMeeting"]}
            fields.setdefault("isOnlineMeeting", True)
            fields.setdefault("onlineMeetingProvider", "teamsForBusiness")
        if "location" in fields and isinstance(fields["location"], str):
            fields["location"] = {"displayName": fields["location"], "locationType": "default"}
        if "createdDateTime" in fields and isinstance(fields["createdDateTime"], datetime):
            fields["createdDateTime"] = _fmt_offset(fields["createdDateTime"])
        if fields.get("isOrganizer") is False and "responseStatus" not in fields:
            ev["responseStatus"] = {"response": "none", "time": "0001-01-01T00:00:00Z"}
        if "showAs" in fields and fields["showAs"] not in FREE_BUSY_STATUSES:
            raise GraphError(
                400,
                "RequestBodyRead",
                f"Requested value '{fields['showAs']}' was not found in freeBusyStatus.",
            )
        unknown = set(fields) - set(_EVENT_PROPS) - {"singleValueExtendedProperties"}
        if unknown:
            raise GraphError(
                400,
                "RequestBodyRead",
                f"The property '{sorted(unknown)[0]}' does not exist on type 'microsoft.graph.event'.",
            )
        ev.update(fields)
        return ev

    @staticmethod
    def _attendee(a: Any) -> dict:
        if isinstance(a, dict) and "emailAddress" in a:
            a = dict(a)
            a.setdefault("type", "required")
            a.setdefault("status", {"response": "none", "time": "0001-01-01T00:00:00Z"})
            return a
        if isinstance(a, str):
            a = {"address": a}
        return {
            "type": a.get("type", "required"),
            "status": {"response": a.get("response", "none"), "time": "0001-01-01T00:00:00Z"},
            "emailAddress": {"name": a.get("name", a["address"].split("@")[0]), "address": a["address"]},
        }

    def _span(self, ev: dict) -> tuple[datetime, datetime]:
        if ev.get("isAllDay"):
            s = datetime.fromisoformat(ev["start"]["dateTime"][:19]).replace(tzinfo=self.mailbox_tz)
            e = datetime.fromisoformat(ev["end"]["dateTime"][:19]).replace(tzinfo=self.mailbox_tz)
            return s.astimezone(UTC), e.astimezone(UTC)
        return _parse_dtz(ev["start"]), _parse_dtz(ev["end"])

    def _render(
        self, ev: dict, select: list[str] | None, tz, text_body: bool, expand_prop: str | None
    ) -> dict:
        out: dict[str, Any] = {"@odata.etag": ev["@odata.etag"], "id": ev["id"]}
        props = select if select else list(_EVENT_PROPS)
        for p in props:
            if p in ("id", "@odata.etag"):
                continue
            if select and p in UNSELECTABLE:
                continue  # named in $select, yet not returned
            if p not in _EVENT_PROPS:
                raise GraphError(
                    400,
                    "RequestBroker--ParseUri",
                    f"Could not find a property named '{p}' on type 'microsoft.graph.event'.",
                )
            value = copy.deepcopy(ev.get(p))
            if p == "transactionId" and value is None:
                continue  # returned only when a client app set it
            if p in ("start", "end") and value and not ev.get("isAllDay"):
                dt = _parse_dtz(value).astimezone(tz)
                value = {"dateTime": _fmt(dt), "timeZone": _tz_label(tz)}
            elif p in ("start", "end") and value:
                value = {"dateTime": value["dateTime"], "timeZone": _tz_label(tz)}
            if p == "body" and value and text_body and value.get("contentType") == "html":
                value = {"contentType": "text", "content": _text_of_html(value["content"])}
            out[p] = value
        if expand_prop is not None:
            props_found = [
                dict(p)
                for p in ev.get("singleValueExtendedProperties") or []
                if p.get("id", "").lower() == expand_prop.lower()
            ]
            if props_found:  # Graph leaves the collection out when nothing matches
                out["singleValueExtendedProperties"] = props_found
        return out

    # --- internals: the Graph API ------------------------------------------------

    def handle_graph(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        headers: dict[str, str],
        body: Any,
        token: dict,
        batch: bool,
    ) -> tuple[int, dict, Any]:
        """Dispatch one Graph call (path without /v1.0); returns (status, headers, body)."""
        segs = [unquote(s) for s in path.strip("/").split("/") if s]
        if not segs:
            raise GraphError(400, "BadRequest", "Invalid request.")
        if segs[0] == "me":
            if token.get("app"):
                raise GraphError(
                    400, "BadRequest", "/me request is only valid with delegated authentication flow."
                )
            box = self._box(token["user"])
            rest = segs[1:]
        elif segs[0] == "users" and len(segs) >= 2:
            box = self._box(segs[1])
            if not token.get("app") and box.upn.lower() != token["user"].lower():
                raise GraphError(
                    403, "ErrorAccessDenied", "Access is denied. Check credentials and try again."
                )
            rest = segs[2:]
        else:
            raise GraphError(400, "BadRequest", f"Resource not found for the segment '{segs[0]}'.")
        prefs = _prefer(headers.get("prefer", ""))
        tz = _zone(prefs.get("outlook.timezone")) if prefs.get("outlook.timezone") else UTC
        text_body = prefs.get("outlook.body-content-type", "").lower() == "text"
        applied = []
        if "outlook.timezone" in prefs:
            applied.append(f'outlook.timezone="{prefs["outlook.timezone"]}"')
        if "outlook.body-content-type" in prefs:
            applied.append(f'outlook.body-content-type="{prefs["outlook.body-content-type"]}"')
        resp_headers = {"Preference-Applied": ", ".join(applied)} if applied else {}
        prefix = "/" + "/".join(quote(s, safe="@.") for s in segs[: len(segs) - len(rest)])

        if rest == ["calendarView"] and method == "GET":
            return 200, resp_headers, self._calendar_view(box, prefix, query, tz, text_body, prefs)
        if rest == ["events"] and method == "GET":
            return 200, resp_headers, self._list_events(box, prefix, query, tz, text_body, prefs)
        if rest == ["calendarView", "delta"] and method == "GET":
            return 200, resp_headers, self._delta(box, prefix, query, tz, text_body, prefs)
        if rest == ["events"] and method == "POST":
            self._need_write(token)
            ev = self._create(box, body)
            return 201, resp_headers, self._render(ev, None, tz, text_body, None)
        if len(rest) == 2 and rest[0] == "events":
            ev = box.events.get(rest[1])
            if ev is None:
                raise GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")
            if method == "GET":
                select = _split(query.get("$select"))
                expand = _expand(query.get("$expand"))
                return 200, resp_headers, self._render(ev, select, tz, text_body, expand)
            if method == "PATCH":
                self._need_write(token)
                return 200, resp_headers, self._render(self._patch(box, ev, body), None, tz, text_body, None)
            if method == "DELETE":
                self._need_write(token)
                with self._lock:
                    box.events.pop(ev["id"], None)
                    box.removed[ev["id"]] = self._tick()
                return 204, {}, None
        if rest == ["calendar", "getSchedule"] and method == "POST":
            return 200, resp_headers, self._schedule(body, tz)
        if rest == ["presence", "setUserPreferredPresence"] and method == "POST":
            self._set_presence(box, body, token)
            return 200, {}, None
        if rest == ["presence", "clearUserPreferredPresence"] and method == "POST":
            self._clear_presence(box, body, token)
            return 200, {}, None
        if (
            len(rest) == 3
            and rest[0] == "events"
            and method == "POST"
            and rest[2] in ("accept", "tentativelyAccept", "decline")
        ):
            self._need_write(token)
            ev = box.events.get(rest[1])
            if ev is None:
                raise GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")
            return self._respond(box, ev, rest[2], body)
        raise GraphError(400, "BadRequest", f"Unsupported request: {method} {path}")

    def _schedule(self, body: Any, tz) -> dict:
        """calendar: getSchedule (Graph v1.0 reference, "calendar: getSchedule";
        resources scheduleInformation and scheduleItem).

        One scheduleInformation per address asked, in the order asked: the
        items of that mailbox's calendar overlapping the period, each with its
        free/busy `status` (the event's showAs), start and end in the Prefer
        time zone, and (as Graph does for a caller who may see them) subject,
        location and isPrivate. A mailbox the caller cannot read gets `error`
        (freeBusyError: message, responseCode) instead.
        """
        if not isinstance(body, dict) or not isinstance(body.get("schedules"), list):
            raise GraphError(400, "ErrorInvalidRequest", "The request is missing the required schedules.")
        for key in ("startTime", "endTime"):
            if not isinstance(body.get(key), dict):
                raise GraphError(400, "ErrorInvalidRequest", f"The request is missing {key}.")
        interval = int(body.get("availabilityViewInterval") or 30)
        if not 5 <= interval <= 1440:  # "The default is 30 minutes, minimum is 5, maximum is 1440"
            raise GraphError(400, "ErrorInvalidParameter", "availabilityViewInterval must be 5 to 1440.")
        start, end = _parse_dtz(body["startTime"]), _parse_dtz(body["endTime"])
        out = []
        for address in body["schedules"]:
            box = self.mailboxes.get(str(address).lower())
            if box is None:
                out.append(
                    {
                        "scheduleId": address,
                        "error": {
                            "message": "The specified mailbox could not be found.",
                            "responseCode": "ErrorMailRecipientNotFound",
                        },
                    }
                )
                continue
            items = []
            slots = ["0"] * max(1, int((end - start).total_seconds() // (interval * 60)))
            for ev in sorted(self._instances(box, start, end), key=lambda e: _parse_dtz(e["start"])):
                if ev.get("isCancelled"):
                    continue
                s_, e_ = self._span(ev)
                status = str(ev.get("showAs") or "busy")
                items.append(
                    {
                        "isPrivate": ev.get("sensitivity") == "private",
                        "status": status,
                        "subject": ev.get("subject") or "",
                        "location": (ev.get("location") or {}).get("displayName", ""),
                        "start": {"dateTime": _fmt(s_.astimezone(tz)), "timeZone": _tz_label(tz)},
                        "end": {"dateTime": _fmt(e_.astimezone(tz)), "timeZone": _tz_label(tz)},
                    }
                )
                code = {"free": "0", "tentative": "1", "busy": "2", "oof": "3", "workingElsewhere": "4"}.get(
                    status, "0"
                )
                for n in range(len(slots)):
                    slot_start = start + timedelta(minutes=interval * n)
                    if s_ < slot_start + timedelta(minutes=interval) and e_ > slot_start and code > slots[n]:
                        slots[n] = code
            out.append({"scheduleId": address, "availabilityView": "".join(slots), "scheduleItems": items})
        return {
            "@odata.context": f"{self.graph_url}/$metadata#Collection(microsoft.graph.scheduleInformation)",
            "value": out,
        }

    def _set_presence(self, box: _Mailbox, body: Any, token: dict) -> None:
        """presence: setUserPreferredPresence (Graph v1.0 reference): the supported
        availability/activity pairs, an optional ISO 8601 expirationDuration; the
        delegated permission is Presence.ReadWrite (app-only Presence.ReadWrite.All)."""
        self._need_presence(token)
        pairs = {
            ("Available", "Available"),
            ("Busy", "Busy"),
            ("DoNotDisturb", "DoNotDisturb"),
            ("BeRightBack", "BeRightBack"),
            ("Away", "Away"),
            ("Offline", "OffWork"),
        }
        if not isinstance(body, dict) or (body.get("availability"), body.get("activity")) not in pairs:
            raise GraphError(400, "BadRequest", "The availability and activity are not a supported pair.")
        duration = body.get("expirationDuration")
        if duration is not None and not re.fullmatch(
            r"P(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+S)?)?", str(duration)
        ):
            raise GraphError(400, "BadRequest", "expirationDuration is not an ISO 8601 duration.")
        with self._lock:
            box.presence = dict(body)
            self.presence_log.append(("set", box.upn, dict(body)))

    def _clear_presence(self, box: _Mailbox, body: Any, token: dict) -> None:
        """presence: clearUserPreferredPresence: "supply an empty JSON object {}"."""
        self._need_presence(token)
        with self._lock:
            box.presence = None
            self.presence_log.append(("clear", box.upn, {}))

    def _need_presence(self, token: dict) -> None:
        if token.get("app"):
            return
        if not any(s.endswith("Presence.ReadWrite") for s in token.get("scopes", ())):
            raise GraphError(403, "Forbidden", "Insufficient privileges to complete the operation.")

    def _need_write(self, token: dict) -> None:
        scopes = token.get("scopes", ())
        if token.get("app"):
            if not token.get("app_write"):
                raise GraphError(
                    403, "ErrorAccessDenied", "Access is denied. Check credentials and try again."
                )
            return
        if not any(s.endswith(GRAPH_SCOPES_WRITE) for s in scopes):
            raise GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")

    def _window(self, query: dict[str, str]) -> tuple[datetime, datetime]:
        q = {k.lower(): v for k, v in query.items()}
        if "startdatetime" not in q or "enddatetime" not in q:
            raise GraphError(
                400,
                "ErrorInvalidParameter",
                "This request requires a time window specified by the query string parameters StartDateTime and "
                "EndDateTime.",
            )
        try:
            return _parse_query_dt(q["startdatetime"]), _parse_query_dt(q["enddatetime"])
        except ValueError:
            raise GraphError(
                400, "ErrorInvalidParameter", "The value of StartDateTime or EndDateTime is not a valid date."
            ) from None

    def _instances(self, box: _Mailbox, start: datetime, end: datetime) -> list[dict]:
        items = []
        with self._lock:
            for ev in box.events.values():
                if ev.get("type") == "seriesMaster":
                    continue
                s, e = self._span(ev)
                if s < end and (e > start or (s == e and s >= start)):
                    items.append((s, ev["id"], ev))
        items.sort(key=lambda t: (t[0], t[1]))
        return [ev for _, _, ev in items]

    def _list_events(
        self, box: _Mailbox, prefix: str, query: dict[str, str], tz, text_body: bool, prefs: dict
    ) -> dict:
        """GET /events: "The list contains single instance meetings and series masters"
        (https://learn.microsoft.com/en-us/graph/api/user-list-events). Filtering on a
        single-value extended property is documented for this collection ("The filter is
        applied to all instances of the resource in the signed-in user's mailbox"), and
        "The response body does not include the extended property"
        (https://learn.microsoft.com/en-us/graph/api/singlevaluelegacyextendedproperty-get)."""
        with self._lock:
            items = [
                ev for ev in box.events.values() if ev.get("type") in ("singleInstance", "seriesMaster", None)
            ]
        items.sort(key=lambda ev: (self._span(ev)[0], ev["id"]))
        flt = query.get("$filter")
        if flt:
            items = [ev for ev in items if self._matches_property_filter(ev, flt)]
        return self._page(items, box, prefix, "events", query, tz, text_body, prefs, expand=None)

    def _matches_property_filter(self, ev: dict, flt: str) -> bool:
        m = _FILTER_RE.match(flt.strip())
        if not m:
            raise GraphError(
                400, "ErrorInvalidUrlQueryFilter", "The query filter contains one or more invalid nodes."
            )
        prop_id, value = m.group(2).replace("''", "'"), m.group(3)
        value = value.replace("''", "'") if value is not None else None
        for p in ev.get("singleValueExtendedProperties") or []:
            # "Filtering the string name (Name) in the id of an extended property is
            # case-sensitive. Filtering the value property of an extended property is
            # case-insensitive." (singlevaluelegacyextendedproperty-get)
            if p.get("id") == prop_id and (value is None or str(p.get("value", "")).lower() == value.lower()):
                return True
        return False

    def _calendar_view(
        self, box: _Mailbox, prefix: str, query: dict[str, str], tz, text_body: bool, prefs: dict
    ) -> dict:
        start, end = self._window(query)
        items = self._instances(box, start, end)
        if "$filter" in query or "$expand" in query:
            # Extended properties are documented only as $expand on one event
            # (GET /me/events/{id}?$expand=...) and as $filter on the /events collection
            # (https://learn.microsoft.com/en-us/graph/api/singlevaluelegacyextendedproperty-get),
            # never on calendarView, and servers have been reported to fail on it: the fake refuses.
            bad = "$filter" if "$filter" in query else "$expand"
            raise GraphError(
                400,
                "ErrorInvalidUrlQueryFilter" if bad == "$filter" else "BadRequest",
                f"The query option '{bad}' on extended properties is not supported for calendarView.",
            )
        return self._page(items, box, prefix, "calendarView", query, tz, text_body, prefs, expand=None)

    def _page(
        self,
        items: list[dict],
        box: _Mailbox,
        prefix: str,
        segment: str,
        query: dict[str, str],
        tz,
        text_body: bool,
        prefs: dict,
        *,
        expand: str | None,
    ) -> dict:
        """One page of a collection ($top, $skip) with its @odata.nextLink."""
        select = _split(query.get("$select"))
        try:
            top = int(query.get("$top", DEFAULT_PAGE_SIZE))
            skip = int(query.get("$skip", 0))
        except ValueError:
            raise GraphError(400, "BadRequest", "Invalid $top or $skip") from None
        if "odata.maxpagesize" in prefs:
            top = min(top, int(prefs["odata.maxpagesize"]))
        if self.max_page_size:
            top = min(top, self.max_page_size)
        top = max(1, min(top, 1000))
        page = items[skip : skip + top]
        out: dict[str, Any] = {
            "@odata.context": f"{self.graph_url}/$metadata#users('{quote(box.upn)}')/{segment}",
            "value": [self._render(ev, select, tz, text_body, expand) for ev in page],
        }
        if skip + top < len(items):
            nq = dict(query)
            nq["$top"] = str(top)
            nq["$skip"] = str(skip + top)
            out["@odata.nextLink"] = (
                f"{self.link_root}{prefix}/{segment}?{urlencode(nq, quote_via=quote, safe='$:,()/')}"
            )
        return out

    def _delta(
        self, box: _Mailbox, prefix: str, query: dict[str, str], tz, text_body: bool, prefs: dict
    ) -> dict:
        # Graph's delta takes no $select/$filter/$expand; paging is by odata.maxpagesize.
        for bad in ("$select", "$filter", "$expand", "$orderby", "$search"):
            if bad in query:
                raise GraphError(
                    400,
                    "ErrorInvalidUrlQuery",
                    "The following parameters are not supported with change tracking over the 'CalendarView' "
                    f"resource: '{bad}'.",
                )
        page_size = int(prefs.get("odata.maxpagesize", 0) or 0) or self.max_page_size or 100
        with self._lock:
            if "$deltatoken" in query or "$skiptoken" in query:
                tok = query.get("$deltatoken") or query.get("$skiptoken")
                st = self._delta_tokens.get(tok)
                if st is None:
                    status, code, inner = self.delta_expiry
                    # "In case of an expired token, the service should respond with a 40X-series
                    # error with error codes such as syncStateNotFound" (delta query overview,
                    # https://learn.microsoft.com/en-us/graph/delta-query-overview); the error
                    # codes include resyncRequired ("The delta token is no longer valid, and the
                    # app must reset the sync state") and syncStateNotFound, also nested in
                    # innerError (https://learn.microsoft.com/en-us/graph/errors); a
                    # synchronization reset is "410 (gone)" with a Location header.
                    headers = (
                        {"Location": f"{self.graph_url}{prefix}/calendarView/delta"} if status == 410 else {}
                    )
                    raise GraphError(status, code, "The sync state generation is not found.", headers, inner)
                if "$deltatoken" in query:
                    # a new round: what changed since the token was handed out
                    since = st["issued"]
                    start, end = st["start"], st["end"]
                    inside = self._instances(box, start, end)
                    changed = [ev for ev in inside if box.changed.get(ev["id"], 0) > since]
                    gone = [i for i, when in box.removed.items() if when > since and i in st["seen"]]
                    inside_ids = {ev["id"] for ev in inside}
                    moved_out = [i for i in st["seen"] if i in box.events and i not in inside_ids]
                    pending = [("item", ev) for ev in changed] + [("removed", i) for i in gone + moved_out]
                    st = {
                        "start": start,
                        "end": end,
                        "pending": pending,
                        "seen": set(st["seen"]),
                        "issued": self._tick(),
                    }
                else:
                    st = dict(st)
            else:
                start, end = self._window(query)
                st = {
                    "start": start,
                    "end": end,
                    "seen": set(),
                    "issued": self._tick(),
                    "pending": [("item", ev) for ev in self._instances(box, start, end)],
                }
            page, rest = st["pending"][:page_size], st["pending"][page_size:]
            value = []
            for kind, item in page:
                if kind == "item":
                    value.append(self._render(item, None, tz, text_body, None))
                    st["seen"].add(item["id"])
                else:
                    value.append(
                        {
                            "@odata.type": "#microsoft.graph.event",
                            "id": item,
                            "@removed": {"reason": "deleted"},
                        }
                    )
                    st["seen"].discard(item)
            token = secrets.token_urlsafe(16)
            st_next = {
                "start": st["start"],
                "end": st["end"],
                "seen": st["seen"],
                "issued": st["issued"],
                "pending": rest,
            }
            self._delta_tokens[token] = st_next
        out: dict[str, Any] = {
            "@odata.context": f"{self.graph_url}/$metadata#Collection(event)",
            "value": value,
        }
        if rest:
            out["@odata.nextLink"] = f"{self.link_root}{prefix}/calendarView/delta?$skiptoken={token}"
        else:
            out["@odata.deltaLink"] = f"{self.link_root}{prefix}/calendarView/delta?$deltatoken={token}"
        return out

    def _create(self, box: _Mailbox, body: Any) -> dict:
        if not isinstance(body, dict):
            raise GraphError(400, "RequestBodyRead", "Empty Payload. JSON content expected.")
        fields = dict(body)
        for k in ("start", "end"):
            if not isinstance(fields.get(k), dict):
                raise GraphError(
                    400, "ErrorInvalidRequest", "Your request can't be completed. Start and End are required."
                )
        fields.setdefault("isOrganizer", True)
        fields.pop("@odata.type", None)
        txn = fields.get("transactionId")
        if txn and any(e.get("transactionId") == txn for e in box.events.values()):
            # transactionId exists so that a client's retry of a create is not a second
            # event; Graph does not document the answer, the fake refuses (the stricter one)
            raise GraphError(
                409, "ErrorDuplicateTransactionId", "An event with the same transaction id already exists."
            )
        ev = self._new_event(box, fields)
        if ev.get("body", {}).get("contentType") == "text":
            ev["body"] = {
                "contentType": "html",
                "content": "<html><body>" + html.escape(ev["body"]["content"]) + "</body></html>",
            }
        with self._lock:
            box.events[ev["id"]] = ev
            box.changed[ev["id"]] = self._tick()
        return ev

    def _patch(self, box: _Mailbox, ev: dict, body: Any) -> dict:
        if not isinstance(body, dict):
            raise GraphError(400, "RequestBodyRead", "Empty Payload. JSON content expected.")
        with self._lock:
            for k, v in body.items():
                if k in ("start", "end"):
                    ev[k] = {"dateTime": _fmt(_parse_dtz(v)), "timeZone": "UTC"}
                elif k in _EVENT_PROPS or k == "singleValueExtendedProperties":
                    ev[k] = v
                else:
                    raise GraphError(
                        400,
                        "RequestBodyRead",
                        f"The property '{k}' does not exist on type 'microsoft.graph.event'.",
                    )
            ev["lastModifiedDateTime"] = _fmt_offset(datetime.now(UTC))
            ev["@odata.etag"] = 'W/"' + secrets.token_urlsafe(8) + '"'
            box.changed[ev["id"]] = self._tick()
        return ev

    def _respond(self, box: _Mailbox, ev: dict, action: str, body: Any) -> tuple[int, dict, Any]:
        body = body if isinstance(body, dict) else {}
        unknown = set(body) - {"comment", "sendResponse", "proposedNewTime"}
        if unknown:
            raise GraphError(
                400,
                "RequestBodyRead",
                f"The parameter '{sorted(unknown)[0]}' in the request payload is not a valid parameter for the "
                f"operation '{action}'.",
            )
        if ev.get("isOrganizer"):
            raise GraphError(
                400,
                "ErrorInvalidRequest",
                "Your request can't be completed. You can't respond to this meeting because you're the meeting "
                "organizer.",
            )
        send = body.get("sendResponse", True)
        if body.get("comment") is not None and send is False:
            # Graph's answer to a comment that would go nowhere (reported by clients of the API)
            raise GraphError(
                400, "ErrorInvalidRequest", "'SendResponse' must be true when 'Comment' is not null."
            )
        if send and ev.get("responseRequested") is False:
            # responseRequested: "Default is true, which represents the organizer would like an
            # invitee to send a response to the event" (resources/event). With it false (all-hands,
            # webinars) the service has been reported to refuse a sent response; Graph does not
            # document the answer, the fake refuses (the stricter one).
            raise GraphError(
                400,
                "ErrorInvalidRequest",
                "Your request can't be completed. The meeting organizer didn't request a response.",
            )
        response = {"accept": "accepted", "tentativelyAccept": "tentativelyAccepted", "decline": "declined"}[
            action
        ]
        with self._lock:
            ev["responseStatus"] = {"response": response, "time": _fmt_offset(datetime.now(UTC))}
            ev.setdefault("_responses", []).append(
                {
                    "action": action,
                    "comment": body.get("comment"),
                    "sendResponse": body.get("sendResponse", True),
                }
            )
            box.changed[ev["id"]] = self._tick()
            # event-accept / -tentativelyAccept / -decline: "sendResponse: true if a response is
            # to be sent to the organizer; otherwise, false. Optional. Default is true."
            # (https://learn.microsoft.com/en-us/graph/api/event-accept). The organizer's copy of
            # the event then shows the attendee's answer in attendees[].status ("the attendee's
            # response ... and date-time that the response was sent",
            # https://learn.microsoft.com/en-us/graph/api/resources/attendee); the comment travels
            # in the response message.
            if body.get("sendResponse", True):
                self._deliver_response(box, ev, response, body.get("comment"))
        return 202, {}, None

    def _deliver_response(self, box: _Mailbox, ev: dict, response: str, comment: str | None) -> None:
        organizer = ((ev.get("organizer") or {}).get("emailAddress") or {}).get("address") or ""
        self.sent_responses.append(
            {
                "to": organizer,
                "from": box.upn,
                "iCalUId": ev.get("iCalUId"),
                "response": response,
                "comment": comment,
            }
        )
        org_box = self.mailboxes.get(organizer.lower())
        if org_box is None:
            return  # an organizer outside this tenant gets the message only
        now = _fmt_offset(datetime.now(UTC))
        for copy_ in org_box.events.values():
            if copy_.get("iCalUId") != ev.get("iCalUId"):
                continue
            for attendee in copy_.get("attendees") or []:
                if (attendee.get("emailAddress") or {}).get("address", "").lower() == box.upn.lower():
                    attendee["status"] = {"response": response, "time": now}
            org_box.changed[copy_["id"]] = self._tick()

    def meeting_responses(self, to: str) -> list[dict]:
        """The answers sent to organizer `to`: [{"from", "iCalUId", "response", "comment"}]."""
        return [dict(r) for r in self.sent_responses if r["to"].lower() == to.lower()]

    def responses(self, event_id: str, user: str | None = None) -> list[dict]:
        """The RSVPs posted to an event: [{"action", "comment", "sendResponse"}]."""
        return list(self._box(user or self.me).events[event_id].get("_responses", []))

    def take_fault(self, in_batch: bool) -> _Fault | None:
        with self._lock:
            for i, f in enumerate(self._faults):
                if f.in_batch == in_batch:
                    return self._faults.pop(i)
        return None

    def batch(self, body: Any, token: dict) -> dict:
        reqs = body.get("requests") if isinstance(body, dict) else None
        if not isinstance(reqs, list) or not reqs:
            raise GraphError(400, "BadRequest", "Invalid batch payload format.")
        if len(reqs) > MAX_BATCH:
            raise GraphError(
                400, "BadRequest", f"Number of batch request steps exceeds the maximum of {MAX_BATCH}."
            )
        ids = [str(r.get("id")) for r in reqs]
        if len({i.lower() for i in ids}) != len(ids):
            raise GraphError(400, "BadRequest", "Batch request contains duplicate ids.")
        responses = []
        for r in reqs:
            rid, method, url = str(r.get("id")), str(r.get("method", "")).upper(), r.get("url", "")
            headers = {k.lower(): v for k, v in (r.get("headers") or {}).items()}
            sub_body = r.get("body")
            if sub_body is not None and "content-type" not in headers:
                responses.append(
                    {
                        "id": rid,
                        "status": 400,
                        "body": _err("BadRequest", "Content-Type header is required when body is present."),
                    }
                )
                continue
            parts = urlsplit(url if url.startswith("/") else "/" + url)
            q = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
            entry = LoggedRequest(
                method,
                parts.path,
                q,
                batch=True,
                body=sub_body,
                headers=headers,
                scopes=tuple(token.get("scopes", ())),
            )
            self.log.append(entry)
            fault = self.take_fault(True)
            if fault is not None and fault.after:
                with contextlib.suppress(GraphError):
                    self.handle_graph(method, parts.path, q, headers, sub_body, token, True)
            if fault is not None:
                entry.status = fault.status
                h = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
                responses.append(
                    {
                        "id": rid,
                        "status": fault.status,
                        "headers": h,
                        "body": _err(_fault_code(fault.status), "Injected fault"),
                    }
                )
                continue
            try:
                status, h, out = self.handle_graph(method, parts.path, q, headers, sub_body, token, True)
            except GraphError as exc:
                status, h, out = exc.status, exc.headers, _err(exc.code, exc.message, exc.inner)
            entry.status = status
            item = {
                "id": rid,
                "status": status,
                "headers": dict(h, **({"Content-Type": "application/json"} if out is not None else {})),
            }
            if out is not None:
                item["body"] = out
            responses.append(item)
        return {"responses": responses}

    # --- internals: identity ---------------------------------------------------

    def openid_configuration(self, tenant: str) -> dict:
        base = f"{self.base_url}/{tenant}"
        return {
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "token_endpoint_auth_methods_supported": [
                "client_secret_post",
                "private_key_jwt",
                "client_secret_basic",
            ],
            "jwks_uri": f"{self.base_url}/{tenant}/discovery/v2.0/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": f"{self.base_url}/{self.tenant_id}/v2.0",
            "request_uri_parameter_supported": False,
            "userinfo_endpoint": f"{self.base_url}/oidc/userinfo",
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
            "http_logout_supported": True,
            "frontchannel_logout_supported": True,
            "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
            "claims_supported": [
                "sub",
                "iss",
                "aud",
                "exp",
                "iat",
                "nonce",
                "name",
                "preferred_username",
                "tid",
                "oid",
            ],
            "tenant_region_scope": "EU",
            "cloud_instance_name": "microsoftonline.com",
        }

    def token(self, tenant: str, form: dict[str, str]) -> tuple[int, dict]:
        grant = form.get("grant_type", "")
        if form.get("client_id") != self.client_id:
            return 400, {
                "error": "unauthorized_client",
                "error_description": "AADSTS700016: Application not found in the directory.",
                "error_codes": [700016],
            }
        scopes = [s for s in form.get("scope", "").split() if s]
        if grant == "urn:ietf:params:oauth:grant-type:device_code":
            flow = self._device_codes.pop(form.get("device_code", ""), None)
            if flow is None:
                return 400, {
                    "error": "expired_token",
                    "error_description": "AADSTS70020: The provided value for the input parameter 'device_code' is "
                    "not valid.",
                }
            if self.deny_consent:
                return 400, {
                    "error": "authorization_declined",
                    "error_description": "AADSTS70000: the user declined.",
                }
            granted = flow["scopes"] or scopes
            self.consents.setdefault(self.me.lower(), set()).update(_resource_scopes(granted))
            return 200, self._issue(granted, user=self.me, refresh=True)
        if grant == "refresh_token":
            rt = self._refresh.get(form.get("refresh_token", ""))
            if rt is None:
                return 400, {
                    "error": "invalid_grant",
                    "error_description": "AADSTS700082: The refresh token has expired due to inactivity.",
                    "error_codes": [700082],
                    "suberror": "bad_token",
                }
            if self.conditional_access:
                # "AADSTS50076: Due to a configuration change made by your administrator, or because you
                # moved to a new location, you must use multi-factor authentication to access ..."
                # (https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes);
                # MSAL classifies it as interaction required, suberror basic_action
                # (https://learn.microsoft.com/en-us/entra/msal/dotnet/advanced/exceptions/msal-error-handling)
                return 400, {
                    "error": "interaction_required",
                    "error_description": f"{self.conditional_access}: Due to a configuration change made by your "
                    "administrator, or because you moved to a new location, you must use multi-factor "
                    "authentication to access the resource.\r\nTrace ID: 0000\r\nCorrelation ID: 0000",
                    "error_codes": [int(self.conditional_access.removeprefix("AADSTS") or 0)],
                    "suberror": "basic_action",
                }
            wanted = _resource_scopes(scopes) or set(rt["scopes"])
            missing = wanted - self.consents.get(str(rt["user"]).lower(), set())
            if missing:
                # Entra ID issues tokens only for permissions the user consented to: "AADSTS65001:
                # DelegationDoesNotExist - The user or administrator hasn't consented to use the
                # application with ID X. Send an interactive authorization request for this user and
                # resource." (https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes)
                # A silent refresh cannot ask; msal reports it with suberror consent_required.
                return 400, {
                    "error": "invalid_grant",
                    "error_description": f"AADSTS65001: The user or administrator has not consented to use "
                    f"the application with ID '{self.client_id}' named 'guardian'. Send an interactive "
                    "authorization request for this user and resource.\r\nTrace ID: 0000",
                    "error_codes": [65001],
                    "suberror": "consent_required",
                }
            return 200, self._issue(scopes or rt["scopes"], user=rt["user"], refresh=True)
        if grant == "client_credentials":
            if form.get("client_secret") != self.client_secret:
                return 401, {
                    "error": "invalid_client",
                    "error_description": "AADSTS7000215: Invalid client secret provided.",
                }
            if not scopes or not all(s.endswith("/.default") for s in scopes):
                return 400, {
                    "error": "invalid_scope",
                    "error_description": "AADSTS1002012: The provided value for scope is not valid. Client "
                    "credential flows must have a scope value with /.default suffixed to the resource identifier.",
                }
            return 200, self._issue(scopes, user=None, refresh=False)
        return 400, {
            "error": "unsupported_grant_type",
            "error_description": f"AADSTS70003: grant type {grant!r} not supported by the fake.",
        }

    def device_code(self, form: dict[str, str]) -> tuple[int, dict]:
        if form.get("client_id") != self.client_id:
            return 400, {
                "error": "unauthorized_client",
                "error_description": "AADSTS700016: Application not found in the directory.",
            }
        code = secrets.token_urlsafe(24)
        self._device_codes[code] = {"scopes": [s for s in form.get("scope", "").split() if s]}
        self.device_flows += 1
        user_code = "FAKE" + secrets.token_hex(2).upper()
        return 200, {
            "user_code": user_code,
            "device_code": code,
            "verification_uri": "https://microsoft.com/devicelogin",
            "expires_in": 900,
            "interval": 1,
            "message": "To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter "
            f"the code {user_code} to authenticate.",
        }

    app_write = True  # whether app-only tokens carry Calendars.ReadWrite (admin consent)
    token_lifetime = 3599  # expires_in of every access token issued, in seconds

    def _issue(self, scopes: list[str], *, user: str | None, refresh: bool) -> dict:
        reserved = {"openid", "profile", "offline_access", "email"}
        granted = [s for s in scopes if s not in reserved]
        at = "fake-at-" + secrets.token_urlsafe(24)
        info: dict[str, Any] = {"scopes": tuple(granted), "user": user, "app": user is None}
        if user is None:
            info["app_write"] = self.app_write
        self._tokens[at] = info
        out: dict[str, Any] = {
            "token_type": "Bearer",
            "scope": " ".join(granted),
            "expires_in": self.token_lifetime,
            "ext_expires_in": self.token_lifetime,
            "access_token": at,
        }
        if user is not None:
            oid = str(uuid.uuid5(uuid.NAMESPACE_DNS, user))
            claims = {
                "aud": self.client_id,
                "iss": f"{self.base_url}/{self.tenant_id}/v2.0",
                "iat": int(time.time()),
                "nbf": int(time.time()),
                "exp": int(time.time()) + 3600,
                "name": self._box(user).name,
                "oid": oid,
                "preferred_username": user,
                "sub": "fake-sub-" + oid[:8],
                "tid": self.tenant_id,
                "ver": "2.0",
            }
            out["id_token"] = _jwt(claims)
            out["client_info"] = (
                base64.urlsafe_b64encode(json.dumps({"uid": oid, "utid": self.tenant_id}).encode())
                .decode()
                .rstrip("=")
            )
        if refresh:
            rt = "fake-rt-" + secrets.token_urlsafe(24)
            self._refresh[rt] = {"scopes": granted, "user": user}
            out["refresh_token"] = rt
        return out

    def check_token(self, auth_header: str) -> dict:
        if not auth_header.lower().startswith("bearer "):
            raise GraphError(401, "InvalidAuthenticationToken", "Access token is empty.")
        tok = self._tokens.get(auth_header[7:].strip())
        if tok is None:
            raise GraphError(401, "InvalidAuthenticationToken", "IDX14100: JWT is not well formed.")
        return tok

    delta_expiry: tuple[int, str, str | None] = (410, "SyncStateNotFound", None)

    def expire_delta_tokens(
        self, status: int = 410, code: str = "SyncStateNotFound", inner: str | None = None
    ) -> None:
        """Forget every delta state: the next deltaLink answers `status` with `code` (and `inner`)."""
        with self._lock:
            self.delta_expiry = (status, code, inner)
            self._delta_tokens.clear()

    def revoke_all_tokens(self) -> None:
        self._tokens.clear()
        self._refresh.clear()


_RESERVED_SCOPES = frozenset({"openid", "profile", "offline_access", "email"})


def _resource_scopes(scopes) -> set[str]:
    """The resource permissions among requested scopes (the OpenID ones need no consent)."""
    return {s for s in scopes if s not in _RESERVED_SCOPES}


def _tz_label(tz) -> str:
    return "UTC" if tz is UTC else str(tz)


def _split(value: str | None) -> list[str] | None:
    if not value:
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


def _expand(value: str | None) -> str | None:
    if not value:
        return None
    m = _EXPAND_RE.match(value.strip())
    if not m:
        raise GraphError(
            400, "BadRequest", f"Parsing OData Select and Expand failed: unsupported $expand '{value}'."
        )
    return m.group(1).replace("''", "'")


def _prefer(value: str) -> dict[str, str]:
    out = {}
    for part in re.split(r",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)", value):
        part = part.strip()
        if not part:
            continue
        k, _, v = part.partition("=")
        out[k.strip().lower()] = v.strip().strip('"')
    return out


def _err(code: str, message: str, inner: str | None = None) -> dict:
    details: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
        "request-id": str(uuid.uuid4()),
        "client-request-id": str(uuid.uuid4()),
    }
    if inner:
        details["code"] = inner
    return {"error": {"code": code, "message": message, "innerError": details}}


def _fault_code(status: int) -> str:
    return {429: "TooManyRequests", 503: "ServiceUnavailable", 504: "GatewayTimeout"}.get(
        status, "InternalServerError"
    )


def _jwt(claims: dict) -> str:
    def enc(d: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(d).encode()).decode().rstrip("=")

    return enc({"typ": "JWT", "alg": "none"}) + "." + enc(claims) + ".fakesignature"


class _Handler(BaseHTTPRequestHandler):
    owner: GraphFake
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def setup(self) -> None:
        self.request.settimeout(30)
        self.request.do_handshake()  # in the handler thread, not in accept()
        super().setup()

    def _send(
        self, status: int, body: Any = None, headers: dict | None = None, *, form: bool = False
    ) -> None:
        payload = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if body is not None:
            self.send_header("Content-Type", "application/json; odata.metadata=minimal; charset=utf-8")
        self.send_header("request-id", str(uuid.uuid4()))
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if payload:
            self.wfile.write(payload)

    def _read_body(self) -> bytes:
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _dispatch(self) -> None:
        parts = urlsplit(self.path)
        path = parts.path
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        raw = self._read_body()
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            if path.startswith("/v1.0/") or path == "/v1.0":
                self._graph(path[len("/v1.0") :] or "/", query, headers, raw)
            else:
                self._identity(path, query, raw)
        except Exception as exc:  # noqa: BLE001 - a fake must answer, never hang
            self._send(500, _err("InternalServerError", f"fake failure: {exc!r}"))

    def _identity(self, path: str, query: dict, raw: bytes) -> None:
        fake = self.owner
        form = {k: v[-1] for k, v in parse_qs(raw.decode(), keep_blank_values=True).items()}
        fake.identity_log.append(
            LoggedRequest(
                self.command,
                path,
                query,
                body={
                    k: ("***" if "secret" in k or "token" in k or k == "device_code" else v)
                    for k, v in form.items()
                },
            )
        )
        segs = [s for s in path.split("/") if s]
        if len(segs) >= 1:
            tenant = segs[0]
            tail = "/" + "/".join(segs[1:])
            if tail == "/v2.0/.well-known/openid-configuration" and self.command == "GET":
                return self._send(200, fake.openid_configuration(tenant))
            if tail == "/oauth2/v2.0/token" and self.command == "POST":
                status, body = fake.token(tenant, form)
                return self._send(status, body)
            if tail == "/oauth2/v2.0/devicecode" and self.command == "POST":
                status, body = fake.device_code(form)
                return self._send(status, body)
        self._send(
            404,
            {"error": "not_found", "error_description": f"{self.command} {path} is not served by the fake"},
        )
        return None

    def _graph(self, path: str, query: dict, headers: dict, raw: bytes) -> None:
        fake = self.owner
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                return self._send(400, _err("BadRequest", "Unable to read JSON request payload."))
        safe_headers = {k: v for k, v in headers.items() if k != "authorization"}
        entry = LoggedRequest(self.command, path, query, body=body, headers=safe_headers)
        fake.log.append(entry)
        fault = fake.take_fault(False)
        if fault is not None and not fault.after:
            entry.status = fault.status
            h = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
            return self._send(fault.status, _err(_fault_code(fault.status), "Injected fault"), h)
        try:
            token = fake.check_token(headers.get("authorization", ""))
            entry.scopes = tuple(token.get("scopes", ()))
            if path == "/$batch" and self.command == "POST":
                status, out, h = 200, fake.batch(body, token), {}
            else:
                status, h, out = fake.handle_graph(self.command, path, query, headers, body, token, False)
        except GraphError as exc:
            status, h, out = exc.status, exc.headers, _err(exc.code, exc.message, exc.inner)
        if fault is not None:  # carried out; the answer is lost
            entry.status = fault.status
            h = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
            return self._send(fault.status, _err(_fault_code(fault.status), "Injected fault"), h)
        entry.status = status
        self._send(status, out, h)
        return None

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = lambda self: self._dispatch()  # noqa: E731

"""Google Calendar, through google-api-python-client.

Reading
    events.list with singleEvents=true (recurring series arrive expanded),
    maxResults=2500 (the most Google serves per page), a `fields` mask with
    only what the mapping below reads, and nextPageToken paging.

Incremental sync and the cached horizon
    Google refuses a syncToken together with timeMin/timeMax, so the source
    syncs a fixed *horizon* around the asked window: from 7 days before its
    start to 35 days after its end (`sync_lookback_days`, `sync_ahead_days`).
    The first read lists that horizon in full and keeps every raw item in the
    state store with the nextSyncToken; later reads whose window lies inside
    the horizon send only the sync token and apply the changes (cancelled
    items leave the cache). Events are cut to the asked window locally. A
    window outside the stored horizon starts a new full sync; a 410 GONE
    (token expired) drops the cache and syncs in full again. The token, the
    horizon and the cache change in one state transaction, so a crash leaves
    the previous consistent state. Without a state store every read is a
    windowed listing.

series_end
    singleEvents items do not carry the RRULE, so the series master is read
    with events.get once per series and kept (in the state store when there
    is one). Any change to an instance of that series seen by the incremental
    sync (a truncated series cancels its later instances) forgets it, and so
    does every full sync.
    series_end is the RRULE's UNTIL, or the start of the last occurrence for a
    COUNT-bounded series, or None for an endless one.

Writes
    Focus blocks are native focusTime events, tagged in
    extendedProperties.private; where Google rejects focusTime (anything but
    the primary calendar of a Workspace user) they fall back to ordinary busy
    events with the same tag. Only tagged events are ever moved or deleted.
    A create carries an event id guardian chose, so retrying an insert that
    Google carried out but whose answer was lost gets 409, not a second block.
    Several writes go out as one multipart batch to `batch_uri` (the client's
    own new_batch_http_request() always posts to googleapis.com).

Errors
    429, 5xx and 403 rateLimitExceeded/userRateLimitExceeded are retried with
    exponential backoff and jitter, honouring Retry-After (guardian.retry);
    after the last try a ProviderError (exit 3) names the calendar. A refused
    token is an AuthError whose hint says what to run. No token ever appears
    in a message.
"""

from __future__ import annotations

import base64
import json
import logging
import random
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from guardian.adapters.settings import GoogleSettings
from guardian.adapters.sources._common import load_sync, save_sync
from guardian.adapters.sources.base import (
    ApplyResult,
    BlockHome,
    BlockOptions,
    BlockWriter,
    Capabilities,
    Identity,
    Source,
    refuse_foreign,
)
from guardian.core.model import (
    FOCUS_TITLE,
    GUARDIAN_TAG,
    GUARDIAN_TAG_VALUE,
    Attendee,
    Block,
    BlockOp,
    Event,
    EventKind,
    Link,
    LinkKind,
    OpKind,
    Person,
    Status,
    Window,
)
from guardian.errors import AuthError, InputError, ProviderError

if TYPE_CHECKING:
    from guardian.adapters.settings import Settings
    from guardian.adapters.state import State

MAX_RESULTS = 2500
BATCH_LIMIT = 50  # Google advises small batches for Calendar writes
REUSE_SECONDS = 60.0  # a sync this recent (and no write since) is reused within a run

ITEM_FIELDS = (
    "id,status,summary,description,location,start,end,created,updated,"
    "organizer(email,displayName,self),creator(email,displayName,self),"
    "attendees(email,displayName,self,organizer,responseStatus,optional,resource,comment),"
    "attachments(fileUrl,title,mimeType),"
    "conferenceData(entryPoints(entryPointType,uri,label),conferenceSolution/name),"
    "hangoutLink,eventType,transparency,recurringEventId,originalStartTime,"
    "extendedProperties/private,focusTimeProperties"
)
LIST_FIELDS = f"nextPageToken,nextSyncToken,items({ITEM_FIELDS})"
MASTER_FIELDS = "id,status,start,end,recurrence"

log = logging.getLogger("guardian.google")  # counts and ids only: never tokens

RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded"}
IGNORED_TYPES = {"workingLocation", "birthday"}

_FROM_GOOGLE = {
    "needsAction": Status.NEEDS_ACTION,
    "declined": Status.DECLINED,
    "tentative": Status.TENTATIVE,
    "accepted": Status.ACCEPTED,
}
_TO_GOOGLE = {
    Status.NEEDS_ACTION: "needsAction",
    Status.DECLINED: "declined",
    Status.TENTATIVE: "tentative",
    Status.ACCEPTED: "accepted",
}


class _Gone(Exception):
    """The sync token is no longer valid (HTTP 410): a full sync is needed."""


def default_batch_uri(api_endpoint: str) -> str:
    parts = urlsplit(api_endpoint)
    return f"{parts.scheme}://{parts.netloc}/batch/calendar/v3"


# --- error classification (shared by reads and writes) --------------------------


def _status(exc: BaseException) -> int | None:
    resp = getattr(exc, "resp", None)
    try:
        return int(resp.status) if resp is not None else None
    except (TypeError, ValueError, AttributeError):
        return None


def _error_info(exc: BaseException) -> tuple[str, str]:
    """(reason, message) from a Google JSON error body, or ("", "")."""
    content = getattr(exc, "content", b"") or b""
    try:
        body = json.loads(content.decode("utf-8") if isinstance(content, bytes) else content)
        err = body.get("error", {})
        if isinstance(err, str):  # OAuth-style {"error": "invalid_grant"}
            return err, str(body.get("error_description", ""))
        errors = err.get("errors") or [{}]
        return str(errors[0].get("reason", "")), str(err.get("message", ""))
    except (ValueError, AttributeError, UnicodeDecodeError):
        return "", ""


def _is_transport(exc: BaseException) -> bool:
    import httplib2

    return isinstance(exc, (OSError, httplib2.HttpLib2Error)) and _status(exc) is None


def is_retryable(exc: BaseException) -> bool:
    status = _status(exc)
    if status is None:
        return _is_transport(exc)
    if status == 429 or status >= 500:
        return True
    return status == 403 and _error_info(exc)[0] in RATE_REASONS


def retry_after(exc: BaseException) -> float | None:
    from guardian.adapters.retry import parse_retry_after

    resp = getattr(exc, "resp", None)
    if resp is None:
        return None
    try:
        return parse_retry_after(resp.get("retry-after"))
    except AttributeError:
        return None


@dataclass
class _Write:
    """One write of apply(): a create, a move or a delete."""

    op: BlockOp
    kind: OpKind
    block: Block | None = None
    event_id: str = ""
    focus_time: bool = True  # create as eventType focusTime (else plain busy event)
    attempts: int = 0
    # a create names its event id itself, so a retry of an insert Google already
    # carried out (its answer lost to a 5xx or a timeout) is a 409, not a second block
    new_id: str = ""

    def __post_init__(self) -> None:
        if self.kind is OpKind.CREATE and not self.new_id:
            # Google event ids: base32hex characters (a-v, 0-9), 5 to 1024 of them
            self.new_id = base64.b32hexencode(uuid.uuid4().bytes).decode().lower().rstrip("=")


class GoogleSource(Source):
    """`google:CALENDAR_ID` (`primary` by default)."""

    capabilities = Capabilities(blocks=BlockHome.IN_PLACE, rsvp="google", needs_state=True)

    @classmethod
    def open(
        cls,
        target: str,
        settings: Settings,
        identity: Identity,
        state: State | None,
        *,
        base_dir: Path | None = None,
    ) -> GoogleSource:
        return cls(target or "primary", identity, state, settings.google)

    def __init__(
        self,
        calendar_id: str = "primary",
        identity: Identity | None = None,
        state: Any | None = None,
        settings: GoogleSettings | None = None,
        *,
        credentials: Any | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.calendar_id = calendar_id or "primary"
        self.identity = identity or Identity(tz=UTC)
        self.state = state
        self.settings = settings or GoogleSettings()
        self.spec = f"google:{self.calendar_id}"
        self.label = self.spec
        self.api_endpoint = self.settings.api_endpoint
        if not self.api_endpoint.endswith("/"):
            self.api_endpoint += "/"
        self.batch_uri = self.settings.batch_uri or default_batch_uri(self.api_endpoint)
        self.attempts = max(1, self.settings.attempts)
        self.lookback = timedelta(days=self.settings.horizon.lookback_days)
        self.ahead = timedelta(days=self.settings.horizon.ahead_days)
        self.auto_decline = self.settings.focus_auto_decline
        self.decline_message = self.settings.focus_decline_message
        self.chat_status = self.settings.focus_chat_status
        self._credentials = credentials
        self._sleep = sleep
        self._service_obj: Any = None
        self._service_can_write = False
        self._series_mem: dict[str, dict] = {}
        self._fresh_at: float | None = None  # monotonic time of the last sync in this process
        self._me = self.identity.me or _personal(self.calendar_id)
        self.focus_time_rejected = False  # set when Google refused focusTime on this calendar

    def block_writer(self, options: BlockOptions, state: State | None = None) -> BlockWriter:
        return self  # blocks are tagged events in this calendar

    # --- plumbing --------------------------------------------------------------------

    @property
    def sync_key(self) -> str:
        return f"google:{self.calendar_id}"

    @property
    def series_key(self) -> str:
        return f"google-series:{self.calendar_id}"

    def _service(self, write: bool = False) -> Any:
        if self._service_obj is None or (write and not self._service_can_write):
            creds = self._credentials
            if creds is None:
                from guardian.adapters.sources.google.auth import load_credentials

                creds = load_credentials(self.settings, write=write)
            from googleapiclient.discovery import build

            self._service_obj = build(
                "calendar",
                "v3",
                credentials=creds,
                client_options={"api_endpoint": self.api_endpoint},
                static_discovery=True,
                cache_discovery=False,
            )
            self._service_can_write = write or self._credentials is not None
        return self._service_obj

    def _fail(self, exc: BaseException, doing: str, tries: int) -> Exception:
        """The guardian error for a failed call (never quoting tokens or URLs)."""
        from google.auth.exceptions import RefreshError, TransportError

        where = f"Google Calendar {self.calendar_id!r}"
        if isinstance(exc, RefreshError):
            return AuthError("Google refused the saved token", hint="run: guardian auth google")
        if isinstance(exc, TransportError) or _is_transport(exc):
            host = urlsplit(self.api_endpoint).netloc
            return ProviderError(
                f"{where}: cannot reach {host} while {doing} "
                f"({type(exc).__name__}, {tries} tr{'y' if tries == 1 else 'ies'})"
            )
        status = _status(exc)
        reason, message = _error_info(exc)
        if status == 401 or reason == "invalid_grant":
            return AuthError(
                "Google refused the saved token", hint="run: guardian auth google", status=status, reason=reason
            )
        if status == 403 and reason in {"insufficientPermissions", "ACCESS_TOKEN_SCOPE_INSUFFICIENT"}:
            return AuthError(
                f"{where}: the Google token does not allow {doing}",
                hint="run: guardian auth google --write",
                status=status,
                reason=reason,
            )
        if status == 404:
            return ProviderError(
                f"{where}: not found while {doing} (is the calendar id right, and shared with you?)",
                status=404,
                reason=reason,
            )
        detail = f"HTTP {status}" + (f" {reason}" if reason else "") + (f": {message}" if message else "")
        after = f" after {tries} tr{'y' if tries == 1 else 'ies'}" if tries > 1 else ""
        return ProviderError(f"{where}: {doing} failed{after} ({detail})", status=status, reason=reason)

    def _call(self, doing: str, make: Callable[[], Any], *, sync: bool = False) -> Any:
        """Execute the request `make()` builds, with retries; Google errors translated.

        With `sync`, a 410 means the sync token is gone (Google does not always
        give the fullSyncRequired reason, so the status decides).
        """
        from guardian.adapters.retry import call_with_retries

        tries = 0

        def once() -> Any:
            nonlocal tries
            tries += 1
            return make().execute(num_retries=0)

        try:
            return call_with_retries(
                once,
                is_retryable=is_retryable,
                retry_after=retry_after,
                attempts=self.attempts,
                sleep=self._sleep,
            )
        except Exception as exc:  # translated below; anything else propagates
            if sync and _status(exc) == 410:
                raise _Gone() from None
            if _status(exc) is not None or _is_transport(exc) or _is_auth_exc(exc):
                raise self._fail(exc, doing, tries) from None
            raise

    # --- reading -------------------------------------------------------------------

    def _list_all(self, doing: str, **params: Any) -> tuple[list[dict], str | None]:
        """Every page of one events.list; (items, nextSyncToken)."""
        svc = self._service()
        items: list[dict] = []
        page_token: str | None = None
        while True:
            args = dict(
                calendarId=self.calendar_id,
                singleEvents=True,
                maxResults=MAX_RESULTS,
                fields=LIST_FIELDS,
                **params,
            )
            if page_token:
                args["pageToken"] = page_token
            page = self._call(doing, lambda: svc.events().list(**args), sync="syncToken" in args)
            items.extend(page.get("items", []))
            page_token = page.get("nextPageToken")
            if not page_token:
                return items, page.get("nextSyncToken")

    def _horizon(self, window: Window) -> tuple[datetime, datetime]:
        tz = self.identity.tz
        start = datetime.combine(window.start.astimezone(tz).date(), dtime(0), tz) - self.lookback
        end = datetime.combine(window.end.astimezone(tz).date(), dtime(0), tz) + self.ahead
        return start.astimezone(UTC), end.astimezone(UTC)

    def _synced_items(self, window: Window) -> list[dict]:
        """The raw items of the horizon around `window`, brought up to date."""
        if self.state is None:
            items, _ = self._list_all(
                "listing events",
                timeMin=window.start.astimezone(UTC).isoformat(),
                timeMax=window.end.astimezone(UTC).isoformat(),
            )
            return items
        stored = load_sync(self.state, self.sync_key, "token")
        covers = stored is not None and stored.covers(window.start, window.end)
        fresh = self._fresh_at is not None and time.monotonic() - self._fresh_at < REUSE_SECONDS
        if covers and fresh:
            return list(self.state.cached_items(self.sync_key).values())
        if covers:
            try:
                self._incremental(stored.cursor, stored.start, stored.end)
            except _Gone:
                log.info("%s: sync token expired (410), syncing in full", self.spec)
                self._full_sync(stored.start, stored.end)
        else:
            start, end = self._horizon(window)
            self._full_sync(start, end)
        self._fresh_at = time.monotonic()
        return list(self.state.cached_items(self.sync_key).values())

    def _save_token(self, token: str | None, start: datetime, end: datetime) -> None:
        save_sync(self.state, self.sync_key, "token", token, start, end)

    def _full_sync(self, start: datetime, end: datetime) -> None:
        """List the horizon in full; series masters are read again too (changes to
        them since the last sync token would otherwise never be seen)."""
        items, token = self._list_all("listing events", timeMin=start.isoformat(), timeMax=end.isoformat())
        live = {it["id"]: it for it in items if it.get("status") != "cancelled"}
        log.debug("%s: full sync of %s..%s: %d events", self.spec, start, end, len(live))
        with self.state.transaction():
            self.state.clear_items(self.sync_key)
            self.state.put_items(self.sync_key, live)
            self.state.clear_items(self.series_key)
            self._save_token(token, start, end)
        self._series_mem.clear()

    def _incremental(self, token: str, start: datetime, end: datetime) -> None:
        items, new_token = self._list_all("syncing events", syncToken=token)
        gone = [it["id"] for it in items if it.get("status") == "cancelled"]
        live = {it["id"]: it for it in items if it.get("status") != "cancelled"}
        touched = sorted({it["recurringEventId"] for it in items if it.get("recurringEventId")})
        log.debug("%s: incremental sync: %d changed, %d removed", self.spec, len(live), len(gone))
        with self.state.transaction():
            if gone:
                self.state.delete_items(self.sync_key, gone)
            if live:
                self.state.put_items(self.sync_key, live)
            if touched:
                self.state.delete_items(self.series_key, touched)
            self._save_token(new_token or token, start, end)
        for series in touched:
            self._series_mem.pop(series, None)

    def read(self, window: Window) -> list[Event]:
        events = []
        for item in self._synced_items(window):
            event = self._map(item)
            if event is not None and window.overlaps(event.start, event.end):
                events.append(event)
        events.sort(key=lambda e: (e.start, e.end, e.uid))
        return events

    def own_blocks(self, window: Window) -> list[Event]:
        """guardian's blocks in `window`, recognised by the private tag (never the title).

        With a state store the synced cache answers (the sync already brought
        every change); without one, Google filters by the tag itself.
        """
        if self.state is not None:
            items = [
                it
                for it in self._synced_items(window)
                if (it.get("extendedProperties") or {}).get("private", {}).get(GUARDIAN_TAG)
                == GUARDIAN_TAG_VALUE
            ]
        else:
            items, _ = self._list_all(
                "listing guardian's blocks",
                timeMin=window.start.astimezone(UTC).isoformat(),
                timeMax=window.end.astimezone(UTC).isoformat(),
                privateExtendedProperty=f"{GUARDIAN_TAG}={GUARDIAN_TAG_VALUE}",
            )
        blocks = []
        for item in items:
            event = self._map(item)
            if event is not None and event.own_block and window.overlaps(event.start, event.end):
                blocks.append(event)
        blocks.sort(key=lambda e: (e.start, e.end))
        return blocks

    # --- mapping ---------------------------------------------------------------------

    def _when(self, point: Mapping[str, Any]) -> tuple[datetime, bool]:
        tz = self.identity.tz
        if point.get("dateTime"):
            dt = datetime.fromisoformat(point["dateTime"].replace("Z", "+00:00"))
            if dt.tzinfo is None:  # Google always sends an offset; be safe anyway
                from zoneinfo import ZoneInfo

                dt = dt.replace(tzinfo=ZoneInfo(point.get("timeZone") or "UTC"))
            return dt.astimezone(tz), False
        day = date.fromisoformat(point["date"])
        return datetime.combine(day, dtime(0), tz), True

    def _learn_me(self, item: Mapping[str, Any]) -> str | None:
        if self._me:
            return self._me
        for who in (item.get("organizer"), item.get("creator"), *(item.get("attendees") or [])):
            if who and who.get("self") and _personal(who.get("email")):
                self._me = who["email"]
                break
        return self._me

    def _is_me(self, who: Mapping[str, Any] | None) -> bool:
        if not who:
            return False
        if who.get("self"):
            return True
        email = (who.get("email") or "").lower()
        return bool(email) and (self.identity.is_me(email) or email == (self._me or "").lower())

    def _external(self, emails: Sequence[str]) -> bool:
        ident = self.identity
        if not ident.me and not ident.domains and self._me:
            ident = Identity(tz=ident.tz, me=self._me, domains=ident.domains)
        return any(ident.is_external(e) for e in emails if e)

    def _links(self, item: Mapping[str, Any], description: str) -> tuple[Link, ...]:
        from guardian.core.links import classify, extract_links

        found: list[Link] = list(extract_links(description))
        for att in item.get("attachments") or []:
            url = att.get("fileUrl")
            if url:
                found.append(Link(url, LinkKind.DOC, att.get("title") or "attachment"))
        conf = item.get("conferenceData") or {}
        solution = (conf.get("conferenceSolution") or {}).get("name") or ""
        for entry in conf.get("entryPoints") or []:
            uri = entry.get("uri")
            if not uri:
                continue
            if entry.get("entryPointType") == "video":
                found.append(Link(uri, LinkKind.CONFERENCE, solution or classify(uri).label))
        if item.get("hangoutLink"):
            found.append(Link(item["hangoutLink"], LinkKind.CONFERENCE, "Google Meet"))
        seen: dict[str, Link] = {}
        for link in found:
            prior = seen.get(link.url)
            # a URL Google names as the call is a conference link, even if quoted in the text
            if prior is None or (link.kind is LinkKind.CONFERENCE and prior.kind is not LinkKind.CONFERENCE):
                seen[link.url] = link
        return tuple(seen.values())

    def _map(self, item: Mapping[str, Any]) -> Event | None:
        if item.get("status") == "cancelled":
            return None
        kind_name = item.get("eventType") or "default"
        if kind_name in IGNORED_TYPES:
            return None
        if not item.get("start") or not item.get("end"):
            return None
        start, all_day = self._when(item["start"])
        end, _ = self._when(item["end"])
        self._learn_me(item)

        from guardian.core.text import plain_description

        description = plain_description(item.get("description") or "")
        organizer = item.get("organizer") or {}
        attendees = []
        mine: Mapping[str, Any] | None = None
        for a in item.get("attendees") or []:
            email = a.get("email") or ""
            attendees.append(
                Attendee(
                    email=email,
                    name=a.get("displayName") or "",
                    status=_FROM_GOOGLE.get(a.get("responseStatus") or "", Status.NEEDS_ACTION),
                    optional=bool(a.get("optional")),
                    resource=bool(a.get("resource")),
                )
            )
            if mine is None and self._is_me(a) and not a.get("resource"):
                mine = a
        if self._is_me(organizer):
            my_status = Status.ORGANIZER
        elif mine is not None:
            my_status = _FROM_GOOGLE.get(mine.get("responseStatus") or "", Status.NEEDS_ACTION)
        elif self._is_me(item.get("creator")) or not attendees:
            my_status = Status.ORGANIZER
        else:
            my_status = Status.NEEDS_ACTION

        private = (item.get("extendedProperties") or {}).get("private") or {}
        own = private.get(GUARDIAN_TAG) == GUARDIAN_TAG_VALUE
        if kind_name == "focusTime" or own:
            kind = EventKind.FOCUS
        elif kind_name == "outOfOffice":
            kind = EventKind.OUT_OF_OFFICE
        else:
            kind = EventKind.DEFAULT

        series = item.get("recurringEventId")
        recurrence_id = None
        if series and item.get("originalStartTime"):
            recurrence_id, _ = self._when(item["originalStartTime"])
        created = None
        if item.get("created"):
            created = datetime.fromisoformat(item["created"].replace("Z", "+00:00"))
        people = [a.email for a in attendees if not a.resource]
        if _personal(organizer.get("email")):  # not a group calendar "organizing" it
            people.append(organizer["email"])
        return Event(
            uid=series or item["id"],
            start=start,
            end=end,
            title=item.get("summary") or "",
            all_day=all_day,
            description=description,
            links=self._links(item, description),
            organizer=Person(organizer["email"], organizer.get("displayName") or "")
            if organizer.get("email")
            else None,
            attendees=tuple(attendees),
            my_status=my_status,
            recurring=bool(series),
            series_end=self._series_end(series) if series else None,
            busy=item.get("transparency") != "transparent",
            cancelled=False,
            created=created,
            external=self._external(people),
            source=self.spec,
            own_block=own,
            kind=kind,
            recurrence_id=recurrence_id,
            location=item.get("location") or "",
            provider_id=item["id"],
            extra=(("eventType", kind_name),),
        )

    # --- series_end ------------------------------------------------------------------

    def _series_master(self, series: str) -> dict:
        if series in self._series_mem:
            return self._series_mem[series]
        master = None
        if self.state is not None:
            master = self.state.cached_items(self.series_key).get(series)
        if master is None:
            svc = self._service()
            try:
                got = self._call(
                    "reading a recurring series",
                    lambda: svc.events().get(
                        calendarId=self.calendar_id, eventId=series, fields=MASTER_FIELDS
                    ),
                )
                master = {k: got[k] for k in ("start", "end", "recurrence") if k in got}
            except ProviderError as exc:
                if exc.status not in (403, 404) or isinstance(exc, AuthError):
                    raise
                master = {}  # not visible to us: treat as endless, do not ask again
            if self.state is not None:
                with self.state.transaction():
                    self.state.put_items(self.series_key, {series: master})
        self._series_mem[series] = master
        return master

    def _series_end(self, series: str) -> datetime | None:
        master = self._series_master(series)
        rules = [r for r in master.get("recurrence") or [] if r.upper().startswith("RRULE:")]
        if not rules or not master.get("start"):
            return None
        ends = [self._rule_end(r[6:], master["start"]) for r in rules]
        if any(e is None for e in ends):
            return None
        return max(ends)  # type: ignore[type-var]

    def _rule_end(self, rule: str, start: Mapping[str, Any]) -> datetime | None:
        parts = dict(p.split("=", 1) for p in rule.split(";") if "=" in p)
        parts = {k.upper(): v for k, v in parts.items()}
        tzname = start.get("timeZone")
        from zoneinfo import ZoneInfo

        zone = ZoneInfo(tzname) if tzname else self.identity.tz
        if "UNTIL" in parts:
            value = parts["UNTIL"]
            if len(value) == 8:
                day = datetime.strptime(value, "%Y%m%d").date()
                return datetime.combine(day + timedelta(days=1), dtime(0), self.identity.tz) - timedelta(
                    seconds=1
                )
            if value.endswith("Z"):
                return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            return datetime.strptime(value, "%Y%m%dT%H%M%S").replace(tzinfo=zone)
        if "COUNT" in parts:
            from dateutil.rrule import rrulestr

            first, _ = self._when(start)
            local = first.astimezone(zone).replace(tzinfo=None)  # wall clock, across DST
            try:
                occurrences = list(rrulestr(rule, dtstart=local))
            except (ValueError, TypeError):
                return None
            if not occurrences:
                return None
            return occurrences[-1].replace(tzinfo=zone)
        return None

    # --- writes ------------------------------------------------------------------------

    def _block_body(self, block: Block, focus_time: bool) -> dict:
        tzname = getattr(self.identity.tz, "key", None)

        def point(dt: datetime) -> dict:
            out = {"dateTime": dt.isoformat()}
            if tzname:
                out["timeZone"] = tzname
            return out

        body: dict[str, Any] = {
            "summary": FOCUS_TITLE,
            "description": "Booked by guardian for uninterrupted work.",
            "start": point(block.start),
            "end": point(block.end),
            "transparency": "opaque",
            "visibility": "private",
            "reminders": {"useDefault": False, "overrides": []},
            "extendedProperties": {"private": {GUARDIAN_TAG: GUARDIAN_TAG_VALUE}},
        }
        if focus_time:
            props: dict[str, Any] = {
                "autoDeclineMode": "declineOnlyNewConflictingInvitations"
                if self.auto_decline
                else "declineNone",
                "chatStatus": self.chat_status,
            }
            if self.auto_decline and self.decline_message:
                props["declineMessage"] = self.decline_message
            body["eventType"] = "focusTime"
            body["focusTimeProperties"] = props
        return body

    def _request(self, svc: Any, w: _Write) -> Any:
        events = svc.events()
        if w.kind is OpKind.CREATE:
            assert w.block is not None
            return events.insert(
                calendarId=self.calendar_id,
                body={"id": w.new_id, **self._block_body(w.block, w.focus_time)},
                fields="id,eventType",
            )
        if w.kind is OpKind.MOVE:
            assert w.block is not None
            tzname = getattr(self.identity.tz, "key", None)
            extra = {"timeZone": tzname} if tzname else {}
            return events.patch(
                calendarId=self.calendar_id,
                eventId=w.event_id,
                body={
                    "start": {"dateTime": w.block.start.isoformat(), **extra},
                    "end": {"dateTime": w.block.end.isoformat(), **extra},
                },
                fields="id",
            )
        return events.delete(calendarId=self.calendar_id, eventId=w.event_id)

    def _send(self, svc: Any, writes: list[_Write]) -> list[tuple[_Write, Any, BaseException | None]]:
        """One round: a single request, or batches of up to BATCH_LIMIT."""
        from googleapiclient.errors import HttpError

        if len(writes) == 1:
            w = writes[0]
            try:
                return [(w, self._request(svc, w).execute(num_retries=0), None)]
            except HttpError as exc:
                return [(w, None, exc)]
            except Exception as exc:
                if _is_transport(exc):
                    return [(w, None, exc)]  # retried like a 5xx by apply()
                if _is_auth_exc(exc):
                    raise self._fail(exc, "writing focus blocks", 1) from None
                raise
        from googleapiclient.http import BatchHttpRequest

        from guardian.adapters.retry import call_with_retries

        outcomes: list[tuple[_Write, Any, BaseException | None]] = []
        for i in range(0, len(writes), BATCH_LIMIT):
            chunk = writes[i : i + BATCH_LIMIT]
            answers: dict[str, tuple[Any, BaseException | None]] = {}

            def collect(request_id: str, response: Any, exception: BaseException | None) -> None:
                answers[request_id] = (response, exception)

            def run_batch() -> None:
                answers.clear()
                batch = BatchHttpRequest(callback=collect, batch_uri=self.batch_uri)
                for n, w in enumerate(chunk):
                    batch.add(self._request(svc, w), request_id=str(n))
                batch.execute()

            try:
                call_with_retries(
                    run_batch,
                    is_retryable=is_retryable,
                    retry_after=retry_after,
                    attempts=self.attempts,
                    sleep=self._sleep,
                )
            except Exception as exc:
                if _status(exc) is not None or _is_transport(exc) or _is_auth_exc(exc):
                    raise self._fail(exc, "writing focus blocks", self.attempts) from None
                raise
            for n, w in enumerate(chunk):
                response, exception = answers.get(str(n), (None, None))
                outcomes.append((w, response, exception))
        return outcomes

    def apply(self, ops: Sequence[BlockOp]) -> ApplyResult:
        refuse_foreign(ops)
        result = ApplyResult()
        pending: list[_Write] = []
        for op in ops:
            if op.kind is OpKind.KEEP:
                result.kept += 1
            elif op.kind is OpKind.CREATE:
                if op.block is None:
                    raise InputError(f"{self.spec}: a create without a block")
                pending.append(_Write(op, op.kind, op.block, focus_time=not self.focus_time_rejected))
            else:
                assert op.existing is not None  # refuse_foreign checked it
                if op.kind is OpKind.MOVE and op.block is None:
                    raise InputError(f"{self.spec}: a move without a block")
                pending.append(_Write(op, op.kind, op.block, event_id=op.existing.provider_id))
        if not pending:
            return result
        svc = self._service(write=True)
        self._fresh_at = None  # the calendar changes: the next read syncs again
        while pending:
            retry: list[_Write] = []
            wait = 0.0
            failures: list[tuple[_Write, BaseException]] = []
            for w, response, exc in self._send(svc, pending):
                w.attempts += 1
                if exc is None:
                    self._record(w, response, result)
                    continue
                status = _status(exc)
                if w.kind is OpKind.CREATE and status == 409:
                    # our own id exists: an earlier try was carried out, its answer lost
                    self._record(w, {"id": w.new_id}, result)
                elif w.kind is OpKind.CREATE and w.focus_time and status == 400:
                    # Google allows focusTime only on a Workspace user's primary calendar
                    w.focus_time = False
                    if not self.focus_time_rejected:
                        log.info("%s: focusTime refused, booking busy events instead", self.spec)
                    self.focus_time_rejected = True
                    w.attempts -= 1
                    retry.append(w)
                elif w.kind is OpKind.DELETE and status in (404, 410):
                    result.deleted += 1  # already gone: the wanted state holds
                    result.details.append(f"deleted {self._when_text(w)} (already gone)")
                    self._forget(w)
                elif is_retryable(exc) and w.attempts < self.attempts:
                    asked = retry_after(exc)
                    backoff = random.uniform(0, min(0.5 * 2**w.attempts, 30.0))  # full jitter
                    wait = max(wait, asked if asked is not None else backoff)
                    retry.append(w)
                else:
                    failures.append((w, exc))
            if failures:
                w, exc = failures[0]
                error = self._fail(exc, f"{w.kind.value} of a focus block", w.attempts)
                done = result.created + result.moved + result.deleted
                if done:
                    error.message += f"; {done} other change(s) were made, a re-run completes the rest"
                raise error
            if retry and wait:
                self._sleep(wait)
            pending = retry
        return result

    def _when_text(self, w: _Write) -> str:
        ev = w.op.existing
        start = w.block.start if w.block else (ev.start if ev else None)
        end = w.block.end if w.block else (ev.end if ev else None)
        if start is None or end is None:
            return "focus block"
        tz = self.identity.tz
        return f"focus block {start.astimezone(tz):%Y-%m-%d %H:%M}-{end.astimezone(tz):%H:%M}"

    def _record(self, w: _Write, response: Any, result: ApplyResult) -> None:
        if w.kind is OpKind.CREATE:
            result.created += 1
            how = "focus time" if w.focus_time else "busy event"
            result.details.append(f"created {self._when_text(w)} ({how})")
            if self.state is not None and w.block is not None and response:
                self.state.record_block(self.sync_key, response["id"], w.block.start, w.block.end)
        elif w.kind is OpKind.MOVE:
            result.moved += 1
            result.details.append(f"moved {self._when_text(w)}")
            if self.state is not None and w.block is not None:
                self.state.record_block(self.sync_key, w.event_id, w.block.start, w.block.end)
        else:
            result.deleted += 1
            result.details.append(f"deleted {self._when_text(w)}")
            self._forget(w)

    def _forget(self, w: _Write) -> None:
        if self.state is not None and w.event_id:
            self.state.forget_block(self.sync_key, w.event_id)

    # --- replies ---------------------------------------------------------------------

    def respond(self, event: Event, status: Status, comment: str) -> None:
        """Answer an invitation: my attendee entry gets `status` and `comment`.

        The organizer is notified (sendUpdates=all). Only my entry is sent,
        with attendeesOmitted, which Google documents for updating just the
        participant's response: a guest list I cannot see (or one the
        organizer changed meanwhile) is left alone.
        """
        if status not in _TO_GOOGLE:
            raise InputError(f"{self.spec}: cannot answer an invitation with {status!r}")
        event_id = event.provider_id or event.uid
        svc = self._service(write=True)
        current = self._call(
            "reading the invitation",
            lambda: svc.events().get(
                calendarId=self.calendar_id, eventId=event_id, fields="id,attendees,organizer"
            ),
        )
        attendees = [dict(a) for a in current.get("attendees") or []]
        mine = next((a for a in attendees if a.get("self")), None)
        if mine is None:
            mine = next((a for a in attendees if self._is_me(a)), None)
        if mine is None:
            raise InputError(f"{self.spec}: cannot answer {event.title!r}: I am not among its attendees")
        mine["responseStatus"] = _TO_GOOGLE[status]
        if comment:
            mine["comment"] = comment
        else:
            mine.pop("comment", None)
        self._fresh_at = None
        self._call(
            "answering the invitation",
            lambda: svc.events().patch(
                calendarId=self.calendar_id,
                eventId=event_id,
                body={"attendees": [mine], "attendeesOmitted": True},
                sendUpdates="all",
                fields="id",
            ),
        )


def _personal(email: str | None) -> str | None:
    """`email` if it can be a person's address; None for Google's own calendar ids.

    Group, resource, holiday and imported calendars have ids like
    `...@group.calendar.google.com`: "self" there is the calendar, not me, and
    its domain would make every attendee look external.
    """
    if not email or "@" not in email:
        return None
    return None if email.lower().endswith("calendar.google.com") else email


def _is_auth_exc(exc: BaseException) -> bool:
    try:
        from google.auth.exceptions import GoogleAuthError
    except ImportError:  # pragma: no cover
        return False
    return isinstance(exc, GoogleAuthError)

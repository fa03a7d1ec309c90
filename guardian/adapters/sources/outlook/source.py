"""Microsoft 365 / Outlook through Microsoft Graph v1.0.

Reads `calendarView` for the window (instances of series, never masters),
asking only for the fields guardian uses, with times in UTC and bodies as
text; follows @odata.nextLink. With a State (and `delta` not turned off) it
keeps a horizon of HORIZON_DAYS in sync through `calendarView/delta` instead:
the first run lists the horizon, later runs fetch only what changed (a 410
or a window outside the horizon starts over). Each series master is fetched
once (batched, remembered for SERIES_TTL) to learn whether the series ends.

guardian's own focus blocks carry a single-value extended property and are
found again by filtering on it, never by title. Several writes go out as
JSON batches of at most 20 requests. A create carries a transactionId, so
retrying one the mailbox carried out (its answer lost) is not a second block.

Every call goes through `guardian.retry.call_with_retries`: 429, 503 and 504
are retried honouring Retry-After; after the last try a ProviderError (exit 3)
names the calendar. requests and msal are imported lazily.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from guardian.adapters.retry import call_with_retries, parse_retry_after
from guardian.adapters.settings import OutlookSettings
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
from guardian.adapters.sources.outlook import auth as outlook_auth
from guardian.core.model import (
    FOCUS_TITLE,
    GUARDIAN_TAG,
    GUARDIAN_TAG_VALUE,
    Attendee,
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

#: guardian's property set (a fixed GUID, so every install finds the same blocks)
PROPERTY_SET = "{8c3f6f0e-5a8e-4f7b-9a61-2f0c5d6e7b41}"
#: the single-value extended property that marks guardian's own events
TAG_PROPERTY_ID = f"String {PROPERTY_SET} Name {GUARDIAN_TAG}"

MAX_BATCH = 20
HORIZON_DAYS = 35  # the span kept in sync by delta: a window inside it reuses the deltaLink
SERIES_TTL = timedelta(hours=20)  # how long a fetched series range is trusted
RETRYABLE = frozenset({429, 503, 504})

# only what the mapping below reads
SELECT = (
    "id,subject,body,start,end,isAllDay,showAs,isCancelled,isOrganizer,responseStatus,"
    "attendees,organizer,createdDateTime,onlineMeeting,onlineMeetingUrl,hasAttachments,"
    "type,seriesMasterId,iCalUId,originalStart,categories,location"
)
PREFER = 'outlook.timezone="UTC", outlook.body-content-type="text"'

_RESPONSE = {
    "none": Status.NEEDS_ACTION,
    "notresponded": Status.NEEDS_ACTION,
    "accepted": Status.ACCEPTED,
    "tentativelyaccepted": Status.TENTATIVE,
    "declined": Status.DECLINED,
    "organizer": Status.ORGANIZER,
}
# failures that mean the wanted state already holds: a block deleted before, or a
# create whose transactionId the mailbox has seen (an earlier try went through)
_DONE_ANYWAY = {OpKind.DELETE: (404,), OpKind.CREATE: (409,)}
_RSVP_ACTION = {
    Status.ACCEPTED: "accept",
    Status.TENTATIVE: "tentativelyAccept",
    Status.DECLINED: "decline",
}


class _HTTPFailure(Exception):
    """One failed Graph response; retryable ones carry the server's Retry-After."""

    def __init__(self, status: int, code: str, message: str, retry_after: float | None = None):
        super().__init__(f"{status} {code}")
        self.status, self.code, self.message, self.retry_after = status, code, message, retry_after


class _NetworkFailure(Exception):
    pass


def _graph_error(payload: Any) -> tuple[str, str]:
    if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
        err = payload["error"]
        return str(err.get("code") or ""), str(err.get("message") or "")
    return "", ""


def parse_graph_datetime(value: str | None, tz_name: str | None = "UTC") -> datetime | None:
    """Graph's dateTime ('2026-11-25T09:00:00.0000000') or a DateTimeOffset, made aware."""
    if not value:
        return None
    raw = value.strip()
    if raw.endswith("Z"):
        raw = raw[:-1] + "+00:00"
    head, dot, rest = raw.partition(".")
    if dot:  # Graph sends 7 fractional digits; Python takes at most 6
        digits = "".join(c for c in rest if c.isdigit())
        suffix = rest[len(digits) :]
        raw = f"{head}.{digits[:6]}{suffix}"
    dt = datetime.fromisoformat(raw)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=zone_of(tz_name))
    return dt


def zone_of(name: str | None):
    """A tzinfo for an IANA or a Windows time-zone name (UTC when unknown)."""
    if not name or name.strip().upper() in (
        "UTC",
        "Z",
        "COORDINATED UNIVERSAL TIME",
        "TZONE://MICROSOFT/UTC",
    ):
        return UTC
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        pass
    from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

    iana = WINDOWS_TO_OLSON.get(name)
    if iana:
        try:
            return ZoneInfo(iana)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return UTC


class OutlookSource(Source):
    """`outlook:me` (delegated) or `outlook:USER@DOMAIN` (app-only)."""

    capabilities = Capabilities(blocks=BlockHome.IN_PLACE, rsvp="outlook", needs_state=True)

    @classmethod
    def open(
        cls,
        target: str,
        settings: Settings,
        identity: Identity,
        state: State | None,
        *,
        base_dir: Path | None = None,
    ) -> OutlookSource:
        return cls(target or "me", identity, state, settings.outlook)

    def __init__(
        self,
        user: str,
        identity: Identity,
        state: Any = None,
        settings: OutlookSettings | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.user = user or "me"
        self.identity = identity
        self.state = state
        self.settings = settings or OutlookSettings()
        self.spec = f"outlook:{self.user}"
        self.label = self.spec
        self.graph_url = outlook_auth.graph_url(self.settings)
        self.focus_category = self.settings.focus_category
        self.attempts = max(1, self.settings.attempts)
        self.page_size = self.settings.page_size
        self._sleep = sleep
        self._session = None
        self._tokens: dict[bool, str] = {}
        self._series_end: dict[str, datetime | None] = {}
        self._own_items: dict[tuple[datetime, datetime], list[dict]] = {}
        # who I am, for `external`: configured, the mailbox named, or learned from the
        # organizer of events I organize (Graph marks no attendee as "self")
        self._me = identity.me or (self.user if "@" in self.user else None)

    def block_writer(self, options: BlockOptions, state: State | None = None) -> BlockWriter:
        return self  # blocks are tagged events in this mailbox's calendar

    # --- plumbing ------------------------------------------------------------

    @property
    def _base(self) -> str:
        if self.user == "me":
            return "/me"
        return "/users/" + quote(self.user, safe="@.")

    def _http(self):
        if self._session is None:
            import requests

            self._session = requests.Session()
        return self._session

    def _token(self, write: bool) -> str:
        if self.user == "me" and outlook_auth.is_app_only(self.settings):
            raise InputError(
                "outlook:me: app-only credentials have no signed-in user",
                hint="name the mailbox, outlook:USER@DOMAIN, or sign in with guardian auth outlook",
            )
        if write not in self._tokens:
            self._tokens[write] = outlook_auth.get_token(self.settings, write=write)
        return self._tokens[write]

    def _call(
        self,
        method: str,
        url: str,
        *,
        params: dict | None = None,
        body: Any = None,
        write: bool = False,
        what: str = "",
        passthrough: tuple[int, ...] = (),
    ) -> tuple[int, Any]:
        """One Graph request with retries; returns (status, parsed JSON or None).

        A failure whose status is in `passthrough` comes back as `_HTTPFailure`
        for the caller to handle (404 on a delete, 410 on a stale delta link).
        """
        if not url.startswith("http"):
            url = self.graph_url + url

        def once() -> tuple[int, Any]:
            import requests

            headers = {
                "Authorization": "Bearer " + self._token(write),
                "Prefer": PREFER,
                "Accept": "application/json",
            }
            try:
                resp = self._http().request(
                    method, url, params=params, json=body, headers=headers, timeout=(10, 60)
                )
            except requests.RequestException as exc:
                raise _NetworkFailure(type(exc).__name__) from None
            payload: Any = None
            if resp.content:
                try:
                    payload = resp.json()
                except ValueError:
                    payload = None
            if resp.status_code >= 400:
                code, message = _graph_error(payload)
                raise _HTTPFailure(
                    resp.status_code, code, message, parse_retry_after(resp.headers.get("Retry-After"))
                )
            return resp.status_code, payload

        return self._with_retries(once, what or f"{method} {url.split('?')[0]}", passthrough)

    def _with_retries(self, fn: Callable[[], Any], what: str, passthrough: tuple[int, ...] = ()) -> Any:
        def retryable(exc: BaseException) -> bool:
            return isinstance(exc, _NetworkFailure) or (
                isinstance(exc, _HTTPFailure) and exc.status in RETRYABLE
            )

        def retry_after(exc: BaseException) -> float | None:
            return exc.retry_after if isinstance(exc, _HTTPFailure) else None

        try:
            return call_with_retries(
                fn,
                is_retryable=retryable,
                retry_after=retry_after,
                attempts=self.attempts,
                sleep=self._sleep,
            )
        except _HTTPFailure as exc:
            if exc.status in passthrough:
                raise
            raise self._failure(exc, what) from None
        except _NetworkFailure as exc:
            raise ProviderError(
                f"{self.spec}: cannot reach Microsoft Graph at {self.graph_url} ({exc}) "
                f"after {self.attempts} tries"
            ) from None

    def _failure(self, exc: _HTTPFailure, what: str) -> ProviderError:
        detail = f"{exc.status} {exc.code}".strip() + (f": {exc.message}" if exc.message else "")
        detail = detail[:300]
        if exc.status == 401:
            self._tokens.clear()
            return AuthError(
                f"{self.spec}: Microsoft Graph refused the sign-in ({detail})",
                hint=outlook_auth.LOGIN_HINT,
                status=exc.status,
                reason=exc.code,
            )
        if exc.status == 403:
            return ProviderError(
                f"{self.spec}: access denied by Microsoft Graph ({detail})",
                hint="check the app's Calendars permissions and admin consent",
                status=exc.status,
                reason=exc.code,
            )
        if exc.status in RETRYABLE:
            return ProviderError(
                f"{self.spec}: Microsoft Graph still answered {detail} after {self.attempts} tries",
                status=exc.status,
                reason=exc.code,
            )
        return ProviderError(f"{self.spec}: {what} failed ({detail})", status=exc.status, reason=exc.code)

    def _pages(self, path: str, params: dict, what: str, passthrough: tuple[int, ...] = ()) -> Iterable[dict]:
        url: str | None = path if path.startswith("http") else self.graph_url + path
        query: dict | None = params
        while url:
            _, payload = self._call("GET", url, params=query, what=what, passthrough=passthrough)
            payload = payload or {}
            yield from payload.get("value") or []
            url = payload.get("@odata.nextLink")
            query = None  # the nextLink carries the whole query

    # --- batching -----------------------------------------------------------

    def _batch(self, requests_: list[dict], *, write: bool) -> list[dict]:
        """Send sub-requests (dicts with method, url, body) in $batch chunks of 20.

        Returns one {"status", "body"} per request, in order. Sub-requests that
        answer 429/503/504 go out again in the next try (honouring their
        Retry-After), under the same retry policy as single calls.
        """
        results: list[dict | None] = [None] * len(requests_)
        for first in range(0, len(requests_), MAX_BATCH):
            chunk_ids = list(range(first, min(first + MAX_BATCH, len(requests_))))

            def send(chunk_ids: list[int] = chunk_ids) -> None:
                pending = [i for i in chunk_ids if results[i] is None]
                chunk = []
                for i in pending:
                    r = requests_[i]
                    item: dict[str, Any] = {"id": str(i + 1), "method": r["method"], "url": r["url"]}
                    if r.get("body") is not None:
                        item["body"] = r["body"]
                        item["headers"] = {"Content-Type": "application/json"}
                    chunk.append(item)
                _, payload = self._call(
                    "POST", "/$batch", body={"requests": chunk}, write=write, what="$batch"
                )
                throttled: _HTTPFailure | None = None
                for resp in (payload or {}).get("responses") or []:
                    i = int(resp.get("id")) - 1
                    status = int(resp.get("status") or 0)
                    if status in RETRYABLE:
                        headers = {k.lower(): v for k, v in (resp.get("headers") or {}).items()}
                        wait = parse_retry_after(headers.get("retry-after"))
                        code, message = _graph_error(resp.get("body"))
                        if throttled is None or (wait or 0) > (throttled.retry_after or 0):
                            throttled = _HTTPFailure(status, code, message, wait)
                        continue
                    results[i] = {"status": status, "body": resp.get("body")}
                if throttled is None and any(results[i] is None for i in pending):
                    throttled = _HTTPFailure(503, "MissingBatchResponse", "a batch response was missing")
                if throttled is not None:
                    raise throttled

            self._with_retries(send, "$batch")
        return [r or {"status": 0, "body": None} for r in results]

    # --- reading ---------------------------------------------------------------

    def _view_params(self, window: Window) -> dict:
        return {
            "startDateTime": window.start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "endDateTime": window.end.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "$select": SELECT,
            "$top": str(self.page_size),
            "$expand": f"singleValueExtendedProperties($filter=id eq '{TAG_PROPERTY_ID}')",
        }

    def read(self, window: Window) -> list[Event]:
        if self._use_delta():
            items = self._synced_items(window)
        else:
            items = list(
                self._pages(f"{self._base}/calendarView", self._view_params(window), "reading the calendar")
            )
            # the view expands the tag: own_blocks() of this window needs no second request
            self._own_items[(window.start, window.end)] = [it for it in items if self._tagged(it)]
        self._load_series_ends(items)
        self._learn_me(items)
        events = [self._to_event(it) for it in items]
        return sorted(
            (e for e in events if window.overlaps(e.start, e.end) or e.start == e.end == window.start),
            key=lambda e: (e.start, e.end, e.uid),
        )

    def own_blocks(self, window: Window) -> list[Event]:
        key = (window.start, window.end)
        if key in self._own_items:  # already asked during read() of this run
            items = self._own_items[key]
        else:
            items = self._fetch_own_items(window)
        return [self._to_event(it) for it in items]

    def _fetch_own_items(self, window: Window) -> list[dict]:
        params = self._view_params(window)
        params["$filter"] = (
            f"singleValueExtendedProperties/Any(ep: ep/id eq '{TAG_PROPERTY_ID}' "
            f"and ep/value eq '{GUARDIAN_TAG_VALUE}')"
        )
        items = list(self._pages(f"{self._base}/calendarView", params, "finding guardian's blocks"))
        # belt and braces: only what really carries the tag
        items = [it for it in items if self._tagged(it)]
        self._own_items[(window.start, window.end)] = items
        return items

    def _learn_me(self, items: Iterable[dict]) -> None:
        if self._me:
            return
        for it in items:
            address = ((it.get("organizer") or {}).get("emailAddress") or {}).get("address")
            if it.get("isOrganizer") and address:
                self._me = str(address)
                return

    @staticmethod
    def _tagged(item: dict) -> bool:
        for prop in item.get("singleValueExtendedProperties") or []:
            if (
                prop.get("id", "").lower() == TAG_PROPERTY_ID.lower()
                and str(prop.get("value", "")).lower() == GUARDIAN_TAG_VALUE
            ):
                return True
        return False

    # --- incremental sync: calendarView/delta over a cached horizon ----------------

    def _use_delta(self) -> bool:
        return self.state is not None and self.settings.delta

    @property
    def sync_key(self) -> str:
        return f"outlook:{self.user}"

    def _horizon(self, window: Window) -> tuple[datetime, datetime]:
        start = window.start.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        end = max(window.end.astimezone(UTC), start + timedelta(days=HORIZON_DAYS))
        return start, end

    def _synced_items(self, window: Window) -> list[dict]:
        """The raw items of a cached horizon around `window`, brought up to date by delta.

        calendarView/delta takes no $select/$expand, so the tag is not in its
        items: the tagged ids come from one filtered calendarView of the window
        (which own_blocks() then reuses).
        """
        saved = load_sync(self.state, self.sync_key, "link")
        items: dict[str, dict] | None = None
        if saved is not None and saved.covers(window.start, window.end):
            try:
                changes, link = self._delta_round(saved.cursor, None)
            except _HTTPFailure:  # 410: the sync state is gone; start over
                saved = None
            else:
                with self.state.transaction():
                    cached = self.state.cached_items(self.sync_key)
                    gone, fresh = self._apply_changes(cached, changes)
                    if gone:
                        self.state.delete_items(self.sync_key, gone)
                    if fresh:
                        self.state.put_items(self.sync_key, fresh)
                    save_sync(self.state, self.sync_key, "link", link, saved.start, saved.end)
                items = cached
        else:
            saved = None
        if saved is None:
            start, end = self._horizon(window)
            params = {
                "startDateTime": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "endDateTime": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
            changes, link = self._delta_round(f"{self._base}/calendarView/delta", params)
            items = {}
            _, fresh = self._apply_changes(items, changes)
            with self.state.transaction():
                self.state.clear_items(self.sync_key)
                self.state.put_items(self.sync_key, fresh)
                save_sync(self.state, self.sync_key, "link", link, start, end)
        own = {it["id"] for it in self._fetch_own_items(window)}
        out = []
        for item in (items or {}).values():
            if item.get("type") == "seriesMaster":
                continue
            if item.get("id") in own:
                item = dict(
                    item, singleValueExtendedProperties=[{"id": TAG_PROPERTY_ID, "value": GUARDIAN_TAG_VALUE}]
                )
            out.append(item)
        return out

    @staticmethod
    def _apply_changes(cached: dict[str, dict], changes: list[dict]) -> tuple[list[str], dict[str, dict]]:
        """Fold delta items into `cached` (in place); returns (removed ids, changed items)."""
        gone: list[str] = []
        fresh: dict[str, dict] = {}
        for change in changes:
            item_id = change.get("id")
            if not item_id:
                continue
            if "@removed" in change:
                if cached.pop(item_id, None) is not None or item_id in fresh:
                    gone.append(item_id)
                fresh.pop(item_id, None)
                continue
            # an updated item may carry only the changed properties
            merged = dict(cached.get(item_id, {}))
            merged.update({k: v for k, v in change.items() if not k.startswith("@odata")})
            cached[item_id] = merged
            fresh[item_id] = merged
        return gone, fresh

    def _delta_round(self, url: str, params: dict | None) -> tuple[list[dict], str]:
        """Follow nextLinks to the deltaLink; a stale link raises _HTTPFailure (410)."""
        changes: list[dict] = []
        query = params
        headers_note = "syncing the calendar"
        while True:
            _, payload = self._call("GET", url, params=query, what=headers_note, passthrough=(410,))
            payload = payload or {}
            changes.extend(payload.get("value") or [])
            query = None
            if payload.get("@odata.nextLink"):
                url = payload["@odata.nextLink"]
                continue
            link = payload.get("@odata.deltaLink")
            if not link:
                raise ProviderError(f"{self.spec}: Microsoft Graph sent no deltaLink")
            return changes, link

    # --- series ends -------------------------------------------------------------

    @property
    def series_key(self) -> str:
        return f"outlook:{self.user}:series"

    def _load_series_ends(self, items: list[dict]) -> None:
        wanted = {
            it["seriesMasterId"]
            for it in items
            if it.get("seriesMasterId")
            and it.get("type") in ("occurrence", "exception")
            and it["seriesMasterId"] not in self._series_end
        }
        if not wanted:
            return
        now = datetime.now(UTC)
        if self.state is not None:
            cached = self.state.cached_items(self.series_key)
            for master in list(wanted):
                entry = cached.get(master)
                if entry and now - datetime.fromisoformat(entry["fetched"]) < SERIES_TTL:
                    self._series_end[master] = self._range_end(entry.get("recurrence"))
                    wanted.discard(master)
        masters = sorted(wanted)
        if not masters:
            return
        reqs = [
            {"method": "GET", "url": f"{self._base}/events/{quote(m, safe='')}?$select=recurrence"}
            for m in masters
        ]
        if len(reqs) == 1:
            try:
                _, body = self._call("GET", reqs[0]["url"], what="reading a series", passthrough=(404,))
                results = [{"status": 200, "body": body}]
            except _HTTPFailure:
                results = [{"status": 404, "body": None}]
        else:
            results = self._batch(reqs, write=False)
        fetched = {}
        for master, res in zip(masters, results, strict=False):
            body = res.get("body") if res.get("status") == 200 else None
            recurrence = (body or {}).get("recurrence")
            self._series_end[master] = self._range_end(recurrence)
            if res.get("status") == 200:
                fetched[master] = {"recurrence": recurrence, "fetched": now.isoformat()}
        if self.state is not None and fetched:
            with self.state.transaction():
                self.state.put_items(self.series_key, fetched)

    def _range_end(self, recurrence: dict | None) -> datetime | None:
        """When a series ends, from its recurrence range; None for noEnd (or unknown)."""
        if not recurrence:
            return None
        rng = recurrence.get("range") or {}
        kind = str(rng.get("type") or "").lower()
        tz = zone_of(rng.get("recurrenceTimeZone")) if rng.get("recurrenceTimeZone") else self.identity.tz
        try:
            if kind == "enddate" and rng.get("endDate"):
                last = date.fromisoformat(rng["endDate"])
                return datetime.combine(last + timedelta(days=1), dtime(), tzinfo=tz)
            if kind == "numbered" and rng.get("startDate"):
                # an upper bound: the series ends, and not later than this
                first = date.fromisoformat(rng["startDate"])
                n = int(rng.get("numberOfOccurrences") or 1)
                pattern = recurrence.get("pattern") or {}
                step = max(1, int(pattern.get("interval") or 1))
                ptype = str(pattern.get("type") or "daily").lower()
                per = {
                    "daily": 1,
                    "weekly": 7,
                    "absolutemonthly": 31,
                    "relativemonthly": 31,
                    "absoluteyearly": 366,
                    "relativeyearly": 366,
                }.get(ptype, 1)
                return datetime.combine(first + timedelta(days=per * step * n), dtime(), tzinfo=tz)
        except ValueError:
            return None
        return None

    def _to_event(self, it: dict) -> Event:
        tz = self.identity.tz
        ev_id = str(it.get("id") or "")
        all_day = bool(it.get("isAllDay"))
        start_raw, end_raw = it.get("start") or {}, it.get("end") or {}
        if all_day:
            # floating dates: local midnight to midnight in my zone
            s_date = parse_graph_datetime(start_raw.get("dateTime"), "UTC").date()
            e_date = parse_graph_datetime(end_raw.get("dateTime"), "UTC").date()
            if e_date <= s_date:
                e_date = s_date + timedelta(days=1)
            start = datetime.combine(s_date, dtime(), tzinfo=tz)
            end = datetime.combine(e_date, dtime(), tzinfo=tz)
        else:
            start = parse_graph_datetime(start_raw.get("dateTime"), start_raw.get("timeZone")).astimezone(tz)
            end = parse_graph_datetime(end_raw.get("dateTime"), end_raw.get("timeZone")).astimezone(tz)
            if end < start:
                end = start

        body = it.get("body") or {}
        description = str(body.get("content") or "")
        if str(body.get("contentType") or "").lower() == "html":
            from guardian.core.text import html_to_text

            description = html_to_text(description)
        description = description.replace("\r\n", "\n").strip()

        links: list[Link] = []
        seen: set[str] = set()
        join_urls = [
            (it.get("onlineMeeting") or {}).get("joinUrl"),
            it.get("onlineMeetingUrl"),
        ]
        for url in join_urls:
            if url and url not in seen:
                seen.add(url)
                from guardian.core.links import classify

                label = classify(url).label if classify(url).kind is LinkKind.CONFERENCE else "online meeting"
                links.append(Link(url, LinkKind.CONFERENCE, label))
        if description:
            from guardian.core.links import extract_links

            for link in extract_links(description):
                if link.url not in seen:
                    seen.add(link.url)
                    links.append(link)
        if it.get("hasAttachments"):
            links.append(Link(f"outlook-attachment:{ev_id}", LinkKind.DOC, "attachment"))

        org = (it.get("organizer") or {}).get("emailAddress") or {}
        organizer = (
            Person(str(org.get("address") or ""), str(org.get("name") or "")) if org.get("address") else None
        )

        attendees = []
        for a in it.get("attendees") or []:
            addr = a.get("emailAddress") or {}
            email = str(addr.get("address") or "")
            if not email:
                continue
            kind = str(a.get("type") or "required").lower()
            response = str(((a.get("status") or {}).get("response")) or "none").lower()
            attendees.append(
                Attendee(
                    email=email,
                    name=str(addr.get("name") or ""),
                    status=_RESPONSE.get(response, Status.NEEDS_ACTION),
                    optional=kind == "optional",
                    resource=kind == "resource",
                )
            )

        if it.get("isOrganizer"):
            my_status = Status.ORGANIZER
        else:
            response = str(((it.get("responseStatus") or {}).get("response")) or "none").lower()
            my_status = _RESPONSE.get(response, Status.NEEDS_ACTION)

        etype = str(it.get("type") or "singleInstance")
        recurring = etype in ("occurrence", "exception")
        master = it.get("seriesMasterId") if recurring else None
        uid = str(master or it.get("iCalUId") or ev_id)
        recurrence_id = None
        if recurring and it.get("originalStart"):
            recurrence_id = parse_graph_datetime(it["originalStart"], "UTC")
        series_end = self._series_end.get(master) if master else None

        show_as = str(it.get("showAs") or "busy").lower()
        categories = tuple(str(c) for c in it.get("categories") or ())
        own = self._tagged(it)
        kind = EventKind.DEFAULT
        if show_as == "oof":
            kind = EventKind.OUT_OF_OFFICE
        if own or any(c.lower() == self.focus_category.lower() for c in categories):
            kind = EventKind.FOCUS

        people = [a.email for a in attendees if not a.resource]
        if organizer:
            people.append(organizer.email)
        ident = self.identity
        if not ident.me and self._me:
            ident = Identity(tz=ident.tz, me=self._me, domains=ident.domains)
        external = any(ident.is_external(e) for e in people)

        return Event(
            uid=uid,
            start=start,
            end=end,
            title=str(it.get("subject") or ""),
            all_day=all_day,
            description=description,
            links=tuple(links),
            organizer=organizer,
            attendees=tuple(attendees),
            my_status=my_status,
            recurring=recurring,
            series_end=series_end,
            busy=show_as != "free",
            cancelled=bool(it.get("isCancelled")),
            created=parse_graph_datetime(it.get("createdDateTime"), "UTC"),
            external=external,
            source=self.spec,
            own_block=own,
            kind=kind,
            recurrence_id=recurrence_id,
            location=str((it.get("location") or {}).get("displayName") or ""),
            categories=categories,
            provider_id=ev_id,
            extra=(("outlook.type", etype), ("outlook.showAs", show_as)),
        )

    # --- writing --------------------------------------------------------------

    @staticmethod
    def _when(dt: datetime) -> dict:
        return {"dateTime": dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"}

    def _block_body(self, start: datetime, end: datetime) -> dict:
        return {
            "subject": FOCUS_TITLE,
            "body": {"contentType": "text", "content": "Focus time booked by guardian."},
            "start": self._when(start),
            "end": self._when(end),
            "showAs": "busy",
            "sensitivity": "private",
            "isReminderOn": False,
            "responseRequested": False,
            "categories": [self.focus_category],
            "singleValueExtendedProperties": [{"id": TAG_PROPERTY_ID, "value": GUARDIAN_TAG_VALUE}],
        }

    def apply(self, ops: Sequence[BlockOp]) -> ApplyResult:
        refuse_foreign(ops)
        self._own_items.clear()  # what own_blocks() saw is about to change
        result = ApplyResult()
        writes: list[tuple[BlockOp, dict]] = []
        for op in ops:
            if op.kind is OpKind.KEEP:
                result.kept += 1
                continue
            if op.kind is OpKind.CREATE:
                assert op.block is not None
                # transactionId: a retry of a create the mailbox already carried out
                # (its answer lost to a 504 or a timeout) is refused, not a second block
                body = dict(self._block_body(op.block.start, op.block.end), transactionId=str(uuid.uuid4()))
                writes.append((op, {"method": "POST", "url": f"{self._base}/events", "body": body}))
            elif op.kind is OpKind.MOVE:
                assert op.block is not None and op.existing is not None
                writes.append(
                    (
                        op,
                        {
                            "method": "PATCH",
                            "url": f"{self._base}/events/{quote(op.existing.provider_id, safe='')}",
                            "body": {"start": self._when(op.block.start), "end": self._when(op.block.end)},
                        },
                    )
                )
            elif op.kind is OpKind.DELETE:
                assert op.existing is not None
                writes.append(
                    (
                        op,
                        {
                            "method": "DELETE",
                            "url": f"{self._base}/events/{quote(op.existing.provider_id, safe='')}",
                        },
                    )
                )
        if not writes:
            return result

        if len(writes) == 1:
            op, req = writes[0]
            try:
                status, body = self._call(
                    req["method"],
                    req["url"],
                    body=req.get("body"),
                    write=True,
                    what=f"{op.kind} a focus block",
                    passthrough=_DONE_ANYWAY.get(op.kind, ()),
                )
                outcomes = [{"status": status, "body": body}]
            except _HTTPFailure as exc:  # already gone / already created: done
                outcomes = [{"status": exc.status, "body": None}]
        else:
            outcomes = self._batch([r for _, r in writes], write=True)

        failures = []
        for (op, req), out in zip(writes, outcomes, strict=False):
            status = int(out.get("status") or 0)
            ok = 200 <= status < 300 or status in _DONE_ANYWAY.get(op.kind, ())
            if not ok:
                code, message = _graph_error(out.get("body"))
                failures.append(f"{op.kind} {status} {code} {message}".strip())
                continue
            self._record(op, out.get("body"), result)
        if failures:
            raise ProviderError(
                f"{self.spec}: {len(failures)} of {len(writes)} writes failed: "
                + "; ".join(failures[:3])[:400]
            )
        return result

    def _record(self, op: BlockOp, body: Any, result: ApplyResult) -> None:
        state = self.state
        if op.kind is OpKind.CREATE:
            result.created += 1
            new_id = (body or {}).get("id", "")
            result.details.append(f"created {op.block.start.isoformat()}–{op.block.end.isoformat()}")
            if state is not None and new_id:
                state.record_block(self.spec, new_id, op.block.start, op.block.end)
        elif op.kind is OpKind.MOVE:
            result.moved += 1
            result.details.append(f"moved to {op.block.start.isoformat()}–{op.block.end.isoformat()}")
            if state is not None:
                state.record_block(self.spec, op.existing.provider_id, op.block.start, op.block.end)
        elif op.kind is OpKind.DELETE:
            result.deleted += 1
            result.details.append(f"deleted {op.existing.start.isoformat()}")
            if state is not None:
                state.forget_block(self.spec, op.existing.provider_id)

    def respond(self, event: Event, status: Status, comment: str) -> None:
        action = _RSVP_ACTION.get(status)
        if action is None:
            raise InputError(
                f"{self.spec}: cannot answer an invitation with {status!s}",
                hint="use accepted, tentative or declined",
            )
        if not event.provider_id:
            raise InputError(f"{self.spec}: event {event.title!r} has no Outlook id")
        self._call(
            "POST",
            f"{self._base}/events/{quote(event.provider_id, safe='')}/{action}",
            body={"comment": comment, "sendResponse": True},
            write=True,
            what=f"answering {event.title!r}",
        )

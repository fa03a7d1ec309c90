"""One calendar collection, synced into the state store, written with preconditions.

Reading
    Without a state store every read is one server-side time-range query
    (calendar-query, RFC 4791 7.8) for the window. With one, the first read
    asks the collection's sync token and ctag (PROPFIND) and then queries a
    *horizon* around the window (7 days before to 35 after, as the other
    providers do); the objects (href, etag, iCalendar text) are kept in the
    state store with the token. A later read of a window inside the horizon
    sends only the sync token (sync-collection, RFC 6578): an unchanged
    calendar answers with no members, and that one request is the whole
    cost. Changed members are fetched with one calendar-multiget, and only
    those whose etag differs from the kept one (guardian's own writes are
    already kept). A server without sync tokens is asked for its ctag (the
    CalendarServer extension): unchanged, the kept objects are used; changed,
    the horizon is queried again. An expired token (RFC 6578 3.2: 403 with
    DAV:valid-sync-token, or 412 as Xandikos answers) means a full sync.

Writing
    Every write is conditional (RFC 9110 13.1): a new object is PUT with
    `If-None-Match: *` (RFC 4791 5.3.2 asks clients to, so that nothing is
    overwritten), a change is PUT and a delete sent with `If-Match: <etag>`
    of the version guardian read. A 412 Precondition Failed means someone
    else changed the object since: `Conflict` is raised, the object is read
    again (so the next plan sees what is there now) and nothing is
    overwritten.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit

from guardian.adapters.redact import redact
from guardian.adapters.settings import SyncHorizon
from guardian.adapters.sources.caldav import protocol
from guardian.adapters.sources.caldav.connection import Connection, InvalidSyncToken
from guardian.core.model import Window
from guardian.errors import InputError, ProviderError

log = logging.getLogger("guardian")

REUSE_SECONDS = 60.0  # a sync this recent is reused within one run
ICS = {"Content-Type": "text/calendar; charset=utf-8"}


@dataclass(frozen=True)
class Item:
    """One calendar object resource: where it is, its version, its text."""

    href: str  # the path on the server, unquoted
    etag: str
    ics: str


class Conflict(Exception):
    """Someone else changed or removed the object since guardian read it (HTTP 412)."""

    def __init__(self, href: str, current: Item | None) -> None:
        super().__init__(href)
        self.href = href
        self.current = current


@dataclass(frozen=True)
class Mark:
    token: str
    ctag: str
    start: datetime
    end: datetime

    def covers(self, window: Window) -> bool:
        return self.start <= window.start and window.end <= self.end


class Collection:
    def __init__(
        self, conn: Connection, url: str, state: Any | None, tz, horizon: SyncHorizon = SyncHorizon()
    ) -> None:
        self.conn = conn
        self.url = url if url.endswith("/") else url + "/"
        self.state: Any = state  # the State store, or None (then every read asks the server)
        self.tz = tz
        self.horizon = horizon
        self.key = f"caldav:{self.url}"  # the state store is the user's own 0600 file
        self.where = f"caldav:{redact(self.url)}"
        self._items: dict[str, Item] | None = None
        self._fresh_at: float | None = None

    # --- reading -------------------------------------------------------------------------

    def items(self, window: Window) -> list[Item]:
        """Every object with an instance in `window` (and, with state, the rest of the horizon)."""
        if self.state is None:
            if self._items is None or not self._fresh():
                self._items = {i.href: i for i in self._query(window.start, window.end)}
                self._fresh_at = time.monotonic()
            return list(self._items.values())
        mark = self._mark()
        if mark is not None and mark.covers(window):
            if not self._fresh():
                try:
                    self._catch_up(mark)
                except InvalidSyncToken:
                    log.info("%s: the sync token expired, syncing in full", self.where)
                    self._full(mark.start, mark.end)
        else:
            self._full(*self._horizon(window))
        self._fresh_at = time.monotonic()
        return list(self._kept().values())

    def _fresh(self) -> bool:
        return self._fresh_at is not None and time.monotonic() - self._fresh_at < REUSE_SECONDS

    def _horizon(self, window: Window) -> tuple[datetime, datetime]:
        start = datetime.combine(window.start.astimezone(self.tz).date(), dtime(0), self.tz)
        end = datetime.combine(window.end.astimezone(self.tz).date(), dtime(0), self.tz)
        return (
            (start - timedelta(days=self.horizon.lookback_days)).astimezone(UTC),
            (end + timedelta(days=self.horizon.ahead_days)).astimezone(UTC),
        )

    def properties(self) -> dict[str, Any]:
        """The collection's sync token, ctag, name and type (one PROPFIND, depth 0)."""
        response = self.conn.request(
            "PROPFIND",
            self.url,
            protocol.propfind(
                protocol.SYNC_TOKEN, protocol.GETCTAG, protocol.DISPLAYNAME, protocol.RESOURCETYPE
            ),
            depth=0,
        )
        if response.status == 404:
            raise InputError(f"{self.where}: no such calendar on the server", hint="check the calendar's URL")
        if response.status not in (200, 207):
            raise ProviderError(f"{self.where}: PROPFIND failed (HTTP {response.status})")
        results = response.parse_propfind()
        if not results:
            return {}
        mine = next((r for r in results if self._path(r.href) == self._path(self.url)), results[0])
        return dict(mine.properties)

    def _full(self, start: datetime, end: datetime) -> None:
        props = self.properties()
        items = self._query(start, end)
        token = str(props.get(protocol.SYNC_TOKEN) or "")
        ctag = str(props.get(protocol.GETCTAG) or "")
        with self.state.transaction():
            self.state.clear_items(self.key)
            self.state.put_items(self.key, {i.href: {"etag": i.etag, "ics": i.ics} for i in items})
            self._save(Mark(token, ctag, start, end))
        self._items = {i.href: i for i in items}
        log.debug("%s: full sync of %s..%s: %d objects", self.where, start, end, len(items))

    def _catch_up(self, mark: Mark) -> None:
        if mark.token:
            response = self.conn.request("REPORT", self.url, protocol.sync_collection(mark.token), depth=0)
            if response.status in (403, 409, 412):  # RFC 6578 3.2 (and Xandikos's 412)
                raise InvalidSyncToken()
            if response.status not in (200, 207):
                raise ProviderError(f"{self.where}: sync-collection failed (HTTP {response.status})")
            result = response.parse_sync_collection()
            kept = self._kept()
            gone = [self._path(h) for h in result.deleted]
            changed = [
                self._path(c.href)
                for c in result.changed
                if kept.get(self._path(c.href), _NONE).etag != c.etag
            ]
            changed = [h for h in changed if h != self._path(self.url)]
            fetched = self._multiget(changed) if changed else []
            with self.state.transaction():
                if gone:
                    self.state.delete_items(self.key, gone)
                if fetched:
                    self.state.put_items(self.key, {i.href: {"etag": i.etag, "ics": i.ics} for i in fetched})
                self._save(Mark(result.sync_token or mark.token, mark.ctag, mark.start, mark.end))
            self._items = None
            return
        if mark.ctag:
            ctag = str(self.properties().get(protocol.GETCTAG) or "")
            if ctag and ctag == mark.ctag:
                return
        self._full(mark.start, mark.end)

    def _query(self, start: datetime, end: datetime) -> list[Item]:
        response = self.conn.request("REPORT", self.url, protocol.calendar_query(start, end), depth=1)
        if response.status == 404:
            raise InputError(f"{self.where}: no such calendar on the server", hint="check the calendar's URL")
        if response.status not in (200, 207):
            raise ProviderError(f"{self.where}: the time-range query failed (HTTP {response.status})")
        return self._items_of(response.parse_calendar_query())

    def _multiget(self, hrefs: list[str]) -> list[Item]:
        response = self.conn.request(
            "REPORT", self.url, protocol.multiget([quote(h) for h in hrefs]), depth=1
        )
        if response.status not in (200, 207):
            raise ProviderError(f"{self.where}: calendar-multiget failed (HTTP {response.status})")
        return self._items_of(response.parse_calendar_query())

    def _items_of(self, results) -> list[Item]:
        return [
            Item(self._path(r.href), r.etag or "", r.calendar_data)
            for r in results
            if r.status == 200 and r.calendar_data and self._path(r.href) != self._path(self.url)
        ]

    def _kept(self) -> dict[str, Item]:
        if self._items is None:
            raw = self.state.cached_items(self.key) if self.state is not None else {}
            self._items = {h: Item(h, str(v.get("etag", "")), str(v.get("ics", ""))) for h, v in raw.items()}
        return self._items

    def _mark(self) -> Mark | None:
        raw = self.state.sync_token(self.key)
        if not raw:
            return None
        try:
            data = json.loads(raw)
            return Mark(
                str(data.get("token") or ""),
                str(data.get("ctag") or ""),
                datetime.fromisoformat(data["start"]),
                datetime.fromisoformat(data["end"]),
            )
        except (ValueError, KeyError, TypeError):
            return None

    def _save(self, mark: Mark) -> None:
        value = {
            "token": mark.token,
            "ctag": mark.ctag,
            "start": mark.start.isoformat(),
            "end": mark.end.isoformat(),
        }
        self.state.set_sync_token(self.key, json.dumps(value))

    def _path(self, href: str) -> str:
        return unquote(urlsplit(urljoin(self.url, href)).path)

    def _absolute(self, href: str) -> str:
        return urljoin(self.url, quote(href))

    # --- writing ---------------------------------------------------------------------------

    def create(self, name: str, ics: str) -> Item:
        """PUT a new object `name` (a file name in this collection); never overwrites."""
        href = self._path(name)
        response = self.conn.request("PUT", self._absolute(href), ics, {**ICS, "If-None-Match": "*"})
        if response.status == 412:
            current = self.get(href)
            if current is not None and _same_uid(current.ics, ics):
                return self._keep(current)  # an earlier try was carried out; its answer was lost
            raise Conflict(href, current)
        self._check(response, "creating an event")
        return self._keep(Item(href, _etag(response) or self._etag_of(href), ics))

    def replace(self, item: Item, ics: str) -> Item:
        """PUT a new version of `item`, only if the server still holds the version read."""
        response = self.conn.request("PUT", self._absolute(item.href), ics, {**ICS, "If-Match": item.etag})
        if response.status in (404, 412):
            raise Conflict(item.href, self._refresh(item.href))
        self._check(response, "changing an event")
        return self._keep(Item(item.href, _etag(response) or self._etag_of(item.href), ics))

    def delete(self, item: Item) -> None:
        """DELETE `item`, only if the server still holds the version read (gone already: done)."""
        response = self.conn.request("DELETE", self._absolute(item.href), headers={"If-Match": item.etag})
        if response.status == 404:
            self._forget(item.href)
            return
        if response.status == 412:
            raise Conflict(item.href, self._refresh(item.href))
        self._check(response, "deleting an event")
        self._forget(item.href)

    def get(self, href: str) -> Item | None:
        response = self.conn.request("GET", self._absolute(href))
        if response.status == 404:
            return None
        self._check(response, "reading an event")
        body = response.raw if isinstance(response.raw, str) else str(response.raw)
        return Item(href, _etag(response), body)

    def _etag_of(self, href: str) -> str:
        """A server that answers a PUT without an ETag (RFC 4791 5.3.4 allows it): ask for it."""
        current = self.get(href)
        return current.etag if current is not None else ""

    def _refresh(self, href: str) -> Item | None:
        current = self.get(href)
        if current is None:
            self._forget(href)
        else:
            self._keep(current)
        return current

    def _keep(self, item: Item) -> Item:
        if self.state is not None:
            self.state.put_items(self.key, {item.href: {"etag": item.etag, "ics": item.ics}})
        if self._items is not None:
            self._items[item.href] = item
        return item

    def _forget(self, href: str) -> None:
        if self.state is not None:
            self.state.delete_items(self.key, [href])
        if self._items is not None:
            self._items.pop(href, None)

    def _check(self, response, doing: str) -> None:
        if response.status not in (200, 201, 204, 207):
            raise ProviderError(f"{self.where}: {doing} failed (HTTP {response.status})")


_NONE = Item("", "\0", "")


def _etag(response) -> str:
    return str(response.headers.get("ETag") or "")


def _same_uid(a: str, b: str) -> bool:
    def uid(text: str) -> str:
        for line in text.splitlines():
            if line.upper().startswith("UID:"):
                return line[4:].strip()
        return ""

    return bool(uid(a)) and uid(a) == uid(b)

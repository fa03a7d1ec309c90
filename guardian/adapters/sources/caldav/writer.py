"""guardian's focus blocks on a CalDAV server, in the calendar the person chose.

`focus_calendar` in `[calendars.NAME]` names it: a URL (`https://...`), or
a display name looked up among the account's calendars (the calendar home
of the current user principal, found with the caldav library). Unset, it is
"Focus", created (MKCALENDAR) on the first `focus apply`; a dry run never
creates anything. The URL found is remembered in the state store.

Each block is the block file's VEVENT (busy, private, no alarm, tagged
X-GUARDIAN-TAG) in an object of its own. Only tagged events are ever
changed (`refuse_foreign`), and every change is conditional: a block that
someone else edited or removed since guardian read it (HTTP 412) is left as
it is now, counted in `conflicts`, and the next run plans around it.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import urljoin

from guardian.adapters.redact import redact
from guardian.adapters.sources.base import ApplyResult, start_apply
from guardian.adapters.sources.caldav import protocol
from guardian.adapters.sources.caldav.collection import Collection, Conflict
from guardian.adapters.sources.caldav.connection import check_url
from guardian.core.model import FOCUS_TITLE, GUARDIAN_TAG_VALUE, Block, BlockOp, Event, OpKind, Window
from guardian.errors import InputError, ProviderError

log = logging.getLogger("guardian")

DEFAULT_NAME = "Focus"
NEW_COLLECTION = "guardian-focus/"


class FocusCalendar:
    """The BlockWriter of a CalDAV source: its blocks, in the chosen calendar."""

    def __init__(self, source, title: str = FOCUS_TITLE) -> None:
        self.source = source
        self.title = title
        self.identity = source.identity
        self.state = source.state
        self.setting = source.focus_calendar.strip()
        self.name = self.setting if self.setting and "://" not in self.setting else DEFAULT_NAME
        self._collection: Collection | None = None
        self._mapped = None
        self._window: Window | None = None  # the last window read, for syncing a new calendar
        url = self._known_url()
        if url is not None:
            self._use(url)
        self.spec = (
            self._collection.where if self._collection else f"caldav:{redact(self.source.url)}#{self.name}"
        )
        self.label = self._collection.where if self._collection else f"{self.name} calendar"

    @property
    def collection(self) -> Collection:
        assert self._collection is not None
        return self._collection

    # --- which calendar --------------------------------------------------------------

    def _memo_key(self) -> str:
        return f"caldav-focus:{self.source.url}"

    def _known_url(self) -> str | None:
        """The focus calendar's URL when it is known without asking the server."""
        if "://" in self.setting:
            return check_url(self.setting)
        if self.state is not None:
            raw = self.state.sync_token(self._memo_key())
            try:
                memo = json.loads(raw) if raw else None
            except ValueError:
                memo = None
            if memo and memo.get("name") == self.name and memo.get("url"):
                return str(memo["url"])
        found = self._find_by_name()
        if found is not None:
            self._remember(found)
        elif self.setting and self.setting != DEFAULT_NAME:
            raise InputError(
                f"{self.source.spec}: no calendar named {self.setting!r} for focus blocks",
                hint="set focus_calendar to a calendar's display name or URL (unset: a new 'Focus' calendar)",
            )
        return found

    def _use(self, url: str) -> None:
        if url.rstrip("/") == self.source.url.rstrip("/"):
            self._collection = self.source.collection  # blocks in the calendar itself
        else:
            self._collection = Collection(
                self.source.connection, url, self.state, self.identity.tz, self.source.horizon
            )

    def _remember(self, url: str) -> None:
        if self.state is not None:
            with self.state.transaction():
                self.state.set_sync_token(self._memo_key(), json.dumps({"name": self.name, "url": url}))

    def _home(self) -> str:
        """The calendar home of the signed-in user (RFC 4791 6.2.1), found by the caldav library."""
        from caldav.lib import error

        try:
            principal = self.source.connection.client.principal()
            home = principal.calendar_home_set.url
        except error.DAVError:
            raise ProviderError(f"{self.source.spec}: cannot find the account's calendars") from None
        return str(home)

    def _find_by_name(self) -> str | None:
        home = self._home()
        conn = self.source.connection
        response = conn.request(
            "PROPFIND", home, protocol.propfind(protocol.DISPLAYNAME, protocol.RESOURCETYPE), depth=1
        )
        if response.status not in (200, 207):
            raise ProviderError(
                f"{self.source.spec}: listing the account's calendars failed (HTTP {response.status})"
            )
        for result in response.parse_propfind():
            kinds = str(result.properties.get(protocol.RESOURCETYPE, ""))
            name = str(result.properties.get(protocol.DISPLAYNAME) or "")
            if "calendar" in kinds and name.strip().lower() == self.name.lower():
                return urljoin(home, result.href)
        return None

    def _ensure(self) -> Collection:
        """The focus calendar, created now if it does not exist yet (only ever on apply)."""
        if self._collection is not None:
            return self._collection
        home = self._home()
        url = urljoin(home if home.endswith("/") else home + "/", NEW_COLLECTION)
        response = self.source.connection.request("MKCALENDAR", url, protocol.mkcalendar(self.name))
        if response.status not in (200, 201):
            raise ProviderError(
                f"{self.source.spec}: cannot create the {self.name!r} calendar (HTTP {response.status})",
                hint="create it in your calendar app and set focus_calendar to its name",
            )
        log.info("%s: created the %r calendar for focus blocks", self.source.spec, self.name)
        self._remember(url)
        self._use(url)
        self.spec = self.label = self.collection.where
        if self._window is not None and self.state is not None:
            self.collection.items(self._window)  # its sync mark, so the next run costs one request
        return self.collection

    # --- BlockWriter ---------------------------------------------------------------------

    def own_blocks(self, window: Window) -> list[Event]:
        self._window = window
        if self._collection is None:
            return []  # the calendar does not exist yet: no blocks
        from guardian.adapters.sources.caldav.source import events_of

        events = events_of(self, self.collection.items(window), window)
        return [e for e in events if e.own_block]

    def apply(self, ops: Sequence[BlockOp]) -> ApplyResult:
        result, writes = start_apply(ops)
        if not writes:
            return result
        collection = self._ensure()
        kept = collection._kept() if self.state is not None else (collection._items or {})
        by_uid = {_uid(i.ics): i for i in kept.values()}
        stamp = datetime.now(UTC).replace(microsecond=0)
        for op in writes:
            try:
                self._apply_one(op, collection, by_uid, stamp, result)
            except Conflict as conflict:
                result.conflicts += 1
                what = _when(op.existing) if op.existing else "a new block"
                line = (
                    f"left {what} as it is: it was changed on the server since guardian read it; "
                    "the next run plans around it"
                )
                result.details.append(line)
                log.warning("%s: %s", self.spec, line)
                if conflict.current is not None:
                    by_uid[_uid(conflict.current.ics)] = conflict.current
        return result

    def _apply_one(
        self, op: BlockOp, collection: Collection, by_uid: dict, stamp, result: ApplyResult
    ) -> None:
        from guardian.adapters.sources.ics.blockfile import block_vevent

        if op.kind is OpKind.CREATE:
            assert op.block is not None
            token = uuid.uuid4().hex
            uid = f"guardian-{token}@guardian"
            body = _calendar(block_vevent(op.block, uid, stamp, self.title))
            item = collection.create(f"guardian-{token}.ics", body)
            by_uid[uid] = item
            self._record(uid, op.block)
            result.created += 1
            result.details.append(f"created {_when_block(op.block)}")
            return
        assert op.existing is not None
        found = by_uid.get(op.existing.uid)
        if found is None:
            raise Conflict(op.existing.uid, None)  # gone since it was read
        item = found
        if op.kind is OpKind.MOVE:
            assert op.block is not None
            item = collection.replace(item, _moved(item.ics, op.existing.uid, op.block, stamp))
            by_uid[op.existing.uid] = item
            self._record(op.existing.uid, op.block)
            result.moved += 1
            result.details.append(f"moved {_when(op.existing)} to {_when_block(op.block)}")
        elif op.kind.switches:
            assert op.block is not None
            item = collection.replace(item, _moved(item.ics, op.existing.uid, op.block, stamp, move=False))
            by_uid[op.existing.uid] = item
            result.switched += 1
            result.details.append(f"{op.kind} {_when_block(op.block)}")
        else:
            collection.delete(item)
            by_uid.pop(op.existing.uid, None)
            if self.state is not None:
                self.state.forget_block(self.spec, op.existing.uid)
            result.deleted += 1
            result.details.append(f"deleted {_when(op.existing)}")

    def _record(self, uid: str, block: Block) -> None:
        if self.state is not None:
            self.state.record_block(self.spec, uid, block.start, block.end)


def _calendar(event) -> str:
    import icalendar

    from guardian.adapters.sources.ics.blockfile import declare_zones

    cal = icalendar.Calendar()
    cal.add("PRODID", "-//guardian//focus blocks//EN")
    cal.add("VERSION", "2.0")
    cal.add_component(event)
    declare_zones(cal)  # a VTIMEZONE for the TZID the block names (RFC 5545 3.2.19)
    return cal.to_ical().decode("utf-8")


def _moved(ics: str, uid: str, block: Block, stamp: datetime, *, move: bool = True) -> str:
    """The object with its block moved (or, `move=False`, only its free/busy changed):
    the rest of what is there (another client's edits) is kept."""
    import icalendar

    from guardian.adapters.sources.ics.blockfile import declare_zones, show_as
    from guardian.adapters.sources.ics.source import X_TAG

    cal = icalendar.Calendar.from_ical(ics)
    for event in cal.walk("VEVENT"):
        if str(event.get("UID")) != uid or str(event.get(X_TAG) or "").lower() != GUARDIAN_TAG_VALUE:
            continue
        if move:
            for key in ("DTSTART", "DTEND", "DURATION"):
                event.pop(key, None)
            event.add("DTSTART", block.start)
            event.add("DTEND", block.end)
        show_as(event, block.defended, stamp)  # the next SEQUENCE, and busy or free as planned
    declare_zones(cal)
    return cal.to_ical().decode("utf-8")


def _uid(ics: str) -> str:
    """The UID of an object's first component, read from the unfolded text (RFC 5545 3.1)."""
    text = ics.replace("\r\n ", "").replace("\r\n\t", "").replace("\n ", "").replace("\n\t", "")
    for line in text.splitlines():
        if line.upper().startswith("UID:"):
            return line[4:].strip()
        if line.upper().startswith("UID;"):
            return line.split(":", 1)[-1].strip()
    return ""


def _when(event: Event) -> str:
    from guardian.domain.focus import describe_event

    return describe_event(event)


def _when_block(block: Block) -> str:
    from guardian.domain.focus import describe_block

    return describe_block(block)

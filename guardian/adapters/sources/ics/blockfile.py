"""guardian's focus blocks for .ics users: a calendar file of their own.

guardian never rewrites a user's source .ics. It writes its blocks to a
separate file the user imports or subscribes to. Every block carries
X-GUARDIAN-TAG, and only tagged events of that file are ever changed.
The file is replaced atomically, so a crash leaves the old or the new
version, never half of one, and it declares a VTIMEZONE for every TZID it
names (RFC 5545), so other software reads the blocks at their real instants.

An imported file cannot take anything back by leaving it out: the person's
calendar keeps what an earlier import added. So a block that moves or goes
is written once more as cancelled (RFC 5545: the same UID, a higher
SEQUENCE, STATUS:CANCELLED), and a moved block comes back under a new UID
at its new time. The cancelled copy stays in the file for as long as the
block could still be in the person's calendar (until its time has passed),
so every later import repeats the cancellation; clients that match imports
by UID then remove or strike it out. Cancelled copies are never blocks of
guardian's own plan.

A block that only turns from held (free) to defended (busy), or back, keeps
its UID and time: the same VEVENT with TRANSP changed and a higher SEQUENCE,
which an import or a subscription applies as an update, not as a move.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from guardian.adapters.sources.base import ApplyResult, Identity, start_apply
from guardian.adapters.sources.ics.source import X_TAG, IcsSource
from guardian.core.model import (
    FOCUS_TITLE,
    GUARDIAN_TAG_VALUE,
    Block,
    BlockOp,
    Event,
    OpKind,
    Window,
)
from guardian.domain.focus import describe_block, describe_event
from guardian.errors import InputError

PRODID = "-//guardian//focus blocks//EN"


class BlockFile:
    """The focus-block calendar beside an .ics source."""

    def __init__(self, path: Path, identity: Identity, title: str = FOCUS_TITLE, state=None) -> None:
        self.path = Path(path)
        self.identity = identity
        self.title = title
        self.state = state  # records our blocks per calendar, keyed by UID, as providers do
        self.spec = f"ics:{self.path}"
        self.label = self.path.name

    def _calendar(self):
        import icalendar

        if not self.path.exists():
            cal = icalendar.Calendar()
            cal.add("PRODID", PRODID)
            cal.add("VERSION", "2.0")
            cal.add("X-WR-CALNAME", "guardian focus blocks")
            return cal
        try:
            return icalendar.Calendar.from_ical(self.path.read_bytes())
        except Exception as exc:
            raise InputError(
                f"{self.path}: the focus-block file is not valid iCalendar ({str(exc)[:120]})",
                hint="move it away; guardian will write a new one on the next apply",
            ) from None

    def own_blocks(self, window: Window) -> list[Event]:
        if not self.path.exists():
            return []
        events = IcsSource(self.path, self.identity).read(window)
        return [e for e in events if e.own_block and not e.cancelled]

    def apply(self, ops: Sequence[BlockOp]) -> ApplyResult:
        result, writes = start_apply(ops)
        if not writes:
            return result
        cal = self._calendar()
        by_uid = {
            str(c.get("UID")): c
            for c in cal.subcomponents
            if c.name == "VEVENT" and str(c.get(X_TAG) or "").lower() == GUARDIAN_TAG_VALUE
        }
        stamp = datetime.now(UTC).replace(microsecond=0)
        _drop_past_cancellations(cal, stamp)
        for op in writes:
            if op.kind is OpKind.CREATE:
                assert op.block is not None
                self._create(cal, op.block, stamp)
                result.created += 1
                result.details.append(f"created {describe_block(op.block)}")
            elif op.kind is OpKind.MOVE:
                assert op.block is not None and op.existing is not None
                component = by_uid.get(op.existing.uid)
                if component is None or _is_cancelled(component):
                    continue  # gone since we read it: the next run will create it
                _cancel(component, stamp)
                self._forget(op.existing.uid)
                self._create(cal, op.block, stamp)
                result.moved += 1
                result.details.append(f"moved {describe_event(op.existing)} to {describe_block(op.block)}")
            elif op.kind is OpKind.DELETE:
                assert op.existing is not None
                component = by_uid.get(op.existing.uid)
                if component is not None and not _is_cancelled(component):
                    _cancel(component, stamp)
                self._forget(op.existing.uid)
                result.deleted += 1
                result.details.append(f"deleted {describe_event(op.existing)}")
            elif op.kind.switches:
                assert op.block is not None and op.existing is not None
                component = by_uid.get(op.existing.uid)
                if component is None or _is_cancelled(component):
                    continue  # gone since we read it: the next run will create it
                show_as(component, op.block.defended, stamp)
                result.switched += 1
                result.details.append(f"{op.kind} {describe_block(op.block)}")
        declare_zones(cal)
        self._write(cal.to_ical())
        return result

    def _create(self, cal, block: Block, stamp: datetime) -> None:
        uid = f"guardian-{uuid.uuid4()}@guardian"
        cal.add_component(self._vevent(block, uid, stamp))
        self._record(uid, block)

    def _forget(self, uid: str) -> None:
        if self.state is not None:
            self.state.forget_block(self.spec, uid)

    def _record(self, uid: str, block: Block) -> None:
        if self.state is not None:
            self.state.record_block(self.spec, uid, block.start, block.end)

    def _vevent(self, block: Block, uid: str, stamp: datetime):
        return block_vevent(block, uid, stamp, self.title)

    def _write(self, data: bytes) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".guardian-", suffix=".ics", dir=self.path.parent)
        except OSError as exc:
            raise InputError(
                f"{self.path}: cannot write the focus-block file ({exc.strerror or exc})",
                hint="point --output or [focus] output at a file in a folder you can write to",
            ) from None
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise


def declare_zones(cal) -> None:
    """A VTIMEZONE for every TZID the file names: RFC 5545 3.2.19 requires one ("An individual
    VTIMEZONE calendar component MUST be specified for each unique TZID parameter value"), and
    a reader without it (ical.js, khal) takes the times as floating, hours off elsewhere.

    Built from zoneinfo's rules for the years the file's events span (a year either side):
    ical.js misreads the 1970-2038 transition lists icalendar writes by default, so the
    zones are rebuilt on every write to cover what the file holds.
    """
    import icalendar

    moments = [
        prop.dt
        for c in cal.subcomponents
        if c.name == "VEVENT"
        for prop in (c.get("DTSTART"), c.get("DTEND"))
        if prop is not None and isinstance(getattr(prop, "dt", None), datetime)
    ]
    if not moments:
        return
    first = (min(moments) - timedelta(days=366)).date()
    last = (max(moments) + timedelta(days=366)).date()
    declared = {str(c.get("TZID")): c for c in cal.subcomponents if c.name == "VTIMEZONE"}
    zones = []
    for tzid in sorted(cal.get_used_tzids() | set(declared)):
        try:
            zones.append(icalendar.Timezone.from_tzid(tzid, first_date=first, last_date=last))
        except Exception:  # a zone zoneinfo does not know (another client's): keep its own
            if tzid in declared:
                zones.append(declared[tzid])
    others = [c for c in cal.subcomponents if c.name != "VTIMEZONE"]
    cal.subcomponents[:] = zones + others  # readers expect the zones before the events


def _is_cancelled(component) -> bool:
    return str(component.get("STATUS") or "").upper() == "CANCELLED"


def _cancel(component, stamp: datetime) -> None:
    """The block once more, cancelled: same UID and time, the next SEQUENCE, STATUS:CANCELLED."""
    try:
        sequence = int(str(component.get("SEQUENCE", 0))) + 1
    except ValueError:
        sequence = 1
    for key in ("STATUS", "SEQUENCE", "DTSTAMP", "LAST-MODIFIED", "TRANSP", "X-MICROSOFT-CDO-BUSYSTATUS"):
        component.pop(key, None)
    component.add("STATUS", "CANCELLED")
    component.add("SEQUENCE", sequence)
    component.add("DTSTAMP", stamp)
    component.add("LAST-MODIFIED", stamp)
    component.add("TRANSP", "TRANSPARENT")  # a cancelled block never makes the person busy
    component.add("X-MICROSOFT-CDO-BUSYSTATUS", "FREE")


def _drop_past_cancellations(cal, now: datetime) -> None:
    """Cancelled copies whose time has passed can no longer matter to anyone: they go."""

    def over(component) -> bool:
        end = component.get("DTEND")
        moment = getattr(end, "dt", None)
        return isinstance(moment, datetime) and moment.tzinfo is not None and moment <= now

    cal.subcomponents[:] = [
        c
        for c in cal.subcomponents
        if not (
            c.name == "VEVENT"
            and str(c.get(X_TAG) or "").lower() == GUARDIAN_TAG_VALUE
            and _is_cancelled(c)
            and over(c)
        )
    ]


def show_as(component, defended: bool, stamp: datetime) -> None:
    """A block turned busy (defended) or free (held): TRANSP changed, the next SEQUENCE."""
    try:
        sequence = int(str(component.get("SEQUENCE", 0))) + 1
    except ValueError:
        sequence = 1
    for key in ("TRANSP", "X-MICROSOFT-CDO-BUSYSTATUS", "SEQUENCE", "DTSTAMP", "LAST-MODIFIED"):
        component.pop(key, None)
    component.add("TRANSP", "OPAQUE" if defended else "TRANSPARENT")
    component.add("X-MICROSOFT-CDO-BUSYSTATUS", "BUSY" if defended else "FREE")
    component.add("SEQUENCE", sequence)
    component.add("DTSTAMP", stamp)
    component.add("LAST-MODIFIED", stamp)


def block_vevent(block: Block, uid: str, stamp: datetime, title: str = FOCUS_TITLE):
    """One focus block as a VEVENT: private, no reminder, tagged X-GUARDIAN-TAG; busy
    when defended, free (TRANSP:TRANSPARENT) when held.

    The same event goes into the block file and onto a CalDAV server, so a
    block looks the same wherever the person keeps it.
    """
    import icalendar

    event = icalendar.Event()
    event.add("UID", uid)
    event.add("DTSTAMP", stamp)
    event.add("CREATED", stamp)
    event.add("DTSTART", block.start)
    event.add("DTEND", block.end)
    event.add("SUMMARY", title)
    event.add("DESCRIPTION", "Focus time booked by guardian. Move or delete it with `guardian focus apply`.")
    event.add("CLASS", "PRIVATE")
    event.add("TRANSP", "OPAQUE" if block.defended else "TRANSPARENT")
    event.add("CATEGORIES", ["Focus time"])
    event.add("X-MICROSOFT-CDO-BUSYSTATUS", "BUSY" if block.defended else "FREE")
    event.add(X_TAG, GUARDIAN_TAG_VALUE)
    return event  # no VALARM: focus time needs no reminder

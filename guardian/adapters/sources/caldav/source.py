"""`caldav:URL`: a calendar on a CalDAV server, read and (for focus blocks) written.

The objects come from `Collection` (a server-side time-range query, then the
sync token); they are mapped to Events by the .ics source itself (the same
tolerant parsing, recurring-ical-events expansion and Event mapping as for a
file), so a meeting reads the same wherever it is stored. Focus blocks go to
the calendar `focus_calendar` names (a URL or a display name; default: a
"Focus" calendar guardian creates on the first apply). Invitations are
answered by iTIP mail (`capabilities.rsvp == ""`), which CalDAV servers
deliver like any other reply.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from guardian.adapters.redact import redact
from guardian.adapters.settings import CalendarSettings, SyncHorizon
from guardian.adapters.sources.base import (
    ApplyResult,
    BlockHome,
    BlockOptions,
    BlockWriter,
    Capabilities,
    FreeBusy,
    Identity,
    Source,
)
from guardian.adapters.sources.caldav.collection import Collection, Item
from guardian.adapters.sources.caldav.connection import Connection, check_url, read_password
from guardian.core.model import BlockOp, Event, Window

if TYPE_CHECKING:
    from guardian.adapters.settings import Settings
    from guardian.adapters.sources.caldav.writer import FocusCalendar
    from guardian.adapters.sources.ics.source import IcsSource
    from guardian.adapters.state import State

SCHEME = "caldav"


def configured(target: str, settings: Settings) -> tuple[str, CalendarSettings | None]:
    """The [calendars.NAME] whose source is `caldav:target` (its keys say how to sign in)."""
    wanted = target.rstrip("/")
    for name, calendar in settings.calendars.items():
        scheme, _, rest = calendar.source.strip().partition(":")
        if scheme.lower() == SCHEME and rest.strip().rstrip("/") == wanted:
            return name, calendar
    return "", None


class CalDavSource(Source):
    """One calendar collection on a CalDAV server."""

    capabilities = Capabilities(blocks=BlockHome.IN_PLACE, rsvp="", needs_state=True, free_busy=True)

    @classmethod
    def open(
        cls,
        target: str,
        settings: Settings,
        identity: Identity,
        state: State | None,
        *,
        base_dir: Path | None = None,
    ) -> CalDavSource:
        url = check_url(target.strip())
        name, calendar = configured(target.strip(), settings)
        calendar = calendar or CalendarSettings(source=f"{SCHEME}:{target}")
        password = read_password(name or redact(url), calendar.password_env, calendar.password_file)
        if calendar.username and password is None:
            raise_missing_password(name)
        connection = Connection(url, calendar.username, password)
        return cls(url, identity, state, connection, focus_calendar=calendar.focus_calendar)

    def __init__(
        self,
        url: str,
        identity: Identity,
        state: State | None,
        connection: Connection,
        *,
        focus_calendar: str = "",
        horizon: SyncHorizon = SyncHorizon(),
    ) -> None:
        self.url = check_url(url)
        self.identity = identity
        self.state = state
        self.connection = connection
        self.focus_calendar = focus_calendar
        self.horizon = horizon
        self.collection = Collection(connection, self.url, state, identity.tz, horizon)
        self.spec = self.collection.where
        self.label = _label(self.url)
        self._mapped: tuple[tuple, IcsSource] | None = None
        self._writer: FocusCalendar | None = None

    def __repr__(self) -> str:
        return f"CalDavSource({self.spec!r})"

    def read(self, window: Window) -> list[Event]:
        return events_of(self, self.collection.items(window), window)

    def block_writer(self, options: BlockOptions, state: State | None = None) -> BlockWriter:
        from guardian.adapters.sources.caldav.writer import FocusCalendar

        if self._writer is None or self._writer.title != options.title:
            self._writer = FocusCalendar(self, options.title)
        return self._writer

    # The source's own blocks and writes are those of its focus calendar.
    def own_blocks(self, window: Window) -> list[Event]:
        return self.block_writer(BlockOptions()).own_blocks(window)

    def apply(self, ops: Sequence[BlockOp]) -> ApplyResult:
        return self.block_writer(BlockOptions()).apply(ops)

    def free_busy(self) -> FreeBusy:
        """Other people's busy times through my schedule outbox, where the server has one."""
        from guardian.adapters.sources.caldav.freebusy import CalDavFreeBusy

        return CalDavFreeBusy(self.connection)


def events_of(owner, items: list[Item], window: Window) -> list[Event]:
    """The Events of `items`, mapped by the .ics source (kept while the items are unchanged)."""
    from guardian.adapters.sources.ics.source import IcsSource

    if not items:
        return []
    key = tuple(sorted((i.href, i.etag) for i in items))
    if owner._mapped is None or owner._mapped[0] != key:
        data = "\r\n".join(i.ics.strip() for i in items).encode("utf-8")
        ics = IcsSource(
            Path(owner.label),
            owner.identity,
            data=data,
            spec=owner.spec,
            label=owner.label,
            where=owner.collection.where,
        )
        owner._mapped = (key, ics)
    return owner._mapped[1].read(window)


def raise_missing_password(name: str) -> None:
    from guardian.errors import InputError

    raise InputError(
        f"calendars.{name}: a username without a password",
        hint="add password_env (the name of an environment variable) or password_file (mode 0600)",
    )


def _label(url: str) -> str:
    """`host/calendar`, from the redacted URL (a share token in the path stays hidden)."""
    shown = urlsplit(redact(url))
    last = [p for p in shown.path.split("/") if p]
    return f"{shown.hostname}/{last[-1]}" if last else str(shown.hostname)

"""`google:CALENDAR_ID`: a Google calendar as a guardian Source.

This module only ties the parts together and says what the source can do:

- `transport`: the API client, retries, Google's errors in guardian's words;
- `sync`: the raw items of a window (sync tokens over a cached horizon);
- `series`: when each recurring series ends (its master, read once);
- `mapping`: a raw item -> `Event` (pure);
- `writes`: focus blocks (focusTime, tagged; batched), the only writes;
- `rsvp`: answering an invitation.

Reads use events.list with singleEvents=true (recurring series arrive
expanded), 2500 a page and a `fields` mask with only what the mapping reads.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any

from guardian.adapters.endpoints import require_secure
from guardian.adapters.settings import GoogleSettings
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
from guardian.adapters.sources.google import mapping, rsvp
from guardian.adapters.sources.google.series import SeriesEnds
from guardian.adapters.sources.google.sync import GoogleSync
from guardian.adapters.sources.google.transport import GoogleTransport
from guardian.adapters.sources.google.writes import BlockWrites
from guardian.core.model import BlockOp, Event, Status, Window

if TYPE_CHECKING:
    from guardian.adapters.settings import Settings
    from guardian.adapters.state import State


class GoogleSource(Source):
    """`google:CALENDAR_ID` (`primary` by default)."""

    capabilities = Capabilities(blocks=BlockHome.IN_PLACE, rsvp="google", needs_state=True, free_busy=True)

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
        state: State | None = None,
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
        tz = self.identity.tz
        self.transport = GoogleTransport(
            self.calendar_id, self.settings, credentials=credentials, sleep=sleep
        )
        self.series = SeriesEnds(self.transport, state, tz)
        self.sync = GoogleSync(self.transport, state, self.series, tz, self.settings.horizon, self.spec)
        self.writes = BlockWrites(
            self.transport,
            state,
            self.settings,
            tz,
            self.spec,
            sync_key=self.sync.key,
            changed=self.sync.changed,
        )
        self._me = self.identity.me or mapping.personal(self.calendar_id)

    @property
    def api_endpoint(self) -> str:
        return self.transport.api_endpoint

    @api_endpoint.setter
    def api_endpoint(self, value: str) -> None:  # e.g. a proxy, or a test's unreachable port
        self.transport.api_endpoint = require_secure(value, "[google] api_endpoint")

    @property
    def focus_time_rejected(self) -> bool:
        """Whether Google refused focusTime on this calendar (blocks are busy events then)."""
        return self.writes.focus_time_rejected

    def block_writer(self, options: BlockOptions, state: State | None = None) -> BlockWriter:
        return self  # blocks are tagged events in this calendar

    # --- reading -------------------------------------------------------------------

    def read(self, window: Window) -> list[Event]:
        events = [e for e in self._events(self.sync.items(window)) if window.overlaps(e.start, e.end)]
        events.sort(key=lambda e: (e.start, e.end, e.uid))
        return events

    def own_blocks(self, window: Window) -> list[Event]:
        """guardian's blocks in `window`, recognised by the private tag (never the title).

        With a state store the synced cache answers (the sync already brought
        every change); without one, Google filters by the tag itself.
        """
        if self.state is not None:
            items = [it for it in self.sync.items(window) if mapping.is_own_block(it)]
        else:
            items = self.sync.own_items(window)
        blocks = [e for e in self._events(items) if e.own_block and window.overlaps(e.start, e.end)]
        blocks.sort(key=lambda e: (e.start, e.end))
        return blocks

    def _events(self, items: list[dict]) -> list[Event]:
        out = []
        for item in items:
            if not mapping.wanted(item):
                continue
            self._me = mapping.learn_me(item, self._me)
            series = mapping.series_id(item)
            event = mapping.to_event(
                item,
                identity=self.identity,
                spec=self.spec,
                me=self._me,
                series_end=self.series.end(series) if series else None,
            )
            if event is not None:
                out.append(event)
        return out

    # --- writing -------------------------------------------------------------------

    def apply(self, ops: Sequence[BlockOp]) -> ApplyResult:
        return self.writes.apply(ops)

    def free_busy(self) -> FreeBusy:
        """Other people's busy times through `freebusy.query` (see `freebusy`)."""
        from guardian.adapters.sources.google.freebusy import GoogleFreeBusy

        return GoogleFreeBusy(self.transport)

    def respond(self, event: Event, status: Status, comment: str) -> None:
        """Answer an invitation: my attendee entry gets `status` and `comment` (see `rsvp`)."""
        self.sync.changed()
        rsvp.respond(
            self.transport, event, status, comment, identity=self.identity, me=self._me, spec=self.spec
        )

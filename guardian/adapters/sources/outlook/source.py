"""`outlook:me` / `outlook:USER`: a Microsoft 365 calendar as a guardian Source.

This module only ties the parts together and says what the source can do:

- `transport`: the Graph session, retries, Graph's errors in guardian's words;
- `sync`: the raw items of a window (calendarView, or delta over a cached horizon);
- `series`: when each recurring series ends (its master, read once);
- `mapping`: a Graph event -> `Event` (pure);
- `writes`: focus blocks (tagged; batched), the only writes;
- `rsvp`: answering an invitation.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from guardian.adapters.settings import OutlookSettings
from guardian.adapters.sources.base import (
    ApplyResult,
    BlockHome,
    BlockOptions,
    BlockWriter,
    Capabilities,
    FreeBusy,
    Identity,
    Presence,
    Source,
)
from guardian.adapters.sources.outlook import mapping, rsvp
from guardian.adapters.sources.outlook.series import SeriesEnds
from guardian.adapters.sources.outlook.sync import GraphSync
from guardian.adapters.sources.outlook.transport import GraphTransport
from guardian.adapters.sources.outlook.writes import BlockWrites
from guardian.core.model import BlockOp, Event, Status, Window

if TYPE_CHECKING:
    from guardian.adapters.settings import Settings
    from guardian.adapters.state import State


class OutlookSource(Source):
    """`outlook:me` (delegated) or `outlook:USER@DOMAIN` (app-only)."""

    capabilities = Capabilities(
        blocks=BlockHome.IN_PLACE, rsvp="outlook", needs_state=True, free_busy=True, presence=True
    )

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
        state: State | None = None,
        settings: OutlookSettings | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.user = user or "me"
        self.identity = identity
        self.state = state
        self.settings = settings or OutlookSettings()
        self.transport = GraphTransport(self.user, self.settings, sleep=sleep)
        self.spec = self.transport.spec
        self.label = self.spec
        self.sync = GraphSync(self.transport, state, self.settings, identity.tz)
        self.series = SeriesEnds(self.transport, state, identity.tz)
        self.writes = BlockWrites(
            self.transport, state, self.settings.focus_category, changed=self.sync.changed
        )
        # who I am, for `external`: configured, the mailbox named, or learned from the
        # organizer of events I organize (Graph marks no attendee as "self")
        self._me = identity.me or (self.user if "@" in self.user else None)

    def block_writer(self, options: BlockOptions, state: State | None = None) -> BlockWriter:
        return self  # blocks are tagged events in this mailbox's calendar

    # --- reading -------------------------------------------------------------------

    def read(self, window: Window) -> list[Event]:
        items = self.sync.items(window)
        self.series.load(items)
        self._me = mapping.learn_me(items, self._me)
        events = [self._event(it) for it in items]
        return sorted(
            (e for e in events if window.overlaps(e.start, e.end) or e.start == e.end == window.start),
            key=lambda e: (e.start, e.end, e.uid),
        )

    def own_blocks(self, window: Window) -> list[Event]:
        """guardian's blocks in `window`, found by their tag (never their title)."""
        blocks = [self._event(it) for it in self.sync.own_items()]
        return sorted((e for e in blocks if window.overlaps(e.start, e.end)), key=lambda e: (e.start, e.end))

    def _event(self, item: dict) -> Event:
        master = mapping.series_master(item)
        return mapping.to_event(
            item,
            identity=self.identity,
            spec=self.spec,
            focus_category=self.settings.focus_category,
            me=self._me,
            series_end=self.series.end(master) if master else None,
        )

    # --- writing -------------------------------------------------------------------

    def apply(self, ops: Sequence[BlockOp]) -> ApplyResult:
        return self.writes.apply(ops)

    def respond(self, event: Event, status: Status, comment: str) -> None:
        rsvp.respond(self.transport, event, status, comment)

    def free_busy(self) -> FreeBusy:
        """Other people's busy times through `calendar: getSchedule` (see `schedule`)."""
        from guardian.adapters.sources.outlook.schedule import GraphSchedule

        return GraphSchedule(self.transport)

    def presence(self) -> Presence:
        """My Teams presence, set to do not disturb during a focus block (see `presence`)."""
        from guardian.adapters.sources.outlook.presence import GraphPresence

        return GraphPresence(self.user, self.settings, sleep=self.transport.sleep)

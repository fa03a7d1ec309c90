"""The raw Google items of a window: a windowed listing, or an incremental sync over a horizon.

Google refuses a syncToken together with timeMin/timeMax, so with a state
store the source syncs a fixed *horizon* around the asked window (the one
policy of `guardian.adapters.sources.sync.horizon`: `sync_lookback_days`
before its first day to `sync_ahead_days` after its last). The first read
lists that horizon in full and keeps every raw item in the state store with
the nextSyncToken; later reads whose window lies inside the horizon send
only the sync token and apply the changes (cancelled items leave the cache).
A sync reports a deleted series as its recurring event's id and a series cut
short by a few of its cancelled instances only, so a deleted series drops
every cached instance of it, and a series with a cancelled instance is read
again with one events.instances call: no ghost meetings stay behind.
A window outside the stored horizon starts a new full sync; a 410 GONE
(token expired) drops the cache and syncs in full again. The token, the
horizon and the cache change in one state transaction, so a crash leaves the
previous consistent state. Without a state store every read is a windowed
listing.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING

from guardian.adapters.settings import SyncHorizon
from guardian.adapters.sources.google.series import SeriesEnds
from guardian.adapters.sources.google.transport import Gone, GoogleTransport
from guardian.adapters.sources.sync import horizon, load_sync, save_sync
from guardian.core.model import GUARDIAN_TAG, GUARDIAN_TAG_VALUE, Window

if TYPE_CHECKING:
    from guardian.adapters.state import State

REUSE_SECONDS = 60.0  # a sync this recent (and no write since) is reused within a run

log = logging.getLogger("guardian.google")  # counts and ids only: never tokens


class GoogleSync:
    """Brings one calendar's raw items up to date, in the state store when there is one."""

    def __init__(
        self,
        transport: GoogleTransport,
        state: State | None,
        series: SeriesEnds,
        tz: tzinfo,
        policy: SyncHorizon,
        spec: str,
    ) -> None:
        self.transport = transport
        self.state = state
        self.series = series
        self.tz = tz
        self.policy = policy
        self.spec = spec
        self._fresh_at: float | None = None  # monotonic time of the last sync in this process

    @property
    def key(self) -> str:
        """Where the sync mark and the cached items are kept in the state store."""
        return f"google:{self.transport.calendar_id}"

    def changed(self) -> None:
        """The calendar was written to: the next read syncs again."""
        self._fresh_at = None

    def items(self, window: Window) -> list[dict]:
        """The raw items of the horizon around `window` (or of `window`), brought up to date."""
        if self.state is None:
            items, _ = self.transport.list_events(
                "listing events",
                timeMin=window.start.astimezone(UTC).isoformat(),
                timeMax=window.end.astimezone(UTC).isoformat(),
            )
            return items
        state = self.state
        stored = load_sync(state, self.key, "token")
        fresh = self._fresh_at is not None and time.monotonic() - self._fresh_at < REUSE_SECONDS
        if stored is not None and stored.covers(window.start, window.end):
            if fresh:
                return list(state.cached_items(self.key).values())
            try:
                self._incremental(state, stored.cursor, stored.start, stored.end)
            except Gone:
                log.info("%s: sync token expired (410), syncing in full", self.spec)
                self._full_sync(state, stored.start, stored.end)
        else:
            start, end = horizon(window, self.tz, self.policy)
            self._full_sync(state, start, end)
        self._fresh_at = time.monotonic()
        return list(state.cached_items(self.key).values())

    def own_items(self, window: Window) -> list[dict]:
        """guardian's blocks in `window` as raw items: Google filters by the private tag itself."""
        items, _ = self.transport.list_events(
            "listing guardian's blocks",
            timeMin=window.start.astimezone(UTC).isoformat(),
            timeMax=window.end.astimezone(UTC).isoformat(),
            privateExtendedProperty=f"{GUARDIAN_TAG}={GUARDIAN_TAG_VALUE}",
        )
        return items

    def _full_sync(self, state: State, start: datetime, end: datetime) -> None:
        """List the horizon in full; series masters are read again too (changes to
        them since the last sync token would otherwise never be seen)."""
        items, token = self.transport.list_events(
            "listing events", timeMin=start.isoformat(), timeMax=end.isoformat()
        )
        live = {it["id"]: it for it in items if it.get("status") != "cancelled"}
        log.debug("%s: full sync of %s..%s: %d events", self.spec, start, end, len(live))
        with state.transaction():
            state.clear_items(self.key)
            state.put_items(self.key, live)
            self.series.forget_all()
            save_sync(state, self.key, "token", token, start, end)

    def _incremental(self, state: State, token: str, start: datetime, end: datetime) -> None:
        items, new_token = self.transport.list_events("syncing events", syncToken=token)
        gone = {it["id"] for it in items if it.get("status") == "cancelled"}
        live = {it["id"]: it for it in items if it.get("status") != "cancelled"}
        touched = {it["recurringEventId"] for it in items if it.get("recurringEventId")}
        cached = state.cached_items(self.key)
        by_series: dict[str, set[str]] = {}
        for item_id, item in cached.items():
            if item.get("recurringEventId"):
                by_series.setdefault(str(item["recurringEventId"]), set()).add(item_id)
        # A deleted series arrives as its recurring event's id alone ("Deleted events are
        # only guaranteed to have the id field populated"): all its instances go.
        deleted = {g for g in gone if g in by_series}
        # A series cut short (or an instance deleted) shows only some of its cancelled
        # instances: ask Google for the series' instances of the horizon, once each.
        cut = {
            str(it["recurringEventId"])
            for it in items
            if it.get("status") == "cancelled" and it.get("recurringEventId")
        } - deleted
        for series in sorted(cut):
            current = self.transport.list_instances(
                "reading a changed series", series, timeMin=start.isoformat(), timeMax=end.isoformat()
            )
            if current is None:  # the series is gone altogether
                deleted.add(series)
                continue
            keep = {it["id"]: it for it in current if it.get("status") != "cancelled"}
            gone |= by_series.get(series, set()) - set(keep)
            live.update(keep)
        for series in deleted:
            gone |= by_series.get(series, set())
        for item_id in gone:
            live.pop(item_id, None)
        log.debug("%s: incremental sync: %d changed, %d removed", self.spec, len(live), len(gone))
        with state.transaction():
            if gone:
                state.delete_items(self.key, sorted(gone))
            if live:
                state.put_items(self.key, live)
            self.series.forget(touched | deleted)
            save_sync(state, self.key, "token", new_token or token, start, end)

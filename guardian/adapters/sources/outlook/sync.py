"""The raw Outlook items of a window: a calendarView listing, or calendarView/delta over a horizon.

Without a state store (or with `delta = false`) every read lists the
window's calendarView (every property: the creation time is returned only
without $select). With one, a horizon around the window
(`guardian.adapters.sources.sync.horizon`: `sync_lookback_days` before its
first day to `sync_ahead_days` after its last, as for Google) is kept in
sync through calendarView/delta: the first run lists the horizon, later runs
fetch only what changed (an expired delta link, answered with any of the
documented sync-state errors, or a window outside the horizon, starts
over; any other failure is reported); the deltaLink, the horizon and the cached items change in one state
transaction.

guardian's own blocks are found with the one query Microsoft documents for
it: `GET /events?$filter=singleValueExtendedProperties/Any(...)` on the
tag ("The filter is applied to all instances of the resource in the
signed-in user's mailbox"; the answer does not carry the property itself,
https://learn.microsoft.com/en-us/graph/api/singlevaluelegacyextendedproperty-get).
calendarView is never filtered or expanded on the property: that is not
documented, and servers have been reported to fail on it. The tagged events
are asked for once a run (and again after guardian writes), so read() and
own_blocks() share them.
"""

from __future__ import annotations

import logging
from datetime import UTC, tzinfo
from typing import TYPE_CHECKING

from guardian.adapters.settings import OutlookSettings
from guardian.adapters.sources.outlook.mapping import TAG_PROPERTY_ID
from guardian.adapters.sources.outlook.transport import (
    SYNC_RESET_STATUSES,
    GraphFailure,
    GraphTransport,
    is_sync_reset,
)
from guardian.adapters.sources.sync import horizon, load_sync, save_sync
from guardian.core.model import GUARDIAN_TAG_VALUE, Window
from guardian.errors import ProviderError

if TYPE_CHECKING:
    from guardian.adapters.state import State

#: what the mapping reads of guardian's own blocks (no creation time needed)
OWN_SELECT = (
    "id,subject,body,start,end,isAllDay,showAs,isCancelled,isOrganizer,responseStatus,"
    "attendees,organizer,onlineMeeting,onlineMeetingUrl,hasAttachments,"
    "type,seriesMasterId,iCalUId,originalStart,categories,location"
)


log = logging.getLogger("guardian.outlook")  # counts and codes only: never tokens or links

#: the documented filter on guardian's tag (a string property: eq on its value)
OWN_FILTER = (
    f"singleValueExtendedProperties/Any(ep: ep/id eq '{TAG_PROPERTY_ID}' "
    f"and ep/value eq '{GUARDIAN_TAG_VALUE}')"
)
_TAG = {"id": TAG_PROPERTY_ID, "value": GUARDIAN_TAG_VALUE}


class GraphSync:
    """Brings one mailbox's raw items up to date, by delta when there is a state store."""

    def __init__(
        self, transport: GraphTransport, state: State | None, settings: OutlookSettings, tz: tzinfo
    ) -> None:
        self.transport = transport
        self.state = state
        self.settings = settings
        self.tz = tz  # the horizon is whole days in my zone
        self.page_size = settings.page_size
        self._own: list[dict] | None = None  # guardian's tagged events, as /events found them this run

    @property
    def key(self) -> str:
        """Where the deltaLink and the cached items are kept in the state store."""
        return f"outlook:{self.transport.user}"

    def changed(self) -> None:
        """The calendar is about to be written to: the tagged events seen so far are stale."""
        self._own = None

    def items(self, window: Window) -> list[dict]:
        """The raw items of `window` (of its horizon, when synced by delta), guardian's tagged."""
        if self.state is not None and self.settings.delta:
            return self._synced_items(self.state, window)
        items = list(
            self.transport.pages(
                f"{self.transport.base}/calendarView", self._view_params(window), "reading the calendar"
            )
        )
        return self._mark_own(items)

    def own_items(self) -> list[dict]:
        """guardian's blocks in the mailbox as raw items, each carrying the tag it was found by."""
        if self._own is None:
            params = {"$filter": OWN_FILTER, "$select": OWN_SELECT, "$top": str(self.page_size)}
            found = self.transport.pages(f"{self.transport.base}/events", params, "finding guardian's blocks")
            # a block is a single event; the answer leaves the property out, the filter matched it
            self._own = [
                dict(it, singleValueExtendedProperties=[dict(_TAG)])
                for it in found
                if it.get("type") in (None, "singleInstance")
            ]
        return self._own

    def _mark_own(self, items: list[dict]) -> list[dict]:
        own = {it["id"] for it in self.own_items()}
        return [
            dict(it, singleValueExtendedProperties=[dict(_TAG)]) if it.get("id") in own else it
            for it in items
        ]

    def _view_params(self, window: Window) -> dict:
        """The window's calendarView, without $select: "The createdDateTime and
        lastModifiedDateTime properties of event do not support $select. To get their
        values, simply query on calendarView without applying $select."
        (https://learn.microsoft.com/en-us/graph/api/user-list-calendarview). The
        late-invite rule (D002) needs the creation time."""
        return {
            "startDateTime": window.start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "endDateTime": window.end.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "$top": str(self.page_size),
        }

    # --- calendarView/delta over a cached horizon ----------------------------------------

    def _synced_items(self, state: State, window: Window) -> list[dict]:
        """The raw items of a cached horizon around `window`, brought up to date by delta.

        calendarView/delta takes no $select/$expand, so the tag is not in its
        items: the tagged ids come from `own_items()` (which own_blocks() reuses).
        """
        saved = load_sync(state, self.key, "link")
        if saved is not None and not self.transport.is_own(saved.cursor):
            # never send the token to a stored link's host that is not the configured one
            log.warning(
                "%s: the saved delta link points at another host; syncing in full", self.transport.spec
            )
            saved = None
        items: dict[str, dict] | None = None
        if saved is not None and saved.covers(window.start, window.end):
            try:
                changes, link = self._delta_round(saved.cursor, None)
            except GraphFailure as exc:
                if not is_sync_reset(exc):
                    raise self.transport.failure(exc, "syncing the calendar") from None
                log.info(
                    "%s: the delta link expired (%s %s), syncing in full",
                    self.transport.spec,
                    exc.status,
                    exc.code,
                )
                saved = None
            else:
                with state.transaction():
                    cached = state.cached_items(self.key)
                    gone, fresh = self._apply_changes(cached, changes)
                    if gone:
                        state.delete_items(self.key, gone)
                    if fresh:
                        state.put_items(self.key, fresh)
                    save_sync(state, self.key, "link", link, saved.start, saved.end)
                items = cached
        else:
            saved = None
        if saved is None:
            start, end = horizon(window, self.tz, self.settings.horizon)
            params = {
                "startDateTime": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "endDateTime": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
            try:
                changes, link = self._delta_round(f"{self.transport.base}/calendarView/delta", params)
            except GraphFailure as exc:  # a fresh round has no sync state to reset
                raise self.transport.failure(exc, "syncing the calendar") from None
            items = {}
            _, fresh = self._apply_changes(items, changes)
            with state.transaction():
                state.clear_items(self.key)
                state.put_items(self.key, fresh)
                save_sync(state, self.key, "link", link, start, end)
        return self._mark_own([it for it in (items or {}).values() if it.get("type") != "seriesMaster"])

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
        """Follow nextLinks to the deltaLink; a 40x answer raises GraphFailure (see is_sync_reset)."""
        changes: list[dict] = []
        query = params
        while True:
            _, payload = self.transport.call(
                "GET", url, params=query, what="syncing the calendar", passthrough=SYNC_RESET_STATUSES
            )
            payload = payload or {}
            changes.extend(payload.get("value") or [])
            query = None
            if payload.get("@odata.nextLink"):
                url = payload["@odata.nextLink"]
                continue
            link = payload.get("@odata.deltaLink")
            if not link:
                raise ProviderError(f"{self.transport.spec}: Microsoft Graph sent no deltaLink")
            return changes, link

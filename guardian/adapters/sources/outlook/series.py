"""When a recurring Outlook series ends, from its master's recurrence.

calendarView returns instances, never masters, so each series master is
read once (its recurrence and start; several in one `$batch`) and remembered:
in memory for the run and in the state store for SERIES_TTL, after which a
later run reads it again (a series cut short meanwhile then stops being
endless). A master guardian cannot read counts as endless; `mapping.master_end`
turns a master's patternedRecurrence into its end.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from guardian.adapters.sources.outlook.mapping import master_end, series_master
from guardian.adapters.sources.outlook.transport import GraphFailure, GraphTransport

if TYPE_CHECKING:
    from guardian.adapters.state import State

SERIES_TTL = timedelta(hours=20)  # how long a fetched series range is trusted
MASTER_SELECT = "recurrence,start,isAllDay"  # what `mapping.master_end` reads


class SeriesEnds:
    """The series end of each recurring series of one mailbox, looked up once."""

    def __init__(self, transport: GraphTransport, state: State | None, tz: tzinfo) -> None:
        self.transport = transport
        self.state = state
        self.tz = tz
        self._ends: dict[str, datetime | None] = {}

    @property
    def key(self) -> str:
        """Where the masters' recurrences are kept in the state store."""
        return f"outlook:{self.transport.user}:series"

    def end(self, master: str) -> datetime | None:
        """When the series `master` ends (after `load`); None for an endless or unknown one."""
        return self._ends.get(master)

    def load(self, items: Iterable[Mapping[str, Any]]) -> None:
        """Learn the end of every series the items belong to that is not known yet."""
        wanted = {m for m in map(series_master, items) if m and m not in self._ends}
        if not wanted:
            return
        now = datetime.now(UTC)
        if self.state is not None:
            cached = self.state.cached_items(self.key)
            for master in list(wanted):
                entry = cached.get(master)
                # entries from before guardian kept the master's start are read again
                if entry and "start" in entry and now - datetime.fromisoformat(entry["fetched"]) < SERIES_TTL:
                    self._ends[master] = master_end(entry, self.tz)
                    wanted.discard(master)
        masters = sorted(wanted)
        if not masters:
            return
        base = self.transport.base
        reqs = [
            {"method": "GET", "url": f"{base}/events/{quote(m, safe='')}?$select={MASTER_SELECT}"}
            for m in masters
        ]
        if len(reqs) == 1:
            try:
                _, body = self.transport.call(
                    "GET", reqs[0]["url"], what="reading a series", passthrough=(404,)
                )
                results = [{"status": 200, "body": body}]
            except GraphFailure:
                results = [{"status": 404, "body": None}]
        else:
            results = self.transport.batch(reqs, write=False)
        fetched = {}
        for master, res in zip(masters, results, strict=False):
            body = (res.get("body") if res.get("status") == 200 else None) or {}
            entry = {k: body.get(k) for k in ("recurrence", "start", "isAllDay")}
            self._ends[master] = master_end(entry, self.tz)
            if res.get("status") == 200:
                fetched[master] = dict(entry, fetched=now.isoformat())
        if self.state is not None and fetched:
            with self.state.transaction():
                self.state.put_items(self.key, fetched)

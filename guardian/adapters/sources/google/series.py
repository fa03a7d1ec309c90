"""When a recurring Google series ends, from its master event.

singleEvents=true items do not carry the RRULE, so the series master is
read with events.get once per series and kept: in memory for the run, and in
the state store (when there is one) for later runs; `mapping.master_end`
reads its end. The incremental sync forgets a series when it sees a change
to one of its instances (a truncated series cancels its later instances),
and a full sync forgets them all.

A master guardian may not see (403/404: someone else's series on a shared
calendar) counts as endless and is not asked for again.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from guardian.adapters.sources.google.mapping import master_end
from guardian.adapters.sources.google.transport import GoogleTransport
from guardian.errors import AuthError, ProviderError

if TYPE_CHECKING:
    from guardian.adapters.state import State

MASTER_FIELDS = "id,status,start,end,recurrence"


class SeriesEnds:
    """The series end of each recurring series of one calendar, looked up once."""

    def __init__(self, transport: GoogleTransport, state: State | None, tz: tzinfo) -> None:
        self.transport = transport
        self.state = state
        self.tz = tz
        self._masters: dict[str, dict] = {}

    @property
    def key(self) -> str:
        """Where the masters are kept in the state store."""
        return f"google-series:{self.transport.calendar_id}"

    def end(self, series: str) -> datetime | None:
        """When `series` ends: None for an endless (or invisible) one."""
        return master_end(self._master(series), self.tz)

    def forget(self, series: Iterable[str]) -> None:
        """Read these masters again next time (call inside the sync's transaction)."""
        ids = sorted(set(series))
        if ids and self.state is not None:
            self.state.delete_items(self.key, ids)
        for one in ids:
            self._masters.pop(one, None)

    def forget_all(self) -> None:
        """Read every master again next time (call inside the sync's transaction)."""
        if self.state is not None:
            self.state.clear_items(self.key)
        self._masters.clear()

    def _master(self, series: str) -> dict:
        if series in self._masters:
            return self._masters[series]
        master = None
        if self.state is not None:
            master = self.state.cached_items(self.key).get(series)
        if master is None:
            svc = self.transport.service()
            calendar = self.transport.calendar_id
            try:
                got = self.transport.call(
                    "reading a recurring series",
                    lambda: svc.events().get(calendarId=calendar, eventId=series, fields=MASTER_FIELDS),
                )
                master = {k: got[k] for k in ("start", "end", "recurrence") if k in got}
            except ProviderError as exc:
                if exc.status not in (403, 404) or isinstance(exc, AuthError):
                    raise
                master = {}  # not visible to us: treat as endless, do not ask again
            if self.state is not None:
                with self.state.transaction():
                    self.state.put_items(self.key, {series: master})
        self._masters[series] = master
        return master

"""Incremental sync for every provider that has it: one horizon policy, one saved mark.

A provider's incremental sync (Google's sync tokens, Graph's delta links)
covers a fixed span of time, the *horizon*, not the window a command asks
for: Google refuses a sync token together with timeMin/timeMax, and a delta
link belongs to the calendarView span it was started on. So every provider
syncs the same horizon around the asked window (`horizon`), from
`lookback_days` before the window's first day to `ahead_days` after its last
day, both at midnight in the user's zone (`[google]` and `[outlook]`
`sync_lookback_days`, `sync_ahead_days`): the nightly window and an ad-hoc
audit of the coming week fall inside one stored horizon, and a window inside
it reuses the cursor instead of listing everything again.

Where the sync stands is saved in the state store as a `SyncMark`: the
provider's cursor plus the horizon it covers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from datetime import time as dtime
from typing import TYPE_CHECKING

from guardian.adapters.settings import SyncHorizon
from guardian.core.model import Window

if TYPE_CHECKING:
    from guardian.adapters.state import State


def horizon(window: Window, tz: tzinfo, policy: SyncHorizon) -> tuple[datetime, datetime]:
    """The span [start, end) a provider syncs for `window`, in UTC.

    From midnight (in `tz`) of the window's first day minus `lookback_days`
    to the midnight that ends its last day plus `ahead_days`. Whole local
    days, so two windows of the same days get the same horizon whatever
    their hours, and the horizon covers its window even with both set to 0.
    """
    first = window.start.astimezone(tz).date()
    end_local = window.end.astimezone(tz)
    after_last = end_local.date()
    if window.end > datetime.combine(after_last, dtime(0), tz):  # ends during a day: include it
        after_last += timedelta(days=1)
    start = datetime.combine(first, dtime(0), tz) - timedelta(days=policy.lookback_days)
    end = datetime.combine(after_last, dtime(0), tz) + timedelta(days=policy.ahead_days)
    return start.astimezone(UTC), end.astimezone(UTC)


@dataclass(frozen=True)
class SyncMark:
    """Where an incremental sync stands: the provider's cursor (Google's sync
    token, Graph's deltaLink) and the horizon [start, end) it covers."""

    cursor: str
    start: datetime
    end: datetime

    def covers(self, start: datetime, end: datetime) -> bool:
        return self.start <= start and end <= self.end


def load_sync(state: State, key: str, field: str) -> SyncMark | None:
    """The mark saved under `key` (its cursor stored as `field`), or None."""
    raw = state.sync_token(key)
    if not raw:
        return None
    try:
        data = json.loads(raw)
        return SyncMark(
            str(data[field]), datetime.fromisoformat(data["start"]), datetime.fromisoformat(data["end"])
        )
    except (ValueError, KeyError, TypeError):
        return None


def save_sync(state: State, key: str, field: str, cursor: str | None, start: datetime, end: datetime) -> None:
    """Save the mark (no cursor: forget it, so the next read syncs in full)."""
    value = (
        json.dumps({field: cursor, "start": start.isoformat(), "end": end.isoformat()}) if cursor else None
    )
    state.set_sync_token(key, value)

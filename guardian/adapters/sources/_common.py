"""Small pieces both remote sources (Google, Outlook) need the same way."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class SyncMark:
    """Where an incremental sync stands: the provider's cursor (Google's sync
    token, Graph's deltaLink) and the horizon [start, end) it covers."""

    cursor: str
    start: datetime
    end: datetime

    def covers(self, start: datetime, end: datetime) -> bool:
        return self.start <= start and end <= self.end


def load_sync(state: Any, key: str, field: str) -> SyncMark | None:
    """The mark saved under `key` (its cursor stored as `field`), or None."""
    raw = state.sync_token(key) if state is not None else None
    if not raw:
        return None
    try:
        data = json.loads(raw)
        return SyncMark(
            str(data[field]), datetime.fromisoformat(data["start"]), datetime.fromisoformat(data["end"])
        )
    except (ValueError, KeyError, TypeError):
        return None


def save_sync(state: Any, key: str, field: str, cursor: str | None, start: datetime, end: datetime) -> None:
    """Save the mark (no cursor: forget it, so the next read syncs in full)."""
    value = (
        json.dumps({field: cursor, "start": start.isoformat(), "end": end.isoformat()}) if cursor else None
    )
    state.set_sync_token(key, value)

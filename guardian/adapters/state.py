"""guardian's only persistence: one SQLite file in the user's data dir.

It remembers what guardian did so that re-runs are idempotent: its own focus
blocks per calendar, every pre-read request sent, provider sync tokens and
the events they cached, and a log of runs. WAL mode and one transaction per
run mean a crash leaves either the whole run or none of it.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from guardian.errors import InputError

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sync (
    calendar TEXT PRIMARY KEY, token TEXT, updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cached_items (
    calendar TEXT NOT NULL, item_id TEXT NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (calendar, item_id)
);
CREATE TABLE IF NOT EXISTS blocks (
    calendar TEXT NOT NULL, block_id TEXT NOT NULL,
    start TEXT NOT NULL, end TEXT NOT NULL, updated TEXT NOT NULL,
    PRIMARY KEY (calendar, block_id)
);
CREATE TABLE IF NOT EXISTS requests (
    series TEXT NOT NULL, organizer TEXT NOT NULL, calendar TEXT NOT NULL,
    event_start TEXT NOT NULL, sent_at TEXT NOT NULL, channel TEXT NOT NULL,
    PRIMARY KEY (series, organizer)
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, started TEXT NOT NULL,
    command TEXT NOT NULL, planned TEXT NOT NULL, done TEXT NOT NULL
);
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class State:
    """A thin, typed wrapper over the SQLite file."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(str(path), isolation_level=None, timeout=10)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise InputError(
                f"{path}: not a guardian state database ({exc})",
                hint="move the file away; guardian will start a new one",
            ) from None
        if str(path) != ":memory:":
            os.chmod(self.path, 0o600)
        self._depth = 0

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside happen together or not at all (nested calls join)."""
        if self._depth == 0:
            self._db.execute("BEGIN IMMEDIATE")
        self._depth += 1
        try:
            yield
        except BaseException:
            self._depth -= 1
            if self._depth == 0:
                self._db.execute("ROLLBACK")
            raise
        self._depth -= 1
        if self._depth == 0:
            self._db.execute("COMMIT")

    # --- provider sync -------------------------------------------------------

    def sync_token(self, calendar: str) -> str | None:
        row = self._db.execute("SELECT token FROM sync WHERE calendar=?", (calendar,)).fetchone()
        return row[0] if row else None

    def set_sync_token(self, calendar: str, token: str | None) -> None:
        self._db.execute(
            "INSERT INTO sync(calendar, token, updated) VALUES (?,?,?) "
            "ON CONFLICT(calendar) DO UPDATE SET token=excluded.token, updated=excluded.updated",
            (calendar, token, _now()),
        )

    def cached_items(self, calendar: str) -> dict[str, dict]:
        rows = self._db.execute("SELECT item_id, body FROM cached_items WHERE calendar=?", (calendar,))
        return {item_id: json.loads(body) for item_id, body in rows}

    def put_items(self, calendar: str, items: dict[str, dict]) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO cached_items(calendar, item_id, body) VALUES (?,?,?)",
            [(calendar, k, json.dumps(v, sort_keys=True)) for k, v in items.items()],
        )

    def delete_items(self, calendar: str, item_ids: list[str]) -> None:
        self._db.executemany(
            "DELETE FROM cached_items WHERE calendar=? AND item_id=?",
            [(calendar, i) for i in item_ids],
        )

    def clear_items(self, calendar: str) -> None:
        self._db.execute("DELETE FROM cached_items WHERE calendar=?", (calendar,))

    # --- own focus blocks ----------------------------------------------------

    def blocks(self, calendar: str) -> dict[str, tuple[datetime, datetime]]:
        rows = self._db.execute("SELECT block_id, start, end FROM blocks WHERE calendar=?", (calendar,))
        return {b: (datetime.fromisoformat(s), datetime.fromisoformat(e)) for b, s, e in rows}

    def record_block(self, calendar: str, block_id: str, start: datetime, end: datetime) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO blocks(calendar, block_id, start, end, updated) VALUES (?,?,?,?,?)",
            (calendar, block_id, start.isoformat(), end.isoformat(), _now()),
        )

    def forget_block(self, calendar: str, block_id: str) -> None:
        self._db.execute("DELETE FROM blocks WHERE calendar=? AND block_id=?", (calendar, block_id))

    # --- pre-read requests ---------------------------------------------------

    def was_asked(self, series: str, organizer: str) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM requests WHERE series=? AND organizer=?",
            (series, organizer.lower()),
        ).fetchone()
        return row is not None

    def record_request(
        self,
        series: str,
        organizer: str,
        calendar: str,
        event_start: datetime,
        channel: str,
        sent_at: datetime | None = None,
    ) -> None:
        self._db.execute(
            "INSERT OR IGNORE INTO requests VALUES (?,?,?,?,?,?)",
            (
                series,
                organizer.lower(),
                calendar,
                event_start.isoformat(),
                (sent_at or datetime.now(UTC)).isoformat(),
                channel,
            ),
        )

    def requests(self) -> list[dict]:
        cur = self._db.execute(
            "SELECT series, organizer, calendar, event_start, sent_at, channel FROM requests"
        )
        cols = [c[0] for c in cur.description]
        return [dict(zip(cols, row, strict=False)) for row in cur]

    # --- run log -------------------------------------------------------------

    def log_run(self, command: str, planned: object, done: object) -> None:
        self._db.execute(
            "INSERT INTO runs(started, command, planned, done) VALUES (?,?,?,?)",
            (_now(), command, json.dumps(planned, default=str), json.dumps(done, default=str)),
        )

    def runs(self, limit: int = 20) -> list[dict]:
        cur = self._db.execute(
            "SELECT started, command, planned, done FROM runs ORDER BY id DESC LIMIT ?", (limit,)
        )
        return [
            {"started": s, "command": c, "planned": json.loads(p), "done": json.loads(d)}
            for s, c, p, d in cur
        ]

"""guardian's only persistence: one SQLite file in the user's data dir.

It remembers what guardian did so that re-runs are idempotent: its own focus
blocks per calendar, every pre-read request sent, provider sync tokens and
the events they cached, the do-not-disturb it set in chat tools for a block
(so `guardian tick` acts once at a block's start and once at its end), what a
calendar turned out not to support (Google focus time), and a log of runs.
Tables added later (`chat_marks`, `features`) are created on open, so an older
state file gains them without losing anything. WAL mode and one transaction per
run mean a crash leaves either the whole run or none of it.

The file holds organizer addresses and meeting times, so a new one is
created with mode 0600 before SQLite first opens it (SQLite gives its -wal
and -shm files the database's own mode); an existing file keeps the mode
its owner gave it. Every SQLite failure (a read-only or corrupt file, a
lock held too long by another process) becomes one `StateError` line.

A pre-read request is recorded as *pending* before it is delivered and as
*sent* after: a state that cannot be written stops a run before anything
goes out, and a crash between delivery and the second write repeats at most
the one request that was in flight.
"""

from __future__ import annotations

import contextlib
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
    status TEXT NOT NULL DEFAULT 'sent',
    PRIMARY KEY (series, organizer)
);
CREATE TABLE IF NOT EXISTS chat_marks (
    channel TEXT NOT NULL, block TEXT NOT NULL, start TEXT NOT NULL, end TEXT NOT NULL,
    started_at TEXT NOT NULL, ended_at TEXT, detail TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (channel, block)
);
CREATE TABLE IF NOT EXISTS features (
    calendar TEXT NOT NULL, feature TEXT NOT NULL, value TEXT NOT NULL, checked TEXT NOT NULL,
    PRIMARY KEY (calendar, feature)
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, started TEXT NOT NULL,
    command TEXT NOT NULL, planned TEXT NOT NULL, done TEXT NOT NULL
);
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class StateError(InputError):
    """The state store cannot be read or written (exit 2, one line)."""


def _problem(path: object, exc: sqlite3.Error) -> StateError:
    text = str(exc).lower()
    if "readonly" in text or "read-only" in text:
        return StateError(
            f"{path}: the state store is read-only",
            hint="give yourself write access to it, or set `state` elsewhere",
        )
    if "locked" in text or "busy" in text:
        return StateError(
            f"{path}: the state store is locked by another process",
            hint="wait for the other guardian run to finish and try again",
        )
    if "unable to open" in text:
        return StateError(
            f"{path}: the state store cannot be opened", hint="check that its folder exists and is writable"
        )
    return StateError(
        f"{path}: not a usable guardian state database ({exc})",
        hint="move the file away; guardian will start a new one",
    )


def _create_private(path: Path) -> bool:
    """Create the database file 0600 (whatever the umask) before SQLite opens it; True if new."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        return False
    except OSError as exc:
        raise StateError(
            f"{path}: cannot create the state store ({exc.strerror or exc})",
            hint="set `state` in the config to a path in a folder you can write to",
        ) from None
    os.fchmod(fd, 0o600)
    os.close(fd)
    return True


class State:
    """A thin, typed wrapper over the SQLite file."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        memory = str(path) == ":memory:"
        #: this run made the file: it remembers nothing yet
        self.created = memory or _create_private(self.path)
        try:
            self._db = sqlite3.connect(str(path), isolation_level=None, timeout=10)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(SCHEMA)
            self._migrate()
        except sqlite3.Error as exc:
            raise _problem(path, exc) from None
        self._depth = 0

    def _migrate(self) -> None:
        """Bring a state store written by an older guardian up to this schema."""
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(requests)")}
        if "status" not in columns:
            self._db.execute("ALTER TABLE requests ADD COLUMN status TEXT NOT NULL DEFAULT 'sent'")

    def _run(
        self, sql: str, args: tuple[object, ...] | list[tuple[object, ...]] = (), *, many: bool = False
    ) -> sqlite3.Cursor:
        try:
            if many:
                return self._db.executemany(sql, args)  # type: ignore[arg-type]
            return self._db.execute(sql, args)
        except sqlite3.Error as exc:
            raise _problem(self.path, exc) from None

    def _run_many(self, sql: str, rows: list[tuple[object, ...]]) -> sqlite3.Cursor:
        return self._run(sql, rows, many=True)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside happen together or not at all (nested calls join)."""
        if self._depth == 0:
            self._run("BEGIN IMMEDIATE")
        self._depth += 1
        try:
            yield
        except BaseException:
            self._depth -= 1
            if self._depth == 0:
                with contextlib.suppress(sqlite3.Error):  # the first error is the one to report
                    self._db.execute("ROLLBACK")
            raise
        self._depth -= 1
        if self._depth == 0:
            self._run("COMMIT")

    # --- provider sync -------------------------------------------------------

    def sync_token(self, calendar: str) -> str | None:
        row = self._run("SELECT token FROM sync WHERE calendar=?", (calendar,)).fetchone()
        return row[0] if row else None

    def set_sync_token(self, calendar: str, token: str | None) -> None:
        self._run(
            "INSERT INTO sync(calendar, token, updated) VALUES (?,?,?) "
            "ON CONFLICT(calendar) DO UPDATE SET token=excluded.token, updated=excluded.updated",
            (calendar, token, _now()),
        )

    def cached_items(self, calendar: str) -> dict[str, dict]:
        rows = self._run("SELECT item_id, body FROM cached_items WHERE calendar=?", (calendar,))
        return {item_id: json.loads(body) for item_id, body in rows}

    def put_items(self, calendar: str, items: dict[str, dict]) -> None:
        self._run_many(
            "INSERT OR REPLACE INTO cached_items(calendar, item_id, body) VALUES (?,?,?)",
            [(calendar, k, json.dumps(v, sort_keys=True)) for k, v in items.items()],
        )

    def delete_items(self, calendar: str, item_ids: list[str]) -> None:
        self._run_many(
            "DELETE FROM cached_items WHERE calendar=? AND item_id=?",
            [(calendar, i) for i in item_ids],
        )

    def clear_items(self, calendar: str) -> None:
        self._run("DELETE FROM cached_items WHERE calendar=?", (calendar,))

    # --- what a calendar can do, as learned from its provider ------------------

    def feature(self, calendar: str, feature: str) -> tuple[str, datetime] | None:
        """What was learned about `feature` of `calendar` (e.g. focus time refused), and when."""
        row = self._run(
            "SELECT value, checked FROM features WHERE calendar=? AND feature=?", (calendar, feature)
        ).fetchone()
        return (row[0], datetime.fromisoformat(row[1])) if row else None

    def set_feature(self, calendar: str, feature: str, value: str, checked: datetime | None = None) -> None:
        self._run(
            "INSERT INTO features(calendar, feature, value, checked) VALUES (?,?,?,?) "
            "ON CONFLICT(calendar, feature) DO UPDATE SET value=excluded.value, checked=excluded.checked",
            (calendar, feature, value, (checked or datetime.now(UTC)).isoformat(timespec="seconds")),
        )

    # --- own focus blocks ----------------------------------------------------

    def blocks(self, calendar: str) -> dict[str, tuple[datetime, datetime]]:
        rows = self._run("SELECT block_id, start, end FROM blocks WHERE calendar=?", (calendar,))
        return {b: (datetime.fromisoformat(s), datetime.fromisoformat(e)) for b, s, e in rows}

    def record_block(self, calendar: str, block_id: str, start: datetime, end: datetime) -> None:
        self._run(
            "INSERT OR REPLACE INTO blocks(calendar, block_id, start, end, updated) VALUES (?,?,?,?,?)",
            (calendar, block_id, start.isoformat(), end.isoformat(), _now()),
        )

    def forget_block(self, calendar: str, block_id: str) -> None:
        self._run("DELETE FROM blocks WHERE calendar=? AND block_id=?", (calendar, block_id))

    # --- pre-read requests ---------------------------------------------------

    def was_asked(self, series: str, organizer: str) -> bool:
        """Whether this organizer was asked about this series (a pending request does not count:
        it may not have gone out, and the next run sends it)."""
        row = self._run(
            "SELECT 1 FROM requests WHERE series=? AND organizer=? AND status='sent'",
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
        *,
        status: str = "sent",
    ) -> None:
        """Record a request as `pending` (about to be delivered) or `sent`."""
        self._run(
            "INSERT INTO requests(series, organizer, calendar, event_start, sent_at, channel, status) "
            "VALUES (?,?,?,?,?,?,?) ON CONFLICT(series, organizer) DO UPDATE SET "
            "calendar=excluded.calendar, event_start=excluded.event_start, sent_at=excluded.sent_at, "
            "channel=excluded.channel, status=excluded.status WHERE requests.status != 'sent'",
            (
                series,
                organizer.lower(),
                calendar,
                event_start.isoformat(),
                (sent_at or datetime.now(UTC)).isoformat(),
                channel,
                status,
            ),
        )

    def forget_request(self, series: str, organizer: str) -> None:
        """Drop a pending request whose delivery failed, so the next run tries again."""
        self._run(
            "DELETE FROM requests WHERE series=? AND organizer=? AND status='pending'",
            (series, organizer.lower()),
        )

    def requests(self) -> list[dict[str, str]]:
        cur = self._run(
            "SELECT series, organizer, calendar, event_start, sent_at, channel FROM requests "
            "WHERE status='sent'"
        )
        cols = [c[0] for c in cur.description]
        return [dict(zip(cols, row, strict=True)) for row in cur]

    def pending_requests(self) -> list[dict[str, str]]:
        cur = self._run("SELECT series, organizer, sent_at FROM requests WHERE status='pending'")
        return [{"series": s, "organizer": o, "since": t} for s, o, t in cur]

    # --- do not disturb during a block (guardian tick) ------------------------

    def chat_mark(self, channel: str, block: str) -> dict | None:
        """What was done in `channel` for `block`: {"start", "end", "started_at", "ended_at", "detail"}."""
        row = self._run(
            "SELECT start, end, started_at, ended_at, detail FROM chat_marks WHERE channel=? AND block=?",
            (channel, block),
        ).fetchone()
        if row is None:
            return None
        return {"start": row[0], "end": row[1], "started_at": row[2], "ended_at": row[3], "detail": row[4]}

    def chat_open(self, channel: str) -> list[dict]:
        """The blocks whose do-not-disturb was set in `channel` and not yet ended."""
        rows = self._run(
            "SELECT block, start, end, detail FROM chat_marks WHERE channel=? AND ended_at IS NULL",
            (channel,),
        )
        return [{"block": b, "start": s, "end": e, "detail": d} for b, s, e, d in rows]

    def chat_started(
        self, channel: str, block: str, start: datetime, end: datetime, at: datetime, detail: str = ""
    ) -> None:
        self._run(
            "INSERT OR IGNORE INTO chat_marks(channel, block, start, end, started_at, detail) VALUES (?,?,?,?,?,?)",
            (channel, block, start.isoformat(), end.isoformat(), at.isoformat(), detail),
        )

    def chat_ended(self, channel: str, block: str, at: datetime) -> None:
        self._run(
            "UPDATE chat_marks SET ended_at=? WHERE channel=? AND block=? AND ended_at IS NULL",
            (at.isoformat(), channel, block),
        )

    # --- run log -------------------------------------------------------------

    def log_run(self, command: str, planned: object, done: object) -> None:
        self._run(
            "INSERT INTO runs(started, command, planned, done) VALUES (?,?,?,?)",
            (_now(), command, json.dumps(planned, default=str), json.dumps(done, default=str)),
        )

    def runs(self, limit: int = 20) -> list[dict]:
        cur = self._run("SELECT started, command, planned, done FROM runs ORDER BY id DESC LIMIT ?", (limit,))
        return [
            {"started": s, "command": c, "planned": json.loads(p), "done": json.loads(d)}
            for s, c, p, d in cur
        ]

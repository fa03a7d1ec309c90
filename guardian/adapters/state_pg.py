"""The state store in PostgreSQL: every person of an org in one database the workers share.

`PgState` has the methods of `guardian.adapters.state.State` and the same
guarantees, for one person (its `person` key, the lower-case address, is a
column of every table): a pre-read request is recorded *pending* before it
is delivered and *sent* after, so a store that cannot be written stops the
run before anything goes out and a crash repeats at most the one request in
flight; writes inside `transaction()` happen together or not at all (nested
calls join). SQLite stays the store for one person on one machine.

One more thing an org needs: `person_lock()`, a PostgreSQL advisory lock
that keeps two workers from running the same person at once (a timed-out
activity that is still alive while Temporal retries it elsewhere). The
nights' outcomes that `guardian org status` reads live beside these tables
(`guardian.adapters.outcomes`).

The connection string comes from an environment variable (`[org] dsn_env`);
it is never part of a message. psycopg is imported when a store is opened.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from guardian.adapters import outcomes
from guardian.adapters.state import StateError

SCHEMA = """
CREATE TABLE IF NOT EXISTS guardian_sync (
    person TEXT NOT NULL, calendar TEXT NOT NULL, token TEXT, updated TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (person, calendar)
);
CREATE TABLE IF NOT EXISTS guardian_cached_items (
    person TEXT NOT NULL, calendar TEXT NOT NULL, item_id TEXT NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (person, calendar, item_id)
);
CREATE TABLE IF NOT EXISTS guardian_blocks (
    person TEXT NOT NULL, calendar TEXT NOT NULL, block_id TEXT NOT NULL,
    starts TEXT NOT NULL, ends TEXT NOT NULL, updated TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (person, calendar, block_id)
);
CREATE TABLE IF NOT EXISTS guardian_requests (
    person TEXT NOT NULL, series TEXT NOT NULL, organizer TEXT NOT NULL, calendar TEXT NOT NULL,
    event_start TEXT NOT NULL, sent_at TEXT NOT NULL, channel TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'sent',
    PRIMARY KEY (person, series, organizer)
);
CREATE TABLE IF NOT EXISTS guardian_features (
    person TEXT NOT NULL, calendar TEXT NOT NULL, feature TEXT NOT NULL, value TEXT NOT NULL,
    checked TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (person, calendar, feature)
);
CREATE TABLE IF NOT EXISTS guardian_runs (
    id BIGSERIAL PRIMARY KEY, person TEXT NOT NULL, started TIMESTAMPTZ NOT NULL,
    command TEXT NOT NULL, planned TEXT NOT NULL, done TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS guardian_runs_person ON guardian_runs (person, id);
"""
_SCHEMA_LOCK = 0x6775617264  # "guard": one advisory lock id for creating the tables once
_ready: set[str] = set()
_ready_lock = threading.Lock()


def _problem(exc: Exception, dsn: str) -> StateError:
    """One line about a PostgreSQL failure, never quoting the connection string."""
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    first = first.replace(dsn, "<dsn>")
    lowered = first.lower()
    if "connect" in lowered or "connection" in lowered:
        return StateError(
            f"the PostgreSQL state store cannot be reached ({first})",
            hint="check [org] dsn_env and that the database is up",
        )
    if "read-only" in lowered or "permission denied" in lowered:
        return StateError(
            f"the PostgreSQL state store cannot be written ({first})",
            hint="give guardian's database user write access to its tables",
        )
    return StateError(f"the PostgreSQL state store failed ({first})")


class PersonBusy(StateError):
    """Another worker is running this person now (the advisory lock is held)."""


class PgState:
    """One person's rows of the shared PostgreSQL store, with `State`'s methods."""

    def __init__(self, dsn: str, person: str, *, connect_timeout: int = 10) -> None:
        import psycopg

        self.person = person.strip().lower()
        self.path = Path(f"postgresql:{self.person}")  # for messages: never the DSN
        self._dsn = dsn
        self._psycopg = psycopg
        try:
            self._db = psycopg.connect(dsn, autocommit=True, connect_timeout=connect_timeout)
        except psycopg.Error as exc:
            raise _problem(exc, dsn) from None
        self._ensure_schema()
        self._depth = 0
        self._tx: Any = None
        row = self._run(
            "SELECT 1 FROM guardian_requests WHERE person=%s UNION ALL "
            "SELECT 1 FROM guardian_runs WHERE person=%s LIMIT 1",
            (self.person, self.person),
        ).fetchone()
        #: this person has no history in the store yet
        self.created = row is None

    def _ensure_schema(self) -> None:
        with _ready_lock:
            if self._dsn in _ready:
                return
            try:
                with self._db.transaction():
                    self._db.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
                    self._db.execute(SCHEMA)
            except self._psycopg.Error as exc:
                raise _problem(exc, self._dsn) from None
            _ready.add(self._dsn)

    def _run(self, sql: str, args: Any = ()) -> Any:
        try:
            return self._db.execute(sql, args)
        except self._psycopg.Error as exc:
            raise _problem(exc, self._dsn) from None

    def _run_many(self, sql: str, rows: list[tuple[object, ...]]) -> None:
        if not rows:
            return
        try:
            with self._db.cursor() as cur:
                cur.executemany(sql, rows)
        except self._psycopg.Error as exc:
            raise _problem(exc, self._dsn) from None

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside happen together or not at all (nested calls join)."""
        if self._depth == 0:
            self._tx = self._db.transaction()
            try:
                self._tx.__enter__()
            except self._psycopg.Error as exc:
                raise _problem(exc, self._dsn) from None
        self._depth += 1
        try:
            yield
        except BaseException as exc:
            self._depth -= 1
            if self._depth == 0:
                tx, self._tx = self._tx, None
                with contextlib.suppress(self._psycopg.Error):  # the first error is the one to report
                    tx.__exit__(type(exc), exc, exc.__traceback__)
            raise
        self._depth -= 1
        if self._depth == 0:
            tx, self._tx = self._tx, None
            try:
                tx.__exit__(None, None, None)
            except self._psycopg.Error as exc:
                raise _problem(exc, self._dsn) from None

    @contextmanager
    def person_lock(self) -> Iterator[None]:
        """Hold this person for the block; raise PersonBusy when another worker does."""
        key = "guardian-person:" + self.person
        got = self._run("SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", (key,)).fetchone()[0]
        if not got:
            raise PersonBusy(
                f"{self.person}: another guardian worker is running this person",
                hint="it will be retried when that run ends",
            )
        try:
            yield
        finally:
            self._run("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", (key,))

    # --- provider sync -------------------------------------------------------

    def sync_token(self, calendar: str) -> str | None:
        row = self._run(
            "SELECT token FROM guardian_sync WHERE person=%s AND calendar=%s", (self.person, calendar)
        ).fetchone()
        return row[0] if row else None

    def set_sync_token(self, calendar: str, token: str | None) -> None:
        self._run(
            "INSERT INTO guardian_sync(person, calendar, token, updated) VALUES (%s,%s,%s,now()) "
            "ON CONFLICT (person, calendar) DO UPDATE SET token=excluded.token, updated=excluded.updated",
            (self.person, calendar, token),
        )

    def cached_items(self, calendar: str) -> dict[str, dict]:
        rows = self._run(
            "SELECT item_id, body FROM guardian_cached_items WHERE person=%s AND calendar=%s",
            (self.person, calendar),
        ).fetchall()
        return {item_id: json.loads(body) for item_id, body in rows}

    def put_items(self, calendar: str, items: dict[str, dict]) -> None:
        self._run_many(
            "INSERT INTO guardian_cached_items(person, calendar, item_id, body) VALUES (%s,%s,%s,%s) "
            "ON CONFLICT (person, calendar, item_id) DO UPDATE SET body=excluded.body",
            [(self.person, calendar, k, json.dumps(v, sort_keys=True)) for k, v in items.items()],
        )

    def delete_items(self, calendar: str, item_ids: list[str]) -> None:
        self._run_many(
            "DELETE FROM guardian_cached_items WHERE person=%s AND calendar=%s AND item_id=%s",
            [(self.person, calendar, i) for i in item_ids],
        )

    def clear_items(self, calendar: str) -> None:
        self._run(
            "DELETE FROM guardian_cached_items WHERE person=%s AND calendar=%s", (self.person, calendar)
        )

    # --- what a calendar turned out not to support ----------------------------

    def feature(self, calendar: str, feature: str) -> tuple[str, datetime] | None:
        """What was learned about `feature` of `calendar` (Google focus time refused), and when."""
        row = self._run(
            "SELECT value, checked FROM guardian_features WHERE person=%s AND calendar=%s AND feature=%s",
            (self.person, calendar, feature),
        ).fetchone()
        return (row[0], row[1].astimezone(UTC)) if row else None

    def set_feature(self, calendar: str, feature: str, value: str, checked: datetime | None = None) -> None:
        self._run(
            "INSERT INTO guardian_features(person, calendar, feature, value, checked) VALUES (%s,%s,%s,%s,%s) "
            "ON CONFLICT (person, calendar, feature) DO UPDATE SET value=excluded.value, checked=excluded.checked",
            (self.person, calendar, feature, value, checked or datetime.now(UTC)),
        )

    # --- own focus blocks ----------------------------------------------------

    def blocks(self, calendar: str) -> dict[str, tuple[datetime, datetime]]:
        rows = self._run(
            "SELECT block_id, starts, ends FROM guardian_blocks WHERE person=%s AND calendar=%s",
            (self.person, calendar),
        ).fetchall()
        return {b: (datetime.fromisoformat(s), datetime.fromisoformat(e)) for b, s, e in rows}

    def record_block(self, calendar: str, block_id: str, start: datetime, end: datetime) -> None:
        self._run(
            "INSERT INTO guardian_blocks(person, calendar, block_id, starts, ends, updated) "
            "VALUES (%s,%s,%s,%s,%s,now()) ON CONFLICT (person, calendar, block_id) DO UPDATE SET "
            "starts=excluded.starts, ends=excluded.ends, updated=excluded.updated",
            (self.person, calendar, block_id, start.isoformat(), end.isoformat()),
        )

    def forget_block(self, calendar: str, block_id: str) -> None:
        self._run(
            "DELETE FROM guardian_blocks WHERE person=%s AND calendar=%s AND block_id=%s",
            (self.person, calendar, block_id),
        )

    # --- pre-read requests ---------------------------------------------------

    def was_asked(self, series: str, organizer: str) -> bool:
        """Whether this organizer was asked about this series (a pending request does not count)."""
        row = self._run(
            "SELECT 1 FROM guardian_requests WHERE person=%s AND series=%s AND organizer=%s AND status='sent'",
            (self.person, series, organizer.lower()),
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
        """Record a request as `pending` (about to be delivered) or `sent`; a sent one stays sent."""
        self._run(
            "INSERT INTO guardian_requests(person, series, organizer, calendar, event_start, sent_at, "
            "channel, status) VALUES (%s,%s,%s,%s,%s,%s,%s,%s) ON CONFLICT (person, series, organizer) "
            "DO UPDATE SET calendar=excluded.calendar, event_start=excluded.event_start, "
            "sent_at=excluded.sent_at, channel=excluded.channel, status=excluded.status "
            "WHERE guardian_requests.status != 'sent'",
            (
                self.person,
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
            "DELETE FROM guardian_requests WHERE person=%s AND series=%s AND organizer=%s AND status='pending'",
            (self.person, series, organizer.lower()),
        )

    def requests(self) -> list[dict[str, str]]:
        cur = self._run(
            "SELECT series, organizer, calendar, event_start, sent_at, channel FROM guardian_requests "
            "WHERE person=%s AND status='sent'",
            (self.person,),
        )
        cols = [c.name for c in cur.description]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

    def pending_requests(self) -> list[dict[str, str]]:
        cur = self._run(
            "SELECT series, organizer, sent_at FROM guardian_requests WHERE person=%s AND status='pending'",
            (self.person,),
        )
        return [{"series": s, "organizer": o, "since": t} for s, o, t in cur.fetchall()]

    # --- run log -------------------------------------------------------------

    def log_run(self, command: str, planned: object, done: object) -> None:
        self._run(
            "INSERT INTO guardian_runs(person, started, command, planned, done) VALUES (%s,now(),%s,%s,%s)",
            (self.person, command, json.dumps(planned, default=str), json.dumps(done, default=str)),
        )

    def runs(self, limit: int = 20) -> list[dict]:
        rows = self._run(
            "SELECT started, command, planned, done FROM guardian_runs WHERE person=%s ORDER BY id DESC LIMIT %s",
            (self.person, limit),
        ).fetchall()
        return [
            {
                "started": s.astimezone(UTC).isoformat(timespec="seconds"),
                "command": c,
                "planned": json.loads(p),
                "done": json.loads(d),
            }
            for s, c, p, d in rows
        ]


class PgOutcomes:
    """The nights' outcomes (`guardian.adapters.outcomes`) in the shared PostgreSQL store."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn

    def _connect(self):  # type: ignore[no-untyped-def]
        import psycopg

        try:
            db = psycopg.connect(self.dsn, autocommit=True, connect_timeout=10)
            db.execute(outcomes.SCHEMA)
        except psycopg.Error as exc:
            raise _problem(exc, self.dsn) from None
        return db

    def record(self, outcome: outcomes.Outcome) -> None:
        with self._connect() as db:
            db.execute(
                outcomes.UPSERT.format(p="%s"),
                (
                    outcome.person,
                    outcome.night,
                    outcome.status,
                    outcome.detail,
                    outcome.workflow_id,
                    outcome.updated,
                ),
            )

    def night_of(self, night: str) -> list[outcomes.Outcome]:
        return self.night(date.fromisoformat(night))

    def night(self, night: date) -> list[outcomes.Outcome]:
        with self._connect() as db:
            rows = db.execute(outcomes.SELECT.format(p="%s"), (night,)).fetchall()
        return [outcomes.Outcome(p, n, s, d, w, u) for p, n, s, d, w, u in rows]

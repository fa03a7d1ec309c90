"""How each person's night went, for `guardian org status`: who ran, who failed and why.

One row per person and night, overwritten by a later try of the same night,
in PostgreSQL beside the shared state (`[org] state = "postgresql"`) or in
one SQLite file in the org's data dir (a single worker machine).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Protocol

from guardian.adapters.state import StateError


@dataclass(frozen=True)
class Outcome:
    person: str
    night: date
    status: str  # "ok" | "failed"
    detail: str  # what was done, or why it failed (one line)
    workflow_id: str
    updated: str  # ISO 8601, UTC


class Outcomes(Protocol):
    def record(self, outcome: Outcome) -> None: ...

    def night(self, night: date) -> list[Outcome]: ...


SCHEMA = """
CREATE TABLE IF NOT EXISTS guardian_org_runs (
    person TEXT NOT NULL, night DATE NOT NULL, status TEXT NOT NULL, detail TEXT NOT NULL,
    workflow_id TEXT NOT NULL, updated TEXT NOT NULL,
    PRIMARY KEY (person, night)
)
"""
UPSERT = (
    "INSERT INTO guardian_org_runs(person, night, status, detail, workflow_id, updated) "
    "VALUES ({p},{p},{p},{p},{p},{p}) ON CONFLICT (person, night) DO UPDATE SET status=excluded.status, "
    "detail=excluded.detail, workflow_id=excluded.workflow_id, updated=excluded.updated"
)
SELECT = (
    "SELECT person, night, status, detail, workflow_id, updated FROM guardian_org_runs "
    "WHERE night={p} ORDER BY person"
)


def now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class SqliteOutcomes:
    def __init__(self, path: Path) -> None:
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(str(self.path), timeout=10, isolation_level=None)
            db.execute(SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise StateError(f"{self.path}: the org's outcome log cannot be opened ({exc})") from None
        return db

    def record(self, outcome: Outcome) -> None:
        db = self._connect()
        try:
            db.execute(
                UPSERT.format(p="?"),
                (
                    outcome.person,
                    outcome.night.isoformat(),
                    outcome.status,
                    outcome.detail,
                    outcome.workflow_id,
                    outcome.updated,
                ),
            )
        finally:
            db.close()

    def night(self, night: date) -> list[Outcome]:
        db = self._connect()
        try:
            rows = db.execute(SELECT.format(p="?"), (night.isoformat(),)).fetchall()
        finally:
            db.close()
        return [Outcome(p, date.fromisoformat(n), s, d, w, u) for p, n, s, d, w, u in rows]

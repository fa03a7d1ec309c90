"""The PostgreSQL state store keeps the SQLite store's promises, per person, on a real server."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from guardian.adapters.outcomes import Outcome, SqliteOutcomes
from guardian.adapters.state import State, StateError
from guardian.adapters.state_pg import PersonBusy, PgOutcomes, PgState
from tests.servers import postgres  # noqa: F401  (pytest fixture)

T1 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
T2 = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)


def exercise(store) -> dict:
    """The same sequence of calls on any store; what it remembers afterwards."""
    with store.transaction():
        store.set_sync_token("google:primary", "tok-1")
        store.put_items("google:primary", {"a": {"id": "a", "n": 1}, "b": {"id": "b"}})
        with store.transaction():  # nested: joins
            store.record_block("google:primary", "blk1", T1, T2)
    store.delete_items("google:primary", ["b"])
    store.set_sync_token("google:primary", "tok-2")
    store.record_request("series-1", "Sam@Acme.example", "google:primary", T1, "google", status="pending")
    asked_while_pending = store.was_asked("series-1", "sam@acme.example")
    store.record_request("series-1", "sam@acme.example", "google:primary", T1, "google", status="sent")
    store.record_request("series-1", "sam@acme.example", "google:primary", T2, "google", status="pending")
    store.record_request("series-2", "kim@acme.example", "google:primary", T2, "google", status="pending")
    store.forget_request("series-2", "kim@acme.example")
    with pytest.raises(RuntimeError), store.transaction():
        store.record_block("google:primary", "blk2", T1, T2)
        raise RuntimeError("a crash inside the transaction")
    store.log_run("focus apply", [{"start": T1.isoformat()}], {"created": 1})
    store.set_feature("google:primary", "focus_time", "unsupported", T1)
    store.set_feature("google:primary", "focus_time", "unsupported", T2)  # learned again: one row
    return {
        "features": (
            store.feature("google:primary", "focus_time"),
            store.feature("google:team", "focus_time"),
        ),
        "token": store.sync_token("google:primary"),
        "items": store.cached_items("google:primary"),
        "blocks": store.blocks("google:primary"),
        "asked_while_pending": asked_while_pending,
        "asked": store.was_asked("series-1", "SAM@acme.example"),
        "requests": [(r["series"], r["organizer"], r["event_start"]) for r in store.requests()],
        "pending": store.pending_requests(),
        "runs": [(r["command"], r["planned"], r["done"]) for r in store.runs()],
    }


def test_postgres_remembers_what_sqlite_remembers(postgres, tmp_path):  # noqa: F811
    sqlite = exercise(State(tmp_path / "state.sqlite3"))
    pg = exercise(PgState(postgres.dsn, "ana@acme.example"))
    assert pg == sqlite
    assert pg["features"] == (("unsupported", T2), None)
    assert pg["token"] == "tok-2" and list(pg["items"]) == ["a"] and list(pg["blocks"]) == ["blk1"]
    assert pg["asked_while_pending"] is False and pg["asked"] is True
    # a sent request stays sent: the later pending write did not reopen it
    assert pg["requests"] == [("series-1", "sam@acme.example", T1.isoformat())] and pg["pending"] == []


def test_each_person_has_their_own_rows(postgres):  # noqa: F811
    ana, ben = PgState(postgres.dsn, "Ana.Two@acme.example"), PgState(postgres.dsn, "ben.two@acme.example")
    assert ana.created and ben.created
    ana.set_sync_token("google:primary", "ana-token")
    ana.record_request("s", "o@acme.example", "google:primary", T1, "google")
    assert ben.sync_token("google:primary") is None and not ben.was_asked("s", "o@acme.example")
    assert ana.was_asked("s", "o@acme.example")
    assert not PgState(postgres.dsn, "ana.two@acme.example").created  # the key is the lower-case address


def test_one_worker_at_a_time_per_person(postgres):  # noqa: F811
    first, second = PgState(postgres.dsn, "carl@acme.example"), PgState(postgres.dsn, "carl@acme.example")
    other = PgState(postgres.dsn, "dora@acme.example")
    with first.person_lock():
        with (
            pytest.raises(PersonBusy, match="another guardian worker is running this person"),
            second.person_lock(),
        ):
            pass
        with other.person_lock():  # someone else is not held up
            pass
    with second.person_lock():  # released at the end of the block
        pass


def test_an_unreachable_database_is_one_line_without_the_dsn(postgres):  # noqa: F811
    dsn = f"postgresql://guardian:s3cret-password@127.0.0.1:{postgres.port + 1}/postgres"
    with pytest.raises(StateError) as info:
        PgState(dsn, "ana@acme.example", connect_timeout=2)
    message = str(info.value)
    assert "cannot be reached" in message and "s3cret" not in message and "\n" not in message


@pytest.mark.parametrize("kind", ["postgresql", "sqlite"])
def test_outcomes_keep_the_last_try_of_a_night(postgres, tmp_path, kind):  # noqa: F811
    store = PgOutcomes(postgres.dsn) if kind == "postgresql" else SqliteOutcomes(tmp_path / "o.sqlite3")
    night = date(2026, 12, 1) if kind == "postgresql" else date(2026, 12, 2)
    store.record(
        Outcome("ana@acme.example", night, "failed", "HTTP 503", "wf-1", "2026-12-01T21:00:00+00:00")
    )
    store.record(Outcome("ana@acme.example", night, "ok", "2 blocks", "wf-1", "2026-12-01T21:05:00+00:00"))
    store.record(
        Outcome("ben@acme.example", night, "failed", "token refused", "wf-2", "2026-12-01T21:01:00+00:00")
    )
    got = store.night(night)
    assert [(o.person, o.status, o.detail) for o in got] == [
        ("ana@acme.example", "ok", "2 blocks"),
        ("ben@acme.example", "failed", "token refused"),
    ]

"""`guardian org`: the roster's nightly on a real Temporal dev server, workers as real processes.

The calendars here are .ics files (no provider quota); the 200-person run
against the Google and Graph fakes, with a killed worker, is in
test_org_simulation.py.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from guardian.adapters.temporal import client
from guardian.adapters.temporal.types import NightArgs, person_workflow_id
from tests.conftest import REPO, vevent, write_ics
from tests.servers import postgres, temporal  # noqa: F401  (pytest fixtures)

NOW = "2026-11-29T22:00:00+01:00"  # a Sunday night: the week ahead gets its blocks
NIGHT = "2026-11-29"


def start_worker(config: Path, *extra: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "guardian", "org", "worker", "--config", str(config), *extra],
        cwd=REPO,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def stop_worker(proc: subprocess.Popen) -> str:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
    return proc.stderr.read().decode() if proc.stderr else ""


def write_org(
    tmp_path: Path, temporal_address: str, people: list[str], *, state: str = "sqlite", extra: str = ""
) -> Path:
    lines = []
    for person in people:
        meeting = vevent("Design review", "2026-12-01 10:00", minutes=60, me=person, uid=f"review-{person}")
        path = write_ics(tmp_path, meeting, name=f"{person.split('@')[0]}.ics")
        lines += ["[[person]]", f'email = "{person}"', f'calendar = "{path.name}"', ""]
    (tmp_path / "roster.toml").write_text("\n".join(lines))
    config = tmp_path / "guardian.toml"
    config.write_text(
        f'timezone = "Europe/Berlin"\n[team]\nroster = "roster.toml"\n'
        f'[org]\ntemporal = "{temporal_address}"\ntask_queue = "q-{tmp_path.name}"\napply = true\n'
        f'state = "{state}"\ndata_dir = "org-data"\nschedule = "0 22 * * *"\n{extra}'
    )
    return config


def run_night(temporal_address: str, config: Path, roster: Path, *, queue: str, wid: str) -> dict:
    args = NightArgs(config=str(config), roster=str(roster), now=NOW)
    return asyncio.run(
        client.start_night(temporal_address, "default", main_queue=queue, args=args, workflow_id=wid)
    )


def wait_people(temporal_address: str, people: list[str], timeout: float = 90) -> dict[str, str]:
    ids = [person_workflow_id(NIGHT, p) for p in people]
    return asyncio.run(client.wait_people(temporal_address, "default", ids, timeout))


def people(tag: str, n: int = 3) -> list[str]:
    """Addresses of this test's own (workflow ids are per person and night, on a shared server)."""
    return [f"dev{i}.{tag}@acme.example" for i in range(1, n + 1)]


def test_a_night_books_everyones_blocks_once_and_status_says_so(temporal, tmp_path, cli):  # noqa: F811
    PEOPLE = people("a")
    config = write_org(tmp_path, temporal.address, PEOPLE)
    worker = start_worker(config)
    try:
        started = run_night(
            temporal.address, config, tmp_path / "roster.toml", queue=f"q-{tmp_path.name}", wid="night-a"
        )
        assert started == {"people": 3, "started": 3, "already": 0}
        assert set(wait_people(temporal.address, PEOPLE).values()) == {"COMPLETED"}
        # the same night again (a re-triggered schedule, a retried dispatch): nobody twice
        again = run_night(
            temporal.address, config, tmp_path / "roster.toml", queue=f"q-{tmp_path.name}", wid="night-b"
        )
        assert again == {"people": 3, "started": 0, "already": 3}
    finally:
        log = stop_worker(worker)
    assert "Traceback" not in log, log
    blocks = sorted((tmp_path / "org-data").glob("*.blocks.ics"))
    assert len(blocks) == 3
    for path in blocks:
        assert path.read_text().count("BEGIN:VEVENT") >= 4  # a block a working day, Mon-Thu at least
    result = cli("org", "status", "--config", str(config), "--night", NIGHT, "--format", "json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["ok"] == 3 and data["failed"] == [] and data["not_run"] == []
    assert all(
        r["summary"].startswith("1 meetings; focus: ") and "created" in r["summary"] for r in data["ran"]
    )
    assert data["schedule"]["exists"] is False  # this test ran a night by hand


def test_the_schedule_starts_the_night_and_status_shows_the_next_run(temporal, tmp_path, cli):  # noqa: F811
    PEOPLE = people("b")
    config = write_org(tmp_path, temporal.address, PEOPLE[:1])
    made = cli("org", "schedule", "--config", str(config))
    assert made.code == 0, made.err
    assert "schedule guardian-org-nightly: created: '0 22 * * *' in Europe/Berlin, 1 people" in made.out
    assert "queue guardian-local: 1 people, no rate limit" in made.out
    updated = cli("org", "schedule", "--config", str(config))
    assert "updated" in updated.out
    result = cli("org", "status", "--config", str(config), "--night", NIGHT)
    assert result.code == 0, result.err
    assert "schedule: '0 22 * * *' in Europe/Berlin; next: " in result.out
    assert "22:00" in result.out
    assert "Not run yet (1): dev1.b@acme.example" in result.out
    # the Schedule's own action, triggered now: tonight's run of the person, through a worker
    worker = start_worker(config)
    try:
        assert "triggered one run now" in cli("org", "schedule", "--config", str(config), "--run-now").out
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            tonight = json.loads(cli("org", "status", "--config", str(config), "--format", "json").out)
            if tonight["ok"] == 1:
                break
            time.sleep(0.5)
    finally:
        stop_worker(worker)
    assert tonight["ok"] == 1 and tonight["not_run"] == [] and tonight["schedule"]["recent_runs"]
    assert cli("org", "schedule", "--config", str(config), "--delete").out.strip().endswith("deleted")


def test_a_person_whose_calendar_is_broken_fails_alone_with_the_reason(temporal, tmp_path, cli):  # noqa: F811
    PEOPLE = people("c")
    config = write_org(tmp_path, temporal.address, PEOPLE[:2])
    roster = tmp_path / "roster.toml"
    roster.write_text(
        roster.read_text() + '[[person]]\nemail = "gone@acme.example"\ncalendar = "ics:missing.ics"\n'
    )
    worker = start_worker(config)
    try:
        run_night(temporal.address, config, roster, queue=f"q-{tmp_path.name}", wid="night-c")
        states = wait_people(temporal.address, [*PEOPLE[:2], "gone@acme.example"])
    finally:
        stop_worker(worker)
    assert states[person_workflow_id(NIGHT, "gone@acme.example")] == "FAILED"
    assert [s for w, s in states.items() if "gone" not in w] == ["COMPLETED", "COMPLETED"]
    data = json.loads(cli("org", "status", "--config", str(config), "--night", NIGHT, "--format", "json").out)
    assert data["ok"] == 2
    [failed] = data["failed"]
    assert failed["person"] == "gone@acme.example"
    assert failed["reason"].startswith("sync: ") and "missing.ics" in failed["reason"]


def test_postgres_state_is_shared_by_the_workers(temporal, postgres, tmp_path, cli, monkeypatch):  # noqa: F811
    PEOPLE = people("d")
    monkeypatch.setenv("GUARDIAN_PG_DSN", postgres.dsn)
    config = write_org(tmp_path, temporal.address, PEOPLE, state="postgresql")
    workers = [start_worker(config, env={"GUARDIAN_PG_DSN": postgres.dsn}) for _ in range(2)]
    try:
        run_night(
            temporal.address, config, tmp_path / "roster.toml", queue=f"q-{tmp_path.name}", wid="night-d"
        )
        assert set(wait_people(temporal.address, PEOPLE).values()) == {"COMPLETED"}
    finally:
        for w in workers:
            stop_worker(w)
    data = json.loads(cli("org", "status", "--config", str(config), "--night", NIGHT, "--format", "json").out)
    assert data["ok"] == 3
    import psycopg

    with psycopg.connect(postgres.dsn) as db:
        rows = db.execute(
            "SELECT person, count(*) FROM guardian_runs WHERE command='focus apply' AND person LIKE 'dev%%' "
            "GROUP BY person ORDER BY person"
        ).fetchall()
    assert [p for p, _ in rows] == PEOPLE


def test_without_the_dsn_variable_the_worker_says_what_to_set(tmp_path, cli, monkeypatch):
    monkeypatch.delenv("GUARDIAN_PG_DSN", raising=False)
    config = write_org(tmp_path, "127.0.0.1:1", people("e", 1), state="postgresql")
    result = cli("org", "status", "--config", str(config))
    assert result.code == 2
    assert '[org] state = "postgresql" but the variable GUARDIAN_PG_DSN is not set' in result.err


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('state = "mysql"', "org.state: 'mysql' is not one of sqlite, postgresql"),
        ("requests_per_activity = 0", "org.quotas.requests_per_activity: must be at least 1"),
    ],
)
def test_org_settings_are_checked_like_the_rest(tmp_path, cli, line, message):
    config = tmp_path / "guardian.toml"
    config.write_text(f"[org]\n{line}\n")
    result = cli("org", "status", "--config", str(config), "--roster", "x.toml")
    assert result.code == 2
    assert message.replace("org.quotas.", "org.") in result.err or message in result.err

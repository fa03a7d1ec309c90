"""What the benchmarks share: running whole processes as a person does, and timing them.

Every figure is a whole process (interpreter start-up, imports, reading,
output), timed on the wall clock, with its peak memory taken from the
child's own rusage (`ru_maxrss`, via `os.wait4`). Each is the median of
`--repeat` runs, and every ratio divides two figures measured in the same
run of the script, so it means the same on a slow or a busy machine.

`--baseline SRC` runs every guardian command a second time with another
checkout of guardian first on `PYTHONPATH` (for example the commit before a
change, `git worktree add /tmp/before HEAD~3`), and prints both: before and
after, measured side by side.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
FLOOR = HERE / "floor.py"
ME = "me@acme.example"
TZ = "Europe/Berlin"


@dataclass(frozen=True)
class Figure:
    seconds: float
    kib: int  # peak resident memory of the process

    def __str__(self) -> str:
        return f"{self.seconds * 1000:6.0f} ms {self.kib / 1024:6.1f} MiB"


@dataclass(frozen=True)
class Tree:
    """A guardian checkout to run (`src` None: this one)."""

    name: str
    src: Path

    def env(self, cache: Path) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GUARDIAN_", "XDG_"))}
        env["PYTHONPATH"] = str(self.src)
        env["XDG_CACHE_HOME"] = str(cache)
        env["XDG_CONFIG_HOME"] = str(cache / "no-config")
        env["XDG_DATA_HOME"] = str(cache / "data")
        env["TZ"] = TZ
        return env

    def guardian(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "guardian", *args]


def parser(doc: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=doc.splitlines()[0])
    p.add_argument("--repeat", type=int, default=5, help="runs per figure (the median is shown)")
    p.add_argument("--baseline", type=Path, help="another guardian checkout to measure in the same run")
    return p


def trees(args) -> list[Tree]:
    out = [Tree("after", REPO)]
    if args.baseline is not None:
        out.insert(0, Tree("before", args.baseline.resolve()))
    for tree in out:
        compiled(tree)
    return out


def compiled(tree: Tree) -> None:
    """Write the tree's bytecode first, as `pip install` does.

    A checkout run with PYTHONDONTWRITEBYTECODE set (as on CI machines)
    would otherwise compile every edited module from source on every run,
    which is not what a person running an installed guardian pays.
    """
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree.src / "guardian")], check=True)


def run(cmd: list[str], env: dict[str, str] | None = None) -> tuple[Figure, bytes]:
    """One process: its wall time, its peak memory, its output (which must succeed)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        # cwd: an empty folder, so that `python -m guardian` finds the tree on PYTHONPATH, not this one
        child = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=tempfile.gettempdir())
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode not in (0, 1):
            raise SystemExit(f"failed ({child.returncode}): {' '.join(cmd)}\n{err.read().decode()[-2000:]}")
        return Figure(seconds, usage.ru_maxrss), out.read()


def median(figures: list[Figure]) -> Figure:
    return Figure(
        statistics.median(f.seconds for f in figures), int(statistics.median(f.kib for f in figures))
    )


@contextmanager
def cache_dir() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="guardian-bench-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def cold(tree: Tree, args: list[str], repeat: int) -> Figure:
    """Each run with an empty cache, as the first run on a new file."""
    figures = []
    for _ in range(repeat):
        with cache_dir() as cache:
            figures.append(run(tree.guardian(*args), tree.env(cache))[0])
    return median(figures)


def warm(tree: Tree, args: list[str], repeat: int) -> Figure:
    """The same command again on the unchanged file, its cache filled by a first run."""
    with cache_dir() as cache:
        run(tree.guardian(*args), tree.env(cache))
        return median([run(tree.guardian(*args), tree.env(cache))[0] for _ in range(repeat)])


def floor(path: Path, start: str, end: str, repeat: int) -> Figure:
    """What no .ics tool avoids: icalendar's parse and recurring-ical-events' expansion, as a process."""
    cmd = [sys.executable, str(FLOOR), str(path), start, end]
    return median([run(cmd)[0] for _ in range(repeat)])


def plain(cmd: list[str], repeat: int) -> Figure:
    return median([run(cmd)[0] for _ in range(repeat)])


def calendar(years: int) -> Path:
    """The benchmark calendar of `years` years ending 2026 (written once, shared).

    Written by a child process: this one stays small, since a child's peak
    memory (ru_maxrss) counts what it was forked from.
    """
    path = OUT / ("year.ics" if years == 1 else f"years-{years}.ics")
    if not path.exists():
        subprocess.run(
            [sys.executable, str(HERE / "gen_calendar.py"), str(path), "--years", str(years)], check=True
        )
    return path


def ratio(value: Figure, base: Figure, target: float | None, *, memory: bool = False) -> str:
    r = (value.kib / base.kib) if memory else (value.seconds / base.seconds)
    goal = f" (target <= {target:g}x{' ok' if r <= target else ' MISSED'})" if target is not None else ""
    return f"{r:5.2f}x{goal}"


def audit_args(path: Path, first: str, days: int, now: str, *more: str) -> list[str]:
    return [
        "audit",
        "-c",
        str(path),
        "--from",
        first,
        "--days",
        str(days),
        "--now",
        now,
        "--me",
        ME,
        "--tz",
        TZ,
        *more,
    ]

"""Audit speed against its floor, and `guardian --help` start-up against typer's import.

Targets (issue 2):
- audit of a one-year calendar <= 1.5x the floor, where the floor is what
  no .ics tool can avoid: icalendar parsing + recurring-ical-events expansion
  of the same file, measured in the same run;
- `guardian --help` <= 2.5x `python -c "import typer"` (provider SDKs load lazily).

Figures are ratios against baselines measured in the same run, so they mean
the same on a slow or a busy machine. Prints the figures; never fails.

    python benchmarks/bench_audit.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gen_calendar import ensure  # noqa: E402

TZ = ZoneInfo("Europe/Berlin")
YEAR = Path(__file__).resolve().parent / "out" / "year.ics"


def floor_run(path: Path, start: datetime, end: datetime) -> int:
    import icalendar
    import recurring_ical_events

    count = 0
    for cal in icalendar.Calendar.from_ical(path.read_bytes(), multiple=True):
        count += len(recurring_ical_events.of(cal, skip_bad_series=True).between(start, end))
    return count


def audit_run(path: Path, start: datetime, end: datetime) -> int:
    from guardian.adapters.sources.base import Identity
    from guardian.adapters.sources.ics.source import IcsSource
    from guardian.core.model import Window
    from guardian.core.workhours import WorkingHours
    from guardian.lint.context import AuditContext
    from guardian.lint.engine import audit
    from guardian.lint.pack import load_rulebook

    window = Window(start, end)
    events = IcsSource(path, Identity(TZ, "me@acme.example", ("acme.example",))).read(window)
    book = load_rulebook()
    ctx = AuditContext(window, TZ, WorkingHours.from_spec(TZ), start, events, book.exemptions)
    return len(audit(book, ctx).findings)


def timed(fn, *args, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - t0)
    return times


def startup(cmd: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    path = ensure(YEAR)
    start, end = datetime(2026, 1, 1, tzinfo=TZ), datetime(2027, 1, 1, tzinfo=TZ)
    instances = floor_run(path, start, end)
    findings = audit_run(path, start, end)  # warm caches of both sides once
    floor = timed(floor_run, path, start, end, repeat=args.repeat)
    full = timed(audit_run, path, start, end, repeat=args.repeat)
    f, a = statistics.median(floor), statistics.median(full)
    print(
        f"calendar: {path.name}, {path.stat().st_size // 1024} KiB, {instances} instances in 2026, {findings} findings"
    )
    print(
        f"floor (parse + expand): {f * 1000:.0f} ms   audit: {a * 1000:.0f} ms   ratio {a / f:.2f}x (target <= 1.5x)"
    )
    typer_import = startup([sys.executable, "-c", "import typer"], args.repeat)
    help_time = startup([sys.executable, "-m", "guardian", "--help"], args.repeat)
    print(
        f"import typer: {typer_import * 1000:.0f} ms   guardian --help: {help_time * 1000:.0f} ms   "
        f"ratio {help_time / typer_import:.2f}x (target <= 2.5x)"
    )


if __name__ == "__main__":
    main()

"""`guardian report` on a one-year calendar, against `guardian audit` on the same file.

Target (issue 7): a report of a whole year costs about what the audit of that
year costs, because both are dominated by reading and expanding the .ics
file; the metrics are computed in one pass per day. Both run in this
process on the same file (benchmarks/out/year.ics, written by gen_calendar.py
if missing), so the ratio means the same on a slow or a busy machine.
Prints the figures; never fails.

    python benchmarks/bench_report.py [--repeat 3] [--weeks 8]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_audit import audit_run, timed  # noqa: E402
from gen_calendar import ensure  # noqa: E402

TZ = ZoneInfo("Europe/Berlin")
YEAR = Path(__file__).resolve().parent / "out" / "year.ics"
ME = "me@acme.example"


def _source(path: Path):
    from guardian.adapters.sources.base import Identity
    from guardian.adapters.sources.ics.source import IcsSource

    return IcsSource(path, Identity(TZ, ME, ("acme.example",)))


def _context(window, events, book):
    from guardian.core.workhours import WorkingHours
    from guardian.lint.context import AuditContext

    return AuditContext(window, TZ, WorkingHours.from_spec(TZ), window.start, events, book.exemptions, ME)


def report_run(path: Path, start: datetime, end: datetime, weeks: int, phases: dict | None = None) -> int:
    """What `guardian report --from START --days N --weeks W --html X` does, every output rendered."""
    from rich.console import Console

    from guardian.core.model import Window
    from guardian.domain.metrics import MetricParams
    from guardian.domain.report import build_report, read_span
    from guardian.lint.pack import load_rulebook
    from guardian.render.report import report_json, report_markdown, report_table
    from guardian.render.report_html import report_html

    t0 = time.perf_counter()
    window = Window(start, end)
    book = load_rulebook()
    events = _source(path).read(read_span(window, TZ, weeks))
    t1 = time.perf_counter()
    report = build_report(
        _context(window, events, book), MetricParams.from_rulebook(book), trend_weeks_count=weeks
    )
    t2 = time.perf_counter()
    size = len(report_json(report)) + len(report_markdown(report)) + len(report_html(report))
    report_table(report, Console(file=io.StringIO(), width=120, force_terminal=True))
    t3 = time.perf_counter()
    if phases is not None:
        for name, value in (("read", t1 - t0), ("metrics", t2 - t1), ("render", t3 - t2)):
            phases.setdefault(name, []).append(value)
    return size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--weeks", type=int, default=8, help="trend weeks (the report's default is 8)")
    args = parser.parse_args()
    path = ensure(YEAR)
    start, end = datetime(2026, 1, 1, tzinfo=TZ), datetime(2027, 1, 1, tzinfo=TZ)
    findings = audit_run(path, start, end)  # warm both once (imports, regex caches)
    report_run(path, start, end, args.weeks)
    audit_times = timed(audit_run, path, start, end, repeat=args.repeat)
    phases: dict[str, list[float]] = {}
    report_times = timed(report_run, path, start, end, args.weeks, phases, repeat=args.repeat)
    a, r = statistics.median(audit_times), statistics.median(report_times)
    print(
        f"calendar: {path.name}, {path.stat().st_size // 1024} KiB, window 2026 (365 days), {findings} audit findings"
    )
    print(
        f"audit: {a * 1000:.0f} ms   report (+{args.weeks}-week trend, all four outputs): {r * 1000:.0f} ms   "
        f"ratio {r / a:.2f}x (target: about 1x)"
    )
    print(
        "report phases: " + "   ".join(f"{k} {statistics.median(v) * 1000:.0f} ms" for k, v in phases.items())
    )


if __name__ == "__main__":
    main()

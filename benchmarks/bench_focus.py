"""Focus planning cost on a year of a busy calendar, against the audit floor.

Target (issue 3): planning + reconcile <= 0.2x the floor (icalendar parse +
recurrence expansion of the same file, same run). The events are read once;
only plan() and reconcile() are timed, since reading is the floor's job.

    python benchmarks/bench_focus.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_audit import TZ, YEAR, floor_run, timed  # noqa: E402
from gen_calendar import ensure  # noqa: E402


def main() -> None:
    from guardian.adapters.sources.base import Identity
    from guardian.adapters.sources.ics.source import IcsSource
    from guardian.core.availability import FocusPolicy
    from guardian.core.model import Event, Window
    from guardian.core.workhours import WorkingHours
    from guardian.domain.focus import plan, reconcile

    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    path = ensure(YEAR)
    start, end = datetime(2026, 1, 1, tzinfo=TZ), datetime(2027, 1, 1, tzinfo=TZ)
    window = Window(start, end)
    events = IcsSource(path, Identity(TZ, "me@acme.example")).read(window)
    hours = WorkingHours.from_spec(TZ)
    policy = FocusPolicy()
    now = datetime(2025, 12, 31, tzinfo=TZ)

    def plan_and_reconcile() -> int:
        result = plan(events, window, hours, policy, now)
        booked = [
            Event(uid=f"guardian-{i}@guardian", start=b.start, end=b.end, own_block=True)
            for i, b in enumerate(result.blocks)
        ]
        ops = reconcile(list(result.blocks), booked, now)
        return len(ops)

    blocks = len(plan(events, window, hours, policy, now).blocks)
    floor = statistics.median(timed(floor_run, path, start, end, repeat=args.repeat))
    planning = statistics.median(timed(plan_and_reconcile, repeat=args.repeat))
    print(f"{len(events)} events in 2026 -> {blocks} focus blocks")
    print(
        f"floor (parse + expand): {floor * 1000:.0f} ms   plan + reconcile: {planning * 1000:.0f} ms   "
        f"ratio {planning / floor:.3f}x (target <= 0.2x)"
    )


if __name__ == "__main__":
    main()

"""`guardian focus plan` as a person runs it, against what parsing the same file costs anyway.

Planning and reconciling are pure and quick; what a person waits for is
reading the calendar, as for the audit. Target (chosen to match the
audit's, issue 15): `focus plan --days 365 --format json` of the one-year
calendar, empty cache / the floor (icalendar parse + recurring-ical-events
expansion of the same year), <= 1.3x; and a week of the four-year export
<= 0.3x of its floor.

    python benchmarks/bench_focus.py [--repeat 5] [--baseline ../before]
"""

from __future__ import annotations

from _bench import ME, TZ, calendar, cold, floor, parser, ratio, trees


def focus_args(path, first: str, days: int, now: str) -> list[str]:
    return ["focus", "plan", "-c", str(path), "--from", first, "--days", str(days), "--now", now] + [
        "--me",
        ME,
        "--tz",
        TZ,
        "--format",
        "json",
        "--output",
        "/nonexistent/blocks.ics",
    ]


def main() -> None:
    args = parser(__doc__).parse_args()
    year, four = calendar(1), calendar(4)
    year_floor = floor(year, "2026-01-01", "2027-01-01", args.repeat)
    week_floor = floor(four, "2026-11-30", "2026-12-07", args.repeat)
    print(f"floor, one year of {year.name}: {year_floor}   floor, {four.name} (week): {week_floor}\n")
    for tree in trees(args):
        print(f"[{tree.name}: {tree.src}]")
        plan_year = cold(tree, focus_args(year, "2026-01-01", 365, "2025-12-31T17:00:00+01:00"), args.repeat)
        print(f"  focus plan, a year:               {plan_year}  {ratio(plan_year, year_floor, 1.3)}")
        plan_week = cold(tree, focus_args(four, "2026-11-30", 7, "2026-11-27T17:00:00+01:00"), args.repeat)
        print(f"  focus plan, a week of 4 years:    {plan_week}  {ratio(plan_week, week_floor, 0.3)}\n")


if __name__ == "__main__":
    main()

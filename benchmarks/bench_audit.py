"""`guardian audit` as a person runs it, against what parsing the same file costs anyway.

Targets (issue 15), each a ratio of two processes timed in the same run:
- one-year audit (JSON, empty cache) / floor (icalendar parse + recurring-
  ical-events expansion of the same file and year): <= 1.3x; its peak
  memory / the floor's: <= 1.5x;
- one-week audit of a four-year export, empty cache / the floor of that file
  (parse it all, expand the week): <= 0.3x; the same with the cache filled
  by an earlier run (unchanged file): <= 0.15x;
- `guardian --help` / `python -c "import typer"`: <= 1.5x.
Also shown: the start-up of `guardian audit` on an empty calendar.

    python benchmarks/bench_audit.py [--repeat 5] [--baseline ../before]
"""

from __future__ import annotations

import sys

from _bench import REPO, audit_args, calendar, cold, floor, parser, plain, ratio, trees, warm


def main() -> None:
    args = parser(__doc__).parse_args()
    year, four = calendar(1), calendar(4)
    year_args = audit_args(year, "2026-01-01", 365, "2025-12-31T17:00:00+01:00", "--format", "json")
    week_args = audit_args(four, "2026-11-30", 7, "2026-11-27T17:00:00+01:00", "--format", "json")
    empty = REPO / "tests" / "data" / "no-events.ics"
    empty_args = audit_args(empty, "2026-11-30", 7, "2026-11-27T17:00:00+01:00", "--format", "json")
    print(
        f"calendars: {year.name} ({year.stat().st_size >> 10} KiB), {four.name} ({four.stat().st_size >> 10} KiB)"
    )
    print(f"{args.repeat} runs each, medians; every figure is a whole process\n")

    year_floor = floor(year, "2026-01-01", "2027-01-01", args.repeat)
    week_floor = floor(four, "2026-11-30", "2026-12-07", args.repeat)
    typer_import = plain([sys.executable, "-c", "import typer"], args.repeat)
    print(f"floor, one year of {year.name}:    {year_floor}")
    print(f"floor, {four.name} (week):  {week_floor}")
    print(f"python -c 'import typer':        {typer_import}\n")

    for tree in trees(args):
        print(f"[{tree.name}: {tree.src}]")
        one_year = cold(tree, year_args, args.repeat)
        print(
            f"  one-year audit (JSON):            {one_year}  time {ratio(one_year, year_floor, 1.3)}"
            f"  memory {ratio(one_year, year_floor, 1.5, memory=True)}"
        )
        week_cold = cold(tree, week_args, args.repeat)
        print(f"  week of a 4-year export, cold:    {week_cold}  {ratio(week_cold, week_floor, 0.3)}")
        week_warm = warm(tree, week_args, args.repeat)
        print(f"  week of a 4-year export, warm:    {week_warm}  {ratio(week_warm, week_floor, 0.15)}")
        help_figure = cold(tree, ["--help"], args.repeat)
        print(f"  guardian --help:                  {help_figure}  {ratio(help_figure, typer_import, 1.5)}")
        startup = cold(tree, empty_args, args.repeat)
        print(
            f"  audit start-up (empty calendar):  {startup}  {ratio(startup, typer_import, None)} of import typer\n"
        )


if __name__ == "__main__":
    main()

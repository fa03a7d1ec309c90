"""`guardian report` with its 8-week trend against `guardian audit` of the same window.

Target (issue 15): report (JSON, 8 trend weeks) / audit (JSON) of the same
window <= 1.0x, both as a person runs them, each with an empty cache, on the
window the earlier benchmark used: the year 2026 of the one-year calendar
(the report reads its window and the eight weeks before it). Shown as well,
without a target: the report's default window (two weeks) on the one-year
calendar and on the four-year export, where the trend's eight weeks are
most of what is read, so the report reads four times what the audit does.

    python benchmarks/bench_report.py [--repeat 5] [--baseline ../before]
"""

from __future__ import annotations

from _bench import ME, TZ, audit_args, calendar, cold, parser, ratio, trees

NOW = "2026-06-10T09:00:00+02:00"  # the report's default window: Mon 1 - Sun 14 June 2026
YEAR_NOW = "2025-12-31T17:00:00+01:00"


def main() -> None:
    args = parser(__doc__).parse_args()
    print(f"{args.repeat} runs each, medians, empty cache; every figure is a whole process\n")
    for tree in trees(args):
        print(f"[{tree.name}: {tree.src}]")
        year = calendar(1)
        audit = cold(tree, audit_args(year, "2026-01-01", 365, YEAR_NOW, "--format", "json"), args.repeat)
        report = cold(tree, report_args(year, YEAR_NOW, "--from", "2026-01-01", "--days", "365"), args.repeat)
        print(
            f"  {year.name:13s} the year 2026:    audit {audit}   report (+8 weeks) {report}   "
            f"{ratio(report, audit, 1.0)}"
        )
        for path in (year, calendar(4)):
            audit = cold(tree, audit_args(path, "2026-06-01", 14, NOW, "--format", "json"), args.repeat)
            report = cold(tree, report_args(path, NOW), args.repeat)
            print(
                f"  {path.name:13s} 1-14 June 2026:   audit {audit}   report (+8 weeks) {report}   "
                f"{ratio(report, audit, None)}"
            )
        print()


def report_args(path, now: str, *more: str) -> list[str]:
    return [
        "report",
        "-c",
        str(path),
        "--now",
        now,
        "--me",
        ME,
        "--tz",
        TZ,
        "--weeks",
        "8",
        "--format",
        "json",
        *more,
    ]


if __name__ == "__main__":
    main()

"""The common command-line options (design.md, "Command line contract").

Kept apart from the command modules so every one of them can import them at
module level: Typer reads the annotations of each command's signature at
start-up. Each command takes the `--format` option of the values it really has
(`FormatOpt` or `TableJsonOpt`), so its help never offers one it refuses.
"""

from typing import Annotated, Any, Optional

import typer

from guardian.errors import InputError, did_you_mean, join_hints

CalendarOpt = Annotated[
    Optional[list[str]],
    typer.Option(
        "-c",
        "--calendar",
        metavar="SPEC",
        help="An .ics path, ics:PATH, google:CALENDAR_ID, outlook:me or a configured name. Repeatable.",
    ),
]
MeOpt = Annotated[Optional[str], typer.Option("--me", metavar="EMAIL", help="Who you are in .ics files.")]
FromOpt = Annotated[
    Optional[str],
    typer.Option(
        "--from",
        metavar="DAY",
        help="First day: YYYY-MM-DD, today, tomorrow, monday..sunday (the next one, today included) "
        "or next-week (next Monday). Default: today.",
    ),
]
UntilOpt = Annotated[
    Optional[str],
    typer.Option(
        "--until", metavar="DAY", help="Last day, included (same words as --from); instead of --days."
    ),
]
DaysOpt = Annotated[Optional[int], typer.Option("--days", metavar="N", help="Number of days (default 7).")]
TzOpt = Annotated[
    Optional[str], typer.Option("--tz", metavar="ZONE", help="Your time zone (default: config, then system).")
]
RulesOpt = Annotated[Optional[str], typer.Option("--rules", metavar="PATH", help="A rule pack (TOML).")]
ConfigOpt = Annotated[
    Optional[str], typer.Option("--config", metavar="PATH", envvar="GUARDIAN_CONFIG", help="Config file.")
]
NowOpt = Annotated[
    Optional[str],
    typer.Option("--now", metavar="ISO-DATETIME", envvar="GUARDIAN_NOW", help="Pretend it is this time."),
]

NoCacheOpt = Annotated[
    bool,
    typer.Option(
        "--no-cache", help="Read every calendar afresh, without guardian's cache of parsed calendars."
    ),
]

FORMATS = ("table", "json", "markdown")


# the two kinds of --format a command can have (each command takes the one it really does)
FormatOpt = Annotated[
    str,
    typer.Option(
        "--format", "-f", metavar="table|json|markdown", help="Output format: table, json or markdown."
    ),
]
TableJsonOpt = Annotated[
    str, typer.Option("--format", "-f", metavar="table|json", help="Output format: table or json.")
]


def make_options(calendar, me, start, days, tz, rules, config, now, until=None, **extra):
    from guardian.cli.progress import report
    from guardian.usecases.session import Options

    return Options(
        list(calendar or []),
        me,
        start,
        days,
        tz,
        rules,
        config,
        now,
        until=until,
        progress=report,
        **extra,
    )


def check_choice(option: str, value: str, allowed: tuple[str, ...] | list[str]) -> str:
    """`value` lower-cased if it is one of `allowed`; else one line with "did you mean"."""
    chosen = value.strip().lower()
    if chosen not in allowed:
        raise InputError(
            f"{option}: {value!r} is not one of {', '.join(allowed)}",
            hint=did_you_mean(chosen, allowed),
        )
    return chosen


def check_format(fmt: str, allowed: tuple[str, ...] = FORMATS) -> str:
    if fmt.lower() == "md" and "markdown" in allowed:
        return "markdown"
    return check_choice("--format", fmt, allowed)


def example(*lines: str) -> str:
    """A command's help epilog: its example command lines, kept as written."""
    body = "\n".join(f"  {line}" for line in lines)
    return f"\b\nExample{'s' if len(lines) > 1 else ''}:\n{body}"


def console(**kwargs: Any):
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True, **kwargs)


__all__ = [
    "CalendarOpt",
    "ConfigOpt",
    "DaysOpt",
    "FormatOpt",
    "TableJsonOpt",
    "FromOpt",
    "MeOpt",
    "NowOpt",
    "RulesOpt",
    "TzOpt",
    "UntilOpt",
    "check_choice",
    "check_format",
    "console",
    "example",
    "join_hints",
    "make_options",
]

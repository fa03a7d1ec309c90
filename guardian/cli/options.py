"""The common command-line options (design.md, "Command line contract").

Kept apart from cli.py so every command module can import them at module
level: Typer reads the annotations of each command's signature at start-up.
"""

from typing import Annotated, Optional

import typer

from guardian.errors import InputError

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
    Optional[str], typer.Option("--from", metavar="YYYY-MM-DD", help="First day (default: today).")
]
DaysOpt = Annotated[Optional[int], typer.Option("--days", metavar="N", help="Number of days (default 7).")]
TzOpt = Annotated[
    Optional[str], typer.Option("--tz", metavar="ZONE", help="Your time zone (default: config, then system).")
]
RulesOpt = Annotated[Optional[str], typer.Option("--rules", metavar="PATH", help="A rule pack (TOML).")]
ConfigOpt = Annotated[
    Optional[str], typer.Option("--config", metavar="PATH", envvar="GUARDIAN_CONFIG", help="Config file.")
]
FormatOpt = Annotated[str, typer.Option("--format", "-f", metavar="FORMAT", help="table, json or markdown.")]
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


def make_options(calendar, me, start, days, tz, rules, config, now, no_cache: bool = False):
    from guardian.usecases.session import Options

    return Options(list(calendar or []), me, start, days, tz, rules, config, now, no_cache=no_cache)


def check_format(fmt: str, allowed: tuple[str, ...] = FORMATS) -> str:
    fmt = fmt.lower()
    if fmt == "md":
        fmt = "markdown"
    if fmt not in allowed:
        raise InputError(f"--format: {fmt!r} is not one of {', '.join(allowed)}")
    return fmt


def console():
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)

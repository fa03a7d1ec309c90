"""guardian's command line: thin Typer commands over the pure core.

Each command resolves a Session (options + config), calls core functions,
and renders. Errors are not handled here command by command: `main()` turns
every GuardianError into one line on stderr and its exit code.
"""

from __future__ import annotations

import logging
import sys
from typing import Annotated, Any, Optional

import typer

from guardian.cli.options import (
    CalendarOpt,
    ConfigOpt,
    DaysOpt,
    FormatOpt,
    FromOpt,
    MeOpt,
    NoCacheOpt,
    NowOpt,
    RulesOpt,
    TzOpt,
    console,
)
from guardian.cli.options import check_format as _check_format
from guardian.cli.options import make_options as _options
from guardian.errors import EXIT_FINDINGS, EXIT_INPUT, GuardianError, InputError

app = typer.Typer(
    name="guardian",
    help="Protect focus time and make meetings earn their place.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,  # locals can hold tokens
    rich_markup_mode=None,
)
rules_app = typer.Typer(help="List, explain and check rules.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")


# --- audit -------------------------------------------------------------------


@app.command()
def audit(
    calendar: CalendarOpt = None,
    me: MeOpt = None,
    start: FromOpt = None,
    days: DaysOpt = None,
    tz: TzOpt = None,
    rules: RulesOpt = None,
    config: ConfigOpt = None,
    fmt: FormatOpt = "table",
    now: NowOpt = None,
    fail_on: Annotated[
        Optional[str],
        typer.Option(
            "--fail-on", metavar="LEVEL", help="Exit 1 when a finding is at or above info, warning or error."
        ),
    ] = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Review the coming days' meetings against the rule pack, like a linter."""
    from guardian.core.model import Severity
    from guardian.render.audit import audit_json, audit_markdown, audit_table
    from guardian.usecases.audit import run_audit

    fmt = _check_format(fmt)
    threshold = None
    if fail_on:
        try:
            threshold = Severity(fail_on.lower())
        except ValueError:
            raise InputError(f"--fail-on: {fail_on!r} is not one of info, warning, error") from None
    run = run_audit(_options(calendar, me, start, days, tz, rules, config, now, no_cache))
    if fmt == "json":
        typer.echo(audit_json(run.result, run.action_states))
    elif fmt == "markdown":
        typer.echo(audit_markdown(run.result, run.action_states), nl=False)
    else:
        audit_table(run.result, console(), run.action_states)
    worst = run.result.worst()
    if threshold is not None and worst is not None and worst.rank >= threshold.rank:
        raise typer.Exit(EXIT_FINDINGS)


# --- rules ---------------------------------------------------------------------


@rules_app.command("list")
def rules_list(
    rules: RulesOpt = None,
    config: ConfigOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """List the rules of the pack in use."""
    import json

    book = _rulebook(rules, config)
    fmt = _check_format(fmt)
    if fmt == "json":
        typer.echo(
            json.dumps(
                [
                    {
                        "code": r.code,
                        "name": r.name,
                        "severity": str(r.severity),
                        "check": r.check,
                        "action": r.action,
                        "params": r.params_dict(),
                        "exempt": r.exempt,
                    }
                    for r in book.rules
                ],
                indent=2,
            )
        )
        return
    out = console()
    for r in book.rules:
        out.print(f"{r.code}  {r.name:<22} {str(r.severity):<8} {r.docs.get('what', '').split('. ')[0]}")


@rules_app.command("explain")
def rules_explain(
    rule: Annotated[str, typer.Argument(metavar="CODE|NAME")],
    rules: RulesOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Explain one rule: what it checks, why, an example, what to do instead."""
    book = _rulebook(rules, config)
    found = book.find(rule)
    if found is None:
        raise InputError(f"no rule {rule!r} in the pack", hint="see `guardian rules list`")
    params = found.params_dict()
    lines = [f"{found.code} {found.name} ({found.severity})", ""]
    for title, key in (
        ("What it does", "what"),
        ("Why it matters", "why"),
        ("Example", "example"),
        ("Instead", "instead"),
    ):
        if found.docs.get(key):
            lines += [f"## {title}", found.docs[key], ""]
    lines.append(f"Check: {found.check}" + (f"  params: {params}" if params else ""))
    lines.append(f"Action: {found.action}" + ("  (skips exempt meetings)" if found.exempt else ""))
    typer.echo("\n".join(lines))


@rules_app.command("check")
def rules_check(file: Annotated[str, typer.Argument(metavar="FILE")]) -> None:
    """Validate a rule pack; errors name the file, line and key."""
    from guardian.lint.pack import check_pack

    book = check_pack(file)
    typer.echo(f"{file}: ok ({len(book.rules)} rules, from {' -> '.join(book.sources)})")


def _rulebook(rules: str | None, config: str | None):
    from guardian.usecases.audit import load_pack

    return load_pack(rules, config)


# --- init ----------------------------------------------------------------------


@app.command()
def init(
    path: Annotated[
        Optional[str], typer.Option("--path", help="Where to write (default: the platform config dir).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing config.")] = False,
) -> None:
    """Write a commented starter config."""
    from pathlib import Path

    from guardian.adapters.config import default_config_path, write_starter

    target = Path(path).expanduser() if path else default_config_path()
    written = write_starter(target, force)
    typer.echo(f"wrote {written}; edit `me` and [calendars.work], then run: guardian audit")


# --- entry point -----------------------------------------------------------------


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time, not the one it was made with."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


class _WarningFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.lower()}: {record.getMessage()}"


def _setup_logging() -> None:
    logger = logging.getLogger("guardian")
    if not any(getattr(h, "_guardian", False) for h in logger.handlers):
        handler = _StderrHandler()
        handler.setFormatter(_WarningFormatter())
        handler._guardian = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def _register_optional_commands() -> None:
    """Commands that live in their own modules register themselves here."""
    import importlib

    for module in (
        "guardian.cli.focus",
        "guardian.cli.replies",
        "guardian.cli.convert",
        "guardian.cli.report",
        "guardian.cli.auth",
    ):
        try:
            importlib.import_module(module).register(app)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise


def _click_exceptions() -> tuple[Any, Any, Any]:
    """Typer's usage-error, exit and abort classes, whichever click it ships.

    Recent Typer vendors its own copy of click, so `click.ClickException`
    would not catch its usage errors; the classes are found through Typer.
    """
    usage = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")
    return usage, typer.Exit, typer.Abort


def main(argv: list[str] | None = None) -> int:
    """Run the command line; every known failure becomes one line and an exit code."""
    usage_error, exit_signal, abort = _click_exceptions()
    _setup_logging()
    try:
        code = app(args=argv, standalone_mode=False, prog_name="guardian")
    except GuardianError as exc:
        print(f"guardian: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except exit_signal as exc:
        return exc.exit_code
    except usage_error as exc:
        exc.show()
        return EXIT_INPUT
    except abort:
        print("guardian: aborted", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("guardian: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    # without standalone mode, click returns the code of a typer.Exit it caught
    return code if isinstance(code, int) else 0


_register_optional_commands()


def run() -> None:  # console_script entry point
    sys.exit(main())

"""guardian's command line: thin Typer commands over the use cases.

Each command resolves its options, calls one use case, and renders. Errors
are not handled here command by command: `main()` turns every GuardianError,
and every usage error, into one line on stderr (`guardian: error: ...`,
with "did you mean" where a near miss is likely) and its exit code.

Conventions: `--version`, `-h`/`--help`, shell completion
(`--install-completion`, `--show-completion`), `-q` (errors only on stderr)
and `-v` (what is read and how long it took) anywhere on the line, commands
listed in the order of a person's workflow, and an example in every help.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Annotated, Any, Optional

import typer
from typer.core import TyperArgument, TyperGroup

from guardian import __version__
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
    TableJsonOpt,
    TzOpt,
    UntilOpt,
    check_choice,
    console,
    example,
)
from guardian.cli.options import check_format as _check_format
from guardian.cli.options import make_options as _options
from guardian.errors import EXIT_FINDINGS, EXIT_INPUT, GuardianError, InputError, did_you_mean, join_hints

#: the order `guardian -h` lists commands in: the order a person uses them
WORKFLOW = (
    "init",
    "auth",
    "audit",
    "ignore",
    "rules",
    "focus",
    "replies",
    "convert",
    "report",
    "nightly",
    "tick",
    "watch",
    "team",
    "org",
    "cache",
)
GROUPS = ("series", "day", "rule", "none")
SEVERITIES = ("info", "warning", "error")


class WorkflowGroup(TyperGroup):
    """Lists commands in workflow order, not alphabetically or by import order."""

    def list_commands(self, ctx: Any) -> list[str]:
        names = super().list_commands(ctx)
        return sorted(names, key=lambda n: WORKFLOW.index(n) if n in WORKFLOW else len(WORKFLOW))


# Typer prints an argument's Python type after its name ("RULE <str>") and a
# required one in braces ("{RULE}"); every argument here has a metavar that
# already says what to type, written the usual way: RULE, [RULE], CODE...
_type_of = TyperArgument.display_type_rich


def _argument_type(self: TyperArgument, ctx: Any) -> str | None:
    return None if self.metavar else _type_of(self, ctx)


def _usage_name(self: TyperArgument) -> str:
    name = self.display_name_raw
    name = name if self.required else f"[{name}]"
    return name + ("..." if self.nargs != 1 and not name.endswith("...") else "")


TyperArgument.display_type_rich = _argument_type  # type: ignore[method-assign, assignment]
TyperArgument._usage_display_name = _usage_name  # type: ignore[method-assign]

HELP = {"help_option_names": ["-h", "--help"]}

app = typer.Typer(
    name="guardian",
    help="Protect focus time and make meetings earn their place.",
    cls=WorkflowGroup,
    no_args_is_help=True,
    add_completion=True,
    context_settings=HELP,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,  # locals can hold tokens
    rich_markup_mode=None,
)
rules_app = typer.Typer(help="List, explain and check rules.", no_args_is_help=True, context_settings=HELP)
app.add_typer(rules_app, name="rules")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"guardian {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_version, help="Print guardian's version and exit."
        ),
    ] = False,
    quiet: Annotated[
        bool, typer.Option("-q", "--quiet", help="Only errors on stderr: no warnings, notes or progress.")
    ] = False,
    verbose: Annotated[
        int,
        typer.Option("-v", "--verbose", count=True, help="Say on stderr what is read and how long it takes."),
    ] = 0,
) -> None:
    """Protect focus time and make meetings earn their place.

    Start with `guardian init`, then `guardian audit`. -q and -v work anywhere on the line.
    """
    from guardian.cli import progress

    logger = logging.getLogger("guardian")
    logger.setLevel(logging.ERROR if quiet else logging.DEBUG if verbose else logging.INFO)
    progress.configure(not quiet)


def note(text: str) -> None:
    """A side note on stderr ("wrote FILE"), left out with -q."""
    if logging.getLogger("guardian").isEnabledFor(logging.INFO):
        from guardian.cli import progress

        progress.clear()
        print(f"guardian: {text}", file=sys.stderr)


# --- audit -------------------------------------------------------------------


@app.command(
    epilog=example(
        "guardian audit -c ~/Downloads/work.ics --me you@example.com --from monday",
        "guardian audit --group day --hints",
        "guardian audit --write-baseline known.json   # then: --baseline known.json",
    )
)
def audit(
    calendar: CalendarOpt = None,
    me: MeOpt = None,
    start: FromOpt = None,
    until: UntilOpt = None,
    days: DaysOpt = None,
    tz: TzOpt = None,
    rules: RulesOpt = None,
    config: ConfigOpt = None,
    fmt: FormatOpt = "table",
    now: NowOpt = None,
    fail_on: Annotated[
        Optional[str],
        typer.Option(
            "--fail-on",
            metavar="info|warning|error",
            help="Exit 1 when a finding is at or above this severity.",
        ),
    ] = None,
    group: Annotated[
        str,
        typer.Option(
            "--group",
            metavar="series|day|rule|none",
            help="Group the table: one entry per meeting series (default), per day, per rule, or none.",
        ),
    ] = "series",
    hints: Annotated[
        bool, typer.Option("--hints", help="Show what to do on every finding, not once per rule.")
    ] = False,
    no_pager: Annotated[
        bool, typer.Option("--no-pager", help="Never page long output (PAGER names the pager).")
    ] = False,
    baseline: Annotated[
        Optional[str],
        typer.Option("--baseline", metavar="FILE", help="Show only findings not recorded in FILE."),
    ] = None,
    write_baseline: Annotated[
        Optional[str],
        typer.Option(
            "--write-baseline", metavar="FILE", help="Record this run's findings in FILE (a baseline)."
        ),
    ] = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Review the coming days' meetings against the rule pack, like a linter."""
    from guardian.cli import progress
    from guardian.core.collector import collector_paused
    from guardian.core.model import Severity
    from guardian.render.audit import audit_lines, audit_markdown, write_audit_json
    from guardian.render.pager import show
    from guardian.usecases.audit import run_audit

    fmt = _check_format(fmt, ("table", "json", "markdown"))
    how = check_choice("--group", group, GROUPS)
    threshold = Severity(check_choice("--fail-on", fail_on, SEVERITIES)) if fail_on else None
    options = _options(
        calendar, me, start, days, tz, rules, config, now, until=until, baseline=baseline, no_cache=no_cache
    )
    with collector_paused():  # a batch of objects that live until the end (guardian.core.collector)
        with progress.running():
            run = run_audit(options, write_baseline)
        if run.baseline_written is not None:
            path, count = run.baseline_written
            note(f"wrote baseline {path} ({count} findings)")
        if fmt == "json":
            write_audit_json(sys.stdout.write, run.result, run.action_states, run.rulebook, run.team_prices)
            sys.stdout.flush()
        elif fmt == "markdown":
            typer.echo(audit_markdown(run.result, run.action_states), nl=False)
        else:
            out = console()
            same = any((calendar, me, start, until, days, tz, rules, config, now))
            lines = audit_lines(
                run.result,
                run.action_states,
                run.rulebook,
                how=how,
                hints=hints,
                width=out.width,
                steps_note="with the same options" if same else "",
                team=run.team_prices,
            )
            show(lines, out, page=not no_pager)
    worst = run.result.worst()
    if threshold is not None and worst is not None and worst.rank >= threshold.rank:
        raise typer.Exit(EXIT_FINDINGS)


# --- ignore ------------------------------------------------------------------


@app.command(
    epilog=example(
        'guardian ignore "Platform daily standup*" D001 no-decision --reason "team decision" --until 2026-12-31',
        "guardian ignore standup-platform@acme.example S001",
    )
)
def ignore(
    target: Annotated[
        str, typer.Argument(metavar="UID|TITLE", help="A series UID (has an @), or a title glob.")
    ],
    rule_names: Annotated[
        list[str], typer.Argument(metavar="CODE...", help="Rule codes or names to ignore.")
    ],
    reason: Annotated[
        Optional[str], typer.Option("--reason", metavar="TEXT", help="Why (kept in the config).")
    ] = None,
    until: Annotated[
        Optional[str],
        typer.Option("--until", metavar="YYYY-MM-DD", help="Last day whose occurrences it hides."),
    ] = None,
    rules: RulesOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Leave findings alone: add an [[ignore]] table to the config (appended; the rest is untouched)."""
    from guardian.usecases.ignore import add_ignore

    added = add_ignore(config, target, rule_names, reason=reason, until=until, rules=rules)
    what = "created" if added.created else "appended to"
    typer.echo(f"{what} {added.path}:{added.line}: [[ignore]] {', '.join(added.codes)} for {added.target}")


# --- rules ---------------------------------------------------------------------


@rules_app.command(
    "list", epilog=example("guardian rules list", "guardian rules list --rules team-rules.toml -f json")
)
def rules_list(
    rules: RulesOpt = None,
    config: ConfigOpt = None,
    fmt: TableJsonOpt = "table",
) -> None:
    """List the rules of the pack in use."""
    import json

    book = _rulebook(rules, config)
    fmt = _check_format(fmt, ("table", "json"))
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
        what = r.docs.get("what", "").split(". ")[0]
        out.print(f"{r.code}  {r.name:<22} {str(r.severity):<8} {what}", markup=False, highlight=False)


@rules_app.command(
    "explain", epilog=example("guardian rules explain D001", "guardian rules explain missing-pre-read")
)
def rules_explain(
    rule: Annotated[
        str, typer.Argument(metavar="RULE", help="A rule code (D001) or name (missing-pre-read).")
    ],
    rules: RulesOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Explain one rule: what it checks, why, an example, what to do instead."""
    book = _rulebook(rules, config)
    found = book.find(rule)
    if found is None:
        names = [r.code for r in book.rules] + [r.name for r in book.rules]
        raise InputError(
            f"no rule {rule!r} in the pack",
            hint=join_hints(did_you_mean(rule.strip(), names), "see `guardian rules list`"),
        )
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
    lines.append(f"Check: {found.check} ({found.scope})" + (f"  params: {params}" if params else ""))
    lines.append(f"Action: {found.action}" + ("  (skips exempt meetings)" if found.exempt else ""))
    typer.echo("\n".join(lines))


@rules_app.command("check", epilog=example("guardian rules check examples/team-rules.toml"))
def rules_check(file: Annotated[str, typer.Argument(metavar="FILE", help="The rule pack to check.")]) -> None:
    """Validate a rule pack; errors name the file, line and key."""
    from guardian.lint.pack import check_pack

    book = check_pack(file)
    typer.echo(f"{file}: ok ({len(book.rules)} rules, from {' -> '.join(book.sources)})")


def _rulebook(rules: str | None, config: str | None):
    from guardian.usecases.audit import load_pack

    return load_pack(rules, config)


# --- init ----------------------------------------------------------------------


@app.command(epilog=example("guardian init", "guardian init --path ./guardian.toml"))
def init(
    path: Annotated[
        Optional[str],
        typer.Option("--path", metavar="PATH", help="Where to write (default: the platform config dir)."),
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

    def emit(self, record: logging.LogRecord) -> None:
        from guardian.cli import progress

        progress.clear()  # a warning never lands in the middle of the progress line
        super().emit(record)


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
        "guardian.cli.tick",
        "guardian.cli.team",
        "guardian.cli.org",
        "guardian.cli.cache",
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


_VERBOSITY = re.compile(r"^(-q|--quiet|-v+|--verbose)$")


def hoist_verbosity(argv: list[str]) -> list[str]:
    """Move -q/-v to the front, so they work after the command too (`guardian audit -q`)."""
    flags: list[str] = []
    rest: list[str] = []
    for index, arg in enumerate(argv):
        if arg == "--":
            rest += argv[index:]
            break
        (flags if _VERBOSITY.match(arg) else rest).append(arg)
    return flags + rest


def usage_message(exc: Any) -> str:
    """A click usage error as guardian's one line: what is wrong, what was meant, where help is."""
    message = exc.format_message()
    ctx = getattr(exc, "ctx", None)
    hint = ""
    name = getattr(exc, "option_name", None)
    if name and getattr(exc, "possibilities", None) is not None:  # click's NoSuchOption
        message = f"no such option {name}"
        hint = did_you_mean(name, exc.possibilities)
    unknown = re.match(r"No such command '([^']*)'", message)
    if unknown and ctx is not None:
        message = f"no such command {unknown.group(1)!r}"
        hint = did_you_mean(unknown.group(1), ctx.command.list_commands(ctx))
    message = message[:1].lower() + message[1:]
    where = f"see `{ctx.command_path} -h`" if ctx is not None else "see `guardian -h`"
    return f"{message.rstrip('.')} ({join_hints(hint, where)})"


class _SafeStream:
    """stdout/stderr as guardian writes them: only its own escape sequences reach the terminal.

    The one sanitizer at the edge of every output (guardian.core.safe_text):
    whatever a renderer, a warning or an error message carries from an
    invite or a file, control characters and bidi controls arrive escaped.
    """

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: Any) -> Any:
        if isinstance(text, str):
            from guardian.core.safe_text import strip_terminal_output

            text = strip_terminal_output(text)
        return self._stream.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; every known failure becomes one line and an exit code."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _SafeStream(out), _SafeStream(err)  # type: ignore[assignment]
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = out, err


def _main(argv: list[str] | None) -> int:
    usage_error, exit_signal, abort = _click_exceptions()
    _setup_logging()
    args = hoist_verbosity(list(sys.argv[1:] if argv is None else argv))
    try:
        code = app(args=args, standalone_mode=False, prog_name="guardian")
    except GuardianError as exc:
        _clear_progress()
        print(f"guardian: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except exit_signal as exc:
        return exc.exit_code
    except usage_error as exc:
        print(f"guardian: error: {usage_message(exc)}", file=sys.stderr)
        return EXIT_INPUT
    except abort:
        print("guardian: aborted", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        _clear_progress()
        print("guardian: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    # without standalone mode, click returns the code of a typer.Exit it caught
    return code if isinstance(code, int) else 0


def _clear_progress() -> None:
    from guardian.cli import progress

    progress.clear()


_register_optional_commands()


def run() -> None:  # console_script entry point
    sys.exit(main())

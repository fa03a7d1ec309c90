"""`guardian focus plan|apply` and `guardian nightly`."""

import sys
from typing import Annotated, Optional

import typer

from guardian.cli.options import (
    CalendarOpt,
    ConfigOpt,
    DaysOpt,
    FromOpt,
    MeOpt,
    NoCacheOpt,
    NowOpt,
    RulesOpt,
    TableJsonOpt,
    TzOpt,
    UntilOpt,
    console,
    example,
)
from guardian.cli.options import (
    check_format as _check_format,
)
from guardian.cli.options import (
    make_options as _options,
)

OutputOpt = Annotated[
    Optional[str],
    typer.Option(
        "--output",
        metavar="PATH",
        help="For .ics calendars: the block file to write (default: [focus] output).",
    ),
]


def register(app: typer.Typer) -> None:
    focus_app = typer.Typer(help="Plan and book 2h+ focus blocks.", no_args_is_help=True)
    app.add_typer(focus_app, name="focus")

    def _session(calendar, me, start, days, tz, rules, config, now, until=None, no_cache=False):
        from guardian.usecases.session import Session

        return Session(
            _options(calendar, me, start, days, tz, rules, config, now, until=until, no_cache=no_cache),
            default_days=lambda settings: settings.focus.days,
        )

    def _show(run, session, fmt: str, title: str) -> None:
        from guardian.render.focus import focus_json, focus_table

        if fmt == "json":
            typer.echo(focus_json(run.plan, run.ops, session.window, run.applied, run.target))
        else:
            focus_table(run.plan, run.ops, console(), session.tz, title)
            for line in run.lines:
                typer.echo(line)

    @focus_app.command(
        "plan", epilog=example("guardian focus plan -c work.ics --from monday", "guardian focus plan -f json")
    )
    def focus_plan(
        calendar: CalendarOpt = None,
        me: MeOpt = None,
        start: FromOpt = None,
        until: UntilOpt = None,
        days: DaysOpt = None,
        tz: TzOpt = None,
        rules: RulesOpt = None,
        config: ConfigOpt = None,
        fmt: TableJsonOpt = "table",
        now: NowOpt = None,
        output: OutputOpt = None,
        no_cache: NoCacheOpt = False,
    ) -> None:
        """Show the focus blocks guardian would book (writes nothing)."""
        from guardian.cli import progress
        from guardian.usecases.focus import run_focus

        fmt = _check_format(fmt, ("table", "json"))
        with progress.running():
            session = _session(calendar, me, start, days, tz, rules, config, now, until, no_cache)
            run = run_focus(session, apply=False, output=output)
        _show(run, session, fmt, f"Focus plan for {run.target} (dry run: `guardian focus apply` books it)")

    @focus_app.command(
        "apply", epilog=example("guardian focus apply -c work.ics --output ~/focus-blocks.ics")
    )
    def focus_apply(
        calendar: CalendarOpt = None,
        me: MeOpt = None,
        start: FromOpt = None,
        until: UntilOpt = None,
        days: DaysOpt = None,
        tz: TzOpt = None,
        rules: RulesOpt = None,
        config: ConfigOpt = None,
        fmt: TableJsonOpt = "table",
        now: NowOpt = None,
        output: OutputOpt = None,
        no_cache: NoCacheOpt = False,
    ) -> None:
        """Book the plan: create, move or delete guardian's own blocks only."""
        from guardian.cli import progress
        from guardian.usecases.focus import run_focus

        fmt = _check_format(fmt, ("table", "json"))
        with progress.running():
            session = _session(calendar, me, start, days, tz, rules, config, now, until, no_cache)
            run = run_focus(session, apply=True, output=output)
        if fmt == "json":
            _show(run, session, fmt, "")
            return
        for line in run.lines:
            typer.echo(line)
        applied = run.applied
        assert applied is not None  # an apply run always records what it did
        switched = f", {applied.switched} switched (held/defended)" if applied.switched else ""
        typer.echo(
            f"{run.target}: {applied.created} created, {applied.moved} moved, "
            f"{applied.deleted} deleted{switched}, {applied.kept} unchanged"
        )

    @app.command(
        epilog=example(
            "guardian nightly            # dry run",
            "guardian nightly --apply    # from cron or a systemd timer",
        )
    )
    def nightly(
        calendar: CalendarOpt = None,
        me: MeOpt = None,
        days: DaysOpt = None,
        tz: TzOpt = None,
        rules: RulesOpt = None,
        config: ConfigOpt = None,
        now: NowOpt = None,
        apply: Annotated[
            Optional[bool],
            typer.Option("--apply/--dry-run", help="Act (default: [nightly] apply, else dry run)."),
        ] = None,
        no_cache: NoCacheOpt = False,
    ) -> None:
        """The unattended job: for every calendar, audit, book focus blocks, send due requests."""
        from guardian.usecases.nightly import run_all

        worst = 0
        for line in run_all(
            calendars=list(calendar or []),
            cfg_path=config,
            me=me,
            days=days,
            tz=tz,
            rules=rules,
            now=now,
            apply=apply,
            no_cache=no_cache,
        ):
            if line.error is None:
                typer.echo(line.text)
            else:
                print(f"guardian: error: {line.spec}: {line.error}", file=sys.stderr)
                worst = max(worst, line.error.exit_code)
        if worst:
            raise typer.Exit(worst)

"""`guardian focus plan|apply` and `guardian nightly`."""

import sys
from datetime import datetime
from typing import Annotated, Optional

import typer

from guardian.cli.options import (
    CalendarOpt,
    ConfigOpt,
    DaysOpt,
    FormatOpt,
    FromOpt,
    MeOpt,
    NowOpt,
    RulesOpt,
    TzOpt,
    console,
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

    def _session(calendar, me, start, days, tz, rules, config, now):
        from guardian.usecases.session import Session

        return Session(
            _options(calendar, me, start, days, tz, rules, config, now), days_setting=("focus", "days")
        )

    def _show(run, session, fmt: str, title: str) -> None:
        from guardian.render.focus import focus_json, focus_table

        if fmt == "json":
            typer.echo(focus_json(run.plan, run.ops, session.window, run.applied, run.target))
        else:
            focus_table(run.plan, run.ops, console(), session.tz, title)
            for line in run.lines:
                typer.echo(line)

    @focus_app.command("plan")
    def focus_plan(
        calendar: CalendarOpt = None,
        me: MeOpt = None,
        start: FromOpt = None,
        days: DaysOpt = None,
        tz: TzOpt = None,
        rules: RulesOpt = None,
        config: ConfigOpt = None,
        fmt: FormatOpt = "table",
        now: NowOpt = None,
        output: OutputOpt = None,
    ) -> None:
        """Show the focus blocks guardian would book (writes nothing)."""
        from guardian.usecases.focus import run_focus

        fmt = _check_format(fmt, ("table", "json"))
        session = _session(calendar, me, start, days, tz, rules, config, now)
        run = run_focus(session, apply=False, output=output)
        _show(run, session, fmt, f"Focus plan for {run.target} (dry run: `guardian focus apply` books it)")

    @focus_app.command("apply")
    def focus_apply(
        calendar: CalendarOpt = None,
        me: MeOpt = None,
        start: FromOpt = None,
        days: DaysOpt = None,
        tz: TzOpt = None,
        rules: RulesOpt = None,
        config: ConfigOpt = None,
        fmt: FormatOpt = "table",
        now: NowOpt = None,
        output: OutputOpt = None,
    ) -> None:
        """Book the plan: create, move or delete guardian's own blocks only."""
        from guardian.usecases.focus import run_focus

        fmt = _check_format(fmt, ("table", "json"))
        session = _session(calendar, me, start, days, tz, rules, config, now)
        run = run_focus(session, apply=True, output=output)
        if fmt == "json":
            _show(run, session, fmt, "")
            return
        for line in run.lines:
            typer.echo(line)
        applied = run.applied
        typer.echo(
            f"{run.target}: {applied.created} created, {applied.moved} moved, "
            f"{applied.deleted} deleted, {applied.kept} unchanged"
        )

    @app.command()
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
    ) -> None:
        """The unattended job: for every calendar, audit, book focus blocks, send due requests."""
        from guardian.adapters.config import load_config
        from guardian.errors import GuardianError
        from guardian.usecases.nightly import NightlyBudget, run_nightly

        cfg = load_config(config)
        act = apply if apply is not None else bool(cfg.get("nightly", "apply", False))
        specs = (
            list(calendar or [])
            or cfg.get("nightly", "calendars")
            or cfg.get("", "calendars_default")
            or list(cfg.calendars)
        )
        if not specs:
            from guardian.errors import InputError

            raise InputError(
                "nightly: no calendars",
                hint="add [calendars.NAME] and [nightly] calendars to the config, or pass -c",
            )
        worst = 0
        budget = NightlyBudget()  # one cap on pre-read requests for the whole run
        for spec in specs:
            try:
                for line in run_nightly(
                    spec,
                    cfg_path=config,
                    me=me,
                    days=days or cfg.get("nightly", "days"),
                    tz=tz,
                    rules=rules,
                    now=now,
                    apply=act,
                    budget=budget,
                ):
                    stamp = datetime.now().astimezone().isoformat(timespec="seconds")
                    typer.echo(f"{stamp} {line}")
            except GuardianError as exc:
                print(f"guardian: error: {spec}: {exc}", file=sys.stderr)
                worst = max(worst, exc.exit_code)
        if worst:
            raise typer.Exit(worst)

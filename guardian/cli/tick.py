"""`guardian tick` (run every few minutes) and `guardian watch` (the same, as a long-running service)."""

import sys
import time
from typing import Annotated

import typer

from guardian.cli.options import CalendarOpt, ConfigOpt, NowOpt, TableJsonOpt, TzOpt, example
from guardian.cli.options import check_format as _check_format
from guardian.cli.options import make_options as _options


def register(app: typer.Typer) -> None:
    @app.command(
        epilog=example(
            "guardian tick                # from a timer every 5 minutes: quiet",
            "guardian tick --dry-run      # what it would do now",
            "guardian tick --format json",
        )
    )
    def tick(
        calendar: CalendarOpt = None,
        config: ConfigOpt = None,
        tz: TzOpt = None,
        now: NowOpt = None,
        fmt: TableJsonOpt = "table",
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="Say what it would do now; change nothing.")
        ] = False,
    ) -> None:
        """Do not disturb in Slack or Teams while a focus block runs (idempotent: run it often)."""
        import json

        from guardian.usecases.tick import run_tick

        fmt = _check_format(fmt, ("table", "json"))
        run = run_tick(_options(calendar, None, None, None, tz, None, config, now), dry_run=dry_run)
        if fmt == "json":
            typer.echo(json.dumps(run.to_json(), indent=2))
        elif dry_run:
            for line in run.lines or [run.note or "nothing to do now"]:
                typer.echo(line)
        if run.errors:
            raise run.errors[0]

    @app.command(epilog=example("guardian watch --every 120   # as a systemd service or launchd agent"))
    def watch(
        calendar: CalendarOpt = None,
        config: ConfigOpt = None,
        tz: TzOpt = None,
        every: Annotated[
            int, typer.Option("--every", metavar="SECONDS", help="Seconds between two ticks (default 60).")
        ] = 60,
    ) -> None:
        """Run `guardian tick` every --every seconds until stopped; a failing tick is logged, not fatal."""
        from guardian.errors import GuardianError, InputError
        from guardian.usecases.tick import run_tick

        if not 10 <= every <= 3600:
            raise InputError(f"--every: {every} is out of range", hint="use 10 to 3600 seconds")
        while True:
            try:
                run_tick(_options(calendar, None, None, None, tz, None, config, None))
            except GuardianError as exc:
                if exc.exit_code == 2 and "config" in str(exc).lower():
                    raise  # a bad config stays bad: stop instead of logging it every minute
                print(f"guardian: error: {exc}", file=sys.stderr)
            time.sleep(every)

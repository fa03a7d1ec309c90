"""`guardian org schedule | worker | status`: registered on the main app by guardian.cli.

No `from __future__ import annotations` here: Typer reads the option
annotations at definition time, and they are local to `register`.
"""

import json
from typing import Annotated, Optional

import typer


def register(app: typer.Typer) -> None:
    from guardian.cli.options import ConfigOpt, FormatOpt, NowOpt, example

    org_app = typer.Typer(help="The nightly for every person of a roster, on Temporal.", no_args_is_help=True)
    app.add_typer(org_app, name="org")

    RosterOpt = Annotated[
        Optional[str], typer.Option("--roster", metavar="FILE", help="The roster (default [team] roster).")
    ]

    @org_app.command(
        "schedule",
        epilog=example("guardian org schedule --config org.toml", "guardian org schedule --run-now"),
    )
    def schedule(
        config: ConfigOpt = None,
        roster: RosterOpt = None,
        run_now: Annotated[bool, typer.Option("--run-now", help="Also start one run now.")] = False,
        delete: Annotated[bool, typer.Option("--delete", help="Delete the Schedule instead.")] = False,
    ) -> None:
        """Create or update the Temporal Schedule that starts the org's night ([org] schedule)."""
        from guardian.usecases.org import org_context
        from guardian.usecases.org import schedule as run

        for line in run(org_context(config, roster), run_now=run_now, delete=delete):
            typer.echo(line)

    @org_app.command("worker", epilog=example("guardian org worker --config org.toml --concurrency 8"))
    def worker(
        config: ConfigOpt = None,
        roster: RosterOpt = None,
        concurrency: Annotated[
            Optional[int],
            typer.Option(
                "--concurrency",
                metavar="N",
                help="Steps this worker runs at once (default [org] max_concurrent).",
            ),
        ] = None,
    ) -> None:
        """Run a worker: the workflows' queue and one queue per Google project or Graph tenant.

        Start as many as you like, on as many machines; the queues' rate limits hold across all
        of them. SIGTERM stops it; steps it was running are retried by another worker.
        """
        from guardian.usecases.org import org_context, plan_queues, serve

        ctx = org_context(config, roster)
        if concurrency is not None and concurrency < 1:
            from guardian.errors import InputError

            raise InputError("--concurrency: must be at least 1")
        queues = ", ".join(q.name for q in plan_queues(ctx.config, ctx.roster))
        typer.echo(
            f"guardian org worker: {ctx.org.temporal} ({ctx.org.namespace}), queues {ctx.org.task_queue}, {queues}",
            err=True,
        )
        serve(ctx, max_concurrent=concurrency)

    @org_app.command(
        "status",
        epilog=example("guardian org status", "guardian org status --night 2026-11-30 --format json"),
    )
    def status(
        config: ConfigOpt = None,
        roster: RosterOpt = None,
        night: Annotated[
            Optional[str],
            typer.Option("--night", metavar="YYYY-MM-DD", help="Which night (default: tonight)."),
        ] = None,
        fmt: FormatOpt = "table",
        now: NowOpt = None,
    ) -> None:
        """Who ran, who failed and why, who has not run yet, and the next runs."""
        from guardian.cli.options import check_format
        from guardian.usecases.org import org_context, org_zone, status_dict, status_lines
        from guardian.usecases.org import status as read

        fmt = check_format(fmt, ("table", "json"))
        ctx = org_context(config, roster)
        result = read(ctx, night, now)
        if fmt == "json":
            typer.echo(json.dumps(status_dict(result), indent=2))
        else:
            for line in status_lines(result, org_zone(ctx.config)):
                typer.echo(line)

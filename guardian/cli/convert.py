"""`guardian convert`: registered by guardian.cli.app.

No `from __future__ import annotations` here: Typer reads the option
annotations at runtime, and they are names local to `register`.
"""

from pathlib import Path
from typing import Annotated, Optional

import typer


def register(app: typer.Typer) -> None:
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
        check_format,
        example,
        make_options,
    )

    @app.command(
        "convert",
        epilog=example(
            "guardian convert -c work.ics --me you@example.com",
            "guardian convert --event standup@acme.example --kind update --stdout",
        ),
    )
    def convert_cmd(
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
        event: Annotated[
            Optional[str],
            typer.Option(
                "--event", metavar="UID", help="Draft for this event only (any meeting, flagged or not)."
            ),
        ] = None,
        kind: Annotated[
            Optional[str],
            typer.Option(
                "--kind", metavar="KIND", help="update, rfc, brainstorm or decision (default: from the rule)."
            ),
        ] = None,
        output: Annotated[
            str, typer.Option("--output", "-o", metavar="DIR", help="Folder for the drafts.")
        ] = "guardian-drafts",
        stdout: Annotated[
            bool, typer.Option("--stdout", help="Print the drafts instead of writing files.")
        ] = False,
        force: Annotated[
            bool,
            typer.Option(
                "--force", help="Replace drafts even if you changed them since guardian wrote them."
            ),
        ] = False,
        no_cache: NoCacheOpt = False,
    ) -> None:
        """Draft async replacements (update, RFC, brainstorm, decision) for status, brainstorm and proposal meetings."""
        from guardian.cli import progress
        from guardian.render.drafts import draft_lines, drafts_json
        from guardian.usecases.drafts import make_drafts, write_drafts

        fmt = check_format(fmt, ("table", "json"))
        with progress.running():
            _, drafts = make_drafts(
                make_options(
                    calendar, me, start, days, tz, rules, config, now, until=until, no_cache=no_cache
                ),
                event,
                kind,
            )
        written: list[Path | None]
        if stdout:
            for d in drafts:
                typer.echo(d.markdown)
            written = [None] * len(drafts)
        else:
            written = list(write_drafts(drafts, Path(output).expanduser(), force=force))
        if fmt == "json":
            typer.echo(drafts_json(drafts, written))
            return
        for line in draft_lines(drafts, written):
            typer.echo(line, err=stdout)  # with --stdout the drafts are the output; the summary goes aside

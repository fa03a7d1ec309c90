"""`guardian team report`: registered on the main app by guardian.cli.

No `from __future__ import annotations` here: Typer reads the option
annotations at definition time, and they are local to `register`.
"""

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer


def register(app: typer.Typer) -> None:
    from guardian.cli.options import ConfigOpt, FormatOpt, NowOpt, RulesOpt, TzOpt, example

    team_app = typer.Typer(help="Team figures from a roster, behind a privacy floor.", no_args_is_help=True)
    app.add_typer(team_app, name="team")

    RosterOpt = Annotated[
        Optional[str],
        typer.Option(
            "--roster",
            metavar="FILE",
            help="The roster: one [[person]] table per person (default [team] roster).",
        ),
    ]
    FromOpt = Annotated[
        Optional[str],
        typer.Option(
            "--from", metavar="YYYY-MM-DD", help="First day (default: Monday of the last full week)."
        ),
    ]
    DaysOpt = Annotated[
        Optional[int], typer.Option("--days", metavar="N", help="Number of days (default 14).")
    ]
    FloorOpt = Annotated[
        Optional[int],
        typer.Option(
            "--floor",
            metavar="N",
            help="Privacy floor: the smallest group shown (default [team] floor, 5; never lower).",
        ),
    ]
    HtmlOpt = Annotated[
        Optional[str], typer.Option("--html", metavar="PATH", help="Also write a self-contained HTML page.")
    ]

    @team_app.command(
        "report",
        epilog=example(
            "guardian team report --roster team.toml",
            "guardian team report --roster team.toml --html team.html --format json",
        ),
    )
    def report(
        roster: RosterOpt = None,
        start: FromOpt = None,
        days: DaysOpt = None,
        tz: TzOpt = None,
        rules: RulesOpt = None,
        config: ConfigOpt = None,
        fmt: FormatOpt = "table",
        now: NowOpt = None,
        floor: FloorOpt = None,
        html: HtmlOpt = None,
    ) -> None:
        """The roster's and each group's figures: focus in 2h+ blocks, meeting load and hygiene.

        No group under the privacy floor is shown, no meeting title unless its organizer is in
        the roster and at least floor people share it, and no person's own figures at all.
        """
        from guardian.adapters.files import write_text_file
        from guardian.cli.options import check_format, console
        from guardian.render.team import team_html, team_json, team_markdown, team_table
        from guardian.usecases.team import TeamOptions, run_team_report

        fmt = check_format(fmt)
        run = run_team_report(TeamOptions(roster, config, start, days, tz, rules, now, floor))
        for line in run.problems:
            print(f"guardian: warning: {line}", file=sys.stderr)
        if html:
            target = Path(html).expanduser()
            write_text_file(target, team_html(run), what="--html")
            print(f"guardian: wrote {target}", file=sys.stderr)
        if fmt == "json":
            typer.echo(team_json(run))
        elif fmt == "markdown":
            typer.echo(team_markdown(run), nl=False)
        else:
            team_table(run, console())

"""`guardian report`: registered on the main app by guardian.cli.

No `from __future__ import annotations` here: Typer reads the option
annotations at definition time, and they are local to `register`.
"""

from pathlib import Path
from typing import Annotated, Optional

import typer


def register(app: typer.Typer) -> None:
    from guardian.cli.options import (
        CalendarOpt,
        ConfigOpt,
        FormatOpt,
        MeOpt,
        NoCacheOpt,
        NowOpt,
        RulesOpt,
        TzOpt,
        UntilOpt,
        example,
    )

    # --from and --days mean the same as elsewhere, with the report's own defaults
    ReportFromOpt = Annotated[
        Optional[str],
        typer.Option(
            "--from",
            metavar="DAY",
            help="First day of the report: YYYY-MM-DD or a word like --from elsewhere "
            "(default: Monday of the last full week before --now).",
        ),
    ]
    ReportDaysOpt = Annotated[
        Optional[int],
        typer.Option(
            "--days", metavar="N", help="Number of days (default 14: the last full week and the coming one)."
        ),
    ]
    HtmlOpt = Annotated[
        Optional[str],
        typer.Option("--html", metavar="PATH", help="Also write a self-contained HTML page with charts."),
    ]
    WeeksOpt = Annotated[
        Optional[int],
        typer.Option(
            "--weeks",
            metavar="N",
            help="Weeks in the trend, ending with the report's last week (default [report] trend_weeks, 8; 0: none).",
        ),
    ]

    @app.command(
        epilog=example(
            "guardian report -c work.ics --me you@example.com --html week.html",
            "guardian report --from 2026-11-30 --until 2026-12-06 --weeks 4",
        )
    )
    def report(
        calendar: CalendarOpt = None,
        me: MeOpt = None,
        start: ReportFromOpt = None,
        until: UntilOpt = None,
        days: ReportDaysOpt = None,
        tz: TzOpt = None,
        rules: RulesOpt = None,
        config: ConfigOpt = None,
        fmt: FormatOpt = "table",
        now: NowOpt = None,
        html: HtmlOpt = None,
        weeks: WeeksOpt = None,
        no_cache: NoCacheOpt = False,
    ) -> None:
        """Weekly metrics: focus in 2h+ blocks, meeting load and hygiene, the trend.

        Default window: the last full Monday-Sunday week before --now and the week
        after it. --from moves the first day; --days sets the length.
        """
        run_report(calendar, me, start, days, tz, rules, config, fmt, now, html, weeks, until, no_cache)


def run_report(
    calendar, me, start, days, tz, rules, config, fmt, now, html, weeks, until=None, no_cache=False
) -> None:
    from guardian.adapters.files import write_text_file
    from guardian.cli import progress
    from guardian.cli.app import note
    from guardian.cli.options import check_format as _check_format
    from guardian.cli.options import console
    from guardian.cli.options import make_options as _options
    from guardian.core.collector import collector_paused
    from guardian.render.report import report_json, report_markdown, report_table
    from guardian.usecases.report import run_report as build

    fmt = _check_format(fmt)
    with collector_paused(), progress.running():  # objects that live until the end (see core.collector)
        session, result = build(
            _options(calendar, me, start, days, tz, rules, config, now, until=until, no_cache=no_cache),
            weeks=weeks,
        )
    target = Path(html).expanduser() if html else session.config.report.html
    if target is not None:
        from guardian.render.report_html import report_html

        write_text_file(target, report_html(result), what="--html")
        note(f"wrote {target}")
    if fmt == "json":
        typer.echo(report_json(result))
    elif fmt == "markdown":
        typer.echo(report_markdown(result), nl=False)
    else:
        report_table(result, console())

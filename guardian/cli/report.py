"""`guardian report`: registered on the main app by guardian.cli.

No `from __future__ import annotations` here: Typer reads the option
annotations at definition time, and they are local to `register`.
"""

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

DEFAULT_TREND_WEEKS = 8
DEFAULT_WEEKS = 2


def register(app: typer.Typer) -> None:
    from guardian.cli.options import (
        CalendarOpt,
        ConfigOpt,
        FormatOpt,
        MeOpt,
        NowOpt,
        RulesOpt,
        TzOpt,
    )

    # --from and --days mean the same as elsewhere, with the report's own defaults
    ReportFromOpt = Annotated[
        Optional[str],
        typer.Option(
            "--from",
            metavar="YYYY-MM-DD",
            help="First day of the report (default: Monday of the last full week before --now).",
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
            help=f"Weeks in the trend, ending with the report's last week (default {DEFAULT_TREND_WEEKS}; 0: none).",
        ),
    ]

    @app.command()
    def report(
        calendar: CalendarOpt = None,
        me: MeOpt = None,
        start: ReportFromOpt = None,
        days: ReportDaysOpt = None,
        tz: TzOpt = None,
        rules: RulesOpt = None,
        config: ConfigOpt = None,
        fmt: FormatOpt = "table",
        now: NowOpt = None,
        html: HtmlOpt = None,
        weeks: WeeksOpt = None,
    ) -> None:
        """Weekly metrics: focus in 2h+ blocks, meeting load and hygiene, the trend.

        Default window: the last full Monday-Sunday week before --now and the week
        after it. --from moves the first day; --days sets the length.
        """
        run_report(calendar, me, start, days, tz, rules, config, fmt, now, html, weeks)


def run_report(calendar, me, start, days, tz, rules, config, fmt, now, html, weeks) -> None:
    from guardian.cli.options import check_format as _check_format
    from guardian.cli.options import console
    from guardian.cli.options import make_options as _options
    from guardian.domain.metrics import MetricParams
    from guardian.errors import InputError
    from guardian.render.report import (
        build_report,
        read_span,
        report_html,
        report_json,
        report_markdown,
        report_table,
        report_window,
    )
    from guardian.usecases.session import Session, parse_day

    fmt = _check_format(fmt)
    session = Session(_options(calendar, me, start, days, tz, rules, config, now))
    cfg = session.config
    trend_count = weeks if weeks is not None else cfg.report.trend_weeks
    if trend_count < 0 or trend_count > 520:
        raise InputError(f"--weeks: {trend_count} is out of range", hint="use 0 to 520")
    window_weeks = cfg.report.weeks
    if days is not None and (days < 1 or days > 3660):
        raise InputError(f"--days: {days} is out of range", hint="use 1 to 3660")
    window = report_window(session.now, session.tz, parse_day(start) if start else None, days, window_weeks)
    session.window = window

    params = MetricParams.from_rulebook(session.rulebook, cfg.focus.policy)
    events = session.read_events(read_span(window, session.tz, trend_count))
    ctx = session.audit_context(events)
    result = build_report(ctx, params, trend_weeks_count=trend_count)

    target = Path(html).expanduser() if html else cfg.report.html
    if target is not None:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(report_html(result), encoding="utf-8")
        except OSError as exc:
            raise InputError(f"--html: cannot write {target} ({exc.strerror})") from None
        print(f"guardian: wrote {target}", file=sys.stderr)

    if fmt == "json":
        typer.echo(report_json(result))
    elif fmt == "markdown":
        typer.echo(report_markdown(result), nl=False)
    else:
        report_table(result, console())

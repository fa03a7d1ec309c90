"""`guardian report`: read the window and the trend's weeks once, measure, build the report.

The window defaults to the last full Monday-Sunday week before now and the
week now is in (`[report] weeks`); `--from` moves its first day and
`--days` sets its length. Events are read once for the window and the
trend together. The HTML page also lists the findings of the report's week
(the one that holds now, else the window's last): the audit of that week,
one entry per meeting series, with what guardian can do about each.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta, tzinfo

from guardian.adapters.settings import Settings
from guardian.core.model import Event, Window
from guardian.domain.findings import by_series
from guardian.domain.metrics import MetricParams
from guardian.domain.report import Report, build_report, findings_week, read_span, report_window
from guardian.errors import InputError
from guardian.lint.engine import audit
from guardian.usecases.session import Options, Session, check_days, parse_day, window_days

MAX_TREND_WEEKS = 520


def run_report(options: Options, *, weeks: int | None = None) -> tuple[Session, Report]:
    """The report for the options; `weeks` is the trend's length (default `[report] trend_weeks`)."""
    if options.days is not None:
        check_days(options.days)

    def window(now: datetime, tz: tzinfo, settings: Settings) -> Window:
        today = now.astimezone(tz).date()
        start = parse_day(options.start, today) if options.start else None
        days = options.days
        if options.until is not None:
            first = start or report_window(now, tz, None, None, settings.report.weeks).start.date()
            days = window_days(first, today, options.days, options.until)
        return report_window(now, tz, start, days, settings.report.weeks)

    session = Session(options, window=window)
    trend_count = weeks if weeks is not None else session.config.report.trend_weeks
    if not 0 <= trend_count <= MAX_TREND_WEEKS:
        raise InputError(f"--weeks: {trend_count} is out of range", hint=f"use 0 to {MAX_TREND_WEEKS}")
    params = MetricParams.from_rulebook(session.rulebook, session.config.focus.policy)
    events = session.read_events(read_span(session.window, session.tz, trend_count))
    ctx = session.audit_context(events)
    report = build_report(ctx, params, trend_weeks_count=trend_count)
    if session.config.focus.team_price:
        from guardian.usecases.prices import team_prices

        inside = [e for e in events if session.window.overlaps(e.start, e.end)]
        team = team_prices(session, replace(ctx, events=inside))
        for cost in report.prices:
            cost.team_hours, cost.team_people = team.get(cost.uid, (None, 0))
    return session, with_findings(session, report, events)


def with_findings(session: Session, report: Report, events: list[Event]) -> Report:
    """The report with the week's findings (the audit of that week) and what their actions would do."""
    from guardian.usecases.actions import action_states

    first, last = findings_week(report)
    week = Window(
        datetime.combine(first, time(0), tzinfo=session.tz),
        datetime.combine(last + timedelta(days=1), time(0), tzinfo=session.tz),
    )
    inside = [e for e in events if week.overlaps(e.start, e.end)]
    ctx = replace(session.audit_context(inside), window=week)
    result = audit(session.rulebook, ctx, session.suppressions)
    states = action_states(session, result)
    return replace(
        report,
        findings=by_series(result, session.rulebook, _team(session, result)),
        finding_states=states,
        findings_week=(first, last),
    )


def _team(session: Session, result):
    if not session.config.focus.team_price:
        return None
    from guardian.usecases.prices import team_prices

    return team_prices(session, result.ctx)

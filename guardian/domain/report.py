"""The weekly report as plain data: the window's days, weeks, totals, costliest series, trend.

Pure: `build_report` measures every day once (window and trend together,
through `guardian.domain.metrics`), then sums. The renderers in
`guardian.render.report` and `guardian.render.report_html` only format it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from guardian.core.model import Window
from guardian.domain.findings import ActionState, Entry
from guardian.domain.metrics import (
    DayMetrics,
    FocusCost,
    MetricParams,
    SeriesCost,
    Totals,
    aggregate,
    by_week,
    data_start,
    day_metrics,
    top_prices,
    top_series,
    trend,
    trend_weeks,
    week_start,
)
from guardian.lint.context import AuditContext


@dataclass
class Report:
    window: Window
    now: datetime
    tz: tzinfo
    params: MetricParams
    days: list[DayMetrics]  # the window's days
    weeks: list[Totals]  # the window's Mon-Sun weeks
    totals: Totals  # the whole window
    series: list[SeriesCost]
    trend: list[Totals]
    #: the meetings that cost the most focus in the window (my price; the team's when known)
    prices: list[FocusCost] = field(default_factory=list)
    data_from: date | None = None  # Monday of the calendar's first event's week: no data before
    #: the week's findings, one entry per meeting series (filled in by the use case)
    findings: list[Entry] = field(default_factory=list)
    finding_states: dict[str, ActionState] = field(default_factory=dict)
    findings_week: tuple[date, date] | None = None

    @property
    def today(self) -> date:
        return self.now.astimezone(self.tz).date()

    def when(self, t: Totals) -> str:
        if t.last < self.today:
            return "past"
        if t.first > self.today:
            return "ahead"
        return "current"


def report_window(now: datetime, tz: tzinfo, start: date | None, days: int | None, weeks: int = 2) -> Window:
    """The default report window: the last full Mon-Sun week before `now` and the one after it.

    `weeks` (config `[report] weeks`, default 2) is how many weeks the default
    window holds, ending with the week `now` is in. `--from` moves the first
    day, `--days` sets the length (default: `weeks` x 7 days).
    """
    if start is None:
        this_monday = week_start(now.astimezone(tz).date())
        start = this_monday - timedelta(weeks=max(weeks, 1) - 1)
    length = days if days is not None else 7 * max(weeks, 1)
    return Window(
        datetime.combine(start, time(0), tzinfo=tz),
        datetime.combine(start + timedelta(days=length), time(0), tzinfo=tz),
    )


def read_span(window: Window, tz: tzinfo, weeks: int) -> Window:
    """The window widened to hold the trend's weeks (events are read once, for this)."""
    last = (window.end.astimezone(tz) - timedelta(microseconds=1)).date()
    spans = trend_weeks(last, weeks)
    start, end = window.start, window.end
    if spans:
        start = min(start, datetime.combine(spans[0][0], time(0), tzinfo=tz))
        end = max(end, datetime.combine(spans[-1][1] + timedelta(days=1), time(0), tzinfo=tz))
    return Window(start, end)


def build_report(
    ctx: AuditContext, params: MetricParams, *, trend_weeks_count: int = 8, top: int = 5
) -> Report:
    """Measure every day once (window and trend together), then sum."""
    window_days = ctx.window.days()
    last = window_days[-1]
    spans = trend_weeks(last, trend_weeks_count)
    wanted = set(window_days)
    for first, end in spans:
        wanted.update(first + timedelta(days=i) for i in range((end - first).days + 1))
    data_from = data_start(ctx)
    measured = day_metrics(ctx, params, sorted(wanted), data_from)
    window_set = set(window_days)  # built once, not once per measured day
    in_window = [m for m in measured if m.day in window_set]
    return Report(
        window=ctx.window,
        now=ctx.now,
        tz=ctx.tz,
        params=params,
        days=in_window,
        weeks=by_week(in_window, params),
        totals=aggregate(in_window, params),
        series=top_series(in_window, top),
        trend=trend(measured, params, spans),
        data_from=data_from,
        prices=top_prices(in_window, top),
    )


def findings_week(r: Report) -> tuple[date, date]:
    """The week whose findings the report lists: the window's week that holds now, else its last."""
    today = r.today
    weeks = r.weeks
    for w in weeks:
        if w.first <= today <= w.last:
            return w.first, w.last
    last = weeks[-1] if weeks else r.totals
    return last.first, last.last

"""`guardian report`: the week in numbers and pictures.

The report is built once (`build_report`) into plain data, then rendered
four ways: a terminal view (rich), Markdown, JSON and a self-contained HTML
page whose charts are inline SVG written here (no script, no network, no
external font). Every calendar-provided string is escaped for its target:
rich markup, Markdown table cells, HTML.

JSON shape (a contract, documented in the README; change it only by adding
keys). Hours are decimals rounded to 2 places; shares are 0..1 rounded to 3,
or null when there is nothing to divide by; dates are YYYY-MM-DD:

    {
      "window": {"start": ISO, "end": ISO},          # half-open, local midnight
      "now": ISO, "timezone": "Europe/Berlin",
      "settings": {"focus_block_minutes", "weekly_focus_target_hours",
                   "pre_read_lead_hours", "status_keywords_from": "S001" | null},
      "totals": TOTALS,                               # over the whole window
      "weeks": [TOTALS + {"when": "past" | "current" | "ahead"}],   # Mon-Sun
      "days": [{"day", "weekday", "workday", "day_off", "working_hours",
                "meetings", "meeting_hours", "focus_hours", "focus_blocks",
                "fragmented_hours", "fragments", "booked_focus_hours",
                "after_hours_meetings"}],
      "series": [{"uid", "title", "instances", "hours", "max_attendees",
                  "person_hours"}],                   # costliest first
      "trend": [TOTALS + {"when"}]                    # the last N weeks, oldest first
    }
    TOTALS = {"start", "end", "days", "workdays",
              "focus": {"hours", "target_hours", "blocks", "workdays_without_block",
                        "booked_hours"},
              "fragmented": {"hours", "pieces", "share_of_free"},
              "meetings": {"count", "hours"},
              "pre_read": {"count", "share"},
              "decision_agenda": {"count", "share"},
              "sent_ahead": {"count", "late", "unknown", "share"},   # share of known
              "status": {"count", "hours"} | null,    # null: the pack has no S001
              "after_hours": {"count", "hours"}}
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from guardian.core.model import Window
from guardian.core.text import one_line  # titles to one printable line: no terminal escapes
from guardian.domain.metrics import (
    DayMetrics,
    MetricParams,
    SeriesCost,
    Totals,
    aggregate,
    by_week,
    day_metrics,
    top_series,
    trend,
    trend_weeks,
    week_start,
)
from guardian.lint.context import AuditContext

MEETING_COLOUR = "#d9553b"
FOCUS_COLOUR = "#2b8a5a"
FRAGMENT_COLOUR = "#e8b43a"
TARGET_COLOUR = "#1f2933"


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

    @property
    def today(self) -> date:
        return self.now.astimezone(self.tz).date()

    def when(self, t: Totals) -> str:
        if t.last < self.today:
            return "past"
        if t.first > self.today:
            return "ahead"
        return "current"


# ---------------------------------------------------------------------------
# window and span


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
    measured = day_metrics(ctx, params, sorted(wanted))
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
    )


# ---------------------------------------------------------------------------
# formatting helpers


def _h(value: float) -> float:
    return round(value, 2)


def _s(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _num(value: float) -> str:
    """Hours to at most two decimals (1.25, 2.5, 3); whole hours from 100 up."""
    if abs(value) >= 100:
        return f"{value:.0f}"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def fmt_hours(value: float) -> str:
    return f"{_num(value)} h"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def fmt_share(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.0f}%"


def _span(first: date, last: date) -> str:
    if first.year == last.year:
        return f"{first:%a %d %b} - {last:%a %d %b %Y}"
    return f"{first:%a %d %b %Y} - {last:%a %d %b %Y}"


# ---------------------------------------------------------------------------
# JSON


def totals_json(t: Totals, status_known: bool) -> dict[str, Any]:
    return {
        "start": t.first.isoformat(),
        "end": t.last.isoformat(),
        "days": t.days,
        "workdays": t.workdays,
        "focus": {
            "hours": _h(t.focus_hours),
            "target_hours": _h(t.focus_target_hours),
            "blocks": t.focus_blocks,
            "workdays_without_block": t.workdays_without_block,
            "booked_hours": _h(t.booked_focus_hours),
        },
        "fragmented": {
            "hours": _h(t.fragmented_hours),
            "pieces": t.fragments,
            "share_of_free": _s(t.fragmented_share),
        },
        "meetings": {"count": t.meetings, "hours": _h(t.meeting_hours)},
        "pre_read": {"count": t.with_pre_read, "share": _s(t.pre_read_share)},
        "decision_agenda": {"count": t.with_decision, "share": _s(t.decision_share)},
        "sent_ahead": {
            "count": t.sent_ahead,
            "late": t.sent_late,
            "unknown": t.sent_unknown,
            "share": _s(t.sent_ahead_share),
        },
        "status": {"count": t.status_meetings, "hours": _h(t.status_hours)} if status_known else None,
        "after_hours": {"count": t.after_hours_meetings, "hours": _h(t.after_hours_hours)},
    }


def day_json(m: DayMetrics) -> dict[str, Any]:
    return {
        "day": m.day.isoformat(),
        "weekday": m.day.strftime("%a"),
        "workday": m.workday,
        "day_off": m.day_off,
        "working_hours": _h(m.working_hours),
        "meetings": m.meetings,
        "meeting_hours": _h(m.meeting_hours),
        "focus_hours": _h(m.focus_hours),
        "focus_blocks": m.focus_blocks,
        "fragmented_hours": _h(m.fragmented_hours),
        "fragments": m.fragments,
        "booked_focus_hours": _h(m.booked_focus_hours),
        "after_hours_meetings": m.after_hours_meetings,
    }


def series_json(c: SeriesCost) -> dict[str, Any]:
    return {
        "uid": c.uid,
        "title": c.title,
        "instances": c.instances,
        "hours": _h(c.hours),
        "max_attendees": c.max_people,
        "person_hours": _h(c.person_hours),
    }


def report_dict(r: Report) -> dict[str, Any]:
    status_known = r.params.status_rule is not None
    return {
        "window": {"start": r.window.start.isoformat(), "end": r.window.end.isoformat()},
        "now": r.now.isoformat(),
        "timezone": str(r.tz),
        "settings": {
            "focus_block_minutes": r.params.min_minutes,
            "weekly_focus_target_hours": float(r.params.weekly_target_hours),
            "pre_read_lead_hours": float(r.params.lead_hours),
            "status_keywords_from": r.params.status_rule.code if r.params.status_rule else None,
        },
        "totals": totals_json(r.totals, status_known),
        "weeks": [totals_json(w, status_known) | {"when": r.when(w)} for w in r.weeks],
        "days": [day_json(m) for m in r.days],
        "series": [series_json(c) for c in r.series],
        "trend": [totals_json(w, status_known) | {"when": r.when(w)} for w in r.trend],
    }


def report_json(r: Report) -> str:
    return json.dumps(report_dict(r), indent=2, ensure_ascii=False)


# ---------------------------------------------------------------------------
# lines shared by the terminal view and Markdown


def headline(r: Report) -> str:
    return f"{_span(r.totals.first, r.totals.last)} ({r.tz})"


def indicator_lines(t: Totals, p: MetricParams) -> list[tuple[str, str]]:
    """(label, value) pairs, in the order the seed ranks them: focus first."""
    block = f"{p.min_minutes / 60:g}h+"
    rows = [
        (
            f"Focus in {block} blocks",
            f"{fmt_hours(t.focus_hours)} of {fmt_hours(t.focus_target_hours)} target"
            + (f", {t.workdays_without_block} of {t.workdays} workdays without one" if t.workdays else ""),
        ),
        (
            "Fragmented time",
            f"{fmt_hours(t.fragmented_hours)} in {t.fragments} pieces under {p.min_minutes / 60:g} h"
            + (f" ({fmt_share(t.fragmented_share)} of free time)" if t.fragmented_share is not None else ""),
        ),
        ("Meetings", f"{t.meetings} meetings, {fmt_hours(t.meeting_hours)}"),
        ("With a pre-read", f"{fmt_share(t.pre_read_share)} ({t.with_pre_read} of {t.meetings})"),
        ("With a decision agenda", f"{fmt_share(t.decision_share)} ({t.with_decision} of {t.meetings})"),
        (
            f"Sent {p.lead_hours:g} h ahead",
            f"{fmt_share(t.sent_ahead_share)} ({t.sent_ahead} of {t.sent_ahead + t.sent_late})"
            + (f", {t.sent_unknown} with no creation time" if t.sent_unknown else ""),
        ),
    ]
    if p.status_rule is not None:
        rows.append(
            (
                "Status meetings that could be async",
                f"{fmt_hours(t.status_hours)} in {t.status_meetings} meetings",
            )
        )
    rows.append(("After-hours meetings", f"{t.after_hours_meetings} ({fmt_hours(t.after_hours_hours)})"))
    return rows


# ---------------------------------------------------------------------------
# terminal (rich)

BAR_CHARS = 40


def _bar_scale(days: list[DayMetrics]) -> float:
    """Hours per character: a quarter hour, or coarser when a day is very full."""
    longest = max((m.meeting_hours + m.focus_hours + m.fragmented_hours for m in days), default=0.0)
    return max(0.25, longest / BAR_CHARS)


def _bar(m: DayMetrics, scale: float):
    from rich.text import Text

    text = Text()
    parts = (
        (m.meeting_hours, MEETING_COLOUR),
        (m.focus_hours, FOCUS_COLOUR),
        (m.fragmented_hours, FRAGMENT_COLOUR),
    )
    used = 0
    for hours, colour in parts:
        cells = round(hours / scale)
        text.append("█" * cells, style=colour)
        used += cells
    text.append(" " * max(BAR_CHARS + 2 - used, 1))
    return text


def report_table(r: Report, console) -> None:
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    p = r.params
    console.print(f"[bold]guardian report[/] {escape(headline(r))}")
    legend = Text("  ")
    legend.append("█", style=MEETING_COLOUR).append(" meetings  ")
    legend.append("█", style=FOCUS_COLOUR).append(f" focus ({p.min_minutes / 60:g}h+ blocks)  ")
    legend.append("█", style=FRAGMENT_COLOUR).append(f" fragmented (free, under {p.min_minutes / 60:g} h)")
    console.print(legend)
    scale = _bar_scale(r.days)
    for week in r.weeks:
        console.print(
            f"\n[bold underline]Week of {week.first:%a %d %b %Y}[/] [dim]({r.when(week)})[/]  "
            f"focus {fmt_hours(week.focus_hours)} / {fmt_hours(week.focus_target_hours)} target, "
            f"{week.meetings} meetings ({fmt_hours(week.meeting_hours)})"
        )
        for m in r.days:
            if not (week.first <= m.day <= week.last):
                continue
            line = Text(f"  {m.day:%a %d}  ")
            line.append(_bar(m, scale))
            if m.day_off:
                line.append("day off", style="dim")
            elif not m.workday and not m.meetings:
                line.append("-", style="dim")
            else:
                line.append(
                    f"meet {fmt_hours(m.meeting_hours):>6}  focus {fmt_hours(m.focus_hours):>6}  "
                    f"frag {fmt_hours(m.fragmented_hours):>6}"
                )
                if m.after_hours_meetings:
                    line.append(f"  {m.after_hours_meetings} after hours", style="yellow")
            console.print(line, soft_wrap=True)
    console.print(f"  [dim]one block = {scale * 60:g} min[/]")

    console.print(f"\n[bold]The window[/] ({_plural(r.totals.days, 'day')})")
    for label, value in indicator_lines(r.totals, p):
        console.print(f"  {label + ':':<38} {escape(value)}", highlight=False)

    if r.series:
        table = Table(title=None, box=None, pad_edge=False, show_edge=False, header_style="bold")
        for name, justify in (
            ("Recurring meeting", "left"),
            ("times", "right"),
            ("hours", "right"),
            ("people", "right"),
            ("person-hours", "right"),
        ):
            table.add_column(name, justify=justify)
        for c in r.series:
            table.add_row(
                Text(one_line(c.title)),
                str(c.instances),
                fmt_hours(c.hours),
                str(c.max_people),
                fmt_hours(c.person_hours),
            )
        console.print("\n[bold]Costliest recurring meetings[/] (duration x people, over the window)")
        console.print(table)

    if r.trend:
        table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
        columns = [
            ("week of", "left"),
            ("focus / target", "right"),
            ("", "left"),
            ("meetings", "right"),
            ("docs", "right"),
            ("decide", "right"),
            ("frag", "right"),
        ]
        if p.status_rule is not None:
            columns.append(("status", "right"))
        for name, justify in columns:
            table.add_column(name, justify=justify, no_wrap=True)
        top = max([w.focus_hours for w in r.trend] + [w.focus_target_hours for w in r.trend] + [1.0])
        for w in r.trend:
            cells = round(w.focus_hours / top * 10)
            bar = Text("█" * cells, style=FOCUS_COLOUR)
            bar.append("·" * max(round(w.focus_target_hours / top * 10) - cells, 0), style="dim")
            row = [
                f"{w.first:%d %b}" + ("*" if r.when(w) != "past" else ""),
                f"{_num(w.focus_hours)} / {_num(w.focus_target_hours)} h",
                bar,
                f"{w.meetings} · {fmt_hours(w.meeting_hours)}",
                fmt_share(w.pre_read_share),
                fmt_share(w.decision_share),
                fmt_hours(w.fragmented_hours),
            ]
            if p.status_rule is not None:
                row.append(fmt_hours(w.status_hours))
            table.add_row(*row)
        console.print(
            f"\n[bold]Trend[/] (last {_plural(len(r.trend), 'week')}; * = not over yet; docs = with a pre-read, "
            "decide = with a decision agenda)"
        )
        console.print(table)


# ---------------------------------------------------------------------------
# Markdown


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("<", "&lt;")


def report_markdown(r: Report) -> str:
    p = r.params
    lines = [f"# guardian report: {headline(r)}", ""]
    lines += ["## The window", "", "| indicator | value |", "|---|---|"]
    lines += [f"| {label} | {_md(value)} |" for label, value in indicator_lines(r.totals, p)]
    lines += [
        "",
        "## Days",
        "",
        "| day | meetings | meeting h | focus h | fragmented h | after hours |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for m in r.days:
        note = " (day off)" if m.day_off else ""
        lines.append(
            f"| {m.day:%a %d %b}{note} | {m.meetings} | {fmt_hours(m.meeting_hours)} | {fmt_hours(m.focus_hours)} | "
            f"{fmt_hours(m.fragmented_hours)} | {m.after_hours_meetings} |"
        )
    lines += ["", "## Weeks", ""] + _md_weeks(r, r.weeks)
    if r.series:
        lines += [
            "",
            "## Costliest recurring meetings",
            "",
            "| meeting | times | hours | people | person-hours |",
            "|---|---:|---:|---:|---:|",
        ]
        lines += [
            f"| {_md(one_line(c.title))} | {c.instances} | {fmt_hours(c.hours)} | {c.max_people} | {fmt_hours(c.person_hours)} |"
            for c in r.series
        ]
    if r.trend:
        lines += ["", f"## Trend (last {_plural(len(r.trend), 'week')})", ""] + _md_weeks(r, r.trend)
    return "\n".join(lines) + "\n"


def _md_weeks(r: Report, weeks: list[Totals]) -> list[str]:
    status = r.params.status_rule is not None
    head = "| week of | focus h | target h | meetings | meeting h | pre-read | decision | fragmented h |"
    rule = "|---|---:|---:|---:|---:|---:|---:|---:|"
    if status:
        head += " status h |"
        rule += "---:|"
    out = [head, rule]
    for w in weeks:
        row = (
            f"| {w.first:%d %b %Y} ({r.when(w)}) | {w.focus_hours:.1f} | {w.focus_target_hours:.1f} | {w.meetings} | "
            f"{w.meeting_hours:.1f} | {fmt_share(w.pre_read_share)} | {fmt_share(w.decision_share)} | "
            f"{w.fragmented_hours:.1f} |"
        )
        if status:
            row += f" {w.status_hours:.1f} |"
        out.append(row)
    return out


# ---------------------------------------------------------------------------
# HTML with inline SVG

_CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f5f6f8; color: #1f2933;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", Arial, sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 28px 32px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 10px; }
.sub { color: #52606d; margin: 0 0 20px; }
.cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 12px; }
.card { background: #fff; border: 1px solid #e1e4e8; border-radius: 10px; padding: 12px 14px; }
.card .label { color: #52606d; font-size: 13px; }
.card .value { font-size: 24px; font-weight: 650; margin-top: 2px; }
.card .note { color: #52606d; font-size: 12.5px; }
.card.good { border-left: 5px solid #2b8a5a; }
.card.bad { border-left: 5px solid #d9553b; }
.panel { background: #fff; border: 1px solid #e1e4e8; border-radius: 10px; padding: 14px 16px; }
.legend { display: flex; gap: 18px; font-size: 13px; color: #3e4c59; margin: 0 0 6px; flex-wrap: wrap; }
.legend i { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
.legend i.line { height: 0; border-top: 2px dashed #1f2933; border-radius: 0; vertical-align: 3px; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: 14px; }
th, td { padding: 6px 10px; border-bottom: 1px solid #e8eaed; text-align: right; }
th { background: #f0f2f5; font-weight: 600; font-size: 13px; white-space: nowrap; }
td { white-space: nowrap; }
td:first-child { white-space: normal; }
.badge { display: inline-block; margin-left: 6px; padding: 0 7px; border-radius: 9px; font-size: 11.5px;
  background: #e8eaed; color: #3e4c59; }
.badge.current { background: #fdf0d5; color: #8a5a00; }
.badge.ahead { background: #e3effa; color: #1c5d99; }
.caption { color: #52606d; font-size: 13px; margin: 6px 0 0; }
th:first-child, td:first-child { text-align: left; }
footer { margin-top: 28px; color: #52606d; font-size: 13px; }
svg text { font-family: inherit; }
"""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _day_chart(r: Report) -> str:
    """Stacked bars per day: meetings, focus, fragmented; weekends shaded."""
    days = r.days
    n = max(len(days), 1)
    width, height = 1036, 300
    left, right, top, bottom = 44, 8, 14, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([m.meeting_hours + m.focus_hours + m.fragmented_hours for m in days] + [8.0])
    ymax = float(int(peak + 1.999) // 2 * 2)
    slot = plot_w / n
    bar_w = max(min(slot * 0.64, 46), 2)

    def y(hours: float) -> float:
        return top + plot_h - hours / ymax * plot_h

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="Hours per day: meetings, focus and fragmented time">'
    ]
    for i, m in enumerate(days):
        if m.day.weekday() >= 5 and n <= 120:
            out.append(
                f'<rect x="{left + i * slot:.1f}" y="{top}" width="{slot:.1f}" height="{plot_h}" fill="#f0f2f5"/>'
            )
    step = 2 if ymax <= 12 else 4
    for h in range(0, int(ymax) + 1, step):
        out.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(h):.1f}" y2="{y(h):.1f}" stroke="#e1e4e8"/>'
        )
        out.append(
            f'<text x="{left - 8}" y="{y(h) + 4:.1f}" font-size="12" text-anchor="end" fill="#52606d">{h} h</text>'
        )
    for i, m in enumerate(days):
        x = left + i * slot + (slot - bar_w) / 2
        base = 0.0
        for hours, colour, name in (
            (m.meeting_hours, MEETING_COLOUR, "meetings"),
            (m.focus_hours, FOCUS_COLOUR, "focus"),
            (m.fragmented_hours, FRAGMENT_COLOUR, "fragmented"),
        ):
            if hours <= 0:
                continue
            out.append(
                f'<rect x="{x:.1f}" y="{y(base + hours):.1f}" width="{bar_w:.1f}" height="{hours / ymax * plot_h:.1f}" '
                f'fill="{colour}"><title>{_e(f"{m.day:%a %d %b}: {_num(hours)} h {name}")}</title></rect>'
            )
            base += hours
        if m.day_off and n <= 31:
            out.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{y(0) - 6:.1f}" font-size="11" text-anchor="middle" fill="#7b8794">off</text>'
            )
        cx = left + i * slot + slot / 2
        if n <= 31:
            out.append(
                f'<text x="{cx:.1f}" y="{height - bottom + 17}" font-size="12" text-anchor="middle" fill="#3e4c59">{m.day:%a}</text>'
            )
            out.append(
                f'<text x="{cx:.1f}" y="{height - bottom + 32}" font-size="11" text-anchor="middle" fill="#7b8794">{m.day.day} {m.day:%b}</text>'
            )
        elif (n <= 120 and m.day.weekday() == 0) or (n > 120 and m.day.day == 1):
            label = f"{m.day:%d %b}" if n <= 120 else f"{m.day:%b}"
            out.append(
                f'<line x1="{left + i * slot:.1f}" x2="{left + i * slot:.1f}" y1="{y(0):.1f}" y2="{y(0) + 5:.1f}" stroke="#9aa5b1"/>'
            )
            out.append(
                f'<text x="{left + i * slot:.1f}" y="{height - bottom + 17}" font-size="11" text-anchor="start" fill="#3e4c59">{label}</text>'
            )
    out.append(f'<line x1="{left}" x2="{width - right}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="#9aa5b1"/>')
    out.append("</svg>")
    return "".join(out)


def _trend_chart(r: Report) -> str:
    """Per week: focus hours (bar) against the target (dashed), meeting hours (thin bar)."""
    weeks = r.trend
    n = max(len(weeks), 1)
    width, height = 1036, 260
    left, right, top, bottom = 44, 8, 14, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([max(w.focus_hours, w.meeting_hours, w.focus_target_hours) for w in weeks] + [10.0])
    ymax = float(int(peak + 4.999) // 5 * 5)
    slot = plot_w / n
    bar_w = min(slot * 0.34, 40)

    def y(hours: float) -> float:
        return top + plot_h - hours / ymax * plot_h

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="Weekly trend: focus hours against the target, and meeting hours">'
    ]
    step = 5 if ymax <= 40 else 10
    for h in range(0, int(ymax) + 1, step):
        out.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(h):.1f}" y2="{y(h):.1f}" stroke="#e1e4e8"/>'
        )
        out.append(
            f'<text x="{left - 8}" y="{y(h) + 4:.1f}" font-size="12" text-anchor="end" fill="#52606d">{h} h</text>'
        )
    for i, w in enumerate(weeks):
        x0 = left + i * slot + slot / 2
        ahead = r.when(w) != "past"
        opacity = ' fill-opacity="0.55"' if ahead else ""
        out.append(
            f'<rect x="{x0 - bar_w - 2:.1f}" y="{y(w.focus_hours):.1f}" width="{bar_w:.1f}" '
            f'height="{w.focus_hours / ymax * plot_h:.1f}" fill="{FOCUS_COLOUR}"{opacity}>'
            f"<title>{_e(f'week of {w.first:%d %b}: {_num(w.focus_hours)} h focus')}</title></rect>"
        )
        out.append(
            f'<rect x="{x0 + 2:.1f}" y="{y(w.meeting_hours):.1f}" width="{bar_w:.1f}" '
            f'height="{w.meeting_hours / ymax * plot_h:.1f}" fill="{MEETING_COLOUR}"{opacity}>'
            f"<title>{_e(f'week of {w.first:%d %b}: {_num(w.meeting_hours)} h meetings')}</title></rect>"
        )
        ty = y(w.focus_target_hours)
        out.append(
            f'<line x1="{x0 - bar_w - 8:.1f}" x2="{x0 + bar_w + 8:.1f}" y1="{ty:.1f}" y2="{ty:.1f}" '
            f'stroke="{TARGET_COLOUR}" stroke-width="2" stroke-dasharray="5 3"/>'
        )
        out.append(
            f'<text x="{x0 - bar_w / 2 - 2:.1f}" y="{y(w.focus_hours) - 5:.1f}" font-size="11" text-anchor="middle" fill="#1f2933">{_num(w.focus_hours)}</text>'
        )
        label = f"{w.first:%d %b}" + (" *" if ahead else "")
        out.append(
            f'<text x="{x0:.1f}" y="{height - bottom + 18}" font-size="12" text-anchor="middle" fill="#3e4c59">{label}</text>'
        )
    out.append(f'<line x1="{left}" x2="{width - right}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="#9aa5b1"/>')
    out.append("</svg>")
    return "".join(out)


def _card(label: str, value: str, note: str = "", tone: str = "") -> str:
    cls = f"card {tone}".strip()
    return (
        f'<div class="{cls}"><div class="label">{_e(label)}</div><div class="value">{_e(value)}</div>'
        f'<div class="note">{_e(note)}</div></div>'
    )


def _html_weeks(r: Report, weeks: list[Totals]) -> str:
    status = r.params.status_rule is not None
    head = (
        [
            "Week of",
            "Focus",
            "Target",
            "Meetings",
            "In meetings",
            "Pre-read",
            "Decision",
            "Sent ahead",
            "Fragmented",
        ]
        + (["Status"] if status else [])
        + ["After hours"]
    )
    rows = ["<table><thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr></thead><tbody>"]
    for w in weeks:
        when = r.when(w)
        cells = [
            f'{w.first:%a %d %b %Y}<span class="badge {when}">{when}</span>',
            fmt_hours(w.focus_hours),
            fmt_hours(w.focus_target_hours),
            str(w.meetings),
            fmt_hours(w.meeting_hours),
            fmt_share(w.pre_read_share),
            fmt_share(w.decision_share),
            fmt_share(w.sent_ahead_share),
            fmt_hours(w.fragmented_hours),
        ]
        if status:
            cells.append(fmt_hours(w.status_hours))
        cells.append(str(w.after_hours_meetings))
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    rows.append("</tbody></table>")
    return "".join(rows)


def report_html(r: Report) -> str:
    """One self-contained page: inline CSS and SVG, no script, nothing fetched."""
    p, t = r.params, r.totals
    block = f"{p.min_minutes / 60:g}h+"
    cards = [
        _card(
            f"Focus in {block} blocks",
            fmt_hours(t.focus_hours),
            f"target {fmt_hours(t.focus_target_hours)}; {t.workdays_without_block} of {t.workdays} workdays without a block",
            "good" if t.focus_hours >= t.focus_target_hours else "bad",
        ),
        _card("Meetings", f"{t.meetings} · {fmt_hours(t.meeting_hours)}", "overlaps counted once"),
        _card(
            "Fragmented time",
            fmt_hours(t.fragmented_hours),
            f"{t.fragments} free pieces under {p.min_minutes / 60:g} h"
            + (f" ({fmt_share(t.fragmented_share)} of free time)" if t.fragmented_share is not None else ""),
        ),
        _card("After-hours meetings", str(t.after_hours_meetings), fmt_hours(t.after_hours_hours)),
        _card(
            "With a pre-read",
            fmt_share(t.pre_read_share),
            f"{t.with_pre_read} of {t.meetings} meetings link a document",
        ),
        _card(
            "With a decision agenda",
            fmt_share(t.decision_share),
            f"{t.with_decision} of {t.meetings} ask for a decision",
        ),
        _card(
            f"Sent {p.lead_hours:g} h ahead",
            fmt_share(t.sent_ahead_share),
            f"{t.sent_ahead} of {t.sent_ahead + t.sent_late} with a known send time"
            + (f"; {t.sent_unknown} unknown" if t.sent_unknown else ""),
        ),
    ]
    if p.status_rule is not None:
        cards.append(
            _card(
                "Status meetings that could be async",
                fmt_hours(t.status_hours),
                f"{t.status_meetings} meetings",
            )
        )
    series = ""
    if r.series:
        rows = "".join(
            f"<tr><td>{_e(one_line(c.title))}</td><td>{c.instances}</td><td>{fmt_hours(c.hours)}</td><td>{c.max_people}</td>"
            f"<td>{fmt_hours(c.person_hours)}</td></tr>"
            for c in r.series
        )
        series = (
            "<h2>Costliest recurring meetings</h2><table><thead><tr><th>Meeting</th><th>Times</th><th>Hours</th>"
            f"<th>People</th><th>Person-hours</th></tr></thead><tbody>{rows}</tbody></table>"
            '<p class="caption">Cost is duration x people invited, summed over the instances in the window.</p>'
        )
    trend = ""
    if r.trend:
        trend = (
            f'<h2>Trend: the last {_plural(len(r.trend), "week")}</h2><div class="panel">'
            f'<div class="legend"><span><i style="background:{FOCUS_COLOUR}"></i>focus in {block} blocks</span>'
            f'<span><i style="background:{MEETING_COLOUR}"></i>meetings</span>'
            f'<span><i class="line"></i>weekly focus target</span><span>* week not over yet</span></div>'
            f"{_trend_chart(r)}</div>"
            f"<p></p>{_html_weeks(r, r.trend)}"
        )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>guardian report: {_e(headline(r))}</title>
<style>{_CSS}</style></head>
<body><main>
<h1>guardian report</h1>
<p class="sub">{_e(headline(r))} · as of {_e(r.now.astimezone(r.tz).strftime("%a %d %b %Y %H:%M"))}</p>
<div class="cards">{"".join(cards)}</div>
<h2>Day by day</h2>
<div class="panel">
<div class="legend"><span><i style="background:{MEETING_COLOUR}"></i>meetings</span>
<span><i style="background:{FOCUS_COLOUR}"></i>focus ({block} free blocks)</span>
<span><i style="background:{FRAGMENT_COLOUR}"></i>fragmented (free, under {p.min_minutes / 60:g} h)</span></div>
{_day_chart(r)}
</div>
<h2>Weeks</h2>
{_html_weeks(r, r.weeks)}
{series}
{trend}
<footer>Focus time is free working time in uninterrupted pieces of {p.min_minutes} minutes or more; your own focus
events count as focus. Meetings are timed, accepted or pending events with someone else in them, counted on the day
they start. Generated by guardian; nothing on this page was fetched from the network.</footer>
</main></body></html>
"""

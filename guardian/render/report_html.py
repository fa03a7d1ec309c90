"""`guardian report --html`: a self-contained page with inline SVG charts.

No script, no network, no external font: the page opens offline and can be
mailed. Every calendar-provided string is HTML-escaped (`_e`). It reads on
a phone too: cards and the findings reflow, tables and charts scroll
sideways inside their box at their own size instead of shrinking to
unreadable text (checked with a 400 px wide screenshot in the tests).

Besides the numbers, the page lists the week's findings, one entry per
meeting series, with what to do and what guardian can do about each.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from guardian.core.text import one_line
from guardian.domain.metrics import Totals
from guardian.domain.report import Report
from guardian.render.report import (
    BOOKED_COLOUR,
    FOCUS_COLOUR,
    FRAGMENT_COLOUR,
    MEETING_COLOUR,
    TARGET_COLOUR,
    bar_hours,
    fmt_hours,
    fmt_number,
    fmt_share,
    headline,
    plural,
)

SEVERITY_COLOUR = {"error": "#b42318", "warning": "#9a6700", "info": "#1c5d99"}

# ---------------------------------------------------------------------------
# HTML with inline SVG

_CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f5f6f8; color: #1f2933;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", Arial, sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 28px 32px 48px; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 10px; }
.sub { color: #52606d; margin: 0 0 20px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(165px, 1fr)); gap: 12px; }
.card { background: #fff; border: 1px solid #e1e4e8; border-radius: 10px; padding: 12px 14px; }
.card .label { color: #52606d; font-size: 13px; }
.card .value { font-size: 24px; font-weight: 650; margin-top: 2px; }
.card .note { color: #52606d; font-size: 12.5px; }
.card.good { border-left: 5px solid #2b8a5a; }
.card.bad { border-left: 5px solid #d9553b; }
.panel { background: #fff; border: 1px solid #e1e4e8; border-radius: 10px; padding: 14px 16px; }
.legend { display: flex; gap: 18px; font-size: 13px; color: #3e4c59; margin: 0 0 6px; flex-wrap: wrap; }
.legend i { display: inline-block; width: 12px; height: 12px; border-radius: 2px;
  margin-right: 6px; vertical-align: -1px; }
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
.nodata td { color: #7b8794; font-style: italic; }
.finding { background: #fff; border: 1px solid #e1e4e8; border-radius: 10px; padding: 10px 14px; margin: 0 0 10px; }
.finding h3 { font-size: 15px; margin: 0 0 2px; overflow-wrap: anywhere; }
.finding .facts { color: #52606d; font-size: 13px; margin: 0 0 6px; }
.finding p { margin: 2px 0; overflow-wrap: anywhere; }
.sev { display: inline-block; min-width: 58px; font-weight: 650; font-size: 12.5px; text-transform: uppercase; }
.todo { color: #3e4c59; }
.act { display: inline-block; margin-top: 2px; padding: 1px 8px; border-radius: 9px; background: #efe7fb;
  color: #5b2a86; font-size: 12.5px; }
.also { color: #52606d; font-size: 13px; }
@media (max-width: 700px) {
  main { padding: 16px 12px 32px; }
  h1 { font-size: 22px; }
  .card .value { font-size: 20px; }
  .chart svg { width: 900px; max-width: none; }
}
"""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _hour_lines(x1: float, x2: float, y: Callable[[float], float], ymax: float, *, step: int) -> list[str]:
    """A chart's horizontal grid: a line and an "N h" label every `step` hours up to `ymax`."""
    out = []
    for h in range(0, int(ymax) + 1, step):
        out.append(f'<line x1="{x1}" x2="{x2}" y1="{y(h):.1f}" y2="{y(h):.1f}" stroke="#e1e4e8"/>')
        out.append(
            f'<text x="{x1 - 8}" y="{y(h) + 4:.1f}" font-size="12" text-anchor="end" fill="#52606d">{h} h</text>'
        )
    return out


def _day_chart(r: Report) -> str:
    """Stacked bars per day: meetings, focus, fragmented; weekends shaded."""
    days = r.days
    n = max(len(days), 1)
    width, height = 1036, 300
    left, right, top, bottom = 44, 8, 14, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([sum(bar_hours(m)) for m in days] + [8.0])
    ymax = float(int(peak + 1.999) // 2 * 2)
    slot = plot_w / n
    bar_w = max(min(slot * 0.64, 46), 2)

    def y(hours: float) -> float:
        return top + plot_h - hours / ymax * plot_h

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="Hours per day: meetings, booked focus, available for focus and fragmented time">'
    ]
    for i, m in enumerate(days):
        if m.day.weekday() >= 5 and n <= 120:
            out.append(
                f'<rect x="{left + i * slot:.1f}" y="{top}" width="{slot:.1f}" height="{plot_h}" fill="#f0f2f5"/>'
            )
    out += _hour_lines(left, width - right, y, ymax, step=2 if ymax <= 12 else 4)
    for i, m in enumerate(days):
        x = left + i * slot + (slot - bar_w) / 2
        base = 0.0
        if not m.has_data and n <= 31:
            out.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{y(0) - 6:.1f}"'
                ' font-size="11" text-anchor="middle" fill="#7b8794">no data</text>'
            )
        meetings, booked, available, fragmented = bar_hours(m)
        for hours, colour, name in (
            (meetings, MEETING_COLOUR, "meetings"),
            (booked, BOOKED_COLOUR, "booked focus"),
            (available, FOCUS_COLOUR, "available for focus"),
            (fragmented, FRAGMENT_COLOUR, "fragmented"),
        ):
            if hours <= 0:
                continue
            out.append(
                f'<rect x="{x:.1f}" y="{y(base + hours):.1f}" width="{bar_w:.1f}" height="{hours / ymax * plot_h:.1f}" '
                f'fill="{colour}"><title>{_e(f"{m.day:%a %d %b}: {fmt_number(hours)} h {name}")}</title></rect>'
            )
            base += hours
        if m.day_off and n <= 31:
            out.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{y(0) - 6:.1f}"'
                ' font-size="11" text-anchor="middle" fill="#7b8794">off</text>'
            )
        cx = left + i * slot + slot / 2
        if n <= 31:
            out.append(
                f'<text x="{cx:.1f}" y="{height - bottom + 17}"'
                f' font-size="12" text-anchor="middle" fill="#3e4c59">{m.day:%a}</text>'
            )
            # "10 Nov" needs about 40 units: on a narrower slot (a month) only the first day and
            # the 1st of a month name the month, so neighbours never overlap
            date = f"{m.day.day} {m.day:%b}" if slot >= 40 or i == 0 or m.day.day == 1 else f"{m.day.day}"
            out.append(
                f'<text x="{cx:.1f}" y="{height - bottom + 32}"'
                f' font-size="11" text-anchor="middle" fill="#7b8794">{date}</text>'
            )
        elif (n <= 120 and m.day.weekday() == 0) or (n > 120 and m.day.day == 1):
            label = f"{m.day:%d %b}" if n <= 120 else f"{m.day:%b}"
            out.append(
                f'<line x1="{left + i * slot:.1f}" x2="{left + i * slot:.1f}" y1="{y(0):.1f}" y2="{y(0) + 5:.1f}"'
                ' stroke="#9aa5b1"/>'
            )
            out.append(
                f'<text x="{left + i * slot:.1f}" y="{height - bottom + 17}"'
                f' font-size="11" text-anchor="start" fill="#3e4c59">{label}</text>'
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
    peak = max(
        [max(w.focus_hours, w.meeting_hours, w.focus_target_hours) for w in weeks if w.has_data] + [10.0]
    )
    ymax = float(int(peak + 4.999) // 5 * 5)
    slot = plot_w / n
    bar_w = min(slot * 0.34, 40)

    def y(hours: float) -> float:
        return top + plot_h - hours / ymax * plot_h

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="Weekly trend: focus hours against the target, and meeting hours">'
    ]
    out += _hour_lines(left, width - right, y, ymax, step=5 if ymax <= 40 else 10)
    for i, w in enumerate(weeks):
        x0 = left + i * slot + slot / 2
        ahead = r.when(w) != "past"
        if not w.has_data:
            out.append(
                f'<text x="{x0:.1f}" y="{y(0) - 8:.1f}" font-size="12" text-anchor="middle"'
                ' fill="#7b8794">no data</text>'
            )
            out.append(
                f'<text x="{x0:.1f}" y="{height - bottom + 18}"'
                f' font-size="12" text-anchor="middle" fill="#3e4c59">{w.first:%d %b}</text>'
            )
            continue
        opacity = ' fill-opacity="0.55"' if ahead else ""
        out.append(
            f'<rect x="{x0 - bar_w - 2:.1f}" y="{y(w.focus_hours):.1f}" width="{bar_w:.1f}" '
            f'height="{w.focus_hours / ymax * plot_h:.1f}" fill="{FOCUS_COLOUR}"{opacity}>'
            f"<title>{_e(f'week of {w.first:%d %b}: {fmt_number(w.focus_hours)} h focus')}</title></rect>"
        )
        out.append(
            f'<rect x="{x0 + 2:.1f}" y="{y(w.meeting_hours):.1f}" width="{bar_w:.1f}" '
            f'height="{w.meeting_hours / ymax * plot_h:.1f}" fill="{MEETING_COLOUR}"{opacity}>'
            f"<title>{_e(f'week of {w.first:%d %b}: {fmt_number(w.meeting_hours)} h meetings')}</title></rect>"
        )
        ty = y(w.focus_target_hours)
        out.append(
            f'<line x1="{x0 - bar_w - 8:.1f}" x2="{x0 + bar_w + 8:.1f}" y1="{ty:.1f}" y2="{ty:.1f}" '
            f'stroke="{TARGET_COLOUR}" stroke-width="2" stroke-dasharray="5 3"/>'
        )
        out.append(
            f'<text x="{x0 - bar_w / 2 - 2:.1f}" y="{y(w.focus_hours) - 5:.1f}"'
            f' font-size="11" text-anchor="middle" fill="#1f2933">{fmt_number(w.focus_hours)}</text>'
        )
        label = f"{w.first:%d %b}" + (" *" if ahead else "")
        out.append(
            f'<text x="{x0:.1f}" y="{height - bottom + 18}"'
            f' font-size="12" text-anchor="middle" fill="#3e4c59">{label}</text>'
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
            "Focus (2h+)",
            "Booked",
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
        label = f'{w.first:%a %d %b %Y}<span class="badge {when}">{when}</span>'
        if not w.has_data:
            rows.append(
                f'<tr class="nodata"><td>{label}</td><td colspan="{len(head) - 1}" style="text-align:left">'
                "no data: before the calendar's first event</td></tr>"
            )
            continue
        cells = [
            label,
            fmt_hours(w.focus_hours),
            fmt_hours(w.booked_focus_hours),
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
    return '<div class="scroll">' + "".join(rows) + "</div>"


def _findings(r: Report) -> str:
    """The week's findings: one block per meeting series (or day), its recommendation and its action."""
    if r.findings_week is None:
        return ""
    first, last = r.findings_week
    title = f"<h2>Findings, {first:%a %d %b} - {last:%a %d %b %Y}</h2>"
    if not r.findings:
        return title + '<p class="caption">No findings: every meeting of the week earns its place.</p>'
    blocks = []
    for e in r.findings:
        lead = e.lead
        facts = []
        if e.kind == "series":
            facts = [e.cadence] + ([f"{len(e.occurrences)} in the week"] if len(e.occurrences) > 1 else [])
            facts.append(f"{fmt_number(e.person_hours)} person-hours")
        state = r.finding_states.get(lead.key)
        tag = state.tag() if state is not None else ""
        if state is not None and state.draft:
            tag = "; ".join([t for t in (tag, "draft: guardian convert --event " + state.draft) if t])
        items = [
            f'<div class="finding"><h3>{_e(one_line(e.title))}</h3>',
            f'<p class="facts">{_e(" · ".join(facts))}</p>' if facts else "",
        ]
        shown = [lead] if e.kind == "series" else list(e.findings)
        for f in shown:
            colour = SEVERITY_COLOUR.get(str(f.severity), "#3e4c59")
            items.append(
                f'<p><span class="sev" style="color:{colour}">{_e(f.severity)}</span> '
                f"<b>{_e(f.rule)} {_e(f.name)}</b>: {_e(one_line(f.message, 400))}</p>"
            )
            if f.hint:
                items.append(f'<p class="todo">What to do: {_e(f.hint)}</p>')
        if tag:
            items.append(f'<p><span class="act">guardian: {_e(tag)}</span></p>')
        others = [f"{x.severity} {x.rule} {x.name}" for x, _ in e.codes()[1:]] if e.kind == "series" else []
        if others:
            items.append(f'<p class="also">Also: {_e(", ".join(others))}</p>')
        items.append("</div>")
        blocks.append("".join(items))
    return title + "".join(blocks)


def report_html(r: Report) -> str:
    """One self-contained page: inline CSS and SVG, no script, nothing fetched."""
    p, t = r.params, r.totals
    block = f"{p.min_minutes / 60:g}h+"
    cards = [
        _card(
            "Booked focus",
            fmt_hours(t.booked_focus_hours),
            "your focus events and guardian's blocks",
        ),
        _card(
            "Available for focus",
            fmt_hours(t.available_focus_hours),
            f"free in {block} blocks, not booked; target {fmt_hours(t.focus_target_hours)} with booked; "
            f"{t.workdays_without_block} of {t.workdays} workdays without a block",
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
    if not t.has_data:
        cards = [_card("The window", "no data", "the calendar has no events before this window's end")]
    series = ""
    if r.series:
        rows = "".join(
            f"<tr><td>{_e(one_line(c.title))}</td><td>{c.instances}</td><td>{fmt_hours(c.hours)}</td><td>{c.max_people}</td"
            ">"
            f"<td>{fmt_hours(c.person_hours)}</td></tr>"
            for c in r.series
        )
        series = (
            '<h2>Costliest recurring meetings</h2><div class="scroll"><table><thead><tr><th>Meeting</th>'
            "<th>Times</th><th>Hours</th>"
            f"<th>People</th><th>Person-hours</th></tr></thead><tbody>{rows}</tbody></table></div>"
            '<p class="caption">Cost is duration x people invited, summed over the instances in the window.</p>'
        )
    if r.prices:
        rows = "".join(
            f"<tr><td>{_e(one_line(c.title))}</td><td>{c.instances}</td><td>{fmt_hours(c.meeting_hours)}</td>"
            f"<td>{fmt_hours(c.hours)}</td>"
            f"<td>{'-' if c.team_hours is None else _e(fmt_hours(c.team_hours))}</td></tr>"
            for c in r.prices
        )
        series += (
            '<h2>Meetings that cost the most focus</h2><div class="scroll"><table><thead><tr><th>Meeting</th>'
            "<th>Times</th><th>Its length</th><th>Focus it costs you</th><th>The team</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></div>"
            "<p class=\"caption\">A meeting's focus price is its day's focus time (free working time in "
            "pieces of at least the minimum block) without it minus with it.</p>"
        )
    trend = ""
    if r.trend:
        trend = (
            f'<h2>Trend: the last {plural(len(r.trend), "week")}</h2><div class="panel">'
            f'<div class="legend"><span><i style="background:{FOCUS_COLOUR}"></i>focus in {block} blocks</span>'
            f'<span><i style="background:{MEETING_COLOUR}"></i>meetings</span>'
            f'<span><i class="line"></i>weekly focus target</span><span>* week not over yet</span></div>'
            f'<div class="scroll chart">{_trend_chart(r)}</div></div>'
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
<span><i style="background:{BOOKED_COLOUR}"></i>booked focus</span>
<span><i style="background:{FOCUS_COLOUR}"></i>available for focus (free {block}, not booked)</span>
<span><i style="background:{FRAGMENT_COLOUR}"></i>fragmented (free, under {p.min_minutes / 60:g} h)</span></div>
<div class="scroll chart">{_day_chart(r)}</div>
</div>
{_findings(r)}
<h2>Weeks</h2>
{_html_weeks(r, r.weeks)}
{series}
{trend}
<footer>Focus time is working time in uninterrupted pieces of {p.min_minutes} minutes or more that no meeting
takes: booked when your own focus events or guardian's blocks hold it, available when nothing does yet.
Meetings are timed, accepted or pending events with someone else in them, counted on the day
they start. Generated by guardian; nothing on this page was fetched from the network.</footer>
</main></body></html>
"""

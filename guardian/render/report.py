"""`guardian report`: the week in numbers and pictures.

The report is built once (`guardian.domain.report.build_report`) into plain
data, then rendered four ways: a terminal view (rich), Markdown and JSON
here, and a self-contained HTML page in `report_html`. Every
calendar-provided string is escaped for its target: rich markup, Markdown
table cells, HTML.

JSON shape (a contract, documented in the README; change it only by adding
keys). Hours are decimals rounded to 2 places; shares are 0..1 rounded to 3,
or null when there is nothing to divide by; dates are YYYY-MM-DD:

    {
      "window": {"start": ISO, "end": ISO},          # half-open, local midnight
      "now": ISO, "timezone": "Europe/Berlin",
      "data_from": "YYYY-MM-DD" | null,               # Monday of the first event's week
      "settings": {"focus_block_minutes", "weekly_focus_target_hours",
                   "pre_read_lead_hours", "status_keywords_from": "S001" | null},
      "totals": TOTALS,                               # over the whole window
      "weeks": [TOTALS + {"when": "past" | "current" | "ahead"}],   # Mon-Sun
      "days": [{"day", "weekday", "workday", "day_off", "working_hours",
                "meetings", "meeting_hours", "focus_hours", "focus_blocks",
                "fragmented_hours", "fragments", "booked_focus_hours",
                "available_focus_hours", "has_data", "after_hours_meetings"}],
      "series": [{"uid", "title", "instances", "hours", "max_attendees",
                  "person_hours"}],                   # costliest first
      "trend": [TOTALS + {"when"}]                    # the last N weeks, oldest first
    }
    TOTALS = {"start", "end", "days", "workdays", "has_data",  # has_data: false before data_from
              "focus": {"hours", "target_hours", "blocks", "workdays_without_block",
                        "booked_hours", "available_hours"},   # hours = booked + available
              "fragmented": {"hours", "pieces", "share_of_free"},
              "meetings": {"count", "hours"},
              "pre_read": {"count", "share"},
              "decision_agenda": {"count", "share"},
              "sent_ahead": {"count", "late", "unknown", "share"},   # share of known
              "status": {"count", "hours"} | null,    # null: the pack has no S001
              "after_hours": {"count", "hours"}}
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from guardian.core.text import one_line  # titles to one printable line: no terminal escapes
from guardian.domain.metrics import DayMetrics, MetricParams, SeriesCost, Totals
from guardian.domain.report import Report
from guardian.render import json_text
from guardian.render.markdown import cell

if TYPE_CHECKING:
    from rich.console import JustifyMethod
    from rich.text import Text

MEETING_COLOUR = "#d9553b"
FOCUS_COLOUR = "#2b8a5a"  # available for focus: free 2h+ time, not booked
BOOKED_COLOUR = "#1d4ed8"  # booked focus: my focus events and guardian's blocks
FRAGMENT_COLOUR = "#e8b43a"
TARGET_COLOUR = "#1f2933"
#: the day bars' categories: (label key, colour, the character drawn when colour is off)
BAR_PARTS = (
    ("meetings", MEETING_COLOUR, "#"),
    ("booked", BOOKED_COLOUR, "F"),
    ("available", FOCUS_COLOUR, "+"),
    ("fragmented", FRAGMENT_COLOUR, "."),
)


# ---------------------------------------------------------------------------
# formatting helpers


def _h(value: float) -> float:
    return round(value, 2)


def _s(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def fmt_number(value: float) -> str:
    """Hours to at most two decimals (1.25, 2.5, 3); whole hours from 100 up."""
    if abs(value) >= 100:
        return f"{value:.0f}"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def fmt_hours(value: float) -> str:
    return f"{fmt_number(value)} h"


def plural(count: int, noun: str) -> str:
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
        "has_data": t.has_data,
        "focus": {
            "hours": _h(t.focus_hours),
            "target_hours": _h(t.focus_target_hours),
            "blocks": t.focus_blocks,
            "workdays_without_block": t.workdays_without_block,
            "booked_hours": _h(t.booked_focus_hours),
            "available_hours": _h(t.available_focus_hours),
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
        "available_focus_hours": _h(m.available_focus_hours),
        "has_data": m.has_data,
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


def price_json(c) -> dict[str, Any]:
    return {
        "uid": c.uid,
        "title": c.title,
        "instances": c.instances,
        "hours": _h(c.hours),
        "meeting_hours": _h(c.meeting_hours),
        "team_hours": None if c.team_hours is None else _h(c.team_hours),
        "team_people": c.team_people,
    }


def report_dict(r: Report) -> dict[str, Any]:
    status_known = r.params.status_rule is not None
    return {
        "window": {"start": r.window.start.isoformat(), "end": r.window.end.isoformat()},
        "now": r.now.isoformat(),
        "timezone": str(r.tz),
        "data_from": r.data_from.isoformat() if r.data_from else None,
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
        "focus_prices": [price_json(c) for c in r.prices],
        "trend": [totals_json(w, status_known) | {"when": r.when(w)} for w in r.trend],
    }


def report_json(r: Report) -> str:
    return json_text.dumps(report_dict(r))


# ---------------------------------------------------------------------------
# lines shared by the terminal view and Markdown


def headline(r: Report) -> str:
    return f"{_span(r.totals.first, r.totals.last)} ({r.tz})"


NO_DATA = "no data (before the calendar's first event)"


def indicator_lines(t: Totals, p: MetricParams) -> list[tuple[str, str]]:
    """(label, value) pairs, in the order the seed ranks them: focus first.

    Booked focus (focus events on the calendar) and time available for focus
    (free 2h+ pieces nobody booked) are separate lines: free time is not
    focus until someone protects it.
    """
    block = f"{p.min_minutes / 60:g}h+"
    if not t.has_data:
        return [("Focus and meetings", NO_DATA)]
    rows = [
        ("Booked focus", f"{fmt_hours(t.booked_focus_hours)} (your focus events and guardian's blocks)"),
        (
            "Available for focus",
            f"{fmt_hours(t.available_focus_hours)} free in {block} blocks, not booked"
            + (f"; {t.workdays_without_block} of {t.workdays} workdays without one" if t.workdays else ""),
        ),
        (
            f"Focus target ({block}, booked or free)",
            f"{fmt_hours(t.focus_hours)} of {fmt_hours(t.focus_target_hours)}",
        ),
        (
            "Fragmented time",
            f"{fmt_hours(t.fragmented_hours)} in {t.fragments} pieces under {p.min_minutes / 60:g} h"
            + (f" ({fmt_share(t.fragmented_share)} of free time)" if t.fragmented_share is not None else ""),
        ),
        ("Meetings", f"{plural(t.meetings, 'meeting')}, {fmt_hours(t.meeting_hours)}"),
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
                f"{fmt_hours(t.status_hours)} in {plural(t.status_meetings, 'meeting')}",
            )
        )
    rows.append(("After-hours meetings", f"{t.after_hours_meetings} ({fmt_hours(t.after_hours_hours)})"))
    return rows


# ---------------------------------------------------------------------------
# terminal (rich)

BAR_CHARS = 40


def bar_hours(m: DayMetrics) -> tuple[float, float, float, float]:
    """The day's hours per bar category: meetings, booked focus, available for focus, fragmented."""
    return (
        m.meeting_hours,
        m.booked_focus_hours,
        m.available_focus_hours,
        max(m.fragmented_hours - m.booked_in_fragments_hours, 0.0),
    )


def _bar_scale(days: list[DayMetrics]) -> float:
    """Hours per character: a quarter hour, or coarser when a day is very full."""
    longest = max((sum(bar_hours(m)) for m in days), default=0.0)
    return max(0.25, longest / BAR_CHARS)


def _bar(m: DayMetrics, scale: float, colour: bool):
    """The day's bar: one colour per category, or one character per category without colour."""
    from rich.text import Text

    text = Text()
    used = 0
    for hours, (_, hue, char) in zip(bar_hours(m), BAR_PARTS, strict=True):
        cells = round(hours / scale)
        text.append(("█" if colour else char) * cells, style=hue if colour else None)
        used += cells
    text.append(" " * max(BAR_CHARS + 2 - used, 1))
    return text


def _legend(p: MetricParams, colour: bool):
    from rich.text import Text

    block = f"{p.min_minutes / 60:g}h+"
    labels = {
        "meetings": "meetings",
        "booked": "booked focus",
        "available": f"available for focus (free {block})",
        "fragmented": f"fragmented (free, under {p.min_minutes / 60:g} h)",
    }
    legend = Text("  ")
    for key, hue, char in BAR_PARTS:
        legend.append("█" if colour else char, style=hue if colour else None).append(f" {labels[key]}  ")
    return legend


def report_table(r: Report, console) -> None:
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    p = r.params
    colour = console.color_system is not None and not console.no_color
    console.print(f"[bold]guardian report[/] {escape(headline(r))}")
    console.print(_legend(p, colour), soft_wrap=True)
    scale = _bar_scale(r.days)
    for week in r.weeks:
        if not week.has_data:
            why = (
                f"the calendar's first event is in the week of {r.data_from:%a %d %b %Y}"
                if r.data_from
                else "the calendar has no events"
            )
            console.print(
                f"\n[bold underline]Week of {week.first:%a %d %b %Y}[/] [dim]({r.when(week)})[/]  no data: {why}"
            )
            continue
        console.print(
            f"\n[bold underline]Week of {week.first:%a %d %b %Y}[/] [dim]({r.when(week)})[/]  "
            f"focus {fmt_hours(week.focus_hours)} / {fmt_hours(week.focus_target_hours)} target "
            f"({fmt_hours(week.booked_focus_hours)} booked), "
            f"{plural(week.meetings, 'meeting')} ({fmt_hours(week.meeting_hours)})"
        )
        for m in r.days:
            if not (week.first <= m.day <= week.last):
                continue
            line = Text(f"  {m.day:%a %d}  ")
            line.append(_bar(m, scale, colour))
            if m.day_off:
                line.append("day off", style="dim")
            elif not m.workday and not m.meetings:
                line.append("-", style="dim")
            else:
                line.append(
                    f"meet {fmt_hours(m.meeting_hours):>6}  booked {fmt_hours(m.booked_focus_hours):>6}  "
                    f"free 2h+ {fmt_hours(m.available_focus_hours):>6}  frag {fmt_hours(m.fragmented_hours):>6}"
                )
                if m.after_hours_meetings:
                    line.append(f"  {m.after_hours_meetings} after hours", style="yellow")
            console.print(line, soft_wrap=True)
    console.print(f"  [dim]one block = {scale * 60:g} min[/]")

    console.print(f"\n[bold]The window[/] ({plural(r.totals.days, 'day')})")
    for label, value in indicator_lines(r.totals, p):
        console.print(f"  {label + ':':<38} {escape(value)}", highlight=False)

    if r.series:
        table = Table(title=None, box=None, pad_edge=False, show_edge=False, header_style="bold")
        series_columns: tuple[tuple[str, JustifyMethod], ...] = (
            ("Recurring meeting", "left"),
            ("times", "right"),
            ("hours", "right"),
            ("people", "right"),
            ("person-hours", "right"),
        )
        for name, justify in series_columns:
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

    if r.prices:
        team = any(c.team_hours is not None for c in r.prices)
        table = Table(title=None, box=None, pad_edge=False, show_edge=False, header_style="bold")
        price_columns: list[tuple[str, JustifyMethod]] = [
            ("Meeting", "left"),
            ("times", "right"),
            ("its length", "right"),
            ("focus it costs you", "right"),
        ]
        if team:
            price_columns.append(("the team", "right"))
        for name, justify in price_columns:
            table.add_column(name, justify=justify)
        for price in r.prices:
            price_cells: list[Text | str] = [
                Text(one_line(price.title)),
                str(price.instances),
                fmt_hours(price.meeting_hours),
                fmt_hours(price.hours),
            ]
            if team:
                price_cells.append(
                    "-"
                    if price.team_hours is None
                    else f"{fmt_hours(price.team_hours)} ({price.team_people} people)"
                )
            table.add_row(*price_cells)
        console.print(
            "\n[bold]Meetings that cost the most focus[/] (each day's focus time without them minus with them)"
        )
        console.print(table)

    if r.trend:
        table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
        columns: list[tuple[str, JustifyMethod]] = [
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
        top = max(
            [w.focus_hours for w in r.trend if w.has_data] + [w.focus_target_hours for w in r.trend] + [1.0]
        )
        for w in r.trend:
            label = f"{w.first:%d %b}" + ("*" if r.when(w) != "past" else "")
            if not w.has_data:
                table.add_row(label, "no data", *[""] * (len(columns) - 2))
                continue
            cells = round(w.focus_hours / top * 10)
            bar = Text("█" * cells, style=FOCUS_COLOUR)
            bar.append("·" * max(round(w.focus_target_hours / top * 10) - cells, 0), style="dim")
            row: list[str | Text] = [
                label,
                f"{fmt_number(w.focus_hours)} / {fmt_number(w.focus_target_hours)} h",
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
            f"\n[bold]Trend[/] (last {plural(len(r.trend), 'week')}; * = not over yet; docs = with a pre-read, "
            "decide = with a decision agenda)"
        )
        console.print(table)


# ---------------------------------------------------------------------------
# Markdown


def _md(text: str) -> str:
    return cell(text)


def report_markdown(r: Report) -> str:
    p = r.params
    lines = [f"# guardian report: {headline(r)}", ""]
    lines += ["## The window", "", "| indicator | value |", "|---|---|"]
    lines += [f"| {label} | {_md(value)} |" for label, value in indicator_lines(r.totals, p)]
    lines += [
        "",
        "## Days",
        "",
        "| day | meetings | meeting h | booked focus h | available for focus h | fragmented h | after hours |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for m in r.days:
        if not m.has_data:
            lines.append(f"| {m.day:%a %d %b} | no data | | | | | |")
            continue
        note = " (day off)" if m.day_off else ""
        lines.append(
            f"| {m.day:%a %d %b}{note} | {m.meetings} | {fmt_hours(m.meeting_hours)} | "
            f"{fmt_hours(m.booked_focus_hours)} | {fmt_hours(m.available_focus_hours)} | "
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
            f"| {_md(one_line(c.title))} | {c.instances} | {fmt_hours(c.hours)} | {c.max_people} | "
            f"{fmt_hours(c.person_hours)} |"
            for c in r.series
        ]
    if r.prices:
        lines += [
            "",
            "## Meetings that cost the most focus",
            "",
            "| meeting | times | its length | focus it costs you | the team |",
            "|---|---:|---:|---:|---:|",
        ]
        lines += [
            f"| {_md(one_line(c.title))} | {c.instances} | {fmt_hours(c.meeting_hours)} | {fmt_hours(c.hours)} | "
            f"{'-' if c.team_hours is None else fmt_hours(c.team_hours)} |"
            for c in r.prices
        ]
    if r.trend:
        lines += ["", f"## Trend (last {plural(len(r.trend), 'week')})", ""] + _md_weeks(r, r.trend)
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
        if not w.has_data:
            out.append(f"| {w.first:%d %b %Y} ({r.when(w)}) | no data |" + " |" * (head.count("|") - 3))
            continue
        row = (
            f"| {w.first:%d %b %Y} ({r.when(w)}) | {w.focus_hours:.1f} | {w.focus_target_hours:.1f} | {w.meetings} | "
            f"{w.meeting_hours:.1f} | {fmt_share(w.pre_read_share)} | {fmt_share(w.decision_share)} | "
            f"{w.fragmented_hours:.1f} |"
        )
        if status:
            row += f" {w.status_hours:.1f} |"
        out.append(row)
    return out

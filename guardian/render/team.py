"""`guardian team report` as a table, Markdown, JSON and a self-contained HTML page.

Only what `guardian.domain.team` lets through is ever formatted: the whole
roster's figures, the groups at or above the privacy floor, and the
recurring meetings listed for them. No person's address or figure exists
in a `TeamReport`, so none can reach an output.
"""

from __future__ import annotations

import html
from typing import Any

from guardian.domain.team import Figures, SeriesFigures
from guardian.render import json_text
from guardian.render.markdown import cell
from guardian.usecases.team import TeamRun

HIDDEN_TITLE = "a recurring meeting"  # a series whose title the floor keeps back


def _h(value: float) -> float:
    return round(value, 2)


def _share(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{round(value * 100):d}%"


def _hours(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{text} h"


def _weeks(run: TeamRun) -> float:
    return max((run.window.end - run.window.start).total_seconds() / (7 * 86400), 1 / 7)


def figures_dict(f: Figures, run: TeamRun) -> dict[str, Any]:
    t = f.totals
    weeks = _weeks(run)
    return {
        "name": f.name,
        "people": f.people,
        "focus": {
            "hours": _h(t.focus_hours),
            "hours_per_person_week": _h(f.per_person(t.focus_hours) / weeks),
            "target_hours": _h(t.focus_target_hours),
            "blocks": t.focus_blocks,
            "workdays_without_block": t.workdays_without_block,
            "workdays": t.workdays,
        },
        "meetings": {
            "count": t.meetings,
            "hours": _h(t.meeting_hours),
            "hours_per_person_week": _h(f.per_person(t.meeting_hours) / weeks),
        },
        "pre_read": {"count": t.with_pre_read, "share": _share(t.pre_read_share)},
        "decision_agenda": {"count": t.with_decision, "share": _share(t.decision_share)},
        "status": {"count": t.status_meetings, "hours": _h(t.status_hours)} if run.status_known else None,
        "series": [series_dict(s) for s in f.series],
        "focus_price_hours": f.focus_price_hours,
    }


def series_dict(s: SeriesFigures) -> dict[str, Any]:
    return {"title": s.title, "attendees": s.attendees, "people": s.people, "person_hours": s.person_hours}


def team_dict(run: TeamRun) -> dict[str, Any]:
    r = run.report
    return {
        "window": {"start": run.window.start.isoformat(), "end": run.window.end.isoformat()},
        "now": run.now.isoformat(),
        "timezone": str(run.tz),
        "floor": r.floor,
        "roster": {
            "people": run.roster_size,
            "measured": r.team.people,
            "unreadable": run.unreadable,
            "hidden_groups": r.hidden_groups,
            "ungrouped": r.ungrouped,
        },
        "team": figures_dict(r.team, run),
        "groups": [figures_dict(g, run) for g in r.groups],
    }


def team_json(run: TeamRun) -> str:
    return json_text.dumps(team_dict(run))


# --- terminal and Markdown ---------------------------------------------------------


def _rows(f: Figures, run: TeamRun) -> list[tuple[str, str]]:
    d = figures_dict(f, run)
    focus, meetings = d["focus"], d["meetings"]
    rows = [
        (
            "Focus in 2h+ blocks",
            f"{_hours(focus['hours_per_person_week'])} per person a week ({_hours(focus['hours'])} in all)",
        ),
        (
            "Workdays without a 2h block",
            f"{focus['workdays_without_block']} of {focus['workdays']} person-days",
        ),
        (
            "Meeting load",
            f"{_hours(meetings['hours_per_person_week'])} per person a week ({meetings['count']} meetings)",
        ),
        ("With a pre-read", _pct(d["pre_read"]["share"])),
        ("With a decision agenda", _pct(d["decision_agenda"]["share"])),
    ]
    if d["status"] is not None:
        rows.append(("Status meetings", f"{_hours(d['status']['hours'])} in {d['status']['count']} meetings"))
    if f.focus_price_hours is not None:
        rows.append(("Focus destroyed by meetings", _hours(f.focus_price_hours)))
    return rows


def _label(f: Figures) -> str:
    return f"The roster ({f.people} people)" if f.name is None else f"Group {f.name} ({f.people} people)"


def _series_line(s: SeriesFigures) -> str:
    title = s.title if s.title is not None else HIDDEN_TITLE
    return f"{title}: {_hours(s.person_hours)} of {s.people} people's time ({s.attendees} attendees)"


def _note(run: TeamRun) -> str:
    r = run.report
    parts = [f"privacy floor: {r.floor} people"]
    if r.hidden_groups:
        parts.append(f"{r.hidden_groups} group(s) not shown")
    if run.unreadable:
        parts.append(f"{run.unreadable} calendar(s) could not be read")
    return "; ".join(parts)


def _span(run: TeamRun) -> str:
    r = run.report
    return f"{r.first:%a %d %b %Y} - {r.last:%a %d %b %Y}"


def team_table(run: TeamRun, console: Any) -> None:
    # group names and titles are data: printed as written, never read as Rich markup
    def say(text: str) -> None:
        console.print(text, markup=False, highlight=False)

    say(f"guardian team report {_span(run)} ({run.tz})")
    say(f"  {_note(run)}")
    for entry in (run.report.team, *run.report.groups):
        say("")
        say(_label(entry))
        rows = _rows(entry, run)
        width = max(len(label) for label, _ in rows) + 2
        for label, value in rows:
            say(f"  {label + ':':<{width}} {value}")
        if entry.series:
            say("  Costliest recurring meetings:")
            for s in entry.series:
                say(f"    {_series_line(s)}")


def _md(text: str) -> str:
    return cell(text)


def team_markdown(run: TeamRun) -> str:
    lines = [f"# Team report {_span(run)}", "", f"_{_note(run)}_", ""]
    for entry in (run.report.team, *run.report.groups):
        lines += [f"## {_md(_label(entry))}", "", "| measure | value |", "|---|---|"]
        lines += [f"| {_md(label)} | {_md(value)} |" for label, value in _rows(entry, run)]
        if entry.series:
            lines += ["", "| recurring meeting | person-hours | people | attendees |", "|---|---|---|---|"]
            for s in entry.series:
                title = s.title if s.title is not None else f"_{HIDDEN_TITLE}_"
                lines.append(f"| {_md(title)} | {s.person_hours:g} | {s.people} | {s.attendees} |")
        lines.append("")
    return "\n".join(lines)


# --- HTML ------------------------------------------------------------------------

_CSS = """
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:64rem;
color:#1f2933;padding:0 1rem}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem}
.note{color:#52606d}.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(13rem,1fr));gap:.8rem}
.card{border:1px solid #d9e2ec;border-radius:.5rem;padding:.7rem .9rem}
.card b{display:block;font-size:1.35rem}.card span{color:#52606d;font-size:.85rem}
table{border-collapse:collapse;width:100%;margin-top:.6rem}td,th{border-bottom:1px solid #e4e7eb;
padding:.35rem .5rem;text-align:left}th{color:#52606d;font-weight:600}
.hidden{color:#7b8794;font-style:italic}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
.legend{font-size:.85rem;margin:.8rem 0 .2rem}.legend i{display:inline-block;width:.8rem;height:.8rem;
margin:0 .3rem 0 .9rem;vertical-align:-.1rem}.legend i:first-child{margin-left:0}
"""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _chart(run: TeamRun) -> str:
    """Focus and meeting hours per person a week, one pair of bars per entry."""
    entries = [run.report.team, *run.report.groups]
    dicts = [figures_dict(e, run) for e in entries]
    top = max(
        [1.0]
        + [max(d["focus"]["hours_per_person_week"], d["meetings"]["hours_per_person_week"]) for d in dicts]
    )
    row, left, width = 34, 190, 560
    height = row * len(entries) + 14
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 90}" height="{height}" '
        'role="img" aria-label="Focus and meeting hours per person a week">'
    ]
    for i, (entry, d) in enumerate(zip(entries, dicts, strict=True)):
        y = 10 + i * row
        label = "The roster" if entry.name is None else entry.name
        parts.append(f'<text x="0" y="{y + 16}" font-size="13">{_e(label)} ({entry.people})</text>')
        for j, (key, colour) in enumerate((("focus", "#2f80ed"), ("meetings", "#eb5757"))):
            value = d[key]["hours_per_person_week"]
            w = width * value / top
            parts.append(
                f'<rect x="{left}" y="{y + j * 12}" width="{w:.1f}" height="10" fill="{colour}">'
                f"<title>{_e(key)}: {value:g} h</title></rect>"
            )
            parts.append(
                f'<text x="{left + w + 6:.1f}" y="{y + j * 12 + 9}" font-size="11">{value:g} h</text>'
            )
    parts.append("</svg>")
    # the legend is text above the chart, so that on a phone it shows while the chart scrolls sideways
    legend = (
        '<p class="legend"><i style="background:#2f80ed"></i>focus in 2h+ blocks'
        '<i style="background:#eb5757"></i>meetings (hours per person a week)</p>'
    )
    return legend + '<div class="scroll">' + "".join(parts) + "</div>"


def _section(entry: Figures, run: TeamRun) -> str:
    cards = "".join(
        f'<div class="card"><span>{_e(label)}</span><b>{_e(value.split(" (")[0])}</b>'
        f"<span>{_e(value[len(value.split(' (')[0]) :].strip(' ()'))}</span></div>"
        for label, value in _rows(entry, run)
    )
    out = f'<h2>{_e(_label(entry))}</h2><div class="grid">{cards}</div>'
    if entry.series:
        rows = "".join(
            "<tr><td>"
            + (_e(s.title) if s.title is not None else f'<span class="hidden">{HIDDEN_TITLE}</span>')
            + f"</td><td>{s.person_hours:g}</td><td>{s.people}</td><td>{s.attendees}</td></tr>"
            for s in entry.series
        )
        out += (
            "<table><tr><th>Costliest recurring meetings</th><th>person-hours</th><th>people</th>"
            f"<th>attendees</th></tr>{rows}</table>"
        )
    return out


def team_html(run: TeamRun) -> str:
    body = "".join(_section(e, run) for e in (run.report.team, *run.report.groups))
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>guardian team report {_e(_span(run))}</title><style>{_CSS}</style></head><body>"
        f'<h1>Team report</h1><p class="note">{_e(_span(run))} ({_e(run.tz)}) &middot; {_e(_note(run))}</p>'
        f"{_chart(run)}{body}</body></html>\n"
    )

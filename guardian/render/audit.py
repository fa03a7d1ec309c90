"""Show audit results: a linter-style terminal view, JSON and Markdown.

The JSON shapes are a contract (README, "JSON output"); change them only by
adding keys.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from itertools import groupby
from typing import Any

from guardian.core.model import Event, Finding
from guardian.core.text import one_line
from guardian.lint.engine import AuditResult, Summary

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def event_ref(event: Event | None) -> dict | None:
    if event is None:
        return None
    return {"uid": event.uid, "start": iso(event.start), "title": event.title}


def finding_json(f: Finding, action_state: dict[str, str] | None = None) -> dict[str, Any]:
    out = {
        "rule": f.rule,
        "name": f.name,
        "severity": str(f.severity),
        "message": f.message,
        "action": f.action,
        "event": event_ref(f.event),
        "day": f.day.isoformat() if f.day else None,
        "hint": f.hint,
    }
    if action_state is not None:
        out["action_state"] = action_state.get(f.key)
    return out


def summary_json(s: Summary) -> dict[str, Any]:
    return {
        "meetings": s.meetings,
        "meeting_hours": s.meeting_hours,
        "with_pre_read": s.with_pre_read,
        "with_decision_agenda": s.with_decision,
        "focus_hours": s.focus_hours,
        "focus_block_minutes": s.focus_min_minutes,
        "exempt_meetings": s.exempt,
        "findings": sum(s.findings_by_severity.values()),
        "by_severity": s.findings_by_severity,
        "by_rule": s.findings_by_rule,
    }


def audit_json(result: AuditResult, action_state: dict[str, str] | None = None) -> str:
    window = result.ctx.window
    doc = {
        "window": {"start": iso(window.start), "end": iso(window.end)},
        "events": [
            {
                "uid": e.uid,
                "start": iso(e.start),
                "end": iso(e.end),
                "title": e.title,
                "my_status": str(e.my_status),
            }
            for e in sorted(result.meetings, key=lambda e: (e.start, e.uid))
        ],
        "findings": [finding_json(f, action_state) for f in result.findings],
        "summary": summary_json(result.summary),
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)


def _day_of(f: Finding, tz) -> date:
    if f.day:
        return f.day
    return f.event.start.astimezone(tz).date() if f.event else date.min


def _pct(share: float) -> str:
    return f"{share * 100:.0f}%"


def summary_lines(s: Summary) -> list[str]:
    return [
        f"{s.meetings} meetings, {s.meeting_hours:g} h",
        f"{_pct(s.with_pre_read)} with a pre-read, {_pct(s.with_decision)} with a decision agenda",
        f"{s.focus_hours:g} h of focus time in {s.focus_min_minutes / 60:g}h+ blocks",
        f"{sum(s.findings_by_severity.values())} findings "
        + "("
        + ", ".join(f"{n} {sev}" for sev, n in sorted(s.findings_by_severity.items()))
        + ")",
    ]


def audit_table(result: AuditResult, console, action_state: dict[str, str] | None = None) -> None:
    """One line per finding, grouped by day, like a linter."""
    from rich.markup import escape

    tz = result.ctx.tz
    window = result.ctx.window
    console.print(
        f"[bold]guardian audit[/] {window.start.date():%a %d %b} - "
        f"{(window.end.astimezone(tz) - timedelta(days=1)).date():%a %d %b %Y} ({tz})"
    )
    if not result.findings:
        console.print("\nNo findings: every meeting in the window earns its place.")
    for day, findings in groupby(result.findings, key=lambda f: _day_of(f, tz)):
        console.print(f"\n[bold underline]{day:%A %d %B %Y}[/]")
        for f in findings:
            when = f.event.start.astimezone(tz).strftime("%H:%M") if f.event else "  -  "
            subject = escape(one_line(f.event.title)) + ": " if f.event else ""
            style = SEVERITY_STYLE.get(str(f.severity), "")
            state = (action_state or {}).get(f.key)
            tail = f" [dim]-> {escape(f.hint)}[/]" if f.hint else ""
            if state:
                tail += f" [magenta]\\[{escape(state)}][/]"
            console.print(
                f"  {when}  [{style}]{f.rule}[/] [dim]{f.name}[/]  {subject}{escape(one_line(f.message, 400))}{tail}",
                soft_wrap=True,
                highlight=False,
            )
    console.print("\n[bold]Summary[/]")
    for line in summary_lines(result.summary):
        console.print(f"  {line}", highlight=False)


def audit_markdown(result: AuditResult, action_state: dict[str, str] | None = None) -> str:
    tz = result.ctx.tz
    window = result.ctx.window
    last = (window.end.astimezone(tz) - timedelta(days=1)).date()
    lines = [f"# guardian audit: {window.start.date()} to {last}", ""]
    for day, findings in groupby(result.findings, key=lambda f: _day_of(f, tz)):
        lines += [
            f"## {day:%A %d %B %Y}",
            "",
            "| time | rule | meeting | finding | what to do |",
            "|---|---|---|---|---|",
        ]
        for f in findings:
            when = f.event.start.astimezone(tz).strftime("%H:%M") if f.event else ""
            title = _md(f.event.title) if f.event else ""
            state = (action_state or {}).get(f.key)
            todo = _md(f.hint) + (f" ({state})" if state else "")
            lines.append(f"| {when} | {f.rule} {f.name} | {title} | {_md(f.message)} | {todo} |")
        lines.append("")
    lines += ["## Summary", ""] + [f"- {line}" for line in summary_lines(result.summary)]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return one_line(text, 400).replace("|", "\\|")

"""Show audit results: the terminal view a person acts on, JSON and Markdown.

The terminal groups findings (`guardian.domain.findings`): by default one
entry per meeting series, the costliest first, each with its cadence,
occurrences, person-hours and codes, and one recommendation (the first
finding in the pack's precedence) with what to do and what guardian can do
about it; the other codes follow on one line. Severity is a word, not only a
colour; lines fit the terminal with a hanging indent; a rule's fix is shown
the first time the rule appears (every time with `--hints`). The summary
counts by severity, worst first, says how many were hidden and why, and
names the commands that act on the findings.

The JSON shapes are a contract (README, "JSON output"); change them only by
adding keys. Findings stay one per occurrence there; `series` adds the
grouping.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from rich.text import Text

from guardian.core.model import Event, Finding
from guardian.core.text import one_line
from guardian.domain.findings import ActionState, Entry, Step, TeamPrices, group, next_steps, series_json
from guardian.lint.engine import SEVERITY_ORDER, AuditResult, Summary
from guardian.lint.pack import RuleBook
from guardian.render import json_text
from guardian.render.markdown import cell
from guardian.render.terminal import NBSP, Part, severity_word, wrap

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
HIDDEN_BY = {"config": "by [[ignore]] in the config", "inline": "by `guardian: ignore` in the invite"}


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def event_ref(event: Event | None) -> dict | None:
    if event is None:
        return None
    return {"uid": event.uid, "start": iso(event.start), "title": event.title}


# ---------------------------------------------------------------------------
# JSON


def finding_json(f: Finding, action_state: dict[str, ActionState] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "rule": f.rule,
        "name": f.name,
        "severity": str(f.severity),
        "message": f.message,
        "action": f.action,
        "event": event_ref(f.event),
        "day": f.day.isoformat() if f.day else None,
        "hint": f.hint,
    }
    if f.span is not None:
        out["span"] = {"start": iso(f.span[0]), "end": iso(f.span[1])}
    if action_state is not None:
        state = action_state.get(f.key)
        out["action_state"] = (state.text() or None) if state is not None else None
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
        "suppressed": s.suppressed,
        "baselined": s.baselined,
        "meetings_without_findings": s.meetings_without_findings,
    }


def audit_doc(
    result: AuditResult,
    action_state: dict[str, ActionState] | None = None,
    rulebook: RuleBook | None = None,
    team: TeamPrices | None = None,
) -> dict[str, Any]:
    """The audit JSON document; its long lists are iterators, made as they are written."""
    window = result.ctx.window
    doc: dict[str, Any] = {
        "window": {"start": iso(window.start), "end": iso(window.end)},
        "events": (
            {
                "uid": e.uid,
                "start": iso(e.start),
                "end": iso(e.end),
                "title": e.title,
                "my_status": str(e.my_status),
            }
            for e in sorted(result.meetings, key=lambda e: (e.start, e.uid))
        ),
        "findings": (finding_json(f, action_state) for f in result.findings),
        "summary": summary_json(result.summary),
    }
    if rulebook is not None:
        doc["series"] = series_json(group(result, rulebook, "series", team), action_state)
    return doc


def audit_json(
    result: AuditResult,
    action_state: dict[str, ActionState] | None = None,
    rulebook: RuleBook | None = None,
    team: TeamPrices | None = None,
) -> str:
    return json_text.dumps(audit_doc(result, action_state, rulebook, team))


def write_audit_json(
    out: Callable[[str], Any],
    result: AuditResult,
    action_state: dict[str, ActionState] | None = None,
    rulebook: RuleBook | None = None,
    team: TeamPrices | None = None,
) -> None:
    """`audit_json`'s text and a newline, through `out` in pieces (a year's JSON is megabytes)."""
    json_text.write(audit_doc(result, action_state, rulebook, team), out)
    out("\n")


# ---------------------------------------------------------------------------
# the terminal


def _pct(share: float) -> str:
    return f"{share * 100:.0f}%"


def _n(count: int, noun: str, plural: str | None = None) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {plural or noun + 's'}"


def severity_counts(s: Summary) -> str:
    """'9 error, 11 warning, 12 info': the worst first."""
    return ", ".join(
        f"{s.findings_by_severity[k]} {k}" for k in SEVERITY_ORDER if s.findings_by_severity.get(k)
    )


def hidden_line(result: AuditResult) -> str:
    """'3 hidden: 2 by [[ignore]] in the config, 1 by the baseline' (empty when none)."""
    if not result.hidden:
        return ""
    counts = Counter(h.by for h in result.hidden)
    parts = [f"{counts[by]} {HIDDEN_BY[by]}" for by in ("config", "inline") if counts[by]]
    if counts["baseline"]:
        parts.append(f"{counts['baseline']} by the baseline")
    return f"{len(result.hidden)} hidden: " + ", ".join(parts)


def summary_lines(result: AuditResult, entries: Sequence[Entry] = ()) -> list[str]:
    s = result.summary
    total = sum(s.findings_by_severity.values())
    lines = [
        f"{s.meetings} meetings, {s.meeting_hours:g} h · {_pct(s.with_pre_read)} with a pre-read · "
        f"{_pct(s.with_decision)} with a decision agenda",
        f"{s.focus_hours:g} h free for focus in {s.focus_min_minutes / 60:g}h+ blocks",
    ]
    if total:
        meetings = sum(1 for e in entries if e.kind == "series")
        where = f" on {_n(meetings, 'meeting')}" if meetings else ""
        lines.append(f"{_n(total, 'finding')}{where}: {severity_counts(s)}")
    else:
        lines.append("no findings")
    if s.meetings_without_findings:
        verb = "looks" if s.meetings_without_findings == 1 else "look"
        lines.append(f"{_n(s.meetings_without_findings, 'meeting')} {verb} good")
    hidden = hidden_line(result)
    if hidden:
        lines.append(hidden)
    return lines


class _Hints:
    """Shows a rule's fix the first time the rule appears (or every time with --hints)."""

    def __init__(self, always: bool) -> None:
        self.always = always
        self.shown: set[str] = set()

    def take(self, f: Finding) -> str:
        if not f.hint or (not self.always and f.rule in self.shown):
            return ""
        self.shown.add(f.rule)
        return f.hint


def _tag(state: ActionState | None, *, with_draft: bool) -> str:
    if state is None:
        return ""
    parts = [state.tag()] if state.tag() else []
    if with_draft and state.draft:
        parts.append(f"draft: guardian convert --event {state.draft}")
    return "; ".join(parts)


def _todo(hint: str, tag: str, width: int, indent: int) -> list[Text]:
    parts: list[Part] = []
    if hint:
        parts.append(Part(f"-> {hint}", "dim"))
    if tag:
        parts.append(Part(f"[{tag}]", "magenta"))
    return wrap(parts, width, indent, indent + 3) if parts else []


def _finding_head(f: Finding) -> list[Part]:
    return [severity_word(str(f.severity)), Part(f"{f.rule} {f.name}:", "bold", keep=True)]


def _when(f: Finding, tz) -> str:
    if f.event is not None:
        return f.event.start.astimezone(tz).strftime("%H:%M")
    if f.span is not None:
        return f.span[0].astimezone(tz).strftime("%H:%M")
    return "  -  "


def _series_entry(e: Entry, states, hints: _Hints, width: int, tz) -> list[Text]:
    facts = [e.cadence]
    if len(e.occurrences) > 1:
        facts.append(f"{len(e.occurrences)} in the window")
    facts.append(f"{e.person_hours:g} person-hours")
    if e.focus_price_hours:  # a number and its unit stay on one line
        facts.append(f"focus price {e.focus_price_hours:g}{NBSP}h")
    if e.team_price_hours is not None:
        facts.append(f"team {e.team_price_hours:g}{NBSP}h")
    out = wrap([Part(one_line(e.title), "bold"), Part("· " + " · ".join(facts), "dim")], width, 0, 2)
    lead = e.lead
    message = one_line(lead.message, 400)
    seen = e.flagged(lead.rule)
    if len(e.occurrences) > 1 and seen < len(e.occurrences):
        message += f" ({seen} of {len(e.occurrences)})"
    out += wrap([*_finding_head(lead), Part(message)], width, 2, 10)
    out += _todo(hints.take(lead), _tag(states.get(lead.key), with_draft=False), width, 10)
    others = []
    for f, _count in e.codes()[1:]:
        count = e.flagged(f.rule)
        note = (
            f" ({count} of {len(e.occurrences)})"
            if len(e.occurrences) > 1 and count < len(e.occurrences)
            else ""
        )
        others.append(f"{f.severity} {f.rule} {f.name}{note}")
    if others:
        out += wrap([Part("also   ", "dim", keep=True), Part(", ".join(others), "dim")], width, 2, 10)
    return out


def _day_findings(findings: Sequence[Finding], states, hints: _Hints, width: int, tz) -> list[Text]:
    out: list[Text] = []
    for f in findings:
        title = f"{one_line(f.event.title)}: " if f.event is not None else ""
        out += wrap(
            [Part(_when(f, tz) + " ", keep=True), *_finding_head(f), Part(title + one_line(f.message, 400))],
            width,
            2,
            17,
        )
        out += _todo(hints.take(f), _tag(states.get(f.key), with_draft=True), width, 17)
    return out


def _rule_entry(e: Entry, states, hints: _Hints, width: int, tz) -> list[Text]:
    lead = e.findings[0]
    series = len({f.event.uid for f in e.findings if f.event})
    count = _n(len(e.findings), "finding") + (f" on {_n(series, 'meeting')}" if series else "")
    out = wrap(
        [Part(f"{lead.rule} {lead.name}", "bold", keep=True), Part(f"· {lead.severity} · {count}", "dim")],
        width,
        0,
        4,
    )
    hint = hints.take(lead)
    if hint:
        out += wrap([Part(f"-> {hint}", "dim")], width, 2, 5)
    by_series: dict[str, list[Finding]] = {}
    for f in e.findings:
        by_series.setdefault(f.event.uid if f.event else f.key, []).append(f)
    for found in by_series.values():
        first = found[0]
        when = first.event.start if first.event else (first.span[0] if first.span else None)
        stamp = (
            when.astimezone(tz).strftime("%a %d %b %H:%M")
            if when
            else (f"{first.day:%a %d %b}" if first.day else "the window")
        )
        title = (
            f"{one_line(first.event.title)}" + (f" ({len(found)}x)" if len(found) > 1 else "") + ": "
            if first.event
            else ""
        )
        tag = _tag(states.get(first.key), with_draft=True)
        out += wrap(
            [Part(stamp, keep=True), Part(title + one_line(first.message, 400))]
            + ([Part(f"[{tag}]", "magenta")] if tag else []),
            width,
            2,
            20,
        )
    return out


def audit_lines(
    result: AuditResult,
    states: dict[str, ActionState] | None,
    rulebook: RuleBook,
    *,
    how: str = "series",
    hints: bool = False,
    width: int = 80,
    steps_note: str = "",
    team: TeamPrices | None = None,
) -> list[Text]:
    """Every line of the terminal view, already fitted to `width`."""
    states = states or {}
    tz = result.ctx.tz
    window = result.ctx.window
    last = (window.end.astimezone(tz) - timedelta(days=1)).date()
    lines: list[Text] = wrap(
        [Part("guardian audit", "bold"), Part(f"{window.start.date():%a %d %b} - {last:%a %d %b %Y} ({tz})")],
        width,
    )
    entries = group(result, rulebook, how, team)
    shown = _Hints(hints)
    if not result.findings:
        lines += [Text(""), Text("No findings: every meeting in the window earns its place.")]
    for entry in entries:
        lines.append(Text(""))
        if entry.kind == "series":
            lines += _series_entry(entry, states, shown, width, tz)
        elif entry.kind == "rule":
            lines += _rule_entry(entry, states, shown, width, tz)
        elif entry.kind == "all":
            for f in entry.findings:
                when = f.event.start if f.event else (f.span[0] if f.span else None)
                stamp = (
                    when.astimezone(tz).strftime("%a %d %b %H:%M")
                    if when
                    else (f"{f.day:%a %d %b}      " if f.day else "window          ")
                )
                title = f"{one_line(f.event.title)}: " if f.event else ""
                lines += wrap(
                    [Part(stamp, keep=True), *_finding_head(f), Part(title + one_line(f.message, 400))],
                    width,
                    0,
                    4,
                )
                lines += _todo(shown.take(f), _tag(states.get(f.key), with_draft=True), width, 4)
        elif how == "day":
            lines += wrap([Part(entry.title, "bold")], width)
            lines += _day_findings(entry.findings, states, shown, width, tz)
        else:  # a day or the window, after the meetings
            lines += wrap([Part(entry.title, "bold")], width)
            for f in entry.findings:
                lines += wrap([*_finding_head(f), Part(one_line(f.message, 400))], width, 2, 10)
                lines += _todo(shown.take(f), _tag(states.get(f.key), with_draft=False), width, 10)
    lines += [Text(""), Text("Summary", style="bold")]
    series_entries = entries if how == "series" else group(result, rulebook, "series", team)
    for text in summary_lines(result, series_entries):
        lines += wrap([Part(text)], width, 2, 4)
    steps = next_steps(result, states)
    if steps:
        lines += [Text(""), Text("Next" + (f" ({steps_note})" if steps_note else ""), style="bold")]
        lines += _steps(steps, width)
    return lines


def _steps(steps: Sequence[Step], width: int) -> list[Text]:
    pad = max(len(s.what) for s in steps) + 2
    return [
        line
        for s in steps
        for line in wrap([Part(f"{s.what:<{pad}}", keep=True), Part(s.command, "bold")], width, 2, pad + 2)
    ]


def audit_table(
    result: AuditResult,
    console,
    action_state: dict[str, ActionState] | None = None,
    rulebook: RuleBook | None = None,
    **kwargs: Any,
) -> None:
    """Print the terminal view to `console` (no pager: see `render.pager.show`)."""
    from guardian.lint.pack import load_rulebook

    for line in audit_lines(result, action_state, rulebook or load_rulebook(), width=console.width, **kwargs):
        console.print(line, soft_wrap=True)


# ---------------------------------------------------------------------------
# Markdown


def audit_markdown(result: AuditResult, action_state: dict[str, ActionState] | None = None) -> str:
    tz = result.ctx.tz
    window = result.ctx.window
    last = (window.end.astimezone(tz) - timedelta(days=1)).date()
    lines = [f"# guardian audit: {window.start.date()} to {last}", ""]
    days: dict[Any, list[Finding]] = {}
    for f in result.findings:
        day = f.day or (f.event.start.astimezone(tz).date() if f.event else None)
        days.setdefault(day, []).append(f)
    for day, findings in days.items():
        lines += [
            f"## {day:%A %d %B %Y}" if day else "## The whole window",
            "",
            "| time | severity | rule | meeting | finding | what to do |",
            "|---|---|---|---|---|---|",
        ]
        for f in findings:
            when = _when(f, tz).strip(" -") if (f.event or f.span) else ""
            title = _md(f.event.title) if f.event else ""
            state = (action_state or {}).get(f.key)
            text = state.text() if state is not None else ""
            todo = _md(f.hint) + (f" ({_md(text)})" if text else "")
            lines.append(
                f"| {when} | {f.severity} | {f.rule} {f.name} | {title} | {_md(f.message)} | {todo} |"
            )
        lines.append("")
    lines += ["## Summary", ""] + [f"- {line}" for line in summary_lines(result)]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return cell(text)

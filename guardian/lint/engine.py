"""Run a rule book over a window of events and collect findings.

Pure: it takes normalized events and a context, returns findings and a
summary. Nothing here reads files or talks to a provider.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from guardian.core import intervals
from guardian.core.agenda import seeks_decision
from guardian.core.model import Event, Finding, Severity
from guardian.lint.context import AuditContext
from guardian.lint.pack import Rule, RuleBook
from guardian.lint.registry import DayCheck, EventCheck, WindowCheck


@dataclass(frozen=True)
class Summary:
    meetings: int
    meeting_hours: float
    with_pre_read: float  # share 0..1
    with_decision: float  # share 0..1
    focus_hours: float  # in blocks of focus_min_minutes or more
    focus_min_minutes: int
    exempt: int
    findings_by_severity: dict[str, int] = field(default_factory=dict)
    findings_by_rule: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class AuditResult:
    ctx: AuditContext
    findings: list[Finding]
    summary: Summary

    @property
    def meetings(self) -> list[Event]:
        return self.ctx.meetings

    def worst(self) -> Severity | None:
        return max((f.severity for f in self.findings), key=lambda s: s.rank, default=None)


def passes_filters(rule: Rule, event: Event, ctx: AuditContext) -> bool:
    """A rule's own filters: enough people, long enough, not exempt (when it skips exempt)."""
    if len(event.people) < rule.min_attendees:
        return False
    if rule.min_minutes and event.minutes < rule.min_minutes:
        return False
    return not (rule.exempt and ctx.exemptions.category(event))


def _finding(rule: Rule, message: str, event: Event | None, day: date | None) -> Finding:
    return Finding(
        rule=rule.code,
        name=rule.name,
        severity=rule.severity,
        message=message,
        action=rule.action,
        event=event,
        day=day,
        hint=rule.fix,
        check=rule.check,
    )


def flags(rule: Rule, event: Event, ctx: AuditContext) -> str | None:
    """The message an event rule gives this meeting (its filters, then its check), or None."""
    spec = rule.spec
    if not isinstance(spec, EventCheck) or not passes_filters(rule, event, ctx):
        return None
    return spec.fn(event, ctx, rule.params)


def run_rules(rulebook: RuleBook, ctx: AuditContext) -> list[Finding]:
    findings: list[Finding] = []
    days = ctx.window.days()
    for rule in rulebook.rules:
        spec = rule.spec
        if isinstance(spec, EventCheck):
            for event in ctx.meetings:
                if not passes_filters(rule, event, ctx):
                    continue
                message = spec.fn(event, ctx, rule.params)
                if message:
                    findings.append(_finding(rule, message, event, ctx.local(event.start).date()))
        elif isinstance(spec, DayCheck):
            for day in days:
                meetings = [e for e in ctx.meetings_by_day.get(day, []) if passes_filters(rule, e, ctx)]
                for hit in spec.fn(day, meetings, ctx, rule.params):
                    findings.append(_finding(rule, hit.message, hit.event, day))
        elif isinstance(spec, WindowCheck):
            for whit in spec.fn(ctx, rule.params):
                findings.append(_finding(rule, whit.message, whit.event, whit.day))
    findings.sort(key=lambda f: f.sort_key)
    return findings


def summarize(ctx: AuditContext, findings: list[Finding]) -> Summary:
    meetings = ctx.meetings
    count = len(meetings)
    hours = intervals.total((e.start, e.end) for e in meetings).total_seconds() / 3600
    with_doc = sum(1 for e in meetings if e.doc_links)
    with_decision = sum(1 for e in meetings if seeks_decision(e.description) or seeks_decision(e.title))
    return Summary(
        meetings=count,
        meeting_hours=round(hours, 2),
        with_pre_read=round(with_doc / count, 3) if count else 0.0,
        with_decision=round(with_decision / count, 3) if count else 0.0,
        focus_hours=round(ctx.focus_hours(), 2),
        focus_min_minutes=ctx.focus.min_minutes,
        exempt=sum(1 for e in meetings if ctx.exemptions.category(e)),
        findings_by_severity=dict(Counter(str(f.severity) for f in findings)),
        findings_by_rule=dict(sorted(Counter(f.rule for f in findings).items())),
    )


def audit(rulebook: RuleBook, ctx: AuditContext) -> AuditResult:
    findings = run_rules(rulebook, ctx)
    return AuditResult(ctx, findings, summarize(ctx, findings))

"""Run a rule book over a window of events and collect findings.

Pure: it takes normalized events and a context, returns findings and a
summary. Nothing here reads files or talks to a provider.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from guardian.core import intervals
from guardian.core.agenda import seeks_decision
from guardian.core.model import Event, Finding, Severity
from guardian.lint.context import AuditContext
from guardian.lint.pack import Rule, RuleBook
from guardian.lint.registry import DayCheck, EventCheck, SeriesCheck, WindowCheck, registry
from guardian.lint.suppress import Hidden, Suppressions, suppress

SEVERITY_ORDER = ("error", "warning", "info")  # how counts are listed: the worst first


@dataclass(frozen=True)
class Summary:
    meetings: int
    meeting_hours: float
    with_pre_read: float  # share 0..1
    with_decision: float  # share 0..1
    focus_hours: float  # in blocks of focus_min_minutes or more
    focus_min_minutes: int
    exempt: int
    findings_by_severity: dict[str, int] = field(default_factory=dict)  # error, warning, info order
    findings_by_rule: dict[str, int] = field(default_factory=dict)
    suppressed: int = 0  # hidden by [[ignore]] or an invite's `guardian: ignore`
    baselined: int = 0  # hidden because the baseline holds them
    meetings_without_findings: int = 0


@dataclass(frozen=True)
class AuditResult:
    ctx: AuditContext
    findings: list[Finding]  # the ones shown
    summary: Summary
    hidden: tuple[Hidden, ...] = ()  # suppressed or baselined, with what hid each

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


def _finding(
    rule: Rule,
    message: str,
    event: Event | None,
    day: date | None,
    span: tuple[datetime, datetime] | None = None,
) -> Finding:
    return Finding(
        span=span,
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
        elif isinstance(spec, SeriesCheck):
            for occurrences in _series(ctx, rule).values():
                message = spec.fn(occurrences, ctx, rule.params)
                if message:
                    first = occurrences[0]
                    findings.append(_finding(rule, message, first, ctx.local(first.start).date()))
        elif isinstance(spec, DayCheck):
            for day in days:
                meetings = [e for e in ctx.meetings_by_day.get(day, []) if passes_filters(rule, e, ctx)]
                for hit in spec.fn(day, meetings, ctx, rule.params):
                    findings.append(_finding(rule, hit.message, hit.event, day, hit.span))
        elif isinstance(spec, WindowCheck):
            for whit in spec.fn(ctx, rule.params):
                findings.append(_finding(rule, whit.message, whit.event, whit.day))
    findings.sort(key=lambda f: f.sort_key)
    return findings


def _series(ctx: AuditContext, rule: Rule) -> dict[str, list[Event]]:
    """The window's meetings that pass the rule's filters, by series, in start order."""
    by_uid: dict[str, list[Event]] = {}
    for event in ctx.meetings:
        if passes_filters(rule, event, ctx):
            by_uid.setdefault(event.uid, []).append(event)
    for occurrences in by_uid.values():
        occurrences.sort(key=lambda e: e.start)
    return by_uid


def summarize(ctx: AuditContext, findings: list[Finding], hidden: tuple[Hidden, ...] = ()) -> Summary:
    meetings = ctx.meetings
    count = len(meetings)
    hours = intervals.total((e.start, e.end) for e in meetings).total_seconds() / 3600
    with_doc = sum(1 for e in meetings if e.doc_links)
    with_decision = sum(1 for e in meetings if seeks_decision(e.description) or seeks_decision(e.title))
    severities = Counter(str(f.severity) for f in findings)
    # a meeting "looks good" when nothing was found about it, shown or hidden
    # (a series-level finding such as H003 is about every occurrence of its series)
    about = [f for f in (*findings, *(h.finding for h in hidden)) if f.event is not None]
    checks = registry()
    series = {
        f.event.uid for f in about if f.event and f.check in checks and checks[f.check].scope == "series"
    }
    flagged = {f.event.instance_id for f in about if f.event} | {
        e.instance_id for e in meetings if e.uid in series
    }
    return Summary(
        meetings=count,
        meeting_hours=round(hours, 2),
        with_pre_read=round(with_doc / count, 3) if count else 0.0,
        with_decision=round(with_decision / count, 3) if count else 0.0,
        focus_hours=round(ctx.focus_hours(), 2),
        focus_min_minutes=ctx.focus.min_minutes,
        exempt=sum(1 for e in meetings if ctx.exemptions.category(e)),
        findings_by_severity={s: n for s in SEVERITY_ORDER if (n := severities[s])},
        findings_by_rule=dict(sorted(Counter(f.rule for f in findings).items())),
        suppressed=sum(1 for h in hidden if h.by != "baseline"),
        baselined=sum(1 for h in hidden if h.by == "baseline"),
        meetings_without_findings=sum(1 for e in meetings if e.instance_id not in flagged),
    )


def audit(rulebook: RuleBook, ctx: AuditContext, suppressions: Suppressions | None = None) -> AuditResult:
    """Run the pack; findings the suppressions hide are set aside (and counted), not shown."""
    findings = run_rules(rulebook, ctx)
    hidden: list[Hidden] = []
    if suppressions is not None:
        findings, hidden = suppress(findings, suppressions, rulebook, ctx.local(ctx.now).date())
    return AuditResult(ctx, findings, summarize(ctx, findings, tuple(hidden)), tuple(hidden))

"""What a person reads first: findings grouped into entries, one recommendation each.

The audit finds problems per occurrence (the JSON keeps them so); a person
acts per meeting series. A daily standup without a pre-read is one thing to
fix, not five. This module turns the audit's findings into entries:

- `by_series`: one entry per meeting series with its cadence, its
  occurrences in the window, its person-hours and all its codes, the
  costliest first; then one entry per day for day-level findings (F001 no
  focus block, H002 a run of meetings), then the window (F002);
- `by_day`, `by_rule` and `ungrouped`: the other views of `--group`.

Inside an entry the findings are in the pack's precedence (`RuleBook.rank`),
so the first one is the recommendation: what the person is told first and
which reply the organizer gets. Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, tzinfo
from statistics import median

from guardian.core.model import Event, Finding, Severity
from guardian.lint.engine import AuditResult
from guardian.lint.pack import RuleBook
from guardian.lint.registry import registry

GROUPS = ("series", "day", "rule", "none")
HOUR = 3600.0
REPLY_LABEL = {
    "pre-read": "pre-read request",
    "async-proposal": "async proposal",
    "move-request": "move request",
}


@dataclass(frozen=True)
class ActionState:
    """What happened, or would happen, to a finding's action (see usecases.actions)."""

    reply: str = ""  # "would send", "request sent 2026-11-27", "deferred: quiet hours", ...
    reply_kind: str = ""  # "pre-read" | "async-proposal" | "move-request"
    draft: str = ""  # the UID `guardian convert --event` drafts for

    def text(self) -> str:
        """The JSON `action_state` (README, "JSON output")."""
        parts = []
        if self.reply:
            parts.append(self.reply)
        if self.draft:
            parts.append(f"draft available: guardian convert --event {self.draft}")
        return "; ".join(parts)

    def tag(self) -> str:
        """The terminal's short form, e.g. "async proposal: would send"."""
        if not self.reply:
            return ""
        label = REPLY_LABEL.get(self.reply_kind, "reply")
        if self.reply.startswith("deferred: "):
            return f"{label} deferred ({self.reply.removeprefix('deferred: ')})"
        return f"{label}: {self.reply.removeprefix('request ')}"


@dataclass(frozen=True)
class Entry:
    """One thing to act on: a meeting series, a day, the window, or (by rule) a rule."""

    kind: str  # "series" | "day" | "window" | "rule" | "all"
    key: str  # the series UID, the day (YYYY-MM-DD), "window", or the rule code
    title: str
    findings: tuple[Finding, ...]  # the recommendation first, then the pack's precedence
    occurrences: tuple[Event, ...] = ()  # series: its meetings in the window
    cadence: str = ""
    person_hours: float = 0.0
    day: date | None = None
    #: series: the focus time its occurrences cost me (each day's focus without it minus with it)
    focus_price_hours: float = 0.0
    #: series: what it costs everyone invited whose free/busy is known (None: not asked)
    team_price_hours: float | None = None
    team_people: int = 0

    @property
    def lead(self) -> Finding:
        return self.findings[0]

    @property
    def worst(self) -> Severity:
        return max((f.severity for f in self.findings), key=lambda s: s.rank)

    def codes(self) -> list[tuple[Finding, int]]:
        """Each rule once, in precedence order, with how many findings it has here."""
        counts = Counter(f.rule for f in self.findings)
        seen: dict[str, Finding] = {}
        for f in self.findings:
            seen.setdefault(f.rule, f)
        return [(f, counts[code]) for code, f in seen.items()]

    def flagged(self, code: str) -> int:
        """Occurrences of the series a rule flags (for "2 of 4"); a series-level rule flags them all."""
        checks = registry()
        found = [f for f in self.findings if f.rule == code]
        if any(f.check in checks and checks[f.check].scope == "series" for f in found):
            return len(self.occurrences)
        return len({f.event.instance_id for f in found if f.event})


@dataclass(frozen=True)
class Step:
    """A next step the summary suggests: how many, what, and the command that does it."""

    count: int
    what: str  # "pre-read requests ready"
    command: str  # "guardian replies plan"


@dataclass(frozen=True)
class Digest:
    """The audit as a person reads it: entries in order, and what to do next."""

    entries: list[Entry]
    steps: list[Step] = field(default_factory=list)


# ---------------------------------------------------------------------------
# series facts


#: series UID -> (focus hours it costs everyone whose free/busy is known, how many people)
TeamPrices = dict[str, tuple[float, int]]


def focus_price_hours(occurrences: Iterable[Event], result: AuditResult) -> float:
    """The focus time the occurrences cost me, by the availability rule F003 uses."""
    ctx = result.ctx
    return round(sum(ctx.availability.price(e, ctx.focus.min_minutes).hours for e in occurrences), 2)


def person_hours(occurrences: Iterable[Event]) -> float:
    """Duration x people invited (rooms excluded), summed: what `guardian report` calls series cost."""
    return round(sum(e.duration.total_seconds() / HOUR * len(e.people) for e in occurrences), 2)


def cadence(occurrences: Sequence[Event], tz: tzinfo) -> str:
    """How often the series meets, as far as the window shows it.

    A one-off meeting: its day and time. A series seen once in the window
    cannot tell weekly from monthly, so it says only that it recurs; with
    more occurrences the typical gap between them decides.
    """
    if not occurrences:
        return ""
    local = [e.start.astimezone(tz) for e in occurrences]
    hour, minute = Counter((t.hour, t.minute) for t in local).most_common(1)[0][0]
    time = f"{hour:02d}:{minute:02d}"
    first = occurrences[0]
    if not first.recurring:
        return f"once, {local[0]:%a %d %b} {local[0]:%H:%M}"
    if len(local) == 1:
        return f"recurring, {local[0]:%a} {time}"
    weekdays = sorted({t.weekday() for t in local})
    days = [t.date() for t in local]
    gap = median((b - a).days for a, b in zip(days, days[1:], strict=False))
    names = ", ".join(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[d] for d in weekdays)
    if gap <= 1.5:
        return f"every weekday at {time}" if weekdays[-1] < 5 else f"daily at {time}"
    if 6 <= gap <= 8:
        return f"weekly, {names} at {time}"
    if 13 <= gap <= 15:
        return f"every two weeks, {names} at {time}"
    if 27 <= gap <= 32:
        return f"monthly, {names} at {time}"
    return f"{names} at {time}"


# ---------------------------------------------------------------------------
# grouping


def _ordered(findings: Iterable[Finding], rulebook: RuleBook) -> tuple[Finding, ...]:
    return tuple(sorted(findings, key=lambda f: (rulebook.rank(f), f.sort_key)))


def _day_of(f: Finding, tz: tzinfo) -> date:
    if f.day:
        return f.day
    return f.event.start.astimezone(tz).date() if f.event else date.min


def _title(occurrences: Sequence[Event]) -> str:
    """The series' usual title (one moved occurrence may carry a note in its own)."""
    return Counter(e.title for e in occurrences).most_common(1)[0][0] if occurrences else ""


def by_series(result: AuditResult, rulebook: RuleBook, team: TeamPrices | None = None) -> list[Entry]:
    """One entry per meeting series, the costliest first; then days; then the window."""
    ctx = result.ctx
    by_uid: dict[str, list[Finding]] = {}
    other: list[Finding] = []
    for f in result.findings:
        if f.event is not None:
            by_uid.setdefault(f.event.uid, []).append(f)
        else:
            other.append(f)
    meetings: dict[str, list[Event]] = {}
    for event in ctx.meetings:
        meetings.setdefault(event.uid, []).append(event)
    entries: list[Entry] = []
    for uid, found in by_uid.items():
        seen = meetings.get(uid) or list({f.event.instance_id: f.event for f in found if f.event}.values())
        occurrences = tuple(sorted(seen, key=lambda e: e.start))
        team_hours, team_people = (team or {}).get(uid, (None, 0))
        entries.append(
            Entry(
                kind="series",
                key=uid,
                title=_title(occurrences),
                findings=_ordered(found, rulebook),
                occurrences=occurrences,
                cadence=cadence(occurrences, ctx.tz),
                person_hours=person_hours(occurrences),
                day=occurrences[0].start.astimezone(ctx.tz).date() if occurrences else None,
                focus_price_hours=focus_price_hours(occurrences, result),
                team_price_hours=team_hours,
                team_people=team_people,
            )
        )
    entries.sort(
        key=lambda e: (-e.person_hours, -e.worst.rank, e.occurrences[0].start if e.occurrences else 0, e.key)
    )
    return entries + _day_entries(other, rulebook, ctx.tz)


def _day_entries(findings: list[Finding], rulebook: RuleBook, tz: tzinfo) -> list[Entry]:
    days: dict[date, list[Finding]] = {}
    window: list[Finding] = []
    for f in findings:
        if f.day is None:
            window.append(f)
        else:
            days.setdefault(f.day, []).append(f)
    out = [
        Entry(
            "day",
            day.isoformat(),
            f"{day:%A %d %B %Y}",
            tuple(sorted(found, key=lambda f: f.sort_key)),
            day=day,
        )
        for day, found in sorted(days.items())
    ]
    if window:
        out.append(Entry("window", "window", "The whole window", _ordered(window, rulebook)))
    return out


def by_day(result: AuditResult, rulebook: RuleBook) -> list[Entry]:
    """One entry per day, findings in time order (a meeting's in precedence order); the window last."""
    tz = result.ctx.tz
    days: dict[date, list[Finding]] = {}
    window: list[Finding] = []
    for f in result.findings:
        if f.day is None and f.event is None:
            window.append(f)
        else:
            days.setdefault(_day_of(f, tz), []).append(f)

    def order(f: Finding) -> tuple:
        when = f.event.start if f.event else (f.span[0] if f.span else None)
        return (when.timestamp() if when else 0.0, f.event.uid if f.event else "", rulebook.rank(f))

    out = [
        Entry("day", day.isoformat(), f"{day:%A %d %B %Y}", tuple(sorted(found, key=order)), day=day)
        for day, found in sorted(days.items())
    ]
    if window:
        out.append(Entry("window", "window", "The whole window", _ordered(window, rulebook)))
    return out


def by_rule(result: AuditResult, rulebook: RuleBook) -> list[Entry]:
    """One entry per rule, the worst severity first, then the most findings."""
    found: dict[str, list[Finding]] = {}
    for f in result.findings:
        found.setdefault(f.rule, []).append(f)
    entries = [
        Entry("rule", code, f"{fs[0].rule} {fs[0].name}", tuple(sorted(fs, key=lambda f: f.sort_key)))
        for code, fs in found.items()
    ]
    entries.sort(key=lambda e: (-e.worst.rank, -len(e.findings), e.key))
    return entries


def ungrouped(result: AuditResult, rulebook: RuleBook) -> list[Entry]:
    """Every finding, in time order: one entry holding them all."""
    if not result.findings:
        return []
    return [Entry("all", "all", "", tuple(result.findings))]


def group(
    result: AuditResult, rulebook: RuleBook, how: str = "series", team: TeamPrices | None = None
) -> list[Entry]:
    if how == "series":
        return by_series(result, rulebook, team)
    return {"day": by_day, "rule": by_rule, "none": ungrouped}[how](result, rulebook)


# ---------------------------------------------------------------------------
# what to do next


def next_steps(result: AuditResult, states: dict[str, ActionState]) -> list[Step]:
    """The commands that act on the findings, with how much each would do (like ruff's "N fixable")."""
    replies: dict[str, set[str]] = {"pre-read": set(), "async-proposal": set(), "move-request": set()}
    drafts: set[str] = set()
    focus_days: set[date] = set()
    for f in result.findings:
        state = states.get(f.key)
        if f.event is not None and state is not None:
            if state.reply == "would send" and state.reply_kind in replies:
                replies[state.reply_kind].add(f.event.uid)
            if state.draft:
                drafts.add(state.draft)
        if f.check == "no-focus-block" and f.day is not None:
            focus_days.add(f.day)
    steps = [
        Step(
            len(replies["pre-read"]),
            _n(len(replies["pre-read"]), "pre-read request") + " ready",
            "guardian replies plan",
        ),
        Step(
            len(replies["async-proposal"]),
            _n(len(replies["async-proposal"]), "async proposal") + " ready",
            "guardian replies plan",
        ),
        Step(
            len(replies["move-request"]),
            _n(len(replies["move-request"]), "move request") + " ready",
            "guardian replies plan",
        ),
        Step(len(drafts), _n(len(drafts), "async draft"), "guardian convert"),
        Step(len(focus_days), _n(len(focus_days), "day") + " without a focus block", "guardian focus plan"),
    ]
    return [s for s in steps if s.count]


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def series_json(entries: Iterable[Entry], states: dict[str, ActionState] | None = None) -> list[dict]:
    """The audit JSON's `series` list: the grouping, one item per meeting series."""
    out = []
    for e in entries:
        if e.kind != "series":
            continue
        lead = e.lead
        state = (states or {}).get(lead.key)
        out.append(
            {
                "uid": e.key,
                "title": e.title,
                "cadence": e.cadence,
                "occurrences": len(e.occurrences),
                "first": e.occurrences[0].start.isoformat() if e.occurrences else None,
                "person_hours": e.person_hours,
                "focus_price_hours": e.focus_price_hours,
                "team_focus_price_hours": e.team_price_hours,
                "severity": str(e.worst),
                "codes": [f.rule for f, _ in e.codes()],
                "findings": len(e.findings),
                "recommendation": {
                    "rule": lead.rule,
                    "name": lead.name,
                    "action": lead.action,
                    "message": lead.message,
                    "hint": lead.hint,
                    "action_state": state.text() if state is not None else None,
                },
            }
        )
    return out

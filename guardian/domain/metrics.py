"""The leading indicators of async-first work, measured from the calendar.

`guardian report` shows whether a person gets long stretches of
uninterrupted work and whether the meetings they still have are prepared
(a document to read, a decision to make, an invite sent early enough).
Everything here is a pure function of an AuditContext: no I/O, no clock.

The work is done in one pass over the events, which files every event under
the day(s) it touches; each day is then measured once (`day_metrics`), and
weeks, the whole window and the trend are sums of days (`aggregate`). That
keeps a year of calendar about as cheap to report on as it is to audit.

Definitions (the README's "guardian report" section repeats them):

- focus time: free working time in pieces of at least `[focus] min_minutes`
  (default 120), by `guardian.core.availability`: the same rule for busy
  time, days off and booked focus that the audit and the planner use. It is
  shown in two parts that are never confused: booked focus (my own focus
  events and guardian's blocks, inside working hours) and available for
  focus (the rest of those 2h+ pieces: free, but not booked).
- no data: a week (Monday to Sunday) before the week of the first event the
  calendar has (in what was read) is not measured: its empty hours would
  read as a perfect week of focus.
- fragmented time: free working time in pieces shorter than `min_minutes`.
- meetings: `lint.context.is_meeting` events, counted on the day they start;
  hours are the union of their spans, so overlaps count once.
- pre-read: the invite links a document; decision agenda: the description
  or title asks for a decision (`agenda.seeks_decision`); sent ahead: the
  invite was created at least `lead_hours` before the start (meetings
  whose source gives no creation time, or one after the start as for an
  imported copy, are counted as unknown, as D002 ignores them, and left out
  of that share).
- status hours: meetings that a title-keywords rule of kind "status" (S001
  in the default pack) flags, with that rule's filters.
- after hours: meetings not inside one working range of their day.
- series cost: duration x people invited, summed over the instances.
- focus price: the focus time a meeting costs me, its day's focus time
  without it minus with it (`Availability.price`, the rule F003 uses),
  summed per series (one-off meetings are a series of one); the team's price
  is added from the attendees' free/busy when the use case has it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from guardian.core import intervals
from guardian.core.agenda import seeks_decision
from guardian.core.availability import FocusPolicy
from guardian.core.model import Event
from guardian.lint.checks.event import LateInvite
from guardian.lint.context import AuditContext
from guardian.lint.engine import flags
from guardian.lint.pack import Rule, RuleBook

HOUR = 3600.0


STATUS_KIND = "status"  # the title-keywords `kind` of status meetings


@dataclass(frozen=True)
class MetricParams:
    """What the metrics measure against: my focus policy and the pack's rules.

    The minimum block and the weekly target are my `[focus]` settings, the
    same ones the audit and the planner use. The lead time is that of the
    pack's late-invite rule, and status meetings are those its title-keywords
    rules of kind "status" flag, so the report counts exactly what the audit
    reports; rules are found by what they check, never by their code.
    """

    focus: FocusPolicy = field(default_factory=FocusPolicy)
    lead_hours: float = LateInvite().lead_hours
    status_rules: tuple[Rule, ...] = ()

    @property
    def min_minutes(self) -> int:
        return self.focus.min_minutes

    @property
    def weekly_target_hours(self) -> float:
        return self.focus.weekly_target_hours

    @property
    def status_rule(self) -> Rule | None:
        """The first status rule (the report names it), or None when the pack has none."""
        return self.status_rules[0] if self.status_rules else None

    @classmethod
    def from_rulebook(cls, rulebook: RuleBook, focus: FocusPolicy | None = None) -> MetricParams:
        late = rulebook.by_check("late-invite")
        return cls(
            focus=focus or FocusPolicy(),
            lead_hours=late[0].params.lead_hours if late else LateInvite().lead_hours,
            status_rules=tuple(
                rule for rule in rulebook.by_check("title-keywords") if rule.params.kind == STATUS_KIND
            ),
        )


@dataclass
class SeriesCost:
    """What one recurring meeting costs over a span: people x hours."""

    uid: str
    titles: Counter = field(default_factory=Counter)
    instances: int = 0
    hours: float = 0.0
    person_hours: float = 0.0
    max_people: int = 0

    @property
    def title(self) -> str:
        return self.titles.most_common(1)[0][0] if self.titles else ""

    def add(self, other: SeriesCost) -> None:
        self.titles.update(other.titles)
        self.instances += other.instances
        self.hours += other.hours
        self.person_hours += other.person_hours
        self.max_people = max(self.max_people, other.max_people)


@dataclass
class FocusCost:
    """What one meeting (series) costs in focus time over a span."""

    uid: str
    titles: Counter = field(default_factory=Counter)
    instances: int = 0
    hours: float = 0.0  # focus time it costs me
    meeting_hours: float = 0.0  # its own length, summed
    team_hours: float | None = None  # what it costs everyone whose free/busy is known
    team_people: int = 0

    @property
    def title(self) -> str:
        return self.titles.most_common(1)[0][0] if self.titles else ""

    def add(self, other: FocusCost) -> None:
        self.titles.update(other.titles)
        self.instances += other.instances
        self.hours += other.hours
        self.meeting_hours += other.meeting_hours


@dataclass
class DayMetrics:
    day: date
    workday: bool = False  # has working hours and is not a day off
    day_off: bool = False
    working_hours: float = 0.0
    focus_hours: float = 0.0
    focus_blocks: int = 0
    fragmented_hours: float = 0.0
    fragments: int = 0
    booked_focus_hours: float = 0.0  # the user's own focus events inside working hours
    #: free time in 2h+ pieces that no focus event holds: time that could be booked
    available_focus_hours: float = 0.0
    booked_in_fragments_hours: float = 0.0  # booked focus inside pieces shorter than the minimum
    has_data: bool = True  # False before the calendar's first event
    meetings: int = 0
    meeting_hours: float = 0.0
    with_pre_read: int = 0
    with_decision: int = 0
    sent_ahead: int = 0
    sent_late: int = 0
    sent_unknown: int = 0
    status_meetings: int = 0
    status_hours: float = 0.0
    after_hours_meetings: int = 0
    after_hours_hours: float = 0.0
    series: dict[str, SeriesCost] = field(default_factory=dict)
    prices: dict[str, FocusCost] = field(default_factory=dict)


@dataclass
class Totals:
    """Sums over a run of days (a week, the window): the leading indicators."""

    first: date
    last: date  # inclusive
    days: int = 0
    workdays: int = 0
    focus_hours: float = 0.0
    focus_target_hours: float = 0.0
    focus_blocks: int = 0
    workdays_without_block: int = 0
    booked_focus_hours: float = 0.0
    available_focus_hours: float = 0.0
    booked_in_fragments_hours: float = 0.0
    days_with_data: int = 0
    fragmented_hours: float = 0.0
    fragments: int = 0
    meetings: int = 0
    meeting_hours: float = 0.0
    with_pre_read: int = 0
    with_decision: int = 0
    sent_ahead: int = 0
    sent_late: int = 0
    sent_unknown: int = 0
    status_meetings: int = 0
    status_hours: float = 0.0
    after_hours_meetings: int = 0
    after_hours_hours: float = 0.0

    @property
    def has_data(self) -> bool:
        """Whether any of these days comes after the calendar's first event."""
        return self.days_with_data > 0

    @property
    def pre_read_share(self) -> float | None:
        return _share(self.with_pre_read, self.meetings)

    @property
    def decision_share(self) -> float | None:
        return _share(self.with_decision, self.meetings)

    @property
    def sent_ahead_share(self) -> float | None:
        """Of the meetings whose creation time is known."""
        return _share(self.sent_ahead, self.sent_ahead + self.sent_late)

    @property
    def fragmented_share(self) -> float | None:
        """Of the free working time, how much is in pieces too short for focus."""
        return _share(self.fragmented_hours, self.fragmented_hours + self.focus_hours)


def _share(part: float, whole: float) -> float | None:
    return part / whole if whole else None


# ---------------------------------------------------------------------------
# one pass: file events under days


def _is_status(event: Event, ctx: AuditContext, params: MetricParams) -> bool:
    """Whether one of the pack's status rules flags this meeting: its filters, then its check."""
    return any(flags(rule, event, ctx) is not None for rule in params.status_rules)


def _hours(spans: list[intervals.Interval]) -> float:
    return intervals.total(spans).total_seconds() / HOUR


def data_start(ctx: AuditContext) -> date | None:
    """The Monday of the earliest event's week: the calendar has no data before it (None: no events)."""
    first = min((e.start for e in ctx.events), default=None)
    return week_start(first.astimezone(ctx.tz).date()) if first is not None else None


def day_metrics(
    ctx: AuditContext, params: MetricParams, days: list[date] | None = None, data_from: date | None = date.min
) -> list[DayMetrics]:
    """Measure each day of `days` (default: the context's window) once.

    Days before `data_from` (the calendar's first event; None: a calendar
    without any) are marked as having no data and left unmeasured.
    """
    days = ctx.window.days() if days is None else days
    availability = ctx.availability  # the audit's and the planner's rule for busy and off
    min_length = timedelta(minutes=params.min_minutes)
    lead = timedelta(hours=params.lead_hours)
    out: list[DayMetrics] = []
    for day in days:
        m = DayMetrics(day)
        if data_from is None or day < data_from:
            m.has_data = False
            out.append(m)
            continue
        m.day_off = availability.is_day_off(day)
        work = availability.work(day)
        m.workday = bool(work)
        if work:
            m.working_hours = _hours(work)
            booked = availability.booked_within(day)
            for start, end in availability.free(day):
                length = (end - start).total_seconds() / HOUR
                held = _hours(intervals.intersect([(start, end)], booked))
                if end - start >= min_length:
                    m.focus_hours += length
                    m.focus_blocks += 1
                    m.available_focus_hours += length - held
                else:
                    m.fragmented_hours += length
                    m.fragments += 1
                    m.booked_in_fragments_hours += held
            m.booked_focus_hours = _hours(booked)
        todays = ctx.meetings_by_day.get(day, [])  # the audit's own grouping
        m.meetings = len(todays)
        m.meeting_hours = _hours([(e.start, e.end) for e in todays])
        status_spans, after_spans = [], []
        for event in todays:
            if event.doc_links:
                m.with_pre_read += 1
            if seeks_decision(event.description) or seeks_decision(event.title):
                m.with_decision += 1
            if event.created is None or event.created >= event.start:  # as D002: no usable send time
                m.sent_unknown += 1
            elif event.start - event.created >= lead:
                m.sent_ahead += 1
            else:
                m.sent_late += 1
            if _is_status(event, ctx, params):
                m.status_meetings += 1
                status_spans.append((event.start, event.end))
            if not ctx.hours.contains(event.start, event.end):
                m.after_hours_meetings += 1
                after_spans.append((event.start, event.end))
            price = availability.price(event, params.min_minutes)
            if price.cost > timedelta(0):
                focus = m.prices.setdefault(event.uid, FocusCost(event.uid))
                focus.titles[event.title] += 1
                focus.instances += 1
                focus.hours += price.hours
                focus.meeting_hours += event.duration.total_seconds() / HOUR
            if event.recurring:
                cost = m.series.setdefault(event.uid, SeriesCost(event.uid))
                hours = event.duration.total_seconds() / HOUR
                people = len(event.people)
                cost.titles[event.title] += 1
                cost.instances += 1
                cost.hours += hours
                cost.person_hours += hours * people
                cost.max_people = max(cost.max_people, people)
        m.status_hours = _hours(status_spans)
        m.after_hours_hours = _hours(after_spans)
        out.append(m)
    return out


# ---------------------------------------------------------------------------
# sums of days

_SUMMED = (
    "focus_hours",
    "focus_blocks",
    "booked_focus_hours",
    "available_focus_hours",
    "booked_in_fragments_hours",
    "fragmented_hours",
    "fragments",
    "meetings",
    "meeting_hours",
    "with_pre_read",
    "with_decision",
    "sent_ahead",
    "sent_late",
    "sent_unknown",
    "status_meetings",
    "status_hours",
    "after_hours_meetings",
    "after_hours_hours",
)


def aggregate(
    days: list[DayMetrics], params: MetricParams, first: date | None = None, last: date | None = None
) -> Totals:
    """Sum a run of days; the weekly focus target is prorated to the days covered."""
    first = first or (days[0].day if days else date.min)
    last = last or (days[-1].day if days else first)
    totals = Totals(first, last)
    totals.days = len(days)
    for m in days:
        for name in _SUMMED:
            setattr(totals, name, getattr(totals, name) + getattr(m, name))
        if m.has_data:
            totals.days_with_data += 1
        if m.workday:
            totals.workdays += 1
            if m.focus_blocks == 0:
                totals.workdays_without_block += 1
    totals.focus_target_hours = params.weekly_target_hours * totals.days / 7
    return totals


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def by_week(days: list[DayMetrics], params: MetricParams) -> list[Totals]:
    """Monday-to-Sunday weeks; a week cut by the window's edge is summed over its days."""
    weeks: dict[date, list[DayMetrics]] = {}
    for m in days:
        weeks.setdefault(week_start(m.day), []).append(m)
    return [aggregate(chunk, params) for _, chunk in sorted(weeks.items())]


def top_series(days: list[DayMetrics], limit: int = 5) -> list[SeriesCost]:
    """Recurring meetings ranked by people x hours over the days."""
    merged: dict[str, SeriesCost] = {}
    for m in days:
        for uid, cost in m.series.items():
            merged.setdefault(uid, SeriesCost(uid)).add(cost)
    ranked = sorted(merged.values(), key=lambda c: (-c.person_hours, -c.hours, c.title, c.uid))
    return ranked[:limit]


def top_prices(days: list[DayMetrics], limit: int = 5) -> list[FocusCost]:
    """Meetings ranked by the focus time they cost me over the days (then by their own length)."""
    merged: dict[str, FocusCost] = {}
    for m in days:
        for uid, cost in m.prices.items():
            merged.setdefault(uid, FocusCost(uid)).add(cost)
    ranked = sorted(merged.values(), key=lambda c: (-round(c.hours, 4), c.meeting_hours, c.title, c.uid))
    return ranked[:limit]


def trend_weeks(last_day: date, weeks: int) -> list[tuple[date, date]]:
    """The `weeks` Monday-Sunday weeks ending with the one that holds `last_day`."""
    monday = week_start(last_day)
    return [
        (monday - timedelta(weeks=weeks - 1 - i), monday - timedelta(weeks=weeks - 1 - i) + timedelta(days=6))
        for i in range(max(weeks, 0))
    ]


def trend(days: list[DayMetrics], params: MetricParams, spans: list[tuple[date, date]]) -> list[Totals]:
    """Per-week totals for each (monday, sunday) span, from already measured days."""
    index = {m.day: m for m in days}
    out = []
    for first, last in spans:
        chunk = [
            index[first + timedelta(days=i)]
            for i in range((last - first).days + 1)
            if first + timedelta(days=i) in index
        ]
        out.append(aggregate(chunk, params, first, last))
    return out

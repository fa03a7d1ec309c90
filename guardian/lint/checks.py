"""The built-in checks that rules in a pack are built from.

A rule in a TOML pack names one of these checks and sets its parameters;
no code from a pack is ever evaluated. Every check is a pure function of the
normalized events and the audit context, so it can be tested with a
hand-written calendar and no I/O.

Three scopes exist: `event` checks look at one meeting; `day` checks at the
meetings of one day; `window` checks at the whole audited span.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from functools import cached_property
from typing import Any

from guardian.core import intervals
from guardian.core.agenda import has_agenda, seeks_decision
from guardian.core.model import Event, EventKind, Status, Window
from guardian.core.workhours import WorkingHours
from guardian.domain.focus import days_off, is_busy_for_focus

# ---------------------------------------------------------------------------
# the context every check receives


@dataclass(frozen=True)
class Exemptions:
    """Meetings that deserve to be meetings (the valid ones), by title keywords."""

    keywords: dict[str, tuple[str, ...]] = field(default_factory=dict)
    one_on_one_by_count: bool = True
    external_only: tuple[str, ...] = ("negotiation",)  # categories that need an outside attendee

    @cached_property
    def _patterns(self) -> dict[str, re.Pattern]:
        return {
            category: re.compile(
                r"(?<![\w])(" + "|".join(re.escape(w) for w in words) + r")(?![\w])", re.IGNORECASE
            )
            for category, words in self.keywords.items()
            if words
        }

    def category(self, event: Event) -> str | None:
        """Why this meeting is exempt, or None."""
        if self.one_on_one_by_count and "one-on-one" in self.keywords and len(event.people) == 2:
            return "one-on-one"
        for category, pattern in self._patterns.items():
            if category in self.external_only and not event.external:
                continue
            if pattern.search(event.title):
                return category
        return None


@dataclass
class AuditContext:
    window: Window
    tz: tzinfo
    hours: WorkingHours
    now: datetime
    events: list[Event]
    exemptions: Exemptions = field(default_factory=Exemptions)
    me: str | None = None

    @cached_property
    def meetings(self) -> list[Event]:
        return [e for e in self.events if is_meeting(e)]

    @cached_property
    def meetings_by_day(self) -> dict[date, list[Event]]:
        by_day: dict[date, list[Event]] = {}
        for event in self.meetings:
            by_day.setdefault(event.start.astimezone(self.tz).date(), []).append(event)
        for day in by_day.values():
            day.sort(key=lambda e: (e.start, e.end))
        return by_day

    @cached_property
    def days_off(self) -> set[date]:
        """Days with an out-of-office or a busy all-day event (the planner's rule)."""
        return days_off(self.events, self.tz)

    @cached_property
    def busy_intervals(self) -> list[intervals.Interval]:
        """Time taken by anything that is not focus work (merged; the planner's rule).

        guardian's own blocks are focus work whatever their kind: where a
        provider refused native focus time they are plain busy events.
        """
        return intervals.merge((e.start, e.end) for e in self.events if is_busy_for_focus(e))

    def workdays(self) -> list[date]:
        return [d for d in self.window.days() if self.hours.is_workday(d) and d not in self.days_off]

    def focus_slots(self, day: date, min_minutes: float) -> list[intervals.Interval]:
        """Free pieces of the day's working hours at least `min_minutes` long."""
        if day in self.days_off:
            return []
        key = (day, min_minutes)
        cached = self._slot_cache.get(key)
        if cached is None:
            work = self.hours.intervals(day)
            busy = intervals.overlapping(self.busy_intervals, work[0][0], work[-1][1]) if work else []
            cached = intervals.free_slots(work, busy, timedelta(minutes=min_minutes))
            self._slot_cache[key] = cached
        return cached

    @cached_property
    def _slot_cache(self) -> dict:
        return {}

    def focus_hours(self, min_minutes: float = 120) -> float:
        return sum(
            (e - s).total_seconds() / 3600
            for day in self.workdays()
            for s, e in self.focus_slots(day, min_minutes)
        )

    def local(self, when: datetime) -> datetime:
        return when.astimezone(self.tz)


def is_meeting(event: Event) -> bool:
    """Timed, not declined or cancelled, busy, not guardian's, with someone else in it."""
    if event.all_day or event.cancelled or not event.busy or event.own_block:
        return False
    if event.my_status is Status.DECLINED or event.kind is not EventKind.DEFAULT:
        return False
    return len(event.people) >= 2


# ---------------------------------------------------------------------------
# the registry


@dataclass(frozen=True)
class Check:
    name: str
    scope: str  # "event" | "day" | "window"
    fn: Callable[..., Any]
    params: dict[str, Any]  # defaults; their types are the allowed types
    summary: str


REGISTRY: dict[str, Check] = {}


def check(name: str, scope: str, summary: str, **params: Any):
    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        REGISTRY[name] = Check(name, scope, fn, params, summary)
        return fn

    return register


def _hm(when: datetime, tz: tzinfo) -> str:
    return when.astimezone(tz).strftime("%H:%M")


def _span(start: datetime, end: datetime, tz: tzinfo, sep: str = "-") -> str:
    """'19:00-20:00'; with the days when the span runs past midnight."""
    first, last = start.astimezone(tz), end.astimezone(tz)
    if first.date() == last.date():
        return f"{first:%H:%M}{sep}{last:%H:%M}"
    if last.time() == datetime.min.time() and last.date() == first.date() + timedelta(days=1):
        return f"{first:%H:%M}{sep}24:00"
    return f"{first:%a %d %b %H:%M}{sep}{last:%a %d %b %H:%M}"


def _hours(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") + " h"


# ---------------------------------------------------------------------------
# event checks: fn(event, ctx, params) -> message | None


@check("missing-doc", "event", "no link to a document (conference links are not documents)")
def missing_doc(event: Event, ctx: AuditContext, p: dict) -> str | None:
    if event.doc_links:
        return None
    conference = [link.label for link in event.links if link.kind == "conference"]
    if conference:
        return f"no pre-read linked (only a {conference[0]} link, which is not a document)"
    return "no pre-read linked: the invite links no document"


@check("late-invite", "event", "invite created less than `lead_hours` before the start", lead_hours=24.0)
def late_invite(event: Event, ctx: AuditContext, p: dict) -> str | None:
    if event.created is None or event.created >= event.start:
        return None
    lead = (event.start - event.created).total_seconds() / 3600
    if lead >= p["lead_hours"]:
        return None
    return f"invite sent {_hours(lead)} before the start (less than {_hours(p['lead_hours'])})"


@check("missing-agenda", "event", "description has no agenda (fewer than `min_words` words)", min_words=3)
def missing_agenda(event: Event, ctx: AuditContext, p: dict) -> str | None:
    if has_agenda(event.description, p["min_words"]):
        return None
    return "no agenda: the description does not say what the meeting is for"


@check("no-decision", "event", "agenda without a decision or question to resolve", min_words=3)
def no_decision(event: Event, ctx: AuditContext, p: dict) -> str | None:
    if not has_agenda(event.description, p["min_words"]):
        return None  # A001's business
    if seeks_decision(event.description) or seeks_decision(event.title):
        return None
    return "the agenda names topics but no decision to make or question to resolve"


@check(
    "title-keywords", "event", "title contains one of `keywords`", keywords=[""], unless_doc=False, kind=""
)
def title_keywords(event: Event, ctx: AuditContext, p: dict) -> str | None:
    words = [w for w in p["keywords"] if w]
    if not words:
        return None
    pattern = _keyword_pattern(tuple(words))
    match = pattern.search(event.title)
    if not match:
        return None
    if p["unless_doc"] and event.doc_links:
        return None
    what = p["kind"] or "meeting"
    return f'looks like a {what} meeting ("{match.group(0)}")'


_PATTERNS: dict[tuple[str, ...], re.Pattern] = {}


def _keyword_pattern(words: tuple[str, ...]) -> re.Pattern:
    if words not in _PATTERNS:
        _PATTERNS[words] = re.compile(
            r"(?<![\w])(" + "|".join(re.escape(w) for w in words) + r")(?![\w])", re.IGNORECASE
        )
    return _PATTERNS[words]


@check("after-hours", "event", "meeting outside my working hours")
def after_hours(event: Event, ctx: AuditContext, p: dict) -> str | None:
    if ctx.hours.contains(event.start, event.end):
        return None
    day = ctx.local(event.start).date()
    ranges = ctx.hours.intervals(day)
    when = _span(event.start, event.end, ctx.tz)
    if not ranges:
        return f"{when} on a {day.strftime('%A')}, which is not a working day"
    spans = ", ".join(_span(s, e, ctx.tz) for s, e in ranges)
    return f"{when} is outside your working hours ({spans})"


@check("endless-recurrence", "event", "recurring meeting with no end date")
def endless_recurrence(event: Event, ctx: AuditContext, p: dict) -> str | None:
    if event.recurring and event.series_end is None:
        return "recurring with no end date: it will outlive its purpose"
    return None


@check("large-meeting", "event", "more than `max_attendees` people", max_attendees=8)
def large_meeting(event: Event, ctx: AuditContext, p: dict) -> str | None:
    count = len(event.people)
    if count > p["max_attendees"]:
        return f"{count} people invited (more than {p['max_attendees']})"
    return None


# ---------------------------------------------------------------------------
# day checks: fn(day, meetings, ctx, params) -> [(message, event | None)]


@check(
    "back-to-back",
    "day",
    "more than `max_hours` of meetings without a `min_break_minutes` break",
    max_hours=2.0,
    min_break_minutes=10,
)
def back_to_back(day: date, meetings: list[Event], ctx: AuditContext, p: dict) -> list:
    limit = timedelta(hours=p["max_hours"])
    gap = timedelta(minutes=p["min_break_minutes"])
    found = []
    chain_start: datetime | None = None
    chain_end: datetime | None = None
    chain: list[Event] = []

    def elapsed(start: datetime, end: datetime) -> timedelta:
        return timedelta(seconds=end.timestamp() - start.timestamp())  # not wall clock

    def close() -> None:
        if chain and elapsed(chain_start, chain_end) > limit:
            # report on the meeting that pushed the run over the limit
            culprit = next(e for e in chain if elapsed(chain_start, e.end) > limit)
            span = elapsed(chain_start, chain_end).total_seconds() / 3600
            found.append(
                (
                    f"meetings from {_span(chain_start, chain_end, ctx.tz, ' to ')} "
                    f"without a {p['min_break_minutes']} min break ({_hours(span)}, more than "
                    f"{_hours(p['max_hours'])})",
                    culprit,
                )
            )

    for event in meetings:
        if chain_end is not None and event.start - chain_end < gap:
            chain.append(event)
            chain_end = max(chain_end, event.end)
            continue
        close()
        chain, chain_start, chain_end = [event], event.start, event.end
    close()
    return found


@check("double-booked", "window", "two accepted meetings overlap")
def double_booked(ctx: AuditContext, p: dict) -> list:
    """A sweep over the window, so overlaps across midnight are seen too."""
    committed = sorted(
        (e for e in ctx.meetings if e.my_status in (Status.ACCEPTED, Status.ORGANIZER)),
        key=lambda e: (e.start, e.end),
    )
    found = []
    running: list[Event] = []  # meetings that have not ended yet, in start order
    for later in committed:
        running = [e for e in running if e.end > later.start]
        earlier = next((e for e in running if e.uid != later.uid), None)
        if earlier is not None:
            found.append(
                (
                    f'overlaps "{earlier.title}" ({_span(earlier.start, earlier.end, ctx.tz)}); you accepted both',
                    later,
                    ctx.local(later.start).date(),
                )
            )
        running.append(later)
    return found


@check("no-focus-block", "day", "a workday without one free `min_minutes` block", min_minutes=120)
def no_focus_block(day: date, meetings: list[Event], ctx: AuditContext, p: dict) -> list:
    if not ctx.hours.is_workday(day) or day in ctx.days_off:
        return []
    if ctx.focus_slots(day, p["min_minutes"]):
        return []
    longest = max(((e - s) for s, e in ctx.focus_slots(day, 0)), default=timedelta(0)).total_seconds() / 60
    return [
        (
            f"no free {p['min_minutes']} min block in your working hours "
            f"(longest free stretch: {int(longest)} min)",
            None,
        )
    ]


# ---------------------------------------------------------------------------
# window checks: fn(ctx, params) -> [(message, event | None, day | None)]


@check(
    "focus-below-target",
    "window",
    "focus hours in `min_minutes`+ blocks below `target_hours` a week",
    target_hours=10.0,
    min_minutes=120,
)
def focus_below_target(ctx: AuditContext, p: dict) -> list:
    workdays = ctx.workdays()
    if not workdays:
        return []
    # the target is weekly; a window of another length gets its share of it
    target = p["target_hours"] * len(ctx.window.days()) / 7
    have = ctx.focus_hours(p["min_minutes"])
    if have >= target:
        return []
    block = f"{p['min_minutes'] / 60:g}h"
    return [
        (
            f"{_hours(have)} of focus time in {block}+ blocks in this window; target {_hours(target)}",
            None,
            None,
        )
    ]

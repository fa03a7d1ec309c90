"""Event checks: each looks at one meeting (or one series) and returns a message, or None.

Besides the invite's own content (documents, agenda, decision, keywords,
size, recurrence) they check the meeting's time: against my working hours,
against the team's norms (`AuditContext.norms`: no-meeting days, meeting
hours) and against my focus time (its focus price, by the one availability
rule of `guardian.core.availability`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from guardian.core.agenda import has_agenda, seeks_decision
from guardian.core.availability import FocusPrice, local_days
from guardian.core.model import Event, LinkKind
from guardian.core.workhours import WEEKDAYS
from guardian.lint.checks.wording import exact_hours, hours, span
from guardian.lint.context import AuditContext
from guardian.lint.registry import NoParams, event_check, series_check


@event_check("missing-doc", "no link to a document (conference links are not documents)")
def missing_doc(event: Event, ctx: AuditContext, p: NoParams) -> str | None:
    if event.doc_links:
        return None
    conference = [link.label for link in event.links if link.kind is LinkKind.CONFERENCE]
    if conference:
        return f"no pre-read linked (only a {conference[0]} link, which is not a document)"
    return "no pre-read linked: the invite links no document"


@dataclass(frozen=True)
class LateInvite:
    lead_hours: float = 24.0


@event_check("late-invite", "invite created less than `lead_hours` before the start", LateInvite)
def late_invite(event: Event, ctx: AuditContext, p: LateInvite) -> str | None:
    if event.created is None or event.created >= event.start:
        return None
    lead = (event.start - event.created).total_seconds() / 3600
    if lead >= p.lead_hours:
        return None
    return f"invite sent {hours(lead)} before the start (less than {hours(p.lead_hours)})"


@dataclass(frozen=True)
class AgendaWords:
    min_words: int = 3


@event_check("missing-agenda", "description has no agenda (fewer than `min_words` words)", AgendaWords)
def missing_agenda(event: Event, ctx: AuditContext, p: AgendaWords) -> str | None:
    if has_agenda(event.description, p.min_words):
        return None
    return "no agenda: the description does not say what the meeting is for"


@event_check("no-decision", "agenda without a decision or question to resolve", AgendaWords)
def no_decision(event: Event, ctx: AuditContext, p: AgendaWords) -> str | None:
    if not has_agenda(event.description, p.min_words):
        return None  # missing-agenda's business
    if seeks_decision(event.description) or seeks_decision(event.title):
        return None
    return "the agenda names topics but no decision to make or question to resolve"


@dataclass(frozen=True)
class TitleKeywords:
    keywords: tuple[str, ...] = ()
    unless_doc: bool = False  # a linked document answers it
    kind: str = ""  # what such a meeting is called in the message ("status", "brainstorm")


@event_check("title-keywords", "title contains one of `keywords`", TitleKeywords)
def title_keywords(event: Event, ctx: AuditContext, p: TitleKeywords) -> str | None:
    words = tuple(w for w in p.keywords if w)
    if not words:
        return None
    match = _keyword_pattern(words).search(event.title)
    if not match:
        return None
    if p.unless_doc and event.doc_links:
        return None
    return f'looks like a {p.kind or "meeting"} meeting ("{match.group(0)}")'


@lru_cache(maxsize=64)
def _keyword_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w])(" + "|".join(re.escape(w) for w in words) + r")(?![\w])", re.IGNORECASE)


@event_check("after-hours", "meeting outside my working hours")
def after_hours(event: Event, ctx: AuditContext, p: NoParams) -> str | None:
    if ctx.hours.contains(event.start, event.end):
        return None
    day = ctx.local(event.start).date()
    ranges = ctx.hours.intervals(day)
    when = span(event.start, event.end, ctx.tz)
    if not ranges:
        return f"{when} on a {day.strftime('%A')}, which is not a working day"
    spans = ", ".join(span(s, e, ctx.tz) for s, e in ranges)
    return f"{when} is outside your working hours ({spans})"


@series_check("endless-recurrence", "recurring meeting with no end date (once per series)")
def endless_recurrence(occurrences: list[Event], ctx: AuditContext, p: NoParams) -> str | None:
    if all(e.recurring and e.series_end is None for e in occurrences):
        return "recurring with no end date: it will outlive its purpose"
    return None


@dataclass(frozen=True)
class LargeMeeting:
    max_attendees: int = 8


@event_check("large-meeting", "more than `max_attendees` people", LargeMeeting)
def large_meeting(event: Event, ctx: AuditContext, p: LargeMeeting) -> str | None:
    count = len(event.people)
    if count > p.max_attendees:
        return f"{count} people invited (more than {p.max_attendees})"
    return None


@dataclass(frozen=True)
class FocusBreaker:
    #: the shortest free piece that counts as focus; unset: my `[focus] min_minutes`
    min_minutes: int | None = None


@event_check(
    "focus-breaker",
    "meeting that costs more focus than its own length (leaves a free piece under `min_minutes`)",
    FocusBreaker,
)
def focus_breaker(event: Event, ctx: AuditContext, p: FocusBreaker) -> str | None:
    least = ctx.focus.min_minutes if p.min_minutes is None else p.min_minutes
    price = ctx.availability.price(event, least)
    if not price.breaks:
        return None
    return price_message(event, price, ctx)


def price_message(event: Event, price: FocusPrice, ctx: AuditContext) -> str:
    """'this 30 min meeting turns 09:00-13:00 into 1.5 h + 2 h: costs you 2 h of focus'."""
    before = " and ".join(span(s, e, ctx.tz) for s, e in price.before)
    left = [(e - s).total_seconds() / 3600 for s, e in price.after]
    into = " + ".join(exact_hours(h) for h in left) if left else "nothing"
    return (
        f"this {round(event.minutes):g} min meeting turns {before} into {into}: "
        f"costs you {exact_hours(price.hours)} of focus"
    )


@event_check("no-meeting-day", "meeting on one of the team's `[norms] no_meeting_days`")
def no_meeting_day(event: Event, ctx: AuditContext, p: NoParams) -> str | None:
    days = set(ctx.norms.no_meeting_days)
    if not days:
        return None
    hit = sorted({day.weekday() for day in local_days(event.start, event.end, ctx.tz)} & days)
    if not hit:
        return None
    return f"on a {WEEKDAYS[hit[0]].capitalize()}, the team's no-meeting day"


@event_check("outside-meeting-hours", "meeting outside the team's `[norms] meeting_hours`")
def outside_meeting_hours(event: Event, ctx: AuditContext, p: NoParams) -> str | None:
    meeting_hours = ctx.norms.meeting_hours
    if meeting_hours is None or meeting_hours.contains(event.start, event.end):
        return None
    ranges = meeting_hours.intervals(ctx.local(event.start).date())
    allowed = ", ".join(span(s, e, ctx.tz) for s, e in ranges) or "none"
    return f"at {span(event.start, event.end, ctx.tz)}, outside the team's meeting hours ({allowed})"

"""What every check receives: the window, my hours, my events, who I am and the team's norms.

The context is built once per audit. Focus questions (days off, busy time,
free windows) are answered by `guardian.core.availability`, the same object
the planner and the report use, so F001, F002 and the summary can never
disagree with `guardian focus plan` or `guardian report`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from functools import cached_property

from guardian.core.availability import Availability, FocusPolicy
from guardian.core.model import Event, EventKind, Status, Window
from guardian.core.workhours import WorkingHours


@dataclass(frozen=True)
class Exemptions:
    """Meetings that deserve to be meetings (the valid ones), by title keywords."""

    keywords: dict[str, tuple[str, ...]] = field(default_factory=dict)
    one_on_one_by_count: bool = True
    external_only: tuple[str, ...] = ("negotiation",)  # categories that need an outside attendee

    @cached_property
    def _patterns(self) -> dict[str, re.Pattern[str]]:
        return {
            category: re.compile(
                r"(?<![\w])(" + "|".join(re.escape(w) for w in words) + r")(?![\w])", re.IGNORECASE
            )
            for category, words in self.keywords.items()
            if words
        }

    _known: dict[tuple[str, bool, int], str | None] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def category(self, event: Event) -> str | None:
        """Why this meeting is exempt, or None.

        Every rule asks it of every meeting, and the answer depends only on
        the title, whether it is external and how many people are in it:
        the occurrences of a series share all three, so it is worked out
        once per series.
        """
        what = (event.title, event.external, len(event.people))
        if what not in self._known:
            self._known[what] = self._category(event)
        return self._known[what]

    def _category(self, event: Event) -> str | None:
        if self.one_on_one_by_count and "one-on-one" in self.keywords and len(event.people) == 2:
            return "one-on-one"
        for category, pattern in self._patterns.items():
            if category in self.external_only and not event.external:
                continue
            if pattern.search(event.title):
                return category
        return None


@dataclass(frozen=True)
class Norms:
    """The team's agreements about when meetings happen (`[norms]` in the config).

    Checks receive them here, never from the config: `no_meeting_days` are
    weekday numbers (Monday 0), `meeting_hours` the hours meetings belong in
    (the same ranges every day, in my zone); unset, the rules that read them
    find nothing.
    """

    no_meeting_days: tuple[int, ...] = ()
    meeting_hours: WorkingHours | None = None


def is_meeting(event: Event) -> bool:
    """Timed, not declined or cancelled, busy, not guardian's, with someone else in it."""
    if event.all_day or event.cancelled or not event.busy or event.own_block:
        return False
    if event.my_status is Status.DECLINED or event.kind is not EventKind.DEFAULT:
        return False
    return len(event.people) >= 2


@dataclass
class AuditContext:
    window: Window
    tz: tzinfo
    hours: WorkingHours
    now: datetime
    events: list[Event]
    exemptions: Exemptions = field(default_factory=Exemptions)
    me: str | None = None
    focus: FocusPolicy = field(default_factory=FocusPolicy)
    norms: Norms = field(default_factory=Norms)

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
    def availability(self) -> Availability:
        return Availability(self.events, self.hours)

    @property
    def days_off(self) -> set[date]:
        return self.availability.off

    def workdays(self) -> list[date]:
        """The window's days that have working hours and are not days off."""
        return [d for d in self.window.days() if self.availability.is_workday(d)]

    def focus_hours(self, min_minutes: float | None = None) -> float:
        """Focus time in the window, in pieces of `min_minutes` (default: my minimum block)."""
        least = self.focus.min_minutes if min_minutes is None else min_minutes
        return self.availability.focus_hours(self.workdays(), least)

    def local(self, when: datetime) -> datetime:
        return when.astimezone(self.tz)

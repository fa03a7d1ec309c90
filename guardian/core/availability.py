"""Availability: the one rule for what my calendar says about my time.

Three questions decide every focus figure guardian shows, and each has one
answer here, used by the audit (F001, F002 and its summary), the focus
planner and the report:

- what makes me busy: an event I have not declined, not cancelled, marked
  busy, timed (all-day events decide days off instead), and not focus work
  (not one of guardian's blocks, not my own focus event). A timed
  out-of-office shorter than a day off is busy time like a meeting;
- what is a day off: a day covered by an all-day busy event or by an
  out-of-office of `AWAY_FOR_THE_DAY` or more; it has no working time;
- what is focus already booked: my own focus events (Google focusTime, an
  Outlook focus category) and guardian's blocks, timed and not declined or
  cancelled. They are not busy: time in them is focus time.

Focus time is then free working time (working hours minus busy) in pieces
of at least the minimum block. `Availability` answers those questions for
a calendar once, with each day's answer computed once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta, tzinfo

from guardian.core import intervals
from guardian.core.intervals import Interval
from guardian.core.model import Event, EventKind, Status
from guardian.core.workhours import WorkingHours

AWAY_FOR_THE_DAY = timedelta(hours=6)
PREFERENCES = ("long", "early", "late")


@dataclass(frozen=True)
class FocusPolicy:
    """My focus settings: the minimum block that counts as focus, and how the planner books.

    `min_minutes` and `weekly_target_hours` are the one answer to "how long is
    a focus block?" and "how much a week?" for the audit, planner and report.
    """

    min_minutes: int = 120
    daily_cap_hours: float = 4.0
    weekly_target_hours: float = 10.0
    buffer_minutes: int = 0
    prefer: str = "long"  # among a day's windows: "long" (then early), "early", or "late"

    @property
    def min_length(self) -> timedelta:
        return timedelta(minutes=self.min_minutes)

    @property
    def daily_cap(self) -> timedelta:
        return timedelta(hours=self.daily_cap_hours)

    @property
    def weekly_target(self) -> timedelta:
        return timedelta(hours=self.weekly_target_hours)


def is_busy(event: Event) -> bool:
    """Whether this event takes its time away from focus work."""
    return (
        event.makes_me_busy
        and not event.all_day
        and not event.own_block
        and event.kind is not EventKind.FOCUS
    )


def is_booked_focus(event: Event) -> bool:
    """Whether this event is focus time already on the calendar (mine or guardian's)."""
    return (
        (event.own_block or event.kind is EventKind.FOCUS)
        and not event.all_day
        and not event.cancelled
        and event.my_status is not Status.DECLINED
    )


def days_off(events: Iterable[Event], tz: tzinfo) -> set[date]:
    """Days covered by an all-day busy event or an out-of-office of 6 h or more.

    A shorter out-of-office (Google and Outlook mark any length) is busy
    time like a meeting, not a day off.
    """
    off: set[date] = set()
    for event in events:
        if event.cancelled or event.my_status is Status.DECLINED or event.own_block:
            continue
        away = event.kind is EventKind.OUT_OF_OFFICE and (event.all_day or event.duration >= AWAY_FOR_THE_DAY)
        if away or (event.all_day and event.busy):
            day = event.start.astimezone(tz).date()
            last = (event.end - timedelta(microseconds=1)).astimezone(tz).date()
            while day <= last:
                off.add(day)
                day += timedelta(days=1)
    return off


@dataclass
class Availability:
    """My working time, busy time, days off and booked focus, for a set of events.

    Built once per calendar read; every per-day answer is memoised, so asking
    about each day of a year costs a bisect into the merged lists, not a
    scan of the year.
    """

    events: list[Event]
    hours: WorkingHours
    off: set[date] = field(init=False)
    busy: list[Interval] = field(init=False)  # merged, UTC
    booked: list[Interval] = field(init=False)  # merged, UTC
    _free: dict[date, list[Interval]] = field(init=False, default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.off = days_off(self.events, self.hours.tz)
        self.busy = intervals.merge((e.start, e.end) for e in self.events if is_busy(e))
        self.booked = intervals.merge((e.start, e.end) for e in self.events if is_booked_focus(e))

    @property
    def tz(self) -> tzinfo:
        return self.hours.tz

    def is_day_off(self, day: date) -> bool:
        return day in self.off

    def is_workday(self, day: date) -> bool:
        """A day with working hours that is not a day off."""
        return self.hours.is_workday(day) and day not in self.off

    def work(self, day: date) -> list[Interval]:
        """The day's working time; none on a day off."""
        return [] if day in self.off else self.hours.intervals(day)

    def busy_within(self, day: date) -> list[Interval]:
        """Busy time near the day's working hours (a bisect, not a scan)."""
        work = self.hours.intervals(day)
        return intervals.overlapping(self.busy, work[0][0], work[-1][1]) if work else []

    def booked_within(self, day: date) -> list[Interval]:
        """Focus already booked inside the day's working time."""
        work = self.work(day)
        if not work:
            return []
        return intervals.intersect(work, intervals.overlapping(self.booked, work[0][0], work[-1][1]))

    def free(self, day: date) -> list[Interval]:
        """Free working time of the day: working hours minus busy time."""
        cached = self._free.get(day)
        if cached is None:
            cached = intervals.subtract(self.work(day), self.busy_within(day))
            self._free[day] = cached
        return cached

    def focus_slots(self, day: date, min_minutes: float) -> list[Interval]:
        """Free pieces of the day at least `min_minutes` long: its focus time."""
        least = timedelta(minutes=min_minutes)
        return [(s, e) for s, e in self.free(day) if e - s >= least]

    def focus_hours(self, days: Iterable[date], min_minutes: float) -> float:
        return sum(
            (e - s).total_seconds() / 3600 for day in days for s, e in self.focus_slots(day, min_minutes)
        )

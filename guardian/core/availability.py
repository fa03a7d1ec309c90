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

The focus price of a meeting follows from the same rule: the focus time of
its day without the meeting minus the focus time with it (`focus_price`).
A meeting at the edge of a long free stretch costs only its own length; one
in the middle of a 4 h stretch that leaves 1.5 h + 2 h costs 2 h. Other
events stay where they are, so two meetings on top of each other each cost
nothing more (the other still holds the time): the price is what removing
this one meeting would give back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

from guardian.core import intervals
from guardian.core.intervals import Interval
from guardian.core.model import Event, EventKind, Status
from guardian.core.workhours import WorkingHours

AWAY_FOR_THE_DAY = timedelta(hours=6)
PREFERENCES = ("long", "early", "late")
DEFEND_POLICIES = ("always", "at-risk")
#: a meeting "costs more than its length" only by more than this (rounding of minutes)
PRICE_TOLERANCE = timedelta(minutes=1)


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
    #: "always": every block is busy; "at-risk": blocks stay free (held) while the
    #: week's target can be met without them, and turn busy (defended) once it cannot
    defend: str = "always"

    @property
    def min_length(self) -> timedelta:
        return timedelta(minutes=self.min_minutes)

    @property
    def daily_cap(self) -> timedelta:
        return timedelta(hours=self.daily_cap_hours)

    @property
    def weekly_target(self) -> timedelta:
        return timedelta(hours=self.weekly_target_hours)


@dataclass(frozen=True)
class FocusPrice:
    """What one meeting costs in focus time: the day's focus without it minus with it.

    `before` are the free pieces the meeting falls into when it is not there,
    `after` what is left of them with it; `own` is the working time the
    meeting itself takes from them. A meeting *breaks* focus when it costs
    more than its own time: it leaves a piece shorter than the minimum block
    where there was focus time before.
    """

    cost: timedelta = timedelta(0)
    own: timedelta = timedelta(0)
    before: tuple[Interval, ...] = ()
    after: tuple[Interval, ...] = ()

    @property
    def breaks(self) -> bool:
        return self.cost > self.own + PRICE_TOLERANCE

    @property
    def hours(self) -> float:
        return self.cost.total_seconds() / 3600

    def __add__(self, other: FocusPrice) -> FocusPrice:
        return FocusPrice(
            self.cost + other.cost, self.own + other.own, self.before + other.before, self.after + other.after
        )


def focus_of(pieces: Iterable[Interval], min_length: timedelta) -> timedelta:
    """Focus time in `pieces`: the total of those at least `min_length` long."""
    return sum((e - s for s, e in intervals.merge(pieces) if e - s >= min_length), timedelta(0))


def focus_price(free_without: Iterable[Interval], meeting: Interval, min_length: timedelta) -> FocusPrice:
    """The price of `meeting` on a day whose free pieces, without it, are `free_without`."""
    free = intervals.merge(free_without)
    hit = tuple(piece for piece in free if piece[0] < meeting[1] and piece[1] > meeting[0])
    if not hit:
        return FocusPrice()
    left = tuple(intervals.subtract(hit, [meeting]))
    cost = focus_of(hit, min_length) - focus_of(left, min_length)
    own = intervals.total(intervals.intersect(hit, [meeting]))
    return FocusPrice(cost, own, hit, left)


def price_from_busy(
    busy: Iterable[Interval], hours: WorkingHours, start: datetime, end: datetime, min_length: timedelta
) -> FocusPrice:
    """The focus price of a meeting [start, end) to someone known only by their busy times.

    Free/busy cannot tell the meeting from the rest of what keeps a person
    busy, so the meeting's own span is taken out of their busy time first
    (another event at exactly that time is missed: the price is then too
    high, never invented). Their working hours are taken to be `hours`.
    """
    without = intervals.subtract(busy, [(start, end)])
    total = FocusPrice()
    for day in local_days(start, end, hours.tz):
        work = hours.intervals(day)
        if work:
            total = total + focus_price(intervals.subtract(work, without), (start, end), min_length)
    return total


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
    #: busy events by the local days they touch (for the price of one of them)
    _busy_by_day: dict[date, list[Event]] | None = field(init=False, default=None, repr=False)
    #: prices asked for already: F003, the series' price and the team's price ask for the same ones
    _prices: dict[tuple[object, ...], FocusPrice] = field(init=False, default_factory=dict, repr=False)

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

    def price(self, event: Event, min_minutes: float) -> FocusPrice:
        """The focus price of `event` (summed over the local days it touches).

        Nothing for an event that does not make me busy (declined, free,
        cancelled, all-day) or that falls outside working hours.
        """
        if not is_busy(event):
            return FocusPrice()
        # Two events alike in these are the same meeting twice: each one's price leaves out only
        # itself, so the other covers its span and both cost the same.
        key = (event.uid, event.source, event.start, event.end, min_minutes)
        known = self._prices.get(key)
        if known is not None:
            return known
        least = timedelta(minutes=min_minutes)
        total = FocusPrice()
        span = (event.start, event.end)
        for day in local_days(event.start, event.end, self.tz):
            work = self.work(day)
            own = intervals.intersect(work, [span]) if work else []
            if not own:
                continue  # outside working time: it touches no free piece
            # The day's free time without this meeting is its free time with everything, plus the
            # meeting's own working time that nothing else covers; only events overlapping the
            # meeting can cover it. (`e != event` compares every field: the times settle it first.)
            near = [
                (e.start, e.end)
                for e in self._busy_on(day)
                if e.start < event.end
                and e.end > event.start
                and e is not event
                and (e.start != event.start or e.end != event.end or e != event)
            ]
            free_without = self.free(day) + intervals.subtract(own, near)
            total = total + focus_price(free_without, span, least)
        self._prices[key] = total
        return total

    def _busy_on(self, day: date) -> list[Event]:
        if self._busy_by_day is None:
            by_day: dict[date, list[Event]] = {}
            for event in self.events:
                if is_busy(event):
                    for touched in local_days(event.start, event.end, self.tz):
                        by_day.setdefault(touched, []).append(event)
            self._busy_by_day = by_day
        return self._busy_by_day.get(day, [])

    def focus_hours(self, days: Iterable[date], min_minutes: float) -> float:
        return sum(
            (e - s).total_seconds() / 3600 for day in days for s, e in self.focus_slots(day, min_minutes)
        )


def local_days(start: datetime, end: datetime, tz: tzinfo) -> list[date]:
    """The local dates [start, end) touches (a zero-length event: its start's date)."""
    first = start.astimezone(tz).date()
    last = (end - timedelta(microseconds=1)).astimezone(tz).date() if end > start else first
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]

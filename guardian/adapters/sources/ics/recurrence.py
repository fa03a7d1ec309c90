"""Expanding recurrence rules on a budget: no series costs more than a bounded time and memory.

A calendar file is untrusted input, and its recurrence rules are programs:
dateutil (which recurring-ical-events uses) walks a rule from its DTSTART one
period at a time, builds every combination its BYxxx parts name, and stops
only at the first instance after the window, at COUNT or UNTIL, or at the
year 9999. So a 1 KB invite can ask for hours of work and gigabytes:
`FREQ=DAILY;BYHOUR=0,...,23;BYMINUTE=0,...,59;BYSECOND=0,...,59` from 1970
(86,400 instances a day for 57 years), or `FREQ=MINUTELY;COUNT=5;BYMONTH=2;
BYMONTHDAY=30` (a count no February reaches, walked day by day to 9999).

Three guards, none of them a clock (a result must not depend on how busy
the machine is):

- **A cost estimate before the walk**, in *steps*: the periods dateutil
  visits from DTSTART to where the walk ends, each weighed by the days it
  scans and the instances its BYxxx parts build (`steps`). A series over
  `SERIES_STEPS`, or one that would take the calendar over `CALENDAR_STEPS`,
  is not walked: its expansion raises `OverBudget`, and the source skips it
  with a warning naming it. A step is about a microsecond of dateutil's work.
- **A walk that cannot run away**: the walk ends where the estimate says
  (the first instance after the window is at most one `gap` later; COUNT
  and UNTIL end it sooner), and in any case at the start of the second year
  after the window (dateutil's own end of time, `datetime.MAXYEAR`, moved for
  this walk only: `_capped_iter`), so an unreachable COUNT or UNTIL costs
  one year of periods instead of eight thousand. A series whose last
  possible instance (`last_bound`) is before the window, or whose DTSTART is
  after it, is not walked at all: it has no instance there.
- **Instances kept lazily**: dateutil's cache (every instance since DTSTART)
  is off and the walk yields one instance at a time, so the source's cap
  of instances per series in the window stops the walk itself; the calendar
  as a whole keeps at most `CALENDAR_INSTANCES` instances.

`last_bound` and `gap` are also what the window scan uses to decide that a
series cannot reach the window, so the scan and the expansion agree.
"""

from __future__ import annotations

import datetime as _datetime
import functools
import math
import types
from dataclasses import dataclass
from datetime import datetime, timedelta

#: estimated iterator steps one series may cost (about a second, at worst)
SERIES_STEPS = 500_000
#: estimated iterator steps all series of one calendar file may cost together
CALENDAR_STEPS = 2_000_000
#: instances one calendar file may yield for one read
CALENDAR_INSTANCES = 200_000

YEARLY, MONTHLY, WEEKLY, DAILY, HOURLY, MINUTELY, SECONDLY = range(7)  # dateutil's numbering
FREQ_NAMES = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY", "MINUTELY", "SECONDLY")
_DAYSET = {YEARLY: 366, MONTHLY: 31, WEEKLY: 7, DAILY: 1}  # days dateutil scans per period
_PERIOD_DAYS = {YEARLY: 366, MONTHLY: 31, WEEKLY: 7, DAILY: 1}  # the longest period
_AVERAGE_DAYS = {YEARLY: 365.2425, MONTHLY: 30.436875, WEEKLY: 7, DAILY: 1}
_UNIT = {HOURLY: 3600, MINUTELY: 60, SECONDLY: 1}
_FAR = datetime(9999, 12, 31)  # noqa: DTZ001 (wall-clock times are naive by design here)
_MARGIN = timedelta(days=1)
_PART_NAMES = {
    "bymonth": "BYMONTH",
    "byweekno": "BYWEEKNO",
    "byyearday": "BYYEARDAY",
    "bymonthday": "BYMONTHDAY",
    "byweekday": "BYDAY",
    "byeaster": "BYEASTER",
    "byhour": "BYHOUR",
    "byminute": "BYMINUTE",
    "bysecond": "BYSECOND",
    "bysetpos": "BYSETPOS",
}


class OverBudget(Exception):
    """A series (or the calendar) would cost more than its budget; `why` says which."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


@dataclass
class Budget:
    """What one calendar file has spent on recurrences in one read."""

    series_steps: int = SERIES_STEPS
    calendar_steps: int = CALENDAR_STEPS
    calendar_instances: int = CALENDAR_INSTANCES
    steps: int = 0
    instances: int = 0

    def charge(self, steps: int, shape: Shape) -> None:
        """Pay for one walk, or raise OverBudget (nothing is paid then)."""
        if steps > self.series_steps:
            raise OverBudget(
                f"expanding {shape.describe()} would take about {_count(steps)} steps, "
                f"more than the {_count(self.series_steps)} a series may take"
            )
        if self.steps + steps > self.calendar_steps:
            raise OverBudget(
                f"the calendar's recurrence budget ({_count(self.calendar_steps)} steps) is spent"
            )
        self.steps += steps

    def instances_left(self) -> int:
        return max(0, self.calendar_instances - self.instances)


def _count(n: int) -> str:
    return f"{n:,}"


# --- the shape of a rule ------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    """A rule as dateutil will walk it: its frequency and BYxxx parts, defaults filled in.

    Datetimes here are naive wall-clock times: dateutil steps through wall
    time, so differences of wall times are what its walk costs.
    """

    freq: int
    interval: int
    dtstart: datetime
    count: int | None = None
    until: datetime | None = None
    bymonth: tuple[int, ...] = ()
    byweekno: tuple[int, ...] = ()
    byyearday: tuple[int, ...] = ()
    byweekday: tuple[int, ...] = ()  # plain weekdays (MO)
    bynweekday: tuple[tuple[int, int], ...] = ()  # weekdays with an ordinal (1MO, -1FR)
    bymonthday: tuple[int, ...] = ()
    bynmonthday: tuple[int, ...] = ()
    byeaster: tuple[int, ...] = ()
    bysetpos: tuple[int, ...] = ()
    byhour: tuple[int, ...] = ()
    byminute: tuple[int, ...] = ()
    bysecond: tuple[int, ...] = ()
    timeset: int = 1  # instances built per matching day (freq DAILY and longer)
    given: tuple[str, ...] = ()  # the BYxxx parts the rule names (the rest are defaults)

    def describe(self) -> str:
        """`FREQ=DAILY with BYHOUR, BYMINUTE from 1970-01-01`: what a warning names."""
        parts = ", ".join(self.given)
        what = f"FREQ={FREQ_NAMES[self.freq]}" + (f" with {parts}" if parts else "")
        return f"{what} from {self.dtstart:%Y-%m-%d}"


def _naive(value: datetime) -> datetime:
    return value.replace(tzinfo=None)


def wall(value: datetime, tz) -> datetime:
    """`value` as a naive wall-clock time in `tz` (the zone of a rule's DTSTART; None: floating)."""
    if tz is not None and value.tzinfo is not None:
        value = value.astimezone(tz)
    return value.replace(tzinfo=None)


def _tuple(value) -> tuple:
    if not value:
        return ()
    return tuple(sorted(value)) if not isinstance(value, tuple) else value


def shape_of(rule) -> Shape:
    """The Shape of a dateutil `rrule` (its parts after dateutil filled in the defaults)."""
    nweekday = tuple(tuple(x) for x in (rule._bynweekday or ()))
    timeset = rule._timeset
    tz = rule._dtstart.tzinfo
    return Shape(
        freq=int(rule._freq),
        interval=max(1, int(rule._interval)),
        dtstart=_naive(rule._dtstart),
        count=rule._count,
        until=wall(rule._until, tz) if rule._until is not None else None,
        bymonth=_tuple(rule._bymonth),
        byweekno=_tuple(rule._byweekno),
        byyearday=_tuple(rule._byyearday),
        byweekday=_tuple(rule._byweekday),
        bynweekday=nweekday,  # type: ignore[arg-type]
        bymonthday=_tuple(rule._bymonthday),
        bynmonthday=_tuple(rule._bynmonthday),
        byeaster=_tuple(rule._byeaster),
        bysetpos=_tuple(rule._bysetpos),
        byhour=_tuple(rule._byhour),
        byminute=_tuple(rule._byminute),
        bysecond=_tuple(rule._bysecond),
        timeset=max(1, len(timeset)) if timeset else 1,
        given=tuple(
            _PART_NAMES[k] for k in _PART_NAMES if k in (getattr(rule, "_original_rule", None) or {})
        ),
    )


def parse_rule(text: str, dtstart: datetime):
    """A dateutil rrule for an RRULE value (naive DTSTART), or None if dateutil refuses it."""
    from dateutil.rrule import rrule, rrulestr

    try:
        rule = rrulestr(text, dtstart=_naive(dtstart), cache=False, ignoretz=True)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError):
        return None
    return rule if isinstance(rule, rrule) else None


# --- how far apart instances can be, and the last one ----------------------------------------


def _monthdays_dense(shape: Shape) -> bool:
    """Every month has each of these days of the month."""
    return all(1 <= d <= 28 for d in shape.bymonthday) and all(-28 <= d <= -1 for d in shape.bynmonthday)


def gap(shape: Shape) -> timedelta | None:
    """At most this long between two instances (and from DTSTART to the first); None: unknown.

    Known only for the shapes that produce an instance in every period (or,
    for the weekday limits of a daily rule, in every week): a rule that may
    skip periods (BYSETPOS, BYWEEKNO, BYYEARDAY, a 29th-31st, a fifth
    Monday, a month limit on a short frequency) may skip them for years, or
    for ever. Conservative: two periods, since an instance may be early in
    one period and late in the next.
    """
    s = shape
    if s.bysetpos or s.byweekno or s.byyearday or s.byeaster:
        return None
    if s.freq in _PERIOD_DAYS:
        period = timedelta(days=_PERIOD_DAYS[s.freq] * s.interval)
        both = (s.bymonthday or s.bynmonthday) and (s.byweekday or s.bynweekday)
        if both or not _monthdays_dense(s):
            return None
        if s.freq == YEARLY:
            limit = 4 if s.bymonth else 52
            if any(not (1 <= abs(n) <= limit) for _, n in s.bynweekday):
                return None
            return 2 * period
        if s.bymonth:
            return None  # a month limit on a shorter period skips the other months
        if s.freq == MONTHLY:
            if any(not (1 <= abs(n) <= 4) for _, n in s.bynweekday):
                return None
            return 2 * period
        if s.freq == WEEKLY:
            return None if (s.bymonthday or s.bynmonthday or s.bynweekday) else 2 * period
        # DAILY: weekday and month-day parts are limits
        if s.bymonthday or s.bynmonthday or s.bynweekday:
            return None
        if s.byweekday and len(s.byweekday) < 7:
            if math.gcd(s.interval, 7) != 1:
                return None  # every 7th day is always the same weekday
            return timedelta(days=7 * s.interval) + period
        return 2 * period
    # HOURLY, MINUTELY, SECONDLY: date parts are limits; time parts limits or expansions
    if s.bymonth or s.bymonthday or s.bynmonthday or s.bynweekday:
        return None
    step = s.interval * _UNIT[s.freq]
    limited = (
        (s.freq >= HOURLY and s.byhour and len(s.byhour) < 24)
        or (s.freq >= MINUTELY and s.byminute and len(s.byminute) < 60)
        or (s.freq >= SECONDLY and s.bysecond and len(s.bysecond) < 60)
    )
    cycle = step
    if limited:
        cycle = math.lcm(step, 86_400)  # the times visited repeat every day, or every few days
    if s.byweekday and len(s.byweekday) < 7:
        cycle = math.lcm(step, 7 * 86_400)
    return timedelta(seconds=2 * cycle)


def last_bound(shape: Shape) -> datetime | None:
    """No instance of the rule is later than this (naive); None: it may go on for ever."""
    if shape.until is not None:
        return shape.until
    if shape.count is None:
        return None
    spacing = gap(shape)
    if spacing is None:
        return None
    try:
        return shape.dtstart + spacing * (shape.count + 1)
    except OverflowError:
        return None


# --- what a walk costs ----------------------------------------------------------------------


def _matched_days(s: Shape) -> int:
    """At most this many days of one period can match the rule."""
    if s.freq == DAILY or s.freq >= HOURLY:
        return 1
    dayset = _DAYSET[s.freq]
    weekdays = 5 * len(s.byweekday) + len(s.bynweekday)
    monthdays = len(s.bymonthday) + len(s.bynmonthday)
    if s.freq == WEEKLY:
        return min(dayset, len(s.byweekday) or 7)
    if s.freq == MONTHLY:
        bound = monthdays or weekdays or dayset
        return min(dayset, bound)
    months = len(s.bymonth) or 12
    if s.byyearday:
        bound = len(s.byyearday)
    elif monthdays:
        bound = months * monthdays
    elif s.byweekno:
        bound = 7 * len(s.byweekno)
    elif weekdays:
        bound = months * weekdays if s.bymonth else 53 * len(s.byweekday) + len(s.bynweekday)
    else:
        bound = dayset
    return min(dayset, bound)


def steps(shape: Shape, end: datetime) -> int:
    """Estimated iterator steps for dateutil to walk the rule from DTSTART to `end` (naive).

    Per period: 2 for the period itself, one sixteenth per day it scans,
    one per instance its BYxxx parts build, and the BYSETPOS selection.
    For the sub-daily frequencies every point of the rule's lattice (DTSTART
    plus a multiple of INTERVAL) is counted, visited or skipped, at 2 plus
    its instances.
    """
    s = shape
    seconds = max(0.0, (end - s.dtstart).total_seconds())
    if s.freq in _DAYSET:
        periods = math.floor(seconds / 86_400 / (_AVERAGE_DAYS[s.freq] * s.interval)) + 2
        dayset = _DAYSET[s.freq]
        setpos = len(s.bysetpos) * (dayset + len(s.bysetpos))
        per_period = 2 + dayset / 16 + _matched_days(s) * s.timeset + setpos
        return math.ceil(periods * per_period)
    lattice = math.floor(seconds / (s.interval * _UNIT[s.freq])) + 2
    if s.freq == HOURLY:
        built = max(1, len(s.byminute)) * max(1, len(s.bysecond))
    elif s.freq == MINUTELY:
        built = max(1, len(s.bysecond))
    else:
        built = 1
    return lattice * (2 + built)


@dataclass(frozen=True)
class Walk:
    """Where a walk for the span ends (naive), and what it costs."""

    end: datetime
    cap_year: int  # dateutil's end of time for this walk
    steps: int


def plan_walk(shape: Shape, after: datetime, before: datetime, instances: int) -> Walk | None:
    """The walk that finds the rule's instances in [after, before] (naive); None: there are none.

    `instances` is how many instances in the span the caller takes at most:
    the walk stops once it has them. The span is widened by a day on each
    side before anything is decided, so a wall-clock hour repeated at the end
    of summer time never hides an instance.
    """
    s = shape
    after, before = after - _MARGIN, before + _MARGIN
    if s.dtstart > before:
        return None
    bound = last_bound(s)
    if bound is not None and bound < after:
        return None
    last = min(before, s.until) if s.until is not None else before
    cap_year = min(last.year + 1, _datetime.MAXYEAR)
    cap = datetime(cap_year + 1, 1, 1) if cap_year < _datetime.MAXYEAR else _FAR  # noqa: DTZ001
    spacing = gap(s)
    end = cap
    if spacing is not None:
        try:
            end = min(end, before + spacing, max(s.dtstart, after) + spacing * (instances + 1))
            if bound is not None:
                end = min(end, bound + spacing)
        except OverflowError:
            end = cap
    return Walk(end, cap_year, steps(s, end))


# --- dateutil, walked within the plan ------------------------------------------------------------


@functools.cache
def _capped_iter(year: int):
    """dateutil's `rrule._iter`, with its end of time (`datetime.MAXYEAR`) moved to `year`.

    The same code object, run with globals in which `datetime.MAXYEAR` is
    `year`: the walk is dateutil's own, step for step, and ends where it
    would end at year 9999.
    """
    from dateutil import rrule as module

    original = module.rrule._iter
    clock = types.SimpleNamespace(
        **{n: getattr(_datetime, n) for n in dir(_datetime) if not n.startswith("__")}
    )
    clock.MAXYEAR = year
    namespace = dict(module.__dict__)
    namespace["datetime"] = clock
    return types.FunctionType(
        original.__code__, namespace, original.__name__, original.__defaults__, original.__closure__
    )


def capping_works() -> bool:
    """Whether dateutil still ends its walk at `datetime.MAXYEAR` (the cap relies on it)."""
    from dateutil import rrule as module

    names = module.rrule._iter.__code__.co_names
    return "datetime" in names and "MAXYEAR" in names


@functools.cache
def _guarded_class():
    from dateutil.rrule import rrule

    class GuardedRule(rrule):
        """A dateutil rule that plans its walk, pays for it, and walks it lazily."""

        _cap_year = _datetime.MAXYEAR
        _budget: Budget | None = None
        _instances = 5000

        def _iter(self):
            return _capped_iter(self._cap_year)(self)

        def between(self, after, before, inc=False, count=1):
            """dateutil's `between`, lazily (the caller's cap stops the walk), within the budget."""
            shape = shape_of(self)
            tz = self._dtstart.tzinfo
            walk = plan_walk(shape, wall(after, tz), wall(before, tz), self._instances)
            if walk is None:
                return iter(())
            if self._budget is not None:
                self._budget.charge(walk.steps, shape)
            self._cap_year = walk.cap_year if capping_works() else _datetime.MAXYEAR
            return self._between(after, before, inc)

        def _between(self, after, before, inc):
            for moment in self:
                if moment > before or (not inc and moment == before):
                    return
                if moment > after or (inc and moment == after):
                    yield moment

    return GuardedRule


def guard(rule, budget: Budget | None, instances: int):
    """The same rule, expanded within `budget` (dateutil's cache off: nothing kept)."""
    from dateutil.rrule import rrule, rruleset

    if isinstance(rule, rruleset):
        for inner in getattr(rule, "_rrule", []):
            guard(inner, budget, instances)
        return rule
    if isinstance(rule, rrule):
        rule.__class__ = _guarded_class()
        rule._cache = None
        rule._cache_complete = False
        rule._budget = budget
        rule._instances = instances
    return rule


def series_class(budget: Budget, instances: int):
    """A recurring-ical-events Series whose rules are guarded by `budget`.

    recurring-ical-events takes the Series class as a parameter
    (`ComponentsWithName(name, series=...)`); its rules are made by
    `RecurrenceRules.rrulestr`, which is where they are guarded.
    """
    from recurring_ical_events.series import Series

    class GuardedRules(Series.RecurrenceRules):
        def rrulestr(self, rule_string):
            return guard(super().rrulestr(rule_string), budget, instances)

    class GuardedSeries(Series):
        RecurrenceRules = GuardedRules

    return GuardedSeries


def last_instance(text: str, dtstart: datetime, budget: Budget | None) -> datetime | None:
    """The last instance of a COUNT rule (naive), if finding it fits the budget; else None."""
    rule = parse_rule(text, dtstart)
    if rule is None or rule._count is None:
        return None
    shape = shape_of(rule)
    bound = last_bound(shape)
    end = bound if bound is not None else datetime(min(shape.dtstart.year + 2, 9999), 1, 1)  # noqa: DTZ001
    cost = steps(shape, end)
    try:
        if budget is not None:
            budget.charge(cost, shape)
        elif cost > SERIES_STEPS:
            return None
    except OverBudget:
        return None
    cap = min(end.year + 1, _datetime.MAXYEAR)
    last = None
    for moment in _capped_iter(cap if capping_works() else _datetime.MAXYEAR)(rule):
        last = moment
    return last

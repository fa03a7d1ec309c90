"""Plan focus blocks and reconcile them with the blocks guardian already made.

Both functions are pure. `plan` answers "which 2h+ blocks should be on this
calendar?" from the events alone; `reconcile` compares that plan with
guardian's own existing blocks and returns the fewest operations (keep /
move / delete / create, and defend / hold: a change of free/busy) to get
there. It never emits an operation on an event guardian did not create, and
never touches a block that has already started.

The order of the plan follows the seed's indicator (2h+ uninterrupted blocks
every workday): first every workday with a free 2 h window (and no focus
booked yet) gets one block; only then are blocks lengthened or second blocks
added, within the daily cap and the weekly target.

Stable plans. A plan moves a block only when something lands on it, and the
blocks of a day depend only on the calendar and the settings, never on the
window asked for or the day the plan is made (issue 16: `--days 3` gave a
Wednesday 4 h where the 7-day plan gave it 2 h, and the two runs kept moving
each other's blocks). Three rules make it so:

- whole ISO weeks are planned, whatever the window (the weekly target is
  shared by the week's days, so planning part of a week would hand the rest
  of the target to the days that happen to be asked about); the window only
  chooses which of the blocks are returned (`plan_span` is what to read);
- guardian's existing blocks that are still valid (inside working hours, off
  every meeting, at least the minimum block, within the caps) are kept as
  they are: they count like focus already booked, and only what is missing
  is planned around them;
- the week is planned as if from its start: days before `now` are planned
  too, and those of their blocks that would start before `now` (or on top of
  a block that has started) are left out, never created, but still count
  toward the week's target, so the plan of later days does not shift with
  the hour it is made at. (The price: a first run in the middle of a week
  books only what the earlier days would have left.)

Defend when at risk (`FocusPolicy.defend`): with "always" every block is
busy. With "at-risk" each block is held (free: others may book over it, and
the next run finds room elsewhere) as long as the week could still reach its
target even if every held block were taken, and defended (busy) otherwise.
The blocks of a week are held latest first, while that stays true, so the
soonest ones are the first to be defended and no block is defended that
could be held. Every run decides again; a change is a change of free/busy,
not a move.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, tzinfo

from guardian.core import intervals
from guardian.core.availability import Availability, FocusPolicy, is_booked_focus
from guardian.core.intervals import Interval
from guardian.core.model import Block, BlockOp, Event, OpKind, Window
from guardian.core.workhours import WorkingHours

QUANTUM = timedelta(minutes=5)  # blocks start and end on 5-minute marks
SLACK = timedelta(seconds=1)  # rounding of sums of real (DST-aware) lengths
ALWAYS_WHY = 'defended: [focus] defend = "always"'


@dataclass(frozen=True)
class DayPlan:
    """What the planner saw and chose for one day (for the per-day picture)."""

    day: date
    work: tuple[Interval, ...]
    busy: tuple[Interval, ...]
    existing_focus: tuple[Interval, ...]
    blocks: tuple[Block, ...]
    off: bool = False
    #: the day's focus time as the audit and the report count it (free pieces of
    #: at least the minimum block, booked focus included), before this plan
    focus_time: tuple[Interval, ...] = ()


@dataclass(frozen=True)
class WeekOutlook:
    """What the at-risk policy saw in one ISO week (for `focus plan`)."""

    monday: date
    target_hours: float  # the weekly target
    reachable_hours: float  # focus the week can still reach, booked so far plus free 2h+ time ahead
    held: int = 0
    defended: int = 0


@dataclass(frozen=True)
class FocusPlan:
    blocks: tuple[Block, ...]
    days: tuple[DayPlan, ...]
    weeks: tuple[WeekOutlook, ...] = ()

    @property
    def hours(self) -> float:
        return sum(b.minutes for b in self.blocks) / 60


# --- helpers -----------------------------------------------------------------


def _ceil(when: datetime) -> datetime:
    epoch = when.timestamp()
    step = QUANTUM.total_seconds()
    rounded = -(-epoch // step) * step
    return when + timedelta(seconds=rounded - epoch)


def _floor(when: datetime) -> datetime:
    epoch = when.timestamp()
    step = QUANTUM.total_seconds()
    return when - timedelta(seconds=epoch % step)


def _week(day: date) -> tuple[int, int]:
    iso = day.isocalendar()
    return iso[0], iso[1]


def _elapsed(start: datetime, end: datetime) -> timedelta:
    return timedelta(seconds=end.timestamp() - start.timestamp())


def plan_span(window: Window, tz: tzinfo) -> Window:
    """The whole ISO weeks (Monday to Monday, local) that hold `window`: what a plan reads."""
    first = window.start.astimezone(tz).date()
    last = (window.end - timedelta(microseconds=1)).astimezone(tz).date()
    monday = first - timedelta(days=first.weekday())
    after = last + timedelta(days=7 - last.weekday())
    return Window(datetime.combine(monday, time(0), tzinfo=tz), datetime.combine(after, time(0), tzinfo=tz))


def _windows(work: list[Interval], blocked: list[Interval], policy: FocusPolicy) -> list[Interval]:
    """The free pieces of `work` at least the minimum block long, on 5-minute marks."""
    near = intervals.overlapping(blocked, work[0][0], work[-1][1]) if work else []
    out = []
    for s, e in intervals.free_slots(work, near):
        s, e = _ceil(s), _floor(e)
        if e - s >= policy.min_length:
            out.append((s, e))
    return out


# --- planning ----------------------------------------------------------------


@dataclass
class _Chosen:
    """A block being planned: its span and which of the day's windows it sits in."""

    start: datetime
    end: datetime
    window: int


def plan(
    events: list[Event],
    window: Window,
    hours: WorkingHours,
    policy: FocusPolicy,
    now: datetime,
) -> FocusPlan:
    """The focus blocks this calendar should have in `window`.

    `events` should cover `plan_span(window, hours.tz)`: the whole weeks are
    planned, and only the blocks that start inside `window` are returned.
    """
    tz = hours.tz
    span = plan_span(window, tz)
    days = span.days()
    in_span = set(days)
    availability = Availability(events, hours)
    off = availability.off
    buffer = timedelta(minutes=policy.buffer_minutes)
    meetings = intervals.merge(intervals.pad(availability.busy, buffer))  # busy, with the buffer after
    mine = intervals.merge((e.start, e.end) for e in events if is_booked_focus(e) and not e.own_block)
    own = sorted(
        (e for e in events if e.own_block and is_booked_focus(e)),
        key=lambda e: (e.start, e.end, e.provider_id, e.uid),
    )

    def near(merged: list[Interval], work: list[Interval]) -> list[Interval]:
        return intervals.overlapping(merged, work[0][0], work[-1][1]) if work else []

    work_by_day = {day: hours.intervals(day) for day in days}
    used_day: dict[date, timedelta] = {}
    used_week: dict[tuple[int, int], timedelta] = {}
    for day in days:
        counted = intervals.total(intervals.intersect(work_by_day[day], near(mine, work_by_day[day])))
        used_day[day] = counted
        used_week[_week(day)] = used_week.get(_week(day), timedelta(0)) + counted

    def room(day: date) -> timedelta:
        return min(
            policy.daily_cap - used_day[day],
            policy.weekly_target - used_week[_week(day)],
        )

    def take(day: date, amount: timedelta) -> None:
        used_day[day] += amount
        used_week[_week(day)] += amount

    # guardian's blocks that are still valid stay where they are (history, if started)
    fixed = list(mine)
    kept: list[Event] = []
    for event in own:
        day = event.start.astimezone(tz).date()
        length = _elapsed(event.start, event.end)
        valid = (
            day in in_span
            and day not in off
            and hours.contains(event.start, event.end)
            and length >= policy.min_length
            and not intervals.overlapping(meetings, event.start, event.end)
            and not intervals.intersect([(event.start, event.end)], fixed)
            and length <= room(day) + SLACK
        )
        if valid:
            kept.append(event)
            fixed = intervals.merge([*fixed, (event.start, event.end)])
            take(day, length)
    blocked = intervals.merge(meetings + fixed)

    windows_by_day: dict[date, list[Interval]] = {}
    for day in days:
        work = [] if day in off else work_by_day[day]
        windows_by_day[day] = _order(_windows(work, blocked, policy), policy.prefer)

    chosen: dict[date, list[_Chosen]] = {day: [] for day in days}

    # Phase 1: one minimum-length block on every workday that has a window and no focus yet.
    for day in days:
        if used_day[day] >= policy.min_length or not windows_by_day[day] or room(day) < policy.min_length:
            continue
        s, e = windows_by_day[day][0]
        length = policy.min_length
        if policy.prefer == "late":
            chosen[day].append(_Chosen(e - length, e, 0))
        else:
            chosen[day].append(_Chosen(s, s + length, 0))
        take(day, length)

    # Phase 2: lengthen those blocks within their window, day by day.
    for day in days:
        for block in chosen[day]:
            s, e = windows_by_day[day][block.window]
            extra = min(room(day), (e - s) - (block.end - block.start))
            extra = _floor_delta(extra)
            if extra <= timedelta(0):
                continue
            if policy.prefer == "late":
                block.start -= extra
            else:
                block.end += extra
            take(day, extra)

    # Phase 3: second (third, ...) blocks in the other windows, if room remains.
    for day in days:
        taken = {c.window for c in chosen[day]}
        for index, (s, e) in enumerate(windows_by_day[day]):
            if index in taken:
                continue
            length = _floor_delta(min(room(day), e - s))
            if length < policy.min_length:
                continue
            if policy.prefer == "late":
                chosen[day].append(_Chosen(e - length, e, index))
            else:
                chosen[day].append(_Chosen(s, s + length, index))
            take(day, length)

    # What can still be booked: nothing that starts before now or on a block that has started.
    started = [(e.start, e.end) for e in own if e.start < now]
    candidates = [Block(e.start.astimezone(tz), e.end.astimezone(tz)) for e in kept if e.start >= now]
    for day in days:
        for c in chosen[day]:
            if c.start >= now and not intervals.intersect([(c.start, c.end)], started):
                candidates.append(Block(c.start.astimezone(tz), c.end.astimezone(tz)))
    risk = _Risk(
        policy, now, tz, work_by_day, off, meetings, intervals.merge([(e.start, e.end) for e in kept] + mine)
    )
    decided, weeks = risk.decide(sorted(candidates))
    blocks = tuple(b for b in decided if window.start <= b.start < window.end)

    existing = intervals.merge(mine + started)
    day_plans: list[DayPlan] = []
    for day in window.days():
        work = intervals.intersect(hours.intervals(day), [(window.start, window.end)])
        day_plans.append(
            DayPlan(
                day=day,
                work=tuple(work),
                busy=tuple(intervals.intersect(near(meetings, work), work)),
                existing_focus=tuple(intervals.intersect(near(existing, work), work)),
                blocks=tuple(b for b in blocks if b.start.astimezone(tz).date() == day),
                off=day in off,
                focus_time=tuple(
                    intervals.intersect(availability.focus_slots(day, policy.min_minutes), work)
                ),
            )
        )
    shown = {_week(d) for d in window.days()}
    return FocusPlan(blocks, tuple(day_plans), tuple(w for w in weeks if _week(w.monday) in shown))


@dataclass
class _Risk:
    """The at-risk policy: which blocks of a week can be held and which must be defended."""

    policy: FocusPolicy
    now: datetime
    tz: tzinfo
    work_by_day: dict[date, list[Interval]]
    off: set[date]
    meetings: list[Interval]
    booked: list[Interval]  # focus already on the calendar: mine and guardian's kept blocks

    def reach(self, monday: date, held: list[Interval]) -> timedelta:
        """The focus the week can still have if every `held` block were taken by meetings.

        Each day: the focus booked before now, plus the free time ahead in pieces
        of at least the minimum block (kept and defended blocks are part of it),
        at most the daily cap.
        """
        total = timedelta(0)
        taken = intervals.merge(self.meetings + held)
        for offset in range(7):
            day = monday + timedelta(days=offset)
            work = [] if day in self.off else self.work_by_day.get(day, [])
            if not work:
                continue
            before = [(work[0][0], self.now)]
            past = intervals.total(intervals.intersect(intervals.intersect(work, self.booked), before))
            ahead = intervals.intersect(work, [(max(self.now, work[0][0]), work[-1][1])])
            free = sum((e - s for s, e in _windows(ahead, taken, self.policy)), timedelta(0))
            total += min(self.policy.daily_cap, past + free)
        return total

    def decide(self, blocks: list[Block]) -> tuple[list[Block], list[WeekOutlook]]:
        by_week: dict[date, list[Block]] = {}
        for block in blocks:
            day = block.start.astimezone(self.tz).date()
            by_week.setdefault(day - timedelta(days=day.weekday()), []).append(block)
        target = self.policy.weekly_target
        out: list[Block] = []
        weeks: list[WeekOutlook] = []
        for monday in sorted(by_week):
            week = by_week[monday]
            reachable = self.reach(monday, [])
            if self.policy.defend != "at-risk":
                out += [replace(b, defended=True, why=ALWAYS_WHY) for b in week]
                weeks.append(WeekOutlook(monday, _h(target), _h(reachable), 0, len(week)))
                continue
            goal = min(target, reachable)
            held: list[Interval] = []
            decided: list[Block] = []
            for block in sorted(week, key=lambda b: b.start, reverse=True):  # the latest are held first
                left = self.reach(monday, [*held, (block.start, block.end)])
                if left + SLACK >= goal:
                    held.append((block.start, block.end))
                    why = f"held: if it were taken, the week could still reach {_hours(goal)} of focus"
                    if goal < target:
                        why += f" (of its {_hours(target)} target)"
                    decided.append(replace(block, defended=False, why=why))
                elif reachable + SLACK < target:
                    decided.append(
                        replace(
                            block,
                            why=f"defended: the week can reach only {_hours(reachable)} of its "
                            f"{_hours(target)} target, so it needs every block",
                        )
                    )
                else:
                    decided.append(
                        replace(
                            block,
                            why=f"defended: without it the week could reach only {_hours(left)} "
                            f"of its {_hours(target)} target",
                        )
                    )
            out += decided
            weeks.append(
                WeekOutlook(
                    monday, _h(target), _h(reachable), len(held), sum(1 for b in decided if b.defended)
                )
            )
        return sorted(out), weeks


def _h(delta: timedelta) -> float:
    return round(delta.total_seconds() / 3600, 2)


def _hours(delta: timedelta) -> str:
    return f"{_h(delta):.2f}".rstrip("0").rstrip(".") + " h"


def _floor_delta(delta: timedelta) -> timedelta:
    step = QUANTUM.total_seconds()
    return timedelta(seconds=(delta.total_seconds() // step) * step)


def _order(windows: list[Interval], prefer: str) -> list[Interval]:
    if prefer == "early":
        return sorted(windows)
    if prefer == "late":
        return sorted(windows, key=lambda w: w[0], reverse=True)
    return sorted(windows, key=lambda w: (-(w[1] - w[0]), w[0]))


# --- reconcile ---------------------------------------------------------------


def reconcile(wanted: list[Block] | tuple[Block, ...], existing: list[Event], now: datetime) -> list[BlockOp]:
    """The fewest operations that turn guardian's existing blocks into `wanted`.

    Only events with `own_block` are ever considered; blocks that have already
    started are left alone (they are history, or in progress). A block that
    is where it should be but shows the wrong free/busy is defended or held
    (a change of transparency), never moved.
    """
    mine = sorted(
        (e for e in existing if e.own_block and not e.cancelled and e.start >= now),
        key=lambda e: (e.start, e.end, e.provider_id),
    )
    todo = sorted(b for b in wanted if b.start >= now)
    ops: list[BlockOp] = []
    unmatched: list[Event] = []
    # exact matches first: nothing to do for them (a dict, not a scan per block)
    wanted_at = {(b.start.timestamp(), b.end.timestamp()): b for b in todo}
    for event in mine:
        match = wanted_at.pop((event.start.timestamp(), event.end.timestamp()), None)
        if match is None:
            unmatched.append(event)
        elif event.busy == match.defended:
            ops.append(BlockOp(OpKind.KEEP, match, event))
        else:
            ops.append(BlockOp(OpKind.DEFEND if match.defended else OpKind.HOLD, match, event))
    remaining = sorted(wanted_at.values())
    # then move the closest existing block onto each remaining wanted block
    leftovers: list[Event] = []
    for event in unmatched:
        candidates = [
            b
            for b in remaining
            if b.start.date() == event.start.astimezone(b.start.tzinfo).date() or _overlap(b, event)
        ]
        if candidates:
            best = max(
                candidates, key=lambda b: (_overlap(b, event), -abs((b.start - event.start).total_seconds()))
            )
            remaining.remove(best)
            ops.append(BlockOp(OpKind.MOVE, best, event))
        else:
            leftovers.append(event)
    ops.extend(BlockOp(OpKind.DELETE, None, event) for event in leftovers)
    ops.extend(BlockOp(OpKind.CREATE, block, None) for block in remaining)
    return ops


def _overlap(block: Block, event: Event) -> float:
    start = max(block.start, event.start)
    end = min(block.end, event.end)
    return max(0.0, (end - start).total_seconds())


def changes(ops: list[BlockOp]) -> list[BlockOp]:
    """The operations that write something (everything but KEEP)."""
    return [op for op in ops if op.kind is not OpKind.KEEP]


def describe_block(block: Block) -> str:
    """'Mon 30 Nov 09:45-13:45', in the block's own zone (for action lines)."""
    return f"{block.start:%a %d %b %H:%M}-{block.end:%H:%M}"


def describe_event(event: Event) -> str:
    return f"{event.start:%a %d %b %H:%M}-{event.end.astimezone(event.start.tzinfo):%H:%M}"

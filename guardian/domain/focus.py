"""Plan focus blocks and reconcile them with the blocks guardian already made.

Both functions are pure. `plan` answers "which 2h+ blocks should be on this
calendar?" from the events alone, so planning an unchanged calendar always
gives the same blocks. `reconcile` compares that plan with guardian's own
existing blocks and returns the fewest operations (keep / move / delete /
create) to get there; it never emits an operation on an event guardian did
not create, and never touches a block that has already started.

The order of the plan follows the seed's indicator (2h+ uninterrupted blocks
every workday): first every workday with a free 2 h window gets one block;
only then are blocks lengthened or second blocks added, within the daily
cap and the weekly target.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from guardian.core import intervals
from guardian.core.availability import Availability, FocusPolicy, is_booked_focus
from guardian.core.intervals import Interval
from guardian.core.model import Block, BlockOp, Event, OpKind, Window
from guardian.core.workhours import WorkingHours

QUANTUM = timedelta(minutes=5)  # blocks start and end on 5-minute marks


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
class FocusPlan:
    blocks: tuple[Block, ...]
    days: tuple[DayPlan, ...]

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
    """The focus blocks this calendar should have in `window`."""
    tz = hours.tz
    availability = Availability(events, hours)
    off = availability.off
    buffer = timedelta(minutes=policy.buffer_minutes)
    # Focus already booked counts toward the caps and cannot be booked over; of
    # guardian's own blocks only those that have started: the rest are the
    # plan's to keep, move or delete.
    existing_focus = intervals.merge(
        (e.start, e.end) for e in events if is_booked_focus(e) and (not e.own_block or e.start < now)
    )
    busy = intervals.merge(intervals.pad(availability.busy, buffer) + existing_focus)

    days = window.days()
    work_by_day: dict[date, list[Interval]] = {}
    windows_by_day: dict[date, list[Interval]] = {}
    used_day: dict[date, timedelta] = {}
    used_week: dict[tuple[int, int], timedelta] = {}

    def near(merged: list[Interval], work: list[Interval]) -> list[Interval]:
        return intervals.overlapping(merged, work[0][0], work[-1][1]) if work else []

    for day in days:
        work = intervals.intersect(hours.intervals(day), [(window.start, window.end)])
        work_by_day[day] = work
        counted = intervals.total(intervals.intersect(work, near(existing_focus, work)))
        used_day[day] = counted
        used_week[_week(day)] = used_week.get(_week(day), timedelta(0)) + counted
        if day in off or not work:
            windows_by_day[day] = []
            continue
        future = intervals.intersect(work, [(max(now, window.start), window.end)])
        free = []
        for s, e in intervals.free_slots(future, near(busy, work)):
            s, e = _ceil(s), _floor(e)
            if e - s >= policy.min_length:
                free.append((s, e))
        windows_by_day[day] = _order(free, policy.prefer)

    chosen: dict[date, list[_Chosen]] = {day: [] for day in days}

    def room(day: date) -> timedelta:
        return min(
            policy.daily_cap - used_day[day],
            policy.weekly_target - used_week[_week(day)],
        )

    def take(day: date, amount: timedelta) -> None:
        used_day[day] += amount
        used_week[_week(day)] += amount

    # Phase 1: one minimum-length block on every workday that has a window.
    for day in days:
        if not windows_by_day[day] or room(day) < policy.min_length:
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
        for index, (s, e) in enumerate(windows_by_day[day][1:], start=1):
            length = min(room(day), e - s)
            length = _floor_delta(length)
            if length < policy.min_length:
                continue
            if policy.prefer == "late":
                chosen[day].append(_Chosen(e - length, e, index))
            else:
                chosen[day].append(_Chosen(s, s + length, index))
            take(day, length)

    blocks: list[Block] = []
    day_plans: list[DayPlan] = []
    for day in days:
        day_blocks = tuple(sorted(Block(c.start.astimezone(tz), c.end.astimezone(tz)) for c in chosen[day]))
        blocks.extend(day_blocks)
        day_plans.append(
            DayPlan(
                day=day,
                work=tuple(work_by_day[day]),
                busy=tuple(intervals.intersect(near(busy, work_by_day[day]), work_by_day[day])),
                existing_focus=tuple(
                    intervals.intersect(near(existing_focus, work_by_day[day]), work_by_day[day])
                ),
                blocks=day_blocks,
                off=day in off,
                focus_time=tuple(
                    intervals.intersect(availability.focus_slots(day, policy.min_minutes), work_by_day[day])
                ),
            )
        )
    return FocusPlan(tuple(blocks), tuple(day_plans))


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
    started are left alone (they are history, or in progress).
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
        if match is not None:
            ops.append(BlockOp(OpKind.KEEP, match, event))
        else:
            unmatched.append(event)
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

"""Day checks: each looks at the meetings of one day and returns its hits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from guardian.core.model import Event
from guardian.lint.checks.wording import hours, span
from guardian.lint.context import AuditContext
from guardian.lint.registry import DayHit, day_check


@dataclass(frozen=True)
class BackToBack:
    max_hours: float = 2.0
    min_break_minutes: int = 10


def _elapsed(start: datetime, end: datetime) -> timedelta:
    return timedelta(seconds=end.timestamp() - start.timestamp())  # not wall clock


@day_check(
    "back-to-back", "more than `max_hours` of meetings without a `min_break_minutes` break", BackToBack
)
def back_to_back(day: date, meetings: list[Event], ctx: AuditContext, p: BackToBack) -> list[DayHit]:
    limit = timedelta(hours=p.max_hours)
    gap = timedelta(minutes=p.min_break_minutes)
    found: list[DayHit] = []
    chain: list[Event] = []

    def close() -> None:
        if not chain:
            return
        start, end = chain[0].start, max(e.end for e in chain)
        if _elapsed(start, end) > limit:
            # reported on the run (its day and span), not on one of its meetings: no
            # single meeting is to blame, and one may be exempt (a team lunch)
            length = _elapsed(start, end).total_seconds() / 3600
            found.append(
                DayHit(
                    f"{len(chain)} meetings from {span(start, end, ctx.tz, ' to ')} "
                    f"without a {p.min_break_minutes} min break ({hours(length)}, more than "
                    f"{hours(p.max_hours)})",
                    span=(start, end),
                )
            )

    chain_end: datetime | None = None
    for event in meetings:
        if chain_end is not None and event.start - chain_end < gap:
            chain.append(event)
            chain_end = max(chain_end, event.end)
            continue
        close()
        chain, chain_end = [event], event.end
    close()
    return found


@dataclass(frozen=True)
class FocusBlock:
    #: the shortest free piece that counts; unset: my `[focus] min_minutes`
    min_minutes: int | None = None


@day_check("no-focus-block", "a workday without one free `min_minutes` block", FocusBlock)
def no_focus_block(day: date, meetings: list[Event], ctx: AuditContext, p: FocusBlock) -> list[DayHit]:
    if not ctx.availability.is_workday(day):
        return []
    least = ctx.focus.min_minutes if p.min_minutes is None else p.min_minutes
    if ctx.availability.focus_slots(day, least):
        return []
    longest = max((e - s for s, e in ctx.availability.free(day)), default=timedelta(0))
    return [
        DayHit(
            f"no free {least:g} min block in your working hours "
            f"(longest free stretch: {int(longest.total_seconds() / 60)} min)"
        )
    ]

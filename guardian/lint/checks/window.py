"""Window checks: each looks at the whole audited span and returns its hits."""

from __future__ import annotations

from dataclasses import dataclass

from guardian.core.model import Event, Status
from guardian.lint.checks.wording import hours, span
from guardian.lint.context import AuditContext
from guardian.lint.registry import NoParams, WindowHit, window_check


@window_check("double-booked", "two accepted meetings overlap")
def double_booked(ctx: AuditContext, p: NoParams) -> list[WindowHit]:
    """A sweep over the window, so overlaps across midnight are seen too."""
    committed = sorted(
        (e for e in ctx.meetings if e.my_status in (Status.ACCEPTED, Status.ORGANIZER)),
        key=lambda e: (e.start, e.end),
    )
    found: list[WindowHit] = []
    running: list[Event] = []  # meetings that have not ended yet, in start order
    for later in committed:
        running = [e for e in running if e.end > later.start]
        earlier = next((e for e in running if e.uid != later.uid), None)
        if earlier is not None:
            found.append(
                WindowHit(
                    f'overlaps "{earlier.title}" ({span(earlier.start, earlier.end, ctx.tz)}); you accepted both',
                    later,
                    ctx.local(later.start).date(),
                )
            )
        running.append(later)
    return found


@dataclass(frozen=True)
class FocusTarget:
    #: focus hours a week; unset: my `[focus] weekly_target_hours`
    target_hours: float | None = None
    #: the shortest free piece that counts; unset: my `[focus] min_minutes`
    min_minutes: int | None = None


@window_check(
    "focus-below-target", "focus hours in `min_minutes`+ blocks below `target_hours` a week", FocusTarget
)
def focus_below_target(ctx: AuditContext, p: FocusTarget) -> list[WindowHit]:
    if not ctx.workdays():
        return []
    weekly = ctx.focus.weekly_target_hours if p.target_hours is None else p.target_hours
    least = ctx.focus.min_minutes if p.min_minutes is None else p.min_minutes
    # the target is weekly; a window of another length gets its share of it
    target = weekly * len(ctx.window.days()) / 7
    have = ctx.focus_hours(least)
    if have >= target:
        return []
    block = f"{least / 60:g}h"
    return [
        WindowHit(f"{hours(have)} of focus time in {block}+ blocks in this window; target {hours(target)}")
    ]

"""What every calendar Source promises, whatever the provider.

Each backend's tests seed the same logical scenario in their own format
(see SCENARIO) and call `assert_source_contract`. The .ics source runs it in
tests/test_source_contract_ics.py, Google and Outlook in their own test
files against the loopback fakes.

Sources whose capabilities say they hold focus blocks also run
`assert_block_writer_contract` (the writes: idempotent, never on an event
guardian did not create), and those that answer invitations themselves
(`capabilities.rsvp`) `assert_respond_contract` (the organizer sees my
answer and my comment).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest

from guardian.adapters.sources.base import BlockHome, BlockOptions, Source
from guardian.core.model import Block, BlockOp, Event, OpKind, Status, Window
from guardian.domain.focus import reconcile

#: The logical calendar every backend seeds for the contract, in a window
#: Mon 7 Dec 2026 00:00 - Mon 14 Dec 2026 00:00 (Europe/Berlin):
SCENARIO = {
    "spans the window start": "Sun 6 Dec 23:00 for 2 hours",
    "inside": "Tue 8 Dec 10:00-11:00",
    "all day": "Sun 13 Dec, all day",
    "ends at the window start": "Sun 6 Dec 23:00-Mon 7 Dec 00:00 (excluded: the window is half-open)",
    "series": "daily at 09:00 from Mon 7 Dec, 10 instances (7 inside the window)",
}


def assert_source_contract(
    source: Source, window: Window, *, series_in_window: int = 7, writable: bool = True
) -> list:
    events = source.read(window)
    titles = [e.title for e in events]
    assert source.spec and source.label
    assert "ends at the window start" not in titles
    assert {"spans the window start", "inside", "all day"} <= set(titles)
    assert titles.count("series") == series_in_window
    assert all(e.start.tzinfo is not None and e.end.tzinfo is not None for e in events)
    assert all(window.overlaps(e.start, e.end) for e in events)
    assert [e.start for e in events] == sorted(e.start for e in events)
    assert len({e.instance_id for e in events}) == len(events), "instances must be unique"
    assert all(e.source == source.spec for e in events)
    series = [e for e in events if e.title == "series"]
    assert all(e.recurring and e.uid == series[0].uid for e in series)
    all_day = next(e for e in events if e.title == "all day")
    assert all_day.all_day and all_day.start.hour == 0
    assert source.own_blocks(window) == []
    if writable:  # an .ics source is read-only; its blocks go to a BlockFile
        assert source.apply([]).created == 0
    return events


def plan_for(window: Window) -> list[Block]:
    """Two 2-hour blocks inside `window`: its second and third day, 13:00-15:00 of its start's zone."""
    first = window.start.replace(hour=13, minute=0, second=0, microsecond=0)
    return [Block(first + timedelta(days=d), first + timedelta(days=d, hours=2)) for d in (1, 2)]


def assert_block_writer_contract(
    source: Source,
    window: Window,
    *,
    snapshot: Callable[[], object],
    options: BlockOptions | None = None,
    state=None,
) -> None:
    """Writes, for a source that can hold blocks: idempotent, and never on a foreign event.

    `snapshot()` returns what the calendar holds (the fake's events, the block
    file's bytes): a second apply of the same plan, and a refused apply, must
    leave it as it was. The source must hold the SCENARIO (its "inside"
    meeting is the foreign event) and no guardian blocks yet.
    """
    if source.capabilities.blocks is BlockHome.NONE:
        pytest.skip(f"{source.spec} cannot hold focus blocks")
    writer = source.block_writer(options or BlockOptions(), state)
    now = window.start - timedelta(days=1)
    plan = plan_for(window)
    assert writer.own_blocks(window) == []

    first = writer.apply(reconcile(plan, writer.own_blocks(window), now))
    assert (first.created, first.moved, first.deleted) == (len(plan), 0, 0)
    own = writer.own_blocks(window)
    assert [(b.start, b.end) for b in own] == [(b.start, b.end) for b in plan]
    assert all(b.own_block for b in own)

    # a second apply of the same plan changes nothing
    before = snapshot()
    again = writer.apply(reconcile(plan, writer.own_blocks(window), now))
    assert (again.created, again.moved, again.deleted, again.kept) == (0, 0, 0, len(plan))
    assert snapshot() == before
    assert [(b.provider_id or b.uid, b.start) for b in writer.own_blocks(window)] == [
        (b.provider_id or b.uid, b.start) for b in own
    ]

    # an operation on an event guardian did not create is refused, and nothing is written
    foreign = next(e for e in source.read(window) if e.title == "inside")
    assert not foreign.own_block
    later = Block(plan[0].start + timedelta(hours=3), plan[0].end + timedelta(hours=3))
    for ops in (
        [BlockOp(OpKind.CREATE, block=later), BlockOp(OpKind.MOVE, block=later, existing=foreign)],
        [BlockOp(OpKind.DELETE, existing=own[0]), BlockOp(OpKind.DELETE, existing=foreign)],
        [BlockOp(OpKind.KEEP, block=plan[0], existing=foreign)],
    ):
        with pytest.raises(RuntimeError, match="guardian did not create it"):
            writer.apply(ops)
        assert snapshot() == before
    assert next(e for e in source.read(window) if e.title == "inside").start == foreign.start

    assert_held_and_defended(writer, window, plan, now, foreign, snapshot)


def assert_held_and_defended(
    writer, window: Window, plan: list[Block], now, foreign: Event, snapshot
) -> None:
    """A held block reads back free; defending it is a change of free/busy in place, never a move.

    `plan`'s blocks are on the calendar (defended) when this starts.
    """
    held = [replace(plan[0], defended=False), plan[1]]
    ops = reconcile(held, writer.own_blocks(window), now)
    assert [op.kind for op in ops] == [OpKind.HOLD, OpKind.KEEP]
    done = writer.apply(ops)
    assert (done.created, done.moved, done.deleted, done.switched) == (0, 0, 0, 1)
    own = writer.own_blocks(window)
    assert [(b.start, b.end, b.busy) for b in own] == [
        (plan[0].start, plan[0].end, False),
        (plan[1].start, plan[1].end, True),
    ]
    ids = [b.provider_id or b.uid for b in own]

    # the next run defends it: the same event, turned busy (no move, no new block)
    ops = reconcile(plan, own, now)
    assert [op.kind for op in ops] == [OpKind.DEFEND, OpKind.KEEP]
    assert writer.apply(ops).switched == 1
    own = writer.own_blocks(window)
    assert [(b.start, b.end, b.busy) for b in own] == [(b.start, b.end, True) for b in plan]
    assert [b.provider_id or b.uid for b in own] == ids
    before = snapshot()
    assert all(op.kind is OpKind.KEEP for op in reconcile(plan, own, now))

    # and a switch on an event guardian did not create is refused like any other write
    with pytest.raises(RuntimeError, match="guardian did not create it"):
        writer.apply([BlockOp(OpKind.HOLD, block=held[0], existing=foreign)])
    assert snapshot() == before


def assert_respond_contract(
    source: Source, invite: Event, organizer_sees: Callable[[], tuple[Status, str | None]]
) -> None:
    """For a source that answers invitations itself: the organizer sees my answer and my comment."""
    if not source.capabilities.rsvp:
        pytest.skip(f"{source.spec} sends replies as iTIP mail, not through the calendar")
    assert invite.my_status is Status.NEEDS_ACTION
    source.respond(invite, Status.TENTATIVE, "Could you link the pre-read?")
    assert organizer_sees() == (Status.TENTATIVE, "Could you link the pre-read?")
    source.respond(invite, Status.DECLINED, "No pre-read by Friday, so I will skip this one.")
    assert organizer_sees() == (Status.DECLINED, "No pre-read by Friday, so I will skip this one.")

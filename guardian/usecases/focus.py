"""One focus run: read, plan, reconcile and (when asked) apply.

Shared by `guardian focus plan|apply` and `guardian nightly` so both do the
same thing. The write target is the first calendar: a provider calendar is
written in place (tagged events), an .ics calendar gets a separate block file.

The plan reads the whole ISO weeks around the window (`plan_span`): the
blocks of a day must not depend on how many days were asked for. Only
guardian's blocks inside the window are reconciled, so `--days 1` never
touches the rest of the week.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from guardian.adapters.lock import lock_path, run_lock
from guardian.adapters.sources.base import ApplyResult, BlockOptions, BlockWriter
from guardian.adapters.state import State
from guardian.core.model import BlockOp, Event, EventKind, OpKind
from guardian.domain.focus import (
    FocusPlan,
    changes,
    describe_block,
    describe_event,
    plan,
    plan_span,
    reconcile,
)
from guardian.errors import InputError
from guardian.usecases.session import Session


@dataclass
class FocusRun:
    plan: FocusPlan
    ops: list[BlockOp]
    applied: ApplyResult | None = None
    target: str = ""
    lines: list[str] = field(default_factory=list)


def write_target(session: Session, output: str | None = None, state: State | None = None) -> BlockWriter:
    """Where blocks go: the first calendar's block writer (itself, or its block file).

    A block file is never one of the calendars guardian reads: the person's
    own file is never rewritten.
    """
    focus = session.config.focus
    chosen = Path(output).expanduser() if output else focus.output
    if chosen is not None:
        read = {f.resolve() for source in session.sources for f in source.files}
        if chosen.resolve() in read:
            where = "--output" if output else "[focus] output"
            raise InputError(
                f"{where}: {chosen} is a calendar guardian reads, and guardian never rewrites it",
                hint="name a file of its own for the focus blocks, e.g. focus-blocks.ics",
            )
    options = BlockOptions(output=chosen, title=focus.title)
    return session.sources[0].block_writer(options, state=state)


def run_focus(
    session: Session,
    *,
    apply: bool,
    output: str | None = None,
    events: list[Event] | None = None,
    locked: bool = False,
) -> FocusRun:
    """Plan and reconcile; `events` may be passed in when the caller already read them
    (they must cover `plan_span(session.window)`).

    An apply takes the run lock before anything is read, so two runs started
    together plan one after the other and the second sees the first's blocks
    (`locked`: the caller holds it already, and read `events` under it).
    """
    if not apply:
        return _plan_and_apply(session, apply=False, output=output, events=events)
    if locked:
        return _apply_replanning_conflicts(session, output, events)
    with run_lock(lock_path(session.config.state_path())):
        return _apply_replanning_conflicts(session, output, events)


def _apply_replanning_conflicts(session: Session, output: str | None, events: list[Event] | None) -> FocusRun:
    """Apply; when another client changed a block meanwhile (HTTP 412), read, plan and apply once more.

    The writer never overwrites the other change; the second round plans
    around what is on the calendar now. A conflict in that round too is left
    for the next run.
    """
    run = _plan_and_apply(session, apply=True, output=output, events=events)
    if run.applied is None or not run.applied.conflicts:
        return run
    again = _plan_and_apply(session, apply=True, output=output, events=None)
    again.lines = (
        run.lines + [f"{run.target}: changed by someone else meanwhile; planned again"] + again.lines
    )
    return again


def _plan_and_apply(
    session: Session, *, apply: bool, output: str | None, events: list[Event] | None
) -> FocusRun:
    target = write_target(session, output, state=session.state if apply else None)
    span = plan_span(session.window, session.tz)
    if events is None:
        events = session.read_events(span)
    if target is not session.sources[0]:  # blocks kept apart from the calendar: add them
        events = _with_block_file(events, target.own_blocks(span))
    events = [_foreign_blocks_are_focus(e, target.spec) for e in events]
    focus_plan = plan(events, session.window, session.hours, session.config.focus.policy, session.now)
    window = session.window
    existing = [e for e in events if e.own_block and window.overlaps(e.start, e.end)]
    ops = reconcile(list(focus_plan.blocks), existing, session.now)
    run = FocusRun(focus_plan, ops, target=target.spec)
    verb = "" if apply else "would "
    for op in changes(ops):
        run.lines.append(f"{target.label}: {verb}{_describe(op)}")
    if not apply:
        return run
    state = session.state
    with state.transaction():
        run.applied = target.apply(ops) if changes(ops) else ApplyResult(kept=len(ops))
        state.log_run(
            "focus apply",
            planned=[
                {"start": b.start.isoformat(), "end": b.end.isoformat(), "defended": b.defended}
                for b in focus_plan.blocks
            ],
            done={
                "target": target.spec,
                "created": run.applied.created,
                "moved": run.applied.moved,
                "deleted": run.applied.deleted,
                "kept": run.applied.kept,
                "switched": run.applied.switched,
            },
        )
    return run


def _foreign_blocks_are_focus(event: Event, target: str) -> Event:
    """guardian's blocks on another calendar are focus time there, not ours to move here."""
    if event.own_block and event.source != target:
        return event.with_(own_block=False, kind=EventKind.FOCUS)
    return event


def _with_block_file(events: list[Event], blocks: list[Event]) -> list[Event]:
    """Add the block file's events, unless the user imported them already."""
    seen = {e.uid for e in events if e.own_block}
    return events + [b for b in blocks if b.uid not in seen]


def _describe(op: BlockOp) -> str:
    held = " (held: free)" if op.block is not None and not op.block.defended else ""
    if op.kind is OpKind.CREATE and op.block is not None:
        return f"create focus block {describe_block(op.block)}{held}"
    if op.kind is OpKind.MOVE and op.block is not None and op.existing is not None:
        return f"move focus block {describe_event(op.existing)} to {describe_block(op.block)}{held}"
    if op.kind.switches and op.block is not None:
        verb = "defend" if op.kind is OpKind.DEFEND else "hold"
        state = "busy" if op.kind is OpKind.DEFEND else "free"
        return f"{verb} focus block {describe_block(op.block)} (now {state}: {op.block.why or op.kind})"
    assert op.existing is not None, "a delete names the block it deletes"
    return f"delete focus block {describe_event(op.existing)}"

"""One focus run: read, plan, reconcile and (when asked) apply.

Shared by `guardian focus plan|apply` and `guardian nightly` so both do the
same thing. The write target is the first calendar: a provider calendar is
written in place (tagged events), an .ics calendar gets a separate block file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from guardian.adapters.lock import run_lock
from guardian.adapters.sources.base import ApplyResult, BlockOptions, BlockWriter
from guardian.core.model import BlockOp, Event, EventKind, OpKind
from guardian.domain.focus import FocusPlan, changes, describe_block, describe_event, plan, reconcile
from guardian.usecases.session import Session


@dataclass
class FocusRun:
    plan: FocusPlan
    ops: list[BlockOp]
    applied: ApplyResult | None = None
    target: str = ""
    lines: list[str] = field(default_factory=list)


def write_target(session: Session, output: str | None = None, state=None) -> BlockWriter:
    """Where blocks go: the first calendar's block writer (itself, or its block file)."""
    focus = session.config.focus
    options = BlockOptions(output=Path(output).expanduser() if output else focus.output, title=focus.title)
    return session.sources[0].block_writer(options, state=state)


def run_focus(
    session: Session, *, apply: bool, output: str | None = None, events: list[Event] | None = None
) -> FocusRun:
    """Plan and reconcile; `events` may be passed in when the caller already read them."""
    target = write_target(session, output, state=session.state if apply else None)
    if events is None:
        events = session.read_events()
    if target is not session.sources[0]:  # blocks kept apart from the calendar: add them
        events = _with_block_file(events, target.own_blocks(session.window))
    events = [_foreign_blocks_are_focus(e, target.spec) for e in events]
    focus_plan = plan(events, session.window, session.hours, session.config.focus.policy, session.now)
    existing = [e for e in events if e.own_block]
    ops = reconcile(list(focus_plan.blocks), existing, session.now)
    run = FocusRun(focus_plan, ops, target=target.spec)
    verb = "" if apply else "would "
    for op in changes(ops):
        run.lines.append(f"{target.label}: {verb}{_describe(op)}")
    if not apply:
        return run
    with run_lock(session.config.state_path().with_suffix(".lock")):
        state = session.state
        with state.transaction():
            run.applied = target.apply(ops) if changes(ops) else ApplyResult(kept=len(ops))
            state.log_run(
                "focus apply",
                planned=[{"start": b.start.isoformat(), "end": b.end.isoformat()} for b in focus_plan.blocks],
                done={
                    "target": target.spec,
                    "created": run.applied.created,
                    "moved": run.applied.moved,
                    "deleted": run.applied.deleted,
                    "kept": run.applied.kept,
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
    if op.kind is OpKind.CREATE and op.block is not None:
        return f"create focus block {describe_block(op.block)}"
    if op.kind is OpKind.MOVE and op.block is not None and op.existing is not None:
        return f"move focus block {describe_event(op.existing)} to {describe_block(op.block)}"
    assert op.existing is not None, "a delete names the block it deletes"
    return f"delete focus block {describe_event(op.existing)}"

"""One focus run: read, plan, reconcile and (when asked) apply.

Shared by `guardian focus plan|apply` and `guardian nightly` so both do the
same thing. The write target is the first calendar: a provider calendar is
written in place (tagged events), an .ics calendar gets a separate block file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from guardian.adapters.lock import run_lock
from guardian.adapters.sources.base import ApplyResult
from guardian.adapters.sources.blockfile import BlockFile, describe, describe_event
from guardian.adapters.sources.ics import IcsSource
from guardian.core.model import BlockOp, Event, EventKind, OpKind
from guardian.domain.focus import FocusPlan, FocusPolicy, changes, plan, reconcile
from guardian.usecases.session import Session


@dataclass
class FocusRun:
    plan: FocusPlan
    ops: list[BlockOp]
    applied: ApplyResult | None = None
    target: str = ""
    lines: list[str] = field(default_factory=list)


def policy_from(session: Session) -> FocusPolicy:
    focus = session.config.section("focus")
    return FocusPolicy(
        min_minutes=focus.get("min_minutes", 120),
        daily_cap_hours=focus.get("daily_cap_hours", 4.0),
        weekly_target_hours=focus.get("weekly_target_hours", 10.0),
        buffer_minutes=focus.get("buffer_minutes", 0),
        prefer=focus.get("prefer", "long"),
    )


def write_target(session: Session, output: str | None = None, state=None):
    """Where blocks go: the first calendar, or its block file for .ics."""
    source = session.sources[0]
    if isinstance(source, IcsSource):
        path = session.path_option(output, "focus", "output", "focus-blocks.ics")
        title = session.config.get("focus", "title") or "Focus time"
        return BlockFile(Path(path), session.identity, title, state=state)
    return source


def run_focus(
    session: Session, *, apply: bool, output: str | None = None, events: list[Event] | None = None
) -> FocusRun:
    """Plan and reconcile; `events` may be passed in when the caller already read them."""
    target = write_target(session, output, state=session.state if apply else None)
    if events is None:
        events = session.read_events()
    if isinstance(target, BlockFile):
        events = _with_block_file(events, target.own_blocks(session.window))
    events = [_foreign_blocks_are_focus(e, target.spec) for e in events]
    focus_plan = plan(events, session.window, session.hours, policy_from(session), session.now)
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
    if op.kind is OpKind.CREATE:
        return f"create focus block {describe(op.block)}"
    if op.kind is OpKind.MOVE:
        return f"move focus block {describe_event(op.existing)} to {describe(op.block)}"
    return f"delete focus block {describe_event(op.existing)}"

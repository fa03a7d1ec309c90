"""`guardian tick`: do not disturb in chat while a focus block runs; run every few minutes.

Each tick looks at the moment `now` (the clock, or `--now`):

- for every focus block running now (guardian's own blocks, held or
  defended) that a chat has not been told about yet, the chat is set to do
  not disturb until the block's end (Slack: status and snoozed
  notifications; Teams: presence), unless a meeting is on right now (it is
  set once the meeting is over) or less than `MIN_MINUTES` are left;
- for every block a chat was told about that is no longer running (it
  ended, or it was deleted or moved away), the chat is told it is over.

What was done is recorded per chat and block in the state store, inside
the same transaction as the decision, so a tick run twice at the same
moment does nothing the second time, and a tick that misses a block's start
(the laptop slept through it) picks it up while the block still runs. A
chat that fails is retried by the next tick; the others go on.

Without any chat configured (`[chat]`), a tick returns at once: it reads no
calendar, creates no state file, and fails at nothing. Two ticks never run
at once (a lock of their own: a tick does not wait for, or block, a
nightly run). Nothing is printed but errors; the action lines go to the run
log in the state store and to `[nightly] log` when set.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from guardian.adapters.chat import DoNotDisturb, open_chats
from guardian.adapters.lock import LockedError, run_lock
from guardian.adapters.runlog import append_line
from guardian.adapters.state import State
from guardian.core.availability import is_booked_focus, is_busy
from guardian.core.model import Event, Window
from guardian.errors import GuardianError, InputError
from guardian.usecases.session import Options, Session

log = logging.getLogger("guardian")

MIN_MINUTES = 5  # less than this left of a block: not worth disturbing anyone's status for
LOOK = timedelta(days=1)  # blocks are looked for this far around now


@dataclass
class TickAction:
    channel: str
    block: str  # the block's key: its UID and its start (UTC)
    start: datetime
    end: datetime
    what: str  # "start" | "stop" | "wait"
    detail: str = ""

    def to_json(self) -> dict:
        return {
            "channel": self.channel,
            "block": self.block,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "detail": self.detail,
        }


@dataclass
class TickRun:
    now: datetime
    dry_run: bool = False
    chats: list[str] = field(default_factory=list)
    started: list[TickAction] = field(default_factory=list)
    stopped: list[TickAction] = field(default_factory=list)
    waiting: list[TickAction] = field(default_factory=list)
    errors: list[GuardianError] = field(default_factory=list)
    note: str = ""  # why nothing was looked at ("no chat configured", "another tick is running")

    @property
    def lines(self) -> list[str]:
        verb = "would " if self.dry_run else ""
        out = [f"{verb}start do not disturb: {_line(a)}" for a in self.started]
        out += [f"{verb}end do not disturb: {_line(a)}" for a in self.stopped]
        return out

    def to_json(self) -> dict:
        return {
            "now": self.now.isoformat(),
            "dry_run": self.dry_run,
            "chats": self.chats,
            "started": [a.to_json() for a in self.started],
            "stopped": [a.to_json() for a in self.stopped],
            "waiting": [a.to_json() for a in self.waiting],
            "note": self.note,
        }


def _line(action: TickAction) -> str:
    when = f"{action.start:%a %d %b %H:%M}-{action.end:%H:%M}"
    return f"{action.channel} for the focus block {when}" + (f" ({action.detail})" if action.detail else "")


def block_key(event: Event) -> str:
    return f"{event.uid}@{event.start.astimezone(UTC).isoformat()}"


def run_tick(options: Options, *, dry_run: bool = False) -> TickRun:
    session = Session(options)
    now = session.now
    run = TickRun(now, dry_run)
    settings = session.config
    if not (settings.chat.slack or settings.chat.teams):
        run.note = "no chat configured ([chat] in the config): nothing to do"
        return run
    try:
        with run_lock(session.config.state_path().with_name(session.config.state_path().name + ".tick.lock")):
            _tick(session, run)
    except LockedError:
        run.note = "another tick is running"
    return run


def _tick(session: Session, run: TickRun) -> None:
    now = run.now
    chats = open_chats(session.config, session.sources)
    run.chats = [c.name for c in chats]
    if not chats:
        run.note = "no chat to set"
        return
    blocks, meetings = _blocks_and_meetings(session, Window(now - LOOK, now + LOOK))
    tz = session.tz
    running = {block_key(b): b for b in blocks if b.start <= now < b.end}
    in_meeting = any(m.start <= now < m.end for m in meetings)
    state = session.state if not run.dry_run or session.config.state_path().exists() else State(":memory:")
    for chat in chats:
        for key, block in sorted(running.items(), key=lambda kv: kv[1].start):
            if state.chat_mark(chat.name, key) is not None:
                continue  # told already (and perhaps ended: a block is set once)
            action = TickAction(chat.name, key, block.start.astimezone(tz), block.end.astimezone(tz), "start")
            left = (block.end - now).total_seconds() / 60
            if in_meeting or left < MIN_MINUTES:
                action.what, action.detail = "wait", "in a meeting" if in_meeting else f"{left:.0f} min left"
                run.waiting.append(action)
                continue
            _act(run, state, chat, action, lambda c=chat, b=block: c.start(b.end, now))
        for mark in state.chat_open(chat.name):
            if mark["block"] in running:
                continue
            start, end = datetime.fromisoformat(mark["start"]), datetime.fromisoformat(mark["end"])
            action = TickAction(chat.name, mark["block"], start.astimezone(tz), end.astimezone(tz), "stop")
            _act(run, state, chat, action, lambda c=chat, e=end: c.stop(e, now))
    if not run.dry_run and (run.started or run.stopped):
        with state.transaction():
            state.log_run("tick", {"now": now.isoformat()}, {"lines": run.lines})
        nightly_log = session.config.nightly.log
        if nightly_log is not None:
            stamp = datetime.now().astimezone().isoformat(timespec="seconds")
            for line in run.lines:
                append_line(nightly_log, f"{stamp} tick: {line}")


def _act(run: TickRun, state, chat: DoNotDisturb, action: TickAction, call) -> None:
    """Tell the chat and record it, or (dry run) only say what would be done."""
    done = run.started if action.what == "start" else run.stopped
    if run.dry_run:
        done.append(action)
        return
    try:
        action.detail = call()
    except GuardianError as exc:  # the next tick tries again; the other chats go on
        log.warning("%s: %s", chat.name, exc)
        run.errors.append(exc)
        return
    with state.transaction():
        if action.what == "start":
            state.chat_started(chat.name, action.block, action.start, action.end, run.now, action.detail)
        else:
            state.chat_ended(chat.name, action.block, run.now)
    done.append(action)


def _blocks_and_meetings(session: Session, window: Window) -> tuple[list[Event], list[Event]]:
    """guardian's blocks around now (in the calendars or their block file) and what makes me busy."""
    from guardian.usecases.focus import write_target

    events = session.read_events(window)
    try:
        target = write_target(session)
    except InputError:  # a calendar that cannot hold blocks: only blocks it shows itself
        target = None
    if target is not None and target is not session.sources[0]:
        seen = {e.uid for e in events if e.own_block}
        events += [b for b in target.own_blocks(window) if b.uid not in seen]
    blocks = [e for e in events if e.own_block and is_booked_focus(e)]  # held or defended
    meetings = [e for e in events if is_busy(e)]
    return blocks, meetings

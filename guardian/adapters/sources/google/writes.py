"""guardian's focus blocks in a Google calendar: create, move, delete, batched.

Blocks are native focusTime events, tagged in extendedProperties.private;
where Google rejects focusTime (anything but the primary calendar of a
Workspace user) they fall back to ordinary busy events with the same tag.
Only tagged events are ever moved or deleted (`refuse_foreign`). A create
carries an event id guardian chose, so retrying an insert that Google
carried out but whose answer was lost gets 409, not a second block. Several
writes go out as one multipart batch (`GoogleTransport.batch_once`); the
ones that fail in a retryable way go out again under the one retry policy
(`guardian.adapters.retry.retry_failed_items`), the rest alone.
"""

from __future__ import annotations

import base64
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import partial
from typing import TYPE_CHECKING, Any

from guardian.adapters.retry import Outcome, retry_failed_items
from guardian.adapters.settings import GoogleSettings
from guardian.adapters.sources.base import ApplyResult, refuse_foreign
from guardian.adapters.sources.google.transport import (
    Answer,
    GoogleTransport,
    is_google_failure,
    is_retryable,
    retry_after,
    status_of,
)
from guardian.core.model import FOCUS_TITLE, GUARDIAN_TAG, GUARDIAN_TAG_VALUE, Block, BlockOp, OpKind
from guardian.errors import InputError

if TYPE_CHECKING:
    from guardian.adapters.state import State

log = logging.getLogger("guardian.google")


def new_event_id() -> str:
    """A fresh Google event id: base32hex characters (a-v, 0-9), 5 to 1024 of them."""
    return base64.b32hexencode(uuid.uuid4().bytes).decode().lower().rstrip("=")


@dataclass(frozen=True)
class _Done:
    """A write that holds: Google's answer, or the block was gone already (a delete)."""

    response: Any
    already_gone: bool = False


@dataclass
class _Write:
    """One write of apply(): a create, a move or a delete."""

    op: BlockOp
    kind: OpKind
    block: Block | None = None
    event_id: str = ""
    focus_time: bool = True  # create as eventType focusTime (else plain busy event)
    attempts: int = 0
    # a create names its event id itself, so a retry of an insert Google already
    # carried out (its answer lost to a 5xx or a timeout) is a 409, not a second block
    new_id: str = ""

    def __post_init__(self) -> None:
        if self.kind is OpKind.CREATE and not self.new_id:
            self.new_id = new_event_id()


def block_body(block: Block, tz: tzinfo, settings: GoogleSettings, *, focus_time: bool) -> dict:
    """The event resource of a focus block: private, no reminders, tagged; busy when defended."""
    tzname = getattr(tz, "key", None)

    def point(dt: datetime) -> dict:
        out = {"dateTime": dt.isoformat()}
        if tzname:
            out["timeZone"] = tzname
        return out

    body: dict[str, Any] = {
        "summary": FOCUS_TITLE,
        "description": "Booked by guardian for uninterrupted work.",
        "start": point(block.start),
        "end": point(block.end),
        **show_as(block, settings, focus_time=False),
        "visibility": "private",
        "reminders": {"useDefault": False, "overrides": []},
        "extendedProperties": {"private": {GUARDIAN_TAG: GUARDIAN_TAG_VALUE}},
    }
    if focus_time:
        body["eventType"] = "focusTime"
        body.update(show_as(block, settings, focus_time=True))
    return body


def show_as(block: Block, settings: GoogleSettings, *, focus_time: bool) -> dict:
    """A block's free/busy: opaque when defended, transparent when held.

    A held focusTime block declines nothing: others may still book over it
    (Google's autoDeclineMode, "declineNone").
    """
    out: dict[str, Any] = {"transparency": "opaque" if block.defended else "transparent"}
    if focus_time:
        auto_decline = settings.focus_auto_decline and block.defended
        props: dict[str, Any] = {
            "autoDeclineMode": "declineOnlyNewConflictingInvitations" if auto_decline else "declineNone",
            "chatStatus": settings.focus_chat_status,
        }
        if auto_decline and settings.focus_decline_message:
            props["declineMessage"] = settings.focus_decline_message
        out["focusTimeProperties"] = props
    return out


class BlockWrites:
    """Applies reconcile's operations to one Google calendar."""

    def __init__(
        self,
        transport: GoogleTransport,
        state: State | None,
        settings: GoogleSettings,
        tz: tzinfo,
        spec: str,
        *,
        sync_key: str,
        changed: Callable[[], None],
    ) -> None:
        self.transport = transport
        self.state = state
        self.settings = settings
        self.tz = tz
        self.spec = spec
        self.sync_key = sync_key  # the state store records our blocks under the calendar's key
        self.changed = changed  # told before the calendar changes
        self.focus_time_rejected = False  # set when Google refused focusTime on this calendar

    def apply(self, ops: Sequence[BlockOp]) -> ApplyResult:
        refuse_foreign(ops)
        result = ApplyResult()
        pending: list[_Write] = []
        for op in ops:
            if op.kind is OpKind.KEEP:
                result.kept += 1
            elif op.kind is OpKind.CREATE:
                if op.block is None:
                    raise InputError(f"{self.spec}: a create without a block")
                pending.append(_Write(op, op.kind, op.block, focus_time=not self.focus_time_rejected))
            else:
                assert op.existing is not None  # refuse_foreign checked it
                if (op.kind is OpKind.MOVE or op.kind.switches) and op.block is None:
                    raise InputError(f"{self.spec}: a {op.kind} without a block")
                pending.append(_Write(op, op.kind, op.block, event_id=op.existing.provider_id))
        if not pending:
            return result
        svc = self.transport.service(write=True)
        self.changed()
        try:
            outcomes = retry_failed_items(
                partial(self._round, svc),
                pending,
                is_retryable=is_retryable,
                retry_after=retry_after,
                attempts=self.transport.attempts,
                sleep=self.transport.sleep,
            )
        except Exception as exc:  # a batch request failed as a whole, for good
            if is_google_failure(exc):
                raise self.transport.fail(exc, "writing focus blocks", self.transport.attempts) from None
            raise
        failures: list[tuple[_Write, BaseException]] = []
        for w, (done, failure) in zip(pending, outcomes, strict=True):
            if done is not None:
                self._record(w, done, result)
            elif failure is not None:
                failures.append((w, failure))
        if failures:
            w, failure = failures[0]
            error = self.transport.fail(failure, f"{w.kind.value} of a focus block", w.attempts)
            done_count = result.created + result.moved + result.deleted
            if done_count:
                error.message += f"; {done_count} other change(s) were made, a re-run completes the rest"
            raise error
        return result

    def _round(self, svc: Any, writes: list[_Write]) -> list[Outcome[_Done]]:
        """Send `writes` once and judge each answer.

        A 409 on a create means our own id exists (an earlier try went
        through, its answer was lost); a 404/410 on a delete means the block
        is gone already: both are done. A 400 on a focusTime create means
        Google allows focusTime only on a Workspace user's primary calendar:
        those blocks go out again at once as busy events, and every later
        create on this calendar is one.
        """
        outcomes: list[Outcome[_Done]] = []
        again: list[int] = []
        for n, (w, (response, exc)) in enumerate(zip(writes, self._send(svc, writes), strict=True)):
            w.attempts += 1
            status = status_of(exc) if exc is not None else None
            if exc is None:
                outcomes.append((_Done(response), None))
            elif w.kind is OpKind.CREATE and status == 409:
                outcomes.append((_Done({"id": w.new_id}), None))
            elif w.kind is OpKind.DELETE and status in (404, 410):
                outcomes.append((_Done(None, already_gone=True), None))
            elif w.kind is OpKind.CREATE and w.focus_time and status == 400:
                if not self.focus_time_rejected:
                    log.info("%s: focusTime refused, booking busy events instead", self.spec)
                self.focus_time_rejected = True
                w.focus_time = False
                w.attempts -= 1  # not a try of the busy event
                again.append(n)
                outcomes.append((None, exc))
            else:
                outcomes.append((None, exc))
        if again:
            for n, answer in zip(again, self._round(svc, [writes[n] for n in again]), strict=True):
                outcomes[n] = answer
        return outcomes

    def _request(self, svc: Any, w: _Write) -> Any:
        events = svc.events()
        calendar = self.transport.calendar_id
        if w.kind is OpKind.CREATE:
            assert w.block is not None
            body = block_body(w.block, self.tz, self.settings, focus_time=w.focus_time)
            return events.insert(calendarId=calendar, body={"id": w.new_id, **body}, fields="id,eventType")
        focus_time = dict(w.op.existing.extra).get("eventType") == "focusTime" if w.op.existing else False
        if w.kind is OpKind.MOVE:
            assert w.block is not None
            tzname = getattr(self.tz, "key", None)
            extra = {"timeZone": tzname} if tzname else {}
            return events.patch(
                calendarId=calendar,
                eventId=w.event_id,
                body={
                    "start": {"dateTime": w.block.start.isoformat(), **extra},
                    "end": {"dateTime": w.block.end.isoformat(), **extra},
                    **show_as(w.block, self.settings, focus_time=focus_time),
                },
                fields="id",
            )
        if w.kind.switches:  # held <-> defended: the same block, its free/busy changed
            assert w.block is not None
            body = show_as(w.block, self.settings, focus_time=focus_time)
            return events.patch(calendarId=calendar, eventId=w.event_id, body=body, fields="id")
        return events.delete(calendarId=calendar, eventId=w.event_id)

    def _send(self, svc: Any, writes: list[_Write]) -> list[Answer]:
        """Send once: a single request, or batches."""
        if len(writes) == 1:
            return [self.transport.execute_once(self._request(svc, writes[0]))]
        return self.transport.batch_once([partial(self._request, svc, w) for w in writes])

    def _when_text(self, w: _Write) -> str:
        ev = w.op.existing
        start = w.block.start if w.block else (ev.start if ev else None)
        end = w.block.end if w.block else (ev.end if ev else None)
        if start is None or end is None:
            return "focus block"
        tz = self.tz
        return f"focus block {start.astimezone(tz):%Y-%m-%d %H:%M}-{end.astimezone(tz):%H:%M}"

    def _record(self, w: _Write, done: _Done, result: ApplyResult) -> None:
        response = done.response
        if w.kind is OpKind.CREATE:
            result.created += 1
            how = "focus time" if w.focus_time else "busy event"
            result.details.append(f"created {self._when_text(w)} ({how})")
            if self.state is not None and w.block is not None and response:
                self.state.record_block(self.sync_key, response["id"], w.block.start, w.block.end)
        elif w.kind is OpKind.MOVE:
            result.moved += 1
            result.details.append(f"moved {self._when_text(w)}")
            if self.state is not None and w.block is not None:
                self.state.record_block(self.sync_key, w.event_id, w.block.start, w.block.end)
        elif w.kind.switches:
            result.switched += 1
            result.details.append(f"{w.kind} {self._when_text(w)}")
        else:
            result.deleted += 1
            result.details.append(
                f"deleted {self._when_text(w)}" + (" (already gone)" if done.already_gone else "")
            )
            self._forget(w)

    def _forget(self, w: _Write) -> None:
        if self.state is not None and w.event_id:
            self.state.forget_block(self.sync_key, w.event_id)

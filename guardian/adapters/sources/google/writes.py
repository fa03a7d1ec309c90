"""guardian's focus blocks in a Google calendar: create, move, delete, batched.

Blocks are native focusTime events, tagged in extendedProperties.private,
where the calendar has focus time: Google offers it "only ... on primary
calendars, and to some Google Calendar users"
(https://developers.google.com/calendar/api/guides/calendar-status) and does
not document how a refusal reads. So a group calendar never tries it, and on
a primary calendar guardian concludes "no focus time here" only from the
evidence: the focusTime create refused twice alike (a 4xx that is neither a
rate limit nor a scope problem) and the same block then accepted as an
ordinary busy event. That is remembered per calendar in the state store (and
tried again after FOCUS_RECHECK), so later runs book busy events straight
away; a refusal that passes, or one the busy event gets too, downgrades
nothing and is reported as what it is.
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
from datetime import UTC, datetime, timedelta, tzinfo
from functools import partial
from typing import TYPE_CHECKING, Any

from guardian.adapters.retry import Outcome, retry_failed_items
from guardian.adapters.settings import GoogleSettings
from guardian.adapters.sources.base import ApplyResult, start_apply
from guardian.adapters.sources.google.mapping import personal
from guardian.adapters.sources.google.transport import (
    RATE_REASONS,
    SCOPE_REASONS,
    Answer,
    GoogleTransport,
    error_info,
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

FOCUS_FEATURE = "focus-time"  # the state store's name for what was learned
FOCUS_RECHECK = timedelta(days=30)  # accounts get upgraded: try focus time again after this
#: 4xx answers a refused focusTime can be, as far as guardian can tell (the refusal is undocumented)
REFUSAL_STATUSES = (400, 403)


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
    refusal: tuple[int, str] | None = None  # how a focusTime create of this block was refused
    probing: bool = False  # a busy event after two like refusals: its success proves "no focus time"
    # a create names its event id itself, so a retry of an insert Google already
    # carried out (its answer lost to a 5xx or a timeout) is a 409, not a second block
    new_id: str = ""

    def __post_init__(self) -> None:
        if self.kind is OpKind.CREATE and not self.new_id:
            self.new_id = new_event_id()


def may_have_focus_time(calendar_id: str) -> bool:
    """Whether focus time can exist on this calendar at all: "These features are only
    available on primary calendars" (calendar-status guide), so a group, resource or
    imported calendar (`...calendar.google.com`) never tries it."""
    return calendar_id == "primary" or personal(calendar_id) is not None


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
        # set when this calendar has no focus time: a group calendar, or learned from Google
        self.focus_time_rejected = not may_have_focus_time(transport.calendar_id) or self._remembered()

    def _remembered(self) -> bool:
        """Whether the state store learned recently that this calendar refuses focus time."""
        if self.state is None:
            return False
        known = self.state.feature(self.sync_key, FOCUS_FEATURE)
        return (
            known is not None
            and known[0].startswith("unsupported")
            and (datetime.now(UTC) - known[1] < FOCUS_RECHECK)
        )

    def _learned_no_focus_time(self, refusal: tuple[int, str]) -> None:
        if not self.focus_time_rejected:
            log.info(
                "%s: focus time refused twice (%s %s) and a busy event accepted: booking busy events here",
                self.spec,
                *refusal,
            )
        self.focus_time_rejected = True
        if self.state is not None:
            with self.state.transaction():
                self.state.set_feature(
                    self.sync_key, FOCUS_FEATURE, f"unsupported: {refusal[0]} {refusal[1]}"
                )

    def apply(self, ops: Sequence[BlockOp]) -> ApplyResult:
        result, writes = start_apply(ops)
        pending: list[_Write] = []
        for op in writes:
            if op.kind is OpKind.CREATE:
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
        is gone already: both are done. A refused focusTime create is tried
        once more as focusTime (a refusal that passes downgrades nothing);
        refused alike twice, the block goes out as a busy event, and if that
        is accepted the calendar has no focus time (see the module's notes).
        """
        outcomes: list[Outcome[_Done]] = []
        again: list[int] = []
        for n, (w, (response, exc)) in enumerate(zip(writes, self._send(svc, writes), strict=True)):
            w.attempts += 1
            status = status_of(exc) if exc is not None else None
            if exc is None:
                if w.probing and w.refusal is not None:
                    self._learned_no_focus_time(w.refusal)
                outcomes.append((_Done(response), None))
            elif w.kind is OpKind.CREATE and status == 409:
                outcomes.append((_Done({"id": w.new_id}), None))
            elif w.kind is OpKind.DELETE and status in (404, 410):
                outcomes.append((_Done(None, already_gone=True), None))
            elif w.kind is OpKind.CREATE and w.focus_time and self._maybe_refused(exc):
                seen = (status or 0, error_info(exc)[0])
                if self.focus_time_rejected:  # learned meanwhile, from another block of this run
                    w.focus_time = False
                elif w.refusal is None:
                    w.refusal = seen  # once more as focusTime: a refusal that passes is not one
                elif w.refusal == seen:
                    w.focus_time, w.probing = False, True  # twice alike: does a busy event pass?
                else:
                    outcomes.append((None, exc))
                    continue
                w.attempts -= 1  # a question to the calendar, not a try of the write
                again.append(n)
                outcomes.append((None, exc))
            else:
                outcomes.append((None, exc))
        if again:
            for n, answer in zip(again, self._round(svc, [writes[n] for n in again]), strict=True):
                outcomes[n] = answer
        return outcomes

    @staticmethod
    def _maybe_refused(exc: BaseException) -> bool:
        """A 4xx that could be the calendar refusing focus time (not a rate limit, not a scope)."""
        reason = error_info(exc)[0]
        return status_of(exc) in REFUSAL_STATUSES and reason not in RATE_REASONS | SCOPE_REASONS

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

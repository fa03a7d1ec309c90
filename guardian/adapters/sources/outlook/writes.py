"""guardian's focus blocks in an Outlook calendar: create, move, delete, batched.

Blocks are busy, private events without reminders in the "Focus time"
category (`focus_category`), tagged with a single-value extended property
and found again by filtering on it, never by title. Only tagged events are
ever moved or deleted (`refuse_foreign`). A create carries a transactionId,
so retrying one the mailbox carried out (its answer lost) is not a second
block. Several writes go out as JSON batches of at most 20.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from guardian.adapters.sources.base import ApplyResult, start_apply
from guardian.adapters.sources.outlook.mapping import TAG_PROPERTY_ID
from guardian.adapters.sources.outlook.transport import GraphFailure, GraphTransport, graph_error
from guardian.core.model import FOCUS_TITLE, GUARDIAN_TAG_VALUE, BlockOp, OpKind
from guardian.errors import ProviderError

if TYPE_CHECKING:
    from guardian.adapters.state import State

# failures that mean the wanted state already holds: a block deleted before, or a
# create whose transactionId the mailbox has seen (an earlier try went through)
DONE_ANYWAY = {OpKind.DELETE: (404,), OpKind.CREATE: (409,)}


def graph_time(dt: datetime) -> dict:
    """A dateTimeTimeZone in UTC, as Graph takes it."""
    return {"dateTime": dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"}


def block_body(start: datetime, end: datetime, focus_category: str, *, defended: bool = True) -> dict:
    """The event of a focus block: private, no reminder, no response asked, tagged;
    shown busy when defended, free when held."""
    return {
        "subject": FOCUS_TITLE,
        "body": {"contentType": "text", "content": "Focus time booked by guardian."},
        "start": graph_time(start),
        "end": graph_time(end),
        "showAs": show_as(defended),
        "sensitivity": "private",
        "isReminderOn": False,
        "responseRequested": False,
        "categories": [focus_category],
        "singleValueExtendedProperties": [{"id": TAG_PROPERTY_ID, "value": GUARDIAN_TAG_VALUE}],
    }


def show_as(defended: bool) -> str:
    """Graph's freeBusyStatus of a block: busy when defended, free when held."""
    return "busy" if defended else "free"


class BlockWrites:
    """Applies reconcile's operations to one mailbox's calendar."""

    def __init__(
        self,
        transport: GraphTransport,
        state: State | None,
        focus_category: str,
        *,
        changed: Callable[[], None],
    ) -> None:
        self.transport = transport
        self.state = state
        self.focus_category = focus_category
        self.spec = transport.spec  # the state store records our blocks under the spec
        self.changed = changed  # told before the calendar changes

    def _event_url(self, provider_id: str) -> str:
        return f"{self.transport.base}/events/{quote(provider_id, safe='')}"

    def _request(self, op: BlockOp) -> dict | None:
        if op.kind is OpKind.CREATE:
            assert op.block is not None
            # transactionId: a retry of a create the mailbox already carried out
            # (its answer lost to a 504 or a timeout) is refused, not a second block
            body = dict(
                block_body(op.block.start, op.block.end, self.focus_category, defended=op.block.defended),
                transactionId=str(uuid.uuid4()),
            )
            return {"method": "POST", "url": f"{self.transport.base}/events", "body": body}
        if op.kind is OpKind.MOVE:
            assert op.block is not None and op.existing is not None
            return {
                "method": "PATCH",
                "url": self._event_url(op.existing.provider_id),
                "body": {
                    "start": graph_time(op.block.start),
                    "end": graph_time(op.block.end),
                    "showAs": show_as(op.block.defended),
                },
            }
        if op.kind.switches:  # held <-> defended: the same block, its free/busy changed
            assert op.block is not None and op.existing is not None
            return {
                "method": "PATCH",
                "url": self._event_url(op.existing.provider_id),
                "body": {"showAs": show_as(op.block.defended)},
            }
        if op.kind is OpKind.DELETE:
            assert op.existing is not None
            return {"method": "DELETE", "url": self._event_url(op.existing.provider_id)}
        return None

    def apply(self, ops: Sequence[BlockOp]) -> ApplyResult:
        result, ops_to_write = start_apply(ops)
        self.changed()  # what own_blocks() saw is about to change
        writes: list[tuple[BlockOp, dict]] = []
        for op in ops_to_write:
            req = self._request(op)
            if req is not None:
                writes.append((op, req))
        if not writes:
            return result

        if len(writes) == 1:
            op, req = writes[0]
            try:
                status, body = self.transport.call(
                    req["method"],
                    req["url"],
                    body=req.get("body"),
                    write=True,
                    what=f"{op.kind} a focus block",
                    passthrough=DONE_ANYWAY.get(op.kind, ()),
                )
                outcomes = [{"status": status, "body": body}]
            except GraphFailure as exc:  # already gone / already created: done
                outcomes = [{"status": exc.status, "body": None}]
        else:
            outcomes = self.transport.batch([r for _, r in writes], write=True)

        failures = []
        for (op, _req), out in zip(writes, outcomes, strict=False):
            status = int(out.get("status") or 0)
            ok = 200 <= status < 300 or status in DONE_ANYWAY.get(op.kind, ())
            if not ok:
                code, message = graph_error(out.get("body"))
                failures.append(f"{op.kind} {status} {code} {message}".strip())
                continue
            self._record(op, out.get("body"), result)
        if failures:
            raise ProviderError(
                f"{self.spec}: {len(failures)} of {len(writes)} writes failed: "
                + "; ".join(failures[:3])[:400]
            )
        return result

    def _record(self, op: BlockOp, body: Any, result: ApplyResult) -> None:
        state = self.state
        if op.kind is OpKind.CREATE and op.block is not None:
            result.created += 1
            new_id = (body or {}).get("id", "")
            result.details.append(f"created {op.block.start.isoformat()}–{op.block.end.isoformat()}")
            if state is not None and new_id:
                state.record_block(self.spec, new_id, op.block.start, op.block.end)
        elif op.kind is OpKind.MOVE and op.block is not None and op.existing is not None:
            result.moved += 1
            result.details.append(f"moved to {op.block.start.isoformat()}–{op.block.end.isoformat()}")
            if state is not None:
                state.record_block(self.spec, op.existing.provider_id, op.block.start, op.block.end)
        elif op.kind.switches and op.block is not None:
            result.switched += 1
            result.details.append(f"{op.kind} {op.block.start.isoformat()}–{op.block.end.isoformat()}")
        elif op.kind is OpKind.DELETE and op.existing is not None:
            result.deleted += 1
            result.details.append(f"deleted {op.existing.start.isoformat()}")
            if state is not None:
                state.forget_block(self.spec, op.existing.provider_id)

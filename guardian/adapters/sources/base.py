"""The one small interface every calendar backend implements.

The audit, the focus planner and replies talk only to `Source`; they never
import a provider module. A backend reads normalized events for a window and,
when it can write, manages guardian's own blocks and answers invitations.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import tzinfo

from guardian.core.model import BlockOp, Event, OpKind, Status, Window
from guardian.errors import InputError


@dataclass(frozen=True)
class Identity:
    """Who "I" am and where I am, as the sources need to know it."""

    tz: tzinfo
    me: str | None = None  # my email address (required for .ics to know my status)
    domains: tuple[str, ...] = ()  # my organisation's domains, for `external`

    def is_me(self, email: str | None) -> bool:
        return bool(self.me and email and email.strip().lower() == self.me.lower())

    def is_external(self, email: str) -> bool:
        domain = email.rsplit("@", 1)[-1].lower() if "@" in email else ""
        if not domain:
            return False
        home = {d.lower() for d in self.domains}
        if not home and self.me and "@" in self.me:
            home = {self.me.rsplit("@", 1)[-1].lower()}
        return bool(home) and domain not in home


@dataclass
class ApplyResult:
    """What a write actually did, for the run log."""

    created: int = 0
    moved: int = 0
    deleted: int = 0
    kept: int = 0
    details: list[str] = field(default_factory=list)


class Source(ABC):
    """A calendar guardian can read (and sometimes write)."""

    #: the spec the user wrote, e.g. "ics:team.ics" or "google:primary"
    spec: str
    #: short label used in messages and in `Event.source`
    label: str

    @abstractmethod
    def read(self, window: Window) -> list[Event]:
        """Every event instance overlapping `window`, recurring series expanded."""

    # --- writes: optional ----------------------------------------------------

    def own_blocks(self, window: Window) -> list[Event]:
        """guardian's own focus blocks overlapping `window` (tag, never title)."""
        return [e for e in self.read(window) if e.own_block]

    def apply(self, ops: Sequence[BlockOp]) -> ApplyResult:
        raise InputError(f"{self.spec}: this calendar cannot be written to")

    def respond(self, event: Event, status: Status, comment: str) -> None:
        raise InputError(f"{self.spec}: this calendar cannot send replies")


def refuse_foreign(ops: Sequence[BlockOp]) -> None:
    """Guard shared by every writer: only guardian-tagged events are touched."""
    for op in ops:
        if op.kind in (OpKind.MOVE, OpKind.DELETE, OpKind.KEEP):
            if op.existing is None or not op.existing.own_block:
                title = op.existing.title if op.existing else "?"
                raise RuntimeError(f"refusing to {op.kind} event {title!r}: guardian did not create it")

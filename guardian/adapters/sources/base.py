"""The one small interface every calendar backend implements.

Terms, as the rest of guardian uses them:

- a *source* is one calendar the user named (`-c SPEC` or `[calendars.NAME]`);
  it reads normalized `Event`s for a window;
- its *capabilities* say what else it can do: where guardian's focus blocks
  go (`BlockHome`), whether it answers invitations itself (RSVP) or leaves
  that to mail (iTIP), and whether it keeps sync state in the state store;
- a *block writer* holds guardian's own focus blocks for a source: the
  calendar itself for a provider, a separate block file for an .ics file.
  It lists its blocks and applies reconcile operations, refusing any
  operation on an event guardian did not create;
- a *free/busy lookup* tells other people's busy times (never their events'
  titles), for the focus price of a meeting to everyone invited; a source
  offers one when its capabilities say `free_busy`.

The use cases talk only to these types. They never import a backend module,
never test a source's class and never parse a spec: they ask `capabilities`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Protocol

from guardian.core.model import FOCUS_TITLE, BlockOp, Event, OpKind, Status, Window
from guardian.errors import InputError

if TYPE_CHECKING:
    from guardian.adapters.settings import Settings
    from guardian.adapters.state import State


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


class BlockHome(StrEnum):
    """Where guardian's focus blocks for a source live."""

    NONE = "none"  # this source cannot hold blocks
    IN_PLACE = "in-place"  # tagged events in the calendar itself
    BLOCK_FILE = "block-file"  # a separate .ics file the user imports or subscribes to


@dataclass(frozen=True)
class Capabilities:
    """What a source can do beyond reading.

    `rsvp` names the provider channel that answers invitations ("google",
    "outlook"), or is "" when replies go out as iTIP mail. `needs_state`
    says the source keeps sync marks or caches in the state store.
    """

    blocks: BlockHome = BlockHome.NONE
    rsvp: str = ""
    needs_state: bool = False
    #: it can ask the provider for other people's free/busy (`Source.free_busy`)
    free_busy: bool = False
    #: it can set my presence in the provider's chat to do not disturb (`Source.presence`)
    presence: bool = False


@dataclass
class ApplyResult:
    """What a write actually did, for the run log."""

    created: int = 0
    moved: int = 0
    deleted: int = 0
    kept: int = 0
    switched: int = 0  # blocks turned from held (free) to defended (busy), or back
    conflicts: int = 0  # changes not made because someone else changed the event first (HTTP 412)
    details: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class BlockOptions:
    """How blocks are written, from `[focus]` and `--output`."""

    output: Path | None = None  # the block file, for sources whose blocks live in one
    title: str = FOCUS_TITLE


@dataclass
class FreeBusyAnswer:
    """Other people's busy times for a window, as the provider's free/busy tells them.

    `busy` holds merged UTC intervals per lower-cased address, for the people
    the provider answered for; `unknown` says why the others are missing (not
    found, not shared, a group too big). `requests` counts the calls it took.
    """

    busy: dict[str, list[tuple[datetime, datetime]]] = field(default_factory=dict)
    unknown: dict[str, str] = field(default_factory=dict)
    requests: int = 0


class FreeBusy(Protocol):
    """Asks the provider when people are busy: free/busy only, never what they are busy with."""

    def busy(self, people: Sequence[str], window: Window) -> FreeBusyAnswer: ...


class Presence(Protocol):
    """My status in the provider's own chat (Teams): do not disturb for a while, then back."""

    label: str

    def do_not_disturb(self, minutes: int) -> None: ...

    def clear(self) -> None: ...


class BlockWriter(Protocol):
    """Where guardian's own blocks for one source are listed and changed."""

    spec: str
    label: str

    def own_blocks(self, window: Window) -> list[Event]: ...

    def apply(self, ops: Sequence[BlockOp]) -> ApplyResult: ...


class Source(ABC):
    """A calendar guardian can read (and, as its capabilities say, write)."""

    #: what every instance of this kind can do
    capabilities: ClassVar[Capabilities] = Capabilities()
    #: the spec the user wrote, e.g. "ics:team.ics" or "google:primary"
    spec: str
    #: short label used in messages and in `Event.source`
    label: str
    #: True when `open` wants the whole spec (a URL keeps its scheme), not what follows `scheme:`
    whole_spec: ClassVar[bool] = False

    @classmethod
    @abstractmethod
    def open(
        cls,
        target: str,
        settings: Settings,
        identity: Identity,
        state: State | None,
        *,
        base_dir: Path | None = None,
    ) -> Source:
        """The source for a spec's target (what follows `scheme:`), with its settings.

        `base_dir` is the folder relative paths in the target are relative
        to (the config file's, for a configured calendar; else the current one).
        """

    @abstractmethod
    def read(self, window: Window) -> list[Event]:
        """Every event instance overlapping `window`, recurring series expanded."""

    # --- writes: as the capabilities say ---------------------------------------

    @property
    def files(self) -> tuple[Path, ...]:
        """Local files this source reads (guardian never writes to them)."""
        return ()

    def use_cache(self, enabled: bool) -> None:
        """`--no-cache` (enabled False): read afresh, without guardian's cache of parsed calendars.

        Sources that keep no such cache have nothing to turn off.
        """
        del enabled  # nothing to turn off

    def block_writer(self, options: BlockOptions, state: State | None = None) -> BlockWriter:
        """Where this source's focus blocks are written (itself, for in-place sources)."""
        raise InputError(f"{self.spec}: focus blocks cannot be booked on this calendar")

    def own_blocks(self, window: Window) -> list[Event]:
        """guardian's own focus blocks overlapping `window` (tag, never title)."""
        return [e for e in self.read(window) if e.own_block]

    def apply(self, ops: Sequence[BlockOp]) -> ApplyResult:
        raise InputError(f"{self.spec}: this calendar cannot be written to")

    def respond(self, event: Event, status: Status, comment: str) -> None:
        """Answer an invitation with `status`, carrying `comment` to the organizer.

        Raises `ResponsesOff`, having changed nothing, when the organizer asked
        for no answers (so `comment` could never reach them).
        """
        raise InputError(f"{self.spec}: this calendar cannot send replies")

    def free_busy(self) -> FreeBusy:
        """The provider's free/busy of other people (when `capabilities.free_busy`)."""
        raise InputError(f"{self.spec}: this calendar cannot tell other people's free/busy")

    def presence(self) -> Presence:
        """My presence in the provider's chat (when `capabilities.presence`)."""
        raise InputError(f"{self.spec}: this calendar has no chat presence to set")


class ResponsesOff(InputError):
    """The organizer turned responses off for this meeting: an answer (and its comment)
    would reach nobody, so none was sent and nothing changed.

    `code` is the stable reason a replies plan can show ("responses-off"),
    as for its other skips; the message names the event and why.
    """

    code = "responses-off"


def start_apply(ops: Sequence[BlockOp]) -> tuple[ApplyResult, list[BlockOp]]:
    """How every writer's `apply` begins: foreign events refused, the kept blocks counted;
    the result to fill in and the operations that write."""
    refuse_foreign(ops)
    writes = [op for op in ops if op.kind is not OpKind.KEEP]
    return ApplyResult(kept=len(ops) - len(writes)), writes


def refuse_foreign(ops: Sequence[BlockOp]) -> None:
    """Guard shared by every writer: only guardian-tagged events are touched."""
    for op in ops:
        if op.kind in (OpKind.MOVE, OpKind.DELETE, OpKind.KEEP, OpKind.DEFEND, OpKind.HOLD) and (
            op.existing is None or not op.existing.own_block
        ):
            title = op.existing.title if op.existing else "?"
            raise RuntimeError(f"refusing to {op.kind} event {title!r}: guardian did not create it")

"""The normalized calendar model every part of guardian reasons about.

Sources (ics, Google, Outlook) translate their own shapes into these frozen
records; rules, the focus planner, replies and reports only ever see them.
Keeping them immutable means a decision can be recomputed from the same
input and always give the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """My relationship to an event (who "I" am is decided by the source)."""

    ORGANIZER = "organizer"
    ACCEPTED = "accepted"
    TENTATIVE = "tentative"
    NEEDS_ACTION = "needs-action"
    DECLINED = "declined"


class LinkKind(StrEnum):
    DOC = "doc"
    CONFERENCE = "conference"
    OTHER = "other"


class EventKind(StrEnum):
    """What the provider says the event is, beyond an ordinary meeting."""

    DEFAULT = "default"
    FOCUS = "focus"  # the user's own focus time (Google focusTime, Outlook category, guardian)
    OUT_OF_OFFICE = "out-of-office"


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    kind: LinkKind
    label: str = ""  # e.g. "Google Docs", "Zoom", "attachment"


@dataclass(frozen=True, slots=True)
class Person:
    email: str
    name: str = ""

    @property
    def display(self) -> str:
        return self.name or self.email


@dataclass(frozen=True, slots=True)
class Attendee:
    email: str
    name: str = ""
    status: Status = Status.NEEDS_ACTION
    optional: bool = False
    resource: bool = False  # rooms and equipment are not people


@dataclass(frozen=True, slots=True)
class Event:
    """One instance in time; recurring series arrive already expanded.

    `uid` is stable across the instances of a series; `instance_id` tells
    the instances apart (uid plus the original start of the occurrence).
    """

    uid: str
    start: datetime
    end: datetime
    title: str = ""
    all_day: bool = False
    description: str = ""
    links: tuple[Link, ...] = ()
    organizer: Person | None = None
    attendees: tuple[Attendee, ...] = ()
    my_status: Status = Status.ORGANIZER
    recurring: bool = False
    series_end: datetime | None = None  # None for an endless (or not recurring) series
    busy: bool = True
    cancelled: bool = False
    created: datetime | None = None
    external: bool = False
    source: str = ""
    own_block: bool = False
    kind: EventKind = EventKind.DEFAULT
    recurrence_id: datetime | None = None
    location: str = ""
    categories: tuple[str, ...] = ()
    provider_id: str = ""  # the provider's id of this instance, for writes
    sequence: int = 0  # the invite's revision (iCalendar SEQUENCE); a reply must echo it
    extra: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    #: `people`, worked out once: the rules ask for it many times per event
    _people: tuple[Attendee, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError(f"event {self.uid!r}: naive datetime; sources must attach a zone")
        people = tuple(a for a in self.attendees if not a.resource)
        if self.organizer is not None and self.organizer.email:
            organizer = self.organizer.email.lower()
            if all(a.email.lower() != organizer for a in people):
                people += (Attendee(self.organizer.email, self.organizer.name, Status.ACCEPTED),)
        object.__setattr__(self, "_people", people)

    @property
    def instance_id(self) -> str:
        anchor = (self.recurrence_id or self.start).astimezone(UTC)
        return f"{self.uid}@{anchor.isoformat()}" if self.recurring else self.uid

    @property
    def duration(self) -> timedelta:
        """Elapsed time (not wall clock, which is off by an hour on DST days)."""
        return timedelta(seconds=self.end.timestamp() - self.start.timestamp())

    @property
    def minutes(self) -> float:
        return self.duration.total_seconds() / 60

    @property
    def people(self) -> tuple[Attendee, ...]:
        """The people in the meeting: attendees (no rooms) and the organizer.

        Outlook names the organizer only in ORGANIZER, never again as an
        attendee, yet the organizer is in the meeting all the same.
        """
        return self._people

    @property
    def doc_links(self) -> tuple[Link, ...]:
        return tuple(link for link in self.links if link.kind is LinkKind.DOC)

    @property
    def makes_me_busy(self) -> bool:
        """Whether this event takes the time away from focus work."""
        return self.busy and not self.cancelled and self.my_status is not Status.DECLINED

    def with_(self, **changes: Any) -> Event:
        return replace(self, **changes)


@dataclass(frozen=True, slots=True)
class Window:
    """The half-open span [start, end) a command looks at."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("window bounds must be aware datetimes")
        if self.end <= self.start:
            raise ValueError("window end must be after its start")

    def days(self) -> list[date]:
        tz = self.start.tzinfo
        first = self.start.astimezone(tz).date()
        last = (self.end - timedelta(microseconds=1)).astimezone(tz).date()
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return start < self.end and end > self.start


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str  # code, e.g. "D001"
    name: str  # kebab-case name, e.g. "missing-pre-read"
    severity: Severity
    message: str
    action: str  # "flag", "request-pre-read", "suggest-async:update", ...
    event: Event | None = None
    day: date | None = None
    hint: str = ""  # what to do instead, one line
    check: str = ""  # the built-in check that found it (what code asks, never the rule's code)
    #: the stretch of the day a day-level finding is about (H002's run of meetings)
    span: tuple[datetime, datetime] | None = None

    @property
    def key(self) -> str:
        """Names this finding across a run: its rule and its occurrence (or day and span)."""
        if self.event is not None:
            return f"{self.rule}|{self.event.instance_id}"
        if self.span is not None:
            return f"{self.rule}|{self.day}|{self.span[0].astimezone(UTC).isoformat()}"
        return f"{self.rule}|{self.day}"

    @property
    def fingerprint(self) -> str:
        """Names this finding across runs, for a baseline: its rule and its series (or day).

        An event finding is the same finding on every occurrence of its series,
        so a baselined standup stays quiet next week; a day-level finding
        belongs to its day, a window-level one to no day at all.
        """
        if self.event is not None:
            return f"{self.rule}|{self.event.uid}"
        return f"{self.rule}|{self.day.isoformat() if self.day else 'window'}"

    @property
    def sort_key(self) -> tuple[date, float, str, str]:
        when = self.event.start if self.event else (self.span[0] if self.span else None)
        return (
            self.day or (when.date() if when else date.min),
            when.timestamp() if when else 0.0,
            self.event.title if self.event else "",
            self.rule,
        )


# --- guardian's own writes -------------------------------------------------

GUARDIAN_TAG = "guardian"  # key of the tag that marks an event guardian created
GUARDIAN_TAG_VALUE = "focus-block"
FOCUS_TITLE = "Focus time"


@dataclass(frozen=True, slots=True, order=True)
class Block:
    """A focus block guardian wants on the calendar.

    A *defended* block is busy: it keeps other meetings off (the default, and
    every block under `[focus] defend = "always"`). A *held* block is free
    (transparent): others may still book over it, and the next plan finds
    room elsewhere; `why` says which it is and why, for `focus plan`.
    """

    start: datetime
    end: datetime
    defended: bool = True
    why: str = field(default="", compare=False)

    @property
    def minutes(self) -> float:
        """Elapsed minutes (not wall clock, which is off by an hour on DST days)."""
        return (self.end.timestamp() - self.start.timestamp()) / 60


class OpKind(StrEnum):
    CREATE = "create"
    MOVE = "move"  # change start and/or end of an existing own block (and its free/busy)
    DELETE = "delete"
    KEEP = "keep"
    DEFEND = "defend"  # the same block, turned busy (held -> defended): not a move
    HOLD = "hold"  # the same block, turned free (defended -> held): not a move

    @property
    def switches(self) -> bool:
        """Whether this operation only changes a block's free/busy."""
        return self in (OpKind.DEFEND, OpKind.HOLD)


@dataclass(frozen=True, slots=True)
class BlockOp:
    """One step of reconciling the plan with guardian's existing blocks.

    `existing` is always an own block (`own_block=True`) or None; a reconcile
    that would touch anything else is a bug, and sources refuse it.
    """

    kind: OpKind
    block: Block | None = None  # the wanted block (create / move / keep)
    existing: Event | None = None  # the own block acted upon (move / delete / keep)

"""Records that travel through Temporal: plain dataclasses, no SDK import (workflow-sandbox safe)."""

from __future__ import annotations

from dataclasses import dataclass, field

ROSTER_ACTIVITY = "guardian.roster"
SYNC_ACTIVITY = "guardian.sync"
FOCUS_ACTIVITY = "guardian.focus"
REPLIES_ACTIVITY = "guardian.replies"
RECORD_ACTIVITY = "guardian.record"


@dataclass
class NightArgs:
    """What the Schedule starts `OrgNight` with."""

    config: str | None = None  # the config file, as the workers see it
    roster: str | None = None  # default: [team] roster
    now: str | None = None  # ISO date-time; None: the moment the step runs (a test fixes it)


@dataclass
class Retry:
    attempts: int = 5
    initial_seconds: float = 2.0
    max_seconds: float = 120.0
    timeout_seconds: int = 600  # one step's start-to-close time
    heartbeat_seconds: int = 30  # a silent worker is taken for dead after this long


@dataclass
class PersonJob:
    """One person's night: who, where their activities run, what to do."""

    key: str  # the person's lower-case address
    night: str  # YYYY-MM-DD in the org's zone
    queue: str  # the task queue of their provider (project / tenant)
    config: str | None
    roster: str
    now: str | None
    apply: bool
    replies: bool
    retry: Retry = field(default_factory=Retry)

    @property
    def workflow_id(self) -> str:
        return person_workflow_id(self.night, self.key)


def person_workflow_id(night: str, key: str) -> str:
    """One id per person per night: Temporal refuses a second workflow with it."""
    return f"guardian-night-{night}-{key}"


@dataclass
class Night:
    """What the roster activity tells `OrgNight`: the night and everyone's job."""

    night: str
    jobs: list[PersonJob]


@dataclass
class StepResult:
    summary: str  # one line for the outcome log (never a token)
    counts: dict[str, int] = field(default_factory=dict)

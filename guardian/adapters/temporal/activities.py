"""guardian's steps as Temporal activities: errors mapped to retry decisions, heartbeats while working.

The steps themselves come from the use case (`guardian.usecases.org.OrgSteps`)
and call guardian's existing use cases, whose writes are idempotent (focus
blocks reconciled against the provider's tagged events, requests recorded
pending before delivery and sent after), so a retried step never books a
second block or asks an organizer twice.

Steps block (HTTP calls, database writes), so they run as synchronous
activities in the worker's thread pool. While one runs, a helper thread
heartbeats every few seconds: a worker that is killed stops heartbeating,
and Temporal retries the step elsewhere after `heartbeat_seconds` instead
of waiting for the whole start-to-close timeout.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from typing import Any, Protocol

from temporalio import activity
from temporalio.exceptions import ApplicationError

from guardian.adapters.temporal.types import (
    FOCUS_ACTIVITY,
    RECORD_ACTIVITY,
    REPLIES_ACTIVITY,
    ROSTER_ACTIVITY,
    SYNC_ACTIVITY,
    Night,
    NightArgs,
    PersonJob,
    StepResult,
)
from guardian.errors import AuthError, GuardianError, InputError

#: error classes a retry can cure although they are input errors (someone else holds the person)
RETRYABLE_INPUT = {"PersonBusy", "LockedError"}


class Steps(Protocol):
    def roster(self, args: NightArgs) -> Night: ...

    def sync(self, job: PersonJob) -> StepResult: ...

    def focus(self, job: PersonJob) -> StepResult: ...

    def replies(self, job: PersonJob) -> StepResult: ...

    def record(self, job: PersonJob, status: str, detail: str, workflow_id: str) -> None: ...


def _as_application_error(exc: GuardianError) -> ApplicationError:
    name = type(exc).__name__
    if name in RETRYABLE_INPUT:
        return ApplicationError(str(exc), type=name)
    if isinstance(exc, AuthError):
        return ApplicationError(str(exc), type="AuthError", non_retryable=True)
    if isinstance(exc, InputError):
        return ApplicationError(str(exc), type="InputError", non_retryable=True)
    return ApplicationError(str(exc), type=name)  # provider and network trouble: tried again


def _heartbeating(step: Callable[..., Any], every: float) -> Callable[..., Any]:
    def run(*args: Any) -> Any:
        stop = threading.Event()
        context = contextvars.copy_context()  # the activity's context, for activity.heartbeat

        def beat() -> None:
            while not stop.wait(every):
                context.run(activity.heartbeat)

        beater = threading.Thread(target=beat, name="guardian-heartbeat", daemon=True)
        beater.start()
        try:
            return step(*args)
        except GuardianError as exc:
            raise _as_application_error(exc) from None
        finally:
            stop.set()

    return run


def make_activities(steps: Steps, *, heartbeat_every: float = 5.0) -> list[Callable[..., Any]]:
    """The activity functions of a worker, bound to `steps`."""

    @activity.defn(name=ROSTER_ACTIVITY)
    def roster(args: NightArgs) -> Night:
        return _heartbeating(steps.roster, heartbeat_every)(args)

    @activity.defn(name=SYNC_ACTIVITY)
    def sync(job: PersonJob) -> StepResult:
        return _heartbeating(steps.sync, heartbeat_every)(job)

    @activity.defn(name=FOCUS_ACTIVITY)
    def focus(job: PersonJob) -> StepResult:
        return _heartbeating(steps.focus, heartbeat_every)(job)

    @activity.defn(name=REPLIES_ACTIVITY)
    def replies(job: PersonJob) -> StepResult:
        return _heartbeating(steps.replies, heartbeat_every)(job)

    @activity.defn(name=RECORD_ACTIVITY)
    def record(job: PersonJob, status: str, detail: str, workflow_id: str) -> None:
        _heartbeating(steps.record, heartbeat_every)(job, status, detail, workflow_id)

    return [roster, sync, focus, replies, record]

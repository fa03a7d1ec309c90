"""The two workflows of the org nightly. Deterministic: every decision comes from activities.

`OrgNight` is what the Schedule starts each night. It asks the roster
activity for the night and the people, then starts one `PersonNight` per
person with the id `guardian-night-<night>-<person>` and a duplicate-reject
policy, so a person is processed exactly once a night: a re-triggered
schedule, a retried `OrgNight` or a backfill finds the id taken and moves
on. The children are abandoned, not awaited, so the parent's history stays
small and a slow person never holds up the others.

`PersonNight` runs the person's steps in order, each an activity on the
person's provider queue with the retry policy of `[org] attempts`; an
activity that fails for good (bad input, a refused token, the tries used
up) ends the person's night as failed, with the reason in the outcome log.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ActivityError, ApplicationError, WorkflowAlreadyStartedError

with workflow.unsafe.imports_passed_through():
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

#: errors no retry can cure: the step says so and the person's night ends
NON_RETRYABLE = ["InputError", "AuthError", "StateError"]


def _policy(job: PersonJob) -> RetryPolicy:
    return RetryPolicy(
        initial_interval=timedelta(seconds=job.retry.initial_seconds),
        backoff_coefficient=2.0,
        maximum_interval=timedelta(seconds=job.retry.max_seconds),
        maximum_attempts=job.retry.attempts,
        non_retryable_error_types=NON_RETRYABLE,
    )


@workflow.defn(name="guardian.PersonNight")
class PersonNight:
    @workflow.run
    async def run(self, job: PersonJob) -> str:
        steps = [SYNC_ACTIVITY, FOCUS_ACTIVITY] + ([REPLIES_ACTIVITY] if job.replies else [])
        done: list[str] = []
        try:
            for name in steps:
                result = await workflow.execute_activity(
                    name,
                    job,
                    task_queue=job.queue,
                    start_to_close_timeout=timedelta(seconds=job.retry.timeout_seconds),
                    heartbeat_timeout=timedelta(seconds=job.retry.heartbeat_seconds),
                    retry_policy=_policy(job),
                    result_type=StepResult,
                )
                done.append(result.summary)
        except ActivityError as exc:
            reason = _reason(exc)
            await self._record(job, "failed", f"{name.split('.')[-1]}: {reason}")
            raise ApplicationError(f"{job.key}: {reason}", non_retryable=True) from None
        summary = "; ".join(done)
        await self._record(job, "ok", summary)
        return summary

    async def _record(self, job: PersonJob, status: str, detail: str) -> None:
        await workflow.execute_activity(
            RECORD_ACTIVITY,
            args=[job, status, detail, workflow.info().workflow_id],
            task_queue=workflow.info().task_queue,
            start_to_close_timeout=timedelta(seconds=60),
            retry_policy=RetryPolicy(maximum_attempts=20, maximum_interval=timedelta(seconds=30)),
        )


def _reason(exc: ActivityError) -> str:
    """The step's own message (an ApplicationError inside the activity error)."""
    cause: BaseException | None = exc.cause
    while cause is not None and not isinstance(cause, ApplicationError):
        cause = cause.__cause__
    return cause.message if isinstance(cause, ApplicationError) else exc.message


@workflow.defn(name="guardian.OrgNight")
class OrgNight:
    @workflow.run
    async def run(self, args: NightArgs) -> dict[str, int]:
        night: Night = await workflow.execute_activity(
            ROSTER_ACTIVITY,
            args,
            start_to_close_timeout=timedelta(seconds=300),
            retry_policy=RetryPolicy(maximum_attempts=10, non_retryable_error_types=NON_RETRYABLE),
            result_type=Night,
        )
        started = skipped = 0
        for job in night.jobs:
            try:
                await workflow.start_child_workflow(
                    PersonNight.run,
                    job,
                    id=job.workflow_id,
                    id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                    parent_close_policy=workflow.ParentClosePolicy.ABANDON,
                )
                started += 1
            except WorkflowAlreadyStartedError:
                skipped += 1  # this person's night is running or done: once a night
        return {"people": len(night.jobs), "started": started, "already": skipped}

"""The org run's side of Temporal that is not a worker: the Schedule and what it says.

The Schedule (`guardian org schedule`) starts `OrgNight` at the cron time in
the config's zone; it skips a night whose previous run is still going
(overlap policy SKIP) rather than stacking them, and catches up at most one
missed run after an outage. `describe` gives `guardian org status` the next
runs and the recent ones.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from guardian.adapters.temporal.types import NightArgs
from guardian.adapters.temporal.worker import connect

SCHEDULE_ID = "guardian-org-nightly"


@dataclass
class ScheduleView:
    exists: bool
    cron: str = ""
    zone: str = ""
    paused: bool = False
    next_runs: list[datetime] = field(default_factory=list)
    recent: list[datetime] = field(default_factory=list)


async def ensure_schedule(
    address: str, namespace: str, *, main_queue: str, cron: str, zone: str, args: NightArgs
) -> str:
    """Create the Schedule, or update it to these settings; 'created' or 'updated'."""
    from temporalio.client import (
        Schedule,
        ScheduleActionStartWorkflow,
        ScheduleAlreadyRunningError,
        ScheduleOverlapPolicy,
        SchedulePolicy,
        ScheduleSpec,
        ScheduleUpdate,
    )

    from guardian.adapters.temporal.workflows import OrgNight

    client = await connect(address, namespace)
    schedule = Schedule(
        action=ScheduleActionStartWorkflow(
            OrgNight.run, args, id="guardian-org-night", task_queue=main_queue
        ),
        spec=ScheduleSpec(cron_expressions=[cron], time_zone_name=zone),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=timedelta(hours=12)),
    )
    try:
        await client.create_schedule(SCHEDULE_ID, schedule)
        return "created"
    except ScheduleAlreadyRunningError:
        handle = client.get_schedule_handle(SCHEDULE_ID)
        await handle.update(lambda _input: ScheduleUpdate(schedule=schedule))
        return "updated"


async def trigger(address: str, namespace: str) -> None:
    """Start the Schedule's action now (as if it were the cron time)."""
    from temporalio.client import ScheduleOverlapPolicy

    client = await connect(address, namespace)
    await client.get_schedule_handle(SCHEDULE_ID).trigger(overlap=ScheduleOverlapPolicy.ALLOW_ALL)


async def delete_schedule(address: str, namespace: str) -> bool:
    from temporalio.service import RPCError

    client = await connect(address, namespace)
    try:
        await client.get_schedule_handle(SCHEDULE_ID).delete()
    except RPCError:
        return False
    return True


async def describe(address: str, namespace: str) -> ScheduleView:
    from temporalio.service import RPCError, RPCStatusCode

    client = await connect(address, namespace)
    try:
        desc = await client.get_schedule_handle(SCHEDULE_ID).describe()
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            return ScheduleView(exists=False)
        raise
    spec = desc.schedule.spec
    return ScheduleView(
        exists=True,
        cron=", ".join(spec.cron_expressions),
        zone=spec.time_zone_name or "UTC",
        paused=desc.schedule.state.paused,
        next_runs=list(desc.info.next_action_times[:3]),
        recent=[a.scheduled_at for a in desc.info.recent_actions[-3:]],
    )


async def start_night(
    address: str, namespace: str, *, main_queue: str, args: NightArgs, workflow_id: str
) -> dict:
    """Run one `OrgNight` now and wait for it to have started everyone (tests, `--run-now`)."""
    from guardian.adapters.temporal.workflows import OrgNight

    client = await connect(address, namespace)
    return await client.execute_workflow(OrgNight.run, args, id=workflow_id, task_queue=main_queue)


async def wait_people(
    address: str, namespace: str, workflow_ids: list[str], timeout: float
) -> dict[str, str]:
    """The end state of each person's workflow ("COMPLETED", "FAILED", ...), waiting up to `timeout` s."""
    client = await connect(address, namespace)

    async def one(wid: str) -> tuple[str, str]:
        handle = client.get_workflow_handle(wid)
        with contextlib.suppress(Exception):  # the status below says how it ended
            await handle.result()
        return wid, (await handle.describe()).status.name  # type: ignore[union-attr]

    results = await asyncio.wait_for(asyncio.gather(*(one(w) for w in workflow_ids)), timeout)
    return dict(results)

"""Temporal workers for the org nightly: the workflows' queue and one queue per provider quota.

Provider quotas are per Google Cloud project and per Graph app, so each
project or tenant gets its own task queue, and that queue's rate limit
(`max_task_queue_activities_per_second`, enforced by the Temporal server
across every worker polling the queue) keeps the whole fleet under the
provider's limit however many workers run. `max_concurrent` bounds what one
worker process runs at once.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Sequence
from dataclasses import dataclass

from guardian.adapters.temporal.activities import Steps, make_activities


@dataclass(frozen=True)
class QueueSpec:
    name: str
    activities_per_second: float | None  # None: no limit (the workflows' queue, .ics calendars)
    max_concurrent: int


async def connect(address: str, namespace: str):  # type: ignore[no-untyped-def]
    from temporalio.client import Client

    from guardian.errors import ProviderError

    try:
        return await Client.connect(address, namespace=namespace)
    except RuntimeError as exc:  # the SDK's connection failure
        raise ProviderError(
            f"cannot reach Temporal at {address} ({str(exc).splitlines()[0][:160]})",
            hint="check [org] temporal and that the Temporal server is up",
        ) from None


async def run_workers(
    address: str,
    namespace: str,
    main_queue: str,
    queues: Sequence[QueueSpec],
    steps: Steps,
    *,
    max_concurrent: int,
    stop: asyncio.Event,
    heartbeat_every: float = 5.0,
) -> None:
    """Poll the workflows' queue and every provider queue until `stop` is set."""
    from temporalio.worker import Worker

    from guardian.adapters.temporal.workflows import OrgNight, PersonNight

    client = await connect(address, namespace)
    activities = make_activities(steps, heartbeat_every=heartbeat_every)
    pools: list[concurrent.futures.ThreadPoolExecutor] = []
    workers = []

    def pool(size: int) -> concurrent.futures.ThreadPoolExecutor:
        executor = concurrent.futures.ThreadPoolExecutor(max_workers=size, thread_name_prefix="guardian-step")
        pools.append(executor)
        return executor

    workers.append(
        Worker(
            client,
            task_queue=main_queue,
            workflows=[OrgNight, PersonNight],
            activities=activities,
            activity_executor=pool(max_concurrent),
            max_concurrent_activities=max_concurrent,
        )
    )
    for spec in queues:
        workers.append(
            Worker(
                client,
                task_queue=spec.name,
                activities=activities,
                activity_executor=pool(spec.max_concurrent),
                max_concurrent_activities=spec.max_concurrent,
                max_task_queue_activities_per_second=spec.activities_per_second,
            )
        )
    try:
        runs = [asyncio.create_task(w.run()) for w in workers]
        waiter = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait([*runs, waiter], return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if task is not waiter and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
    finally:
        await asyncio.gather(*(w.shutdown() for w in workers), return_exceptions=True)
        for executor in pools:
            executor.shutdown(wait=False, cancel_futures=True)

"""The org-wide nightly on Temporal: workflows, activities, worker and client.

The temporalio SDK is imported only inside this package, and only when a
command of `guardian org` runs, so `guardian --help` and every one-person
command stay fast. What the activities *do* is not here: the use case
(`guardian.usecases.org`) hands the worker its steps (sync, focus, replies,
record), which call guardian's existing, idempotent use cases.

- `types`: the plain records that travel through Temporal (no SDK import);
- `workflows`: `OrgNight` (started by the Schedule: reads the roster, starts
  one `PersonNight` per person with an id made of the night and the person,
  so a person is processed once a night whatever is retried or re-triggered)
  and `PersonNight` (sync, then plan and apply focus blocks, then replies,
  each an activity with a retry policy, then the outcome);
- `activities`: the steps wrapped as activities, with a heartbeat while a
  step runs so a killed worker's activity is retried within seconds;
- `worker`: one Temporal worker per task queue: the workflows' queue, and one
  queue per Google project or Graph tenant whose rate limit (enforced by the
  server across all workers) is sized from the provider's documented quota;
- `client`: connecting, creating or updating the Schedule, describing it.
"""

"""`guardian org schedule | worker | status`: the nightly for every person of a roster, on Temporal.

Temporal (`guardian.adapters.temporal`) decides when and where; this module
decides what. Its `OrgSteps` are the activities' bodies, and each is a call
into guardian's own use cases for one person of the roster (their settings,
their calendar, their rows of the state store):

- sync: read the calendar (sync tokens and caches in the person's state) and
  audit it, as `guardian nightly` does, counts to the run log;
- focus: plan, reconcile and (with `[org] apply`) book focus blocks, as
  `guardian focus apply`: a retry after a crash finds the blocks already
  booked (tagged events on the provider) and books nothing twice;
- replies: send the due pre-read requests, as `guardian replies send`:
  each is recorded pending before it goes out and sent after; a request a
  crashed try left pending whose RSVP the provider already shows is
  recorded as sent instead of being sent again;
- record: the night's outcome, for `guardian org status`.

Each step holds the person (a PostgreSQL advisory lock with the shared
store, the run lock file with SQLite), so no two workers run one person at
once. Task queues follow the provider quotas: `queue_for` puts a person on
the queue of their Google project or Graph tenant, and `queue_specs` sizes
each queue's rate from `[org]`'s documented limits.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from guardian.adapters.config import load_config
from guardian.adapters.outcomes import Outcome, Outcomes, SqliteOutcomes, now_text
from guardian.adapters.roster import Roster, RosterPerson, load_roster
from guardian.adapters.settings import OrgQuotas, Settings
from guardian.core.model import Status
from guardian.errors import InputError, ProviderError
from guardian.usecases.session import Options, Session, parse_now, system_zone
from guardian.usecases.team import (
    PERSON_CALENDAR,
    org_data_dir,
    person_session,
    person_settings,
    person_state,
    postgres_dsn,
    roster_path,
)

log = logging.getLogger("guardian")

LOCAL_QUEUE = "guardian-local"  # calendars without a provider quota (.ics files, URLs)


# --- queues and their rates --------------------------------------------------------------


def provider_of(config: Settings, roster: Roster, person: RosterPerson) -> str:
    """ "google", "outlook" or "" (no provider quota), from what the person's source can do."""
    from guardian.adapters.sources import resolve

    return resolve(PERSON_CALENDAR, person_settings(config, roster, person)).kind.capabilities.rsvp


def google_project(config: Settings) -> str:
    """The Google Cloud project whose quota the service account spends."""
    path = config.google.service_account_file
    if path is not None:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            project = json.loads(Path(path).read_text(encoding="utf-8")).get("project_id")
            if project:
                return str(project)
    return "default"


def queue_for(config: Settings, provider: str) -> str:
    if provider == "google":
        return f"guardian-google-{google_project(config)}"
    if provider == "outlook":
        return f"guardian-graph-{config.outlook.tenant}"
    return LOCAL_QUEUE


def queue_rate(provider: str, quotas: OrgQuotas) -> float | None:
    """Activities per second for one provider queue, from the provider's documented limits.

    A step of one person makes at most `requests_per_activity` requests, so
    a queue that starts at most R steps a second sends at most R times that
    many requests a second:

    - Google: R = (requests per minute per project) / 60 / requests_per_activity.
      The per-user limit (600 a minute) is met by construction: one person's
      steps run one after the other, and a step's requests stay under it.
    - Graph: R = (requests per 10 s per app) / 10 / requests_per_activity; the
      per-mailbox limits (10,000 per 10 minutes, 4 concurrent) are met the same
      way, one step per mailbox at a time.
    """
    if provider == "google":
        return quotas.google_project_per_minute / 60.0 / quotas.requests_per_activity
    if provider == "outlook":
        return quotas.graph_app_per_10_seconds / 10.0 / quotas.requests_per_activity
    return None


def check_quotas(quotas: OrgQuotas) -> None:
    if quotas.requests_per_activity > quotas.google_user_per_minute:
        raise InputError(
            "[org] requests_per_activity is above google_user_per_minute: one step could exceed a user's quota",
            hint="lower requests_per_activity",
        )
    if quotas.requests_per_activity > quotas.graph_mailbox_per_10_minutes:
        raise InputError("[org] requests_per_activity is above graph_mailbox_per_10_minutes")


@dataclass(frozen=True)
class QueuePlan:
    name: str
    provider: str
    people: int
    activities_per_second: float | None


def plan_queues(config: Settings, roster: Roster) -> list[QueuePlan]:
    """Every task queue the roster needs, its people and its rate."""
    check_quotas(config.org.quotas)
    found: dict[str, tuple[str, int]] = {}
    for person in roster.people:
        provider = provider_of(config, roster, person)
        name = queue_for(config, provider)
        _, count = found.get(name, (provider, 0))
        found[name] = (provider, count + 1)
    return [
        QueuePlan(name, provider, count, queue_rate(provider, config.org.quotas))
        for name, (provider, count) in sorted(found.items())
    ]


# --- the steps -------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _config(path: str | None) -> Settings:
    return load_config(path)


@lru_cache(maxsize=8)
def _roster(path: str) -> Roster:
    return load_roster(path)


@lru_cache(maxsize=8)
def _rulebook(path: Path | str | None) -> Any:
    """The pack, loaded once per worker process (a RuleBook is read-only)."""
    from guardian.lint.pack import load_rulebook

    return load_rulebook(path)


def org_zone(config: Settings) -> Any:
    return config.timezone or system_zone()


def outcomes_store(config: Settings) -> Outcomes:
    if config.org.state == "postgresql":
        from guardian.adapters.state_pg import PgOutcomes

        return PgOutcomes(postgres_dsn(config))
    return SqliteOutcomes(org_data_dir(config) / "outcomes.sqlite3")


class OrgSteps:
    """The bodies of the org's activities (see the module docstring); stateless between calls."""

    def roster(self, args: Any) -> Any:
        from guardian.adapters.temporal.types import Night, PersonJob, Retry

        config = load_config(args.config)  # fresh each night: the roster and config may change
        path = str(roster_path(config, args.roster).resolve())
        roster = load_roster(path)
        _roster.cache_clear()
        _config.cache_clear()
        zone = org_zone(config)
        night = parse_now(args.now, zone).astimezone(zone).date().isoformat()
        org = config.org
        retry = Retry(
            attempts=org.attempts,
            timeout_seconds=org.activity_timeout_seconds,
            heartbeat_seconds=org.heartbeat_seconds,
        )
        jobs = [
            PersonJob(
                key=person.key,
                night=night,
                queue=queue_for(config, provider_of(config, roster, person)),
                config=args.config,
                roster=path,
                now=args.now,
                apply=org.apply,
                replies=org.replies,
                retry=retry,
            )
            for person in roster.people
        ]
        return Night(night, jobs)

    @contextlib.contextmanager
    def _person(self, job: Any) -> Iterator[Session]:
        config = _config(job.config)
        roster = _roster(job.roster)
        person = roster.find(job.key)
        if person is None:
            raise InputError(f"{job.key}: no longer in the roster {roster.path}")
        settings = person_settings(config, roster, person)
        state = person_state(config, settings, person)
        options = Options([], None, None, config.org.days, None, None, job.config, job.now)
        try:
            hold = state.person_lock() if hasattr(state, "person_lock") else contextlib.nullcontext()
            with hold:
                session = person_session(config, roster, person, options, state=state)
                session.__dict__["rulebook"] = _rulebook(session.options.rules or session.config.rules)
                yield session
        finally:
            state.close()

    def sync(self, job: Any) -> Any:
        from guardian.adapters.temporal.types import StepResult
        from guardian.lint.engine import audit

        with self._person(job) as session:
            events = session.read_events()
            result = audit(session.rulebook, session.audit_context(events))
            with session.state.transaction():
                session.state.log_run(
                    "org sync",
                    planned={"night": job.night},
                    done={
                        "meetings": result.summary.meetings,
                        "findings": result.summary.findings_by_severity,
                    },
                )
            meetings = result.summary.meetings
            return StepResult(f"{meetings} meetings", {"meetings": meetings})

    def focus(self, job: Any) -> Any:
        from guardian.adapters.temporal.types import StepResult
        from guardian.usecases.focus import run_focus

        with self._person(job) as session:
            run = run_focus(session, apply=job.apply)
            if run.applied is not None:
                a = run.applied
                counts = {"created": a.created, "moved": a.moved, "deleted": a.deleted, "kept": a.kept}
                text = f"focus: {a.created} created, {a.moved} moved, {a.deleted} deleted"
            else:
                counts = {"planned": len(run.plan.blocks)}
                text = f"focus: {len(run.plan.blocks)} planned (dry run)"
            return StepResult(text, counts)

    def replies(self, job: Any) -> Any:
        from guardian.adapters.temporal.types import StepResult
        from guardian.usecases.replies import run_replies

        with self._person(job) as session:
            settled = settle_delivered(session) if job.apply else 0
            outcome = run_replies(session, send=job.apply)
            if outcome["failed"]:
                raise ProviderError(f"{outcome['failed']} pre-read request(s) could not be delivered")
            counts = {k: int(outcome[k]) for k in ("planned", "sent", "deferred")} | {"settled": settled}
            if not job.apply:
                return StepResult(f"replies: {outcome['planned']} would send", counts)
            text = f"replies: {outcome['sent']} sent" + (f", {settled} already delivered" if settled else "")
            return StepResult(text, counts)

    def record(self, job: Any, status: str, detail: str, workflow_id: str) -> None:
        config = _config(job.config)
        outcomes_store(config).record(
            Outcome(job.key, date.fromisoformat(job.night), status, detail[:500], workflow_id, now_text())
        )


def settle_delivered(session: Session) -> int:
    """Requests a crashed try left pending whose RSVP the provider already shows: record them as sent.

    A request is pending between its delivery and the write that records it
    as sent. When the worker dies in that instant, the next try would send
    it again; for an RSVP channel the provider itself says whether it went
    out: my answer on that series is already the configured response.
    """
    state = session.state
    pending = state.pending_requests()
    if not pending:
        return 0
    # the answer the reply carried: the configured one, or with "keep" the tentative
    # an unanswered invite is answered with (an answer kept as it was leaves no trace
    # to tell, and is sent again: at most that one request)
    wanted = session.config.replies.response or Status.TENTATIVE
    rsvp = {s.label: s.capabilities.rsvp for s in session.sources}
    events = session.read_events()
    settled = 0
    for item in pending:
        for event in events:
            organizer = event.organizer.email.lower() if event.organizer else ""
            if event.uid != item["series"] or organizer != item["organizer"] or not rsvp.get(event.source):
                continue
            if event.my_status == wanted:
                with state.transaction():
                    state.record_request(
                        item["series"],
                        organizer,
                        event.source,
                        event.start,
                        rsvp[event.source],
                        status="sent",
                    )
                settled += 1
                break
    return settled


# --- the commands ----------------------------------------------------------------------


@dataclass
class OrgContext:
    config: Settings
    config_path: str | None
    roster: Roster

    @property
    def org(self) -> Any:
        return self.config.org


def org_context(config_path: str | None, roster: str | None = None) -> OrgContext:
    config = load_config(config_path)
    return OrgContext(config, config_path, load_roster(roster_path(config, roster)))


def night_args(ctx: OrgContext, now: str | None = None) -> Any:
    from guardian.adapters.temporal.types import NightArgs

    config = str(Path(ctx.config_path).expanduser().resolve()) if ctx.config_path else None
    return NightArgs(config=config, roster=str(ctx.roster.path), now=now)


def schedule(ctx: OrgContext, *, run_now: bool = False, delete: bool = False) -> list[str]:
    """Create or update the Schedule (or delete it); lines saying what was done."""
    from guardian.adapters.temporal import client

    org = ctx.org
    if delete:
        gone = asyncio.run(client.delete_schedule(org.temporal, org.namespace))
        return [f"schedule {client.SCHEDULE_ID}: {'deleted' if gone else 'not found'}"]
    zone = str(org_zone(ctx.config))
    what = asyncio.run(
        client.ensure_schedule(
            org.temporal,
            org.namespace,
            main_queue=org.task_queue,
            cron=org.schedule,
            zone=zone,
            args=night_args(ctx),
        )
    )
    lines = [
        f"schedule {client.SCHEDULE_ID}: {what}: {org.schedule!r} in {zone}, {len(ctx.roster.people)} people"
    ]
    for q in plan_queues(ctx.config, ctx.roster):
        lines.append(f"  queue {q.name}: {q.people} people, {_rate_text(q.activities_per_second)}")
    if run_now:
        asyncio.run(client.trigger(org.temporal, org.namespace))
        lines.append("triggered one run now")
    return lines


def _rate_text(rate: float | None) -> str:
    return "no rate limit" if rate is None else f"at most {rate:.3g} steps/s across all workers"


def serve(ctx: OrgContext, *, max_concurrent: int | None = None) -> None:
    """Run the workers until SIGINT or SIGTERM; in-flight steps are retried elsewhere if killed."""
    from guardian.adapters.temporal.worker import QueueSpec, run_workers

    org = ctx.org
    size = max_concurrent or org.max_concurrent
    specs = [QueueSpec(q.name, q.activities_per_second, size) for q in plan_queues(ctx.config, ctx.roster)]
    if not any(s.name == LOCAL_QUEUE for s in specs):
        specs.append(QueueSpec(LOCAL_QUEUE, None, size))

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        await run_workers(
            org.temporal,
            org.namespace,
            org.task_queue,
            specs,
            OrgSteps(),
            max_concurrent=size,
            stop=stop,
            heartbeat_every=org.heartbeat_seconds / 3,  # Temporal throttles beats to 0.8 x the timeout
        )

    asyncio.run(main())


@dataclass
class OrgStatus:
    night: date
    schedule: Any
    people: int
    outcomes: list[Outcome] = field(default_factory=list)
    not_run: list[str] = field(default_factory=list)

    @property
    def ok(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "ok"]

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status != "ok"]


def status(ctx: OrgContext, night: str | None = None, now: str | None = None) -> OrgStatus:
    """Who ran, who failed and why, who has not run yet, and when the next runs are."""
    from guardian.adapters.temporal import client

    zone = org_zone(ctx.config)
    if night:
        from guardian.usecases.session import parse_day

        day = parse_day(night, parse_now(now, zone).astimezone(zone).date(), "--night")
    else:
        day = parse_now(now, zone).astimezone(zone).date()
    outcomes = outcomes_store(ctx.config).night(day)
    view: Any
    try:
        view = asyncio.run(client.describe(ctx.org.temporal, ctx.org.namespace))
        if view.exists and not view.cron:  # the server keeps cron as calendar specs: name it as configured
            view.cron = ctx.org.schedule
    except ProviderError as exc:
        view = exc  # status still shows the outcomes when Temporal is down
    seen = {o.person for o in outcomes}
    not_run = [p.key for p in ctx.roster.people if p.key not in seen]
    return OrgStatus(day, view, len(ctx.roster.people), outcomes, not_run)


def status_dict(st: OrgStatus) -> dict[str, Any]:
    view = st.schedule
    if isinstance(view, Exception):
        sched: dict[str, Any] = {"error": str(view)}
    else:
        sched = {
            "exists": view.exists,
            "cron": view.cron,
            "timezone": view.zone,
            "paused": view.paused,
            "next_runs": [t.isoformat() for t in view.next_runs],
            "recent_runs": [t.isoformat() for t in view.recent],
        }
    return {
        "night": st.night.isoformat(),
        "people": st.people,
        "ok": len(st.ok),
        "failed": [{"person": o.person, "reason": o.detail, "workflow_id": o.workflow_id} for o in st.failed],
        "not_run": st.not_run,
        "ran": [{"person": o.person, "summary": o.detail, "at": o.updated} for o in st.ok],
        "schedule": sched,
    }


def status_lines(st: OrgStatus, tz: Any) -> list[str]:
    lines = [f"guardian org status, night of {st.night:%a %d %b %Y}: {len(st.ok)} of {st.people} ran"]
    view = st.schedule
    if isinstance(view, Exception):
        lines.append(f"  schedule: unknown ({view})")
    elif not view.exists:
        lines.append("  schedule: none (run: guardian org schedule)")
    else:
        state = " (paused)" if view.paused else ""
        upcoming = ", ".join(f"{t.astimezone(tz):%a %d %b %H:%M}" for t in view.next_runs) or "none"
        lines.append(f"  schedule: {view.cron!r} in {view.zone}{state}; next: {upcoming}")
    if st.failed:
        lines.append(f"Failed ({len(st.failed)}):")
        lines += [f"  {o.person}: {o.detail}" for o in st.failed]
    if st.not_run:
        lines.append(
            f"Not run yet ({len(st.not_run)}): "
            + ", ".join(st.not_run[:20])
            + (" ..." if len(st.not_run) > 20 else "")
        )
    return lines

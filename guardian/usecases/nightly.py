"""The nightly job for one calendar: audit, focus blocks, due pre-read requests.

Yields one log line per action and nothing else, so cron mails and journald
stay quiet on a night when there is nothing to do. The audit's counts go to
the run log in the state store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from guardian.adapters.config import load_config
from guardian.adapters.lock import lock_path, run_lock
from guardian.adapters.runlog import append_line
from guardian.domain.focus import plan_span
from guardian.errors import EXIT_INPUT, GuardianError, InputError, ProviderError
from guardian.lint.engine import audit
from guardian.usecases.focus import run_focus
from guardian.usecases.session import Options, Session


@dataclass
class NightlyBudget:
    """What the calendars of one nightly run share: the per-run cap on requests."""

    requests_left: int | None = None  # None: each calendar's own [replies] max_per_run


@dataclass(frozen=True)
class NightlyLine:
    """One line of a nightly run: an action (stamped) or a calendar's failure."""

    text: str
    spec: str = ""
    error: GuardianError | None = None


def run_all(
    *,
    calendars: list[str],
    cfg_path: str | None,
    me: str | None,
    days: int | None,
    tz: str | None,
    rules: str | None,
    now: str | None,
    apply: bool | None,
    clock: Callable[[], datetime] = lambda: datetime.now().astimezone(),
    no_cache: bool = False,
) -> Iterator[NightlyLine]:
    """Every calendar of the nightly run, one after the other; a failing one does not stop the rest.

    Action lines carry the wall-clock time they happened (not `--now`, which
    only decides what is planned) and go to `[nightly] log` too, when set.
    """
    settings = load_config(cfg_path)
    nightly = settings.nightly
    act = apply if apply is not None else nightly.apply
    specs = (
        calendars or list(nightly.calendars) or list(settings.calendars_default) or list(settings.calendars)
    )
    if not specs:
        raise InputError(
            "nightly: no calendars",
            hint="add [calendars.NAME] and [nightly] calendars to the config, or pass -c",
        )
    budget = NightlyBudget()  # one cap on pre-read requests for the whole run
    for spec in specs:
        try:
            for action in run_nightly(
                spec,
                cfg_path=cfg_path,
                me=me,
                days=nightly.days if days is None else days,
                tz=tz,
                rules=rules,
                now=now,
                apply=act,
                budget=budget,
                no_cache=no_cache,
            ):
                line = f"{clock().isoformat(timespec='seconds')} {action}"
                if nightly.log is not None:
                    append_line(nightly.log, line)
                yield NightlyLine(line, spec)
        except GuardianError as exc:
            if nightly.log is not None:
                append_line(nightly.log, f"{clock().isoformat(timespec='seconds')} error: {spec}: {exc}")
            yield NightlyLine("", spec, exc)


def run_nightly(
    spec: str,
    *,
    cfg_path: str | None,
    me: str | None,
    days: int | None,
    tz: str | None,
    rules: str | None,
    now: str | None,
    apply: bool,
    budget: NightlyBudget | None = None,
    no_cache: bool = False,
) -> Iterator[str]:
    """Yield one line per action; raise when a request could not be delivered.

    An applying run holds the run lock for the whole calendar, from the first
    read to the last write, so a manual `focus apply` or a second nightly
    started meanwhile plans from what this one wrote (or stops with exit 2).
    """
    session = Session(Options([spec], me, None, days, tz, rules, cfg_path, now, no_cache=no_cache))
    if not apply:
        yield from _one_calendar(spec, session, apply=False, budget=budget)
        return
    with run_lock(lock_path(session.config.state_path())):
        yield from _one_calendar(spec, session, apply=True, budget=budget)


def _one_calendar(spec: str, session: Session, *, apply: bool, budget: NightlyBudget | None) -> Iterator[str]:
    # read once: the planner's whole weeks hold the audited window
    events = session.read_events(plan_span(session.window, session.tz))
    window = session.window
    in_window = [e for e in events if window.overlaps(e.start, e.end)]
    result = audit(session.rulebook, session.audit_context(in_window), session.suppressions)
    if apply:  # findings are not actions: they go to the run log, not to stdout
        with session.state.transaction():
            session.state.log_run(
                "nightly audit",
                planned={"calendar": spec},
                done={"meetings": result.summary.meetings, "findings": result.summary.findings_by_severity},
            )
    run = run_focus(session, apply=apply, events=events, locked=apply)
    yield from (f"{spec}: {line}" for line in run.lines)
    if session.config.nightly.replies or session.config.replies.enabled:
        from guardian.usecases.replies import run_replies

        budget = budget or NightlyBudget()
        outcome = run_replies(
            session, send=apply, result=result, max_requests=budget.requests_left, locked=apply
        )
        if budget.requests_left is None:
            budget.requests_left = session.config.replies.max_per_run
        budget.requests_left -= outcome["sent"] + outcome["failed"] if apply else outcome["planned"]
        for line in outcome.get("lines", []):
            yield f"{spec}: {line}"
        if outcome["failed"]:
            error = InputError if outcome["exit_code"] == EXIT_INPUT else ProviderError
            raise error(
                f"{outcome['failed']} pre-read request(s) could not be delivered; the next run retries them"
            )

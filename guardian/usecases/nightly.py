"""The nightly job for one calendar: audit, focus blocks, due pre-read requests.

Yields one log line per action and nothing else, so cron mails and journald
stay quiet on a night when there is nothing to do. The audit's counts go to
the run log in the state store.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from guardian.errors import EXIT_INPUT, InputError, ProviderError
from guardian.lint.engine import audit
from guardian.usecases.focus import run_focus
from guardian.usecases.session import Options, Session


@dataclass
class NightlyBudget:
    """What the calendars of one nightly run share: the per-run cap on requests."""

    requests_left: int | None = None  # None: each calendar's own [replies] max_per_run


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
) -> Iterator[str]:
    """Yield one line per action; raise when a request could not be delivered."""
    session = Session(Options([spec], me, None, days, tz, rules, cfg_path, now))
    events = session.read_events()
    result = audit(session.rulebook, session.audit_context(events))
    if apply:  # findings are not actions: they go to the run log, not to stdout
        with session.state.transaction():
            session.state.log_run(
                "nightly audit",
                planned={"calendar": spec},
                done={"meetings": result.summary.meetings, "findings": result.summary.findings_by_severity},
            )
    run = run_focus(session, apply=apply, events=events)
    yield from (f"{spec}: {line}" for line in run.lines)
    if session.config.get("nightly", "replies", False) or session.config.get("replies", "enabled", False):
        from guardian.usecases.replies import run_replies

        budget = budget or NightlyBudget()
        outcome = run_replies(session, send=apply, result=result, max_requests=budget.requests_left)
        if budget.requests_left is None:
            from guardian.domain.replies import ReplySettings

            budget.requests_left = ReplySettings.from_config(session.config).max_per_run
        budget.requests_left -= outcome["sent"] + outcome["failed"] if apply else outcome["planned"]
        for line in outcome.get("lines", []):
            yield f"{spec}: {line}"
        if outcome["failed"]:
            error = InputError if outcome["exit_code"] == EXIT_INPUT else ProviderError
            raise error(
                f"{outcome['failed']} pre-read request(s) could not be delivered; the next run retries them"
            )

"""`guardian audit`: read the calendars, run the pack, say what each finding's action would do."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from guardian.domain.findings import ActionState
from guardian.lint.engine import AuditResult, audit
from guardian.lint.pack import RuleBook, load_rulebook
from guardian.usecases.session import Options, Session

log = logging.getLogger("guardian")


@dataclass(frozen=True)
class AuditRun:
    session: Session
    result: AuditResult
    #: Finding.key -> what happened or would happen to its action (see usecases.actions)
    action_states: dict[str, ActionState] = field(default_factory=dict)
    #: --write-baseline: the file written and how many findings it holds
    baseline_written: tuple[Path, int] | None = None
    #: series UID -> (focus hours it costs everyone known, people): `[focus] team_price` only
    team_prices: dict[str, tuple[float, int]] = field(default_factory=dict)

    @property
    def rulebook(self) -> RuleBook:
        return self.session.rulebook


def run_audit(options: Options, write_baseline: str | None = None) -> AuditRun:
    """The audit of the options' window; with `write_baseline`, also record its findings there."""
    from guardian.adapters.baseline import write_baseline as record
    from guardian.usecases.actions import action_states

    session = Session(options)
    suppressions = session.suppressions
    result = audit(session.rulebook, session.audit_context(), suppressions)
    written = None
    if write_baseline:
        # today's findings: the ones shown plus those an older baseline hid (config and
        # inline suppressions stay where they are)
        kept = [*result.findings, *(h.finding for h in result.hidden if h.by == "baseline")]
        path = Path(write_baseline).expanduser()
        written = (path, record(path, kept, session.now))
    team = {}
    if session.config.focus.team_price:
        from guardian.usecases.prices import team_prices

        session.report_progress("asking the attendees' free/busy")
        team = team_prices(session, result.ctx)
    session.report_progress("checking replies and drafts")
    return AuditRun(session, result, action_states(session, result), written, team)


def load_pack(rules: str | None, config: str | None) -> RuleBook:
    """The pack `guardian rules list|explain` shows: --rules, else the config's, else the default."""
    from guardian.adapters.config import load_config

    return load_rulebook(rules or load_config(config).rules)

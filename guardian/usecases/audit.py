"""`guardian audit`: read the calendars, run the pack, say what each finding's action would do."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from guardian.lint.engine import AuditResult, audit
from guardian.lint.pack import RuleBook, load_rulebook
from guardian.usecases.session import Options, Session

log = logging.getLogger("guardian")


@dataclass(frozen=True)
class AuditRun:
    session: Session
    result: AuditResult
    #: Finding.key -> what happened or would happen to its action (see usecases.actions)
    action_states: dict[str, str] = field(default_factory=dict)


def run_audit(options: Options) -> AuditRun:
    from guardian.usecases.actions import action_states

    session = Session(options)
    result = audit(session.rulebook, session.audit_context())
    return AuditRun(session, result, action_states(session, result))


def load_pack(rules: str | None, config: str | None) -> RuleBook:
    """The pack `guardian rules list|explain` shows: --rules, else the config's, else the default."""
    from guardian.adapters.config import load_config

    return load_rulebook(rules or load_config(config).rules)

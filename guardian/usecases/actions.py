"""What happened, or would happen, to each finding's action: for `guardian audit`.

Keys are `Finding.key` (rule and occurrence); values:

- "request sent YYYY-MM-DD"  the organizer was asked about this series (state store)
- "would send"               `guardian replies send` would ask now
- "deferred: quiet hours" / "deferred: per-run cap"
- "draft available: guardian convert --event UID"  for suggest-async findings

The audit stays read-only: the state store is consulted only if its file
already exists, and nothing is sent or written.
"""

from __future__ import annotations

import logging

from guardian.errors import GuardianError

log = logging.getLogger("guardian")


def action_states(session, result) -> dict[str, str]:
    from guardian.usecases.replies import plan_for_session, state_if_exists

    states: dict[str, str] = {}
    for f in result.findings:
        if f.event is not None and f.action.startswith("suggest-async:"):
            states[f.key] = f"draft available: guardian convert --event {f.event.uid}"

    try:
        settings = session.config.replies
        state = state_if_exists(session)
        plan = plan_for_session(session, result, settings=settings, state=state)
    except GuardianError as exc:  # a bad [replies] section must not hide the audit
        log.warning("replies: %s", exc)
        return states

    sent: dict[tuple[str, str], str] = {}
    if state is not None:
        for row in state.requests():
            sent[(row["series"], row["organizer"])] = row["sent_at"][:10]
    series_state: dict[tuple[str, str], str] = {}
    for reply in plan.replies:
        series_state[(reply.series, reply.to)] = "would send"
    for deferred in plan.deferred:
        label = "quiet hours" if deferred.code == "quiet-hours" else "per-run cap"
        series_state[(deferred.reply.series, deferred.reply.to)] = f"deferred: {label}"

    for f in result.findings:
        if f.event is None or not settings.triggers(f):
            continue
        organizer = (f.event.organizer.email if f.event.organizer else "").lower()
        key = (f.event.uid, organizer)
        if key in sent:
            states[f.key] = f"request sent {sent[key]}"
        elif key in series_state:
            states[f.key] = series_state[key]
    return states

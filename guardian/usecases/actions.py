"""What happened, or would happen, to each finding's action: for `guardian audit`.

Keys are `Finding.key` (rule and occurrence); values are `ActionState`s:

- reply: "request sent YYYY-MM-DD" (the organizer was asked about this
  series: state store), "would send" (`guardian replies send` would send
  it now), "deferred: quiet hours" / "deferred: per-run cap"; with the kind
  of reply ("pre-read" or "async-proposal"). One meeting gets one reply, so
  the state sits on the finding that decided it (the pack's precedence);
- draft: for suggest-async findings, the UID `guardian convert --event` drafts.

The audit stays read-only: the state store is consulted only if its file
already exists, and nothing is sent or written.
"""

from __future__ import annotations

import logging

from guardian.core.model import Finding
from guardian.domain.findings import ActionState
from guardian.errors import GuardianError

log = logging.getLogger("guardian")


def action_states(session, result) -> dict[str, ActionState]:
    from guardian.usecases.replies import plan_for_session, state_if_exists

    drafts: dict[str, str] = {}
    for f in result.findings:
        if f.event is not None and f.action.startswith("suggest-async:"):
            drafts[f.key] = f.event.uid
    states = {key: ActionState(draft=uid) for key, uid in drafts.items()}

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
    series_state: dict[tuple[str, str], tuple[str, str]] = {}
    for reply in plan.replies:
        series_state[(reply.series, reply.to)] = ("would send", reply.kind)
    for deferred in plan.deferred:
        label = "quiet hours" if deferred.code == "quiet-hours" else "per-run cap"
        series_state[(deferred.reply.series, deferred.reply.to)] = (f"deferred: {label}", deferred.reply.kind)

    # the finding that decides each occurrence's reply: the first, in the pack's precedence,
    # of those that call for one
    leads: dict[str, Finding] = {}
    for f in result.findings:
        if f.event is None or settings.kind_of(f) is None:
            continue
        best = leads.get(f.event.instance_id)
        if best is None or session.rulebook.rank(f) < session.rulebook.rank(best):
            leads[f.event.instance_id] = f
    for f in leads.values():
        assert f.event is not None
        organizer = (f.event.organizer.email if f.event.organizer else "").lower()
        key = (f.event.uid, organizer)
        kind = settings.kind_of(f) or ""
        if key in sent:
            said = f"request sent {sent[key]}"
        elif key in series_state:
            said, kind = series_state[key]
        else:
            continue
        states[f.key] = ActionState(reply=said, reply_kind=kind, draft=drafts.get(f.key, ""))
    return states

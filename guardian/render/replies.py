"""`guardian replies plan|send` output: who would get which reply (or did), who not and why.

The plan also lists what would block `replies send` (no `me`, an outbox that
cannot be written, an unset password variable), before anything is sent.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from guardian.core.text import one_line
from guardian.render import json_text
from guardian.usecases.replies import ReplyRun

KIND_LABEL = {"pre-read": "pre-read", "async-proposal": "async proposal"}


def _ref(reply: Any, tz: Any) -> str:
    return f'{reply.event.start.astimezone(tz):%a %d %b %H:%M} "{one_line(reply.event.title)}" -> {reply.to}'


def plan_doc(run: ReplyRun) -> dict[str, Any]:
    """The plan as the README's JSON: each reply with the channel it goes (or would go) by."""
    session, plan = run.session, run.plan
    doc: dict[str, Any] = {
        **plan.to_json(),
        "window": {"start": session.window.start.isoformat(), "end": session.window.end.isoformat()},
        "now": session.now.isoformat(),
    }
    for item, reply in zip(doc["replies"], plan.replies, strict=True):
        item["channel"] = run.sender.channel_for(reply)
    doc["blockers"] = [b.to_json() for b in run.blockers]
    return doc


def plan_json(run: ReplyRun) -> str:
    return json_text.dumps(plan_doc(run))


def send_json(run: ReplyRun) -> str:
    doc = plan_doc(run)
    doc["sent"] = [o.to_json() for o in run.outcomes if o.ok]
    doc["failed"] = [o.to_json() for o in run.outcomes if not o.ok]
    return json_text.dumps(doc)


def plan_lines(run: ReplyRun, body: bool = False) -> list[str]:
    session, plan, sender = run.session, run.plan, run.sender
    tz = session.tz
    w = session.window
    last = (w.end - timedelta(days=1)).date()
    out = [
        f"guardian replies plan: {w.start:%a %d %b} - {last:%a %d %b %Y}, "
        f"now {session.now.astimezone(tz):%a %d %b %H:%M} ({getattr(tz, 'key', tz)})"
    ]
    out.append(f"\nWould send ({len(plan.replies)}):" if plan.replies else "\nWould send: nothing")
    for r in plan.replies:
        name = f"{r.to_name} <{r.to}>" if r.to_name else r.to
        extra = f", {r.instances} occurrences" if r.instances > 1 else ""
        out.append(
            f"  {r.event.start.astimezone(tz):%a %d %b %H:%M}  {one_line(r.event.title)}  -> {name}  "
            f"[{KIND_LABEL.get(r.kind, r.kind)}: {', '.join(r.rules)}{extra}; {r.response} via {sender.channel_for(r)}]"
        )
        out.append(f"      Subject: {r.subject}")
        if body:
            out.extend(f"      | {line}" for line in r.body.splitlines())
    if plan.deferred:
        out.append(f"\nDeferred ({len(plan.deferred)}):")
        out.extend(f"  {_ref(d.reply, tz)}: {d.reason}" for d in plan.deferred)
    if plan.skipped:
        out.append(f"\nNot asked ({len(plan.skipped)}):")
        out.extend(
            f"  {s.event.start.astimezone(tz):%a %d %b %H:%M}  {one_line(s.event.title)}: {s.reason}"
            for s in plan.skipped
        )
    blockers = run.blockers
    if blockers:
        out.append(f"\n`guardian replies send` would stop now ({len(blockers)}):")
        out.extend(f"  {b.message}" for b in blockers)
    if plan.replies:
        out.append("\nNothing was sent. Run `guardian replies send` with the same options to send these.")
    return out


def send_lines(run: ReplyRun) -> list[str]:
    lines = run.lines
    return lines or ["nothing to send: every flagged organizer has been asked, or none is due"]

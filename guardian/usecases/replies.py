"""Plan and send pre-read requests for a Session: the I/O half of replies.

`guardian replies plan|send` and `guardian nightly` call these. Planning is
the audit plus `replies.compose`; sending picks a channel per calendar:

- google: and outlook: calendars answer through the provider's own RSVP
  with a comment (`Source.respond`), which reaches the organizer with the
  calendar scope alone;
- .ics calendars get an iTIP REPLY written to the outbox (.ics + .eml) and,
  when `[smtp] host` is set, mailed.

`[replies] channel` overrides this: "outbox" (files only, for every
calendar), "smtp" (outbox + SMTP for every calendar), "rsvp" (providers
only; .ics invites are skipped), "auto" (the default described above).

Every request is sent and recorded in the state store inside one
transaction, one request at a time: if sending fails nothing is recorded
(a later run retries), and a recorded request is never sent again.

Crash safety, the choice made: a request is recorded only once it was
delivered (the provider answered the RSVP, the outbox files were written, or
the SMTP server accepted the message), in the same transaction that checked
it was not recorded yet. So a failure never silences a series, and the only
way to ask twice is a crash in the instant between the delivery being
accepted and the COMMIT (no local step can close that gap: recording first
would instead lose requests that were never sent). Even then an outbox
re-run rewrites the same two files (their names come from the occurrence
and the organizer), so only the SMTP and RSVP channels can repeat, and only
that one request. Sending runs hold the run lock, so two runs never send at
once.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from guardian.adapters.templates import reply_template
from guardian.core.text import one_line
from guardian.domain.replies import (
    ASYNC_ACTION,
    MOVE_ACTION,
    REQUEST_ACTION,
    Plan,
    Reply,
    ReplySettings,
    compose,
)
from guardian.errors import EXIT_INPUT, GuardianError, InputError, ProviderError, did_you_mean, join_hints
from guardian.usecases.prices import price_lookup
from guardian.usecases.session import Options, Session

log = logging.getLogger("guardian")


def state_if_exists(session):
    """The state store, or None when no state file exists yet (read-only callers)."""
    path = session.config.state_path()
    if not path.exists():
        return None
    return session.state


def plan_for_session(session, result=None, *, settings: ReplySettings | None = None, state=None) -> Plan:
    """Audit the session's window (unless given) and compose the requests."""
    from guardian.lint.engine import audit

    settings = settings or session.config.replies
    book = session.rulebook
    words = (REQUEST_ACTION, ASYNC_ACTION, MOVE_ACTION)
    unknown = [a for a in settings.actions if a.lower() not in words and book.find(a) is None]
    if unknown:  # a typo must not silently turn requests off
        names = [*words, *(r.name for r in book.rules), *(r.code for r in book.rules)]
        raise InputError(
            f'[replies] actions: {unknown[0]!r} is neither "{REQUEST_ACTION}", "{ASYNC_ACTION}", '
            f'"{MOVE_ACTION}" nor a rule of the pack',
            hint=join_hints(
                did_you_mean(unknown[0], names),
                'use a rule code or name, e.g. "no-decision" (see `guardian rules list`)',
            ),
        )
    late = session.rulebook.by_check("late-invite")  # the lead time the note asks for is the pack's
    if late:
        settings = replace(settings, lead_hours=late[0].params.lead_hours)
    if result is None:
        result = audit(session.rulebook, session.audit_context(), session.suppressions)
    if state is None:
        state = state_if_exists(session)
    was_asked = state.was_asked if state is not None else (lambda series, organizer: False)
    return compose(
        result.findings,
        now=session.now,
        tz=session.tz,
        settings=settings,
        was_asked=was_asked,
        me=session.identity.me,
        exempt=session.rulebook.exemptions.category,
        template=reply_template(settings.template),
        proposal=reply_template(settings.proposal_template, "async-proposal"),
        move=reply_template(settings.move_template, "move-request"),
        rank=session.rulebook.rank,
        price_of=price_lookup(session, result),
    )


@dataclass
class Outcome:
    reply: Reply
    channel: str  # "google" | "outlook" | "outbox" | "smtp" | "" when failed/skipped
    ok: bool
    detail: str = ""
    files: list[Path] = field(default_factory=list)
    exit_code: int = 0  # of the error that stopped it: 2 bad input/setup, 3 provider or network

    def line(self, tz) -> str:
        when = self.reply.event.start.astimezone(tz).strftime("%a %d %b %H:%M")
        title = one_line(self.reply.event.title)
        head = f'{"sent" if self.ok else "FAILED"} {self.channel or "-"}: {when} "{title}" -> {self.reply.to}'
        return head + (f" ({self.detail})" if self.detail else "")

    def to_json(self) -> dict[str, Any]:
        out = self.reply.to_json()
        out.update(channel=self.channel, ok=self.ok, detail=self.detail, files=[str(p) for p in self.files])
        return out


@dataclass(frozen=True)
class Blocker:
    """Something that would make `replies send` fail, found before anything is sent."""

    code: str  # "no-me" | "outbox-not-writable" | "password-unset"
    message: str

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


def _writable(folder: Path) -> bool:
    """Whether `folder` can be written, or created where its nearest existing parent is."""
    import os

    here = folder
    while not here.exists():
        if here.parent == here:
            return False
        here = here.parent
    return here.is_dir() and os.access(here, os.W_OK | os.X_OK)


class Sender:
    """Delivers replies of one run; one instance per run (keeps SMTP settings)."""

    def __init__(self, session, settings: ReplySettings) -> None:
        from guardian.adapters.mail import default_outbox

        self.session = session
        self.settings = settings
        smtp = session.config.smtp
        if smtp is not None and not smtp.sender:
            smtp = replace(smtp, sender=session.identity.me or "")
        self.smtp = smtp
        if settings.channel == "smtp" and self.smtp is None:
            raise InputError(
                '[replies] channel = "smtp" but [smtp] host is not set',
                hint='set [smtp] host, or use channel = "outbox" to only write the files',
            )
        self.folder = settings.outbox or default_outbox()
        self._login_refused: GuardianError | None = None
        self.sources = {s.label: s for s in session.sources}

    def channel_for(self, reply: Reply) -> str:
        source = self.sources.get(reply.event.source)
        provider = source.capabilities.rsvp if source is not None else ""
        mode = self.settings.channel
        if mode == "outbox":
            return "outbox"
        if mode == "smtp":
            return "smtp"
        if provider:
            return provider
        if mode == "rsvp":
            return "none"
        return "smtp" if self.smtp else "outbox"

    def blockers(self, replies: list[Reply]) -> list[Blocker]:
        """What would stop sending these replies, checked without sending or writing anything."""
        import os

        from guardian.domain.replies import valid_address

        channels = {self.channel_for(r) for r in replies}
        files = channels & {"outbox", "smtp"}
        found: list[Blocker] = []
        if files and valid_address(self.session.identity.me or "") is None:
            found.append(
                Blocker(
                    "no-me",
                    "no `me`: a reply to an .ics invite names you (set `me` in the config or pass --me)",
                )
            )
        if files and not _writable(self.folder):
            found.append(
                Blocker(
                    "outbox-not-writable",
                    f"the outbox {self.folder} cannot be written (check [replies] outbox)",
                )
            )
        smtp = self.smtp
        if "smtp" in channels and smtp is not None and smtp.username:
            if not smtp.password_env:
                found.append(Blocker("password-unset", "[smtp] username is set but password_env is not"))
            elif not os.environ.get(smtp.password_env):
                found.append(
                    Blocker(
                        "password-unset",
                        f"the environment variable {smtp.password_env} (from [smtp] password_env) is not set",
                    )
                )
        return found

    def deliver(self, reply: Reply, now: datetime) -> Outcome:
        channel = self.channel_for(reply)
        if channel == "none":
            return Outcome(reply, "", False, '[replies] channel = "rsvp" and this is an .ics calendar')
        source = self.sources.get(reply.event.source)
        if source is not None and channel == source.capabilities.rsvp:
            self.sources[reply.event.source].respond(reply.event, reply.response, reply.body)
            return Outcome(reply, channel, True, f"RSVP {reply.response} with comment")
        return self._outbox(reply, now, send=channel == "smtp")

    def _outbox(self, reply: Reply, now: datetime, send: bool) -> Outcome:
        from guardian.adapters.mail import (
            LoginRefused,
            build_message,
            itip_reply,
            outbox_name,
            send_smtp,
            write_outbox,
        )

        me = self.session.identity.me or ""
        mine = next((a for a in reply.event.attendees if a.email.lower() == me.lower()), None)
        my_name = mine.name if mine else ""
        ics = itip_reply(
            reply.event, me=me, my_name=my_name, status=reply.response, comment=reply.body, now=now
        )
        sender = (self.smtp.sender if self.smtp else "") or me
        msg = build_message(reply, ics, sender=sender, sender_name=my_name, now=now)
        files = list(write_outbox(self.folder, outbox_name(reply), ics, msg))
        if send:
            assert self.smtp is not None
            if self._login_refused is not None:  # one refused login per run, not one per request
                raise self._login_refused
            try:
                send_smtp(msg, self.smtp)
            except LoginRefused as exc:
                self._login_refused = exc
                raise
            return Outcome(reply, "smtp", True, f"mailed via {self.smtp.host}; copy in {files[1]}", files)
        return Outcome(reply, "outbox", True, f"written to {files[1]}", files)


def send_plan(
    session: Session,
    plan: Plan,
    settings: ReplySettings | None = None,
    sender: Sender | None = None,
    *,
    locked: bool = False,
) -> list[Outcome]:
    """Send the plan's replies; each is recorded as pending before it goes out and as sent after.

    A state store that cannot be written raises (exit 2) before the request
    it could not record is delivered. A crash between delivery and the
    second write leaves the request pending, and the next run sends that one
    again: at most the one in flight, never the whole plan.
    """
    from guardian.adapters.lock import lock_path, run_lock

    settings = settings or session.config.replies
    state = session.state
    sender = sender or Sender(session, settings)
    outcomes: list[Outcome] = []
    if not plan.replies:
        return outcomes
    # One sending run at a time (the lock `focus apply` takes too): a second run
    # stops with one clear line instead of waiting on the state store while the
    # first one talks to a slow SMTP server.
    with contextlib.nullcontext() if locked else run_lock(lock_path(session.config.state_path())):
        for reply in plan.replies:
            organizer = reply.to
            with state.transaction():
                if state.was_asked(reply.series, organizer):  # another run got there first
                    continue
                state.record_request(
                    reply.series,
                    organizer,
                    reply.event.source,
                    reply.event.start,
                    sender.channel_for(reply),
                    sent_at=session.now,
                    status="pending",
                )
            try:
                outcome = sender.deliver(reply, session.now)
            except GuardianError as exc:
                outcome = Outcome(reply, sender.channel_for(reply), False, str(exc), exit_code=exc.exit_code)
            with state.transaction():
                if outcome.ok:
                    state.record_request(
                        reply.series,
                        organizer,
                        reply.event.source,
                        reply.event.start,
                        outcome.channel,
                        sent_at=session.now,
                        status="sent",
                    )
                else:
                    state.forget_request(reply.series, organizer)
            outcomes.append(outcome)
    return outcomes


def run_replies(
    session: Session,
    send: bool,
    result: Any = None,
    *,
    max_requests: int | None = None,
    locked: bool = False,
) -> dict[str, Any]:
    """For `guardian nightly`: plan (and with send=True, send) the due requests.

    Returns counts, the worst exit code of failed sends, and one log line
    per action: {"planned", "sent", "failed", "exit_code", "deferred",
    "skipped", "lines": [...]}. Pass the audit `result` the caller already
    has to avoid reading the calendars twice, and `max_requests` to share
    one per-run cap across several calendars. The caller decides whether
    replies are enabled ([nightly] replies or [replies] enabled).
    """
    settings = session.config.replies
    if max_requests is not None:
        settings = replace(settings, max_per_run=min(settings.max_per_run, max(0, max_requests)))
    plan = plan_for_session(session, result, settings=settings, state=session.state if send else None)
    lines: list[str] = []
    outcomes: list[Outcome] = []
    if send:
        outcomes = send_plan(session, plan, settings, locked=locked)
        lines += [o.line(session.tz) for o in outcomes]
    else:
        lines += [f"would send: {_ref(r, session.tz)} -> {r.to}" for r in plan.replies]
    lines += [f"deferred: {_ref(d.reply, session.tz)} -> {d.reply.to} ({d.reason})" for d in plan.deferred]
    done = {
        "planned": len(plan.replies),
        "sent": sum(1 for o in outcomes if o.ok),
        "failed": sum(1 for o in outcomes if not o.ok),
        "exit_code": max((o.exit_code for o in outcomes if not o.ok), default=0),
        "deferred": len(plan.deferred),
        "skipped": len(plan.skipped),
        "lines": lines,
    }
    if send:
        with session.state.transaction():
            session.state.log_run(
                "replies send",
                [r.to_json()["event"] for r in plan.replies],
                {k: v for k, v in done.items() if k != "lines"} | {"lines": lines},
            )
    return done


def _ref(reply: Reply, tz) -> str:
    return f'{reply.event.start.astimezone(tz):%a %d %b %H:%M} "{one_line(reply.event.title)}"'


@dataclass
class ReplyRun:
    """One `guardian replies plan|send`: the plan, how each reply goes, and (send) what happened."""

    session: Session
    plan: Plan
    sender: Sender
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def blockers(self) -> list[Blocker]:
        """What would make `replies send` fail now (shown by `plan`, checked first by `send`)."""
        return self.sender.blockers(self.plan.replies)

    @property
    def lines(self) -> list[str]:
        tz = self.session.tz
        lines = [o.line(tz) for o in self.outcomes]
        lines += [f"deferred: {_ref(d.reply, tz)} -> {d.reply.to} ({d.reason})" for d in self.plan.deferred]
        return lines


def plan_replies(options: Options) -> ReplyRun:
    """What `replies send` would do now; sends and records nothing."""
    session = Session(options)
    settings = session.config.replies
    plan = plan_for_session(session, settings=settings)
    return ReplyRun(session, plan, Sender(session, settings))


def send_replies(options: Options) -> ReplyRun:
    """Send the due requests and record each; raise (exit 2 or 3) when any could not be sent."""
    session = Session(options)
    settings = session.config.replies
    plan = plan_for_session(session, settings=settings, state=session.state)
    sender = Sender(session, settings)
    blockers = sender.blockers(plan.replies)
    if blockers:  # stop before the first delivery, not after every one has failed
        raise InputError(
            f"{len(plan.replies)} replies not sent: {blockers[0].message}"
            + (
                f" (and {len(blockers) - 1} more problem{'s' if len(blockers) > 2 else ''})"
                if len(blockers) > 1
                else ""
            ),
            hint="`guardian replies plan` lists them; nothing was sent or recorded",
        )
    refuse_if_state_was_lost(session, sender, plan)
    run = ReplyRun(session, plan, sender, send_plan(session, plan, settings, sender))
    with session.state.transaction():
        session.state.log_run(
            "replies send",
            [r.to_json()["event"] for r in plan.replies],
            {
                "sent": sum(o.ok for o in run.outcomes),
                "failed": sum(not o.ok for o in run.outcomes),
                "deferred": len(plan.deferred),
                "lines": run.lines,
            },
        )
    return run


def refuse_if_state_was_lost(session: Session, sender: Sender, plan: Plan) -> None:
    """A new state store beside an outbox full of requests: the record of who was asked is gone.

    Sending now would ask every organizer again, so guardian stops and says so
    instead. (For RSVP channels the provider keeps no such trace to check.)
    """
    if not plan.replies or not session.state.created or not sender.folder.is_dir():
        return
    earlier = sorted(sender.folder.glob("*.eml"))
    if earlier:
        raise InputError(
            f"{session.config.state_path()}: the state store is new, but the outbox {sender.folder} holds "
            f"{len(earlier)} earlier request(s): guardian cannot tell who was already asked",
            hint="restore the state file, or move the outbox away to confirm that everyone may be asked again",
        )


def raise_for_failures(run: ReplyRun) -> None:
    """A request that could not be sent fails the command: exit 2 for a set-up problem
    (no `me`, an outbox that cannot be written, an unset password variable), else 3."""
    failures = [o for o in run.outcomes if not o.ok]
    if not failures:
        return
    setup = next((o for o in failures if o.exit_code == EXIT_INPUT), None)
    error = InputError if setup is not None else ProviderError
    raise error(
        f"{len(failures)} of {len(run.outcomes)} requests could not be sent"
        + (f": {setup.detail}" if setup is not None else " (see above)"),
        hint="nothing was recorded for them; the next `guardian replies send` retries",
    )

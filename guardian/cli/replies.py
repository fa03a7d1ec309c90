"""`guardian replies plan|send` and `guardian convert`: registered by guardian.cli.

No `from __future__ import annotations` here: Typer reads the option
annotations at runtime, and they are names local to `register`.

Thin: options become a Session, the work is in guardian.replies (pure),
guardian.replies_run (sending) and guardian.convert (pure drafts).
"""

import json
from pathlib import Path
from typing import Annotated, Optional

import typer


def register(app: typer.Typer) -> None:
    from guardian.cli.options import (
        CalendarOpt,
        ConfigOpt,
        DaysOpt,
        FormatOpt,
        FromOpt,
        MeOpt,
        NowOpt,
        RulesOpt,
        TzOpt,
    )
    from guardian.cli.options import (
        check_format as _check_format,
    )
    from guardian.cli.options import (
        make_options as _options,
    )

    replies_app = typer.Typer(
        help="Ask organizers of doc-less invites for a pre-read (plan first, then send).",
        no_args_is_help=True,
    )
    app.add_typer(replies_app, name="replies")
    BodyOpt = Annotated[bool, typer.Option("--body", help="Also print each request's text.")]

    @replies_app.command("plan")
    def replies_plan(
        calendar: CalendarOpt = None,
        me: MeOpt = None,
        start: FromOpt = None,
        days: DaysOpt = None,
        tz: TzOpt = None,
        rules: RulesOpt = None,
        config: ConfigOpt = None,
        fmt: FormatOpt = "table",
        now: NowOpt = None,
        body: BodyOpt = False,
    ) -> None:
        """Show who would be asked for a pre-read, and who not and why. Sends nothing."""
        from guardian.usecases.replies import Sender, plan_for_session
        from guardian.usecases.session import Session

        fmt = _check_format(fmt, ("table", "json"))
        session = Session(_options(calendar, me, start, days, tz, rules, config, now))
        settings = session.config.replies
        plan = plan_for_session(session, settings=settings)
        sender = Sender(session, settings)
        if fmt == "json":
            typer.echo(json.dumps(_plan_doc(session, plan, sender), indent=2, ensure_ascii=False))
            return
        _print_plan(session, plan, sender, body)

    @replies_app.command("send")
    def replies_send(
        calendar: CalendarOpt = None,
        me: MeOpt = None,
        start: FromOpt = None,
        days: DaysOpt = None,
        tz: TzOpt = None,
        rules: RulesOpt = None,
        config: ConfigOpt = None,
        fmt: FormatOpt = "table",
        now: NowOpt = None,
    ) -> None:
        """Send the due requests (RSVP with comment, or iTIP REPLY to the outbox/SMTP) and record them."""
        from guardian.errors import EXIT_INPUT, InputError, ProviderError
        from guardian.usecases.replies import Sender, plan_for_session, send_plan
        from guardian.usecases.session import Session

        fmt = _check_format(fmt, ("table", "json"))
        session = Session(_options(calendar, me, start, days, tz, rules, config, now))
        settings = session.config.replies
        plan = plan_for_session(session, settings=settings, state=session.state)
        sender = Sender(session, settings)
        outcomes = send_plan(session, plan, settings, sender)
        lines = [o.line(session.tz) for o in outcomes]
        lines += [f"deferred: {_ref(d.reply, session.tz)} ({d.reason})" for d in plan.deferred]
        with session.state.transaction():
            session.state.log_run(
                "replies send",
                [r.to_json()["event"] for r in plan.replies],
                {
                    "sent": sum(o.ok for o in outcomes),
                    "failed": sum(not o.ok for o in outcomes),
                    "deferred": len(plan.deferred),
                    "lines": lines,
                },
            )
        if fmt == "json":
            doc = _plan_doc(session, plan, sender)
            doc["sent"] = [o.to_json() for o in outcomes if o.ok]
            doc["failed"] = [o.to_json() for o in outcomes if not o.ok]
            typer.echo(json.dumps(doc, indent=2, ensure_ascii=False))
        else:
            for line in lines:
                typer.echo(line)
            if not lines:
                typer.echo("nothing to send: every flagged organizer has been asked, or none is due")
        failures = [o for o in outcomes if not o.ok]
        if failures:
            # an exception, not typer.Exit: main() runs click with standalone_mode=False,
            # where Exit's code is returned and dropped rather than raised.
            # A setup problem (no `me`, an unwritable outbox, a missing password
            # variable) is bad input, exit 2; only a provider or network failure is 3.
            setup = next((o for o in failures if o.exit_code == EXIT_INPUT), None)
            error = InputError if setup is not None else ProviderError
            raise error(
                f"{len(failures)} of {len(outcomes)} requests could not be sent"
                + (f": {setup.detail}" if setup is not None else " (see above)"),
                hint="nothing was recorded for them; the next `guardian replies send` retries",
            )

    @app.command("convert")
    def convert_cmd(
        calendar: CalendarOpt = None,
        me: MeOpt = None,
        start: FromOpt = None,
        days: DaysOpt = None,
        tz: TzOpt = None,
        rules: RulesOpt = None,
        config: ConfigOpt = None,
        fmt: FormatOpt = "table",
        now: NowOpt = None,
        event: Annotated[
            Optional[str],
            typer.Option(
                "--event", metavar="UID", help="Draft for this event only (any meeting, flagged or not)."
            ),
        ] = None,
        kind: Annotated[
            Optional[str],
            typer.Option(
                "--kind", metavar="KIND", help="update, rfc, brainstorm or decision (default: from the rule)."
            ),
        ] = None,
        output: Annotated[
            str, typer.Option("--output", "-o", metavar="DIR", help="Folder for the drafts.")
        ] = "guardian-drafts",
        stdout: Annotated[
            bool, typer.Option("--stdout", help="Print the drafts instead of writing files.")
        ] = False,
    ) -> None:
        """Draft async replacements (update, RFC, brainstorm, decision) for status, brainstorm and proposal meetings."""
        from guardian.usecases.session import Session

        fmt = _check_format(fmt, ("table", "json"))
        session = Session(_options(calendar, me, start, days, tz, rules, config, now))
        drafts = _drafts(session, event, kind)
        written: list[Path | None] = []
        if stdout:
            for d in drafts:
                typer.echo(d.markdown)
            written = [None] * len(drafts)
        else:
            from guardian.errors import InputError

            folder = Path(output).expanduser()
            try:
                folder.mkdir(parents=True, exist_ok=True)
                for d in drafts:
                    path = folder / d.filename
                    n = 1
                    while path in written:  # two series, same day, kind and title
                        n += 1
                        path = path.with_name(f"{Path(d.filename).stem}-{n}.md")
                    path.write_text(d.markdown, encoding="utf-8")
                    written.append(path)
            except OSError as exc:
                raise InputError(
                    f"--output: cannot write drafts to {folder} ({exc.strerror or exc})"
                ) from None
        total = round(sum(d.savings.hours_per_week for d in drafts), 2)
        if fmt == "json":
            typer.echo(
                json.dumps(
                    {
                        "drafts": [
                            {
                                "event": {
                                    "uid": d.event.uid,
                                    "start": d.event.start.isoformat(),
                                    "title": d.event.title,
                                },
                                "kind": d.kind,
                                "path": str(p) if p else None,
                                "feedback_by": d.feedback_by.isoformat(),
                                "hours_per_week": d.savings.hours_per_week,
                                "hours_math": d.savings.math(),
                            }
                            for d, p in zip(drafts, written, strict=False)
                        ],
                        "hours_per_week": total,
                    },
                    indent=2,
                    ensure_ascii=False,
                )
            )
            return
        out = typer.echo if not stdout else (lambda text: typer.echo(text, err=True))
        if not drafts:
            out("no status, brainstorm or proposal meetings in the window (pick one with --event UID)")
            return
        from guardian.core.text import one_line
        from guardian.domain.drafts import KIND_LABEL

        for d, p in zip(drafts, written, strict=False):
            where = f"wrote {p}" if p else "drafted"
            out(f'{where}: {KIND_LABEL[d.kind]} for "{one_line(d.event.title)}": {d.savings.describe()}')
        out(
            f"together: about {total:g} person-hours of meetings given back in a week "
            "(one-off meetings counted once)"
        )


def _ref(reply, tz) -> str:
    from guardian.core.text import one_line

    return f'{reply.event.start.astimezone(tz):%a %d %b %H:%M} "{one_line(reply.event.title)}" -> {reply.to}'


def _plan_doc(session, plan, sender) -> dict:
    """The plan as the README's JSON: each reply with the channel it goes (or would go) by."""
    doc = {
        **plan.to_json(),
        "window": {"start": session.window.start.isoformat(), "end": session.window.end.isoformat()},
        "now": session.now.isoformat(),
    }
    for item, reply in zip(doc["replies"], plan.replies, strict=False):
        item["channel"] = sender.channel_for(reply)
    return doc


def _print_plan(session, plan, sender, body: bool) -> None:
    from guardian.core.text import one_line

    tz = session.tz
    w = session.window
    last = (w.end - __import__("datetime").timedelta(days=1)).date()
    typer.echo(
        f"guardian replies plan: {w.start:%a %d %b} - {last:%a %d %b %Y}, "
        f"now {session.now.astimezone(tz):%a %d %b %H:%M} ({getattr(tz, 'key', tz)})"
    )
    typer.echo(f"\nWould send ({len(plan.replies)}):" if plan.replies else "\nWould send: nothing")
    for r in plan.replies:
        name = f"{r.to_name} <{r.to}>" if r.to_name else r.to
        extra = f", {r.instances} occurrences" if r.instances > 1 else ""
        typer.echo(
            f"  {r.event.start.astimezone(tz):%a %d %b %H:%M}  {one_line(r.event.title)}  -> {name}  "
            f"[{', '.join(r.rules)}{extra}; {r.response} via {sender.channel_for(r)}]"
        )
        typer.echo(f"      Subject: {r.subject}")
        if body:
            typer.echo("".join(f"      | {line}\n" for line in r.body.splitlines()), nl=False)
    if plan.deferred:
        typer.echo(f"\nDeferred ({len(plan.deferred)}):")
        for d in plan.deferred:
            typer.echo(f"  {_ref(d.reply, tz)}: {d.reason}")
    if plan.skipped:
        typer.echo(f"\nNot asked ({len(plan.skipped)}):")
        for s in plan.skipped:
            typer.echo(
                f"  {s.event.start.astimezone(tz):%a %d %b %H:%M}  {one_line(s.event.title)}: {s.reason}"
            )
    if plan.replies:
        typer.echo("\nNothing was sent. Run `guardian replies send` with the same options to send these.")


def _drafts(session, uid: str | None, kind: str | None):
    from datetime import timedelta

    from guardian.core.model import Window
    from guardian.domain.drafts import FREQUENCY_WEEKS, check_kind, draft, kind_of
    from guardian.errors import InputError
    from guardian.lint.engine import audit

    # One read covers the window and every draft's frequency weeks (from its
    # meeting's Monday, four weeks on), so the calendars are read only once.
    window = session.window
    series = session.read_events(
        Window(window.start - timedelta(days=7), window.end + timedelta(weeks=FREQUENCY_WEEKS))
    )
    events = [e for e in series if window.overlaps(e.start, e.end)]
    result = audit(session.rulebook, session.audit_context(events))
    override = check_kind(kind) if kind else None
    chosen: dict[str, tuple] = {}
    if uid:
        matches = [e for e in events if uid in (e.uid, e.instance_id)]
        if not matches:
            raise InputError(
                f"--event: no event {uid!r} between {session.window.start.date()} and {session.window.end.date()}",
                hint="check the UID in `guardian audit --format json`, or widen --from/--days",
            )
        event = min(matches, key=lambda e: e.start)
        flagged = next(
            (
                kind_of(f.action)
                for f in result.findings
                if f.event is not None and f.event.uid == event.uid and kind_of(f.action)
            ),
            None,
        )
        chosen[event.uid] = (event, override or flagged or "update")
    else:
        for f in result.findings:
            k = kind_of(f.action)
            if f.event is None or k is None or f.event.uid in chosen:
                continue
            chosen[f.event.uid] = (f.event, override or k)
    if not chosen:
        return []
    workday = session.hours.is_workday
    return [
        draft(
            e,
            k,
            session.now,
            tz=session.tz,
            series=[s for s in series if s.uid == e.uid],
            me=session.identity.me,
            workday=workday,
        )
        for e, k in sorted(chosen.values(), key=lambda item: item[0].start)
    ]

"""`guardian replies plan|send`: registered by guardian.cli.app.

No `from __future__ import annotations` here: Typer reads the option
annotations at runtime, and they are names local to `register`.
"""

from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    from guardian.cli.options import (
        CalendarOpt,
        ConfigOpt,
        DaysOpt,
        FromOpt,
        MeOpt,
        NoCacheOpt,
        NowOpt,
        RulesOpt,
        TableJsonOpt,
        TzOpt,
        UntilOpt,
        check_format,
        example,
        make_options,
    )

    replies_app = typer.Typer(
        help="Ask organizers for a pre-read, or offer a written alternative (plan first, then send).",
        no_args_is_help=True,
    )
    app.add_typer(replies_app, name="replies")
    BodyOpt = Annotated[bool, typer.Option("--body", help="Also print each request's text.")]

    @replies_app.command(
        "plan", epilog=example("guardian replies plan -c work.ics --me you@example.com --body")
    )
    def replies_plan(
        calendar: CalendarOpt = None,
        me: MeOpt = None,
        start: FromOpt = None,
        until: UntilOpt = None,
        days: DaysOpt = None,
        tz: TzOpt = None,
        rules: RulesOpt = None,
        config: ConfigOpt = None,
        fmt: TableJsonOpt = "table",
        now: NowOpt = None,
        body: BodyOpt = False,
        no_cache: NoCacheOpt = False,
    ) -> None:
        """Show who would get a reply (pre-read request or async proposal), who not and why. Sends nothing."""
        from guardian.cli import progress
        from guardian.render.replies import plan_json, plan_lines
        from guardian.usecases.replies import plan_replies

        fmt = check_format(fmt, ("table", "json"))
        with progress.running():
            run = plan_replies(
                make_options(
                    calendar, me, start, days, tz, rules, config, now, until=until, no_cache=no_cache
                )
            )
        if fmt == "json":
            typer.echo(plan_json(run))
        else:
            typer.echo("\n".join(plan_lines(run, body)))

    @replies_app.command("send", epilog=example("guardian replies send -c work.ics --me you@example.com"))
    def replies_send(
        calendar: CalendarOpt = None,
        me: MeOpt = None,
        start: FromOpt = None,
        until: UntilOpt = None,
        days: DaysOpt = None,
        tz: TzOpt = None,
        rules: RulesOpt = None,
        config: ConfigOpt = None,
        fmt: TableJsonOpt = "table",
        now: NowOpt = None,
        no_cache: NoCacheOpt = False,
    ) -> None:
        """Send the due replies (RSVP with comment, or iTIP REPLY to the outbox/SMTP) and record them."""
        from guardian.cli import progress
        from guardian.render.replies import send_json, send_lines
        from guardian.usecases.replies import raise_for_failures, send_replies

        fmt = check_format(fmt, ("table", "json"))
        with progress.running():
            run = send_replies(
                make_options(
                    calendar, me, start, days, tz, rules, config, now, until=until, no_cache=no_cache
                )
            )
        if fmt == "json":
            typer.echo(send_json(run))
        else:
            typer.echo("\n".join(send_lines(run)))
        raise_for_failures(run)  # an exception, not typer.Exit: main() maps it to 2 or 3

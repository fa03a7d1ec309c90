"""`guardian auth google|outlook|teams`: sign in once, stay silent afterwards."""

from typing import Annotated, Optional

import typer

from guardian.cli.options import ConfigOpt, example


def register(app: typer.Typer) -> None:
    auth_app = typer.Typer(help="Sign in to a calendar provider.", no_args_is_help=True)
    app.add_typer(auth_app, name="auth")

    @auth_app.command(
        "google",
        epilog=example(
            "guardian auth google --client-secrets ~/Downloads/client_secret.json",
            "guardian auth google --client-secrets ~/Downloads/client_secret.json --write",
        ),
    )
    def auth_google(
        config: ConfigOpt = None,
        client_secrets: Annotated[
            Optional[str],
            typer.Option(
                "--client-secrets",
                metavar="PATH",
                help="OAuth client (Desktop app) JSON; default: [google] client_secrets.",
            ),
        ] = None,
        write: Annotated[
            bool, typer.Option("--write", help="Also allow writing events (focus apply, replies send).")
        ] = False,
        no_browser: Annotated[
            bool, typer.Option("--no-browser", help="Print the sign-in address instead of opening a browser.")
        ] = False,
    ) -> None:
        """Sign in to Google Calendar with your own OAuth client; the token is saved 0600."""
        from guardian.usecases.auth import sign_in_google

        typer.echo(sign_in_google(config, client_secrets, write=write, open_browser=not no_browser))

    @auth_app.command(
        "outlook", epilog=example("guardian auth outlook", "guardian auth outlook --method browser")
    )
    def auth_outlook(
        config: ConfigOpt = None,
        method: Annotated[
            str,
            typer.Option("--method", metavar="device|browser", help="device (works over SSH) or browser."),
        ] = "device",
        read_only: Annotated[bool, typer.Option("--read-only", help="Ask only for Calendars.Read.")] = False,
        logout: Annotated[bool, typer.Option("--logout", help="Forget the saved sign-in.")] = False,
    ) -> None:
        """Sign in to Microsoft 365 with your own app registration (device code or browser)."""
        from guardian.usecases.auth import sign_in_outlook, sign_out_outlook

        if logout:
            typer.echo(sign_out_outlook(config))
            return
        typer.echo(sign_in_outlook(config, method=method, prompt=typer.echo, write=not read_only))

    @auth_app.command("teams", epilog=example("guardian auth teams", "guardian auth teams --method browser"))
    def auth_teams(
        config: ConfigOpt = None,
        method: Annotated[
            str,
            typer.Option("--method", metavar="device|browser", help="device (works over SSH) or browser."),
        ] = "device",
    ) -> None:
        """Let guardian set your Teams presence (Presence.ReadWrite) with your Outlook app registration."""
        from guardian.usecases.auth import sign_in_teams

        typer.echo(sign_in_teams(config, method=method, prompt=typer.echo))

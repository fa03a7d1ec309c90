"""`guardian auth google|outlook`: sign in once, stay silent afterwards."""

from typing import Annotated, Optional

import typer

from guardian.cli.options import ConfigOpt


def register(app: typer.Typer) -> None:
    auth_app = typer.Typer(help="Sign in to a calendar provider.", no_args_is_help=True)
    app.add_typer(auth_app, name="auth")

    @auth_app.command("google")
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
        from guardian.adapters.config import load_config
        from guardian.adapters.sources.google_auth import SCOPES_READ, SCOPES_WRITE, login, token_file_of
        from guardian.errors import InputError

        cfg = load_config(config)
        settings = cfg.section("google")
        secrets = client_secrets or (
            str(cfg.resolve_path(settings.get("client_secrets"))) if settings.get("client_secrets") else None
        )
        if not secrets:
            raise InputError(
                "no Google OAuth client given",
                hint="pass --client-secrets PATH or set [google] client_secrets (README: Google Calendar)",
            )
        scopes = SCOPES_WRITE if write else SCOPES_READ  # calendar.events also reads events
        login(secrets, token_file_of(settings), scopes, open_browser=not no_browser)
        typer.echo(
            f"signed in; token saved to {token_file_of(settings)} ({'read and write' if write else 'read-only'})"
        )

    @auth_app.command("outlook")
    def auth_outlook(
        config: ConfigOpt = None,
        method: Annotated[
            str, typer.Option("--method", help="device (works over SSH) or browser.")
        ] = "device",
        read_only: Annotated[bool, typer.Option("--read-only", help="Ask only for Calendars.Read.")] = False,
        logout: Annotated[bool, typer.Option("--logout", help="Forget the saved sign-in.")] = False,
    ) -> None:
        """Sign in to Microsoft 365 with your own app registration (device code or browser)."""
        from guardian.adapters.config import load_config
        from guardian.adapters.sources.outlook_auth import login, token_cache_path
        from guardian.adapters.sources.outlook_auth import logout as forget

        settings = load_config(config).section("outlook")
        if logout:
            typer.echo("signed out" if forget(settings) else "no saved sign-in")
            return
        who = login(settings, method=method, prompt=typer.echo, write=not read_only)
        typer.echo(f"signed in as {who}; token cache at {token_cache_path(settings)}")

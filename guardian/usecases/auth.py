"""`guardian auth google|outlook`: sign in once, so later runs are silent.

Each function returns the line to show; the sign-in itself lives with its
provider in `guardian.adapters.sources`.
"""

from __future__ import annotations

from collections.abc import Callable

from guardian.adapters.config import load_config
from guardian.errors import InputError


def sign_in_google(config: str | None, client_secrets: str | None, *, write: bool, open_browser: bool) -> str:
    from guardian.adapters.sources.google.auth import login, sign_in_scopes, token_file_of

    loaded = load_config(config)
    settings = loaded.google
    secrets = client_secrets or (str(settings.client_secrets) if settings.client_secrets else None)
    if not secrets:
        raise InputError(
            "no Google OAuth client given",
            hint="pass --client-secrets PATH or set [google] client_secrets (README: Google Calendar)",
        )
    team_price = loaded.focus.team_price
    scopes = sign_in_scopes(write=write, team_price=team_price)
    token_file = token_file_of(settings)
    login(secrets, token_file, scopes, open_browser=open_browser)
    what = "read and write" if write else "read-only"
    if team_price:
        what += ", and others' free/busy for the team's price"
    return f"signed in; token saved to {token_file} ({what})"


def sign_in_outlook(config: str | None, *, method: str, prompt: Callable[[str], None], write: bool) -> str:
    from guardian.adapters.sources.outlook.auth import login, token_cache_path

    settings = load_config(config).outlook
    who = login(settings, method=method, prompt=prompt, write=write)
    return f"signed in as {who}; token cache at {token_cache_path(settings)}"


def sign_out_outlook(config: str | None) -> str:
    from guardian.adapters.sources.outlook.auth import logout

    return "signed out" if logout(load_config(config).outlook) else "no saved sign-in"


def sign_in_teams(config: str | None, *, method: str, prompt: Callable[[str], None]) -> str:
    """Outlook's calendar scopes plus Presence.ReadWrite, for `[chat] teams` (guardian tick)."""
    from guardian.adapters.sources.outlook.auth import token_cache_path
    from guardian.adapters.sources.outlook.presence import sign_in

    settings = load_config(config).outlook
    who = sign_in(settings, method, prompt)
    return f"signed in as {who} (Teams presence too); token cache at {token_cache_path(settings)}"

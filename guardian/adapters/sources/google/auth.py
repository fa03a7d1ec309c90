"""Google credentials: the installed-app login, the saved token, service accounts.

Least privilege that works, per Calendar API v3's discovery document (the
scopes each method accepts; https://developers.google.com/calendar/api/auth):

- reading (events.list, events.get) needs `calendar.events.readonly`, "View
  events on all your calendars" (not `calendar.readonly`, which also shows
  every calendar's settings and sharing);
- booking focus blocks (events.insert/patch/delete) and answering an
  invitation (patching my own attendee entry of the invitation in my
  calendar) need `calendar.events.owned`, "See, create, change, and delete
  events on Google calendars you own", not `calendar.events`, which edits
  events on every calendar shared with me too. So `--write` signs in with
  both: reading every calendar, writing only my own;
- the team's focus price (`[focus] team_price`, freebusy.query) needs
  `calendar.events.freebusy`, "See the availability on Google calendars you
  have access to": busy times only, asked for only when that setting is on.

A token made by an older guardian (`calendar.readonly`, `calendar.events`)
keeps working; guardian says once a run that it grants more than needed and
which command replaces it. The saved authorized-user token lives in the
user's config directory, readable by its owner only (0600), and is
refreshed silently; when Google refuses it (revoked, expired), the error
says which command to run.

Google's libraries are imported inside the functions so that `guardian --help`
does not pay for them.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from guardian.adapters.secretfile import write_private
from guardian.adapters.settings import GoogleSettings
from guardian.errors import AuthError, InputError, ProviderError, SignInRequired

AUTH = "https://www.googleapis.com/auth/"
EVENTS_READONLY = AUTH + "calendar.events.readonly"
EVENTS_OWNED = AUTH + "calendar.events.owned"
EVENTS_FREEBUSY = AUTH + "calendar.events.freebusy"
SCOPES_READ = [EVENTS_READONLY]
SCOPES_WRITE = [EVENTS_READONLY, EVENTS_OWNED]


def sign_in_scopes(*, write: bool, team_price: bool) -> list[str]:
    """What `guardian auth google` asks for: reading, writing my own calendars if
    `--write`, and others' availability only if the team's price is on."""
    scopes = list(SCOPES_WRITE if write else SCOPES_READ)
    if team_price:
        scopes.append(EVENTS_FREEBUSY)
    return scopes


# scopes that allow reading events / writing events (a broader grant also does)
CAN_READ = {
    AUTH + s for s in ("calendar.readonly", "calendar.events.readonly", "calendar.events", "calendar")
} | {
    EVENTS_OWNED,
    AUTH + "calendar.events.owned.readonly",
}
CAN_WRITE = {AUTH + s for s in ("calendar.events", "calendar", "calendar.events.owned")}
#: what older guardian versions signed in with: broader than needed
_BROADER = {AUTH + "calendar.readonly", AUTH + "calendar.events", AUTH + "calendar"}

log = logging.getLogger("guardian.google")

LOGIN_HINT = "run: guardian auth google"
LOGIN_WRITE_HINT = "run: guardian auth google --write"


def default_token_file() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("guardian")) / "google-token.json"


def token_file_of(settings: GoogleSettings) -> Path:
    return settings.token_file or default_token_file()


def save_credentials(creds: Any, token_file: Path) -> None:
    write_private(Path(token_file), creds.to_json())


def login(
    client_secrets: str | os.PathLike[str],
    token_file: str | os.PathLike[str] | None,
    scopes: Sequence[str],
    open_browser: bool = True,
    *,
    port: int = 0,
    timeout_seconds: int | None = 600,
) -> Any:
    """Run the installed-app OAuth flow in the browser and save the token (0600)."""
    secrets = Path(client_secrets).expanduser()
    if not secrets.is_file():
        raise InputError(
            f"{secrets}: Google client secrets file not found",
            hint="download an OAuth client ID of type 'Desktop app' from the Google Cloud console",
        )
    from google_auth_oauthlib.flow import InstalledAppFlow  # type: ignore[import-untyped,unused-ignore]

    try:
        flow = InstalledAppFlow.from_client_secrets_file(str(secrets), scopes=list(scopes))
    except (ValueError, KeyError, json.JSONDecodeError) as exc:
        raise InputError(f"{secrets}: not a Google OAuth client secrets file ({exc})") from None
    from google_auth_oauthlib.flow import WSGITimeoutError

    try:
        creds = flow.run_local_server(
            host="localhost",
            port=port,
            open_browser=open_browser,
            authorization_prompt_message=("Open this address to let guardian use your calendar: {url}"),
            success_message="guardian is authorized. You can close this tab.",
            timeout_seconds=timeout_seconds,
        )
    except WSGITimeoutError:
        raise AuthError("no answer from the browser sign-in", hint=LOGIN_HINT) from None
    except Exception as exc:  # oauthlib errors quote the server's answer, never a token
        import requests
        from oauthlib.oauth2.rfc6749.errors import OAuth2Error  # type: ignore[import-untyped,unused-ignore]

        if isinstance(exc, OAuth2Error):
            raise AuthError(f"Google sign-in failed ({exc.error})", hint=LOGIN_HINT) from None
        if isinstance(exc, requests.RequestException):  # the code exchange went nowhere
            raise ProviderError(
                f"cannot reach Google's token endpoint ({type(exc).__name__})",
                hint="check the network or the token_uri of the client secrets file",
            ) from None
        raise
    target = Path(token_file).expanduser() if token_file else default_token_file()
    save_credentials(creds, target)
    return creds


def _scopes_of(info: Mapping[str, Any]) -> set[str]:
    scopes = info.get("scopes") or info.get("scope") or []
    if isinstance(scopes, str):
        scopes = scopes.split()
    return set(scopes)


def load_credentials(settings: GoogleSettings, write: bool) -> Any:
    """Credentials for the `[google]` settings, fresh and with the right scope.

    A service account (`service_account_file`, with `subject` for domain-wide
    delegation) gets exactly the scope asked for. An authorized-user token file
    keeps the scopes it was granted; if it cannot write when writing is
    needed, the error says to log in again with the write scope.
    """
    scopes = SCOPES_WRITE if write else SCOPES_READ
    if settings.service_account_file:
        return _service_account(settings.service_account_file, settings.subject or None, scopes)
    return _authorized_user(token_file_of(settings), write)


def _service_account(path: Path, subject: str | None, scopes: Sequence[str]) -> Any:
    if not path.is_file():
        raise InputError(f"{path}: Google service account file not found")
    from google.oauth2 import service_account

    try:
        creds = service_account.Credentials.from_service_account_file(str(path), scopes=list(scopes))
    except (ValueError, KeyError) as exc:
        raise InputError(f"{path}: not a Google service account key ({exc})") from None
    if subject:
        creds = creds.with_subject(subject)
    _refresh(creds, hint="check the service account's domain-wide delegation and `subject`")
    return creds


def _authorized_user(token_file: Path, write: bool) -> Any:
    if not token_file.is_file():
        raise SignInRequired(
            f"no saved Google token at {token_file}",
            hint=LOGIN_WRITE_HINT if write else LOGIN_HINT,
        )
    try:
        info = json.loads(token_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise AuthError(f"{token_file}: unreadable Google token file", hint=LOGIN_HINT) from None
    granted = _scopes_of(info)
    _say_if_broader(granted, token_file)
    if granted and not granted & (CAN_WRITE if write else CAN_READ):
        if write:
            raise AuthError(
                "the saved Google token only allows reading the calendar",
                hint=LOGIN_WRITE_HINT,
            )
        raise AuthError("the saved Google token does not allow reading the calendar", hint=LOGIN_HINT)
    from google.oauth2.credentials import Credentials

    try:
        creds = Credentials.from_authorized_user_info(info)
    except ValueError:
        raise AuthError(f"{token_file}: incomplete Google token file", hint=LOGIN_HINT) from None
    # from_authorized_user_* ignores the file's token_uri; honour it (proxies, tests)
    if info.get("token_uri"):
        expiry = creds.expiry
        creds = creds.with_token_uri(info["token_uri"])
        creds.expiry = expiry  # with_token_uri's copy forgets the expiry
    if not creds.valid:
        _refresh(creds, hint=LOGIN_HINT)
        save_credentials(creds, token_file)
    return creds


_told: set[Path] = set()


def _say_if_broader(granted: set[str], token_file: Path) -> None:
    """One line a run when the saved token grants more than guardian needs."""
    broad = sorted(g.removeprefix(AUTH) for g in granted & _BROADER)
    if not broad or token_file in _told:
        return
    _told.add(token_file)
    writes = bool(granted & CAN_WRITE)
    log.warning(
        "%s grants %s, more than guardian needs; %s replaces it with %s",
        token_file,
        ", ".join(broad),
        LOGIN_WRITE_HINT.removeprefix("run: ") if writes else LOGIN_HINT.removeprefix("run: "),
        " + ".join(s.removeprefix(AUTH) for s in (SCOPES_WRITE if writes else SCOPES_READ)),
    )


def _refresh(creds: Any, *, hint: str) -> None:
    from google.auth.exceptions import RefreshError, TransportError
    from google.auth.transport.requests import Request

    try:
        creds.refresh(Request())
    except RefreshError:
        # the library's message may quote the server; keep ours free of secrets
        raise AuthError("Google refused the saved token", hint=hint) from None
    except TransportError as exc:
        raise ProviderError(
            f"cannot reach Google's token endpoint ({type(exc).__name__})",
            hint="check the network or the [google] token settings",
        ) from None

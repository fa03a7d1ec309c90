"""My Microsoft Teams presence during a focus block: Graph `setUserPreferredPresence`.

`POST {me|users/ID}/presence/setUserPreferredPresence` with
`{"availability": "DoNotDisturb", "activity": "DoNotDisturb",
"expirationDuration": "PT95M"}` shows me as do not disturb until the
block's end, when the preferred presence expires by itself;
`clearUserPreferredPresence` (an empty body) hands presence back to Teams
when a block ends early. A preferred presence shows only while a Teams
client (a presence session) is signed in; otherwise Teams shows Offline,
which disturbs nobody either.

Permissions (Graph reference): delegated `Presence.ReadWrite`, app-only
`Presence.ReadWrite.All`. The Calendars scopes do not include it, so the
token for presence is its own: the same app registration and token cache,
asked silently for `Presence.ReadWrite` (`guardian auth teams` grants it
once). No token ever appears in a message.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from guardian.adapters.settings import OutlookSettings
from guardian.adapters.sources.outlook import auth as outlook_auth
from guardian.adapters.sources.outlook.transport import GraphTransport
from guardian.errors import AuthError

SCOPE = "Presence.ReadWrite"
LOGIN_HINT = "run: guardian auth teams"


def presence_scopes(settings: OutlookSettings) -> list[str]:
    return [f"{outlook_auth.graph_root(settings)}/{SCOPE}"]


def presence_token(settings: OutlookSettings) -> str:
    """A Graph token that may set my presence, without asking anyone anything."""
    if outlook_auth.is_app_only(settings):
        return outlook_auth.get_token(settings)  # app-only: .default carries Presence.ReadWrite.All
    import requests

    cache = outlook_auth.load_cache(settings)
    try:
        app = outlook_auth._public_app(settings, cache)
        accounts = app.get_accounts()
        if settings.username:
            wanted = settings.username.lower()
            accounts = [a for a in accounts if str(a.get("username", "")).lower() == wanted] or accounts
        result = (
            app.acquire_token_silent(presence_scopes(settings), account=accounts[0]) if accounts else None
        )
    except ValueError as exc:
        raise AuthError(f"teams: cannot reach the authority ({exc})", hint=LOGIN_HINT) from None
    except requests.RequestException as exc:
        raise outlook_auth._unreachable(settings, exc) from None
    finally:
        outlook_auth.save_cache(settings, cache)
    if not result or "access_token" not in result:
        raise AuthError(
            "teams: setting presence (Presence.ReadWrite) has not been granted yet", hint=LOGIN_HINT
        )
    return str(result["access_token"])


def sign_in(settings: OutlookSettings, method: str, prompt: Callable[[str], None]) -> str:
    """`guardian auth teams`: the calendar scopes and Presence.ReadWrite, asked once."""
    scopes = outlook_auth.scopes(settings, write=True) + presence_scopes(settings)
    return outlook_auth.login(settings, scopes, method=method, prompt=prompt)


class _PresenceTransport(GraphTransport):
    """The mailbox's Graph session, with a token for presence instead of calendars."""

    def _token(self, write: bool) -> str:
        if True not in self._tokens:
            self._tokens[True] = presence_token(self.settings)
        return self._tokens[True]


class GraphPresence:
    """Do not disturb in Teams, for the signed-in user (or, app-only, the mailbox named)."""

    def __init__(self, user: str, settings: OutlookSettings, *, sleep: Callable[[float], None] = time.sleep):
        self.transport = _PresenceTransport(user, settings, sleep=sleep)
        self.label = "teams"

    def do_not_disturb(self, minutes: int) -> None:
        body = {
            "availability": "DoNotDisturb",
            "activity": "DoNotDisturb",
            "expirationDuration": f"PT{max(5, minutes)}M",  # it ends by itself at the block's end
        }
        self.transport.call(
            "POST",
            f"{self.transport.base}/presence/setUserPreferredPresence",
            body=body,
            write=True,
            what="setting Teams presence",
        )

    def clear(self) -> None:
        self.transport.call(
            "POST",
            f"{self.transport.base}/presence/clearUserPreferredPresence",
            body={},
            write=True,
            what="clearing Teams presence",
        )

"""Signing in to Microsoft 365 with msal, and getting tokens silently afterwards.

`guardian auth outlook` runs `login()` once (device code: works over SSH; or
the browser flow); msal's token cache is kept in a 0600 file, so every later
run gets its token with `acquire_token_silent` and asks nobody anything.
An admin auditing another mailbox uses app-only credentials instead: the
client secret comes from an environment variable named in the config, never
from the config file itself.

Scopes: Entra ID issues a token only for permissions the user consented to
(a silent request for anything else is AADSTS65001, consent_required), so
`guardian auth outlook` consents to Calendars.Read and Calendars.ReadWrite
together (`--read-only`: Calendars.Read alone), and every later run asks
silently only for what sign-in obtained: reads ask for Calendars.Read and,
for a sign-in that consented to Calendars.ReadWrite alone (older guardian
versions did), fall back to it. Scopes are qualified with the Graph root of
`graph_url` (https://graph.microsoft.com, or a national cloud's), which is
what Microsoft's identity platform expects for a resource other than the
default one.

msal's `acquire_token_silent` folds every refresh error into None; guardian
uses `acquire_token_silent_with_error` instead and says what really happened
(consent missing, conditional access, a revoked or expired sign-in), with
the command that fixes it.

msal is imported lazily: `guardian --help` must not pay for it. No token or
secret is ever put into a message, a log line or an exception.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from guardian.adapters.secretfile import write_private
from guardian.adapters.settings import DEFAULT_AUTHORITY_HOST, OutlookSettings
from guardian.errors import AuthError, InputError, ProviderError, SignInRequired

LOGIN_HINT = "run: guardian auth outlook"

# Hosts of Microsoft's own identity clouds (msal knows them; anything else is
# a custom authority, e.g. the test fake or a proxy, and skips instance discovery).
MICROSOFT_AUTHORITY_HOSTS = frozenset(
    {
        "login.microsoftonline.com",
        "login.microsoft.com",
        "login.windows.net",
        "sts.windows.net",
        "login.microsoftonline.us",
        "login.partner.microsoftonline.cn",
        "login.chinacloudapi.cn",
        "login.microsoftonline.de",
    }
)


def graph_url(settings: OutlookSettings) -> str:
    return settings.graph_url.rstrip("/")


def graph_root(settings: OutlookSettings) -> str:
    """https://host of the Graph endpoint: the resource scopes are qualified with."""
    parts = urlsplit(graph_url(settings))
    return f"{parts.scheme}://{parts.netloc}"


def authority(settings: OutlookSettings) -> str:
    if settings.authority:
        return settings.authority.rstrip("/")
    return f"{DEFAULT_AUTHORITY_HOST}/{settings.tenant}"


READ, WRITE = "Calendars.Read", "Calendars.ReadWrite"


def scope(settings: OutlookSettings, name: str) -> str:
    """A delegated permission qualified with the Graph resource it is for."""
    return f"{graph_root(settings)}/{name}"


def scopes(settings: OutlookSettings, *, write: bool = False) -> list[str]:
    """What `guardian auth outlook` consents to: reading, and (by default) writing too."""
    return [scope(settings, READ)] + ([scope(settings, WRITE)] if write else [])


def token_cache_path(settings: OutlookSettings) -> Path:
    if settings.token_cache is not None:
        return settings.token_cache
    from platformdirs import user_config_dir

    return Path(user_config_dir("guardian")) / "outlook-token-cache.json"


def _client_id(settings: OutlookSettings) -> str:
    cid = settings.client_id
    if not cid:
        raise InputError(
            "[outlook] client_id is not set",
            hint="register an app in Microsoft Entra ID and put its Application (client) ID in "
            "[outlook] client_id (README: Microsoft 365 / Outlook), then run: guardian auth outlook",
        )
    return str(cid)


def _app_kwargs(settings: OutlookSettings) -> dict[str, Any]:
    url = authority(settings)
    host = (urlsplit(url).hostname or "").lower()
    kwargs: dict[str, Any] = {"authority": url}
    if host not in MICROSOFT_AUTHORITY_HOSTS:
        # a custom authority (national-cloud proxy, test server): msal must not
        # ask login.microsoftonline.com whether it knows the host
        kwargs["instance_discovery"] = False
    return kwargs


def _detail(result: dict) -> str:
    """The server's error code and the first line of its description (no trace ids, no tokens)."""
    code = str(result.get("error") or "no token")
    desc = str(result.get("error_description") or "").splitlines()[0:1]
    return (f"{code}: {desc[0]}" if desc else code)[:300]


def _msal_failure(what: str, result: dict | None) -> AuthError:
    """An AuthError from an msal result, with its error code and description only."""
    return AuthError(f"outlook: {what} failed ({_detail(result or {})})", hint=LOGIN_HINT)


def _aadsts(result: dict) -> set[int]:
    codes = result.get("error_codes") or []
    return {int(c) for c in codes if str(c).isdigit()}


def _consent_missing(result: dict) -> bool:
    """AADSTS65001: the user never consented to the scope asked for."""
    return result.get("suberror") == "consent_required" or 65001 in _aadsts(result)


def _silent_failure(result: dict, write: bool) -> AuthError:
    """What a failed silent sign-in really was, in the user's words, with the fix.

    msal's suberror classification
    (https://learn.microsoft.com/en-us/entra/msal/python/advanced/classify-errors,
    https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes):
    consent_required (AADSTS65001), basic_action / additional_action
    (conditional access: MFA, a compliant device), bad_token or invalid_grant
    (revoked or expired), user_password_expired.
    """
    detail = _detail(result)
    sub = str(result.get("suberror") or "")
    if _consent_missing(result):
        what = WRITE if write else READ
        return AuthError(f"outlook: guardian was never given consent for {what} ({detail})", hint=LOGIN_HINT)
    if result.get("error") == "interaction_required" or sub in ("basic_action", "additional_action"):
        return AuthError(
            f"outlook: your organisation requires you to sign in again interactively ({detail})",
            hint=LOGIN_HINT + " (a conditional access policy asks for it; the silent sign-in cannot)",
        )
    if sub == "user_password_expired":
        return AuthError(
            f"outlook: your password has expired ({detail})", hint="change it, then " + LOGIN_HINT
        )
    if result.get("error") == "invalid_grant" or sub == "bad_token":
        return AuthError(f"outlook: the saved sign-in has expired or was revoked ({detail})", hint=LOGIN_HINT)
    return _msal_failure("silent sign-in", result)


def _unreachable(settings: OutlookSettings, exc: BaseException) -> ProviderError:
    """msal talks to the authority through requests: a network failure is exit 3."""
    host = urlsplit(authority(settings)).netloc
    return ProviderError(
        f"outlook: cannot reach the Microsoft identity platform at {host} ({type(exc).__name__})",
        hint="check the network, or [outlook] authority and tenant",
    )


# --- the persisted token cache ---------------------------------------------------


def load_cache(settings: OutlookSettings):
    import msal  # type: ignore[import-untyped,unused-ignore]

    cache = msal.SerializableTokenCache()
    path = token_cache_path(settings)
    if path.exists():
        try:
            cache.deserialize(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise AuthError(f"outlook: the token cache {path} cannot be read", hint=LOGIN_HINT) from None
    return cache


def save_cache(settings: OutlookSettings, cache) -> None:
    if cache.has_state_changed:
        write_private(token_cache_path(settings), cache.serialize())
        cache.has_state_changed = False


# --- public entry points ----------------------------------------------------------


def is_app_only(settings: OutlookSettings) -> bool:
    return settings.app_only


def _public_app(settings: OutlookSettings, cache):
    import msal

    return msal.PublicClientApplication(_client_id(settings), token_cache=cache, **_app_kwargs(settings))


def _confidential_token(settings: OutlookSettings) -> str:
    import msal
    import requests

    env = settings.client_secret_env
    secret = os.environ.get(env)
    if not secret:
        raise AuthError(
            f"outlook: app-only sign-in needs a client secret in ${env}, which is not set",
            hint=f"export {env}=... (never put the secret in the config file)",
        )
    try:
        app = msal.ConfidentialClientApplication(
            _client_id(settings), client_credential=secret, **_app_kwargs(settings)
        )
        # app-only tokens live in memory only: they are cheap to get again,
        # and keeping them off the disk keeps a mailbox-wide credential off it too
        result = app.acquire_token_for_client(scopes=[f"{graph_root(settings)}/.default"])
    except ValueError as exc:  # authority discovery failures
        raise AuthError(f"outlook: cannot reach the authority ({exc})", hint=LOGIN_HINT) from None
    except requests.RequestException as exc:
        raise _unreachable(settings, exc) from None
    if not result or "access_token" not in result:
        raise _msal_failure("app-only sign-in", result)
    return result["access_token"]


def get_token(settings: OutlookSettings, *, write: bool = False) -> str:
    """An access token for Graph, without asking the user anything.

    Reading asks for Calendars.Read, and for Calendars.ReadWrite when the
    sign-in consented to that alone; writing asks for Calendars.ReadWrite.
    Raises AuthError (whose hint is `guardian auth outlook`) naming what went
    wrong, or SignInRequired (exit 2) when nobody ever signed in.
    """
    if is_app_only(settings):
        return _confidential_token(settings)
    import requests

    cache = load_cache(settings)
    try:
        app = _public_app(settings, cache)
        accounts = app.get_accounts()
        if not accounts:
            raise SignInRequired("outlook: not signed in", hint=LOGIN_HINT)
        username = settings.username
        if username:
            accounts = [
                a for a in accounts if str(a.get("username", "")).lower() == str(username).lower()
            ] or accounts
        account = accounts[0]
        wanted = [WRITE] if write else [READ, WRITE]  # the write permission also reads
        result: dict | None = None
        for name in wanted:
            result = app.acquire_token_silent_with_error([scope(settings, name)], account=account)
            if not (result and _consent_missing(result)):
                break
    except ValueError as exc:
        raise AuthError(f"outlook: cannot reach the authority ({exc})", hint=LOGIN_HINT) from None
    except requests.RequestException as exc:
        raise _unreachable(settings, exc) from None
    finally:
        save_cache(settings, cache)
    if result and "access_token" in result:
        return str(result["access_token"])
    if result and result.get("error"):
        raise _silent_failure(result, write)
    # msal found no refresh token for this account at all
    raise AuthError("outlook: the saved sign-in has expired", hint=LOGIN_HINT)


def login(
    settings: OutlookSettings,
    scopes_: list[str] | None = None,
    method: str = "device",
    prompt: Callable[[str], None] = print,
    *,
    write: bool = True,
) -> str:
    """Interactive sign-in (device code or browser); returns the account name.

    By default it consents to Calendars.Read and Calendars.ReadWrite together,
    so every later run (reading, `focus apply`, `replies send`) stays silent;
    pass write=False for a read-only login.
    """
    if is_app_only(settings):
        _confidential_token(settings)
        return "app-only"
    import requests

    wanted = scopes_ or scopes(settings, write=write)
    cache = load_cache(settings)
    try:
        app = _public_app(settings, cache)
        if method == "device":
            flow = app.initiate_device_flow(scopes=wanted)
            if "user_code" not in flow:
                raise _msal_failure("device-code sign-in", flow)
            prompt(
                str(
                    flow.get("message")
                    or f"open {flow.get('verification_uri')} and enter {flow['user_code']}"
                )
            )
            result = app.acquire_token_by_device_flow(flow)
        elif method == "browser":
            result = app.acquire_token_interactive(scopes=wanted, prompt="select_account")
        else:
            raise InputError(f"unknown sign-in method {method!r}", hint="use device or browser")
    except ValueError as exc:
        raise AuthError(
            f"outlook: cannot reach the authority ({exc})", hint="check [outlook] authority and tenant"
        ) from None
    except requests.RequestException as exc:
        raise _unreachable(settings, exc) from None
    if not result or "access_token" not in result:
        raise _msal_failure(f"{method} sign-in", result)
    save_cache(settings, cache)
    claims = result.get("id_token_claims") or {}
    return str(claims.get("preferred_username") or claims.get("name") or "signed in")


def logout(settings: OutlookSettings) -> bool:
    """Forget the saved sign-in (deletes the token cache file)."""
    path = token_cache_path(settings)
    if path.exists():
        path.unlink()
        return True
    return False

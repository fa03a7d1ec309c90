"""The link to one CalDAV server: the caldav library's client, signed in, bounded.

- The password is never in the config: `password_env` names an environment
  variable, `password_file` a file that must be readable by its owner only
  (mode 0600, checked before it is read).
- Basic authentication is sent with the first request (every CalDAV host
  guardian targets accepts it over TLS), so a run does not spend a request
  on a 401 challenge; plain http is refused except on this machine, since
  the password would cross the network in clear text.
- Transport failures, 429 and 5xx are retried (guardian.adapters.retry,
  honouring Retry-After); what is left becomes one ProviderError line that
  names the calendar by its redacted URL. Exception texts from the HTTP
  library (which quote URLs) never reach a message.
- Every request is counted (`requests`), for the run log and the tests.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from guardian.adapters.redact import redact
from guardian.adapters.sources.url.fetch import is_loopback
from guardian.errors import AuthError, InputError, ProviderError

TIMEOUT = 30  # seconds, per request
ATTEMPTS = 3
RETRY_STATUS = {429, 500, 502, 503, 504}
VALID_SYNC_TOKEN = "{DAV:}valid-sync-token"


class InvalidSyncToken(Exception):
    """The server no longer knows our sync token (RFC 6578 3.2): sync in full."""


class _Retry(Exception):
    def __init__(self, status: int, retry_after: float | None) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.retry_after = retry_after


def read_password(name: str, password_env: str, password_file: Path | None) -> str | None:
    """The password of calendar `name`, from where its config says it is."""
    if password_env and password_file:
        raise InputError(
            f"calendars.{name}: password_env and password_file are both set", hint="keep one of them"
        )
    if password_env:
        value = os.environ.get(password_env)
        if not value:
            raise InputError(
                f"calendars.{name}: the environment variable {password_env} is not set",
                hint=f"export {password_env}=... before running guardian (or use password_file)",
            )
        return value
    if password_file:
        try:
            mode = password_file.stat().st_mode
        except OSError:
            raise InputError(f"calendars.{name}: password_file {password_file} does not exist") from None
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise InputError(
                f"calendars.{name}: password_file {password_file} can be read by others",
                hint=f"chmod 600 {password_file}",
            )
        try:
            lines = password_file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            raise InputError(f"calendars.{name}: cannot read password_file {password_file}") from None
        if not lines or not lines[0]:
            raise InputError(f"calendars.{name}: password_file {password_file} is empty")
        return lines[0]
    return None


def check_url(url: str) -> str:
    """The calendar URL, refused when it is not http(s) or would send a password in clear text."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(
            f"caldav:{redact(url)}: not an http(s) address", hint="write caldav:https://host/path/"
        )
    if parts.username or parts.password:
        raise InputError(
            f"caldav:{redact(url)}: credentials in the address",
            hint="put username and password_env (or password_file) in [calendars.NAME] instead",
        )
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise InputError(
            f"caldav:{redact(url)}: plain http would send your password unencrypted",
            hint="use the server's https:// address",
        )
    return url if url.endswith("/") else url + "/"


class Connection:
    """A signed-in caldav client for one server, shared by a source and its block writer."""

    def __init__(
        self,
        url: str,
        username: str = "",
        password: str | None = None,
        *,
        attempts: int = ATTEMPTS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        from caldav.davclient import DAVClient

        parts = urlsplit(url)
        self.base = f"{parts.scheme}://{parts.netloc}/"
        self.where = redact(url)
        self.attempts = attempts
        self._sleep = sleep
        self.requests = 0
        self.client: Any = DAVClient(
            url=self.base,
            username=username or None,
            password=password if username else None,
            auth_type="basic" if username and password is not None else None,
            timeout=TIMEOUT,
            enable_rfc6764=False,
        )
        self.client.session.hooks["response"].append(self._count)

    def _count(self, response, *args, **kwargs):
        self.requests += 1
        return response

    def close(self) -> None:
        self.client.close()

    def request(
        self,
        method: str,
        url: str,
        body: str = "",
        headers: dict[str, str] | None = None,
        depth: int | None = None,
    ) -> Any:
        """One request, retried when the server or the network asks for it; returns the DAVResponse."""
        from caldav.lib import error

        from guardian.adapters.retry import call_with_retries

        headers = dict(headers or {})
        if depth is not None:
            headers["Depth"] = str(depth)
        if body and "Content-Type" not in headers:
            headers["Content-Type"] = 'application/xml; charset="utf-8"'

        def once() -> Any:
            try:
                response = self.client.request(url, method, body, headers)
            except error.RateLimitError as exc:
                raise _Retry(429, exc.retry_after_seconds) from None
            if response.status in RETRY_STATUS:
                raise _Retry(response.status, None)
            return response

        try:
            return call_with_retries(
                once,
                is_retryable=_retryable,
                retry_after=lambda exc: exc.retry_after if isinstance(exc, _Retry) else None,
                attempts=self.attempts,
                sleep=self._sleep,
            )
        except _Retry as exc:
            raise ProviderError(
                f"caldav:{self.where}: the server answered HTTP {exc.status} after {self.attempts} tries"
            ) from None
        except error.AuthorizationError as exc:
            if VALID_SYNC_TOKEN in (getattr(exc, "preconditions", None) or []):
                raise InvalidSyncToken() from None
            if getattr(exc, "status", None) == 403:
                raise ProviderError(f"caldav:{self.where}: the server forbids {method} here") from None
            raise AuthError(
                f"caldav:{self.where}: the server refused the user name or password",
                hint="check username and password_env / password_file in [calendars.NAME]",
            ) from None
        except Exception as exc:
            if _is_transport(exc):
                raise ProviderError(
                    f"caldav:{self.where}: cannot reach {urlsplit(self.base).netloc} ({_reason(exc)})"
                ) from None
            raise


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, _Retry) or _is_transport(exc)


def _is_transport(exc: BaseException) -> bool:
    from caldav.lib.http_sync import requests

    return isinstance(exc, (requests.exceptions.ConnectionError, requests.exceptions.Timeout))


def _reason(exc: BaseException) -> str:
    from caldav.lib.http_sync import requests

    if isinstance(exc, requests.exceptions.SSLError):
        return "its TLS certificate is not trusted"
    if isinstance(exc, requests.exceptions.Timeout):
        return "timed out"
    return "connection failed"

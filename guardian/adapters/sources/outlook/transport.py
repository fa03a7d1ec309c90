"""Talking to Microsoft Graph: a requests session, retries, and Graph's errors in guardian's words.

Every call asks for times in UTC and text bodies (`Prefer` headers) and goes
through guardian's one retry policy (`guardian.adapters.retry`): 429, 503
and 504 are retried honouring Retry-After; after the last try a
`ProviderError` (exit 3) names the calendar. Several requests can go out as
one JSON `$batch` of at most 20; the items of a batch that fail in a
retryable way go out again under the same policy (`retry_failed_items`). Tokens come from `auth` (msal) and never
appear in a message; requests is imported lazily. The token goes only to
`graph_url` (https, or http on loopback): a link Graph hands back that points
elsewhere is refused, never followed (`guardian.adapters.endpoints`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any
from urllib.parse import quote

from guardian.adapters.endpoints import host_of, require_secure, same_origin
from guardian.adapters.retry import Outcome, call_with_retries, parse_retry_after, retry_failed_items
from guardian.adapters.settings import OutlookSettings
from guardian.adapters.sources.outlook import auth as outlook_auth
from guardian.errors import AuthError, InputError, ProviderError

MAX_BATCH = 20  # Graph's limit of requests in one $batch
RETRYABLE = frozenset({429, 503, 504})
PREFER = 'outlook.timezone="UTC", outlook.body-content-type="text"'


class GraphFailure(Exception):
    """One failed Graph response; retryable ones carry the server's Retry-After.

    `codes` are every error code of the envelope, the top one first and then
    those nested in innerError ("apps should loop through all the error codes
    available", https://learn.microsoft.com/en-us/graph/errors).
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        retry_after: float | None = None,
        codes: tuple[str, ...] = (),
    ):
        super().__init__(f"{status} {code}")
        self.status, self.code, self.message, self.retry_after = status, code, message, retry_after
        self.codes = codes or ((code,) if code else ())


class NetworkFailure(Exception):
    """No answer at all: refused, reset, timed out."""


def graph_error(payload: Any) -> tuple[str, str]:
    """(code, message) of Graph's error envelope {"error": {"code", "message"}}, or ("", "")."""
    if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
        err = payload["error"]
        return str(err.get("code") or ""), str(err.get("message") or "")
    return "", ""


def graph_error_codes(payload: Any) -> tuple[str, ...]:
    """Every `code` of Graph's error envelope, following innerError down."""
    codes: list[str] = []
    node = payload.get("error") if isinstance(payload, dict) else None
    for _ in range(8):  # a hostile answer cannot nest forever
        if not isinstance(node, dict):
            break
        if node.get("code"):
            codes.append(str(node["code"]))
        node = node.get("innerError") or node.get("innererror")
    return tuple(codes)


#: a delta link the service no longer knows: "In case of an expired token, the service
#: should respond with a 40X-series error with error codes such as syncStateNotFound"
#: (https://learn.microsoft.com/en-us/graph/delta-query-overview); resyncRequired: "The
#: delta token is no longer valid, and the app must reset the sync state"
#: (https://learn.microsoft.com/en-us/graph/errors). Compared without case.
SYNC_RESET_CODES = frozenset(
    {
        "syncstatenotfound",
        "syncstateinvalid",
        "resyncrequired",
        "resyncapplydifferences",
        "resyncuploaddifferences",
    }
)
#: the 40x statuses a delta request may answer with one of those codes
SYNC_RESET_STATUSES = (400, 404, 409, 410, 412)


def is_sync_reset(exc: BaseException) -> bool:
    """Whether a delta request's failure means: start the synchronization over.

    A 410 is a synchronization reset whatever its code (documented with a
    Location header, as the initial query); another 40x only with a sync-state
    code, so an unrelated failure is reported, never resynced silently.
    """
    if not isinstance(exc, GraphFailure) or exc.status not in SYNC_RESET_STATUSES:
        return False
    return exc.status == 410 or any(c.lower() in SYNC_RESET_CODES for c in exc.codes)


def is_retryable(exc: BaseException) -> bool:
    return isinstance(exc, NetworkFailure) or (isinstance(exc, GraphFailure) and exc.status in RETRYABLE)


def retry_after(exc: BaseException) -> float | None:
    return exc.retry_after if isinstance(exc, GraphFailure) else None


class GraphTransport:
    """One mailbox's Graph session, its retries and its error translation."""

    def __init__(
        self,
        user: str,
        settings: OutlookSettings,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.user = user
        self.settings = settings
        self.spec = f"outlook:{user}"
        self.graph_url = require_secure(outlook_auth.graph_url(settings), "[outlook] graph_url")
        self.attempts = max(1, settings.attempts)
        self.sleep = sleep
        self._session: Any = None
        self._tokens: dict[bool, str] = {}

    @property
    def base(self) -> str:
        """The mailbox's path: /me (delegated) or /users/UPN (app-only)."""
        if self.user == "me":
            return "/me"
        return "/users/" + quote(self.user, safe="@.")

    def _http(self) -> Any:
        if self._session is None:
            import requests

            self._session = requests.Session()
        return self._session

    def _token(self, write: bool) -> str:
        if self.user == "me" and outlook_auth.is_app_only(self.settings):
            raise InputError(
                "outlook:me: app-only credentials have no signed-in user",
                hint="name the mailbox, outlook:USER@DOMAIN, or sign in with guardian auth outlook",
            )
        if write not in self._tokens:
            self._tokens[write] = outlook_auth.get_token(self.settings, write=write)
        return self._tokens[write]

    def call(
        self,
        method: str,
        url: str,
        *,
        params: dict | None = None,
        body: Any = None,
        write: bool = False,
        what: str = "",
        passthrough: tuple[int, ...] = (),
    ) -> tuple[int, Any]:
        """One Graph request with retries; returns (status, parsed JSON or None).

        A failure whose status is in `passthrough` comes back as `GraphFailure`
        for the caller to handle (404 on a delete, 410 on a stale delta link).
        """
        if not url.startswith("http"):
            url = self.graph_url + url

        result: tuple[int, Any] = self.with_retries(
            lambda: self.request_once(method, url, params=params, body=body, write=write),
            what or f"{method} {url.split('?')[0]}",
            passthrough,
        )
        return result

    def request_once(
        self, method: str, url: str, *, params: dict | None = None, body: Any = None, write: bool = False
    ) -> tuple[int, Any]:
        """One Graph request, no retries: (status, parsed JSON or None), or GraphFailure/NetworkFailure."""
        import requests

        if not url.startswith("http"):
            url = self.graph_url + url
        self.check_link(url)  # the one place the token is attached
        headers = {
            "Authorization": "Bearer " + self._token(write),
            "Prefer": PREFER,
            "Accept": "application/json",
        }
        try:
            resp = self._http().request(
                method, url, params=params, json=body, headers=headers, timeout=(10, 60)
            )
        except requests.RequestException as exc:
            raise NetworkFailure(type(exc).__name__) from None
        payload: Any = None
        if resp.content:
            try:
                payload = resp.json()
            except ValueError:
                payload = None
        if resp.status_code >= 400:
            code, message = graph_error(payload)
            raise GraphFailure(
                resp.status_code,
                code,
                message,
                parse_retry_after(resp.headers.get("Retry-After")),
                graph_error_codes(payload),
            )
        return resp.status_code, payload

    def with_retries(self, fn: Callable[[], Any], what: str, passthrough: tuple[int, ...] = ()) -> Any:
        """`fn()` under the retry policy; Graph failures translated (except `passthrough` ones)."""

        try:
            return call_with_retries(
                fn,
                is_retryable=is_retryable,
                retry_after=retry_after,
                attempts=self.attempts,
                sleep=self.sleep,
            )
        except GraphFailure as exc:
            if exc.status in passthrough:
                raise
            raise self.failure(exc, what) from None
        except NetworkFailure as exc:
            raise ProviderError(
                f"{self.spec}: cannot reach Microsoft Graph at {self.graph_url} ({exc}) "
                f"after {self.attempts} tries"
            ) from None

    def failure(self, exc: GraphFailure, what: str) -> ProviderError:
        """The guardian error for a Graph failure (its detail cut short, never a token)."""
        detail = f"{exc.status} {exc.code}".strip() + (f": {exc.message}" if exc.message else "")
        detail = detail[:300]
        if exc.status == 401:
            self._tokens.clear()
            return AuthError(
                f"{self.spec}: Microsoft Graph refused the sign-in ({detail})",
                hint=outlook_auth.LOGIN_HINT,
                status=exc.status,
                reason=exc.code,
            )
        if exc.status == 403:
            return ProviderError(
                f"{self.spec}: access denied by Microsoft Graph ({detail})",
                hint="check the app's Calendars permissions and admin consent",
                status=exc.status,
                reason=exc.code,
            )
        if exc.status in RETRYABLE:
            return ProviderError(
                f"{self.spec}: Microsoft Graph still answered {detail} after {self.attempts} tries",
                status=exc.status,
                reason=exc.code,
            )
        return ProviderError(f"{self.spec}: {what} failed ({detail})", status=exc.status, reason=exc.code)

    def is_own(self, url: str) -> bool:
        """Whether an absolute `url` points at the configured Graph host (scheme, host, port)."""
        return same_origin(url, self.graph_url)

    def check_link(self, url: str) -> None:
        """Refuse to send the token anywhere but the configured Graph host."""
        if not self.is_own(url):
            raise ProviderError(
                f"{self.spec}: Microsoft Graph sent a link to another host ({host_of(url)}); not followed",
                hint=f"only {host_of(self.graph_url)} ([outlook] graph_url) is given your sign-in",
            )

    def pages(self, path: str, params: dict, what: str, passthrough: tuple[int, ...] = ()) -> Iterator[dict]:
        """Every item of a collection, following @odata.nextLink."""
        url: str | None = path if path.startswith("http") else self.graph_url + path
        query: dict | None = params
        while url:
            _, payload = self.call("GET", url, params=query, what=what, passthrough=passthrough)
            payload = payload or {}
            yield from payload.get("value") or []
            url = payload.get("@odata.nextLink")
            query = None  # the nextLink carries the whole query

    def batch(self, requests_: list[dict], *, write: bool) -> list[dict]:
        """Send sub-requests (dicts with method, url, body) as $batch requests of up to 20.

        Returns one {"status", "body"} per request, in order. Sub-requests
        that answer 429/503/504 (or that the answer left out) go out again
        under the one retry policy (`retry_failed_items`: Retry-After
        honoured, the same attempts); one still failing so after the last
        try is a ProviderError, as for a single call.
        """
        try:
            outcomes = retry_failed_items(
                partial(self._batch_round, write=write),
                requests_,
                is_retryable=is_retryable,
                retry_after=retry_after,
                attempts=self.attempts,
                sleep=self.sleep,
            )
        except GraphFailure as exc:  # the $batch request itself, after the last try
            raise self.failure(exc, "$batch") from None
        except NetworkFailure as exc:
            raise ProviderError(
                f"{self.spec}: cannot reach Microsoft Graph at {self.graph_url} ({exc}) "
                f"after {self.attempts} tries"
            ) from None
        results: list[dict] = []
        for answer, failure in outcomes:
            if isinstance(failure, GraphFailure):
                raise self.failure(failure, "$batch")
            results.append(answer or {"status": 0, "body": None})
        return results

    def _batch_round(self, pending: list[dict], *, write: bool) -> list[Outcome[dict]]:
        """One try of `pending`: one $batch per 20; a throttled or missing answer is a failure."""
        outcomes: list[Outcome[dict]] = []
        for first in range(0, len(pending), MAX_BATCH):
            chunk = pending[first : first + MAX_BATCH]
            parts = []
            for n, r in enumerate(chunk):
                part: dict[str, Any] = {"id": str(n + 1), "method": r["method"], "url": r["url"]}
                if r.get("body") is not None:
                    part["body"] = r["body"]
                    part["headers"] = {"Content-Type": "application/json"}
                parts.append(part)
            _, payload = self.request_once("POST", "/$batch", body={"requests": parts}, write=write)
            answers = {str(resp.get("id")): resp for resp in (payload or {}).get("responses") or []}
            for n in range(len(chunk)):
                resp = answers.get(str(n + 1))
                if resp is None:
                    missing = GraphFailure(503, "MissingBatchResponse", "a batch response was missing")
                    outcomes.append((None, missing))
                    continue
                status = int(resp.get("status") or 0)
                if status in RETRYABLE:
                    headers = {k.lower(): v for k, v in (resp.get("headers") or {}).items()}
                    code, message = graph_error(resp.get("body"))
                    wait = parse_retry_after(headers.get("retry-after"))
                    outcomes.append((None, GraphFailure(status, code, message, wait)))
                    continue
                outcomes.append(({"status": status, "body": resp.get("body")}, None))
        return outcomes

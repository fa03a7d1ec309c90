"""Talking to Google Calendar: the API client, retries, and Google's errors in guardian's words.

The client is google-api-python-client, built from its bundled discovery
document (`static_discovery`) against `api_endpoint`, which replaces the
root URL and the service path together (so it reads like
`https://www.googleapis.com/calendar/v3/`). Every call executes with the
client's own retries off (`num_retries=0`: they ignore Retry-After) under
guardian's one policy (`guardian.adapters.retry`): 429, 5xx, 403
rateLimitExceeded/userRateLimitExceeded and transport failures are retried
with exponential backoff and jitter, honouring Retry-After.

`api_endpoint` and `batch_uri` must be https (plain http only on loopback,
for tests): the bearer token never travels in clear. After the last try a
`ProviderError` (exit 3) names the calendar; a refused
token is an `AuthError` whose hint says what to run. No token and no URL with
credentials ever appears in a message. googleapiclient, google.auth and
httplib2 are imported inside the functions that need them.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from guardian.adapters.endpoints import require_secure
from guardian.adapters.retry import call_with_retries, parse_retry_after
from guardian.adapters.settings import GoogleSettings
from guardian.errors import AuthError, ProviderError

MAX_RESULTS = 2500  # the most events.list serves per page
BATCH_LIMIT = 50  # Google advises small batches for Calendar writes

#: the fields of an event the mapping reads (a partial response: nothing else is fetched)
ITEM_FIELDS = (
    "id,status,summary,description,location,start,end,created,updated,"
    "organizer(email,displayName,self),creator(email,displayName,self),"
    "attendees(email,displayName,self,organizer,responseStatus,optional,resource,comment),"
    "attachments(fileUrl,title,mimeType),"
    "conferenceData(entryPoints(entryPointType,uri,label),conferenceSolution/name),"
    "hangoutLink,eventType,transparency,recurringEventId,originalStartTime,"
    "extendedProperties/private,focusTimeProperties"
)
LIST_FIELDS = f"nextPageToken,nextSyncToken,items({ITEM_FIELDS})"

RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded"}
SCOPE_REASONS = {"insufficientPermissions", "ACCESS_TOKEN_SCOPE_INSUFFICIENT"}

#: one answer of a batch: (the response, or None; the failure, or None)
Answer = tuple[Any, BaseException | None]


class Gone(Exception):
    """The sync token is no longer valid (HTTP 410): a full sync is needed."""


def default_batch_uri(api_endpoint: str) -> str:
    """The batch endpoint on the API's host (the client's own always posts to googleapis.com)."""
    parts = urlsplit(api_endpoint)
    return f"{parts.scheme}://{parts.netloc}/batch/calendar/v3"


# --- what a failure is ----------------------------------------------------------------


def status_of(exc: BaseException) -> int | None:
    """The HTTP status of a googleapiclient HttpError, or None for anything else."""
    resp = getattr(exc, "resp", None)
    try:
        return int(resp.status) if resp is not None else None
    except (TypeError, ValueError, AttributeError):
        return None


def error_info(exc: BaseException) -> tuple[str, str]:
    """(reason, message) from a Google JSON error body, or ("", "")."""
    content = getattr(exc, "content", b"") or b""
    try:
        body = json.loads(content.decode("utf-8") if isinstance(content, bytes) else content)
        err = body.get("error", {})
        if isinstance(err, str):  # OAuth-style {"error": "invalid_grant"}
            return err, str(body.get("error_description", ""))
        errors = err.get("errors") or [{}]
        return str(errors[0].get("reason", "")), str(err.get("message", ""))
    except (ValueError, AttributeError, UnicodeDecodeError):
        return "", ""


def is_transport(exc: BaseException) -> bool:
    """A failure with no HTTP answer at all: refused, reset, timed out."""
    import httplib2  # type: ignore[import-untyped,unused-ignore]

    return isinstance(exc, (OSError, httplib2.HttpLib2Error)) and status_of(exc) is None


def is_auth_exc(exc: BaseException) -> bool:
    try:
        from google.auth.exceptions import GoogleAuthError
    except ImportError:  # pragma: no cover
        return False
    return isinstance(exc, GoogleAuthError)


def is_retryable(exc: BaseException) -> bool:
    status = status_of(exc)
    if status is None:
        return is_transport(exc)
    if status == 429 or status >= 500:
        return True
    return status == 403 and error_info(exc)[0] in RATE_REASONS


def retry_after(exc: BaseException) -> float | None:
    resp = getattr(exc, "resp", None)
    if resp is None:
        return None
    try:
        return parse_retry_after(resp.get("retry-after"))
    except AttributeError:
        return None


def is_google_failure(exc: BaseException) -> bool:
    """Whether `exc` comes from Google or the way there (and so gets translated)."""
    return status_of(exc) is not None or is_transport(exc) or is_auth_exc(exc)


def _tries(n: int) -> str:
    return f"{n} tr{'y' if n == 1 else 'ies'}"


# --- the client -------------------------------------------------------------------


class GoogleTransport:
    """One calendar's API client, its retries and its error translation."""

    def __init__(
        self,
        calendar_id: str,
        settings: GoogleSettings,
        *,
        credentials: Any | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.calendar_id = calendar_id
        self.settings = settings
        self.api_endpoint = require_secure(settings.api_endpoint, "[google] api_endpoint")
        if not self.api_endpoint.endswith("/"):
            self.api_endpoint += "/"
        self.batch_uri = require_secure(
            settings.batch_uri or default_batch_uri(self.api_endpoint), "[google] batch_uri"
        )
        self.attempts = max(1, settings.attempts)
        self.sleep = sleep
        self._credentials = credentials
        self._service: Any = None
        self._service_can_write = False
        self._service_creds: Any = None

    def service(self, write: bool = False) -> Any:
        """The API client, with credentials that allow writing when `write`."""
        if self._service is None or (write and not self._service_can_write):
            creds = self._credentials
            if creds is None:
                from guardian.adapters.sources.google.auth import load_credentials

                creds = load_credentials(self.settings, write=write)
            from googleapiclient.discovery import build  # type: ignore[import-untyped,unused-ignore]

            self._service = build(
                "calendar",
                "v3",
                credentials=creds,
                client_options={"api_endpoint": self.api_endpoint},
                static_discovery=True,
                cache_discovery=False,
            )
            self._service_can_write = write or self._credentials is not None
            self._service_creds = creds
        return self._service

    def _owned_only(self) -> bool:
        """Whether the credentials may write only calendars the user owns (calendar.events.owned)."""
        from guardian.adapters.sources.google.auth import CAN_WRITE, EVENTS_OWNED

        creds = self._service_creds
        granted = set(getattr(creds, "granted_scopes", None) or getattr(creds, "scopes", None) or ())
        return EVENTS_OWNED in granted and not granted & (CAN_WRITE - {EVENTS_OWNED})

    def fail(self, exc: BaseException, doing: str, tries: int) -> ProviderError:
        """The guardian error for a failed call (never quoting tokens or URLs)."""
        from google.auth.exceptions import RefreshError, TransportError

        where = f"Google Calendar {self.calendar_id!r}"
        if isinstance(exc, RefreshError):
            return AuthError("Google refused the saved token", hint="run: guardian auth google")
        if isinstance(exc, TransportError) or is_transport(exc):
            host = urlsplit(self.api_endpoint).netloc
            return ProviderError(
                f"{where}: cannot reach {host} while {doing} ({type(exc).__name__}, {_tries(tries)})"
            )
        status = status_of(exc)
        reason, message = error_info(exc)
        if status == 401 or reason == "invalid_grant":
            return AuthError(
                "Google refused the saved token",
                hint="run: guardian auth google",
                status=status,
                reason=reason,
            )
        if status == 403 and reason in SCOPE_REASONS:
            mine = self._owned_only()
            return AuthError(
                f"{where}: the Google token does not allow {doing}"
                + (" (it lets guardian change events only on calendars you own)" if mine else ""),
                hint=(
                    "book focus blocks in a calendar of your own ([calendars] / -c google:primary)"
                    if mine
                    else "run: guardian auth google --write"
                ),
                status=status,
                reason=reason,
            )
        if status == 404:
            return ProviderError(
                f"{where}: not found while {doing} (is the calendar id right, and shared with you?)",
                status=404,
                reason=reason,
            )
        detail = f"HTTP {status}" + (f" {reason}" if reason else "") + (f": {message}" if message else "")
        after = f" after {_tries(tries)}" if tries > 1 else ""
        return ProviderError(f"{where}: {doing} failed{after} ({detail})", status=status, reason=reason)

    def call(self, doing: str, make: Callable[[], Any], *, sync: bool = False) -> Any:
        """Execute the request `make()` builds, with retries; Google errors translated.

        With `sync`, a 410 means the sync token is gone (Google does not always
        give the fullSyncRequired reason, so the status decides): `Gone`.
        """
        tries = 0

        def once() -> Any:
            nonlocal tries
            tries += 1
            return make().execute(num_retries=0)

        try:
            return call_with_retries(
                once,
                is_retryable=is_retryable,
                retry_after=retry_after,
                attempts=self.attempts,
                sleep=self.sleep,
            )
        except Exception as exc:  # translated below; anything else propagates
            if sync and status_of(exc) == 410:
                raise Gone() from None
            if is_google_failure(exc):
                raise self.fail(exc, doing, tries) from None
            raise

    def _pages(
        self, doing: str, method: Any, args: dict[str, Any], *, sync: bool = False
    ) -> tuple[list[dict], dict]:
        """Every page of one listing (`pageToken` until there is no `nextPageToken`):
        the items of all pages, and the last page (which carries `nextSyncToken`)."""
        items: list[dict] = []
        while True:
            page = self.call(doing, partial(method, **args), sync=sync)
            items.extend(page.get("items", []))
            page_token = page.get("nextPageToken")
            if not page_token:
                return items, page
            args = {**args, "pageToken": page_token}

    def list_events(self, doing: str, **params: Any) -> tuple[list[dict], str | None]:
        """Every page of one events.list (singleEvents, a fields mask); (items, nextSyncToken)."""
        args = dict(
            calendarId=self.calendar_id,
            singleEvents=True,
            maxResults=MAX_RESULTS,
            fields=LIST_FIELDS,
            **params,
        )
        items, last = self._pages(doing, self.service().events().list, args, sync="syncToken" in args)
        return items, last.get("nextSyncToken")

    def list_instances(self, doing: str, event_id: str, **params: Any) -> list[dict] | None:
        """Every current instance of the recurring event `event_id` (events.instances), or
        None when the series itself is gone (404, or 410 for a deleted one)."""
        args = dict(
            calendarId=self.calendar_id,
            eventId=event_id,
            maxResults=MAX_RESULTS,
            fields=f"nextPageToken,items({ITEM_FIELDS})",
            **params,
        )
        try:
            return self._pages(doing, self.service().events().instances, args)[0]
        except ProviderError as exc:
            if exc.status in (404, 410) and not isinstance(exc, AuthError):
                return None
            raise

    def execute_once(self, request: Any) -> Answer:
        """One write request, sent once; its HTTP or transport failure is the answer, not raised."""
        from googleapiclient.errors import HttpError  # type: ignore[import-untyped,unused-ignore]

        try:
            return request.execute(num_retries=0), None
        except HttpError as exc:
            return None, exc
        except Exception as exc:
            if is_transport(exc):
                return None, exc  # retried like a 5xx by the caller
            if is_auth_exc(exc):
                raise self.fail(exc, "writing focus blocks", 1) from None
            raise

    def batch_once(self, makers: list[Callable[[], Any]]) -> list[Answer]:
        """Send the requests `makers` build as multipart batches of up to BATCH_LIMIT, once.

        One answer per request, in order: the parts' own failures are
        answers, for the caller (and `retry_failed_items`) to judge. A batch
        request that fails as a whole raises its failure.
        """
        from googleapiclient.http import BatchHttpRequest  # type: ignore[import-untyped,unused-ignore]

        answers: list[Answer] = []
        for first in range(0, len(makers), BATCH_LIMIT):
            chunk = makers[first : first + BATCH_LIMIT]
            got: dict[str, Answer] = {}

            def collect(
                request_id: str, response: Any, exception: BaseException | None, got: dict = got
            ) -> None:
                got[request_id] = (response, exception)

            batch = BatchHttpRequest(callback=collect, batch_uri=self.batch_uri)
            for n, make in enumerate(chunk):
                batch.add(make(), request_id=str(n))
            batch.execute()
            answers.extend(got.get(str(n), (None, None)) for n in range(len(chunk)))
        return answers

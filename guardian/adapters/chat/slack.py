"""Slack: a status and paused notifications while a focus block runs (slack_sdk's WebClient).

At the block's start:

- `users.profile.set` with `status_text`, `status_emoji` and
  `status_expiration` at the block's end ("an integer specifying seconds
  since the epoch ... When it becomes this time, the status will be reset":
  api.slack.com, "User presence and status"), unless the person has a status
  of their own on (read first with `users.profile.get`: theirs is never
  overwritten);
- `dnd.setSnooze` with `num_minutes` up to the block's end ("Number of
  minutes, from now, to snooze until": api.slack.com/methods/dnd.setSnooze).

At its end the status is cleared if it is still guardian's (Slack resets it
itself; this only covers a late reset), and when the block ended early
(deleted or moved away while it ran) `dnd.endSnooze` ends the snooze that
would otherwise run on.

Scopes: a *user* token (`xoxp-...`: statuses and Do Not Disturb are a
person's, not a bot's) with `users.profile:read`, `users.profile:write` and
`dnd:write`, nothing else. The token comes from a 0600 file or an
environment variable named in the config, goes out only in the
Authorization header, and is never in a message. Slack answers errors as
`{"ok": false, "error": CODE}`; a 429 is retried after its Retry-After
(slack_sdk's rate-limit handler).
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from guardian.adapters.secretfile import read_secret
from guardian.adapters.settings import ChatSettings
from guardian.errors import AuthError, InputError, ProviderError

SCOPES = ("users.profile:read", "users.profile:write", "dnd:write")
AUTH_ERRORS = {"not_authed", "invalid_auth", "token_revoked", "token_expired", "account_inactive"}
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def check_api_url(url: str) -> str:
    """The Web API's base URL; plain http only to this machine (the token would travel in clear)."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise InputError(f"[chat] slack_api_url: {url!r} is not an http(s) address")
    if parts.scheme == "http" and parts.hostname not in LOOPBACK:
        raise InputError(
            "[chat] slack_api_url: plain http would send the Slack token in clear", hint="use https://"
        )
    return url if url.endswith("/") else url + "/"


class SlackChat:
    name = "slack"

    def __init__(self, token: str, settings: ChatSettings, *, retries: int = 3) -> None:
        from slack_sdk import WebClient
        from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

        self.settings = settings
        self.base_url = check_api_url(settings.slack_api_url)
        self.client = WebClient(token=token, base_url=self.base_url, timeout=30)
        self.client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=retries))

    @classmethod
    def from_settings(cls, settings: ChatSettings) -> SlackChat:
        token = read_secret(
            "[chat] slack_token_file" if settings.slack_token_file else "[chat] slack_token_env",
            settings.slack_token_env,
            settings.slack_token_file,
        )
        assert token is not None  # settings.slack says one of them is set
        return cls(token, settings)

    # --- the two moments ---------------------------------------------------------------

    def start(self, end: datetime, now: datetime) -> str:
        minutes = max(1, math.ceil((end - now).total_seconds() / 60))
        done = []
        profile = self._call("users_profile_get").get("profile") or {}
        if self._may_set(profile, now):
            self._call(
                "users_profile_set",
                profile={
                    "status_text": self.settings.slack_status_text,
                    "status_emoji": self.settings.slack_status_emoji,
                    "status_expiration": int(end.timestamp()),
                },
            )
            done.append("status set")
        else:
            done.append("your own status kept")
        if self.settings.slack_dnd:
            self._call("dnd_setSnooze", num_minutes=minutes)
            done.append(f"notifications paused for {minutes} min")
        return f"slack: {', '.join(done)}"

    def stop(self, end: datetime, now: datetime) -> str:
        done = []
        profile = self._call("users_profile_get").get("profile") or {}
        if self._is_ours(profile):
            self._call(
                "users_profile_set", profile={"status_text": "", "status_emoji": "", "status_expiration": 0}
            )
            done.append("status cleared")
        if self.settings.slack_dnd and now < end:  # ended early: the snooze would run on
            try:
                self._call("dnd_endSnooze")
                done.append("notifications back on")
            except ProviderError as exc:
                if exc.reason != "snooze_not_active":  # already over: nothing to end
                    raise
        return f"slack: {', '.join(done) or 'nothing left to undo'}"

    # --- helpers -----------------------------------------------------------------------

    def _is_ours(self, profile: dict) -> bool:
        return (profile.get("status_text") or "") == self.settings.slack_status_text and (
            profile.get("status_emoji") or ""
        ) == self.settings.slack_status_emoji

    def _may_set(self, profile: dict, now: datetime) -> bool:
        """Whether guardian may set its status: none is on, or it is its own, or it has expired."""
        text = profile.get("status_text") or ""
        expires = int(profile.get("status_expiration") or 0)
        return not text or self._is_ours(profile) or bool(expires and expires <= now.timestamp())

    def _call(self, method: str, **kwargs: Any) -> dict:
        from slack_sdk.errors import SlackApiError, SlackClientError

        host = urlsplit(self.base_url).netloc
        try:
            response = getattr(self.client, method)(**kwargs)
        except SlackApiError as exc:
            code = str((exc.response.data or {}).get("error") if exc.response is not None else "") or "error"
            what = method.replace("_", ".")
            if code in AUTH_ERRORS:
                raise AuthError(
                    f"slack: the token was refused ({code})",
                    hint="put a valid user token (xoxp-...) where [chat] slack_token_file or slack_token_env says",
                    reason=code,
                ) from None
            if code == "missing_scope":
                needed = str((exc.response.data or {}).get("needed") or "")
                raise AuthError(
                    f"slack: the token lacks the {needed or 'needed'} scope",
                    hint="give the Slack app the user scopes " + ", ".join(SCOPES) + " and reinstall it",
                    reason=code,
                ) from None
            status = exc.response.status_code if exc.response is not None else None
            raise ProviderError(f"slack: {what} failed ({code})", status=status, reason=code) from None
        except (SlackClientError, OSError) as exc:
            raise ProviderError(f"slack: cannot reach {host} ({type(exc).__name__})") from None
        return dict(response.data) if isinstance(response.data, dict) else {}

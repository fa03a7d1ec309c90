"""Retries for provider calls: exponential backoff with jitter, honouring Retry-After.

Both Google's and Microsoft's client libraries either do not retry or ignore
Retry-After, so guardian retries itself, with tenacity, in one place.
A provider adapter tells this module two things about an exception: whether
it is worth another try, and how long the server asked us to wait.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, stop_any
from tenacity.stop import stop_base
from tenacity.wait import wait_random_exponential

T = TypeVar("T")

MAX_WAIT_SECONDS = 60.0


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def call_with_retries(
    fn: Callable[[], T],
    *,
    is_retryable: Callable[[BaseException], bool],
    retry_after: Callable[[BaseException], float | None],
    attempts: int,
    base_wait: float = 0.5,
    max_wait: float = MAX_WAIT_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call `fn`, retrying retryable failures; the last failure is re-raised.

    A Retry-After is honoured exactly; one longer than `max_wait` ends the
    retries at once instead of being shortened.
    """
    backoff = wait_random_exponential(multiplier=base_wait, max=max_wait)

    def asked(state: RetryCallState) -> float | None:
        exc = state.outcome.exception() if state.outcome else None
        return retry_after(exc) if exc is not None else None

    def wait(state: RetryCallState) -> float:
        seconds = asked(state)
        return seconds if seconds is not None else backoff(state)

    class AskedTooLong(stop_base):
        # A server that asks for more than max_wait is not retried early against
        # its wish, nor waited on for an hour: the call fails now (exit 3).
        def __call__(self, state: RetryCallState) -> bool:
            seconds = asked(state)
            return seconds is not None and seconds > max_wait

    retrying = Retrying(
        retry=retry_if_exception(is_retryable),
        stop=stop_any(stop_after_attempt(attempts), AskedTooLong()),
        wait=wait,
        sleep=sleep,
        reraise=True,
    )
    return retrying(fn)

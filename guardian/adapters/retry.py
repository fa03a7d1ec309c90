"""Retries for provider calls: exponential backoff with jitter, honouring Retry-After.

Both Google's and Microsoft's client libraries either do not retry or ignore
Retry-After, so guardian retries itself, with tenacity, in one place.
A provider adapter tells this module two things about an exception: whether
it is worth another try, and how long the server asked us to wait.

One policy, two shapes: `call_with_retries` for a single call, and
`retry_failed_items` for a batch, whose items succeed or fail one by one
(Google's multipart batch, Graph's JSON `$batch`): only the items that
failed in a retryable way go out again, under the same waits and the same
number of attempts.
"""

from __future__ import annotations

import contextlib
import email.utils
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TypeVar

from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt
from tenacity.stop import stop_base
from tenacity.wait import wait_random_exponential

T = TypeVar("T")
Item = TypeVar("Item")  # an item of a batch
R = TypeVar("R")  # what an item comes to

#: what one item of a batch came to: (its result, None) or (None, its failure)
Outcome = tuple[R | None, BaseException | None]

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

    class asked_too_long(stop_base):  # noqa: N801 - reads as the condition it is
        # A server that asks for more than max_wait is not retried early against
        # its wish, nor waited on for an hour: the call fails now (exit 3).
        def __call__(self, state: RetryCallState) -> bool:
            seconds = asked(state)
            return seconds is not None and seconds > max_wait

    retrying = Retrying(
        retry=retry_if_exception(is_retryable),
        stop=stop_after_attempt(attempts) | asked_too_long(),
        wait=wait,
        sleep=sleep,
        reraise=True,
    )
    return retrying(fn)


class ItemsFailed(Exception):
    """Some items of a batch round failed in a retryable way (their failures inside)."""

    def __init__(self, failures: list[BaseException]) -> None:
        super().__init__(f"{len(failures)} item(s) failed")
        self.failures = failures


def retry_failed_items(
    send: Callable[[list[Item]], Sequence[Outcome[R]]],
    items: Sequence[Item],
    *,
    is_retryable: Callable[[BaseException], bool],
    retry_after: Callable[[BaseException], float | None],
    attempts: int,
    base_wait: float = 0.5,
    max_wait: float = MAX_WAIT_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Outcome[R]]:
    """Send `items` as a batch; send again only those that failed retryably.

    `send(pending)` makes one round (one or more batch requests) and returns
    one outcome per pending item, in order. An item whose failure
    `is_retryable` goes into the next round; the wait before it is the
    longest Retry-After those items were given (honoured exactly), else the
    exponential backoff with jitter of `call_with_retries`, whose policy this
    is: `attempts` rounds at most, and a Retry-After above `max_wait` ends
    the retries at once. A round that fails as a whole (`send` raises) is
    retried the same way, or its failure raised.

    Returns every item's last outcome, in the order of `items`: a result, or
    the failure it ended with (retryable ones too, when the attempts ran out).
    """
    outcomes: list[Outcome[R]] = [(None, None)] * len(items)
    pending = list(range(len(items)))

    def one_round() -> None:
        nonlocal pending
        answers = list(send([items[i] for i in pending]))
        if len(answers) != len(pending):
            raise ValueError(f"a batch round answered {len(answers)} of {len(pending)} items")
        again = []
        for i, answer in zip(pending, answers, strict=True):
            outcomes[i] = answer
            if answer[1] is not None and is_retryable(answer[1]):
                again.append(i)
        pending = again
        if again:
            raise ItemsFailed([failure for i in again if (failure := outcomes[i][1]) is not None])

    def retryable(exc: BaseException) -> bool:
        return isinstance(exc, ItemsFailed) or is_retryable(exc)

    def asked(exc: BaseException) -> float | None:
        if not isinstance(exc, ItemsFailed):
            return retry_after(exc)
        waits = [w for w in map(retry_after, exc.failures) if w is not None]
        return max(waits) if waits else None

    # out of attempts (or asked to wait too long): the last outcomes stand
    with contextlib.suppress(ItemsFailed):
        call_with_retries(
            one_round,
            is_retryable=retryable,
            retry_after=asked,
            attempts=attempts,
            base_wait=base_wait,
            max_wait=max_wait,
            sleep=sleep,
        )
    return outcomes

"""guardian's retry policy, as a provider sees it: Retry-After is honoured exactly."""

import pytest

from guardian.adapters.retry import call_with_retries, parse_retry_after


class Throttled(Exception):
    def __init__(self, after: float | None) -> None:
        super().__init__("429")
        self.after = after


def flaky(failures: list):
    calls = []

    def fn():
        calls.append(1)
        if failures:
            raise failures.pop(0)
        return "done"

    return fn, calls


def run(fn, sleeps, **kw):
    return call_with_retries(
        fn,
        is_retryable=lambda e: isinstance(e, Throttled),
        retry_after=lambda e: e.after,
        sleep=sleeps.append,
        **{"attempts": 5, **kw},
    )


def test_retry_after_is_waited_exactly_then_the_call_succeeds():
    fn, calls = flaky([Throttled(7), Throttled(None)])
    sleeps: list[float] = []
    assert run(fn, sleeps, max_wait=60) == "done"
    assert len(calls) == 3 and sleeps[0] == 7 and 0 <= sleeps[1] <= 60


def test_a_retry_after_longer_than_the_limit_fails_at_once_instead_of_retrying_early():
    fn, calls = flaky([Throttled(3600)])
    sleeps: list[float] = []
    with pytest.raises(Throttled):
        run(fn, sleeps, max_wait=60)
    assert calls == [1] and sleeps == []


def test_the_last_failure_is_raised_after_the_attempts():
    fn, calls = flaky([Throttled(0)] * 5)
    with pytest.raises(Throttled):
        run(fn, [], attempts=3)
    assert len(calls) == 3


@pytest.mark.parametrize(("header", "seconds"), [("120", 120.0), ("0", 0.0), ("soon", None), (None, None)])
def test_parse_retry_after(header, seconds):
    assert parse_retry_after(header) == seconds


def test_parse_retry_after_http_date_in_the_past_is_zero():
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0

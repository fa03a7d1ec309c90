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


# --- batches: only the failed items go out again, under the same policy ---------------


class Server:
    """A batch endpoint: `plan[item]` lists what each try of that item answers."""

    def __init__(self, plan: dict[str, list]) -> None:
        self.plan = {k: list(v) for k, v in plan.items()}
        self.rounds: list[list[str]] = []

    def __call__(self, items: list[str]):
        self.rounds.append(list(items))
        out = []
        for item in items:
            answer = self.plan[item].pop(0) if self.plan[item] else "ok"
            out.append((None, answer) if isinstance(answer, Exception) else (f"{item}:{answer}", None))
        return out


class Refused(Exception):
    pass


def batch(server, items, sleeps, **kw):
    from guardian.adapters.retry import retry_failed_items

    return retry_failed_items(
        server,
        items,
        is_retryable=lambda e: isinstance(e, Throttled),
        retry_after=lambda e: e.after,
        sleep=sleeps.append,
        **{"attempts": 5, **kw},
    )


def test_only_the_failed_items_are_sent_again_after_their_retry_after():
    server = Server({"a": [], "b": [Throttled(2)], "c": [Throttled(1), Throttled(None)]})
    sleeps: list[float] = []
    assert batch(server, ["a", "b", "c"], sleeps) == [("a:ok", None), ("b:ok", None), ("c:ok", None)]
    assert server.rounds == [["a", "b", "c"], ["b", "c"], ["c"]]
    assert sleeps[0] == 2  # the longest Retry-After of the round, exactly
    assert 0 <= sleeps[1] <= 60  # none asked: exponential backoff with jitter


def test_a_failure_that_is_not_retryable_is_that_item_s_outcome_and_not_retried():
    refused = Refused("403")
    server = Server({"a": [refused], "b": [Throttled(0)]})
    out = batch(server, ["a", "b"], [])
    assert out == [(None, refused), ("b:ok", None)]
    assert server.rounds == [["a", "b"], ["b"]]


def test_out_of_attempts_the_last_failure_stands():
    server = Server({"a": [Throttled(0)] * 9, "b": []})
    out = batch(server, ["a", "b"], [], attempts=3)
    assert isinstance(out[0][1], Throttled) and out[1] == ("b:ok", None)
    assert server.rounds == [["a", "b"], ["a"], ["a"]]


def test_a_retry_after_above_the_limit_ends_the_retries():
    server = Server({"a": [Throttled(3600)], "b": [Throttled(1)]})
    sleeps: list[float] = []
    out = batch(server, ["a", "b"], sleeps, max_wait=60)
    assert isinstance(out[0][1], Throttled) and isinstance(out[1][1], Throttled)
    assert server.rounds == [["a", "b"]] and sleeps == []


def test_a_round_that_fails_as_a_whole_is_retried_under_the_same_attempts():
    calls = []

    def send(items):
        calls.append(list(items))
        if len(calls) == 1:
            raise Throttled(4)  # the batch request itself was throttled
        return [(i, None) for i in items]

    sleeps: list[float] = []
    assert batch(send, ["a", "b"], sleeps) == [("a", None), ("b", None)]
    assert calls == [["a", "b"], ["a", "b"]] and sleeps == [4]
    with pytest.raises(Refused):
        batch(lambda items: (_ for _ in ()).throw(Refused("500")), ["a"], [])

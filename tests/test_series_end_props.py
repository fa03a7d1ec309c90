"""One series-end computation for every source (guardian.core.recurrence), checked against dateutil.

The oracle is dateutil's own expansion of the same rule from an aware
DTSTART (it keeps the wall clock, as RFC 5545 asks): the last instance it
yields must be the series end, in zones with DST changes too.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from guardian.core.recurrence import MAX_COUNT, series_end

ZONES = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "America/Santiago", "Asia/Kolkata", "UTC"]
BERLIN = ZoneInfo("Europe/Berlin")

starts = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1)).map(
    lambda d: d.replace(second=0, microsecond=0)
)


@st.composite
def rules(draw) -> str:
    freq = draw(st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY"]))
    parts = [f"FREQ={freq}", f"INTERVAL={draw(st.integers(1, 4))}"]
    if freq == "WEEKLY" and draw(st.booleans()):
        days = draw(
            st.lists(st.sampled_from(["MO", "TU", "WE", "TH", "FR", "SA", "SU"]), min_size=1, unique=True)
        )
        parts.append("BYDAY=" + ",".join(days))
    if freq == "MONTHLY" and draw(st.booleans()):
        parts.append(f"BYMONTHDAY={draw(st.integers(1, 28))}")
    return ";".join(parts)


def instances(rule: str, dtstart: datetime) -> list[datetime]:
    return list(rrulestr(rule, dtstart=dtstart))


@settings(max_examples=300, deadline=None)
@given(rules(), starts, st.integers(1, 60), st.sampled_from(ZONES))
def test_count_the_last_instance_is_the_series_end(rule, start, count, zone):
    tz = ZoneInfo(zone)
    first = start.replace(tzinfo=tz)
    last = instances(f"{rule};COUNT={count}", first)[-1]
    assert same_instant(series_end([f"{rule};COUNT={count}"], first, tz), last)
    # the same DTSTART given in UTC, or floating, recurs on the series' wall clock all the same
    assert same_instant(series_end([f"RRULE:{rule};COUNT={count}"], first.astimezone(UTC), tz), last)
    assert same_instant(series_end([f"{rule};COUNT={count}"], start, tz), last)


def same_instant(a: datetime | None, b: datetime) -> bool:
    """Equal instants. `==` between zones is False for a time in a DST fold (PEP 495: an
    ambiguous local time never equals a time in another zone), e.g. 01:00 on the night
    New York's clocks go back, which hypothesis finds now and then."""
    return a is not None and a.timestamp() == b.timestamp()


@settings(max_examples=200, deadline=None)
@given(rules(), starts, st.integers(1, 40), st.sampled_from(ZONES))
def test_until_utc_and_floating_end_at_the_last_instance_they_allow(rule, start, n, zone):
    tz = ZoneInfo(zone)
    first = start.replace(tzinfo=tz)
    nth = instances(f"{rule};COUNT={n}", first)[-1]
    utc = nth.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    assert instances(f"{rule};UNTIL={utc}", first)[-1] == nth
    assert same_instant(series_end([f"{rule};UNTIL={utc}"], first, tz), nth)
    floating = nth.strftime("%Y%m%dT%H%M%S")
    assert same_instant(series_end([f"{rule};UNTIL={floating}"], first, tz), nth.replace(tzinfo=tz))


@settings(max_examples=200, deadline=None)
@given(rules(), st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 1, 1)), st.integers(1, 40))
def test_until_a_date_ends_after_the_last_instance_s_day(rule, first_day, n):
    tz = BERLIN
    first = datetime.combine(first_day, datetime.min.time(), tz)
    nth = instances(f"{rule};COUNT={n}", first)[-1]
    end = series_end([f"{rule};UNTIL={nth:%Y%m%d}"], first_day, tz)
    assert end is not None
    every = instances(f"{rule};UNTIL={nth:%Y%m%d}", first.replace(tzinfo=None))
    assert all(i.replace(tzinfo=tz) < end for i in every)
    assert end == datetime.combine(nth.date() + timedelta(days=1), datetime.min.time(), tz)


@given(rules(), starts, st.sampled_from(ZONES))
def test_a_rule_without_until_or_count_is_endless(rule, start, zone):
    tz = ZoneInfo(zone)
    assert series_end([rule], start.replace(tzinfo=tz), tz) is None
    assert series_end([f"{rule};COUNT=3", rule], start.replace(tzinfo=tz), tz) is None  # one endless rule


def test_no_rules_no_end_and_the_latest_of_several_rules():
    start = datetime(2026, 12, 7, 9, tzinfo=BERLIN)
    assert series_end([], start, BERLIN) is None
    assert series_end(
        ["FREQ=DAILY;COUNT=3", "FREQ=WEEKLY;UNTIL=20261221T225959Z"], start, BERLIN
    ) == datetime(2026, 12, 21, 22, 59, 59, tzinfo=UTC)


def test_a_count_across_the_spring_change_keeps_the_wall_clock():
    start = datetime(2027, 3, 26, 9, tzinfo=BERLIN)  # Friday; Berlin moves to summer time on Sunday 28
    end = series_end(["FREQ=DAILY;COUNT=4"], start, BERLIN)
    assert end == datetime(2027, 3, 29, 9, tzinfo=BERLIN)
    assert end.utcoffset() == timedelta(hours=2)


def test_an_absurd_count_still_ends_without_being_expanded():
    start = datetime(2026, 12, 7, 9, tzinfo=BERLIN)
    assert series_end([f"FREQ=SECONDLY;COUNT={MAX_COUNT * 1000}"], start, BERLIN) == start


@pytest.mark.parametrize("bad", ["COUNT=3", "FREQ=DAILY;UNTIL=tomorrow", "FREQ=DAILY;COUNT=x", "hello"])
def test_a_broken_rule_is_a_value_error(bad):
    with pytest.raises(ValueError):
        series_end([bad], datetime(2026, 12, 7, 9, tzinfo=BERLIN), BERLIN)

"""Properties of the interval helper that the audit, the focus planner and the report all rely on.

Intervals are drawn on a minute grid so a plain set of covered minutes is an
exact reference model of what a list of intervals covers.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from guardian.core.intervals import free_slots, intersect, merge, subtract, total

# 24 h from 20:00Z on 24 Oct 2026: the span crosses the autumn DST change in Europe/Berlin
# (01:00Z on the 25th), so the same instants written in Berlin time repeat an hour of wall clock.
BASE = datetime(2026, 10, 24, 20, 0, tzinfo=UTC)
SPAN = 24 * 60  # minutes
ZONES = [
    UTC,
    ZoneInfo("Europe/Berlin"),
    ZoneInfo("America/New_York"),
    timezone(timedelta(hours=5, minutes=30)),
]

PROPS = settings(max_examples=150, deadline=None)


@st.composite
def an_interval(draw):
    start = draw(st.integers(0, SPAN))
    length = draw(st.integers(-30, 8 * 60))  # empty and reversed ones too: they cover nothing
    zone = draw(st.sampled_from(ZONES))  # the same instants, written in different zones
    return (
        (BASE + timedelta(minutes=start)).astimezone(zone),
        (BASE + timedelta(minutes=start + length)).astimezone(zone),
    )


intervals = st.lists(an_interval(), max_size=12)


def minutes(ivs) -> set[int]:
    """Reference model: the set of grid minutes covered."""
    covered: set[int] = set()
    for s, e in ivs:
        a = int((s - BASE).total_seconds() // 60)
        b = int((e - BASE).total_seconds() // 60)
        covered.update(range(a, b))
    return covered


def assert_sorted_disjoint(ivs, *, touching_allowed: bool = False):
    for s, e in ivs:
        assert s < e
    for (_, e1), (s2, _) in zip(ivs, ivs[1:], strict=False):
        assert e1 < s2 or (touching_allowed and e1 == s2)


@PROPS
@given(intervals)
def test_merge_is_sorted_disjoint_and_covers_the_same_time(ivs):
    merged = merge(ivs)
    assert_sorted_disjoint(merged)  # touching intervals are joined, so gaps are real gaps
    assert minutes(merged) == minutes(ivs)
    assert total(merged) == total(ivs) == timedelta(minutes=len(minutes(ivs)))


@PROPS
@given(intervals)
def test_merge_is_idempotent(ivs):
    assert merge(merge(ivs)) == merge(ivs)


@PROPS
@given(intervals, intervals)
def test_subtract_leaves_nothing_of_the_cuts(a, b):
    rest = subtract(a, b)
    assert intersect(rest, b) == []
    assert minutes(rest) == minutes(a) - minutes(b)
    assert_sorted_disjoint(rest, touching_allowed=True)


@PROPS
@given(intervals, intervals)
def test_subtract_and_intersection_rebuild_the_base(a, b):
    assert merge(subtract(a, b) + intersect(a, b)) == merge(a)


@PROPS
@given(intervals, intervals)
def test_intersect_is_the_common_time_and_commutes(a, b):
    both = intersect(a, b)
    assert minutes(both) == minutes(a) & minutes(b)
    assert minutes(intersect(b, a)) == minutes(both)
    assert_sorted_disjoint(both, touching_allowed=True)


@PROPS
@given(intervals, intervals, st.integers(0, 300))
def test_free_slots_are_long_enough_inside_and_free(within, busy, min_minutes):
    min_length = timedelta(minutes=min_minutes)
    slots = free_slots(within, busy, min_length)
    inside = merge(within)
    for s, e in slots:
        assert e - s >= min_length and e > s
        assert any(ws <= s and e <= we for ws, we in inside), (s, e)
    assert intersect(slots, busy) == []
    # and none is missed: every free piece of that length is offered
    expected = [(s, e) for s, e in subtract(within, busy) if e - s >= min_length]
    assert slots == expected


@PROPS
@given(intervals, intervals)
def test_free_slots_with_no_minimum_are_within_minus_busy(within, busy):
    assert minutes(free_slots(within, busy)) == minutes(within) - minutes(busy)


# --- daylight saving time: wall clock vs elapsed time ------------------------------------------

BERLIN = ZoneInfo("Europe/Berlin")


def test_total_of_an_interval_across_the_autumn_change_is_elapsed_time():
    start = datetime(2026, 10, 25, 1, 0, tzinfo=BERLIN)  # 23:00Z
    end = datetime(2026, 10, 25, 4, 0, tzinfo=BERLIN)  # 03:00Z
    assert total([(start, end)]) == timedelta(hours=4)


def test_total_across_dst_is_right_when_the_zones_differ():
    start = datetime(2026, 10, 25, 1, 0, tzinfo=BERLIN)
    end = datetime(2026, 10, 25, 4, 0, tzinfo=BERLIN).astimezone(UTC)
    assert total([(start, end)]) == timedelta(hours=4)


def test_an_interval_inside_the_repeated_hour_is_kept():
    start = datetime(2026, 10, 25, 0, 30, tzinfo=UTC).astimezone(BERLIN)  # 02:30+02:00
    end = datetime(2026, 10, 25, 1, 15, tzinfo=UTC).astimezone(BERLIN)  # 02:15+01:00
    assert total([(start, end)]) == timedelta(minutes=45)

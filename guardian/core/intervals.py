"""Arithmetic on half-open time intervals [start, end).

The audit (free 2 h windows), the focus planner and the report all ask the
same questions of a day: what is busy, what is left, which free pieces are
long enough. Answering them in one place keeps the three in agreement.
Intervals are plain (start, end) tuples of aware datetimes.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

Interval = tuple[datetime, datetime]
UTC = UTC


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping union in UTC; touching intervals are joined.

    Results are in UTC on purpose: Python subtracts and compares two
    datetimes that share a tzinfo by wall clock, which is wrong on the
    23 h and 25 h days of a DST change. In UTC every length is real.
    """
    utc = ((s.astimezone(UTC), e.astimezone(UTC)) for s, e in intervals)
    ordered = sorted((s, e) for s, e in utc if e > s)  # compared in UTC, not by wall clock
    merged: list[Interval] = []
    for start, end in ordered:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def subtract(base: Iterable[Interval], cuts: Iterable[Interval]) -> list[Interval]:
    """What remains of `base` once every interval in `cuts` is removed."""
    remaining: list[Interval] = []
    cut_list = merge(cuts)
    for start, end in merge(base):
        cursor = start
        for cut_start, cut_end in cut_list:
            if cut_end <= cursor:
                continue
            if cut_start >= end:
                break
            if cut_start > cursor:
                remaining.append((cursor, cut_start))
            cursor = max(cursor, cut_end)
            if cursor >= end:
                break
        if cursor < end:
            remaining.append((cursor, end))
    return remaining


def intersect(a: Iterable[Interval], b: Iterable[Interval]) -> list[Interval]:
    """The time covered by both `a` and `b`."""
    left, right = merge(a), merge(b)
    out: list[Interval] = []
    i = j = 0
    while i < len(left) and j < len(right):
        start = max(left[i][0], right[j][0])
        end = min(left[i][1], right[j][1])
        if start < end:
            out.append((start, end))
        if left[i][1] < right[j][1]:
            i += 1
        else:
            j += 1
    return out


def free_slots(
    within: Iterable[Interval],
    busy: Iterable[Interval],
    min_length: timedelta = timedelta(0),
) -> list[Interval]:
    """Free pieces of `within` not covered by `busy`, each at least `min_length`."""
    return [(s, e) for s, e in subtract(within, busy) if e - s >= min_length and e > s]


def total(intervals: Iterable[Interval]) -> timedelta:
    """Length of the union, so overlaps are not counted twice."""
    return sum((e - s for s, e in merge(intervals)), timedelta(0))


def pad(intervals: Iterable[Interval], after: timedelta) -> list[Interval]:
    """Extend each interval's end (used for a buffer after meetings)."""
    return [(s, e + after) for s, e in merge(intervals)]


def overlapping(merged: list[Interval], start: datetime, end: datetime) -> list[Interval]:
    """The intervals of a `merge()` result that overlap [start, end).

    A bisect on the sorted ends, so asking about one day of a year-long list
    costs O(log n) plus what is returned, not a scan of the year.
    """
    first = bisect_right(merged, start, key=lambda interval: interval[1])
    out: list[Interval] = []
    for interval in merged[first:]:
        if interval[0] >= end:
            break
        out.append(interval)
    return out

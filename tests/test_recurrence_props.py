"""Recurrence expansion at the edges of the window, checked against an independent model.

A series is written as .ics and read back through IcsSource; the model
enumerates the same rule with dateutil in wall-clock time. The window is
half-open [start, end): an instance is returned exactly when it overlaps it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import DAILY, WEEKLY, rrule
from hypothesis import given, settings
from hypothesis import strategies as st

from guardian.adapters.sources.base import Identity
from guardian.adapters.sources.ics.source import IcsSource
from guardian.core.model import Window
from tests.conftest import ME, vevent, write_ics

BERLIN = ZoneInfo("Europe/Berlin")
PROPS = settings(max_examples=120, deadline=None)


@st.composite
def series(draw):
    freq = draw(st.sampled_from(["DAILY", "WEEKLY"]))
    # 06:00-21:45 local, so no instance starts in a DST gap; dates around both 2026 changes
    day = draw(st.integers(0, 300))
    hour = draw(st.integers(6, 21))
    minute = draw(st.sampled_from([0, 15, 30, 45]))
    start = datetime(2026, 1, 5, hour, minute) + timedelta(days=day)
    return {
        "freq": freq,
        "interval": draw(st.integers(1, 3)),
        "start": start,  # naive wall clock in Berlin
        "minutes": draw(st.integers(1, 180)),
        "count": draw(st.none() | st.integers(1, 60)),
    }


def rule_text(s) -> str:
    text = f"FREQ={s['freq']};INTERVAL={s['interval']}"
    return text + (f";COUNT={s['count']}" if s["count"] else "")


def model_instances(s, until: datetime) -> list[tuple[datetime, datetime]]:
    """Every instance of the series starting before `until`, as aware (start, end)."""
    rule = rrule(
        DAILY if s["freq"] == "DAILY" else WEEKLY,
        dtstart=s["start"],
        interval=s["interval"],
        count=s["count"],
        until=None if s["count"] else until.astimezone(BERLIN).replace(tzinfo=None) + timedelta(days=1),
    )
    out = []
    for wall in rule:
        start = wall.replace(tzinfo=BERLIN)
        if start >= until:
            break
        out.append((start, (wall + timedelta(minutes=s["minutes"])).replace(tzinfo=BERLIN)))
    return out


def read(folder, s, window: Window, **kwargs):
    path = write_ics(
        folder, vevent("Series", s["start"], minutes=s["minutes"], rrule=rule_text(s), uid="series@test")
    )
    events = IcsSource(path, Identity(BERLIN, ME), **kwargs).read(window)
    return sorted((e.start, e.end) for e in events)


def overlaps(iv, window: Window) -> bool:
    start, end = iv
    return start < window.end and end > window.start


@PROPS
@given(series(), st.integers(-3 * 24 * 60, 60 * 24 * 60), st.integers(1, 21 * 24 * 60))
def test_exactly_the_instances_that_overlap_the_window_are_returned(tmp_path_factory, s, offset, length):
    folder = tmp_path_factory.mktemp("rec", numbered=True)
    first = s["start"].replace(tzinfo=BERLIN)
    window = Window(first + timedelta(minutes=offset), first + timedelta(minutes=offset + length))
    got = read(folder, s, window)
    for iv in got:
        assert overlaps(iv, window), (iv, window)
    expected = [iv for iv in model_instances(s, window.end) if overlaps(iv, window)]
    assert [(a.timestamp(), b.timestamp()) for a, b in got] == [
        (a.timestamp(), b.timestamp()) for a, b in expected
    ]


@PROPS
@given(series(), st.data())
def test_window_edges_on_instance_boundaries_are_exclusive(tmp_path_factory, s, data):
    folder = tmp_path_factory.mktemp("edge", numbered=True)
    far = s["start"].replace(tzinfo=BERLIN) + timedelta(days=400)
    instances = model_instances(s, far)
    i = data.draw(st.integers(0, len(instances) - 1), label="ends at the window start")
    j = data.draw(st.integers(i, len(instances) - 1), label="starts at the window end")
    window_start = instances[i][1]
    window_end = instances[j][0] if j > i else window_start + timedelta(hours=1)
    if window_end <= window_start:
        return  # instances that overlap each other leave no such window
    window = Window(window_start, window_end)
    got = read(folder, s, window)
    starts = {a.timestamp() for a, _ in got}
    assert instances[i][0].timestamp() not in starts  # ended exactly at the window start
    if j > i:
        assert instances[j][0].timestamp() not in starts  # starts exactly at the window end
    expected = [iv for iv in instances if overlaps(iv, window)]
    assert len(got) == len(expected)


def test_an_instance_touching_either_edge_is_excluded(tmp_path):
    s = {"freq": "DAILY", "interval": 1, "start": datetime(2026, 11, 30, 10, 0), "minutes": 60, "count": None}
    # window [11:00 Mon, 10:00 Wed): Monday's instance ends at its start, Wednesday's starts at its end
    window = Window(datetime(2026, 11, 30, 11, 0, tzinfo=BERLIN), datetime(2026, 12, 2, 10, 0, tzinfo=BERLIN))
    got = read(tmp_path, s, window)
    assert got == [(datetime(2026, 12, 1, 10, 0, tzinfo=BERLIN), datetime(2026, 12, 1, 11, 0, tzinfo=BERLIN))]
    # one minute more on either side brings the neighbour in
    wider = Window(window.start - timedelta(minutes=1), window.end + timedelta(minutes=1))
    assert len(read(tmp_path, s, wider)) == 3


def test_an_instance_running_through_the_whole_window_is_returned(tmp_path):
    s = {"freq": "WEEKLY", "interval": 1, "start": datetime(2026, 11, 2, 9, 0), "minutes": 180, "count": None}
    window = Window(
        datetime(2026, 11, 30, 10, 0, tzinfo=BERLIN), datetime(2026, 11, 30, 11, 0, tzinfo=BERLIN)
    )
    assert len(read(tmp_path, s, window)) == 1


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 40), st.integers(1, 80))
def test_the_instance_cap_keeps_the_first_instances_and_warns(tmp_path_factory, cap, days):
    folder = tmp_path_factory.mktemp("cap", numbered=True)
    s = {"freq": "DAILY", "interval": 1, "start": datetime(2026, 1, 5, 10, 0), "minutes": 30, "count": None}
    window = Window(
        datetime(2026, 3, 2, tzinfo=BERLIN), datetime(2026, 3, 2, tzinfo=BERLIN) + timedelta(days=days)
    )
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("guardian")
    logger.addHandler(handler)
    try:
        got = read(folder, s, window, max_instances=cap)
    finally:
        logger.removeHandler(handler)
    expected = [iv for iv in model_instances(s, window.end) if overlaps(iv, window)]
    assert got == expected[:cap]
    warned = [r for r in records if "series@test" in r.getMessage() and r.levelno >= logging.WARNING]
    assert bool(warned) == (len(expected) > cap)


def test_moved_instances_follow_their_new_time_across_the_window_edges(tmp_path):
    base = vevent(
        "Standup", "2026-11-02 09:30", minutes=15, uid="s@test", rrule="FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR"
    )
    # next Monday's instance moved into this week; Tuesday's moved out of it
    moved_in = vevent(
        "Standup (moved in)",
        "2026-12-04 14:00",
        minutes=15,
        uid="s@test",
        extra=["RECURRENCE-ID;TZID=Europe/Berlin:20261207T093000"],
    )
    moved_out = vevent(
        "Standup (moved out)",
        "2026-12-08 14:00",
        minutes=15,
        uid="s@test",
        extra=["RECURRENCE-ID;TZID=Europe/Berlin:20261201T093000"],
    )
    path = write_ics(tmp_path, base, moved_in, moved_out)
    window = Window(datetime(2026, 11, 30, tzinfo=BERLIN), datetime(2026, 12, 7, tzinfo=BERLIN))
    events = sorted(IcsSource(path, Identity(BERLIN, ME)).read(window), key=lambda e: e.start)
    assert [(e.start.day, e.start.hour, e.title) for e in events] == [
        (30, 9, "Standup"),
        (2, 9, "Standup"),
        (3, 9, "Standup"),
        (4, 9, "Standup"),
        (4, 14, "Standup (moved in)"),
    ]
    assert len({e.instance_id for e in events}) == 5

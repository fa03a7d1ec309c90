"""The one sync-horizon policy every provider's incremental sync uses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from guardian.adapters.settings import SyncHorizon
from guardian.adapters.sources.sync import horizon
from guardian.core.model import Window

BERLIN = ZoneInfo("Europe/Berlin")


def test_whole_local_days_from_a_week_back_to_five_weeks_ahead():
    week = Window(datetime(2026, 12, 7, tzinfo=BERLIN), datetime(2026, 12, 14, tzinfo=BERLIN))
    start, end = horizon(week, BERLIN, SyncHorizon())
    assert start == datetime(2026, 11, 30, tzinfo=BERLIN) and start.tzinfo is UTC
    assert end == datetime(2027, 1, 18, tzinfo=BERLIN)


def test_the_days_are_counted_on_the_local_calendar_across_dst():
    # the window starts the day after Berlin leaves summer time (25 Oct 2026)
    window = Window(datetime(2026, 10, 26, 9, tzinfo=BERLIN), datetime(2026, 10, 26, 17, tzinfo=BERLIN))
    start, end = horizon(window, BERLIN, SyncHorizon(lookback_days=7, ahead_days=0))
    assert start == datetime(2026, 10, 19, tzinfo=BERLIN)  # a summer midnight: 22:00 UTC
    assert start == datetime(2026, 10, 18, 22, tzinfo=UTC)
    assert end == datetime(2026, 10, 27, tzinfo=BERLIN)  # a winter midnight: 23:00 UTC
    assert end == datetime(2026, 10, 26, 23, tzinfo=UTC)


def test_a_window_ending_during_a_day_keeps_that_whole_day():
    window = Window(datetime(2026, 12, 7, 9, tzinfo=BERLIN), datetime(2026, 12, 7, 17, tzinfo=BERLIN))
    assert horizon(window, BERLIN, SyncHorizon(0, 0)) == (
        datetime(2026, 12, 7, tzinfo=BERLIN).astimezone(UTC),
        datetime(2026, 12, 8, tzinfo=BERLIN).astimezone(UTC),
    )


def test_a_window_given_in_utc_is_read_in_my_zone():
    # a UTC week ends at 01:00 on Monday in Berlin: that Monday is its last day there
    window = Window(datetime(2026, 11, 23, tzinfo=UTC), datetime(2026, 11, 30, tzinfo=UTC))
    assert horizon(window, BERLIN, SyncHorizon(0, 0)) == (
        datetime(2026, 11, 23, tzinfo=BERLIN).astimezone(UTC),
        datetime(2026, 12, 1, tzinfo=BERLIN).astimezone(UTC),
    )


@given(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)),
    st.integers(min_value=1, max_value=60 * 24 * 40),
    st.integers(min_value=0, max_value=366),
    st.integers(min_value=0, max_value=366),
    st.sampled_from(
        [
            "Europe/Berlin",
            "America/New_York",
            "Australia/Lord_Howe",
            "Pacific/Apia",
            "America/Santiago",
            "UTC",
        ]
    ),
)
def test_the_horizon_always_covers_its_window(start, minutes, back, ahead, zone):
    tz = ZoneInfo(zone)
    window = Window(start.replace(tzinfo=tz), start.replace(tzinfo=tz) + timedelta(minutes=minutes))
    lo, hi = horizon(window, tz, SyncHorizon(back, ahead))
    assert lo <= window.start and window.end <= hi
    # and a window inside it has the same start day, so it is covered by the same mark
    assert (
        horizon(Window(window.start, window.start + timedelta(minutes=1)), tz, SyncHorizon(back, ahead))[0]
        == lo
    )

"""What every calendar Source promises, whatever the provider.

Each backend's tests seed the same logical scenario in their own format
(see SCENARIO) and call `assert_source_contract`. The .ics source runs it in
tests/test_source_contract_ics.py, Google and Outlook in their own test
files against the loopback fakes.
"""

from __future__ import annotations

from guardian.adapters.sources.base import Source
from guardian.core.model import Window

#: The logical calendar every backend seeds for the contract, in a window
#: Mon 7 Dec 2026 00:00 - Mon 14 Dec 2026 00:00 (Europe/Berlin):
SCENARIO = {
    "spans the window start": "Sun 6 Dec 23:00 for 2 hours",
    "inside": "Tue 8 Dec 10:00-11:00",
    "all day": "Sun 13 Dec, all day",
    "ends at the window start": "Sun 6 Dec 23:00-Mon 7 Dec 00:00 (excluded: the window is half-open)",
    "series": "daily at 09:00 from Mon 7 Dec, 10 instances (7 inside the window)",
}


def assert_source_contract(
    source: Source, window: Window, *, series_in_window: int = 7, writable: bool = True
) -> list:
    events = source.read(window)
    titles = [e.title for e in events]
    assert source.spec and source.label
    assert "ends at the window start" not in titles
    assert {"spans the window start", "inside", "all day"} <= set(titles)
    assert titles.count("series") == series_in_window
    assert all(e.start.tzinfo is not None and e.end.tzinfo is not None for e in events)
    assert all(window.overlaps(e.start, e.end) for e in events)
    assert [e.start for e in events] == sorted(e.start for e in events)
    assert len({e.instance_id for e in events}) == len(events), "instances must be unique"
    assert all(e.source == source.spec for e in events)
    series = [e for e in events if e.title == "series"]
    assert all(e.recurring and e.uid == series[0].uid for e in series)
    all_day = next(e for e in events if e.title == "all day")
    assert all_day.all_day and all_day.start.hour == 0
    assert source.own_blocks(window) == []
    if writable:  # an .ics source is read-only; its blocks go to a BlockFile
        assert source.apply([]).created == 0
    return events

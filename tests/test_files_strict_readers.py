"""The files other software reads, read by a strict consumer nobody here wrote (ical.js).

The focus-block file is imported into, or subscribed to by, the person's own
calendar app; an iTIP REPLY is read by the organizer's. What ical.js sees in
them must be what guardian meant: the right instants, resolvable zones, the
fields a client acts on.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from guardian.adapters.sources.base import Identity
from guardian.adapters.sources.ics.blockfile import BlockFile
from guardian.core.model import Block, BlockOp, OpKind
from tests.consumers.icaljs import icaljs  # noqa: F401 (the fixture)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@pytest.mark.parametrize("zone", [BERLIN, NEW_YORK], ids=str)
def test_focus_blocks_keep_their_instants_in_ical_js(icaljs, tmp_path, zone):  # noqa: F811
    path = tmp_path / "focus-blocks.ics"
    blocks = [
        Block(datetime(2026, 11, 30, 9, 0, tzinfo=zone), datetime(2026, 11, 30, 11, 0, tzinfo=zone)),
        # across the DST change in each zone (Europe 29 Mar, America 8 Mar 2026)
        Block(datetime(2026, 3, 30, 14, 0, tzinfo=zone), datetime(2026, 3, 30, 16, 0, tzinfo=zone)),
    ]
    BlockFile(path, Identity(zone, "me@acme.example")).apply(
        [BlockOp(OpKind.CREATE, block=b) for b in blocks]
    )
    seen = icaljs(path)
    events = sorted(
        (c for c in seen["components"] if c["name"] == "vevent"), key=lambda c: c["dtstart"]["instant"]
    )
    assert [(e["dtstart"]["instant"], e["dtend"]["instant"]) for e in events] == sorted(
        (iso(b.start), iso(b.end)) for b in blocks
    )
    for e in events:
        assert not e["dtstart"]["floating"] and not e["dtend"]["floating"]
        if e["dtstart"]["tzid"]:  # every TZID it names is a VTIMEZONE it can resolve
            assert e["dtstart"]["tzid"] in seen["zones"]

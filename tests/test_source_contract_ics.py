"""The .ics source passes the shared Source contract."""

from datetime import datetime
from zoneinfo import ZoneInfo

from guardian.adapters.sources.base import BlockHome, BlockOptions, Identity
from guardian.adapters.sources.ics.blockfile import BlockFile
from guardian.adapters.sources.ics.source import IcsSource
from guardian.core.model import Window
from tests.source_contract import assert_block_writer_contract, assert_source_contract

TZ = ZoneInfo("Europe/Berlin")
WEEK = Window(datetime(2026, 12, 7, tzinfo=TZ), datetime(2026, 12, 14, tzinfo=TZ))

CALENDAR = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//guardian tests//contract//EN
BEGIN:VEVENT
UID:spans
DTSTAMP:20261101T000000Z
DTSTART;TZID=Europe/Berlin:20261206T230000
DTEND;TZID=Europe/Berlin:20261207T010000
SUMMARY:spans the window start
END:VEVENT
BEGIN:VEVENT
UID:inside
DTSTAMP:20261101T000000Z
DTSTART;TZID=Europe/Berlin:20261208T100000
DTEND;TZID=Europe/Berlin:20261208T110000
SUMMARY:inside
END:VEVENT
BEGIN:VEVENT
UID:allday
DTSTAMP:20261101T000000Z
DTSTART;VALUE=DATE:20261213
DTEND;VALUE=DATE:20261214
SUMMARY:all day
END:VEVENT
BEGIN:VEVENT
UID:edge
DTSTAMP:20261101T000000Z
DTSTART;TZID=Europe/Berlin:20261206T230000
DTEND;TZID=Europe/Berlin:20261207T000000
SUMMARY:ends at the window start
END:VEVENT
BEGIN:VEVENT
UID:series
DTSTAMP:20261101T000000Z
DTSTART;TZID=Europe/Berlin:20261207T090000
DTEND;TZID=Europe/Berlin:20261207T100000
RRULE:FREQ=DAILY;COUNT=10
SUMMARY:series
END:VEVENT
END:VCALENDAR
"""


def test_ics_source_contract(tmp_path):
    path = tmp_path / "contract.ics"
    path.write_text(CALENDAR)
    assert_source_contract(IcsSource(path, Identity(TZ, "me@x.example")), WEEK, writable=False)


def test_block_file_is_the_writable_side_of_an_ics_calendar(tmp_path):
    blocks = BlockFile(tmp_path / "blocks.ics", Identity(TZ))
    assert blocks.own_blocks(WEEK) == []
    assert blocks.apply([]).created == 0


def test_ics_block_file_write_contract(tmp_path, state):
    """The .ics side of the write contract: blocks go to the block file, the user's file is never written."""
    path = tmp_path / "contract.ics"
    path.write_text(CALENDAR)
    blocks = tmp_path / "focus-blocks.ics"
    source = IcsSource(path, Identity(TZ, "me@x.example"))
    assert source.capabilities.blocks is BlockHome.BLOCK_FILE and not source.capabilities.rsvp

    def snapshot():
        return path.read_bytes(), blocks.read_bytes() if blocks.exists() else None

    assert_block_writer_contract(
        source, WEEK, snapshot=snapshot, options=BlockOptions(output=blocks), state=state
    )
    assert path.read_text() == CALENDAR

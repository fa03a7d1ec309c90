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


# --- an iTIP REPLY, as the organizer's calendar app reads it ------------------------------------

ME = "me@acme.example"
ORG = "bob@acme.example"
CLOCK = datetime(2026, 11, 27, 17, 0, tzinfo=BERLIN)
WEEK = (datetime(2026, 11, 30, tzinfo=BERLIN), datetime(2026, 12, 7, tzinfo=BERLIN))


def series_invite(path, *, floating: bool):
    """A daily series (SEQUENCE 1) with one occurrence moved by a later revision (SEQUENCE 5)."""
    tz = "" if floating else ";TZID=Europe/Berlin"
    people = f"ORGANIZER;CN=Bob:mailto:{ORG}\nATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:{ME}\n"
    people += "ATTENDEE;PARTSTAT=ACCEPTED:mailto:carol@acme.example\n"
    path.write_text(
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//t//EN\n"
        f"BEGIN:VEVENT\nUID:sync@acme.example\nSEQUENCE:1\nDTSTAMP:20261101T090000Z\n"
        f"DTSTART{tz}:20261130T100000\nDTEND{tz}:20261130T103000\nRRULE:FREQ=DAILY;COUNT=4\n"
        f"SUMMARY:Weekly sync\n{people}END:VEVENT\n"
        f"BEGIN:VEVENT\nUID:sync@acme.example\nSEQUENCE:5\nDTSTAMP:20261101T090000Z\n"
        f"RECURRENCE-ID{tz}:20261201T100000\nDTSTART{tz}:20261201T140000\nDTEND{tz}:20261201T143000\n"
        f"SUMMARY:Weekly sync (moved)\n{people}END:VEVENT\nEND:VCALENDAR\n"
    )
    return path


def read_series(path):
    from guardian.adapters.sources.ics.source import IcsSource
    from guardian.core.model import Window

    return IcsSource(path, Identity(BERLIN, ME)).read(Window(*WEEK))


def reply_of(icaljs, tmp_path, event, status):  # noqa: F811
    from guardian.adapters.mail import itip_reply

    out = tmp_path / "reply.ics"
    out.write_bytes(itip_reply(event, me=ME, status=status, comment="Could you link a pre-read?", now=CLOCK))
    seen = icaljs(out)
    (component,) = seen["components"]
    return seen, component


@pytest.mark.parametrize("floating", [False, True], ids=["zoned", "floating"])
def test_a_reply_about_a_series_answers_the_series(icaljs, tmp_path, floating):  # noqa: F811
    from guardian.core.model import Status

    events = read_series(series_invite(tmp_path / "invite.ics", floating=floating))
    assert len(events) == 4
    for event in (events[0], events[1]):  # a plain occurrence, and the moved one
        seen, reply = reply_of(icaljs, tmp_path, event, Status.TENTATIVE)
        assert seen["method"] == "REPLY"
        assert reply["uid"] == "sync@acme.example"
        assert reply["recurrence_id"] is None  # the request speaks for the series: so does the answer
        assert reply["attendees"] == [{"value": f"mailto:{ME}", "partstat": "TENTATIVE"}]
        assert reply["comment"] == "Could you link a pre-read?"


def test_a_series_reply_echoes_the_series_sequence(icaljs, tmp_path):  # noqa: F811
    from guardian.core.model import Status

    events = read_series(series_invite(tmp_path / "invite.ics", floating=False))
    for event in (events[0], events[1]):  # a plain occurrence, and the one moved in revision 5
        _, reply = reply_of(icaljs, tmp_path, event, Status.TENTATIVE)
        assert reply["sequence"] == 1  # the series' revision, which the answer is about

"""The .ics channel: an RFC 5546 REPLY, the .eml around it, and the outbox files."""

from __future__ import annotations

import email
import os
import stat
from datetime import datetime, timedelta
from email import policy
from zoneinfo import ZoneInfo

import icalendar
import pytest

from guardian.adapters.mail import build_message, itip_reply, outbox_name, write_outbox
from guardian.adapters.templates import reply_template
from guardian.core.model import Attendee, Event, Person, Status
from guardian.domain.replies import Reply, ReplySettings, compose
from guardian.errors import InputError
from tests.conftest import NOW

ZONE = ZoneInfo("Europe/Berlin")
CLOCK = datetime.fromisoformat(NOW)
ME = "me@acme.example"
ORG = "sam@acme.example"


def event(
    title="Platform daily standup",
    *,
    recurring=False,
    uid="standup@acme.example",
    org_name="Sam Rivera",
    my_name="Me Myself",
) -> Event:
    start = datetime(2026, 12, 1, 9, 30, tzinfo=ZONE)
    return Event(
        uid=uid,
        start=start,
        end=start + timedelta(minutes=15),
        title=title,
        organizer=Person(ORG, org_name),
        attendees=(
            Attendee(ORG, org_name, Status.ACCEPTED),
            Attendee(ME, my_name, Status.NEEDS_ACTION),
            Attendee("priya@acme.example", "Priya", Status.ACCEPTED),
        ),
        my_status=Status.NEEDS_ACTION,
        recurring=recurring,
        recurrence_id=start if recurring else None,
    )


def reply_for(ev: Event, response: Status = Status.TENTATIVE) -> Reply:
    from guardian.core.model import Finding, Severity

    finding = Finding("D001", "missing-pre-read", Severity.WARNING, "no doc", "request-pre-read", ev)
    plan = compose(
        [finding],
        now=CLOCK,
        tz=ZONE,
        me=ME,
        settings=ReplySettings(response=response),
        template=reply_template(),
    )
    return plan.replies[0]


def parse_reply(data: bytes):
    cal = icalendar.Calendar.from_ical(data)
    events = list(cal.walk("VEVENT"))
    assert len(events) == 1
    return cal, events[0]


def attendees(vevent) -> list:
    value = vevent.get("ATTENDEE")
    return value if isinstance(value, list) else [value]


def test_itip_reply_has_what_rfc5546_asks_for():
    ev = event()
    data = itip_reply(
        ev,
        me=ME,
        my_name="Me Myself",
        status=Status.TENTATIVE,
        comment="Could you link a doc?\nThanks",
        now=CLOCK,
    )
    cal, vevent = parse_reply(data)
    assert str(cal["METHOD"]) == "REPLY"
    assert str(cal["VERSION"]) == "2.0" and cal.get("PRODID")
    assert str(vevent["UID"]) == "standup@acme.example"
    assert vevent.decoded("DTSTAMP") == CLOCK
    assert str(vevent["ORGANIZER"]) == f"mailto:{ORG}"
    assert str(vevent["ORGANIZER"].params["CN"]) == "Sam Rivera"
    (me,) = attendees(vevent)  # only my own ATTENDEE line
    assert str(me) == f"mailto:{ME}"
    assert me.params["PARTSTAT"] == "TENTATIVE"
    assert str(vevent["COMMENT"]) == "Could you link a doc?\nThanks"
    assert vevent.get("RECURRENCE-ID") is None  # a single meeting, not an occurrence
    assert b"\r\nCOMMENT:Could you link a doc?\\nThanks\r\n" in data


def test_itip_reply_about_a_series_answers_the_series():
    ev = event(recurring=True)
    _, vevent = parse_reply(itip_reply(ev, me=ME, status=Status.ACCEPTED, now=CLOCK))
    assert vevent.get("RECURRENCE-ID") is None  # one request per series: the answer is the series'
    assert vevent.get("DTSTART") is None and vevent.get("DTEND") is None
    assert str(vevent["UID"]) == ev.uid
    assert attendees(vevent)[0].params["PARTSTAT"] == "ACCEPTED"
    assert vevent.get("COMMENT") is None


def test_hostile_names_cannot_add_attendees_or_properties():
    nasty = 'Evil"\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:evil@x.example\r\nX-Y:"'
    ev = event(title="Sync\r\nATTENDEE:mailto:evil@x.example", org_name=nasty, my_name=nasty)
    data = itip_reply(
        ev,
        me=ME,
        my_name=nasty,
        status=Status.TENTATIVE,
        comment="hi\r\nATTENDEE:mailto:evil@x.example",
        now=CLOCK,
    )
    _, vevent = parse_reply(data)
    assert [str(a) for a in attendees(vevent)] == [f"mailto:{ME}"]
    assert str(vevent["ORGANIZER"]) == f"mailto:{ORG}"
    assert vevent.get("X-Y") is None
    lines = data.decode().split("\r\n")
    assert sum(line.startswith("ATTENDEE") for line in lines) == 1
    assert "\n" not in str(vevent["SUMMARY"])


def test_itip_reply_refuses_bad_addresses():
    with pytest.raises(InputError, match="--me"):
        itip_reply(event(), me="me@acme.example\r\nBcc: x@y.example", now=CLOCK)
    bad = event().with_(organizer=Person("sam@acme.example, evil@x.example", "Sam"))
    with pytest.raises(InputError, match="organizer"):
        itip_reply(bad, me=ME, now=CLOCK)


def test_message_headers_and_parts():
    reply = reply_for(event())
    ics = itip_reply(reply.event, me=ME, status=reply.response, comment=reply.body, now=CLOCK)
    msg = build_message(reply, ics, sender=ME, sender_name="Me Myself", now=CLOCK)
    parsed = email.message_from_bytes(bytes(msg), policy=policy.default)
    assert parsed["To"].addresses[0].addr_spec == ORG
    assert parsed["To"].addresses[0].display_name == "Sam Rivera"
    assert parsed["From"].addresses[0].addr_spec == ME
    assert "Platform daily standup" in parsed["Subject"]
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed.get_content_type() == "multipart/alternative"
    plain = parsed.get_body(("plain",))
    assert plain.get_content().replace("\r\n", "\n") == reply.body  # sent with CRLF line ends
    (cal_part,) = [p for p in parsed.iter_parts() if p.get_content_type() == "text/calendar"]
    assert cal_part.get_param("method") == "REPLY"
    cal, vevent = parse_reply(cal_part.get_content().encode())
    assert str(cal["METHOD"]) == "REPLY"
    assert attendees(vevent)[0].params["PARTSTAT"] == "TENTATIVE"
    assert str(vevent["COMMENT"]) == reply.body


@pytest.mark.parametrize("title", ["Sync\r\nBcc: evil@x.example", "Sync\nTo: evil@x.example"])
def test_hostile_title_adds_no_header(title):
    nasty_name = 'Sam"\r\nBcc: evil@x.example'
    reply = reply_for(event(title=title, org_name=nasty_name))
    ics = itip_reply(reply.event, me=ME, status=reply.response, comment=reply.body, now=CLOCK)
    raw = bytes(build_message(reply, ics, sender=ME, now=CLOCK))
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert parsed.get_all("Bcc") is None
    assert [a.addr_spec for a in parsed["To"].addresses] == [ORG]
    header_block = raw.split(b"\r\n\r\n", 1)[0] if b"\r\n\r\n" in raw else raw.split(b"\n\n", 1)[0]
    assert b"evil@x.example" not in header_block.replace(b"\r\n ", b" ").split(b"Subject:")[0]
    assert "\n" not in parsed["Subject"] and "\r" not in parsed["Subject"]


def test_message_refuses_a_tampered_recipient():
    reply = reply_for(event())
    from dataclasses import replace

    evil = replace(reply, to="sam@acme.example\r\nBcc: evil@x.example")
    with pytest.raises(InputError):
        build_message(evil, b"", sender=ME, now=CLOCK)


def test_outbox_files_are_private_and_cannot_escape(tmp_path):
    ev = event(uid="../../etc/passwd", title="../../Sync")
    reply = reply_for(ev)
    ics = itip_reply(reply.event, me=ME, status=reply.response, comment=reply.body, now=CLOCK)
    msg = build_message(reply, ics, sender=ME, now=CLOCK)
    name = outbox_name(reply)
    assert "/" not in name and ".." not in name
    ics_path, eml_path = write_outbox(tmp_path / "outbox", name, ics, msg)
    assert ics_path.parent == eml_path.parent == tmp_path / "outbox"
    assert ics_path.read_bytes() == ics
    assert (
        email.message_from_bytes(eml_path.read_bytes(), policy=policy.default)["To"].addresses[0].addr_spec
        == ORG
    )
    for path in (ics_path, eml_path):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert sorted(p.name for p in (tmp_path / "outbox").iterdir()) == sorted([ics_path.name, eml_path.name])


# --- any text at all --------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_pieces = st.sampled_from(
    list('aZ :<>",;@\\\r\n\t\x00\x85\u2028=?$\u00e9') + ["Bcc: ", "To: ", "=?utf-8?q?x?="]
)
_nasty = st.lists(_pieces, max_size=20).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=_nasty, org_name=_nasty, my_name=_nasty)
def test_no_title_or_name_changes_headers_or_recipients(title, org_name, my_name):
    reply = reply_for(event(title=title, org_name=org_name, my_name=my_name))
    assert reply.to == ORG
    ics = itip_reply(
        reply.event, me=ME, my_name=my_name, status=reply.response, comment=reply.body, now=CLOCK
    )
    raw = bytes(build_message(reply, ics, sender=ME, sender_name=my_name, now=CLOCK))
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert sorted(k.lower() for k in parsed) == sorted(
        [
            "from",
            "to",
            "subject",
            "date",
            "message-id",
            "auto-submitted",
            "x-guardian",
            "mime-version",
            "content-type",
        ]
    )
    assert [a.addr_spec for a in parsed["To"].addresses] == [ORG]
    assert [a.addr_spec for a in parsed["From"].addresses] == [ME]
    _, vevent = parse_reply(ics)
    assert [str(a) for a in attendees(vevent)] == [f"mailto:{ME}"]
    assert str(vevent["ORGANIZER"]) == f"mailto:{ORG}"


def test_itip_reply_echoes_the_sequence_of_an_updated_invite(tmp_path):
    # RFC 5546: a REPLY carries the SEQUENCE of the revision it answers, read from the .ics
    from guardian.adapters.sources.base import Identity
    from guardian.adapters.sources.ics.source import IcsSource
    from guardian.core.model import Window

    path = tmp_path / "invite.ics"
    path.write_text(
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//t//EN\nBEGIN:VEVENT\nUID:rev@acme.example\nSEQUENCE:3\n"
        "DTSTAMP:20261101T000000Z\nDTSTART:20261201T090000Z\nDTEND:20261201T100000Z\nSUMMARY:Review\n"
        f"ORGANIZER;CN=Sam Rivera:mailto:{ORG}\nATTENDEE:mailto:{ME}\nEND:VEVENT\nEND:VCALENDAR\n"
    )
    tz = ZoneInfo("Europe/Berlin")
    window = Window(datetime(2026, 12, 1, tzinfo=tz), datetime(2026, 12, 2, tzinfo=tz))
    (ev,) = IcsSource(path, Identity(tz, ME)).read(window)
    _, vevent = parse_reply(itip_reply(ev, me=ME, now=CLOCK))
    assert vevent.decoded("SEQUENCE") == 3
    _, first = parse_reply(itip_reply(event(), me=ME, now=CLOCK))
    assert first.get("SEQUENCE") is None  # revision 0 needs no SEQUENCE line

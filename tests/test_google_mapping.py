"""Google event resources -> Event, from recorded items (tests/data/providers/google/*.json).

The mapping is pure: these tests need no server. Each file is one event
resource in the shape Google documents for events.list
(https://developers.google.com/calendar/api/v3/reference/events#resource).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from guardian.adapters.sources.base import Identity
from guardian.adapters.sources.google import mapping
from guardian.core.model import EventKind, LinkKind, Status

DATA = Path(__file__).parent / "data" / "providers" / "google"
TZ = ZoneInfo("Europe/Berlin")
ME = "me@example.com"
IDENTITY = Identity(tz=TZ, me=ME, domains=("example.com",))
SPEC = "google:primary"


def item(name: str) -> dict:
    return json.loads((DATA / f"{name}.json").read_text())


def event(name: str, identity: Identity = IDENTITY, **kw):
    return mapping.to_event(item(name), identity=identity, spec=SPEC, me=identity.me, **kw)


def test_every_recorded_item_maps_or_is_skipped_on_purpose():
    skipped = {"working-location", "cancelled-instance"}
    for path in sorted(DATA.glob("*.json")):
        if path.stem.startswith("master-"):
            continue  # series masters (events.get): see the series-end tests
        got = mapping.to_event(json.loads(path.read_text()), identity=IDENTITY, spec=SPEC, me=ME)
        assert (got is None) == (path.stem in skipped), path.name
        if got is not None:
            assert got.start.tzinfo is not None and got.end >= got.start
            assert got.source == SPEC


def test_a_timed_meeting():
    ev = event("timed-meeting")
    assert ev.title == "Design review: search ranking"
    assert (ev.start, ev.end) == (datetime(2026, 12, 8, 10, tzinfo=TZ), datetime(2026, 12, 8, 11, tzinfo=TZ))
    assert ev.start.tzinfo is TZ
    assert ev.my_status is Status.TENTATIVE  # my own attendee entry ("self")
    assert ev.organizer is not None and (ev.organizer.email, ev.organizer.name) == (
        "ana@example.com",
        "Ana Lima",
    )
    assert ev.created == datetime(2026, 11, 30, 8, tzinfo=UTC)
    assert "Should we ship" in ev.description and "<p>" not in ev.description
    assert {link.url: link.kind for link in ev.links} == {
        "https://docs.google.com/document/d/1AbCdEfGh/edit": LinkKind.DOC,
        "https://drive.google.com/file/d/1XyZ/view?usp=drive_web": LinkKind.DOC,
        "https://meet.google.com/abc-defg-hij": LinkKind.CONFERENCE,  # tel: and "more" are not links
    }
    assert [a.email for a in ev.people] == ["ana@example.com", ME, "bob@partner.org"]
    bob = next(a for a in ev.attendees if a.email == "bob@partner.org")
    assert bob.optional and bob.status is Status.NEEDS_ACTION
    assert any(a.resource for a in ev.attendees)
    assert ev.external  # bob@partner.org
    assert ev.location == "Room 3.14"
    assert ev.uid == ev.provider_id == "7kq2m4c9v1s0b8n3p6r5t2u4a1"
    assert ev.busy and not ev.all_day and not ev.recurring and not ev.own_block
    assert ev.kind is EventKind.DEFAULT and dict(ev.extra) == {"eventType": "default"}


def test_an_all_day_free_event_is_local_midnight_to_midnight():
    ev = event("all-day-holiday")
    assert ev.all_day and (ev.start, ev.end) == (
        datetime(2026, 12, 9, tzinfo=TZ),
        datetime(2026, 12, 10, tzinfo=TZ),
    )
    assert not ev.busy
    assert ev.my_status is Status.ORGANIZER  # mine, nobody invited


def test_an_instance_of_a_series_carries_the_series_id_and_its_end():
    end = datetime(2026, 12, 18, 9, tzinfo=TZ)
    ev = event("recurring-instance", series_end=end)
    assert ev.recurring and ev.uid == "standup42" and ev.provider_id == "standup42_20261210T080000Z"
    assert ev.recurrence_id == datetime(2026, 12, 10, 9, tzinfo=TZ)
    assert ev.series_end == end
    assert mapping.series_id(item("recurring-instance")) == "standup42"
    assert ev.my_status is Status.ACCEPTED
    assert [link.kind for link in ev.links] == [LinkKind.CONFERENCE]
    assert event("timed-meeting", series_end=end).series_end is None  # not recurring: no end


def test_focus_time_and_out_of_office_are_kinds_of_my_time():
    focus = event("focus-time")
    assert focus.kind is EventKind.FOCUS and not focus.own_block
    away = event("out-of-office")
    assert away.kind is EventKind.OUT_OF_OFFICE and away.busy


def test_guardian_blocks_are_known_by_their_private_tag():
    block = event("guardian-block")
    assert block.own_block and block.kind is EventKind.FOCUS
    assert mapping.is_own_block(item("guardian-block"))
    assert not mapping.is_own_block(item("focus-time"))  # the user's own focus time is not ours


@pytest.mark.parametrize("name", ["working-location", "cancelled-instance"])
def test_working_locations_and_cancelled_items_are_not_events(name):
    assert not mapping.wanted(item(name))
    assert event(name) is None


def test_a_group_calendar_is_not_me_and_its_domain_does_not_make_guests_external():
    anonymous = Identity(tz=TZ)
    raw = item("group-calendar-event")
    assert mapping.learn_me(raw, None) is None  # "self" is the calendar, not a person
    ev = mapping.to_event(raw, identity=anonymous, spec="google:c_0123abcd@group.calendar.google.com")
    assert ev is not None and not ev.external
    assert mapping.personal("c_0123abcd@group.calendar.google.com") is None
    assert mapping.personal(ME) == ME


def test_who_i_am_is_learned_from_the_item_google_marks_self():
    assert mapping.learn_me(item("timed-meeting"), None) == ME
    assert mapping.learn_me(item("timed-meeting"), "other@example.com") == "other@example.com"
    # without `me` or domains, my learned address decides who is external
    ev = mapping.to_event(item("timed-meeting"), identity=Identity(tz=TZ), spec=SPEC, me=ME)
    assert ev is not None and ev.external


# --- series masters (events.get, fields=id,status,start,end,recurrence) ------------------


def test_a_count_series_ends_at_its_last_occurrence_on_its_own_wall_clock():
    end = mapping.master_end(item("master-count-across-dst"), UTC)  # my zone does not matter
    assert end == datetime(2027, 4, 5, 9, tzinfo=TZ)  # Mondays 09:00 Berlin, summer time since 28 March


def test_an_all_day_series_until_a_date_ends_after_that_day_in_my_zone():
    assert mapping.master_end(item("master-until-date-all-day"), TZ) == datetime(2026, 12, 6, tzinfo=TZ)


def test_a_series_without_until_or_count_is_endless_and_a_broken_rule_too():
    assert mapping.master_end(item("master-endless-new-york"), TZ) is None
    broken = dict(item("master-count-across-dst"), recurrence=["RRULE:FREQ=WEEKLY;COUNT=many"])
    assert mapping.master_end(broken, TZ) is None
    assert mapping.master_end({}, TZ) is None  # a master guardian may not see

"""Graph events -> Event, from recorded items (tests/data/providers/outlook/*.json).

The mapping is pure: these tests need no server. Each file is one event as
calendarView returns it with `Prefer: outlook.timezone="UTC",
outlook.body-content-type="text"` and guardian's `$select`
(https://learn.microsoft.com/en-us/graph/api/resources/event).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from guardian.adapters.sources.base import Identity
from guardian.adapters.sources.outlook import mapping
from guardian.core.model import EventKind, LinkKind, Status

DATA = Path(__file__).parent / "data" / "providers" / "outlook"
TZ = ZoneInfo("Europe/Berlin")
ME = "me@contoso.com"
IDENTITY = Identity(tz=TZ, me=ME, domains=("contoso.com",))
SPEC = "outlook:me"


def item(name: str) -> dict:
    return json.loads((DATA / f"{name}.json").read_text())


def event(name: str, identity: Identity = IDENTITY, **kw):
    kw.setdefault("me", identity.me)
    return mapping.to_event(item(name), identity=identity, spec=SPEC, focus_category="Focus time", **kw)


def test_every_recorded_event_maps_to_an_aware_event_of_this_source():
    for path in sorted(DATA.glob("*.json")):
        if path.stem.startswith("master-"):
            continue  # series masters: see the recurrence tests
        got = mapping.to_event(json.loads(path.read_text()), identity=IDENTITY, spec=SPEC, focus_category="x")
        assert got.start.tzinfo is not None and got.end >= got.start, path.name
        assert got.source == SPEC and got.provider_id


def test_a_teams_meeting():
    ev = event("teams-meeting")
    assert ev.title == "Q1 roadmap review"
    assert (ev.start, ev.end) == (
        datetime(2026, 11, 24, 9, tzinfo=UTC),
        datetime(2026, 11, 24, 10, tzinfo=UTC),
    )
    assert ev.start.tzinfo is TZ  # in my zone
    assert ev.my_status is Status.TENTATIVE
    assert ev.organizer is not None and ev.organizer.email == "ana@contoso.com"
    assert ev.created == datetime(2026, 11, 16, 8, 10, 31, 123456, tzinfo=UTC)  # 7 digits cut to 6
    kinds = {link.url: link.kind for link in ev.links}
    teams = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0"
    assert kinds[teams] is LinkKind.CONFERENCE
    assert kinds["https://contoso.sharepoint.com/sites/plan/Roadmap.docx"] is LinkKind.DOC
    assert kinds["outlook-attachment:AAMkAGI2TG93AAA="] is LinkKind.DOC  # hasAttachments
    cy = next(a for a in ev.attendees if a.email == "cy@partner.example")
    assert cy.optional and cy.status is Status.DECLINED
    assert next(a for a in ev.attendees if a.email == "room12@contoso.com").resource
    assert ev.external  # cy@partner.example
    assert ev.location == "Room 12"
    assert ev.uid.startswith("040000008200E00074C5B7101A82E008")  # iCalUId: stable across copies
    assert ev.busy and not ev.recurring and not ev.own_block and not ev.cancelled
    assert dict(ev.extra) == {
        "outlook.type": "singleInstance",
        "outlook.showAs": "tentative",
        "outlook.responseRequested": "true",  # the organizer wants answers: a reply may go out
    }


def test_an_html_body_becomes_text_and_keeps_its_links():
    ev = event("html-body")
    assert "Should we sign the contract?" in ev.description and "<p>" not in ev.description
    assert "https://contoso.sharepoint.com/sites/legal/Contract.docx" in {link.url for link in ev.doc_links}
    assert ev.my_status is Status.ORGANIZER and ev.external


def test_all_day_dates_are_local_midnights_and_free_is_not_busy():
    ev = event("all-day")
    assert ev.all_day
    assert (ev.start, ev.end) == (datetime(2026, 11, 26, tzinfo=TZ), datetime(2026, 11, 28, tzinfo=TZ))
    assert not ev.busy


def test_an_occurrence_carries_its_master_id_and_series_end():
    end = datetime(2026, 12, 21, tzinfo=UTC)
    raw = item("occurrence")
    assert mapping.series_master(raw) == "AAMkAGI2TG96MasterAAA="
    ev = event("occurrence", series_end=end)
    assert ev.recurring and ev.uid == "AAMkAGI2TG96MasterAAA="
    assert ev.recurrence_id == datetime(2026, 11, 23, 9, tzinfo=UTC)
    assert ev.series_end == end
    assert event("teams-meeting", series_end=end).series_end is None
    assert mapping.series_master(item("teams-meeting")) is None


def test_out_of_office_focus_category_and_guardian_blocks():
    assert event("out-of-office").kind is EventKind.OUT_OF_OFFICE
    focus = event("focus-category")  # the category is matched case-insensitively
    assert focus.kind is EventKind.FOCUS and not focus.own_block
    block = event("guardian-block")
    assert block.own_block and block.kind is EventKind.FOCUS
    assert mapping.tagged(item("guardian-block")) and not mapping.tagged(item("focus-category"))


def test_a_cancelled_meeting_is_marked_cancelled():
    ev = event("cancelled")
    assert ev.cancelled and not ev.busy


def test_who_i_am_is_learned_from_events_i_organize():
    items = [item("teams-meeting"), item("html-body")]
    assert mapping.learn_me(items, None) == ME  # the organizer of html-body, which I organize
    assert mapping.learn_me(items[:1], None) is None
    ev = event("teams-meeting", identity=Identity(tz=TZ), me=ME)
    assert ev.external  # judged by my learned domain


def test_windows_and_iana_zone_names():
    assert str(mapping.zone_of("W. Europe Standard Time")) == "Europe/Berlin"
    assert mapping.zone_of("Europe/Paris") == ZoneInfo("Europe/Paris")
    assert mapping.zone_of("tzone://Microsoft/Utc") is UTC
    assert mapping.zone_of("Not a zone") is UTC
    assert mapping.parse_graph_datetime("2026-11-24T09:00:00.0000000", "Tokyo Standard Time") == datetime(
        2026, 11, 24, 0, tzinfo=UTC
    )
    assert mapping.parse_graph_datetime(None) is None


# --- series masters: patternedRecurrence -> the one series-end computation ---------------


def test_a_numbered_weekly_series_ends_at_its_last_occurrence_across_dst():
    # Mondays 09:00 Berlin from 15 March 2027; summer time starts on 28 March
    end = mapping.master_end(item("master-weekly-numbered-across-dst"), TZ)
    assert end == datetime(2027, 4, 5, 9, tzinfo=TZ)
    assert end == datetime(2027, 4, 5, 7, tzinfo=UTC)  # 09:00 CEST, not 09:00 CET


def test_a_numbered_relative_monthly_series_ends_on_its_last_second_tuesday():
    end = mapping.master_end(item("master-relative-monthly-numbered"), TZ)
    la = ZoneInfo("America/Los_Angeles")  # "Pacific Standard Time"; DST ends on 1 Nov 2026
    assert end == datetime(2026, 12, 8, 10, tzinfo=la)  # 13 Oct, 10 Nov, 8 Dec at 10:00


def test_an_end_date_series_ends_after_that_day_in_its_zone():
    assert mapping.master_end(item("master-end-date"), TZ) == datetime(2026, 12, 17, tzinfo=TZ)


def test_a_no_end_series_is_endless():
    assert mapping.master_end(item("master-no-end"), TZ) is None
    assert mapping.master_end({"recurrence": None}, TZ) is None


def test_an_all_day_numbered_series_without_a_zone_ends_on_my_last_day():
    assert mapping.master_end(item("master-all-day-yearly-numbered"), TZ) == datetime(2028, 12, 24, tzinfo=TZ)


def test_patterns_become_rrules():
    weekly = item("master-end-date")["recurrence"]["pattern"]
    assert mapping.pattern_rule(weekly) == "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,WE;WKST=SU"
    monthly = item("master-relative-monthly-numbered")["recurrence"]["pattern"]
    assert mapping.pattern_rule(monthly) == "FREQ=MONTHLY;INTERVAL=1;BYDAY=TU;BYSETPOS=2"
    last_friday = {
        "type": "relativeYearly",
        "interval": 2,
        "month": 11,
        "daysOfWeek": ["friday"],
        "index": "last",
    }
    assert mapping.pattern_rule(last_friday) == "FREQ=YEARLY;INTERVAL=2;BYMONTH=11;BYDAY=FR;BYSETPOS=-1"
    assert mapping.pattern_rule({"type": "hourly"}) is None

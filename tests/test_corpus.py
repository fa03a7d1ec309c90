"""Every awkward calendar in tests/data/ goes through `guardian audit` cleanly.

A calendar file is untrusted input: whatever it holds, the user gets either an
audit (exit 0) or one clear line naming the file (exit 2), never a traceback.
The per-file tests below check that each oddity is also *understood* right:
the meeting lands at the right instant, moved and excluded instances are
honoured, runaway rules are capped, and broken events are skipped by UID.
"""

from __future__ import annotations

import json
import re
import time as clock
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import DATA, ME, audit_args, no_traceback

FILES = sorted([*DATA.glob("*.ics"), *DATA.glob("*.zip"), *DATA.glob("*.ics.gz")])
UNREADABLE = {"empty.ics", "not-icalendar.ics", "truncated.ics", "html-login-page.ics"}
# files whose interesting days are not in the default week
STARTS = {"dst-spring-berlin.ics": "2026-03-23", "dst-autumn-berlin.ics": "2026-10-19"}


def _start(path) -> str:
    return STARTS.get(path.name, "2026-11-30")


def audit_json(cli, path, *, tz="Europe/Berlin", start=None, days=14, me=ME):
    result = cli(*audit_args(path, "--format", "json", start=start or _start(path), tz=tz, days=days, me=me))
    assert result.code == 0, result.err
    assert no_traceback(result.err)
    return json.loads(result.out), result


def by_title(doc) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for event in doc["events"]:
        out.setdefault(event["title"], []).append(event)
    return out


def test_the_corpus_has_one_file_per_oddity():
    assert len(FILES) >= 35
    assert {p.name for p in FILES} >= UNREADABLE


@pytest.mark.parametrize("fmt", ["table", "json", "markdown"])
@pytest.mark.parametrize("path", [p for p in FILES if p.name not in UNREADABLE], ids=lambda p: p.name)
def test_good_files_audit_with_exit_0_and_no_traceback(cli, path, fmt):
    result = cli(*audit_args(path, "--format", fmt, start=_start(path), days=14))
    assert result.code == 0, result.err
    assert no_traceback(result.out + result.err)
    assert result.out.strip()
    if fmt == "json":
        json.loads(result.out)
    for line in result.err_lines:  # only warnings, each naming the file
        assert line.startswith("warning: ") and path.name in line, line


@pytest.mark.parametrize("name", sorted(UNREADABLE))
def test_unreadable_files_exit_2_with_one_line_naming_the_file(cli, name):
    path = DATA / name
    result = cli(*audit_args(path))
    assert result.code == 2
    assert result.out == ""
    assert len(result.err_lines) == 1, result.err
    assert str(path) in result.err_lines[0]
    assert result.err_lines[0].startswith("guardian: error:")
    assert no_traceback(result.err)


def test_a_missing_calendar_file_exits_2_naming_it(cli, tmp_path):
    missing = tmp_path / "nope.ics"
    result = cli(*audit_args(missing))
    assert result.code == 2
    assert len(result.err_lines) == 1 and str(missing) in result.err
    assert no_traceback(result.err)


def test_a_directory_given_as_calendar_exits_2(cli, tmp_path):
    folder = tmp_path / "calendar.ics"
    folder.mkdir()
    result = cli(*audit_args(folder))
    assert result.code == 2
    assert len(result.err_lines) == 1 and str(folder) in result.err
    assert no_traceback(result.err)


def test_one_unreadable_file_among_good_ones_fails_the_run_naming_it(cli):
    result = cli(*audit_args(DATA / "floating-times.ics", "-c", DATA / "not-icalendar.ics"))
    assert result.code == 2
    assert "not-icalendar.ics" in result.err and len(result.err_lines) == 1


# --- broken events -------------------------------------------------------------


def test_broken_events_are_skipped_by_uid_and_the_rest_is_audited(cli):
    doc, result = audit_json(cli, DATA / "broken-events.ics")
    warnings = [line for line in result.err_lines if line.startswith("warning:")]
    for uid in ("broken-no-dtstart@test", "broken-garbage-dtstart@test", "broken-ends-before-start@test"):
        assert sum(uid in line for line in warnings) == 1, (uid, warnings)
    assert len(warnings) == 1  # one line per file: the count, the UIDs and why
    assert "skipped 3 events" in warnings[0]
    assert sorted(by_title(doc)) == ["Good after", "Good before"]
    # the rest is really audited: "Good after" has a topics-only agenda and no doc
    rules_on_good_after = {
        f["rule"] for f in doc["findings"] if (f["event"] or {}).get("title") == "Good after"
    }
    assert {"D001", "A002"} <= rules_on_good_after


# --- time zones --------------------------------------------------------------------


def test_floating_times_are_in_my_zone(cli):
    berlin, _ = audit_json(cli, DATA / "floating-times.ics", tz="Europe/Berlin")
    [event] = berlin["events"]
    assert datetime.fromisoformat(event["start"]) == datetime(
        2026, 12, 1, 10, tzinfo=ZoneInfo("Europe/Berlin")
    )
    tokyo, _ = audit_json(cli, DATA / "floating-times.ics", tz="Asia/Tokyo")
    [event] = tokyo["events"]
    assert datetime.fromisoformat(event["start"]) == datetime(2026, 12, 1, 10, tzinfo=ZoneInfo("Asia/Tokyo"))


@pytest.mark.parametrize("name", ["windows-tzid-with-vtimezone.ics", "windows-tzid-without-vtimezone.ics"])
def test_windows_zone_names_mean_their_iana_zone(cli, name):
    # W. Europe Standard Time is Berlin's zone: 14:00 there is 08:00 in New York
    doc, _ = audit_json(cli, DATA / name, tz="America/New_York")
    [event] = doc["events"]
    start = datetime.fromisoformat(event["start"])
    assert start == datetime(2026, 12, 2, 14, tzinfo=ZoneInfo("Europe/Berlin"))
    assert datetime.fromisoformat(event["end"]) - start == datetime(2026, 1, 1, 1) - datetime(2026, 1, 1)
    # 08:00-09:00 in New York is before a 09:00 start of the working day
    assert [f["rule"] for f in doc["findings"]] == ["H001"]


def test_windows_zone_invite_my_status_comes_from_partstat(cli):
    doc, _ = audit_json(cli, DATA / "windows-tzid-with-vtimezone.ics")
    assert doc["events"][0]["my_status"] == "needs-action"


def test_bare_iana_tzid_without_vtimezone(cli):
    doc, _ = audit_json(cli, DATA / "iana-tzid-without-vtimezone.ics")
    [event] = doc["events"]
    assert datetime.fromisoformat(event["start"]) == datetime(
        2026, 12, 2, 9, tzinfo=ZoneInfo("America/New_York")
    )
    # 09:00 in New York is 15:00 in Berlin: inside working hours, no H001
    assert doc["findings"] == []


def test_x_wr_timezone_gives_floating_times_the_calendars_zone(cli):
    doc, _ = audit_json(cli, DATA / "x-wr-timezone-floating.ics")
    [event] = doc["events"]
    assert datetime.fromisoformat(event["start"]) == datetime(
        2026, 12, 2, 9, tzinfo=ZoneInfo("America/Los_Angeles")
    )
    # 09:00 in Los Angeles is 18:00 in Berlin
    assert [f["rule"] for f in doc["findings"]] == ["H001"]


def test_an_unknown_tzid_falls_back_to_wall_clock_in_my_zone(cli):
    doc, result = audit_json(cli, DATA / "invalid-tzid.ics")
    events = by_title(doc)
    assert set(events) == {"Rover budget review", "Hiring plan"}
    start = datetime.fromisoformat(events["Rover budget review"][0]["start"])
    assert start == datetime(2026, 12, 3, 10, tzinfo=ZoneInfo("Europe/Berlin"))
    assert no_traceback(result.err)


# --- recurrence ----------------------------------------------------------------------


def _starts(doc, title):
    return [datetime.fromisoformat(e["start"]) for e in by_title(doc).get(title, [])]


def test_a_moved_instance_replaces_its_original_slot(cli):
    doc, _ = audit_json(cli, DATA / "recurrence-id-moved.ics", days=7)
    berlin = ZoneInfo("Europe/Berlin")
    regular = _starts(doc, "Team standup")
    moved = _starts(doc, "Team standup (moved)")
    assert moved == [datetime(2026, 12, 2, 11, 30, tzinfo=berlin)]
    assert datetime(2026, 12, 2, 9, 30, tzinfo=berlin) not in regular
    assert [d.date() for d in regular] == [
        date(2026, 11, 30),
        date(2026, 12, 1),
        date(2026, 12, 3),
        date(2026, 12, 4),
    ]
    assert all(d.hour == 9 and d.minute == 30 for d in regular)


def test_exdate_removes_instances(cli):
    doc, _ = audit_json(cli, DATA / "exdate.ics", days=7)
    days = [d.date() for d in _starts(doc, "Ops review")]
    assert date(2026, 12, 1) not in days and date(2026, 12, 3) not in days
    assert days == [
        date(2026, 11, 30),
        date(2026, 12, 2),
        date(2026, 12, 4),
        date(2026, 12, 5),
        date(2026, 12, 6),
    ]


def test_rdate_adds_instances_at_their_own_times(cli):
    doc, _ = audit_json(cli, DATA / "rdate.ics", days=7)
    berlin = ZoneInfo("Europe/Berlin")
    assert _starts(doc, "Launch go/no-go") == [
        datetime(2026, 11, 30, 16, tzinfo=berlin),
        datetime(2026, 12, 2, 16, tzinfo=berlin),
        datetime(2026, 12, 4, 11, tzinfo=berlin),
    ]


def test_count_and_until_end_their_series(cli):
    doc, _ = audit_json(cli, DATA / "count-and-until.ics", days=14)
    assert [d.date() for d in _starts(doc, "Migration checkpoint")] == [
        date(2026, 11, 30),
        date(2026, 12, 1),
        date(2026, 12, 2),
    ]
    assert [d.date() for d in _starts(doc, "Vendor selection")] == [date(2026, 11, 30), date(2026, 12, 2)]
    # both series end, so H003 endless-recurrence stays quiet
    assert not [f for f in doc["findings"] if f["rule"] == "H003"]


@pytest.mark.parametrize("name", ["freq-secondly.ics", "freq-minutely-years-ago.ics"])
def test_runaway_rules_are_capped_quickly_with_a_warning(cli, name):
    began = clock.monotonic()
    doc, result = audit_json(cli, DATA / name, days=7)
    assert clock.monotonic() - began < 30
    assert any(line.startswith("warning:") and name in line for line in result.err_lines), result.err
    # the sane meeting in the same file is still audited
    assert "Sane meeting" in by_title(doc)
    assert len(doc["events"]) < 10_000


# --- shapes of events -------------------------------------------------------------------


def test_an_all_day_multi_day_event_is_no_meeting_and_its_days_are_off(cli):
    doc, _ = audit_json(cli, DATA / "all-day-multi-day.ics", days=7)
    assert doc["events"] == []
    assert doc["findings"] == []


def test_outlook_html_invites_are_read_as_text(cli):
    doc, _ = audit_json(cli, DATA / "outlook-html-invite.ics", days=7)
    assert set(by_title(doc)) == {"Budget sign-off", "Hiring rubric", "Roadmap trade-offs"}
    # each has a decision, a linked document (behind an <a href>) and an agenda
    assert doc["findings"] == []
    assert doc["summary"]["with_pre_read"] == 1.0
    assert doc["summary"]["with_decision_agenda"] == 1.0


def test_html_descriptions_become_plain_text_with_links():
    from guardian.adapters.sources.base import Identity
    from guardian.adapters.sources.ics.source import IcsSource
    from guardian.core.model import LinkKind, Window

    berlin = ZoneInfo("Europe/Berlin")
    window = Window(datetime(2026, 11, 30, tzinfo=berlin), datetime(2026, 12, 7, tzinfo=berlin))
    events = {
        e.title: e for e in IcsSource(DATA / "outlook-html-invite.ics", Identity(berlin, ME)).read(window)
    }
    for event in events.values():
        assert not re.search(r"</?(html|body|p|b|br|a|ul|li|style)\b", event.description), event.description
        assert "&nbsp;" not in event.description and "margin:0" not in event.description
    assert "Should we add a take-home exercise?" in events["Hiring rubric"].description
    assert "Should we drop the offline mode" in events["Roadmap trade-offs"].description
    kinds = {link.url: link.kind for link in events["Hiring rubric"].links}
    assert kinds["https://docs.google.com/document/d/rubric"] is LinkKind.DOC
    assert kinds["https://meet.google.com/xyz-abcd-efg"] is LinkKind.CONFERENCE
    assert any(link.kind is LinkKind.DOC for link in events["Roadmap trade-offs"].links)


def test_multiple_vcalendars_in_one_file_are_all_read(cli):
    doc, _ = audit_json(cli, DATA / "multiple-vcalendars.ics", days=7)
    assert set(by_title(doc)) == {"From the first calendar", "From the second calendar"}


def test_declined_and_cancelled_meetings_are_not_meetings(cli):
    doc, _ = audit_json(cli, DATA / "declined-and-cancelled.ics", days=7)
    assert doc["events"] == [] and doc["findings"] == []


def test_a_transparent_event_is_not_a_meeting(cli):
    doc, _ = audit_json(cli, DATA / "transparent.ics", days=7)
    assert doc["events"] == [] and doc["findings"] == []


@pytest.mark.parametrize("name", ["one-on-one.ics", "interview.ics"])
def test_valid_meetings_are_listed_but_not_flagged(cli, name):
    doc, _ = audit_json(cli, DATA / name, days=7)
    assert len(doc["events"]) == 1
    assert doc["findings"] == []
    assert doc["summary"]["exempt_meetings"] == 1


def test_attachments_count_as_pre_reads(cli):
    doc, _ = audit_json(cli, DATA / "attachment.ics", days=7)
    assert set(by_title(doc)) == {"Contract terms review", "Logo review"}
    assert not [f for f in doc["findings"] if f["rule"] == "D001"]
    assert doc["summary"]["with_pre_read"] == 1.0


def test_crlf_and_folded_lines_are_unfolded(cli):
    doc, _ = audit_json(cli, DATA / "crlf-folded-lines.ics", days=7)
    [event] = doc["events"]
    assert event["title"] == "Data retention policy review"
    # the doc link was folded across two lines; it still counts, and so does the question
    assert doc["findings"] == []
    assert doc["summary"]["with_pre_read"] == 1.0


# --- daylight saving time --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "before", "after"),
    [("dst-spring-berlin.ics", "+01:00", "+02:00"), ("dst-autumn-berlin.ics", "+02:00", "+01:00")],
)
def test_a_daily_series_keeps_its_wall_clock_time_across_dst(cli, name, before, after):
    doc, _ = audit_json(cli, DATA / name, days=14)
    starts = [e["start"] for e in by_title(doc)["Release decision"]]
    assert len(starts) == 14
    assert all("T09:30:00" in s for s in starts), starts
    assert starts[0].endswith(before) and starts[-1].endswith(after)


def test_dst_days_have_the_right_working_hours(cli):
    # the Monday after each change: 09:30-10:00 is inside 09:00-17:00, so no H001 on weekdays
    for name in ("dst-spring-berlin.ics", "dst-autumn-berlin.ics"):
        doc, _ = audit_json(cli, DATA / name, days=14)
        flagged = {
            f["day"]
            for f in doc["findings"]
            if f["rule"] == "H001" and f["event"]["title"] == "Release decision"
        }
        weekend = {d for d in flagged if date.fromisoformat(d).weekday() >= 5}
        assert flagged == weekend, flagged


# --- encodings, syntax and components --------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("utf8-bom.ics", "Café planning — München"),
        ("lowercase-names.ics", "lowercase names"),
    ],
)
def test_encodings_and_spelling_of_names(cli, name, title):
    doc, _ = audit_json(cli, DATA / name, days=7)
    assert [e["title"] for e in doc["events"]] == [title]


def test_latin1_bytes_do_not_stop_the_audit(cli):
    doc, _ = audit_json(cli, DATA / "latin1-bytes.ics", days=7)
    [event] = doc["events"]
    assert event["title"].startswith("Caf") and "planning" in event["title"]


def test_a_calendar_without_events_has_no_findings(cli):
    doc, _ = audit_json(cli, DATA / "no-events.ics", days=7)
    assert doc["events"] == [] and doc["findings"] == []
    table = cli(*audit_args(DATA / "no-events.ics"))
    assert table.code == 0 and "No findings" in table.out


def test_outlook_customized_time_zone_uses_its_vtimezone(cli):
    doc, _ = audit_json(cli, DATA / "customized-time-zone.ics", tz="America/New_York", days=7)
    [event] = doc["events"]
    assert datetime.fromisoformat(event["start"]) == datetime(
        2026, 12, 1, 14, tzinfo=ZoneInfo("Europe/Berlin")
    )


def test_duration_gives_the_end(cli):
    doc, _ = audit_json(cli, DATA / "duration-and-no-end.ics", days=7)
    [event] = by_title(doc)["Forty-five minutes by DURATION"]
    start, end = datetime.fromisoformat(event["start"]), datetime.fromisoformat(event["end"])
    assert (end - start).total_seconds() == 45 * 60
    # the all-day holiday without DTEND is one day off: no F001 on that Friday
    assert "Company holiday" not in by_title(doc)
    assert not [f for f in doc["findings"] if f["rule"] == "F001" and f["day"] == "2026-12-04"]


def test_todos_journals_and_free_busy_are_ignored(cli):
    doc, _ = audit_json(cli, DATA / "other-components.ics", days=7)
    assert [e["title"] for e in doc["events"]] == ["Quarterly budget"]
    # only the meeting's own focus price (F003): the VTODO, VJOURNAL and VFREEBUSY add nothing
    assert [f["rule"] for f in doc["findings"]] == ["F003"]


def test_cancelled_excluded_and_declined_instances_of_a_series(cli):
    doc, _ = audit_json(cli, DATA / "cancelled-and-declined-instances.ics", days=7)
    days = [d.date() for d in _starts(doc, "Delivery check")]
    # 1 Dec: EXDATE (as a DATE), 2 Dec: cancelled instance, 3 Dec: I declined that one
    assert days == [date(2026, 11, 30), date(2026, 12, 4)]


def test_guardians_own_blocks_are_not_meetings(cli):
    doc, _ = audit_json(cli, DATA / "guardian-own-block.ics", days=7)
    assert [e["title"] for e in doc["events"]] == ["Pricing decision"]
    # not even H005 against the block under it; the block is focus time, so the
    # meeting on top of it has a focus price (F003)
    assert [f["rule"] for f in doc["findings"]] == ["F003"]

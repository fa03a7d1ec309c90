"""Damage inside a calendar file costs only the damaged part.

Each file in tests/data/ holds one kind of damage found in real exports; the
tests run `guardian audit` on it and check what a person notices: the
meetings that survive are audited at the right time, and one warning line
per file names what was skipped (count, UIDs, why).
"""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import DATA, audit_args, no_traceback

BERLIN = ZoneInfo("Europe/Berlin")


def run(cli, path, **kwargs):
    result = cli(*audit_args(path, "--format", "json", days=7, **kwargs))
    assert result.code == 0, result.err
    assert no_traceback(result.err)
    return json.loads(result.out), [line for line in result.err_lines if line.startswith("warning:")]


def titles(doc) -> list[str]:
    return [e["title"] for e in doc["events"]]


def start_of(doc, title) -> datetime:
    return next(datetime.fromisoformat(e["start"]) for e in doc["events"] if e["title"] == title)


def test_an_icloud_lmt_offset_in_a_vtimezone_falls_back_to_the_iana_zone(cli):
    # Apple writes local mean time as TZOFFSETFROM:+5328, which icalendar refuses as over 24 h
    doc, warnings = run(cli, DATA / "icloud-lmt-offset.ics", tz="America/New_York")
    assert titles(doc) == ["Roadmap review"]
    assert start_of(doc, "Roadmap review") == datetime(2026, 12, 1, 10, tzinfo=BERLIN)
    [line] = warnings
    assert "time zone 'Europe/Berlin'" in line and "+5328" in line and "IANA zone" in line


def test_a_broken_custom_vtimezone_leaves_its_times_in_my_zone_with_a_warning(cli):
    doc, warnings = run(cli, DATA / "vtimezone-broken-custom-name.ics")
    assert start_of(doc, "Vendor contract decision") == datetime(2026, 12, 2, 10, tzinfo=BERLIN)
    [line] = warnings
    assert "'Office Local Time'" in line and "read as Europe/Berlin" in line


def test_negative_durations_cost_their_event_only(cli):
    doc, warnings = run(cli, DATA / "negative-duration.ics")
    assert titles(doc) == ["Hiring decision"]
    [line] = warnings
    assert "skipped 2 events" in line
    assert "negative-duration@test (DURATION: Invalid iCalendar duration: PT-2H)" in line
    assert "signed-negative-duration@test (its DURATION is negative)" in line


def test_unreadable_properties_are_dropped_and_their_event_kept(cli):
    doc, warnings = run(cli, DATA / "malformed-properties.ics")
    # the event with a garbage CREATED, GEO, PRIORITY and SEQUENCE is still a meeting
    assert titles(doc) == ["Pricing decision"]
    assert [f["rule"] for f in doc["findings"]] == []
    [line] = warnings
    assert "dropped 5 unreadable properties" in line and "CREATED" in line and "GEO" in line
    # a rule that cannot be read would misplace the series: the series goes, named
    assert "skipped 1 event: broken-rrule@test (RRULE:" in line


def test_a_broken_alarm_costs_the_alarm_not_the_meeting(cli):
    doc, warnings = run(cli, DATA / "broken-alarm.ics")
    assert titles(doc) == ["Budget sign-off"]
    [line] = warnings
    assert "alarmed@test (a broken VALARM inside was dropped)" in line


def test_stray_lines_and_unclosed_components_are_skipped(cli):
    doc, warnings = run(cli, DATA / "stray-lines.ics")
    assert titles(doc) == ["Architecture decision"]
    assert start_of(doc, "Architecture decision") == datetime(2026, 12, 3, 14, tzinfo=BERLIN)
    [line] = warnings
    assert "skipped 5 unreadable lines" in line


def test_a_bare_vevent_without_vcalendar_is_read(cli):
    doc, warnings = run(cli, DATA / "bare-vevent.ics")
    assert titles(doc) == ["Storage vendor decision"]
    assert warnings == []


def test_a_utf16_export_is_read(cli):
    doc, _ = run(cli, DATA / "utf16-bom.ics")
    assert titles(doc) == ["Büro move decision"]


def test_a_google_takeout_zip_reads_every_calendar_in_it(cli):
    doc, warnings = run(cli, DATA / "google-takeout.zip")
    assert sorted(titles(doc)) == ["Quarterly planning", "Team retro"]
    assert warnings == []


def test_a_gzipped_export_is_read(cli):
    doc, _ = run(cli, DATA / "export.ics.gz")
    assert titles(doc) == ["Release go/no-go"]


def test_warnings_for_a_zip_name_the_calendar_inside_it(cli, tmp_path):
    broken = (DATA / "negative-duration.ics").read_bytes()
    good = (DATA / "bare-vevent.ics").read_bytes()
    path = tmp_path / "takeout.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Takeout/Calendar/Broken.ics", broken)
        archive.writestr("Takeout/Calendar/Good.ics", good)
    doc, warnings = run(cli, path)
    assert sorted(titles(doc)) == ["Hiring decision", "Storage vendor decision"]
    [line] = warnings
    assert "takeout.zip:Takeout/Calendar/Broken.ics: skipped 2 events" in line


def test_a_zip_without_a_calendar_is_one_clear_error(cli, tmp_path):
    path = tmp_path / "photos.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Takeout/Photos/a.jpg", b"\xff\xd8")
    result = cli(*audit_args(path))
    assert result.code == 2 and len(result.err_lines) == 1
    assert "holds no calendar" in result.err and str(path) in result.err


@pytest.mark.parametrize("body", [b"\x1f\x8b\x08\x00garbage", b"PK\x03\x04 not really a zip"])
def test_damaged_archives_are_one_clear_error(cli, tmp_path, body):
    path = tmp_path / "export.ics.gz"
    path.write_bytes(body)
    result = cli(*audit_args(path))
    assert result.code == 2 and len(result.err_lines) == 1 and "damaged" in result.err
    assert no_traceback(result.err)


def test_a_decompression_bomb_is_refused_without_unpacking_it():
    from guardian.adapters.sources.ics.archive import unpack
    from guardian.errors import InputError

    bomb = gzip.compress(b"\0" * (4 << 20))
    with pytest.raises(InputError, match="unpacks to more than 1 MiB"):
        unpack(bomb, "bomb.ics.gz", limit=1 << 20)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.ics", b"\0" * (4 << 20))
    with pytest.raises(InputError, match="unpacks to more than 1 MiB"):
        unpack(buffer.getvalue(), "bomb.zip", limit=1 << 20)


def test_absurd_nesting_neither_recurses_nor_hangs(cli, tmp_path):
    good = (DATA / "bare-vevent.ics").read_text()
    nested = "BEGIN:X-DEEP\r\n" * 20_000 + "END:X-DEEP\r\n" * 20_000
    path = tmp_path / "deep.ics"
    path.write_text("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + nested + good + "END:VCALENDAR\r\n")
    doc, warnings = run(cli, path)
    assert titles(doc) == ["Storage vendor decision"]
    assert "nested" in warnings[0] or "deeper" in warnings[0]


def test_many_broken_events_are_counted_in_one_line_that_names_the_first(cli, tmp_path):
    broken = "".join(
        f"BEGIN:VEVENT\r\nUID:broken-{n}@test\r\nDTSTART:not a time\r\nEND:VEVENT\r\n" for n in range(30)
    )
    good = (DATA / "bare-vevent.ics").read_text()
    path = tmp_path / "many.ics"
    path.write_text("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + broken + good + "END:VCALENDAR\r\n")
    doc, warnings = run(cli, path)
    assert titles(doc) == ["Storage vendor decision"]
    [line] = warnings
    assert "skipped 30 events" in line and "broken-0@test" in line and "and 22 more" in line


def test_a_second_read_of_the_same_file_does_not_repeat_the_warning(caplog):
    from guardian.adapters.sources.base import Identity
    from guardian.adapters.sources.ics.source import IcsSource
    from guardian.core.model import Window

    source = IcsSource(DATA / "negative-duration.ics", Identity(BERLIN, "me@acme.example"))
    week = Window(datetime(2026, 11, 30, tzinfo=BERLIN), datetime(2026, 12, 7, tzinfo=BERLIN))
    with caplog.at_level("WARNING", logger="guardian"):
        source.read(week)
        source.read(week)
    assert len([r for r in caplog.records if "negative-duration" in r.getMessage()]) == 1


def test_a_missing_or_misspelt_end_vcalendar_costs_only_that_line(cli):
    doc, warnings = run(cli, DATA / "no-end-vcalendar.ics")
    assert titles(doc) == ["Storage vendor decision"]
    [line] = warnings
    assert "END:VCALENDAR (missing at the end of the file" in line

"""Details of reading .ics invites that change what a user is told."""

import pytest

from guardian.cli.app import main

INVITE = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//guardian tests//details//EN
BEGIN:VEVENT
UID:alt-agenda
DTSTAMP:20261101T000000Z
CREATED:20261101T000000Z
DTSTART;TZID=Europe/Berlin:20261201T100000
DTEND;TZID=Europe/Berlin:20261201T110000
SUMMARY:Beta review
DESCRIPTION:Join Zoom Meeting\\nhttps://acme.zoom.us/j/5550001111\\nMeeting ID: 555 000 1111
X-ALT-DESC;FMTTYPE=text/html:<p><b>Agenda</b>: should we ship the beta on Friday?</p><p>Join Zoom Meeting</p>
ORGANIZER:mailto:bob@acme.example
ATTENDEE;PARTSTAT=ACCEPTED:mailto:me@acme.example
ATTENDEE;PARTSTAT=ACCEPTED:mailto:carol@acme.example
END:VEVENT
END:VCALENDAR
"""


def audit(capsys, *args):
    code = main(
        [
            "audit",
            "--me",
            "me@acme.example",
            "--from",
            "2026-12-01",
            "--days",
            "1",
            "--tz",
            "Europe/Berlin",
            "--now",
            "2026-11-20T09:00:00+01:00",
            "--format",
            "json",
            *args,
        ]
    )
    out = capsys.readouterr()
    return code, out.out, out.err


def test_an_agenda_only_in_the_html_part_is_read_and_the_call_link_is_kept(tmp_path, capsys):
    import json

    path = tmp_path / "invite.ics"
    path.write_text(INVITE)
    code, out, err = audit(capsys, "-c", str(path))
    assert code == 0, err
    findings = {f["rule"]: f for f in json.loads(out)["findings"]}
    assert "A001" not in findings and "A002" not in findings  # the HTML asks "should we ...?"
    assert "only a Zoom link" in findings["D001"]["message"]


@pytest.mark.parametrize("key", ["min_minutes", "min_attendees"])
def test_a_negative_filter_in_a_pack_is_an_error_at_its_line(tmp_path, capsys, key):
    pack = tmp_path / "rules.toml"
    pack.write_text(f'extends = "default"\n\n[rules.D001]\n{key} = -5\n')
    code = main(["rules", "check", str(pack)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{pack}:4: rules.D001.{key}: must not be negative" in err


def test_warnings_go_to_the_stderr_of_each_run(tmp_path, capsys):
    broken = tmp_path / "broken.ics"
    broken.write_text(
        INVITE.replace(
            "BEGIN:VEVENT\nUID:alt-agenda\nDTSTAMP:20261101T000000Z\n",
            "BEGIN:VEVENT\nUID:no-start\nEND:VEVENT\nBEGIN:VEVENT\nUID:alt-agenda\nDTSTAMP:20261101T000000Z\n",
        )
    )
    for _ in range(2):  # the handler must follow sys.stderr, not keep the first one
        code, out, err = audit(capsys, "-c", str(broken))
        assert code == 0
        assert "skipped 1 event: no-start (it has no DTSTART)" in err


def test_an_unknown_time_zone_is_named_in_a_warning_and_read_in_mine(tmp_path, capsys):
    import json
    from pathlib import Path

    source = Path(__file__).parent / "data" / "invalid-tzid.ics"
    code, out, err = audit(capsys, "-c", str(source), "--from", "2026-11-30", "--days", "14")
    assert code == 0
    assert "unknown time zone 'Mars/Olympus_Mons'" in err and "read as Europe/Berlin" in err
    assert err.count("unknown time zone") == 1
    assert all(e["start"].endswith(("+01:00", "+02:00")) for e in json.loads(out)["events"])


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_terminal_escapes_in_titles_never_reach_the_terminal(tmp_path, capsys, fmt):
    hostile = INVITE.replace("SUMMARY:Beta review", "SUMMARY:Beta \x1b]0;pwned\x07review \x1b[2J")
    path = tmp_path / "hostile.ics"
    path.write_text(hostile)
    code = main(
        [
            "audit",
            "-c",
            str(path),
            "--me",
            "me@acme.example",
            "--from",
            "2026-12-01",
            "--days",
            "1",
            "--tz",
            "Europe/Berlin",
            "--now",
            "2026-11-20T09:00:00+01:00",
            "--format",
            fmt,
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "Beta" in out and "review" in out
    assert "\x1b" not in out and "\x07" not in out


def test_a_cut_off_file_says_so(capsys):
    from pathlib import Path

    code = main(["audit", "-c", str(Path(__file__).parent / "data" / "truncated.ics"), "--tz", "UTC"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "truncated.ics: the calendar is cut off (no END:VCALENDAR)" in err


def test_a_meeting_past_midnight_names_its_days(tmp_path, capsys):
    import json

    late = INVITE.replace(
        "DTSTART;TZID=Europe/Berlin:20261201T100000", "DTSTART;TZID=Europe/Berlin:20261201T230000"
    )
    late = late.replace(
        "DTEND;TZID=Europe/Berlin:20261201T110000", "DTEND;TZID=Europe/Berlin:20261202T010000"
    )
    path = tmp_path / "late.ics"
    path.write_text(late)
    code, out, err = audit(capsys, "-c", str(path), "--days", "2")
    (h001,) = [f for f in json.loads(out)["findings"] if f["rule"] == "H001"]
    assert h001["message"] == "Tue 01 Dec 23:00-Wed 02 Dec 01:00 is outside your working hours (09:00-17:00)"

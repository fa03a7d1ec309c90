"""F001 no-focus-block and F002 focus-below-target: long free blocks inside working hours."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import MONDAY, audit_file, codes, of_rule, vevent, write_ics

GOOD = "Should we ship the beta on Friday?\nDoc: https://docs.google.com/document/d/beta"
TUESDAY = date(2026, 12, 1)


def chopped_day(day: str, *, status: str = "ACCEPTED", extra=()) -> list[str]:
    """Half-hour meetings at 10:00, 12:00, 14:00 and 16:00: no free 2 h anywhere in 09-17."""
    return [
        vevent(f"Review {hour}", f"{day} {hour}:00", description=GOOD, my_status=status, extra=extra)
        for hour in ("10", "12", "14", "16")
    ]


def test_f001_fires_on_a_chopped_workday_with_day_and_no_event(tmp_path):
    findings = audit_file(write_ics(tmp_path, *chopped_day("2026-12-01")))
    [finding] = of_rule(findings, "F001")
    assert finding.name == "no-focus-block"
    assert finding.event is None
    assert finding.day == TUESDAY
    assert "90 min" in finding.message  # the longest free stretch


def test_f001_quiet_on_a_day_with_one_free_2h_block(tmp_path):
    # 10:00, 12:00 and 14:00 only: 14:30-17:00 is free
    events = chopped_day("2026-12-01")[:3]
    assert "F001" not in codes(audit_file(write_ics(tmp_path, *events)))


def test_f001_quiet_on_weekends_and_empty_days(tmp_path):
    events = chopped_day("2026-12-05")  # a Saturday
    findings = of_rule(audit_file(write_ics(tmp_path, *events)), "F001")
    assert findings == []


def test_f001_quiet_on_a_day_off(tmp_path):
    off = vevent("Vacation", "2026-12-01", end="2026-12-02", attendees=(), organizer=None, description=None)
    findings = audit_file(write_ics(tmp_path, off, *chopped_day("2026-12-01")))
    assert "F001" not in codes(findings)


def test_f001_declined_and_free_meetings_do_not_take_focus_time(tmp_path):
    declined = chopped_day("2026-12-01", status="DECLINED")
    free = [
        e.replace("UID:evt-", "UID:free-") for e in chopped_day("2026-12-02", extra=["TRANSP:TRANSPARENT"])
    ]
    findings = audit_file(write_ics(tmp_path, *declined, *free))
    assert "F001" not in codes(findings)


def test_f001_a_solo_busy_event_takes_focus_time_too(tmp_path):
    # a dentist appointment is no meeting, but it still breaks the day
    dentist = vevent(
        "Dentist", "2026-12-01 10:30", minutes=300, attendees=(), organizer=None, description=None
    )
    findings = audit_file(write_ics(tmp_path, dentist))
    assert [f.day for f in of_rule(findings, "F001")] == [TUESDAY]


def test_f001_respects_configured_working_hours(tmp_path):
    # working 09:00-12:00 only: a day with a meeting at 10:00 has no 2 h block
    findings = audit_file(
        write_ics(tmp_path, vevent("Beta", "2026-12-01 10:00", description=GOOD)),
        hours=dict.fromkeys(("monday", "tuesday", "wednesday", "thursday", "friday"), "09:00-12:00"),
    )
    assert [f.day for f in of_rule(findings, "F001")] == [TUESDAY]


# --- F002 focus-below-target --------------------------------------------------------


def long_meetings(days: list[str], start="10:30", minutes=270) -> list[str]:
    return [vevent(f"Workshop {d}", f"{d} {start}", minutes=minutes, description=GOOD) for d in days]


def test_f002_quiet_on_a_quiet_week(tmp_path):
    findings = audit_file(write_ics(tmp_path, vevent("Beta", "2026-12-01 10:00", description=GOOD)))
    assert "F002" not in codes(findings)


def test_f002_fires_below_the_weekly_target_with_no_event_and_no_day(tmp_path):
    # Mon-Thu: 10:30-15:00 booked leaves one 2 h block (15:00-17:00); Friday is off: 8 h < 10 h
    off = vevent("Vacation", "2026-12-04", end="2026-12-05", attendees=(), organizer=None, description=None)
    days = ["2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03"]
    findings = audit_file(write_ics(tmp_path, off, *long_meetings(days)))
    [finding] = of_rule(findings, "F002")
    assert finding.name == "focus-below-target"
    assert finding.event is None and finding.day is None
    assert "8 h" in finding.message and "10 h" in finding.message
    assert "F001" not in codes(findings)  # every workday still has its 2 h block


def test_f002_at_the_target_is_enough(tmp_path):
    days = ["2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04"]
    findings = audit_file(write_ics(tmp_path, *long_meetings(days)))  # 5 x 2 h = 10 h
    assert "F002" not in codes(findings)


def test_f002_target_can_be_lowered_in_a_pack(tmp_path):
    pack = tmp_path / "pack.toml"
    pack.write_text('extends = "default"\n[rules.F002.params]\ntarget_hours = 6\n', encoding="utf-8")
    off = vevent("Vacation", "2026-12-04", end="2026-12-05", attendees=(), organizer=None, description=None)
    days = ["2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03"]
    path = write_ics(tmp_path, off, *long_meetings(days))
    assert "F002" in codes(audit_file(path))
    assert "F002" not in codes(audit_file(path, rules=pack))


def test_focus_hours_in_the_summary_count_only_2h_blocks(tmp_path):
    from tests.conftest import audit_result

    days = ["2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04"]
    result = audit_result(write_ics(tmp_path, *long_meetings(days)), start=MONDAY)
    # each day: 09:00-10:30 (1.5 h, too short) and 15:00-17:00 (2 h)
    assert result.summary.focus_hours == 10.0


def test_f001_quiet_on_an_outlook_out_of_office_day(tmp_path):
    ooo = vevent(
        "Out of office",
        "2026-12-03 09:00",
        end="2026-12-03 17:00",
        attendees=(),
        organizer=None,
        description=None,
        extra=["X-MICROSOFT-CDO-BUSYSTATUS:OOF"],
    )
    assert "F001" not in codes(audit_file(write_ics(tmp_path, ooo)))


@pytest.mark.parametrize(
    ("title", "start", "end"),
    [
        ("Out of office", "2026-12-01 00:00", "2026-12-02 00:00"),
        ("Vacation", "2026-12-01 09:00", "2026-12-01 17:00"),
    ],
)
def test_f001_quiet_on_a_timed_out_of_office_day(tmp_path, title, start, end):
    ooo = vevent(title, start, end=end, attendees=(), organizer=None, description=None)
    assert "F001" not in codes(audit_file(write_ics(tmp_path, ooo)))

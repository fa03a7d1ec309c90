"""H001 after-hours, H002 back-to-back, H003 endless-recurrence, H004 large-meeting, H005 double-booked."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import audit_file, codes, of_rule, vevent, write_ics

GOOD = "Should we ship the beta on Friday?\nDoc: https://docs.google.com/document/d/beta"


def run(tmp_path, *events, **kwargs):
    return audit_file(write_ics(tmp_path, *events), **kwargs)


def meeting(title, start, minutes=60, **kwargs):
    kwargs.setdefault("description", GOOD)
    return vevent(title, start, minutes=minutes, **kwargs)


# --- H001 after-hours --------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "minutes"),
    [("2026-12-01 19:00", 60), ("2026-12-01 08:30", 60), ("2026-12-01 16:30", 60), ("2026-12-01 07:00", 30)],
)
def test_h001_flags_meetings_outside_working_hours(tmp_path, start, minutes):
    [finding] = of_rule(run(tmp_path, meeting("Partner call", start, minutes)), "H001")
    assert finding.name == "after-hours"
    assert "09:00-17:00" in finding.message


def test_h001_flags_a_meeting_on_a_weekend(tmp_path):
    [finding] = of_rule(run(tmp_path, meeting("Partner call", "2026-12-05 11:00")), "H001")
    assert "Saturday" in finding.message


@pytest.mark.parametrize(
    ("start", "minutes"), [("2026-12-01 09:00", 60), ("2026-12-01 16:00", 60), ("2026-12-01 12:00", 30)]
)
def test_h001_quiet_inside_working_hours_edges_included(tmp_path, start, minutes):
    assert "H001" not in codes(run(tmp_path, meeting("Partner call", start, minutes)))


def test_h001_judges_in_my_zone_not_the_events(tmp_path):
    # 09:00 in New York is 15:00 in Berlin
    event = meeting("Partner call", "2026-12-01 09:00", tzid="America/New_York")
    assert "H001" not in codes(run(tmp_path, event, tz="Europe/Berlin"))
    assert "H001" in codes(run(tmp_path, event, tz="Asia/Tokyo"))


# --- H002 back-to-back ----------------------------------------------------------------


def test_h002_flags_a_run_longer_than_2h_without_a_break(tmp_path):
    events = [
        meeting("First", "2026-12-01 09:00"),
        meeting("Second", "2026-12-01 10:00"),
        meeting("Third", "2026-12-01 11:05", minutes=55),  # a 5 min gap is not a break
    ]
    [finding] = of_rule(run(tmp_path, *events), "H002")
    assert finding.name == "back-to-back"
    # the run is the finding: its day and span, not one meeting of it
    assert finding.event is None and finding.day == date(2026, 12, 1)
    assert [t.strftime("%H:%M") for t in finding.span] == ["09:00", "12:00"]  # in the zone it was read in
    assert finding.message.startswith("3 meetings from 09:00 to 12:00")


def test_h002_is_not_pinned_on_an_exempt_meeting_inside_the_run(tmp_path):
    events = [
        meeting("Review", "2026-12-01 11:00", minutes=120),
        meeting("Team lunch", "2026-12-01 13:00"),  # exempt (social) and part of the run
        meeting("Planning", "2026-12-01 14:00", minutes=120),
    ]
    findings = run(tmp_path, *events)
    [finding] = of_rule(findings, "H002")
    assert finding.event is None and "11:00 to 16:00" in finding.message
    assert not codes(findings, "Team lunch")


def test_h002_two_runs_on_one_day_are_two_findings(tmp_path):
    events = [
        meeting("A", "2026-12-01 08:00", minutes=150),
        meeting("B", "2026-12-01 13:00", minutes=150),
    ]
    first, second = of_rule(run(tmp_path, *events, hours={"tuesday": "07:00-19:00"}), "H002")
    assert first.key != second.key and first.span[0] < second.span[0]


def test_h002_quiet_when_there_is_a_10_minute_break(tmp_path):
    events = [
        meeting("First", "2026-12-01 09:00"),
        meeting("Second", "2026-12-01 10:00"),
        meeting("Third", "2026-12-01 11:10", minutes=50),
    ]
    assert "H002" not in codes(run(tmp_path, *events))


def test_h002_exactly_2h_is_not_too_long(tmp_path):
    events = [meeting("First", "2026-12-01 09:00"), meeting("Second", "2026-12-01 10:00")]
    assert "H002" not in codes(run(tmp_path, *events))


def test_h002_declined_meetings_are_breaks(tmp_path):
    events = [
        meeting("First", "2026-12-01 09:00"),
        meeting("Second", "2026-12-01 10:00", my_status="DECLINED"),
        meeting("Third", "2026-12-01 11:00"),
    ]
    assert "H002" not in codes(run(tmp_path, *events))


# --- H003 endless-recurrence --------------------------------------------------------


def test_h003_flags_an_endless_series_once_on_its_first_occurrence(tmp_path):
    event = meeting("Weekly planning", "2026-01-05 11:00", rrule="FREQ=WEEKLY;BYDAY=MO,WE")
    findings = of_rule(run(tmp_path, event), "H003")
    assert [f.day for f in findings] == [date(2026, 11, 30)]  # not again on Wednesday
    assert findings[0].name == "endless-recurrence"


def test_h003_skips_one_on_ones_and_other_exempt_meetings(tmp_path):
    one_on_one = meeting(
        "Me / Bob", "2026-01-05 16:00", rrule="FREQ=WEEKLY;BYDAY=MO", attendees=("bob@acme.example",)
    )
    lunch = meeting("Team lunch", "2026-01-06 12:00", rrule="FREQ=WEEKLY;BYDAY=TU")
    assert "H003" not in codes(run(tmp_path, one_on_one, lunch))


@pytest.mark.parametrize(
    "rrule", ["FREQ=WEEKLY;BYDAY=MO,WE;COUNT=200", "FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20271231T000000Z"]
)
def test_h003_quiet_when_the_series_ends(tmp_path, rrule):
    event = meeting("Weekly planning", "2026-01-05 11:00", rrule=rrule)
    findings = run(tmp_path, event)
    assert "H003" not in codes(findings)
    assert len([f for f in findings if f.event is not None]) == 0  # the rest of it is fine too


def test_h003_quiet_on_a_single_meeting(tmp_path):
    assert "H003" not in codes(run(tmp_path, meeting("Weekly planning", "2026-12-01 11:00")))


# --- H004 large-meeting --------------------------------------------------------------


def people(n):
    return tuple(f"person{i}@acme.example" for i in range(n))


def test_h004_flags_more_than_8_people(tmp_path):
    # me + 8 others = 9 (no separate ORGANIZER: the organizer is a person in the meeting too)
    event = meeting("All hands prep", "2026-12-01 11:00", attendees=people(8), organizer=None)
    [finding] = of_rule(run(tmp_path, event), "H004")
    assert finding.name == "large-meeting"
    assert "9 people" in finding.message


def test_h004_counts_an_organizer_who_is_not_listed_as_attendee(tmp_path):
    # as Outlook writes invites: me + 7 attendees + the organizer = 9
    event = meeting("All hands prep", "2026-12-01 11:00", attendees=people(7))
    [finding] = of_rule(run(tmp_path, event), "H004")
    assert "9 people" in finding.message


def test_h004_quiet_at_8_people(tmp_path):
    event = meeting("All hands prep", "2026-12-01 11:00", attendees=people(7), organizer=None)
    assert "H004" not in codes(run(tmp_path, event))


def test_h004_rooms_are_not_people(tmp_path):
    room = "ATTENDEE;CUTYPE=ROOM;PARTSTAT=ACCEPTED;CN=Room Everest:mailto:everest@rooms.acme.example"
    event = meeting("All hands prep", "2026-12-01 11:00", attendees=people(7), organizer=None, extra=[room])
    assert "H004" not in codes(run(tmp_path, event))


def test_h004_limit_can_be_raised_in_a_pack(tmp_path):
    pack = tmp_path / "pack.toml"
    pack.write_text(
        'extends = "default"\n[rules.large-meeting]\nparams = { max_attendees = 12 }\n', encoding="utf-8"
    )
    event = meeting("All hands prep", "2026-12-01 11:00", attendees=people(10))
    assert "H004" in codes(run(tmp_path, event))
    assert "H004" not in codes(run(tmp_path, event, rules=pack))


# --- H005 double-booked ----------------------------------------------------------------


def test_h005_flags_two_accepted_meetings_that_overlap(tmp_path):
    events = [meeting("Pricing decision", "2026-12-03 11:00"), meeting("Vendor demo", "2026-12-03 11:30")]
    [finding] = of_rule(run(tmp_path, *events), "H005")
    assert finding.name == "double-booked"
    assert finding.event.title == "Vendor demo"
    assert "Pricing decision" in finding.message


def test_h005_counts_meetings_i_organise(tmp_path):
    from tests.conftest import ME

    events = [
        meeting("Pricing decision", "2026-12-03 11:00", organizer=ME),
        meeting("Vendor demo", "2026-12-03 11:30"),
    ]
    assert "H005" in codes(run(tmp_path, *events))


@pytest.mark.parametrize("status", ["TENTATIVE", "DECLINED", "NEEDS-ACTION"])
def test_h005_quiet_unless_both_are_accepted(tmp_path, status):
    events = [
        meeting("Pricing decision", "2026-12-03 11:00"),
        meeting("Vendor demo", "2026-12-03 11:30", my_status=status),
    ]
    assert "H005" not in codes(run(tmp_path, *events))


def test_h005_meetings_that_only_touch_do_not_overlap(tmp_path):
    events = [meeting("Pricing decision", "2026-12-03 11:00"), meeting("Vendor demo", "2026-12-03 12:00")]
    assert "H005" not in codes(run(tmp_path, *events))


def test_h005_overlap_across_time_zones(tmp_path):
    # 11:00-12:00 Berlin and 05:30-06:30 New York (11:30-12:30 Berlin)
    events = [
        meeting("Pricing decision", "2026-12-03 11:00"),
        meeting("Vendor demo", "2026-12-03 05:30", tzid="America/New_York"),
    ]
    assert "H005" in codes(run(tmp_path, *events))


def test_h005_overlap_with_a_meeting_that_started_the_day_before(tmp_path):
    events = [
        meeting("Partner summit", "2026-11-30 09:00", end="2026-12-02 17:00"),
        meeting("Customer call", "2026-12-01 14:00"),
    ]
    [finding] = of_rule(run(tmp_path, *events), "H005")
    assert finding.event.title == "Customer call"
    assert "Partner summit" in finding.message


def test_h005_overlap_across_midnight(tmp_path):
    events = [
        meeting("Incident bridge handover", "2026-12-01 23:00", minutes=120),
        meeting("APAC planning", "2026-12-02 00:30"),
    ]
    assert "H005" in codes(run(tmp_path, *events))

"""Valid meetings are exempt from the D/A/S rules; some events never produce findings at all."""

from __future__ import annotations

import pytest

from tests.conftest import DAVE, audit_file, audit_result, codes, vevent, write_ics

DAS = {"D001", "D002", "A001", "A002", "S001", "S002", "S003"}
# A meeting that breaks every D/A/S rule it can: no doc, no agenda, late, a status sync.
BAD = {"description": None, "created": "20261201T080000Z"}


def run(tmp_path, *events, **kwargs):
    return audit_file(write_ics(tmp_path, *events), **kwargs)


def test_the_baseline_meeting_really_is_bad(tmp_path):
    findings = run(tmp_path, vevent("Status sync", "2026-12-01 10:00", **BAD))
    assert {"D001", "D002", "A001", "S001"} <= codes(findings)


@pytest.mark.parametrize(
    "title",
    [
        "Bob / Me 1:1",
        "Interview: senior backend engineer",
        "Hiring panel debrief",
        "Team lunch",
        "Friday coffee",
        "Onboarding: welcome Sam",
        "Incident review: checkout outage",
        "War room: payments",
        "Performance review sync",
        "Compensation check-in",
    ],
)
def test_valid_meetings_are_exempt_from_d_a_s(tmp_path, title):
    findings = run(tmp_path, vevent(title, "2026-12-01 10:00", **BAD))
    assert not DAS & codes(findings), [(f.rule, f.message) for f in findings]


def test_a_meeting_of_two_people_is_a_one_on_one(tmp_path):
    findings = run(
        tmp_path, vevent("Status sync", "2026-12-01 10:00", attendees=("bob@acme.example",), **BAD)
    )
    assert not DAS & codes(findings)


def test_a_three_person_sync_is_not_exempt(tmp_path):
    findings = run(
        tmp_path, vevent("Status sync", "2026-12-01 10:00", attendees=("bob@acme.example", DAVE), **BAD)
    )
    assert "S001" in codes(findings)


def test_negotiation_is_exempt_only_with_an_external_attendee(tmp_path):
    internal = vevent("Contract negotiation", "2026-12-01 10:00", **BAD)
    external = vevent(
        "Contract negotiation",
        "2026-12-02 10:00",
        attendees=("bob@acme.example", "sales@initech.example"),
        **BAD,
    )
    findings = run(tmp_path, internal, external)
    flagged_days = {f.day.isoformat() for f in findings if f.rule == "D001"}
    assert flagged_days == {"2026-12-01"}


def test_exempt_meetings_still_get_the_h_rules(tmp_path):
    # a team lunch at 19:00 is exempt from D/A/S, but it is still after hours
    findings = run(tmp_path, vevent("Team lunch", "2026-12-01 19:00", **BAD))
    assert codes(findings) == {"H001"}


def test_exempt_meetings_are_counted_in_the_summary(tmp_path):
    result = audit_result(write_ics(tmp_path, vevent("Team lunch", "2026-12-01 12:00", **BAD)))
    assert result.summary.meetings == 1
    assert result.summary.exempt == 1


def test_exemption_words_are_whole_words(tmp_path):
    # "Social media status sync" is exempt (social), but "Sociology" is not "social"
    findings = run(tmp_path, vevent("Sociology status sync", "2026-12-01 10:00", **BAD))
    assert "S001" in codes(findings)


def test_a_pack_can_add_exemption_words(tmp_path):
    pack = tmp_path / "pack.toml"
    pack.write_text('extends = "default"\n[exemptions]\nsocial = ["offsite"]\n', encoding="utf-8")
    event = vevent("Offsite status sync", "2026-12-01 10:00", **BAD)
    path = write_ics(tmp_path, event)
    assert "S001" in codes(audit_file(path))
    assert not DAS & codes(audit_file(path, rules=pack))


def test_a_rule_without_exempt_applies_to_valid_meetings(tmp_path):
    pack = tmp_path / "pack.toml"
    pack.write_text('extends = "default"\n[rules.D001]\nexempt = false\n', encoding="utf-8")
    path = write_ics(tmp_path, vevent("Team lunch", "2026-12-01 12:00", **BAD))
    assert "D001" not in codes(audit_file(path))
    assert "D001" in codes(audit_file(path, rules=pack))


# --- never findings -------------------------------------------------------------------------

# Each of these would break nearly every rule if it were a meeting: 10 people, after hours,
# no doc, no agenda, late, endless, a status sync, overlapping an accepted meeting.
CROWD = tuple(f"person{i}@acme.example" for i in range(10))
WORST = {
    "description": None,
    "created": "20261201T080000Z",
    "attendees": CROWD,
    "minutes": 240,
    "rrule": "FREQ=DAILY",
}
ANCHOR = "Should we ship the beta on Friday?\nDoc: https://docs.google.com/document/d/beta"


@pytest.mark.parametrize(
    ("kind", "kwargs"),
    [
        ("declined", {"my_status": "DECLINED"}),
        ("cancelled", {"extra": ["STATUS:CANCELLED"]}),
        ("transparent", {"extra": ["TRANSP:TRANSPARENT"]}),
        ("outlook-free", {"extra": ["X-MICROSOFT-CDO-BUSYSTATUS:FREE"]}),
        ("guardian-own", {"extra": ["X-GUARDIAN-TAG:focus-block"]}),
    ],
)
def test_these_events_never_produce_findings(tmp_path, kind, kwargs):
    event = vevent("Weekly status sync", "2026-11-30 16:00", **{**WORST, **kwargs})
    accepted = vevent(
        "Beta decision",
        "2026-12-01 16:00",
        minutes=30,
        description=ANCHOR,
        attendees=("bob@acme.example", DAVE),
    )
    result = audit_result(write_ics(tmp_path, event, accepted))
    about_it = [f for f in result.findings if f.event is not None and f.event.title == "Weekly status sync"]
    assert about_it == []
    assert "Weekly status sync" not in {e.title for e in result.meetings}
    assert "H005" not in codes(result.findings)


def test_all_day_events_never_produce_findings(tmp_path):
    event = vevent(
        "Weekly status sync",
        "2026-11-30",
        end="2026-12-02",
        description=None,
        attendees=CROWD,
        created="20261130T080000Z",
    )
    result = audit_result(write_ics(tmp_path, event))
    assert [f for f in result.findings if f.event is not None] == []
    assert result.meetings == []


def test_a_solo_event_is_no_meeting(tmp_path):
    event = vevent("Status sync prep", "2026-12-01 19:00", attendees=(), organizer=None, description=None)
    findings = run(tmp_path, event)
    assert [f for f in findings if f.event is not None] == []


# --- the organizer is a person in the meeting, listed as an attendee or not ------------------------
# Outlook/Exchange invites name the organizer in ORGANIZER only, not again as an ATTENDEE.


def test_an_outlook_invite_for_three_is_not_a_one_on_one(tmp_path):
    from tests.conftest import BOB, CAROL

    event = vevent("Weekly status sync", "2026-12-01 10:00", organizer=BOB, attendees=(CAROL,), **BAD)
    assert {"D001", "S001"} <= codes(run(tmp_path, event))


def test_an_outlook_one_on_one_is_still_a_meeting(tmp_path):
    from tests.conftest import BOB

    event = vevent("Late call", "2026-12-01 19:00", organizer=BOB, attendees=(), **BAD)
    assert "H001" in codes(run(tmp_path, event))

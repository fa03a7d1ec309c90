"""F003 focus-breaker, H006 no-meeting-day and H007 outside-meeting-hours on fixture calendars.

Through the real .ics source and audit (and the command line for the config): the focus
price of a meeting in the middle of a free stretch, at its edge, at the edge of working
hours and on the 23 h / 25 h days of a DST change; the team's no-meeting days and meeting
hours, in my zone, whatever zone the invite was written in.
"""

from __future__ import annotations

import json
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from guardian.core.workhours import WorkingHours, parse_ranges
from guardian.lint.context import Norms
from tests.conftest import ME, NOW, audit_file, codes, of_rule, vevent, write_ics

GOOD = "Should we ship the beta on Friday?\nDoc: https://docs.google.com/document/d/beta"
BERLIN = ZoneInfo("Europe/Berlin")
TUESDAY = date(2026, 12, 1)


def meeting(title: str, start: str, minutes: int = 30, **kw) -> str:
    return vevent(title, start, minutes=minutes, description=GOOD, **kw)


def run(tmp_path, *events, **kwargs):
    return audit_file(write_ics(tmp_path, *events), **kwargs)


# --- F003 focus-breaker ------------------------------------------------------------------


def test_f003_a_sync_in_the_middle_of_a_free_morning_costs_four_times_its_length(tmp_path):
    afternoon = meeting("Customer call", "2026-12-01 13:00", minutes=240)  # 13:00-17:00 taken
    sync = meeting("Design sync", "2026-12-01 10:30")
    [finding] = of_rule(run(tmp_path, afternoon, sync), "F003")
    assert finding.name == "focus-breaker" and finding.event.title == "Design sync"
    assert finding.message == "this 30 min meeting turns 09:00-13:00 into 1.5 h + 2 h: costs you 2 h of focus"


def test_f003_a_meeting_at_the_edge_of_the_day_costs_only_itself(tmp_path):
    first_thing = meeting("Design sync", "2026-12-01 09:00")
    assert "F003" not in codes(run(tmp_path, first_thing))


def test_f003_a_meeting_that_leaves_every_piece_at_two_hours_costs_only_itself(tmp_path):
    # 09:00-11:00 and 11:30-17:00: both pieces are still focus time
    assert "F003" not in codes(run(tmp_path, meeting("Design sync", "2026-12-01 11:00")))


def test_f003_a_meeting_next_to_another_meeting_costs_only_itself(tmp_path):
    # after a meeting that ends at 13:00, a sync at 13:00 leaves 13:30-17:00: still focus time
    events = [
        meeting("Workshop", "2026-12-01 09:00", minutes=240),
        meeting("Design sync", "2026-12-01 13:00"),
    ]
    assert "F003" not in codes(run(tmp_path, *events))


def test_f003_prices_each_meeting_as_if_only_it_moved(tmp_path):
    # 10:00-10:45 together leave 09:00-10:00 too short, but moving either one alone gives
    # nothing back (the other still holds the time): neither is the one to blame
    events = [meeting("Standup", "2026-12-01 10:00", minutes=15), meeting("Design sync", "2026-12-01 10:15")]
    assert "F003" not in codes(run(tmp_path, *events))


def test_f003_at_the_edges_of_working_hours(tmp_path):
    # half in, half out: what is left (09:00-16:30) is still one long stretch
    late = meeting("Partner call", "2026-12-01 16:30", minutes=60)
    early = meeting("Partner call", "2026-12-02 08:30", minutes=60)
    findings = run(tmp_path, late, early)
    assert "F003" not in codes(findings) and "H001" in codes(findings)
    # out of hours entirely: no focus time to break
    evening = meeting("Dinner talk", "2026-12-03 19:00", minutes=30)
    assert "F003" not in codes(run(tmp_path, evening))


def test_f003_a_meeting_that_leaves_too_little_before_the_end_of_the_day(tmp_path):
    # 14:00-17:00 is the day's only long stretch; a 90 min meeting at its start leaves 1.5 h
    morning = meeting("Workshop", "2026-12-01 09:00", minutes=300)
    planning = meeting("Launch planning", "2026-12-01 14:00", minutes=90)
    [finding] = of_rule(run(tmp_path, morning, planning), "F003")
    assert finding.message == "this 90 min meeting turns 14:00-17:00 into 1.5 h: costs you 3 h of focus"


def test_f003_uses_my_minimum_block_and_a_pack_can_set_its_own(tmp_path):
    sync = meeting("Design sync", "2026-12-01 10:30")  # 09:00-10:30 (1.5 h) + 11:00-17:00
    assert "F003" in codes(run(tmp_path, sync))
    pack = tmp_path / "pack.toml"
    pack.write_text('extends = "default"\n[rules.F003.params]\nmin_minutes = 90\n', encoding="utf-8")
    assert "F003" not in codes(run(tmp_path, sync, rules=pack))


def test_f003_exempt_declined_and_free_meetings_are_left_alone(tmp_path):
    one_on_one = meeting("Me / Bob 1:1", "2026-12-01 10:30", attendees=("bob@acme.example",))
    declined = meeting("Design sync", "2026-12-02 10:30", my_status="DECLINED")
    free = meeting("Office hours", "2026-12-03 10:30", extra=["TRANSP:TRANSPARENT"])
    assert "F003" not in codes(run(tmp_path, one_on_one, declined, free))


@pytest.mark.parametrize(
    ("day", "after"),
    [
        # 25 Oct 2026: the clocks go back at 03:00, so 00:00-06:00 is 7 real hours
        ("2026-10-25", "1 h + 5.5 h: costs you 1.5 h"),
        # 29 Mar 2026: the clocks go forward at 02:00, so 00:00-06:00 is 5 real hours
        ("2026-03-29", "1 h + 3.5 h: costs you 1.5 h"),
    ],
)
def test_f003_counts_real_hours_on_the_days_of_a_dst_change(tmp_path, day, after):
    sync = meeting("Night shift sync", f"{day} 01:00")
    findings = run(
        tmp_path, sync, start=date.fromisoformat(day), days=1, hours={"sunday": "00:00-06:00"}, now=None
    )
    [finding] = of_rule(findings, "F003")
    assert finding.message == f"this 30 min meeting turns 00:00-06:00 into {after} of focus"


# --- H006 no-meeting-day -----------------------------------------------------------------

WEDNESDAY_OFF = Norms(no_meeting_days=(2,))


def test_h006_flags_a_meeting_on_a_no_meeting_day_and_nothing_else(tmp_path):
    events = [meeting("Planning", "2026-12-02 10:00"), meeting("Review", "2026-12-01 10:00")]
    findings = run(tmp_path, *events, norms=WEDNESDAY_OFF)
    [finding] = of_rule(findings, "H006")
    assert finding.name == "no-meeting-day" and finding.action == "request-move"
    assert finding.event.title == "Planning"
    assert finding.message == "on a Wednesday, the team's no-meeting day"


def test_h006_is_quiet_without_norms(tmp_path):
    assert "H006" not in codes(run(tmp_path, meeting("Planning", "2026-12-02 10:00")))


def test_h006_a_meeting_running_past_midnight_into_the_day_counts(tmp_path):
    late = meeting("Release watch", "2026-12-01 23:30", minutes=60)
    assert "H006" in codes(run(tmp_path, late, norms=WEDNESDAY_OFF))


def test_h006_the_day_is_mine_not_the_invites_zone(tmp_path):
    # Tuesday 23:30 in New York is Wednesday 05:30 in Berlin
    nyc = vevent("Sync with NYC", "2026-12-01 23:30", tzid="America/New_York", description=GOOD)
    assert "H006" in codes(run(tmp_path, nyc, norms=WEDNESDAY_OFF))


def test_h006_exempt_meetings_keep_their_day(tmp_path):
    interview = meeting("Interview: backend candidate", "2026-12-02 10:00")
    assert "H006" not in codes(run(tmp_path, interview, norms=WEDNESDAY_OFF))


# --- H007 outside-meeting-hours ------------------------------------------------------------


def core_hours(spec: str = "10:00-16:00") -> Norms:
    ranges = tuple(parse_ranges(spec))
    return Norms(meeting_hours=WorkingHours(BERLIN, tuple(ranges for _ in range(7))))


def test_h007_flags_a_meeting_before_or_past_the_meeting_hours(tmp_path):
    events = [
        meeting("Early sync", "2026-12-01 09:30"),
        meeting("Late review", "2026-12-01 15:45"),
        meeting("Inside", "2026-12-01 15:30"),  # ends 16:00: inside
        meeting("Also inside", "2026-12-01 10:00"),
    ]
    findings = of_rule(run(tmp_path, *events, norms=core_hours()), "H007")
    assert [(f.event.title, f.message) for f in findings] == [
        ("Early sync", "at 09:30-10:00, outside the team's meeting hours (10:00-16:00)"),
        ("Late review", "at 15:45-16:15, outside the team's meeting hours (10:00-16:00)"),
    ]
    assert findings[0].action == "request-move"


def test_h007_is_quiet_without_norms(tmp_path):
    assert "H007" not in codes(run(tmp_path, meeting("Early sync", "2026-12-01 08:00")))


@pytest.mark.parametrize(
    ("utc", "flagged"),
    [
        ("20260327T090000Z", False),  # Friday before the change: 10:00 CET
        ("20260327T083000Z", True),  # 09:30 CET
        ("20260330T080000Z", False),  # Monday after: 10:00 CEST
        ("20260330T073000Z", True),  # 09:30 CEST (a UTC clock would call it 08:30+1 = inside)
        ("20260330T140000Z", True),  # 16:00-16:30 CEST
    ],
)
def test_h007_meeting_hours_are_local_across_dst(tmp_path, utc, flagged):
    event = meeting("Sync", utc)
    first = date(int(utc[:4]), int(utc[4:6]), int(utc[6:8]))
    findings = run(tmp_path, event, start=first, days=1, norms=core_hours())
    assert ("H007" in codes(findings)) is flagged


def test_h007_split_meeting_hours(tmp_path):
    midday = meeting("Midday sync", "2026-12-01 12:15")
    findings = run(tmp_path, midday, norms=core_hours("10:00-12:00, 13:00-16:00"))
    [finding] = of_rule(findings, "H007")
    assert finding.message.endswith("(10:00-12:00, 13:00-16:00)")


# --- [norms] in the config --------------------------------------------------------------------


def _config(tmp_path, ics, norms: str):
    config = tmp_path / "guardian.toml"
    config.write_text(
        f'me = "{ME}"\ntimezone = "Europe/Berlin"\n[calendars.work]\nsource = "ics:{ics.name}"\n\n[norms]\n{norms}',
        encoding="utf-8",
    )
    return config


def test_norms_from_the_config_reach_the_rules(cli, tmp_path):
    ics = write_ics(tmp_path, meeting("Planning", "2026-12-02 09:00"))
    config = _config(tmp_path, ics, 'no_meeting_days = ["Wed"]\nmeeting_hours = "10:00-16:00"\n')
    result = cli("audit", "--config", config, "--from", "2026-11-30", "--now", NOW, "--format", "json")
    assert result.code == 0, result.err
    assert {f["rule"] for f in json.loads(result.out)["findings"]} >= {"H006", "H007"}


@pytest.mark.parametrize(
    ("norms", "line", "key", "words"),
    [
        ('no_meeting_days = ["wensday"]\n', 7, "norms.no_meeting_days", "is not a weekday"),
        ('no_meeting_days = "wednesday"\n', 7, "norms.no_meeting_days", "must be a list of text"),
        ('meeting_hours = "10-16"\n', 7, "norms.meeting_hours", "is not a range like 09:00-17:00"),
        ('meeting_hours = "off"\n', 7, "norms.meeting_hours", "names no hours"),
        ('meeting_days = ["friday"]\n', 7, "norms.meeting_days", "unknown key"),
    ],
)
def test_a_bad_norm_names_the_file_the_line_and_the_key(cli, tmp_path, norms, line, key, words):
    ics = write_ics(tmp_path, meeting("Planning", "2026-12-02 09:00"))
    config = _config(tmp_path, ics, norms)
    result = cli("audit", "--config", config, "--now", NOW)
    assert result.code == 2
    assert len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err
    assert f"{config}:{line}: {key}" in result.err and words in result.err

"""The third kind of reply: asking the organizer to move a meeting that breaks the team's norms.

And the focus price quoted in the notes. Through the real command line, an .ics calendar,
the outbox channel: `replies plan` shows and writes nothing, `replies send` writes each
note once, and a second send asks nobody again (once per series).
"""

from __future__ import annotations

import json

from tests.conftest import BOB, ME, NOW, vevent, write_ics

GOOD = "Should we ship the beta on Friday?\nDoc: https://docs.google.com/document/d/beta"


def setup(tmp_path, *events, norms='no_meeting_days = ["wednesday"]\nmeeting_hours = "10:00-16:00"\n'):
    ics = write_ics(tmp_path, *events)
    config = tmp_path / "guardian.toml"
    config.write_text(
        f'me = "{ME}"\ntimezone = "Europe/Berlin"\nstate = "{tmp_path / "state.sqlite3"}"\n'
        f'[calendars.work]\nsource = "ics:{ics.name}"\n[replies]\noutbox = "outbox"\n[norms]\n{norms}',
        encoding="utf-8",
    )
    return config


def run(cli, config, *command):
    result = cli(*command, "--config", config, "--from", "2026-11-30", "--now", NOW)
    assert result.code == 0, result.err
    return result


def plan(cli, config) -> dict:
    return json.loads(run(cli, config, "replies", "plan", "--format", "json").out)


def test_a_meeting_on_the_no_meeting_day_gets_a_move_request_dry_run_first(cli, tmp_path):
    config = setup(tmp_path, vevent("Planning", "2026-12-02 09:00", description=GOOD, uid="planning@test"))
    doc = plan(cli, config)
    [reply] = doc["replies"]
    assert reply["kind"] == "move-request" and reply["lead"] == "H006" and reply["to"] == BOB
    assert reply["subject"] == 'Could "Planning" on 2 Dec move?'
    body = " ".join(reply["body"].split())
    assert "It is on a Wednesday, the team's no-meeting day: the team keeps that time for" in body
    assert "Could we find another time for it?" in body
    assert set(reply["rules"]) == {"H006", "H007"}  # one note for both norms it breaks
    assert not (tmp_path / "outbox").exists()  # a plan writes nothing
    audit = run(cli, config, "audit").out
    assert "[move request: would send]" in " ".join(audit.split())
    assert "1 move request ready" in audit


def test_outside_the_meeting_hours_names_them_and_is_sent_once_per_series(cli, tmp_path):
    early = vevent(
        "Early review", "2026-11-30 08:30", description=GOOD, uid="early@test", rrule="FREQ=DAILY;COUNT=3"
    )
    config = setup(tmp_path, early)
    [reply] = plan(cli, config)["replies"]
    # Monday to Wednesday: Wednesday is also the no-meeting day, the note about Monday's names the hours
    assert reply["kind"] == "move-request" and set(reply["rules"]) == {"H006", "H007"}
    assert reply["instances"] == 3 and reply["event"]["start"].startswith("2026-11-30")
    body = " ".join(reply["body"].split())
    assert "It is at 08:30-09:00, outside the team's meeting hours (10:00-16:00)" in body
    assert "moving the whole series would help most" in body
    sent = run(cli, config, "replies", "send")
    assert "sent outbox:" in sent.out
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1
    again = run(cli, config, "replies", "send")
    assert "sent" not in again.out and len(list((tmp_path / "outbox").glob("*.eml"))) == 1
    skipped = plan(cli, config)["skipped"]
    assert [s["code"] for s in skipped] == ["already-asked"]


def test_a_status_meeting_on_the_no_meeting_day_is_offered_as_writing_first(cli, tmp_path):
    config = setup(tmp_path, vevent("Weekly status sync", "2026-12-02 11:00", description=GOOD))
    [reply] = plan(cli, config)["replies"]
    assert reply["kind"] == "async-proposal"  # no meeting at all beats a meeting moved


def test_move_requests_can_be_turned_off_and_are_never_sent_to_myself(cli, tmp_path):
    mine = vevent("My planning", "2026-12-02 10:00", description=GOOD, organizer=ME, my_status="ACCEPTED")
    config = setup(tmp_path, mine)
    doc = plan(cli, config)
    assert doc["replies"] == [] and [s["code"] for s in doc["skipped"]] == ["organizer-is-me"]
    config = setup(tmp_path, vevent("Planning", "2026-12-02 10:00", description=GOOD))
    text = config.read_text().replace(
        "[replies]\n", '[replies]\nactions = ["request-pre-read", "suggest-async"]\n'
    )
    config.write_text(text)
    assert plan(cli, config)["replies"] == []


def test_a_pre_read_request_quotes_the_focus_price(cli, tmp_path):
    afternoon = vevent("Customer call", "2026-12-01 13:00", minutes=240, description=GOOD, organizer=ME)
    review = vevent("Beta review", "2026-12-01 10:30", description="Should we ship the beta on Friday?")
    config = setup(tmp_path, afternoon, review, norms="")
    [reply] = plan(cli, config)["replies"]
    assert reply["kind"] == "pre-read"
    body = " ".join(reply["body"].split())
    assert (
        "Where it sits, it costs me 2 h of focus time that day: it splits 09:00-13:00 into 1.5 h + 2 h, "
        "and a piece under 2 h is too short for deep work." in body
    )


def test_a_meeting_that_costs_only_itself_is_not_priced_in_the_note(cli, tmp_path):
    review = vevent("Beta review", "2026-12-01 09:00", description="Should we ship the beta on Friday?")
    config = setup(tmp_path, review, norms="")
    [reply] = plan(cli, config)["replies"]
    assert "focus time" not in reply["body"] and "\n\n\n" not in reply["body"]


def test_a_move_template_of_my_own_is_checked_for_its_placeholders(cli, tmp_path):
    config = setup(tmp_path, vevent("Planning", "2026-12-02 10:00", description=GOOD))
    own = tmp_path / "move.toml"
    own.write_text('subject = "Move $title?"\nbody = "It is $norm. $missing"\n', encoding="utf-8")
    config.write_text(config.read_text().replace("[replies]\n", '[replies]\nmove_template = "move.toml"\n'))
    result = cli("replies", "plan", "--config", config, "--from", "2026-11-30", "--now", NOW)
    assert result.code == 2 and "unknown placeholder $missing" in result.err and "move.toml" in result.err

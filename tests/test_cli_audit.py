"""`guardian audit` and `guardian rules` as a user runs them: output shapes, exit codes, messages."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from datetime import datetime

import pytest

from tests.conftest import DAVE, ME, NOW, REPO, audit_args, no_traceback, vevent, write_ics

GOOD = "Should we ship the beta on Friday?\nDoc: https://docs.google.com/document/d/beta"

EVENT_KEYS = {"uid", "start", "end", "title", "my_status"}
FINDING_KEYS = {"rule", "name", "severity", "message", "action", "event", "day"}
FINDING_EXTRAS = {"hint", "action_state", "span"}  # documented additions (README, "JSON output")
REF_KEYS = {"uid", "start", "title"}


@pytest.fixture
def week(tmp_path):
    """A week with a bit of everything, in Berlin."""
    return write_ics(
        tmp_path,
        # a daily standup: status meeting, no doc, endless
        vevent(
            "Platform standup",
            "2026-11-02 09:30",
            minutes=15,
            description="Daily standup.\nhttps://meet.google.com/abc-defg-hij",
            rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
            created="20261001T080000Z",
        ),
        # a good decision meeting
        vevent("Pricing decision", "2026-12-03 11:00", minutes=60, description=GOOD),
        # overlapping it, accepted
        vevent("Vendor demo", "2026-12-03 11:30", minutes=60, description=GOOD),
        # a chopped Tuesday: no 2 h focus block
        *[vevent(f"Review {h}", f"2026-12-01 {h}:00", description=GOOD) for h in ("11", "13", "15")],
        # a 1:1 (a meeting, exempt) and things that are not meetings
        vevent("Me / Bob 1:1", "2026-12-02 16:00", attendees=("bob@acme.example",), description=None),
        vevent("Declined sync", "2026-12-02 10:00", my_status="DECLINED", description=None),
        vevent("Offsite", "2026-12-04", end="2026-12-05", description=None),
        vevent("Solo prep", "2026-12-02 14:00", attendees=(), organizer=None, description=None),
    )


def audit_doc(cli, path, *more):
    result = cli(*audit_args(path, "--format", "json", *more))
    assert result.code == 0, result.err
    return json.loads(result.out)


# --- JSON -------------------------------------------------------------------------------------


def test_json_has_exactly_the_documented_shape(cli, week):
    doc = audit_doc(cli, week)
    assert set(doc) == {"window", "events", "findings", "summary", "series"}
    assert set(doc["window"]) == {"start", "end"}
    assert doc["window"] == {"start": "2026-11-30T00:00:00+01:00", "end": "2026-12-07T00:00:00+01:00"}
    assert doc["events"] and doc["findings"]
    for event in doc["events"]:
        assert set(event) == EVENT_KEYS
    for finding in doc["findings"]:
        assert FINDING_KEYS <= set(finding) <= FINDING_KEYS | FINDING_EXTRAS, set(finding)
        assert finding["severity"] in ("info", "warning", "error")
        assert re.fullmatch(r"[A-Z]{1,4}\d{3}", finding["rule"])
        assert finding["event"] is None or set(finding["event"]) == REF_KEYS
        assert finding["day"] is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", finding["day"])
    summary = doc["summary"]
    for key in ("meetings", "meeting_hours", "with_pre_read", "with_decision_agenda", "focus_hours"):
        assert isinstance(summary[key], (int, float)), key


def test_json_events_list_every_meeting_instance_and_nothing_else(cli, week):
    doc = audit_doc(cli, week)
    titles = [e["title"] for e in doc["events"]]
    assert titles.count("Platform standup") == 5  # Mon-Fri: a timed meeting on a day off is still a meeting
    assert set(titles) == {
        "Platform standup",
        "Pricing decision",
        "Vendor demo",
        "Review 11",
        "Review 13",
        "Review 15",
        "Me / Bob 1:1",
    }
    starts = [datetime.fromisoformat(e["start"]) for e in doc["events"]]
    assert starts == sorted(starts)
    assert {e["my_status"] for e in doc["events"]} == {"accepted"}


def test_json_findings_are_per_occurrence(cli, week):
    doc = audit_doc(cli, week)
    standup = [f for f in doc["findings"] if f["rule"] == "S001"]
    assert [f["day"] for f in standup] == [
        "2026-11-30",
        "2026-12-01",
        "2026-12-02",
        "2026-12-03",
        "2026-12-04",
    ]
    assert len({f["event"]["start"] for f in standup}) == 5
    assert all(f["event"]["uid"] == standup[0]["event"]["uid"] for f in standup)


def test_json_f001_has_a_day_and_no_event(cli, week):
    doc = audit_doc(cli, week)
    [f001] = [f for f in doc["findings"] if f["rule"] == "F001"]
    assert f001["event"] is None
    assert f001["day"] == "2026-12-01"
    assert f001["name"] == "no-focus-block"


def test_json_event_findings_carry_event_and_local_day(cli, week):
    doc = audit_doc(cli, week)
    [h005] = [f for f in doc["findings"] if f["rule"] == "H005"]
    assert h005["event"]["title"] == "Vendor demo"
    assert h005["event"]["start"] == "2026-12-03T11:30:00+01:00"
    assert h005["day"] == "2026-12-03"


def test_json_datetimes_are_iso_with_offset(cli, week):
    doc = audit_doc(cli, week, "--tz", "America/New_York")
    stamps = [doc["window"]["start"], doc["window"]["end"]]
    stamps += [e[k] for e in doc["events"] for k in ("start", "end")]
    stamps += [f["event"]["start"] for f in doc["findings"] if f["event"]]
    for stamp in stamps:
        assert datetime.fromisoformat(stamp).utcoffset() is not None, stamp
    assert doc["window"]["start"] == "2026-11-30T00:00:00-05:00"


def test_the_same_calendar_twice_is_not_double_counted(cli, week):
    once = audit_doc(cli, week)
    twice = audit_doc(cli, week, "-c", week)
    assert len(twice["events"]) == len(once["events"])
    assert len(twice["findings"]) == len(once["findings"])


def test_json_summary_counts(cli, week):
    summary = audit_doc(cli, week)["summary"]
    assert summary["meetings"] == 11
    assert summary["exempt_meetings"] == 1
    # 5 of 11 meetings (3 reviews, decision, demo) link a doc and ask a question
    assert summary["with_pre_read"] == pytest.approx(5 / 11, abs=0.001)
    assert summary["with_decision_agenda"] == pytest.approx(5 / 11, abs=0.001)


# --- other formats ---------------------------------------------------------------------------


def test_markdown_output(cli, week):
    result = cli(*audit_args(week, "--format", "markdown"))
    assert result.code == 0, result.err
    out = result.out
    assert out.startswith("# guardian audit")
    assert "## Tuesday 01 December 2026" in out
    assert "| time | severity | rule | meeting | finding | what to do |" in out
    assert re.search(r"^\| 11:30 \| warning \| H005 double-booked \| Vendor demo \|", out, re.M)
    days = re.findall(r"^## \w+ (\d{2} \w+ 2026)$", out, re.M)
    assert days == sorted(days, key=lambda d: datetime.strptime(d, "%d %B %Y"))


def test_group_day_is_the_linter_view_by_day(cli, week):
    result = cli(*audit_args(week, "--group", "day"))
    assert result.code == 0, result.err
    out = result.out
    assert "Tuesday 01 December 2026" in out
    assert re.search(r"^\s+11:30\s+warning H005 double-booked: Vendor demo:", out, re.M)
    assert re.search(r"^\s+-\s+warning F001 no-focus-block:", out, re.M)
    assert "Summary" in out and "11 meetings" in out


def test_an_empty_week_says_so(cli, tmp_path):
    path = write_ics(tmp_path, vevent("Review", "2026-12-01 10:00", description=GOOD))
    result = cli(*audit_args(path, start="2027-03-01"))
    assert result.code == 0
    assert "No findings" in result.out


# --- exit codes ---------------------------------------------------------------------------------


def test_findings_alone_exit_0(cli, week):
    assert cli(*audit_args(week)).code == 0


@pytest.mark.parametrize(
    ("level", "code"),
    [
        ("info", 1),
        ("warning", 1),
        ("error", 0),
        ("WARNING", 1),
    ],
)
def test_fail_on(cli, week, level, code):
    # the week has warnings and infos, no errors
    result = cli(*audit_args(week, "--fail-on", level))
    assert result.code == code, result.err
    assert result.out.strip()  # the findings are still shown


def test_fail_on_error_when_a_pack_raises_severity(cli, week, tmp_path):
    rules = tmp_path / "strict.toml"
    rules.write_text('extends = "default"\n[rules.D001]\nseverity = "error"\n', encoding="utf-8")
    assert cli(*audit_args(week, "--fail-on", "error", "--rules", rules)).code == 1


BAD_OPTIONS = [
    (["--from", "2026-13-01"], "--from"),
    (["--from", "next monday"], "--from"),
    (["--tz", "Mars/Olympus_Mons"], "--tz"),
    (["--now", "yesterday"], "--now"),
    (["--format", "xml"], "--format"),
    (["--fail-on", "fatal"], "--fail-on"),
    (["--days", "0"], "--days"),
]


@pytest.mark.parametrize(("extra", "option"), BAD_OPTIONS, ids=[" ".join(b[0]) for b in BAD_OPTIONS])
def test_bad_options_exit_2_with_one_line(cli, week, extra, option):
    result = cli(*audit_args(week), *extra)
    assert result.code == 2
    assert result.out == ""
    assert len(result.err_lines) == 1, result.err
    assert option in result.err
    assert no_traceback(result.err)


def test_days_must_be_a_number(cli, week):
    result = cli(*audit_args(week), "--days", "seven")
    assert result.code == 2
    assert no_traceback(result.err)
    assert "--days" in result.err


def test_an_unknown_option_exits_2_with_one_line(cli, week):
    result = cli(*audit_args(week), "--bogus")
    assert result.code == 2
    assert no_traceback(result.err)
    assert "--bogus" in result.err


def test_a_missing_calendar_file_exits_2(cli, tmp_path):
    result = cli(*audit_args(tmp_path / "missing.ics"))
    assert result.code == 2
    assert len(result.err_lines) == 1 and "missing.ics" in result.err
    assert no_traceback(result.err)


def test_no_calendar_at_all_exits_2_with_a_hint(cli):
    result = cli("audit", "--from", "2026-11-30", "--now", NOW)
    assert result.code == 2
    assert len(result.err_lines) == 1 and "calendar" in result.err


def test_guardian_now_env_var_is_the_clock(cli, week, monkeypatch):
    monkeypatch.setenv("GUARDIAN_NOW", "2026-12-02T08:00:00+01:00")
    result = cli("audit", "-c", week, "--me", ME, "--tz", "Europe/Berlin", "--format", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["window"]["start"] == "2026-12-02T00:00:00+01:00"


# --- the module, help and rules commands --------------------------------------------------------


def _env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUARDIAN_")}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def test_python_m_guardian_help():
    done = subprocess.run(
        [sys.executable, "-m", "guardian", "--help"],
        cwd=REPO,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    for command in ("audit", "rules", "init"):
        assert command in done.stdout


def test_python_m_guardian_bad_input_has_no_traceback():
    done = subprocess.run(
        [sys.executable, "-m", "guardian", "audit", "-c", "/nonexistent/cal.ics", "--from", "2026-11-30"],
        cwd=REPO,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert no_traceback(done.stderr) and len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("key", ["D001", "missing-pre-read", "d001"])
def test_rules_explain_prints_the_docs(cli, key):
    from guardian.lint.pack import load_rulebook

    rule = load_rulebook().find("D001")
    result = cli("rules", "explain", key)
    assert result.code == 0, result.err
    assert result.out.startswith("D001 missing-pre-read")
    for section in ("what", "why", "example", "instead"):
        assert rule.docs[section] in result.out


def test_rules_explain_an_unknown_rule_exits_2(cli):
    result = cli("rules", "explain", "Z999")
    assert result.code == 2 and "Z999" in result.err and len(result.err_lines) == 1


def test_rules_list_lists_the_default_pack(cli):
    result = cli("rules", "list")
    assert result.code == 0
    assert re.search(r"^D001\s+missing-pre-read\s+warning", result.out, re.M)
    assert len([line for line in result.out.splitlines() if line.strip()]) == 17


# --- the README's main command -------------------------------------------------------------------


def readme_main_command() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    for line in text.splitlines():
        match = re.search(r"(?:^|&&\s*|\$\s*)guardian (audit .*examples/.*)$", line.strip())
        if match:
            return shlex.split(match.group(1))
    raise AssertionError("README has no `guardian audit ... examples/...` command")


def test_the_readme_main_command_shows_a_week_of_findings(cli, tmp_path, monkeypatch):
    # run it in a copy, so the example's state file lands in tmp_path
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    args = readme_main_command()
    result = cli(*args)
    assert result.code == 0, result.err
    assert no_traceback(result.err)
    for code in ("D001", "S001", "F001", "H005"):
        assert code in result.out, code
    doc = json.loads(cli(*args, "--format", "json").out)
    assert len(doc["findings"]) >= 10
    assert len({f["day"] for f in doc["findings"]}) >= 3
    assert len({f["rule"] for f in doc["findings"]}) >= 8


# --- who am I --------------------------------------------------------------------------------------


def test_without_me_a_single_warning_says_how_to_fix_it(cli, week):
    result = cli(*audit_args(week, "--format", "json", me=None))
    assert result.code == 0, result.err
    warnings = [line for line in result.err_lines if line.startswith("warning:")]
    assert len(warnings) == 1
    assert "--me" in warnings[0] and week.name in warnings[0]
    # invitations are taken as accepted, so the declined one counts as a meeting now
    assert "Declined sync" in {e["title"] for e in json.loads(result.out)["events"]}


def test_me_is_matched_case_insensitively(cli, tmp_path):
    path = write_ics(
        tmp_path,
        vevent("Review", "2026-12-01 10:00", description=GOOD, me="Me@ACME.example", my_status="DECLINED"),
    )
    doc = json.loads(cli(*audit_args(path, "--format", "json", me="me@acme.example")).out)
    assert doc["events"] == []


def test_ics_scheme_and_several_calendars(cli, tmp_path):
    a = write_ics(tmp_path, vevent("From A", "2026-12-01 10:00", description=GOOD), name="a.ics")
    b = write_ics(
        tmp_path,
        vevent("From B", "2026-12-01 10:15", description=GOOD, attendees=("bob@acme.example", DAVE)),
        name="b.ics",
    )
    result = cli(*audit_args(a, "-c", f"ics:{b}", "--format", "json"))
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert {e["title"] for e in doc["events"]} == {"From A", "From B"}
    # overlaps are found across calendars
    assert [f["event"]["title"] for f in doc["findings"] if f["rule"] == "H005"] == ["From B"]


def test_the_same_meeting_from_two_exports_in_different_zones_is_counted_once(cli, tmp_path):
    outlook = write_ics(
        tmp_path,
        vevent("Beta review", "2026-12-01 10:00", uid="beta@acme", description=GOOD),
        name="outlook.ics",
    )
    google = write_ics(
        tmp_path,
        vevent("Beta review", "20261201T090000Z", end="20261201T093000Z", uid="beta@acme", description=GOOD),
        name="google.ics",
    )
    doc = audit_doc(cli, outlook, "-c", google)
    assert len(doc["events"]) == 1
    assert doc["summary"]["meetings"] == 1

"""What a person reads in `guardian audit`: one entry per series, one recommendation, a summary
that names the next step; and the JSON that keeps every occurrence.

Through the real command line, on tests/data/findings-week.ics: a daily standup (status meeting,
no pre-read, no decision, endless), a weekly 1:1 (endless, exempt), a run of meetings with an
exempt team lunch in it, a large all-hands, a quarterly review whose organizer is written
"Müller, Jörg", invites carrying `guardian: ignore`, and a clean decision meeting.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import DATA, audit_args

WEEK = DATA / "findings-week.ics"
EXAMPLE_ARGS = (
    "--config",
    "examples/guardian.toml",
    "--from",
    "2026-11-30",
    "--now",
    "2026-11-27T17:00:00+01:00",
)


def audit(cli, *more):
    result = cli(*audit_args(WEEK, *more))
    assert result.code == 0, result.err
    return result


def entries(out: str) -> dict[str, list[str]]:
    """Entry title -> its lines: entries start at column 0 after a blank line."""
    found: dict[str, list[str]] = {}
    current = None
    for line in out.splitlines():
        if line and not line.startswith(" "):
            current = line.split(" · ")[0]
            found[current] = [line]
        elif current and line:
            found[current].append(line)
        elif not line:
            current = None
    return found


def test_a_daily_standup_is_one_entry_with_cadence_occurrences_and_cost(cli):
    out = audit(cli).out
    assert out.count("Team daily standup") == 1  # not five times, not once per rule
    standup = entries(out)["Team daily standup"]
    # cadence, occurrences in the window, person-hours (15 min x 4 people x 5)
    header = " ".join(line.strip() for line in standup[:2])
    # and the focus time it costs: each day's focus time without it minus with it
    assert header == (
        "Team daily standup · every weekday at 09:30 · 5 in the window · 5 person-hours · focus price 4.25 h"
    )
    # one recommendation: the status meeting, not the missing pre-read
    assert standup[2].startswith("  warning S001 status-meeting: looks like a status meeting")
    assert "[async proposal: would send]" in " ".join(line.strip() for line in standup)
    # and every other code, with its severity, on one line; H003 once for the series
    start = next(i for i, line in enumerate(standup) if line.lstrip().startswith("also"))
    also = " ".join(line.strip() for line in standup[start:])
    assert "warning D001 missing-pre-read" in also and "info A002 no-decision" in also
    assert "info H003 endless-recurrence" in also and "H003 endless-recurrence (" not in also
    # the focus price: the 09:30 standup leaves 09:00-09:30 too short for focus on 4 of the 5 days
    assert "info F003 focus-breaker (4 of 5)" in also


def test_entries_are_the_costliest_first_then_days(cli):
    titles = list(entries(audit(cli).out))
    assert titles[:4] == [
        "guardian audit Mon 30 Nov - Sun 06 Dec 2026 (Europe/Berlin)",
        "All hands",
        "Quarterly review",
        "Team daily standup",
    ]
    assert titles.index("Tuesday 01 December 2026") > titles.index("Team daily standup")


def test_the_run_of_meetings_is_reported_on_the_day_not_on_the_team_lunch(cli):
    out = audit(cli).out
    assert "Team lunch" not in out  # exempt, and not to blame for the run
    day = entries(out)["Tuesday 01 December 2026"]
    assert any("H002 back-to-back: 3 meetings from 11:00 to 15:30" in line for line in day)


def test_exempt_meetings_get_no_endless_recurrence_and_clean_ones_are_counted(cli):
    out = audit(cli).out
    assert "1:1" not in out and "Pricing decision" not in out
    summary = out[out.index("Summary") :]
    assert "3 meetings look good" in summary  # the 1:1, the lunch, the decision meeting


def test_severity_is_a_word_that_needs_no_colour(cli):
    out = audit(cli).out
    assert "\x1b[" not in out  # piped: no escape codes at all
    for line in out.splitlines():
        match = re.match(r"^  (error|warning|info)\s+([A-Z]+\d{3}) ", line)
        if match:
            assert match.group(1) in ("error", "warning", "info")
    assert re.search(r"^  warning D001 missing-pre-read:", out, re.M)


def test_the_fix_is_shown_once_per_rule_unless_hints(cli):
    out = audit(cli).out
    fix = "-> ask the organizer to link the document the meeting is about"
    assert out.count(fix) == 1  # All hands and the review both lead with D001
    assert audit(cli, "--hints").out.count(fix) == 2


@pytest.mark.parametrize("width", [60, 80, 120])
def test_lines_fit_the_width_with_a_hanging_indent(cli, monkeypatch, width):
    monkeypatch.setenv("COLUMNS", str(width))
    out = audit(cli).out
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= width
    # a wrapped finding continues under its text, never at column 0
    for before, line in zip(lines, lines[1:], strict=False):
        if (
            before.startswith("  warning")
            and line
            and not line.startswith(("  warning", "  info", "  also", "  error"))
        ):
            assert line.startswith(" " * 10), (before, line)


def test_the_summary_counts_worst_first_and_names_the_next_commands(cli):
    out = audit(cli).out
    summary = out[out.index("Summary") :]
    assert "29 findings on 4 meetings: 14 warning, 15 info" in summary
    assert "2 hidden: 2 by `guardian: ignore` in the invite" in summary
    steps = out[out.index("\nNext") :].splitlines()[2:]
    assert [re.split(r"\s{2,}", s.strip()) for s in steps] == [
        ["1 pre-read request ready", "guardian replies plan"],
        ["1 async proposal ready", "guardian replies plan"],
        ["1 async draft", "guardian convert"],
        ["1 day without a focus block", "guardian focus plan"],
    ]


def test_json_keeps_every_occurrence_and_adds_the_series(cli):
    doc = json.loads(audit(cli, "--format", "json").out)
    standup = [f for f in doc["findings"] if f["event"] and f["event"]["uid"] == "standup@test"]
    assert sorted({f["rule"] for f in standup}) == ["A002", "D001", "F003", "H003", "S001"]
    assert len([f for f in standup if f["rule"] == "S001"]) == 5  # per occurrence, as documented
    assert len([f for f in standup if f["rule"] == "H003"]) == 1  # a series-level rule: once
    series = {s["uid"]: s for s in doc["series"]}
    assert series["standup@test"] | {"first": None} == {
        "uid": "standup@test",
        "title": "Team daily standup",
        "cadence": "every weekday at 09:30",
        "occurrences": 5,
        "first": None,
        "person_hours": 5.0,
        "focus_price_hours": 4.25,
        "team_focus_price_hours": None,
        "severity": "warning",
        "codes": ["S001", "D001", "A002", "F003", "H003"],
        "findings": 20,
        "recommendation": {
            "rule": "S001",
            "name": "status-meeting",
            "action": "suggest-async:update",
            "message": 'looks like a status meeting ("daily")',
            "hint": "replace it with a written async update (guardian convert)",
            "action_state": "would send; draft available: guardian convert --event standup@test",
        },
    }
    h002 = next(f for f in doc["findings"] if f["rule"] == "H002")
    assert h002["event"] is None and h002["day"] == "2026-12-01"
    assert h002["span"] == {"start": "2026-12-01T11:00:00+01:00", "end": "2026-12-01T15:30:00+01:00"}
    summary = doc["summary"]
    assert (summary["suppressed"], summary["baselined"], summary["meetings_without_findings"]) == (2, 0, 3)
    assert list(summary["by_severity"]) == ["warning", "info"]  # worst first


@pytest.mark.parametrize("how", ["day", "rule", "none"])
def test_the_other_groupings(cli, how):
    out = audit(cli, "--group", how).out
    if how == "day":
        assert re.search(r"^Monday 30 November 2026$", out, re.M)
        assert re.search(r"^  09:30  warning S001 status-meeting: Team daily standup:", out, re.M)
    elif how == "rule":
        assert re.search(r"^S001 status-meeting · warning · 5 findings on 1 meeting$", out, re.M)
        assert re.search(r"^  Mon 30 Nov 09:30 Team daily standup \(5x\): looks like", out, re.M)
    else:
        assert len(re.findall(r"^Mon 30 Nov 09:30 ", out, re.M)) == 5  # S001 D001 A002 F003 H003
    assert "Summary" in out


def test_a_bad_group_says_what_was_meant(cli):
    result = cli(*audit_args(WEEK, "--group", "serie"))
    assert result.code == 2
    assert result.err.strip() == (
        "guardian: error: --group: 'serie' is not one of series, day, rule, none (did you mean series?)"
    )


def test_the_bundled_example_shows_fewer_lines_than_findings(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    result = cli("audit", *EXAMPLE_ARGS)
    doc = json.loads(cli("audit", *EXAMPLE_ARGS, "--format", "json").out)
    assert result.code == 0 and len(doc["findings"]) == 43  # 8 of them F003, the focus price
    # eight meetings and two days to act on, each once; every line fits 80 columns
    assert len(doc["series"]) == 8
    assert max(len(line) for line in result.out.splitlines()) <= 80
    assert len(result.out.splitlines()) < 90

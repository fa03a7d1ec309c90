"""Suppressions as a linter has them: [[ignore]] in the config, `guardian: ignore` in an invite,
`guardian ignore`, and a baseline; the summary says how many were hidden and why.

Through the real command line on tests/data/findings-week.ics.
"""

from __future__ import annotations

import json

import pytest

from guardian.lint.suppress import inline_ignores
from tests.conftest import DATA, audit_args

WEEK = DATA / "findings-week.ics"


def doc(cli, *more):
    result = cli(*audit_args(WEEK, "--format", "json", *more))
    assert result.code == 0, result.err
    return json.loads(result.out)


def rules_of(d, uid):
    return sorted({f["rule"] for f in d["findings"] if f["event"] and f["event"]["uid"] == uid})


def config(tmp_path, text: str):
    path = tmp_path / "guardian.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- [[ignore]] in the config -----------------------------------------------------------------


def test_an_ignore_table_by_title_glob_hides_those_rules(cli, tmp_path):
    cfg = config(
        tmp_path,
        '[[ignore]]\ntitle = "team DAILY standup*"\nrules = ["D001", "no-decision"]\nreason = "team choice"\n',
    )
    d = doc(cli, "--config", cfg)
    assert rules_of(d, "standup@test") == ["F003", "H003", "S001"]
    assert d["summary"]["suppressed"] == 2 + 10  # the invites' own markers, and 5 x D001 + 5 x A002
    table = " ".join(cli(*audit_args(WEEK, "--config", cfg)).out.split())
    assert "12 hidden: 10 by [[ignore]] in the config, 2 by `guardian: ignore` in the invite" in table


def test_an_ignore_table_by_uid_until_a_day(cli, tmp_path):
    cfg = config(tmp_path, '[[ignore]]\nuid = "standup@test"\nrules = ["S001"]\nuntil = "2026-12-01"\n')
    d = doc(cli, "--config", cfg)
    days = [f["day"] for f in d["findings"] if f["rule"] == "S001"]
    assert days == ["2026-12-02", "2026-12-03", "2026-12-04"]  # Mon and Tue hidden, then it shows again


@pytest.mark.parametrize(
    ("table", "where", "message"),
    [
        (
            '[[ignore]]\ntitle = "x"\nrules = ["D01"]\n',
            ":3: ignore.rules: no rule 'D01'",
            "did you mean D001?",
        ),
        ('[[ignore]]\nrules = ["D001"]\n', ":1: ignore.uid: give exactly one of uid or title", ""),
        ('[[ignore]]\ntitle = "x"\nuid = "y@z"\nrules = ["D001"]\n', ":3: ignore.uid: give exactly one", ""),
        ('[[ignore]]\ntitle = "x"\n', ":1: ignore.rules: missing", ""),
        (
            '[[ignore]]\ntitle = "x"\nrules = ["D001"]\nuntil = "soon"\n',
            ":4: ignore.until: 'soon' is not a date",
            "",
        ),
        ('[[ignore]]\ntitle = "x"\nrules = "D001"\n', ":3: ignore.rules: must be a list of text", ""),
        ('[[ignore]]\ntitle = "x"\nrules = ["D001"]\nwhy = "?"\n', ":4: ignore.why: unknown key", ""),
    ],
)
def test_a_bad_ignore_table_is_one_line_with_file_line_and_key(cli, tmp_path, table, where, message):
    cfg = config(tmp_path, '# mine\n[[ignore]]\ntitle = "ok"\nrules = ["D001"]\n\n' + table)
    offset = 5  # the first table's lines
    result = cli(*audit_args(WEEK, "--config", cfg))
    assert result.code == 2, result.out
    line, key = where.split(": ", 1)[0], where.split(": ", 1)[1]
    number = int(line.strip(":")) + offset
    assert f"{cfg}:{number}: {key}" in result.err, result.err
    assert message in result.err and "Traceback" not in result.err


# --- inline markers ----------------------------------------------------------------------------


def test_an_invite_can_carry_its_own_ignore_line(cli):
    d = doc(cli)
    assert "D001" not in rules_of(d, "planning@test")  # "guardian: ignore D001"
    assert "A002" not in rules_of(d, "allhands@test")  # "guardian: ignore no-decision" (a name)
    assert d["summary"]["suppressed"] == 2


@pytest.mark.parametrize(
    ("description", "codes"),
    [
        ("guardian: ignore D001", ("D001",)),
        ("Agenda\n  Guardian: Ignore D001, no-decision\nmore", ("D001", "no-decision")),
        ("> guardian: ignore S001 H003", ("S001", "H003")),
        ("we ignore guardian: D001", ()),
        ("", ()),
    ],
)
def test_inline_markers(description, codes):
    assert inline_ignores(description) == codes


# --- guardian ignore ----------------------------------------------------------------------------


def test_guardian_ignore_appends_a_table_and_keeps_the_file_as_it_was(cli, tmp_path):
    original = '# my config\r\nme = "me@acme.example"   # who I am\r\n\r\n[focus]\r\nmin_minutes = 90\r\n'
    cfg = tmp_path / "guardian.toml"
    cfg.write_bytes(original.encode())
    result = cli(
        "ignore", "Team daily standup*", "no-decision", "D001", "--reason", 'we "like" it', "--config", cfg
    )
    assert result.code == 0, result.err
    assert result.out.strip() == f"appended to {cfg}:7: [[ignore]] A002, D001 for title 'Team daily standup*'"
    text = cfg.read_bytes().decode()
    assert text.startswith(original)  # every byte of mine is still there, CRLF and comments too
    assert text[len(original) :] == (
        "\r\n[[ignore]]  # added by `guardian ignore`\r\n"
        'title = "Team daily standup*"\r\n'
        'rules = ["A002", "D001"]  # no-decision, missing-pre-read\r\n'
        'reason = "we \\"like\\" it"\r\n'
    )
    d = doc(cli, "--config", cfg)
    assert rules_of(d, "standup@test") == ["F003", "H003", "S001"]


def test_guardian_ignore_by_uid_creates_a_missing_config(cli, tmp_path):
    cfg = tmp_path / "new" / "guardian.toml"
    result = cli("ignore", "standup@test", "S001", "--until", "2026-12-31", "--config", cfg)
    assert result.code == 0, result.err
    assert result.out.startswith(f"created {cfg}:1:")
    assert 'uid = "standup@test"' in cfg.read_text() and 'until = "2026-12-31"' in cfg.read_text()


def test_guardian_ignore_with_a_wrong_rule_writes_nothing(cli, tmp_path):
    cfg = config(tmp_path, "# keep me\n")
    result = cli("ignore", "Team daily standup", "status-meting", "--config", cfg)
    assert result.code == 2
    assert "no rule 'status-meting'" in result.err and "did you mean status-meeting" in result.err
    assert cfg.read_text() == "# keep me\n"


def test_guardian_ignore_never_touches_a_broken_config(cli, tmp_path):
    cfg = config(tmp_path, "[focus]\nmin_minutes = -3\n")
    result = cli("ignore", "x", "D001", "--config", cfg)
    assert result.code == 2 and f"{cfg}:2: focus.min_minutes" in result.err
    assert cfg.read_text() == "[focus]\nmin_minutes = -3\n"


def test_guardian_ignore_leaves_a_clashing_ignore_key_alone(cli, tmp_path):
    cfg = config(tmp_path, 'ignore = "all of it"\n')  # not tables: an appended one could not load
    before = cfg.read_text()
    result = cli("ignore", "x", "D001", "--config", cfg)
    assert result.code == 2 and f"{cfg}:1: ignore: must be [[ignore]] tables" in result.err
    assert cfg.read_text() == before


# --- the baseline -----------------------------------------------------------------------------


def test_a_baseline_hides_what_was_known_and_shows_what_is_new(cli, tmp_path):
    base = tmp_path / "known.json"
    written = cli(*audit_args(WEEK, "--write-baseline", base))
    assert written.code == 0 and f"wrote baseline {base}" in written.err
    recorded = json.loads(base.read_text())
    assert recorded["guardian_baseline"] == 1
    assert {
        "fingerprint": "S001|standup@test",
        "rule": "S001",
        "name": "status-meeting",
        "uid": "standup@test",
        "title": "Team daily standup",
        "day": None,
    } in recorded["findings"]
    # the same week: everything is known
    d = doc(cli, "--baseline", base)
    assert d["findings"] == [] and d["summary"]["baselined"] == 29
    table = " ".join(cli(*audit_args(WEEK, "--baseline", base)).out.split())
    assert "No findings" in table
    assert "31 hidden: 2 by `guardian: ignore` in the invite, 29 by the baseline" in table
    # the next week: the standup's findings are still known (by series), its days are new days
    d = doc(cli, "--baseline", base, "--from", "2026-12-07")
    assert "standup@test" not in {f["event"]["uid"] for f in d["findings"] if f["event"]}
    assert d["summary"]["baselined"] > 0


def test_a_file_that_is_not_a_baseline_is_refused_both_ways(cli, tmp_path):
    other = tmp_path / "notes.json"
    other.write_text('{"mine": true}', encoding="utf-8")
    read = cli(*audit_args(WEEK, "--baseline", other))
    assert read.code == 2 and "not a guardian baseline" in read.err
    wrote = cli(*audit_args(WEEK, "--write-baseline", other))
    assert wrote.code == 2 and "not overwritten" in wrote.err
    assert other.read_text() == '{"mine": true}'
    missing = cli(*audit_args(WEEK, "--baseline", tmp_path / "nope.json"))
    assert missing.code == 2 and "no such file" in missing.err


def test_suppressed_findings_send_no_reply(cli, tmp_path):
    cfg = config(tmp_path, '[[ignore]]\nuid = "review@test"\nrules = ["D001"]\n')
    args = ["replies", "plan", "-c", WEEK, "--me", "me@acme.example", "--from", "2026-11-30"]
    result = cli(*args, "--now", "2026-11-27T17:00:00+01:00", "--config", cfg, "-f", "json")
    assert "review@test" not in {r["event"]["uid"] for r in json.loads(result.out)["replies"]}

"""Rule packs: the default pack's docs, user packs that extend it, and errors that say where."""

from __future__ import annotations

import pytest

from tests.conftest import REPO, audit_file, codes, no_traceback, of_rule, vevent, write_ics

ALL_CODES = {
    "D001",
    "D002",
    "A001",
    "A002",
    "S001",
    "S002",
    "S003",
    "F001",
    "F002",
    "H001",
    "H002",
    "H003",
    "H004",
    "H005",
    "F003",
    "H006",
    "H007",
}


def pack(tmp_path, text, name="pack.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the default pack ------------------------------------------------------------------


def test_the_default_pack_has_every_code_of_the_design():
    from guardian.lint.pack import load_rulebook

    book = load_rulebook()
    assert {r.code for r in book.rules} == ALL_CODES
    names = [r.name for r in book.rules]
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("code", sorted(ALL_CODES))
def test_every_default_rule_is_documented(code):
    from guardian.lint.pack import load_rulebook

    rule = load_rulebook().find(code)
    for section in ("what", "why", "example", "instead"):
        text = rule.docs.get(section, "")
        assert len(text.split()) >= 3, f"{code} {rule.name}: docs.{section} is missing or empty"
    assert rule.fix, f"{code}: no one-line fix"


def test_rules_are_found_by_code_or_name_in_any_case():
    from guardian.lint.pack import load_rulebook

    book = load_rulebook()
    assert book.find("D001").name == "missing-pre-read"
    assert book.find("d001").code == "D001"
    assert book.find("missing-pre-read").code == "D001"
    assert book.find("nope") is None


def test_the_bundled_example_pack_checks_ok(cli):
    result = cli("rules", "check", REPO / "examples" / "team-rules.toml")
    assert result.code == 0, result.err
    assert "ok" in result.out


# --- user packs ---------------------------------------------------------------------------


def test_extends_keeps_every_default_rule(tmp_path):
    from guardian.lint.pack import load_rulebook

    book = load_rulebook(pack(tmp_path, 'extends = "default"\n'))
    assert {r.code for r in book.rules} == ALL_CODES


def test_extends_a_relative_pack_that_extends_default(tmp_path):
    from guardian.lint.pack import load_rulebook

    pack(tmp_path, 'extends = "default"\n[rules.D001]\nseverity = "error"\n', name="team.toml")
    mine = pack(tmp_path, 'extends = "team.toml"\ndisable = ["H003"]\n', name="mine.toml")
    book = load_rulebook(mine)
    assert str(book.find("D001").severity) == "error"
    assert book.find("H003") is None
    assert {r.code for r in book.rules} == ALL_CODES - {"H003"}


def test_severity_override_by_name_reaches_the_findings(tmp_path):
    rules = pack(tmp_path, 'extends = "default"\n[rules.missing-pre-read]\nseverity = "error"\n')
    path = write_ics(tmp_path, vevent("Beta launch", description="Should we ship the beta?"))
    [finding] = of_rule(audit_file(path, rules=rules), "D001")
    assert str(finding.severity) == "error"


def test_params_override(tmp_path):
    rules = pack(tmp_path, 'extends = "default"\n[rules.H002.params]\nmax_hours = 0.5\n')
    path = write_ics(tmp_path, vevent("Beta launch", minutes=45))
    assert "H002" not in codes(audit_file(path))
    assert "H002" in codes(audit_file(path, rules=rules))


@pytest.mark.parametrize("entry", ["S001", "status-meeting"])
def test_disable_by_code_or_name(tmp_path, entry):
    from guardian.lint.pack import load_rulebook

    rules = pack(tmp_path, f'extends = "default"\ndisable = ["{entry}"]\n')
    assert load_rulebook(rules).find("S001") is None
    path = write_ics(tmp_path, vevent("Weekly status sync"))
    assert "S001" in codes(audit_file(path))
    assert "S001" not in codes(audit_file(path, rules=rules))


def test_a_new_rule_built_from_a_built_in_check(tmp_path):
    rules = pack(
        tmp_path,
        'extends = "default"\n\n'
        "[rules.X101]\n"
        'name = "live-demo"\n'
        'severity = "info"\n'
        'check = "title-keywords"\n'
        'action = "suggest-async:update"\n'
        "exempt = true\n"
        'params = { keywords = ["demo"], kind = "demo" }\n'
        "[rules.X101.docs]\n"
        'what = "Flags live demos."\n',
    )
    path = write_ics(tmp_path, vevent("Vendor demo: observability"), vevent("Roadmap", "2026-12-02 10:00"))
    findings = of_rule(audit_file(path, rules=rules), "X101")
    assert [f.event.title for f in findings] == ["Vendor demo: observability"]
    assert findings[0].name == "live-demo" and findings[0].action == "suggest-async:update"


def test_rules_list_shows_a_user_packs_rules(cli, tmp_path):
    rules = pack(
        tmp_path,
        'extends = "default"\ndisable = ["H003"]\n[rules.X100]\nname = "demo-rule"\nseverity = "info"\ncheck = "large-meeting"\n',
    )
    result = cli("rules", "list", "--rules", rules)
    assert result.code == 0, result.err
    listed = {line.split()[0] for line in result.out.splitlines() if line.strip()}
    assert listed == (ALL_CODES - {"H003"}) | {"X100"}


# --- errors: file, line, key --------------------------------------------------------------

ERRORS = [
    # (pack text, line, key, words in the message)
    ('extends = "default"\n\n[rules.D001]\nseverty = "error"\n', 4, "rules.D001.severty", "unknown key"),
    ('extends = "default"\ncolour = "blue"\n', 2, "colour", "unknown key"),
    (
        'extends = "default"\n\n[rules.X100]\nname = "mine"\nseverity = "info"\ncheck = "no-such-check"\n',
        6,
        "rules.X100.check",
        "unknown check",
    ),
    (
        'extends = "default"\n\n[rules.X100]\nname = "mine"\nseverity = "critical"\ncheck = "large-meeting"\n',
        5,
        "rules.X100.severity",
        "critical",
    ),
    (
        'extends = "default"\n\n[rules.X100]\nname = "mine"\nseverity = "info"\ncheck = "large-meeting"\n'
        '[rules.X100.params]\nmax_attendees = "eight"\n',
        8,
        "rules.X100.params.max_attendees",
        "number",
    ),
    (
        'extends = "default"\n\n[rules.X100]\nname = "mine"\nseverity = "info"\ncheck = "title-keywords"\n'
        'params = { keywords = "demo" }\n',
        7,
        "rules.X100.params.keywords",
        "list",
    ),
    ('extends = "default"\n# we disable\ndisable = ["no-such-rule"]\n', 3, "disable", "no-such-rule"),
    (
        'extends = "default"\n\n[rules.X100]\nseverity = "info"\ncheck = "large-meeting"\n',
        3,
        "rules.X100",
        "missing `name`",
    ),
    (
        'extends = "default"\n\n[rules.X100]\nname = "missing-pre-read"\nseverity = "info"\ncheck = "large-meeting"\n',
        4,
        "rules.X100.name",
        "already used by D001",
    ),
    (
        'extends = "default"\n\n[rules.Foo_Bar]\nname = "x"\nseverity = "info"\ncheck = "large-meeting"\n',
        3,
        "rules.Foo_Bar",
        "Foo_Bar",
    ),
    (
        'extends = "default"\n[rules.X100]\nname = "x"\nseverity = "info"\ncheck = "large-meeting"\naction = "suggest-async:poem"\n',
        6,
        "rules.X100.action",
        "poem",
    ),
    ('extends = "default"\n[exemptions]\nsocial = "lunch"\n', 3, "exemptions.social", "list"),
    ('extends = "default"\nextends_typo = 1\n', 2, "extends_typo", "unknown key"),
    ('extends = "default"\ndisable = ["Z999"]\n', 2, "disable", "Z999"),
]


@pytest.mark.parametrize(("text", "line", "key", "words"), ERRORS, ids=[e[2] for e in ERRORS])
def test_rules_check_reports_file_line_and_key(cli, tmp_path, text, line, key, words):
    path = pack(tmp_path, text)
    result = cli("rules", "check", path)
    assert result.code == 2
    assert result.out == ""
    assert len(result.err_lines) == 1, result.err
    message = result.err_lines[0]
    assert f"{path}:{line}: {key}:" in message, message
    assert words in message
    assert no_traceback(result.err)


def test_bad_toml_syntax_names_file_and_line(cli, tmp_path):
    path = pack(tmp_path, 'extends = "default"\n\n[rules.D001\nseverity = "error"\n')
    result = cli("rules", "check", path)
    assert result.code == 2
    assert len(result.err_lines) == 1
    assert f"{path}:3:" in result.err and "TOML" in result.err


def test_a_missing_pack_exits_2(cli, tmp_path):
    result = cli("rules", "check", tmp_path / "nope.toml")
    assert result.code == 2 and "nope.toml" in result.err and len(result.err_lines) == 1


def test_a_bad_pack_stops_the_audit_before_reading_calendars(cli, tmp_path):
    from tests.conftest import audit_args

    rules = pack(tmp_path, 'extends = "default"\ncolour = "blue"\n')
    result = cli(*audit_args(write_ics(tmp_path, vevent()), "--rules", rules))
    assert result.code == 2
    assert f"{rules}:2: colour:" in result.err


OVERRIDE_ERRORS = [
    ('extends = "default"\n\n[rules.D001]\nseverity = "critical"\n', 4, "rules.D001.severity"),
    (
        'extends = "default"\n\n[rules.H004.params]\nmax_attendees = "eight"\n',
        4,
        "rules.H004.params.max_attendees",
    ),
    ('extends = "default"\n\n[rules.H004.params]\nmax_people = 3\n', 4, "rules.H004.params.max_people"),
]


@pytest.mark.parametrize(("text", "line", "key"), OVERRIDE_ERRORS, ids=[e[2] for e in OVERRIDE_ERRORS])
def test_a_bad_override_of_a_default_rule_points_at_the_users_file(cli, tmp_path, text, line, key):
    path = pack(tmp_path, text)
    result = cli("rules", "check", path)
    assert result.code == 2
    assert f"{path}:{line}: {key}:" in result.err, result.err


@pytest.mark.parametrize(("text", "line", "key"), OVERRIDE_ERRORS, ids=[e[2] for e in OVERRIDE_ERRORS])
def test_a_bad_override_is_still_an_error_with_the_key(cli, tmp_path, text, line, key):
    result = cli("rules", "check", pack(tmp_path, text))
    assert result.code == 2
    assert f"{key}:" in result.err and len(result.err_lines) == 1


def test_a_pack_cannot_extend_itself(cli, tmp_path):
    path = pack(tmp_path, 'extends = "pack.toml"\n')
    result = cli("rules", "check", path)
    assert result.code == 2 and f"{path}:1: extends:" in result.err


def test_an_extends_loop_is_an_error_not_a_hang(cli, tmp_path):
    pack(tmp_path, 'extends = "b.toml"\n', name="a.toml")
    pack(tmp_path, 'extends = "a.toml"\n', name="b.toml")
    result = cli("rules", "check", tmp_path / "a.toml")
    assert result.code == 2 and len(result.err_lines) == 1 and "extends" in result.err


def test_enabled_false_turns_a_rule_off(tmp_path):
    from guardian.lint.pack import load_rulebook

    book = load_rulebook(pack(tmp_path, 'extends = "default"\n[rules.D001]\nenabled = false\n'))
    assert book.find("D001") is None and len(book.rules) == len(ALL_CODES) - 1


def test_keywords_override_replaces_the_list(tmp_path):
    rules = pack(tmp_path, 'extends = "default"\n[rules.S001.params]\nkeywords = ["standup"]\n')
    path = write_ics(tmp_path, vevent("Weekly status sync"), vevent("Team standup", "2026-12-02 10:00"))
    assert [f.event.title for f in of_rule(audit_file(path, rules=rules), "S001")] == ["Team standup"]


def test_min_minutes_filter_skips_short_meetings(tmp_path):
    rules = pack(tmp_path, 'extends = "default"\n[rules.D001]\nmin_minutes = 20\n')
    path = write_ics(
        tmp_path, vevent("Quick check", minutes=15), vevent("Long review", "2026-12-02 10:00", minutes=60)
    )
    assert [f.event.title for f in of_rule(audit_file(path, rules=rules), "D001")] == ["Long review"]


def test_a_missing_parent_pack_names_the_extends_line(cli, tmp_path):
    path = pack(tmp_path, '# team rules\nextends = "nope.toml"\n')
    result = cli("rules", "check", path)
    assert result.code == 2
    assert f"{path}:2: extends:" in result.err, result.err


def test_a_missing_parent_pack_exits_2_with_one_line(cli, tmp_path):
    path = pack(tmp_path, '# team rules\nextends = "nope.toml"\n')
    result = cli("rules", "check", path)
    assert result.code == 2 and len(result.err_lines) == 1 and "nope.toml" in result.err

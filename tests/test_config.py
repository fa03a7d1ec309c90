"""The config file: validated up front, errors with file:line: key, and its settings really used."""

from __future__ import annotations

import json

import pytest

from tests.conftest import ME, NOW, audit_args, no_traceback, vevent, write_ics

GOOD = "Should we ship the beta on Friday?\nDoc: https://docs.google.com/document/d/beta"


def config(tmp_path, text, name="guardian.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def audit_with(cli, cfg, *more):
    return cli("audit", "--config", cfg, "--from", "2026-11-30", "--now", NOW, "--format", "json", *more)


# --- errors -------------------------------------------------------------------------------

ERRORS = [
    ('me = "me@acme.example"\nthemes = 3\n', 2, "themes", "unknown key"),
    ('me = "me@acme.example"\n\n[focus]\nmin_minuts = 3\n', 4, "focus.min_minuts", "unknown key"),
    ('me = "me@acme.example"\n[colours]\nx = 1\n', 2, "colours", "unknown section"),
    (
        'me = "me@acme.example"\n[calendars.work]\nsource = "ics:x.ics"\npath = "y"\n',
        4,
        "calendars.work.path",
        "unknown key",
    ),
    ("me = 3\n", 1, "me", "must be text"),
    ('me = "me@acme.example"\ntimezone = "Mars/Base"\n', 2, "timezone", "Mars/Base"),
    ('me = "me@acme.example"\n\n[working_hours]\nmonday = "9-5"\n', 4, "working_hours.monday", "9-5"),
    ('[working_hours]\ntuesday = "17:00-09:00"\n', 2, "working_hours.tuesday", "ends before it starts"),
    ('[working_hours]\nwednesday = "25:00-26:00"\n', 2, "working_hours.wednesday", "impossible"),
    ('[working_hours]\nfunday = "09:00-17:00"\n', 2, "working_hours.funday", "unknown key"),
    ('[focus]\nprefer = "whenever"\n', 2, "focus.prefer", "whenever"),
    ("[focus]\nmin_minutes = 0\n", 2, "focus.min_minutes", "at least 5"),
    ("[focus]\nbuffer_minutes = -100000\n", 2, "focus.buffer_minutes", "at least 0"),
    ("[focus]\ndaily_cap_hours = nan\n", 2, "focus.daily_cap_hours", "finite"),
    ("[report]\nweeks = 0\n", 2, "report.weeks", "at least 1"),
    ("[smtp]\ntimeout = inf\n", 2, "smtp.timeout", "finite"),
    ("[nightly]\nlog = 3\n", 2, "nightly.log", "must be a path"),
]


@pytest.mark.parametrize(("text", "line", "key", "words"), ERRORS, ids=[e[2] for e in ERRORS])
def test_config_errors_name_file_line_and_key_and_exit_2(cli, tmp_path, text, line, key, words):
    cfg = config(tmp_path, text)
    result = audit_with(cli, cfg, "-c", write_ics(tmp_path, vevent()))
    assert result.code == 2
    assert result.out == ""
    assert len(result.err_lines) == 1, result.err
    assert f"{cfg}:{line}: {key}:" in result.err_lines[0], result.err
    assert words in result.err_lines[0]
    assert no_traceback(result.err)


def test_invalid_toml_in_the_config(cli, tmp_path):
    cfg = config(tmp_path, 'me = "me@acme.example"\n[working_hours\n')
    result = audit_with(cli, cfg)
    assert result.code == 2 and f"{cfg}:2:" in result.err and len(result.err_lines) == 1


def test_a_missing_explicit_config_exits_2(cli, tmp_path):
    result = audit_with(cli, tmp_path / "nope.toml")
    assert result.code == 2 and "nope.toml" in result.err and len(result.err_lines) == 1


def test_guardian_config_env_var_is_used(cli, tmp_path, monkeypatch):
    cfg = config(tmp_path, "themes = 3\n")
    monkeypatch.setenv("GUARDIAN_CONFIG", str(cfg))
    result = cli(*audit_args(write_ics(tmp_path, vevent())))
    assert result.code == 2 and f"{cfg}:1: themes:" in result.err


# --- settings that change the audit -------------------------------------------------------------


def test_per_weekday_working_hours_are_used(cli, tmp_path):
    cal = write_ics(
        tmp_path,
        vevent("Monday review", "2026-11-30 15:30", description=GOOD),
        vevent("Friday review", "2026-12-04 15:30", description=GOOD),
        vevent("Saturday review", "2026-12-05 11:00", description=GOOD),
        vevent("Sunday review", "2026-12-06 11:00", description=GOOD),
    )
    cfg = config(
        tmp_path,
        f'me = "{ME}"\ntimezone = "Europe/Berlin"\n[working_hours]\nfriday = "09:00-15:00"\n'
        'saturday = "10:00-14:00"\nsunday = "off"\n',
    )
    result = audit_with(cli, cfg, "-c", cal)
    assert result.code == 0, result.err
    after_hours = {f["event"]["title"] for f in json.loads(result.out)["findings"] if f["rule"] == "H001"}
    assert after_hours == {"Friday review", "Sunday review"}


def test_split_working_hours_flag_the_lunch_break(cli, tmp_path):
    cal = write_ics(tmp_path, vevent("Lunch-time review", "2026-12-01 12:15", description=GOOD))
    cfg = config(
        tmp_path,
        f'me = "{ME}"\ntimezone = "Europe/Berlin"\n[working_hours]\ntuesday = "09:00-12:00, 13:00-17:00"\n',
    )
    result = audit_with(cli, cfg, "-c", cal)
    assert [f["rule"] for f in json.loads(result.out)["findings"]] == ["H001"]


def test_config_time_zone_is_my_zone(cli, tmp_path):
    cal = write_ics(tmp_path, vevent("Review", "2026-12-01 10:00", description=GOOD))  # 18:00 in Tokyo
    cfg = config(tmp_path, f'me = "{ME}"\ntimezone = "Asia/Tokyo"\n')
    doc = json.loads(audit_with(cli, cfg, "-c", cal).out)
    assert doc["window"]["start"] == "2026-11-30T00:00:00+09:00"
    assert [f["rule"] for f in doc["findings"]] == ["H001"]
    # --tz wins over the config
    doc = json.loads(audit_with(cli, cfg, "-c", cal, "--tz", "Europe/Berlin").out)
    # in Berlin it is inside working hours (only its focus price is left: 09:00-10:00 is too short)
    assert doc["window"]["start"] == "2026-11-30T00:00:00+01:00"
    assert [f["rule"] for f in doc["findings"]] == ["F003"]


def test_calendars_by_name_resolve_relative_to_the_config(cli, tmp_path):
    (tmp_path / "cals").mkdir()
    write_ics(tmp_path / "cals", vevent("Weekly status sync", "2026-12-01 10:00"), name="work.ics")
    cfg = config(
        tmp_path,
        f'me = "{ME}"\ntimezone = "Europe/Berlin"\ncalendars_default = ["work"]\n'
        '[calendars.work]\nsource = "ics:cals/work.ics"\n',
    )
    result = audit_with(cli, cfg)
    assert result.code == 0, result.err
    assert [e["title"] for e in json.loads(result.out)["events"]] == ["Weekly status sync"]
    named = audit_with(cli, cfg, "-c", "work")
    assert named.code == 0 and json.loads(named.out)["events"]


def test_me_from_the_config_decides_my_status(cli, tmp_path):
    cal = write_ics(tmp_path, vevent("Review", "2026-12-01 10:00", description=GOOD, my_status="DECLINED"))
    cfg = config(tmp_path, f'me = "{ME}"\ntimezone = "Europe/Berlin"\n')
    doc = json.loads(audit_with(cli, cfg, "-c", cal).out)
    assert doc["events"] == []  # declined by me: not a meeting


def test_config_rule_pack_is_used(cli, tmp_path):
    config(tmp_path, 'extends = "default"\ndisable = ["S001"]\n', name="rules.toml")
    cfg = config(tmp_path, f'me = "{ME}"\ntimezone = "Europe/Berlin"\nrules = "rules.toml"\n')
    cal = write_ics(tmp_path, vevent("Weekly status sync", "2026-12-01 10:00", description=GOOD))
    rules = {f["rule"] for f in json.loads(audit_with(cli, cfg, "-c", cal).out)["findings"]}
    assert "S001" not in rules


def test_working_until_midnight_includes_a_meeting_that_ends_at_midnight(cli, tmp_path):
    cal = write_ics(tmp_path, vevent("Late review", "2026-12-01 23:00", minutes=60, description=GOOD))
    cfg = config(
        tmp_path, f'me = "{ME}"\ntimezone = "Europe/Berlin"\n[working_hours]\ntuesday = "14:00-24:00"\n'
    )
    doc = json.loads(audit_with(cli, cfg, "-c", cal).out)
    assert "H001" not in {f["rule"] for f in doc["findings"]}


# --- guardian init ----------------------------------------------------------------------------


def test_init_writes_a_config_that_loads(cli, tmp_path):
    from guardian.adapters.config import load_config

    target = tmp_path / "conf" / "guardian.toml"
    result = cli("init", "--path", target)
    assert result.code == 0, result.err
    assert target.exists()
    cfg = load_config(target)
    assert cfg.me and cfg.calendars
    text = target.read_text(encoding="utf-8")
    assert text.count("#") >= 5  # commented
    # and the CLI accepts it
    assert cli("rules", "list", "--config", target).code == 0


def test_init_writes_to_the_platform_config_dir_by_default(cli, isolated):
    result = cli("init")
    assert result.code == 0, result.err
    written = isolated / "config" / "guardian" / "config.toml"
    assert written.exists()
    assert str(written) in result.out


def test_init_does_not_overwrite_without_force(cli, tmp_path):
    target = tmp_path / "guardian.toml"
    target.write_text("# mine\n", encoding="utf-8")
    result = cli("init", "--path", target)
    assert result.code == 2 and "--force" in result.err and len(result.err_lines) == 1
    assert target.read_text(encoding="utf-8") == "# mine\n"
    assert cli("init", "--path", target, "--force").code == 0
    assert target.read_text(encoding="utf-8") != "# mine\n"

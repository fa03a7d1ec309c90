"""The conventions people expect from a command line, and the date words.

`--version`, `-h`, completion, `-q`/`-v`, real placeholders, `--format` choices that match each
command, one error style with "did you mean", workflow order, an example in every help, and
`--from today|tomorrow|monday..sunday|next-week|YYYY-MM-DD` with `--until`.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from guardian import __version__
from guardian.core.dates import parse_day_word
from tests.conftest import DATA, NOW, audit_args

WEEK = DATA / "findings-week.ics"
COMMANDS = [
    ("init",),
    ("auth", "google"),
    ("auth", "outlook"),
    ("audit",),
    ("ignore",),
    ("rules", "list"),
    ("rules", "explain"),
    ("rules", "check"),
    ("focus", "plan"),
    ("focus", "apply"),
    ("replies", "plan"),
    ("replies", "send"),
    ("convert",),
    ("report",),
    ("nightly",),
    ("team", "report"),
    ("org", "schedule"),
    ("org", "worker"),
    ("org", "status"),
    ("cache", "path"),
    ("cache", "clear"),
]


def test_version(cli):
    result = cli("--version")
    assert (result.code, result.out) == (0, f"guardian {__version__}\n")


@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_help_short_and_long(cli, flag):
    result = cli(flag)
    assert result.code == 0 and result.out.startswith("Usage: guardian [OPTIONS] COMMAND")
    assert cli("audit", flag).out.startswith("Usage: guardian audit [OPTIONS]")


def test_commands_are_listed_in_workflow_order(cli):
    out = cli("-h").out
    listed = re.findall(r"^  (\w+)\s{2,}", out[out.index("Commands:") :], re.M)
    assert listed == [
        "init",
        "auth",
        "audit",
        "ignore",
        "rules",
        "focus",
        "replies",
        "convert",
        "report",
        "nightly",
        "tick",
        "watch",
        "team",
        "org",
        "cache",
    ]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_help_has_an_example_and_real_placeholders(cli, command):
    out = cli(*command, "-h").out
    assert re.search(r"^  Examples?:\n    guardian ", out, re.M), out
    assert "<str>" not in out and "<int>" not in out
    assert not re.search(r"\{[A-Z|]+\}", out)  # RULE, not {RULE}


@pytest.mark.parametrize(
    ("command", "choices"),
    [
        (("audit",), "table|json|markdown"),
        (("report",), "table|json|markdown"),
        (("focus", "plan"), "table|json"),
        (("replies", "plan"), "table|json"),
        (("convert",), "table|json"),
        (("rules", "list"), "table|json"),
    ],
)
def test_format_choices_match_what_the_command_does(cli, command, choices):
    out = cli(*command, "-h").out
    assert f"-f, --format {choices}" in out
    if "markdown" not in choices:
        result = cli(*command, "--format", "markdown")
        assert result.code == 2
        assert "--format: 'markdown' is not one of table, json" in result.err


def test_shell_completion_is_offered(cli):
    out = cli("-h").out
    assert "--install-completion" in out and "--show-completion" in out


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (
            ("audt",),
            "guardian: error: no such command 'audt' (did you mean audit or auth?; see `guardian -h`)",
        ),
        (
            ("audit", "--form", "json"),
            "guardian: error: no such option --form (did you mean --format or --from?; see `guardian audit -h`)",
        ),
        (
            ("rules", "explain", "D01"),
            "guardian: error: no rule 'D01' in the pack (did you mean D001?; see `guardian rules list`)",
        ),
        (
            ("audit", "-c", "gogle:primary"),
            "guardian: error: calendar 'gogle:primary': not a file, a known scheme or a configured name "
            "(did you mean google:primary?;",
        ),
        (
            ("audit", "--fail-on", "eror", "-c", str(WEEK)),
            "guardian: error: --fail-on: 'eror' is not one of info, warning, error (did you mean error?)",
        ),
        (("audit", "--days", "x"), "guardian: error: invalid value for '--days'"),
    ],
)
def test_usage_errors_have_one_style_and_say_what_was_meant(cli, argv, error):
    result = cli(*argv)
    assert result.code == 2
    assert len(result.err_lines) == 1, result.err
    assert result.err.startswith(error), result.err
    assert "Traceback" not in result.err and "Usage:" not in result.err


def test_quiet_and_verbose_anywhere_on_the_line(cli, tmp_path):
    broken = tmp_path / "broken.ics"
    broken.write_bytes((DATA / "broken-events.ics").read_bytes())
    loud = cli(*audit_args(broken))
    assert loud.code == 0 and "warning:" in loud.err
    quiet = cli(*audit_args(broken, "-q"))
    assert quiet.code == 0 and quiet.err == "" and quiet.out == loud.out
    assert cli("-q", *audit_args(broken)).err == ""
    verbose = cli(*audit_args(WEEK, "-v"))
    assert re.search(r"^debug: read \d+ events from .*findings-week\.ics in \d", verbose.err, re.M), (
        verbose.err
    )


# --- dates -------------------------------------------------------------------------------------

WEDNESDAY = date(2026, 12, 2)


@pytest.mark.parametrize(
    ("word", "today", "day"),
    [
        ("today", WEDNESDAY, WEDNESDAY),
        ("tomorrow", WEDNESDAY, date(2026, 12, 3)),
        ("wednesday", WEDNESDAY, WEDNESDAY),  # today included
        ("Monday", WEDNESDAY, date(2026, 12, 7)),
        ("fri", WEDNESDAY, date(2026, 12, 4)),
        ("next-week", WEDNESDAY, date(2026, 12, 7)),
        ("next week", date(2026, 12, 7), date(2026, 12, 14)),  # on a Monday: the one after
        ("2026-11-30", WEDNESDAY, date(2026, 11, 30)),
        # year ends
        ("tomorrow", date(2026, 12, 31), date(2027, 1, 1)),
        ("next-week", date(2026, 12, 30), date(2027, 1, 4)),
        ("friday", date(2027, 12, 31), date(2027, 12, 31)),
        ("saturday", date(2028, 2, 28), date(2028, 3, 4)),  # across a leap day
    ],
)
def test_date_words(word, today, day):
    assert parse_day_word(word, today) == day


def test_a_word_that_is_no_day_is_refused():
    with pytest.raises(ValueError):
        parse_day_word("someday", WEDNESDAY)


def audit_window(cli, *more, now=NOW, tz="Europe/Berlin"):
    args = ["audit", "-c", WEEK, "--me", "me@acme.example", "--tz", tz, "--now", now, "-f", "json", *more]
    result = cli(*args)
    assert result.code == 0, result.err
    return json.loads(result.out)["window"]


def test_from_tomorrow_and_until_friday(cli):
    # Fri 27 Nov 17:00: tomorrow is Saturday 28; --until friday counts from there: 4 Dec, included
    window = audit_window(cli, "--from", "tomorrow", "--until", "friday")
    assert window == {"start": "2026-11-28T00:00:00+01:00", "end": "2026-12-05T00:00:00+01:00"}
    assert audit_window(cli, "--from", "next-week", "--days", "1") == {
        "start": "2026-11-30T00:00:00+01:00",
        "end": "2026-12-01T00:00:00+01:00",
    }


def test_date_words_across_a_dst_change(cli):
    # Sat 24 Oct 2026 in Berlin; Sunday 25 Oct has 25 hours (CEST -> CET)
    window = audit_window(cli, "--from", "sunday", "--until", "monday", now="2026-10-24T12:00:00+02:00")
    assert window == {"start": "2026-10-25T00:00:00+02:00", "end": "2026-10-27T00:00:00+01:00"}
    start, end = (datetime.fromisoformat(window[k]) for k in ("start", "end"))
    assert end - start == timedelta(hours=49)
    zone = ZoneInfo("Europe/Berlin")
    assert datetime.combine(date(2026, 10, 25), time(0), tzinfo=zone).isoformat() == window["start"]


def test_until_errors(cli):
    base = ["audit", "-c", WEEK, "--now", NOW, "--tz", "Europe/Berlin"]
    both = cli(*base, "--days", "3", "--until", "friday")
    assert both.code == 2 and "--days and --until both given" in both.err
    before = cli(*base, "--from", "2026-12-10", "--until", "2026-12-01")
    assert before.code == 2 and "--until: 2026-12-01 is before the first day (2026-12-10)" in before.err
    today = cli(*base, "--from", "friday", "--until", "today", "-f", "json")  # Fri 27 Nov both
    assert today.code == 0 and json.loads(today.out)["window"]["end"] == "2026-11-28T00:00:00+01:00"
    typo = cli(*base, "--from", "tomorow")
    assert typo.code == 2 and "did you mean tomorrow?" in typo.err


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_option_is_in_the_readme(cli, command):
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    out = cli(*command, "-h").out
    options = set(re.findall(r"^\s+(?:-\w, )?(--[a-z][a-z-]+)", out, re.M)) - {"--help"}
    missing = sorted(o for o in options if not re.search(re.escape(o) + r"(?![a-z-])", readme))
    assert not missing, missing


def test_every_config_key_is_in_the_readme():
    from guardian.adapters.settings import IGNORE_KEYS, SCHEMA

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for section in ("replies",):
        for key in SCHEMA[section][1]:
            assert re.search(rf"^{key} = ", readme, re.M), f"[{section}] {key}"
    for key in IGNORE_KEYS:
        assert f"`{key}`" in readme, f"[[ignore]] {key}"

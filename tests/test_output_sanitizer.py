"""Nothing from an invite or a file reaches a terminal, a page or a mail raw.

Titles, UIDs, descriptions and links are generated with control characters,
escape sequences (an OSC 52 clipboard write, cursor-up, erase-line), C1 codes
and bidi overrides, and run through the real command line in every format;
stdout and stderr must carry none of them raw, JSON must still hold them
exactly, Markdown must not pass HTML, and Rich markup in data must print as
the text it is.
"""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import ME, NOW, ics_text, vevent, write_ics

#: what must never leave raw: C0 but tab and newline, DEL, C1, bidi controls
RAW = re.compile(r"[\x00-\x08\x0b-\x1a\x1c-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
#: escape sequences guardian writes itself (colour); any other ESC is an injection
FOREIGN_ESC = re.compile(r"\x1b(?!\[[0-9;]*m)")

HOSTILE = [
    "\x1b]52;c;aGVsbG8=\x07",  # OSC 52: write the clipboard
    "\x1b[1A\x1b[2K",  # cursor up, erase the line
    "\x9b31m",  # CSI as a C1 code
    "\u202eevil\u202c",  # right-to-left override
    "\x85",  # NEL
    "\x00",
    "[/bold]",  # Rich markup
    "[red]x",
    "<script>alert(1)</script>",
    "<svg onload=alert(1)>",
]

piece = st.sampled_from(HOSTILE) | st.text(alphabet="abc XYZ-", min_size=0, max_size=6)
hostile_text = st.lists(piece, min_size=1, max_size=5).map("".join)


def _clean(stream: str, where: str) -> None:
    assert not RAW.search(stream), f"{where}: raw control character {RAW.search(stream).group()!r}"
    assert not FOREIGN_ESC.search(stream), f"{where}: a foreign escape sequence"


def _calendar(tmp_path, title: str, uid: str, link: str):
    return write_ics(
        tmp_path,
        vevent(
            "Weekly sync " + title,
            "2026-12-01 10:00",
            uid=uid,
            description=f"Agenda: updates\nhttps://docs.example.com/{link}",
        ),
        # a broken event, so a skipped-event warning names a hostile UID on stderr
        "\r\n".join(["BEGIN:VEVENT", f"UID:{ics_text(uid)}-broken", "SUMMARY:x", "END:VEVENT"]),
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=hostile_text, uid=hostile_text, link=hostile_text)
def test_no_output_carries_control_characters_or_markup_from_an_invite(cli, tmp_path, title, uid, link):
    path = _calendar(tmp_path, title, "u" + uid + "@x", link)
    common = ["-c", path, "--me", ME, "--from", "2026-11-30", "--now", NOW, "--no-pager"]
    for fmt in ("table", "markdown", "json"):
        result = cli("audit", *common, "--format", fmt)
        assert result.code == 0, result.err
        _clean(result.out, f"audit --format {fmt}")
        _clean(result.err, f"audit --format {fmt} (stderr)")
        if fmt == "markdown":
            assert "<script" not in result.out and "<svg" not in result.out
        if fmt == "json":
            doc = json.loads(result.out)  # still valid JSON, and the title intact
            assert any(
                e["title"] == "Weekly sync " + title.strip() or e["title"].startswith("Weekly sync")
                for e in doc["events"]
            )
    drafted = cli("convert", *common, "--stdout")
    _clean(drafted.out, "convert --stdout")
    _clean(drafted.err, "convert --stdout (stderr)")
    planned = cli("replies", "plan", *common, "--body")
    _clean(planned.out, "replies plan")


def test_json_keeps_a_bidi_override_exactly(cli, tmp_path):
    path = write_ics(tmp_path, vevent("Sync \u202eevil", "2026-12-01 10:00"))
    result = cli("audit", "-c", path, "--me", ME, "--from", "2026-11-30", "--now", NOW, "--format", "json")
    assert "\u202e" not in result.out  # escaped on the way out ...
    assert json.loads(result.out)["events"][0]["title"] == "Sync \u202eevil"  # ... and read back intact


def test_rich_markup_in_a_pack_and_a_path_is_printed_as_written(cli, tmp_path):
    pack = tmp_path / "[work] rules.toml"
    pack.write_text(
        'extends = "default"\n[rules.X101]\nname = "live-demo"\nseverity = "info"\ncheck = "title-keywords"\n'
        'params = { keywords = ["demo"] }\n[rules.X101.docs]\nwhat = "Flags [/bold] demos [red]now."\n',
        encoding="utf-8",
    )
    listed = cli("rules", "list", "--rules", pack)
    assert listed.code == 0, listed.err
    assert "Flags [/bold] demos [red]now" in listed.out
    checked = cli("rules", "check", pack)
    assert checked.code == 0 and "[work] rules.toml" in checked.out


def test_an_error_line_never_echoes_control_characters(cli, tmp_path):
    result = cli("audit", "-c", "nope\x00\x1b[2K.ics", "--now", NOW)
    assert result.code == 2
    _clean(result.err, "error line")


# --- numbers, dates and paths guardian cannot use: one line, exit 2 ------------------------------


@pytest.mark.parametrize(
    "extra",
    [
        ["--from", "9999-12-28"],
        ["--from", "0001-01-01"],
        ["--now", "0001-01-01T00:00:00+00:00"],
        ["--now", "9999-12-31T23:00:00+00:00"],
        ["--days", "0"],
        ["--days", "99999"],
    ],
    ids=" ".join,
)
def test_dates_guardian_cannot_compute_with_are_one_line(cli, tmp_path, extra):
    path = write_ics(tmp_path, vevent("Review", "2026-12-01 10:00"))
    result = cli("audit", "-c", path, *extra)
    assert result.code == 2 and len(result.err_lines) == 1 and "Traceback" not in result.err, result.err


def test_paths_that_cannot_be_created_are_one_line(cli, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    result = cli("init", "--path", blocker / "sub" / "config.toml")
    assert result.code == 2 and len(result.err_lines) == 1 and "cannot write" in result.err
    path = write_ics(tmp_path, vevent("Review", "2026-12-01 10:00"))
    result = cli(
        "focus",
        "apply",
        "-c",
        path,
        "--output",
        blocker / "blocks.ics",
        "--from",
        "2026-11-30",
        "--now",
        NOW,
        "--config",
        tmp_path / "none.toml",
    )
    assert result.code == 2 and "Traceback" not in result.err, result.err

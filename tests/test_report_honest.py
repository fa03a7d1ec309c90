"""An honest report: no data before the calendar's first event, booked focus apart from time that is
only available for focus, one character per category without colour, and an HTML page that lists
the week's findings with their actions and reads at 400 px wide.

Through the real command line on tests/data/report-new-calendar.ics (a calendar whose first event is
on Tue 24 Nov 2026, with my own "Focus time" event on Tue 1 Dec) and the bundled example.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from guardian.render.report import BOOKED_COLOUR, FOCUS_COLOUR, MEETING_COLOUR
from tests.conftest import DATA, REPO
from tests.test_report_html import CHROMIUM, decode_png

NEW = DATA / "report-new-calendar.ics"
BASE = ("-c", NEW, "--me", "me@acme.example", "--tz", "Europe/Berlin", "--now", "2026-11-30T08:00:00+01:00")


def report(cli, *more):
    result = cli("report", *BASE, *more)
    assert result.code == 0, result.err
    return result


def test_weeks_before_the_first_event_have_no_data(cli):
    doc = json.loads(report(cli, "--from", "2026-11-30", "--days", "7", "--weeks", "4", "-f", "json").out)
    assert doc["data_from"] == "2026-11-23"
    trend = {w["start"]: w for w in doc["trend"]}
    assert [trend[d]["has_data"] for d in sorted(trend)] == [False, False, True, True]
    assert trend["2026-11-09"]["focus"]["hours"] == 0  # not "40 h of focus" for a week nobody recorded
    out = report(cli, "--from", "2026-11-30", "--days", "7", "--weeks", "4").out
    assert re.search(r"^09 Nov\s+no data\s*$", out, re.M) and re.search(r"^16 Nov\s+no data\s*$", out, re.M)
    window = report(cli, "--from", "2026-11-16", "--days", "14", "--weeks", "0").out
    assert (
        "Week of Mon 16 Nov 2026 (past)  no data: the calendar's first event is in the week of Mon 23 Nov 2026"
        in window
    )
    assert "Week of Mon 23 Nov 2026 (past)  focus 38 h / 10 h target (0 h booked)" in window


def test_a_window_wholly_before_the_calendar_says_no_data(cli):
    out = report(cli, "--from", "2026-11-02", "--days", "7", "--weeks", "0").out
    assert "Focus and meetings:" in out and "no data (before the calendar's first event)" in out
    assert "Booked focus" not in out


def test_booked_focus_is_shown_apart_from_time_only_available(cli):
    doc = json.loads(report(cli, "--from", "2026-11-30", "--days", "7", "--weeks", "0", "-f", "json").out)
    focus = doc["totals"]["focus"]
    # Tue: 09-12 is my focus event, 14-15 a meeting; every other workday is free 09-17
    assert (focus["booked_hours"], focus["available_hours"], focus["hours"]) == (3, 36, 39)
    tuesday = doc["days"][1]
    assert (tuesday["booked_focus_hours"], tuesday["available_focus_hours"]) == (3, 4)
    out = report(cli, "--from", "2026-11-30", "--days", "7", "--weeks", "0").out
    assert "Booked focus:                          3 h (your focus events and guardian's blocks)" in out
    assert "Available for focus:                   36 h free in 2h+ blocks, not booked" in out


def test_each_category_has_its_own_character_without_colour(cli):
    out = report(cli, "--from", "2026-11-30", "--days", "7", "--weeks", "0").out
    tuesday = next(line for line in out.splitlines() if line.strip().startswith("Tue 01"))
    # 1 h meeting, 3 h booked, 4 h available, at a quarter hour a character
    assert tuesday.split()[2] == "#" * 4 + "F" * 12 + "+" * 16
    assert "█" not in out
    assert "# meetings  F booked focus  + available for focus (free 2h+)  . fragmented" in out


def test_the_html_page_lists_the_weeks_findings_with_their_actions(cli, tmp_path):
    page = tmp_path / "week.html"
    args = ["--config", REPO / "examples" / "guardian.toml", "--from", "2026-11-30", "--days", "7"]
    result = cli("report", *args, "--now", "2026-11-27T17:00:00+01:00", "--html", page)
    assert result.code == 0, result.err
    html = page.read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Findings, Mon 30 Nov - Sun 06 Dec 2026" in text
    block = text[text.index("Platform daily standup every weekday") :]
    assert "warning S001 status-meeting : looks like a status meeting" in block
    assert "What to do: replace it with a written async update (guardian convert)" in block
    assert (
        "guardian: async proposal: would send; draft: guardian convert --event standup-platform@acme.example"
        in block
    )
    assert "Also: error D001 missing-pre-read, info A002 no-decision" in block
    assert "Tuesday 01 December 2026" in text and "H002 back-to-back" in text
    assert "<script" not in html.lower()


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt-get install -y chromium)")
def test_the_page_reads_at_400_px(cli, tmp_path):
    page = tmp_path / "week.html"
    args = ["--config", REPO / "examples" / "guardian.toml", "--from", "2026-11-30", "--days", "7"]
    assert cli("report", *args, "--now", "2026-11-27T17:00:00+01:00", "--html", page).code == 0
    shot = tmp_path / "narrow.png"
    subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            "--window-size=400,1400",
            Path(page).as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    width, height, bpp, rows = decode_png(shot.read_bytes())
    assert (width, height) == (400, 1400)
    colours = Counter(row[x : x + 3] for row in rows for x in range(0, len(row), bpp))
    # the day chart is drawn at its own size (it scrolls sideways), so its bars are big, not specks
    for hexcolour in (MEETING_COLOUR, FOCUS_COLOUR):
        assert colours[bytes.fromhex(hexcolour.lstrip("#"))] > 2000
    assert BOOKED_COLOUR  # in the legend only: nothing is booked that week
    # nothing is cut at the right edge: no text runs into the last columns (a scrollbar is light)
    dark = sum(
        1 for row in rows for x in range((width - 8) * bpp, width * bpp, bpp) if sum(row[x : x + 3]) < 300
    )
    assert dark == 0

"""The HTML report: its figures, that it is self-contained and escaped, and that it really draws.

The screenshot test needs Debian's chromium (`apt-get install -y chromium`);
it is skipped, with that reason, only when /usr/bin/chromium is absent.
"""

from __future__ import annotations

import json
import re
import struct
import subprocess
import zlib
from collections import Counter
from pathlib import Path

import pytest

from guardian.render.report import FOCUS_COLOUR, FRAGMENT_COLOUR, MEETING_COLOUR

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "guardian.toml"
CHROMIUM = Path("/usr/bin/chromium")
ME = "me@acme.example"
WEEK = ("--config", EXAMPLE, "--from", "2026-11-30", "--days", "7", "--now", "2026-12-05T18:00:00+01:00")


@pytest.fixture
def guardian(cli):
    """Run `guardian ARGS...`; unpacks as (exit code, stdout, stderr). No user config leaks in."""
    return cli


@pytest.fixture
def example_page(guardian, tmp_path) -> tuple[str, dict, Path]:
    page = tmp_path / "out" / "report.html"
    code, out, err = guardian("report", *WEEK, "--format", "json", "--html", page)
    assert code == 0, err
    assert f"wrote {page}" in err
    return page.read_text(encoding="utf-8"), json.loads(out), page


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def test_the_example_weeks_figures_are_on_the_page(example_page):
    page, doc, _ = example_page
    cards = re.findall(r'<div class="label">(.*?)</div><div class="value">(.*?)</div>', page)
    assert cards == [
        ("Booked focus", "0 h"),
        ("Available for focus", "11 h"),
        ("Meetings", "15 · 11.5 h"),
        ("Fragmented time", "10.5 h"),
        ("After-hours meetings", "1"),
        ("With a pre-read", "13%"),
        ("With a decision agenda", "7%"),
        ("Sent 24 h ahead", "93%"),
        ("Status meetings that could be async", "3 h"),
    ]
    # the same numbers as the JSON of the same run
    totals = doc["totals"]
    assert (totals["focus"]["hours"], totals["meetings"]["count"], totals["meetings"]["hours"]) == (
        11,
        15,
        11.5,
    )
    text = _text(page)
    assert "free in 2h+ blocks, not booked; target 10 h with booked; 2 of 4 workdays without a block" in text
    assert "Mon 30 Nov - Sun 06 Dec 2026 (Europe/Berlin)" in text
    assert "Platform daily standup" in text  # the costliest series


def test_the_day_chart_has_a_stacked_bar_per_day(example_page):
    page, doc, _ = example_page
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert "<title>Mon 30 Nov: 1.25 h meetings</title>" in svg
    assert "<title>Mon 30 Nov: 5.25 h available for focus</title>" in svg
    assert "<title>Mon 30 Nov: 1.5 h fragmented</title>" in svg
    assert "<title>Tue 01 Dec: 5.25 h meetings</title>" in svg and "Tue 01 Dec: 0 h focus" not in svg
    assert ">off</text>" in svg  # Friday 4 Dec is a day off
    days_with_bars = set(re.findall(r"<title>(\w{3} \d\d \w{3}):", svg))
    assert days_with_bars == {"Mon 30 Nov", "Tue 01 Dec", "Wed 02 Dec", "Thu 03 Dec"}


def test_the_trend_chart_shows_each_week_against_the_target(example_page):
    page, doc, _ = example_page
    trend_svg = page[page.index("<svg", page.index("Trend: the last 8 weeks")) :]
    assert trend_svg.count("h focus</title>") == 8
    assert "<title>week of 30 Nov: 11 h focus</title>" in trend_svg
    assert trend_svg.count('stroke-dasharray="5 3"') == 8  # the target, once per week


def test_the_page_needs_no_network(example_page):
    page, _, _ = example_page
    lowered = page.lower()
    for marker in ("<script", "<link", "src=", "url(", "@import", "<iframe", "<img"):
        assert marker not in lowered, marker
    # the only URL is the SVG namespace, which is a name, not something fetched
    assert set(re.findall(r"https?://[^\s\"'<>]+", page)) == {"http://www.w3.org/2000/svg"}


def test_calendar_titles_are_escaped(guardian, tmp_path):
    title = '<img src=x onerror=alert(1)> & "Q&A" standup'
    ics = tmp_path / "cal.ics"
    ics.write_text(
        "\r\n".join(
            [
                "BEGIN:VCALENDAR",
                "VERSION:2.0",
                "PRODID:-//test//EN",
                "BEGIN:VEVENT",
                "UID:evil",
                "DTSTAMP:20260101T000000Z",
                "DTSTART;TZID=Europe/Berlin:20261130T100000",
                "DTEND;TZID=Europe/Berlin:20261130T103000",
                "RRULE:FREQ=DAILY;COUNT=3",
                f"SUMMARY:{title}",
                "ORGANIZER:mailto:bob@acme.example",
                f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{ME}",
                "ATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@acme.example",
                "ATTENDEE;PARTSTAT=ACCEPTED:mailto:carol@acme.example",
                "END:VEVENT",
                "END:VCALENDAR",
                "",
            ]
        )
    )
    page = tmp_path / "r.html"
    code, _, err = guardian(
        "report",
        "-c",
        ics,
        "--me",
        ME,
        "--tz",
        "Europe/Berlin",
        "--from",
        "2026-11-30",
        "--days",
        "7",
        "--now",
        "2026-11-27T17:00:00+01:00",
        "--html",
        page,
    )
    assert code == 0, err
    html = page.read_text(encoding="utf-8")
    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; &quot;Q&amp;A&quot; standup" in html


# --- what a person actually sees: a screenshot in headless Chromium ---------------


def decode_png(data: bytes) -> tuple[int, int, int, list[bytes]]:
    """(width, height, bytes per pixel, rows) of an 8-bit, non-interlaced PNG, with stdlib only."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunk = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat.append(chunk)
        elif kind == b"IEND":
            break
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and interlace == 0 and colour in (2, 6), f"unexpected PNG format {header}"
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    prev = bytearray(stride)
    rows, i = [], 0
    for _ in range(height):
        kind, line = raw[i], bytearray(raw[i + 1 : i + 1 + stride])
        i += 1 + stride
        if kind == 1:
            for x in range(bpp, stride):
                line[x] = (line[x] + line[x - bpp]) & 255
        elif kind == 2:
            for x in range(stride):
                line[x] = (line[x] + prev[x]) & 255
        elif kind == 3:
            for x in range(stride):
                left = line[x - bpp] if x >= bpp else 0
                line[x] = (line[x] + ((left + prev[x]) >> 1)) & 255
        elif kind == 4:
            for x in range(stride):
                a = line[x - bpp] if x >= bpp else 0
                b = prev[x]
                c = prev[x - bpp] if x >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt-get install -y chromium)")
def test_screenshot_in_headless_chromium_shows_the_charts(example_page, tmp_path):
    _, _, page = example_page
    shot = tmp_path / "report.png"
    profile = tmp_path / "chromium-profile"
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
            f"--user-data-dir={profile}",
            f"--screenshot={shot}",
            "--window-size=1200,1600",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    width, height, bpp, rows = decode_png(shot.read_bytes())
    assert (width, height) == (1200, 1600)
    colours = Counter(row[x : x + 3] for row in rows for x in range(0, len(row), bpp))
    background, most = colours.most_common(1)[0]
    assert most < 0.9 * width * height, "the page is (almost) one colour: blank"
    # the bars themselves: each series colour fills a visible area, not a stray pixel
    for name, hexcolour in (
        ("focus", FOCUS_COLOUR),
        ("meetings", MEETING_COLOUR),
        ("fragmented", FRAGMENT_COLOUR),
    ):
        pixels = colours[bytes.fromhex(hexcolour.lstrip("#"))]
        assert pixels > 2000, f"the {name} bars are missing from the screenshot ({pixels} pixels)"
    # text was drawn: dark pixels (headings, figures) in the top part of the page
    dark = sum(1 for row in rows[:200] for x in range(0, len(row), bpp) if sum(row[x : x + 3]) < 200)
    assert dark > 1000, "no text on the page"


def test_a_months_day_labels_do_not_run_into_each_other(guardian, tmp_path):
    page = tmp_path / "month.html"
    code, _, err = guardian(
        "report", "--config", EXAMPLE, "--from", "2026-11-02", "--days", "28",
        "--now", "2026-11-01T17:00:00+01:00", "--html", page,
    )  # fmt: skip
    assert code == 0, err
    svg = page.read_text(encoding="utf-8")
    dates = re.findall(
        r'<text x="([\d.]+)" y="\d+" font-size="11" text-anchor="middle" fill="#7b8794">([^<]+)</text>', svg
    )
    labels = [(float(x), text) for x, text in dates if text not in ("off", "no data")]
    assert [text for _, text in labels][:3] == ["2 Nov", "3", "4"] and len(labels) == 28
    # 11 px text is at most about 0.62 em per character: neighbours' halves must fit between centres
    for (x1, a), (x2, b) in zip(labels, labels[1:], strict=False):
        assert (len(a) + len(b)) / 2 * 11 * 0.62 < x2 - x1, (a, b)

"""The window scan and the parse cache never change an answer (issue 15).

For every calendar in tests/data/ and for generated ones (hypothesis over
calendars and windows), a read with the scan and the cache (cold, then warm
from the entries the cold read left) gives the same events, the same
findings and the same warnings as a plain read that parses every component
and keeps nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from guardian.adapters.sources.base import Identity
from guardian.adapters.sources.ics.cache import ParseCache
from guardian.adapters.sources.ics.source import IcsSource
from guardian.core.model import Window
from guardian.core.workhours import WorkingHours
from guardian.errors import InputError
from guardian.lint.context import AuditContext
from guardian.lint.engine import audit
from guardian.lint.pack import load_rulebook
from tests.conftest import DATA, ME, NOW
from tests.test_corpus import FILES

BERLIN = ZoneInfo("Europe/Berlin")
BOOK = load_rulebook()


def window(first: str, days: int, tz=BERLIN) -> Window:
    start = datetime.combine(datetime.fromisoformat(first).date(), time(0), tzinfo=tz)
    return Window(start, start + timedelta(days=days))


WINDOWS = [
    window("2026-11-30", 7),  # the week most files are about
    window("2026-11-23", 21),
    window("2026-03-23", 14),  # the DST files
    window("2019-01-07", 7),  # years before
    window("2026-01-01", 365),
]


class Heard(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def outcome(path, windows, me=ME, **kwargs):
    """(events, findings, warnings) of reading `windows` in turn from one source, as a run does."""
    source = IcsSource(path, Identity(BERLIN, me, ("acme.example",)), **kwargs)
    heard = Heard()
    logger = logging.getLogger("guardian")
    logger.addHandler(heard)
    results = []
    try:
        for w in windows:
            try:
                events = source.read(w)
            except InputError as exc:
                results.append(("error", str(exc)))
                continue
            ctx = AuditContext(
                w,
                BERLIN,
                WorkingHours.from_spec(BERLIN),
                datetime.fromisoformat(NOW),
                events,
                BOOK.exemptions,
                me,
            )
            findings = [
                (f.rule, f.severity, f.message, f.day, f.event.instance_id if f.event else None, f.event)
                for f in audit(BOOK, ctx).findings
            ]
            results.append((events, findings))
    finally:
        logger.removeHandler(heard)
    return results, heard.lines


def assert_same_as_a_plain_read(path, windows, tmp_path, me=ME):
    plain = outcome(path, windows, me, scan=False)
    cache = ParseCache(tmp_path / "cache")
    assert outcome(path, windows, me, scan=True) == plain, "scan"
    assert outcome(path, windows, me, scan=True, cache=cache) == plain, "scan and a cold cache"
    assert outcome(path, windows, me, scan=True, cache=cache) == plain, "scan and a warm cache"
    assert outcome(path, windows[::-1], me, scan=True, cache=ParseCache(tmp_path / "other")) == outcome(
        path, windows[::-1], me, scan=False
    ), "windows in another order"
    return plain


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_file_reads_the_same_with_the_scan_and_the_cache(path, tmp_path):
    for w in WINDOWS[:2]:  # a run of one window, alone
        assert_same_as_a_plain_read(path, [w], tmp_path / w.start.date().isoformat())
    assert_same_as_a_plain_read(path, WINDOWS, tmp_path / "all")  # one run reading every window


def test_every_file_reads_the_same_without_knowing_who_i_am(tmp_path):
    for path in FILES:
        assert_same_as_a_plain_read(path, WINDOWS[:1], tmp_path / path.name, me=None)


def _generator():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "gen_calendar", DATA.parent.parent / "benchmarks" / "gen_calendar.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_week_of_a_long_export_parses_only_that_week_and_reads_the_same(tmp_path):
    path = tmp_path / "export.ics"
    path.write_text(_generator().generate(2026, 400, years=3), encoding="utf-8", newline="")
    source = IcsSource(path, Identity(BERLIN, ME))
    source._calendars(WINDOWS[0])  # what a read parses (it lets go of it after)
    (file,) = source._files
    assert file.scan is not None and file.kept is not None
    # 20 series with their 180 moved instances, and the one-off meetings of about a week (of 1200)
    assert len(file.kept) < 230 < 1200 < len(file.scan.spans)
    assert_same_as_a_plain_read(
        path, [WINDOWS[0], window("2025-06-02", 7), window("2026-12-21", 30)], tmp_path
    )


# --- generated calendars -------------------------------------------------------------------------------

ZONES = ["Europe/Berlin", "America/New_York", "Asia/Tokyo", "Pacific/Kiritimati", "Etc/GMT+12"]
RULES = [
    "FREQ=DAILY",
    "FREQ=DAILY;COUNT=5",
    "FREQ=WEEKLY;BYDAY=MO,WE,FR",
    "FREQ=WEEKLY;INTERVAL=2;COUNT=10",
    "FREQ=MONTHLY;BYDAY=-1FR",
    "FREQ=MONTHLY;BYMONTHDAY=31;COUNT=4",
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;COUNT=3",
    "FREQ=DAILY;UNTIL=20261203T000000Z",
    "FREQ=HOURLY;INTERVAL=7;COUNT=30",
    "FREQ=WEEKLY;UNTIL=20261201",
]


@st.composite
def calendars(draw):
    """A calendar of one-off events, series with overrides, all-day and floating times, near a week."""
    events = []
    header = []
    if draw(st.booleans()):
        header.append(f"X-WR-TIMEZONE:{draw(st.sampled_from(ZONES))}")
    base = datetime(2026, 11, 30)
    for n in range(draw(st.integers(1, 12))):
        kind = draw(st.sampled_from(["timed", "timed", "allday", "floating", "utc", "series", "long"]))
        day = draw(st.integers(-40, 40))
        start = base + timedelta(
            days=day, hours=draw(st.integers(0, 23)), minutes=draw(st.sampled_from([0, 30]))
        )
        minutes = draw(st.sampled_from([15, 30, 60, 24 * 60, 3 * 24 * 60]))
        zone = draw(st.sampled_from(ZONES))
        uid = f"e{n}@gen" if draw(st.integers(0, 5)) else "shared@gen"
        lines = ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20261101T000000Z", f"SUMMARY:Event {n}"]
        end = start + timedelta(minutes=minutes)
        if kind == "allday":
            lines += [
                f"DTSTART;VALUE=DATE:{start:%Y%m%d}",
                f"DTEND;VALUE=DATE:{end + timedelta(days=1):%Y%m%d}",
            ]
        elif kind == "floating":
            lines += [f"DTSTART:{start:%Y%m%dT%H%M%S}", f"DURATION:PT{minutes}M"]
        elif kind == "utc":
            lines += [f"DTSTART:{start:%Y%m%dT%H%M%S}Z", f"DTEND:{end:%Y%m%dT%H%M%S}Z"]
        elif kind == "long":
            lines += [f"DTSTART;TZID={zone}:{start - timedelta(days=60):%Y%m%dT%H%M%S}"]
            lines += [f"DTEND;TZID={zone}:{end + timedelta(days=60):%Y%m%dT%H%M%S}"]
        else:
            first = start - timedelta(days=draw(st.sampled_from([0, 3, 400, 3000])))
            lines += [
                f"DTSTART;TZID={zone}:{first:%Y%m%dT%H%M%S}",
                f"DTEND;TZID={zone}:{first + timedelta(minutes=minutes):%Y%m%dT%H%M%S}",
            ]
            if kind == "series":
                lines.append(f"RRULE:{draw(st.sampled_from(RULES))}")
                if draw(st.booleans()):
                    lines.append(f"EXDATE;TZID={zone}:{start:%Y%m%dT%H%M%S}")
                if draw(st.booleans()):
                    lines.append(f"RDATE;TZID={zone}:{start + timedelta(days=1):%Y%m%dT%H%M%S}")
        lines += ["ORGANIZER:mailto:bob@acme.example", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:me@acme.example"]
        lines += ["ATTENDEE;PARTSTAT=ACCEPTED:mailto:carol@acme.example", "END:VEVENT"]
        events.append(lines)
        if kind == "series" and draw(st.booleans()):  # an override, moved into or out of the week
            moved = start + timedelta(days=draw(st.integers(-10, 10)))
            events.append(
                [
                    "BEGIN:VEVENT",
                    f"UID:{uid}",
                    "DTSTAMP:20261101T000000Z",
                    f"RECURRENCE-ID;TZID={zone}:{start:%Y%m%dT%H%M%S}",
                    f"DTSTART;TZID={zone}:{moved:%Y%m%dT%H%M%S}",
                    f"DURATION:PT{minutes}M",
                    "SUMMARY:Moved",
                    "END:VEVENT",
                ]
            )
    if draw(st.booleans()):  # damage: the scan must leave it to the parser
        events.append(["BEGIN:VEVENT", "UID:broken@gen", "DTSTART:garbage", "SUMMARY:Broken", "END:VEVENT"])
    body = [line for event in events for line in event]
    return (
        "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//gen//EN", *header, *body, "END:VCALENDAR"])
        + "\r\n"
    )


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    calendars(),
    st.integers(-45, 45),
    st.sampled_from([1, 3, 7, 30]),
    st.sampled_from(["Europe/Berlin", "Pacific/Kiritimati", "Etc/GMT+12"]),
)
def test_generated_calendars_read_the_same_over_any_window(tmp_path_factory, text, offset, days, zone):
    folder = tmp_path_factory.mktemp("gen")
    path = folder / "gen.ics"
    path.write_text(text, encoding="utf-8", newline="")
    first = (datetime(2026, 11, 30) + timedelta(days=offset)).date().isoformat()
    windows = [window(first, days, ZoneInfo(zone)), window(first, days + 14, ZoneInfo(zone))]
    assert_same_as_a_plain_read(path, windows, folder)
    scanned = IcsSource(path, Identity(BERLIN, ME))
    scanned._calendars(windows[0])
    (file,) = scanned._files
    left_out = file.scan is not None and file.kept is not None and len(file.kept) < len(file.scan.spans)
    event("the scan left components out" if left_out else "the scan kept every component")


def test_the_reader_reports_its_progress_to_a_hook(tmp_path):
    # the hook issue 12's progress display is fed from: stages in order, bytes done of total
    seen: list[tuple[str, int, int]] = []
    source = IcsSource(DATA / "recurrence-id-moved.ics", Identity(BERLIN, ME))
    source.progress = lambda stage, done, total: seen.append((stage, done, total))
    source.read(WINDOWS[0])
    size = (DATA / "recurrence-id-moved.ics").stat().st_size
    assert [s for s, _, _ in seen] == ["read", "scan", "scan", "parse", "parse"]
    assert seen[0] == ("read", size, size)
    assert all(0 <= done <= total for _, done, total in seen)

"""Hostile calendar files (issue 17): recurrence bombs, shared UIDs, devices, FIFOs, odd line ends.

Each bomb is a real invite a person could be sent, in tests/data/: through
the real command line, the bomb is skipped with a warning that names it and
the sane meeting next to it is still audited. That the work is bounded is
shown without a clock: dateutil's walk is counted (periods visited and
instances built), and never exceeds the estimate the budget is paid from.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from guardian.adapters.sources.base import Identity
from guardian.adapters.sources.ics import recurrence
from guardian.adapters.sources.ics.recurrence import Budget, OverBudget, guard, plan_walk, shape_of
from guardian.adapters.sources.ics.source import IcsSource
from guardian.core.model import Window
from tests.conftest import DATA, ME, NOW, REPO, audit_args, no_traceback

BERLIN = ZoneInfo("Europe/Berlin")
WEEK = Window(datetime(2026, 11, 30, tzinfo=BERLIN), datetime(2026, 12, 7, tzinfo=BERLIN))

BOMBS = {
    "recurrence-bomb-byxxx-expansion.ics": ["bomb-byxxx@evil.example"],
    "recurrence-bomb-unreachable-count.ics": [f"bomb-count-{i}@evil.example" for i in range(10)],
    "recurrence-bomb-yearly-expansion.ics": ["bomb-yearly@evil.example"],
}


def _json(result):
    assert result.code == 0, result.err
    assert no_traceback(result.err)
    return json.loads(result.out)


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_a_recurrence_bomb_is_skipped_with_a_warning_naming_it(cli, name):
    doc = _json(cli(*audit_args(DATA / name, "--format", "json")))
    assert [e["title"] for e in doc["events"]] == ["Sane meeting"]
    result = cli(*audit_args(DATA / name))
    warnings = [line for line in result.err_lines if line.startswith("warning:")]
    assert len(warnings) == 1 and name in warnings[0]
    for uid in BOMBS[name][:8]:  # the warning names up to 8 per kind of damage
        assert uid in warnings[0]
    assert f"skipped {len(BOMBS[name])} series" in warnings[0]
    assert "steps" in warnings[0]


def test_an_until_no_instance_reaches_costs_a_year_of_periods_not_eight_thousand(cli):
    # FREQ=DAILY;BYMONTH=4;BYMONTHDAY=31 never happens: dateutil would walk day by day to
    # 9999 looking for the first instance after the window; the walk now ends a year on.
    source = IcsSource(DATA / "recurrence-bomb-unreachable-until.ics", Identity(BERLIN, ME))
    with counted() as work:
        events = source.read(WEEK)
    assert [e.title for e in events] == ["Sane meeting"]
    assert work.periods < 2 * 366


@pytest.mark.parametrize("command", [["report", "--weeks", "8"], ["focus", "plan"], ["replies", "plan"]])
def test_every_command_that_reads_a_calendar_is_protected(cli, command):
    path = DATA / "recurrence-bomb-byxxx-expansion.ics"
    result = cli(
        *command, "-c", path, "--from", "2026-11-30", "--now", NOW, "--me", ME, "--tz", "Europe/Berlin"
    )
    assert result.code == 0, result.err
    assert any("bomb-byxxx@evil.example" in line for line in result.err_lines), result.err


def test_nightly_is_protected(cli, tmp_path):
    cfg = tmp_path / "g.toml"
    cfg.write_text(
        f'timezone = "Europe/Berlin"\nme = "{ME}"\nstate = "{tmp_path}/state.sqlite3"\n'
        f'[calendars.work]\nsource = "ics:{DATA / "recurrence-bomb-unreachable-count.ics"}"\n'
        f'[focus]\noutput = "{tmp_path}/blocks.ics"\n'
    )
    result = cli("nightly", "--config", cfg, "--now", NOW)
    assert result.code == 0, result.err
    assert any("bomb-count-0@evil.example" in line for line in result.err_lines), result.err


def test_a_calendar_url_is_protected(monkeypatch, tmp_path):
    from guardian.adapters.sources.url.cache import CalendarCache
    from guardian.adapters.sources.url.source import UrlSource
    from tests.fakes.calendar_http import CalendarServer

    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    for var in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    with CalendarServer() as fake:
        fake.publish("/bomb.ics", (DATA / "recurrence-bomb-yearly-expansion.ics").read_bytes())
        source = UrlSource(
            fake.url("/bomb.ics"), Identity(BERLIN, ME), cache=CalendarCache(tmp_path), attempts=1
        )
        with counted() as work:
            events = source.read(WEEK)
    assert [e.title for e in events] == ["Sane meeting"]
    assert work.periods == 0  # the bomb was never walked


# --- the budget, counted --------------------------------------------------------------------


class Work:
    periods = 0
    instances = 0


class counted:
    """Counts dateutil's work while active: periods its walk visits and instances it yields."""

    def __enter__(self) -> Work:
        from dateutil import rrule as module

        self.work = Work()
        self.saved = {}
        info = module._iterinfo
        for name in ("ydayset", "mdayset", "wdayset", "ddayset"):
            original = getattr(info, name)
            self.saved[name] = original

            def counting(self_, *args, _original=original, _work=self.work):
                _work.periods += 1
                return _original(self_, *args)

            setattr(info, name, counting)
        self.iter = recurrence._capped_iter
        work = self.work
        capped = recurrence._capped_iter

        def counting_iter(year):
            inner = capped(year)

            def walk(rule):
                for moment in inner(rule):
                    work.instances += 1
                    yield moment

            return walk

        recurrence._capped_iter = counting_iter
        return self.work

    def __exit__(self, *exc) -> None:
        from dateutil import rrule as module

        for name, original in self.saved.items():
            setattr(module._iterinfo, name, original)
        recurrence._capped_iter = self.iter


FREQS = ["YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY", "MINUTELY", "SECONDLY"]
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


@st.composite
def rules(draw):
    freq = draw(st.sampled_from(FREQS))
    parts = [f"FREQ={freq}"]
    interval = draw(st.integers(1, 40))
    if interval > 1:
        parts.append(f"INTERVAL={interval}")

    def some(name, values, most=4):
        chosen = draw(st.lists(st.sampled_from(values), min_size=1, max_size=most, unique=True))
        parts.append(f"{name}={','.join(str(v) for v in chosen)}")

    if draw(st.integers(0, 2)) == 0:
        some("BYMONTH", range(1, 13))
    if draw(st.integers(0, 2)) == 0:
        some("BYMONTHDAY", [*range(1, 32), -1, -2, -29, -31])
    if draw(st.integers(0, 2)) == 0:
        some("BYDAY", DAYS + (["1MO", "-1FR", "2TU", "5WE", "-5SU"] if freq in ("MONTHLY", "YEARLY") else []))
    if draw(st.integers(0, 2)) == 0:
        some("BYHOUR", range(24), 3)
    if draw(st.integers(0, 2)) == 0:
        some("BYMINUTE", range(0, 60, 5), 3)
    if freq == "YEARLY" and draw(st.integers(0, 2)) == 0:
        some("BYYEARDAY", [1, 100, 200, 365, 366, -1, -366], 2)
    if freq in ("MONTHLY", "YEARLY") and draw(st.integers(0, 2)) == 0:
        some("BYSETPOS", [1, 2, -1, 5], 2)
    end = draw(st.sampled_from(["", "count", "until"]))
    if end == "count":
        parts.append(f"COUNT={draw(st.integers(1, 4000))}")
    elif end == "until":
        parts.append(
            f"UNTIL={draw(st.sampled_from(['20190101T000000', '20261203T120000', '20270601T000000']))}"
        )
    # the window is a week of 2026; sub-daily rules begin near it, so that dateutil's
    # own unguarded walk (the reference) stays short enough to run
    earliest = {
        "HOURLY": datetime(2025, 10, 1),
        "MINUTELY": datetime(2025, 12, 20),
        "SECONDLY": datetime(2025, 12, 31),
    }
    start = draw(st.datetimes(earliest.get(freq, datetime(1990, 1, 1)), datetime(2026, 3, 1)))
    return ";".join(parts), start.replace(microsecond=0)


class TooLong(Exception):
    pass


def plain_between(text, dtstart, after, before, limit):
    """dateutil's own answer, unguarded, or TooLong once its walk passes `limit` periods."""
    from dateutil import rrule as module
    from dateutil.rrule import rrulestr

    rule = rrulestr(text, dtstart=dtstart, cache=False)
    info = module._iterinfo
    saved = {name: getattr(info, name) for name in ("ydayset", "mdayset", "wdayset", "ddayset")}
    seen = [0]
    try:
        for name, original in saved.items():

            def limited(self_, *args, _original=original):
                seen[0] += 1
                if seen[0] > limit:
                    raise TooLong
                return _original(self_, *args)

            setattr(info, name, limited)
        return rule.between(after, before, inc=True)
    finally:
        for name, original in saved.items():
            setattr(info, name, original)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rules(), st.integers(0, 400))
def test_the_guarded_walk_finds_what_dateutil_finds_and_never_costs_more_than_its_estimate(rule, offset):
    from dateutil.rrule import rrulestr

    text, dtstart = rule
    after = datetime(2026, 1, 1) + timedelta(days=offset)
    before = after + timedelta(days=7)
    # dateutil's inner search of a sub-daily rule is not counted: fewer periods for those
    limit = {"SECONDLY": 60, "MINUTELY": 1_000}.get(text.split(";")[0][5:], 20_000)
    try:
        plain = plain_between(text, dtstart, after, before, limit=limit)
    except TooLong:
        plain = None
    except (ValueError, TypeError):
        event("refused by dateutil")
        return  # a rule dateutil refuses is skipped by the source as a broken series
    unlimited = Budget(series_steps=10**15, calendar_steps=10**15)
    guarded = guard(rrulestr(text, dtstart=dtstart, cache=True), unlimited, 10**6)
    walk = plan_walk(shape_of(guarded), after, before, 10**6)
    if walk is not None and walk.steps > 3_000_000:
        event("too long to walk here")
        return  # the source would not walk it (over SERIES_STEPS); walking it here takes too long
    with counted() as work:
        try:
            found = list(guarded.between(after, before, inc=True))
        except (ValueError, TypeError):
            return
    event("compared with dateutil" if plain is not None else "dateutil's own walk too long to compare")
    event("instances in the window" if found else "no instance in the window")
    if plain is not None:
        assert found == plain, text
    if walk is None:
        assert found == [] and work.periods == 0
    else:
        assert work.periods + work.instances <= walk.steps, (text, work.periods, work.instances, walk)


def test_a_series_over_the_budget_costs_nothing_and_says_why():
    from dateutil.rrule import rrulestr

    rule = guard(rrulestr("FREQ=MINUTELY", dtstart=datetime(2019, 1, 1), cache=True), Budget(), 5000)
    with counted() as work, pytest.raises(OverBudget) as raised:
        list(rule.between(datetime(2026, 11, 30), datetime(2026, 12, 7), inc=True))
    assert work.periods == 0 and work.instances == 0
    assert "FREQ=MINUTELY from 2019-01-01" in raised.value.why and "500,000" in raised.value.why


def test_the_calendar_budget_is_shared_by_its_series(tmp_path):
    # forty series that each cost a fifth of the calendar's budget: the first few fit, the rest are skipped
    events = [
        f"BEGIN:VEVENT\r\nUID:heavy-{i}@test\r\nDTSTAMP:20261101T000000Z\r\n"
        f"DTSTART;TZID=Europe/Berlin:20250101T09{i:02d}00\r\nDURATION:PT1M\r\n"
        "RRULE:FREQ=MINUTELY;INTERVAL=10\r\nSUMMARY:Heavy\r\nEND:VEVENT\r\n"
        for i in range(40)
    ]
    path = tmp_path / "heavy.ics"
    path.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n" + "".join(events) + "END:VCALENDAR\r\n",
        newline="",
    )
    source = IcsSource(path, Identity(BERLIN, ME))
    with counted() as work:
        source.read(WEEK)
    shape = shape_of(recurrence.parse_rule("FREQ=MINUTELY;INTERVAL=10", datetime(2025, 1, 1, 9)))
    one = plan_walk(shape, WEEK.start.replace(tzinfo=None), WEEK.end.replace(tzinfo=None), 5000)
    assert one is not None and recurrence.CALENDAR_STEPS // 8 < one.steps < recurrence.SERIES_STEPS
    walked = recurrence.CALENDAR_STEPS // one.steps
    assert work.periods + work.instances <= walked * one.steps


# --- events sharing a UID ------------------------------------------------------------------------


def test_events_sharing_a_uid_are_all_read_and_named_in_a_warning(cli):
    path = DATA / "shared-uid-without-recurrence-id.ics"
    result = cli(*audit_args(path, "--format", "json"))
    doc = _json(result)
    assert [(e["title"], e["uid"]) for e in doc["events"]] == [
        ("Beta review", "export-bug@test"),
        ("Launch rehearsal", "export-bug@test"),
        ("Launch retro", "export-bug@test"),
    ]
    warnings = [line for line in result.err_lines if line.startswith("warning:")]
    assert len(warnings) == 1 and "export-bug@test" in warnings[0] and "3 events" in warnings[0]


def test_every_event_sharing_a_uid_makes_me_busy(cli):
    path = DATA / "shared-uid-without-recurrence-id.ics"
    result = cli(
        "focus",
        "plan",
        "-c",
        path,
        "--from",
        "2026-11-30",
        "--days",
        "5",
        "--now",
        NOW,
        "--me",
        ME,
        "--tz",
        "Europe/Berlin",
        "--format",
        "json",
    )
    doc = _json(result)
    busy = [
        (datetime(2026, 12, 1, 10, tzinfo=BERLIN), datetime(2026, 12, 1, 12, tzinfo=BERLIN)),
        (datetime(2026, 12, 2, 13, tzinfo=BERLIN), datetime(2026, 12, 2, 17, tzinfo=BERLIN)),
        (datetime(2026, 12, 3, 9, tzinfo=BERLIN), datetime(2026, 12, 3, 10, tzinfo=BERLIN)),
    ]
    assert doc["blocks"]
    for block in doc["blocks"]:
        start, end = datetime.fromisoformat(block["start"]), datetime.fromisoformat(block["end"])
        assert all(end <= b_start or start >= b_end for b_start, b_end in busy), block


# --- what is read at all -------------------------------------------------------------------------


def test_a_file_with_cr_line_ends_is_read(cli):
    doc = _json(cli(*audit_args(DATA / "cr-line-endings.ics", "--format", "json")))
    assert [e["title"] for e in doc["events"]] == ["Pricing decision"]


def _guardian(*args, timeout=30, memory=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUARDIAN_")}

    def limit():  # pragma: no cover (runs in the child)
        if memory:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return subprocess.run(
        [sys.executable, "-m", "guardian", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
        env=env,
        preexec_fn=limit if memory else None,
    )


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_device_is_refused_in_one_line_without_reading_it():
    done = _guardian("audit", "-c", "/dev/zero", "--from", "2026-11-30", memory=1 << 30)
    assert done.returncode == 2
    assert (
        done.stderr.strip()
        == "guardian: error: /dev/zero: is a device, not a calendar file (give the path of an .ics file)"
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_in_one_line_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "calendar.ics"
    os.mkfifo(fifo)
    done = _guardian("audit", "-c", str(fifo), "--from", "2026-11-30", timeout=30)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"guardian: error: {fifo}: is a named pipe (FIFO), not a calendar file (give the path of an .ics file)"
    ]


def test_a_file_past_the_size_limit_is_refused_in_one_line(cli, tmp_path):
    from guardian.adapters.sources.ics.files import MAX_FILE_BYTES

    big = tmp_path / "huge.ics"
    with open(big, "wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk is spent
    result = cli(*audit_args(big))
    assert result.code == 2 and len(result.err_lines) == 1
    assert result.err_lines[0] == (
        f"guardian: error: {big}: larger than 64 MiB, the most guardian reads from one calendar file "
        "(export a shorter span of the calendar)"
    )

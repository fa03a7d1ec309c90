"""Shared helpers for guardian's tests.

Calendars are written as real .ics text and read through the real IcsSource,
rule book and audit, so a test sees what a user of `guardian audit` would see.
Nothing of guardian's own is mocked.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"

ME = "me@acme.example"
BOB = "bob@acme.example"
CAROL = "carol@acme.example"
DAVE = "dave@acme.example"
TZ = "Europe/Berlin"
MONDAY = date(2026, 11, 30)  # the week most fixtures live in: Mon 30 Nov - Sun 6 Dec 2026
# a clock well before that week, so nothing is "in the past"
NOW = "2026-11-27T17:00:00+01:00"


# --- writing calendars ---------------------------------------------------------


def ics_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 3.3.11)."""
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def ics_time(value: str | datetime | date) -> str:
    """'2026-12-01 10:00' / datetime -> 20261201T100000; date -> 20261201."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:  # an aware time is written in UTC
            return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        return value.strftime("%Y%m%dT%H%M%S")
    if isinstance(value, date):
        return value.strftime("%Y%m%d")
    text = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return text.replace("-", "")
    if re.fullmatch(r"\d{8}(T\d{6}Z?)?", text):
        return text
    return ics_time(datetime.fromisoformat(text))


def vevent(
    summary: str = "Meeting",
    start: str | datetime = "2026-12-01 10:00",
    *,
    minutes: int = 30,
    end: str | datetime | None = None,
    uid: str | None = None,
    description: str | None = "Agenda:\n- Should we ship the beta on Friday?",
    attendees: tuple[str, ...] | list[str] = (BOB, CAROL),
    me: str | None = ME,
    my_status: str = "ACCEPTED",
    organizer: str | None = BOB,
    tzid: str | None = TZ,
    created: str | None = "20261101T090000Z",
    rrule: str | None = None,
    extra: tuple[str, ...] | list[str] = (),
) -> str:
    """One VEVENT. Times are wall-clock in `tzid` (None: floating); aware ones or "...Z" are written in UTC.

    By default a 30-minute meeting of me, Bob and Carol (three people, so not a 1:1), created weeks ahead, whose
    agenda asks a question: a meeting that only fails the rules a test provokes
    (a doc link is added by the test when it wants none of D001).
    """
    if isinstance(start, str) and re.fullmatch(r"\d{8}T\d{6}Z", start.strip()):
        start = datetime.strptime(start.strip(), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    if isinstance(end, str) and re.fullmatch(r"\d{8}T\d{6}Z", end.strip()):
        end = datetime.strptime(end.strip(), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    if isinstance(start, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", start.strip()):
        start_dt = datetime.fromisoformat(start)
    else:
        start_dt = start if isinstance(start, datetime) else None
    if end is None and start_dt is not None:
        end = start_dt + timedelta(minutes=minutes)
    uid = uid or "evt-" + re.sub(r"[^a-z0-9]+", "-", f"{summary}-{start}".lower()).strip("-") + "@test"
    aware = start_dt is not None and start_dt.tzinfo is not None
    param = f";TZID={tzid}" if tzid and not aware else ""
    lines = ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20261101T090000Z"]
    if created:
        lines.append(f"CREATED:{created}")
    if start_dt is None:  # an all-day event
        lines.append(f"DTSTART;VALUE=DATE:{ics_time(start)}")
        if end is not None:
            lines.append(f"DTEND;VALUE=DATE:{ics_time(end)}")
    else:
        lines.append(f"DTSTART{param}:{ics_time(start_dt)}")
        lines.append(f"DTEND{param}:{ics_time(end)}")
    if rrule:
        lines.append(f"RRULE:{rrule}")
    lines.append(f"SUMMARY:{ics_text(summary)}")
    if description is not None:
        lines.append(f"DESCRIPTION:{ics_text(description)}")
    if organizer:
        lines.append(f"ORGANIZER:mailto:{organizer}")
    people = []
    if me:
        people.append((me, my_status))
    people += [(a, "ACCEPTED") for a in attendees]
    for email, status in people:
        lines.append(f"ATTENDEE;PARTSTAT={status}:mailto:{email}")
    lines += list(extra)
    lines.append("END:VEVENT")
    return "\r\n".join(lines)


def calendar(*events: str, header: tuple[str, ...] | list[str] = ()) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//guardian tests//EN",
        *header,
        *events,
        "END:VCALENDAR",
    ]
    return "\r\n".join(lines) + "\r\n"


def write_ics(tmp_path: Path, *events: str, name: str = "cal.ics", header=()) -> Path:
    """Write VEVENT snippets into one VCALENDAR file under tmp_path."""
    path = Path(tmp_path) / name
    path.write_text(calendar(*events, header=header), encoding="utf-8", newline="")
    return path


# --- auditing through the real source, rule book and audit --------------------------


def audit_result(
    path: Path | str,
    me: str | None = ME,
    start: date = MONDAY,
    days: int = 7,
    tz: str = TZ,
    *,
    rules: Path | str | None = None,
    hours: dict[str, str] | None = None,
    now: datetime | None = None,
    domains: tuple[str, ...] = (),
    norms=None,
):
    from guardian.adapters.sources.base import Identity
    from guardian.adapters.sources.ics.source import IcsSource
    from guardian.core.model import Window
    from guardian.core.workhours import WorkingHours
    from guardian.lint.context import AuditContext, Norms
    from guardian.lint.engine import audit
    from guardian.lint.pack import load_rulebook

    zone = ZoneInfo(tz)
    window = Window(
        datetime.combine(start, time(0), tzinfo=zone),
        datetime.combine(start + timedelta(days=days), time(0), tzinfo=zone),
    )
    events = IcsSource(path, Identity(zone, me, domains)).read(window)
    events.sort(key=lambda e: (e.start, e.end, e.uid))
    book = load_rulebook(rules)
    ctx = AuditContext(
        window=window,
        tz=zone,
        hours=WorkingHours.from_spec(zone, hours),
        now=now or datetime.fromisoformat(NOW),
        events=events,
        exemptions=book.exemptions,
        me=me,
        norms=norms or Norms(),
    )
    return audit(book, ctx)


def audit_file(path, me=ME, start=MONDAY, days=7, tz=TZ, **kwargs):
    """Findings of the real audit of one .ics file over [start, start + days)."""
    return audit_result(path, me, start, days, tz, **kwargs).findings


def codes(findings, title: str | None = None) -> set[str]:
    """Rule codes among findings, optionally only those about events with `title`."""
    return {f.rule for f in findings if title is None or (f.event is not None and f.event.title == title)}


def of_rule(findings, code: str) -> list:
    return [f for f in findings if f.rule == code]


# --- running the command line ---------------------------------------------------


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]

    def __iter__(self):
        """Unpacks as (code, out, err)."""
        return iter((self.code, self.out, self.err))


def _reset_guardian_logging() -> None:
    """guardian's log handler keeps the stderr it was created with; drop it between runs."""
    logger = logging.getLogger("guardian")
    for handler in list(logger.handlers):
        if getattr(handler, "_guardian", False):
            logger.removeHandler(handler)


@pytest.fixture
def isolated(monkeypatch, tmp_path_factory):
    """No user config, clock or zone from the environment leaks into a test."""
    home = tmp_path_factory.mktemp("home")
    for var in ("GUARDIAN_CONFIG", "GUARDIAN_NOW", "TZ"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("HOME", str(home))
    return home


@pytest.fixture
def cli(isolated, capsys):
    """Run `guardian ARGS...` in-process via guardian.cli.app.main; returns CliResult."""
    from guardian.cli.app import main

    def run(*argv: str | Path) -> CliResult:
        capsys.readouterr()
        _reset_guardian_logging()
        try:
            code = main([str(a) for a in argv])
        finally:
            _reset_guardian_logging()
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


def audit_args(path, *more, start: date | str = MONDAY, me: str | None = ME, tz: str = TZ, days: int = 7):
    """Arguments for `guardian audit` on one file with a fixed clock."""
    args = ["audit", "-c", str(path), "--from", str(start), "--days", str(days), "--tz", tz, "--now", NOW]
    if me:
        args += ["--me", me]
    return args + [str(m) for m in more]


def no_traceback(text: str) -> bool:
    return "Traceback" not in text and 'File "' not in text


__all__ = [
    "BOB",
    "CAROL",
    "DAVE",
    "DATA",
    "ME",
    "MONDAY",
    "NOW",
    "REPO",
    "TZ",
    "CliResult",
    "audit_args",
    "audit_file",
    "audit_result",
    "calendar",
    "codes",
    "ics_text",
    "no_traceback",
    "of_rule",
    "vevent",
    "write_ics",
]


# --- the loopback Microsoft Graph fake -------------------------------------------------------


def outlook_settings(table: dict):
    """Typed [outlook] settings from a raw table (as the fake writes it)."""
    from guardian.adapters.config import section_settings

    return section_settings("outlook", table)


def google_settings(table: dict):
    """Typed [google] settings from a raw table."""
    from guardian.adapters.config import section_settings

    return section_settings("google", table)


@pytest.fixture
def graph_fake(monkeypatch):
    """The Graph + identity fake, trusted by the real requests/msal and reached without proxies.

    msal accepts only https authorities, so the fake serves TLS with a
    throwaway CA; the clients trust it through REQUESTS_CA_BUNDLE.
    """
    from tests.fakes.graph import GraphFake

    with GraphFake() as fake:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", fake.ca_file)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
        for var in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY"):
            monkeypatch.delenv(var, raising=False)
        yield fake


@pytest.fixture
def state(tmp_path):
    """A fresh state store (sync tokens, own blocks, requests) for one test."""
    from guardian.adapters.state import State

    store = State(tmp_path / "state.db")
    yield store
    store.close()

"""Generate a busy .ics calendar of one or more years for the benchmarks.

Deterministic (seeded): about 20 recurring series (daily standups, weekly
syncs, fortnightly reviews, monthly all-hands) with moved instances and
EXDATEs, and a few thousand one-off meetings a year with attendees,
descriptions, links and HTML bodies, in several time zones, as a real export
would be. `--years N` writes the N years that end with `--year` (an export
with history: series begin in the first year, meetings fill every year);
one year is the calendar earlier benchmarks used, byte for byte.

    python benchmarks/gen_calendar.py [OUT.ics] [--year 2026] [--years 1] [--meetings 3000]
"""

from __future__ import annotations

import argparse
import random
from datetime import date, datetime, timedelta
from pathlib import Path

ZONES = ["Europe/Berlin", "America/New_York", "Europe/London", "Asia/Tokyo"]
TITLES = [
    "Weekly sync",
    "Design review: {x}",
    "Pricing decision: {x}",
    "Brainstorm: {x}",
    "1:1 {x}",
    "Interview: {x}",
    "Customer call: {x}",
    "Planning: {x}",
    "Retro",
    "Status update {x}",
    "Incident review {x}",
    "Coffee chat",
    "Roadmap review",
    "Onboarding: {x}",
    "Budget approval {x}",
]
WORDS = ["search", "billing", "mobile", "auth", "pricing", "onboarding", "API", "growth", "infra", "Q3"]
DESCRIPTIONS = [
    "Pre-read: https://docs.google.com/document/d/{n}/edit\nShould we ship {x} in May or June?",
    "Join Zoom Meeting\nhttps://acme.zoom.us/j/{n}\nMeeting ID: {n}",
    "Agenda:\n- updates\n- discuss {x}\n- AOB",
    "<html><body><p><b>Agenda</b></p><ul><li>Review {x}</li><li>Decide on owners</li></ul>"
    '<a href="https://teams.microsoft.com/l/meetup-join/{n}">Join</a></body></html>',
    "",
    "PR: https://github.com/acme/app/pull/{n} - approve the migration plan?",
]


def fold(line: str) -> str:
    out, raw = [], line.encode()
    while len(raw) > 75:
        cut = 75
        while raw[cut] & 0xC0 == 0x80:
            cut -= 1
        out.append(raw[:cut].decode())
        raw = b" " + raw[cut:]
    out.append(raw.decode())
    return "\r\n".join(out)


def text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def stamp(dt: datetime) -> str:
    return dt.strftime("%Y%m%dT%H%M%S")


def attendees(rng: random.Random, n: int) -> list[str]:
    people = ["me@acme.example"] + [f"p{rng.randrange(200)}@acme.example" for _ in range(n - 1)]
    if rng.random() < 0.15:
        people.append(f"guest{rng.randrange(50)}@partner.example")
    lines = []
    for i, person in enumerate(people):
        status = (
            rng.choice(["ACCEPTED", "ACCEPTED", "TENTATIVE", "NEEDS-ACTION", "DECLINED"])
            if i == 0
            else "ACCEPTED"
        )
        lines.append(f"ATTENDEE;CN=Person {i};PARTSTAT={status}:mailto:{person}")
    return lines


def vevent(
    rng: random.Random, uid: str, start: datetime, minutes: int, zone: str, extra: list[str]
) -> list[str]:
    title = rng.choice(TITLES).format(x=rng.choice(WORDS))
    body = rng.choice(DESCRIPTIONS).format(x=rng.choice(WORDS), n=rng.randrange(10**6))
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        "DTSTAMP:20260101T000000Z",
        f"CREATED:{(start - timedelta(days=rng.choice([0, 1, 3, 10]))).strftime('%Y%m%dT%H%M%S')}Z",
        f"DTSTART;TZID={zone}:{stamp(start)}",
        f"DTEND;TZID={zone}:{stamp(start + timedelta(minutes=minutes))}",
        f"SUMMARY:{text(title)}",
    ]
    if body.startswith("<html>"):
        lines.append(f"X-ALT-DESC;FMTTYPE=text/html:{text(body)}")
    elif body:
        lines.append(f"DESCRIPTION:{text(body)}")
    lines.append("ORGANIZER;CN=Organizer:mailto:org@acme.example")
    lines += attendees(rng, rng.choice([2, 3, 4, 6, 9, 12]))
    lines += extra
    lines.append("END:VEVENT")
    return lines


def generate(year: int = 2026, meetings: int = 3000, seed: int = 7, years: int = 1) -> str:
    """The calendar of the `years` years ending with `year`; `meetings` one-offs per year."""
    rng = random.Random(seed)
    out = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//guardian//benchmark//EN", "CALSCALE:GREGORIAN"]
    jan1 = date(year - years + 1, 1, 1)
    span = (date(year + 1, 1, 1) - jan1).days if years > 1 else 365
    series = [
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", 15, 9, 30),
        ("FREQ=WEEKLY;BYDAY=MO", 60, 10, 0),
        ("FREQ=WEEKLY;BYDAY=TU", 45, 14, 0),
        ("FREQ=WEEKLY;BYDAY=WE", 30, 16, 0),
        ("FREQ=WEEKLY;BYDAY=TH", 60, 11, 0),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", 60, 13, 0),
        ("FREQ=MONTHLY;BYDAY=1MO", 90, 15, 0),
        ("FREQ=WEEKLY;BYDAY=MO,WE,FR", 30, 12, 0),
        ("FREQ=DAILY;INTERVAL=1;BYDAY=MO,TU,WE,TH,FR", 15, 17, 0),
        ("FREQ=WEEKLY;BYDAY=TU,TH", 30, 9, 0),
        ("FREQ=WEEKLY;BYDAY=FR;COUNT=30", 60, 10, 0),
        ("FREQ=MONTHLY;BYMONTHDAY=15", 60, 14, 0),
        ("FREQ=WEEKLY;BYDAY=WE;UNTIL=20261231T000000Z", 45, 10, 0),
        ("FREQ=WEEKLY;INTERVAL=3;BYDAY=TH", 120, 14, 0),
        ("FREQ=WEEKLY;BYDAY=MO", 30, 8, 30),
        ("FREQ=WEEKLY;BYDAY=TU", 60, 18, 0),
        ("FREQ=MONTHLY;BYDAY=-1FR", 60, 16, 0),
        ("FREQ=WEEKLY;BYDAY=TH", 25, 9, 35),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", 50, 15, 10),
        ("FREQ=DAILY;BYDAY=MO,TU,WE,TH", 10, 13, 50),
    ]
    for i, (rule, minutes, hour, minute) in enumerate(series):
        zone = ZONES[i % 2]
        first = datetime.combine(jan1, datetime.min.time()).replace(hour=hour, minute=minute)
        first += timedelta(days=(7 - first.weekday()) % 7)
        weeks = [52 * y for y in range(years)]
        exdates = [
            f"EXDATE;TZID={zone}:{stamp(first + timedelta(days=7 * (k + w)))}"
            for w in weeks
            for k in (3, 17, 30)
        ]
        out += vevent(rng, f"series-{i}@bench", first, minutes, zone, [f"RRULE:{rule}", *exdates])
        for k in (w + k for w in weeks for k in (5, 12, 40)):  # moved instances
            original = first + timedelta(days=7 * k)
            moved = original + timedelta(hours=1)
            out += vevent(
                rng,
                f"series-{i}@bench",
                moved,
                minutes,
                zone,
                [f"RECURRENCE-ID;TZID={zone}:{stamp(original)}"],
            )
    for n in range(meetings * years):
        day = jan1 + timedelta(days=rng.randrange(span))
        if day.weekday() >= 5 and rng.random() < 0.9:
            day -= timedelta(days=day.weekday() - 4)
        start = datetime.combine(day, datetime.min.time()).replace(
            hour=rng.randrange(7, 20), minute=rng.choice([0, 15, 30, 45])
        )
        out += vevent(
            rng, f"one-off-{n}@bench", start, rng.choice([15, 25, 30, 45, 60, 90, 120]), rng.choice(ZONES), []
        )
    for k in range(12 * years):  # all-day events and vacations
        day = jan1 + timedelta(days=30 * k + 3)
        out += [
            "BEGIN:VEVENT",
            f"UID:allday-{k}@bench",
            "DTSTAMP:20260101T000000Z",
            f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}",
            "SUMMARY:Out of office" if k % 3 == 0 else "SUMMARY:Release day",
            "TRANSP:OPAQUE" if k % 3 == 0 else "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    out.append("END:VCALENDAR")
    return "\r\n".join(fold(line) for line in out) + "\r\n"


def ensure(path: Path, year: int = 2026, meetings: int = 3000, years: int = 1) -> Path:
    """Write the calendar if it is not there yet (the benchmarks share it)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(generate(year, meetings, years=years), encoding="utf-8", newline="")
    return path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default="benchmarks/out/year.ics")
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--years", type=int, default=1, help="years of history, ending with --year")
    parser.add_argument("--meetings", type=int, default=3000, help="one-off meetings a year")
    args = parser.parse_args()
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(
        generate(args.year, args.meetings, years=args.years), encoding="utf-8", newline=""
    )
    print(f"wrote {args.out}")

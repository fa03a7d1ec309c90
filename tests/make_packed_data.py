"""Writes the packed calendars of tests/data/ (binary, so they are made, not typed).

Run `python tests/make_packed_data.py` after changing one; the files are
committed, so the tests do not need this script.
"""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def event(uid: str, summary: str, day: str, hour: str, description: str) -> str:
    return "\r\n".join(
        [
            "BEGIN:VEVENT",
            f"UID:{uid}",
            "DTSTAMP:20261101T090000Z",
            "CREATED:20261101T090000Z",
            f"DTSTART;TZID=Europe/Berlin:{day}T{hour}0000",
            f"DTEND;TZID=Europe/Berlin:{day}T{hour}3000",
            f"SUMMARY:{summary}",
            f"DESCRIPTION:{description}",
            "ORGANIZER:mailto:bob@acme.example",
            "ATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@acme.example",
            "ATTENDEE;PARTSTAT=ACCEPTED:mailto:carol@acme.example",
            "ATTENDEE;PARTSTAT=ACCEPTED:mailto:me@acme.example",
            "END:VEVENT",
        ]
    )


def calendar(name: str, *events: str) -> str:
    head = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Google Inc//Google Calendar 70.9054//EN"]
    return "\r\n".join([*head, f"X-WR-CALNAME:{name}", *events, "END:VCALENDAR"]) + "\r\n"


def main() -> None:
    work = calendar(
        "Work",
        event("takeout-work@test", "Quarterly planning", "20261201", "10", "Do we fund the search rewrite?"),
    )
    team = calendar(
        "Team",
        event("takeout-team@test", "Team retro", "20261202", "15", "Which two changes do we make?"),
    )
    # Google Takeout: one .ics per calendar under Takeout/Calendar/, plus an index page
    with zipfile.ZipFile(DATA / "google-takeout.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in (("Takeout/Calendar/Work.ics", work), ("Takeout/Calendar/Team.ics", team)):
            info = zipfile.ZipInfo(name, date_time=(2026, 11, 29, 12, 0, 0))
            archive.writestr(info, body, zipfile.ZIP_DEFLATED)
        archive.writestr(
            zipfile.ZipInfo("Takeout/archive_browser.html", (2026, 11, 29, 12, 0, 0)), "<html></html>"
        )
    gz = calendar(
        "Backup",
        event("gzipped@test", "Release go/no-go", "20261203", "16", "Do we ship 4.2 on Monday?"),
    )
    (DATA / "export.ics.gz").write_bytes(gzip.compress(gz.encode(), mtime=0))
    utf16 = calendar(
        "Windows export",
        event("utf16@test", "Büro move decision", "20261204", "11", "Which floor do we choose?"),
    )
    (DATA / "utf16-bom.ics").write_bytes(utf16.encode("utf-16"))


if __name__ == "__main__":
    main()

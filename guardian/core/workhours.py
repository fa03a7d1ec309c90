"""Working hours: when the user works, per weekday, in their own zone.

Several rules (F001, H001) and the focus planner need the same answer to
"which hours of this day are work?". Wall-clock times are combined with the
date through zoneinfo, so a 23 h or 25 h DST day keeps 09:00-17:00 local.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from guardian.core.intervals import Interval

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")

DEFAULT_SPEC = {day: ("09:00-17:00" if i < 5 else "") for i, day in enumerate(WEEKDAYS)}


def parse_ranges(spec: str) -> list[tuple[time, time]]:
    """'09:00-12:00, 13:00-17:00' -> [(09:00, 12:00), (13:00, 17:00)]; '' or 'off' -> []."""
    spec = (spec or "").strip().lower()
    if spec in ("", "off", "none", "-"):
        return []
    ranges = []
    for part in spec.split(","):
        match = _RANGE.match(part)
        if not match:
            raise ValueError(f"{part.strip()!r} is not a range like 09:00-17:00")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        midnight_end = (h2, m2) == (24, 0)
        if midnight_end:
            h2 = 0  # 24:00 is kept as time(0) and read as the end of the day
        if not (0 <= h1 < 24 and 0 <= h2 < 24 and m1 < 60 and m2 < 60):
            raise ValueError(f"{part.strip()!r} has an impossible time")
        start, end = time(h1, m1), time(h2, m2)
        if end <= start and not midnight_end:
            raise ValueError(f"{part.strip()!r} ends before it starts")
        ranges.append((start, end))
    return sorted(ranges)


@dataclass(frozen=True)
class WorkingHours:
    tz: tzinfo
    by_weekday: tuple[tuple[tuple[time, time], ...], ...] = field(
        default_factory=lambda: tuple(tuple(parse_ranges(DEFAULT_SPEC[d])) for d in WEEKDAYS)
    )

    @classmethod
    def from_spec(cls, tz: tzinfo, spec: dict[str, str] | None = None) -> WorkingHours:
        merged = dict(DEFAULT_SPEC)
        merged.update(spec or {})
        return cls(tz, tuple(tuple(parse_ranges(merged[d])) for d in WEEKDAYS))

    def is_workday(self, day: date) -> bool:
        return bool(self.by_weekday[day.weekday()])

    def intervals(self, day: date) -> list[Interval]:
        """The day's working ranges as aware datetimes; an end of 24:00 is next midnight."""
        return [
            (
                datetime.combine(day, s, tzinfo=self.tz),
                datetime.combine(day + timedelta(days=1) if e == time(0) else day, e, tzinfo=self.tz),
            )
            for s, e in self.by_weekday[day.weekday()]
        ]

    def contains(self, start: datetime, end: datetime) -> bool:
        """True when [start, end) lies inside one working range of its day."""
        local_start = start.astimezone(self.tz)
        local_end = end.astimezone(self.tz)
        return any(s <= local_start and local_end <= e for s, e in self.intervals(local_start.date()))

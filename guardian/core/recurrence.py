"""When a recurring series ends: one answer for every calendar source.

A series is given as its RRULE values (RFC 5545, 3.3.10: "FREQ=WEEKLY;
COUNT=10", with or without the "RRULE:" prefix), its first start (DTSTART)
and the zone it recurs in. `series_end` is the latest time an occurrence can
start, or None for an endless series:

- UNTIL as a UTC time ("...Z"): that instant;
- UNTIL as a floating time: that wall-clock time in the series' zone;
- UNTIL as a date: the midnight after that day in the series' zone (an
  occurrence may start at any time of its last day);
- COUNT: the start of the last occurrence, expanded by dateutil's rrule on
  the wall clock of the series' zone, so a 09:00 series stays at 09:00
  across a DST change;
- neither: None (endless). Of several rules, the latest end wins, and one
  endless rule makes the series endless.

The .ics source, Google (whose series masters carry RRULEs) and Outlook
(whose patternedRecurrence is translated into one) all call this.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta, tzinfo
from datetime import time as dtime

from dateutil.rrule import rrulestr  # type: ignore[import-untyped,unused-ignore]

#: a COUNT above this is not expanded (the sources cap expansion far below it); the
#: series still ends, and its first start stands in for when
MAX_COUNT = 10_000


def series_end(
    rules: Iterable[str],
    dtstart: date | datetime,
    tz: tzinfo,
    *,
    last_of_count: Callable[[str, date | datetime, tzinfo], datetime] | None = None,
) -> datetime | None:
    """The latest start of an occurrence of the series; None for an endless one.

    `dtstart` is the series' first start: an aware or floating datetime, or a
    date for an all-day series. `tz` is the zone the series recurs in (its
    DTSTART's zone; floating times and dates are read in it).
    `last_of_count(rule, dtstart, tz)` finds a COUNT rule's last start; a
    reader of untrusted files passes one that walks within its budget (a
    COUNT no instance can reach would otherwise be walked to the year 9999).
    Raises ValueError for a rule that is not an RRULE.
    """
    ends: list[datetime] = []
    for rule in rules:
        parts = _parts(rule)
        if "UNTIL" in parts:
            ends.append(_until(parts["UNTIL"], tz))
        elif "COUNT" in parts:
            if last_of_count is not None:
                ends.append(last_of_count(_body(rule), dtstart, tz))
            else:
                ends.append(_last_of_count(_body(rule), parts["COUNT"], dtstart, tz))
        else:
            return None
    return max(ends) if ends else None


def _body(rule: str) -> str:
    text = rule.strip()
    return text[6:] if text.upper().startswith("RRULE:") else text


def _parts(rule: str) -> dict[str, str]:
    body = _body(rule)
    parts = {}
    for piece in body.split(";"):
        name, sep, value = piece.partition("=")
        if not sep:
            raise ValueError(f"not an RRULE part: {piece!r}")
        parts[name.strip().upper()] = value.strip()
    if "FREQ" not in parts:
        raise ValueError(f"an RRULE without FREQ: {body!r}")
    return parts


def _until(value: str, tz: tzinfo) -> datetime:
    text = value.upper()
    if len(text) == 8:
        day = date(int(text[:4]), int(text[4:6]), int(text[6:8]))
        return datetime.combine(day + timedelta(days=1), dtime(0), tz)
    if len(text) == 16 and text.endswith("Z"):
        return _wall(text[:15], UTC)
    if len(text) == 15:
        return _wall(text, tz)
    raise ValueError(f"not an RRULE UNTIL: {value!r}")


def _wall(text: str, tz: tzinfo) -> datetime:
    """YYYYMMDDTHHMMSS as that wall-clock time in `tz`."""
    if text[8] != "T" or not (text[:8] + text[9:]).isdigit():
        raise ValueError(f"not an RRULE UNTIL: {text!r}")
    return datetime(
        int(text[:4]),
        int(text[4:6]),
        int(text[6:8]),
        int(text[9:11]),
        int(text[11:13]),
        int(text[13:15]),
        tzinfo=tz,
    )


def _local(dtstart: date | datetime, tz: tzinfo) -> datetime:
    """The first start as a naive wall-clock time in `tz`."""
    if isinstance(dtstart, datetime):
        return dtstart.astimezone(tz).replace(tzinfo=None) if dtstart.tzinfo is not None else dtstart
    return datetime.combine(dtstart, dtime(0))


def _last_of_count(rule: str, count: str, dtstart: date | datetime, tz: tzinfo) -> datetime:
    first = _local(dtstart, tz)
    if not count.isdigit():
        raise ValueError(f"not an RRULE COUNT: {count!r}")
    if int(count) > MAX_COUNT:
        return first.replace(tzinfo=tz)
    try:
        occurrences = list(rrulestr(rule, dtstart=first))
    except (TypeError, ValueError) as exc:  # dateutil's own complaint about the rule
        raise ValueError(f"not a valid RRULE: {rule!r} ({exc})") from None
    last: datetime = occurrences[-1] if occurrences else first
    return last.replace(tzinfo=tz)

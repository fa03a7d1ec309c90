"""How checks write times and durations in their messages."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo


def span(start: datetime, end: datetime, tz: tzinfo, sep: str = "-") -> str:
    """'19:00-20:00'; with the days when the span runs past midnight."""
    first, last = start.astimezone(tz), end.astimezone(tz)
    if first.date() == last.date():
        return f"{first:%H:%M}{sep}{last:%H:%M}"
    if last.time() == datetime.min.time() and last.date() == first.date() + timedelta(days=1):
        return f"{first:%H:%M}{sep}24:00"
    return f"{first:%a %d %b %H:%M}{sep}{last:%a %d %b %H:%M}"


def hours(value: float) -> str:
    """1.5 -> '1.5 h', 2.0 -> '2 h'."""
    return f"{value:.1f}".rstrip("0").rstrip(".") + " h"


def exact_hours(value: float) -> str:
    """1.25 -> '1.25 h', 1.5 -> '1.5 h', 2.0 -> '2 h': quarter hours kept, not rounded away."""
    return f"{value:.2f}".rstrip("0").rstrip(".") + " h"

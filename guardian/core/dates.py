"""Date words people type for `--from` and `--until`: today, tomorrow, a weekday, next-week.

Pure: the caller passes today's date (from the injected clock, in the
person's zone), so a word always means the same day for the same `--now`.
Only calendar dates are computed here; turning a day into the midnight that
starts it (which a DST change can move) is the caller's job, with zoneinfo.

- `today`, `tomorrow`;
- a weekday name (`monday` .. `sunday`, or its first three letters): the next
  such day, today included (on a Monday, `monday` is today);
- `next-week`: the next Monday after today (on a Monday, the one in 7 days);
- `YYYY-MM-DD`.

For `--until`, a weekday counts from the first day instead of today
(`--from tomorrow --until friday` on a Friday means the Friday after), as
`is_weekday_word` lets the caller tell.
"""

from __future__ import annotations

from datetime import date, timedelta

WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WORDS = ("today", "tomorrow", *WEEKDAY_NAMES, "next-week")


def parse_day_word(value: str, today: date) -> date:
    """The day `value` names, seen from `today`; ValueError when it names none."""
    word = value.strip().lower().replace("_", "-").replace(" ", "-")
    if word == "today":
        return today
    if word == "tomorrow":
        return today + timedelta(days=1)
    if word == "next-week":
        return today + timedelta(days=7 - today.weekday())
    for index, name in enumerate(WEEKDAY_NAMES):
        if word in (name, name[:3]):
            return today + timedelta(days=(index - today.weekday()) % 7)
    try:
        return date.fromisoformat(word)
    except ValueError:
        raise ValueError(f"{value!r} is not a date") from None


def is_weekday_word(value: str) -> bool:
    """Whether `value` names a weekday (so `--until` counts it from the first day)."""
    word = value.strip().lower()
    return any(word in (name, name[:3]) for name in WEEKDAY_NAMES)

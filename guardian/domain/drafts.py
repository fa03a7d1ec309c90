"""Draft the async document that could replace a meeting.

Pure: `draft(event, kind, now)` fills a Markdown template from
`rules/templates/` with what the invite already says (title, organizer,
attendees, when, description, links) and returns it together with the
meeting hours the replacement would give back.

Kinds and templates:

    update      async-update.md      status meetings, standups, syncs (S001)
    rfc         rfc.md               proposals and design discussions (S003)
    brainstorm  brainstorm.md        brainstorms (S002)
    decision    decision-record.md   a decision that can be made in writing

Dates:
- feedback-by: the last working day before the meeting (Monday to Friday by
  default, or the caller's `workday` test), so the thread can settle things
  before the slot and the meeting can still be cancelled. Never earlier than
  today: a meeting tomorrow gets today.
- review-by (updates): four weeks after today, a date to decide whether the
  written update replaced the meeting for good.

Hours given back per week = duration (h) x attendees x occurrences per week:
- attendees are the people invited who have not declined, you included
  (rooms and equipment are not people);
- occurrences per week: for a recurring series, the number of its instances
  found in the four weeks starting at the meeting's week (the caller passes
  them as `series`; instances outside those four weeks are not counted)
  divided by 4; with no instances passed, once a week is assumed. A one-off meeting counts once, in its own week.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from guardian.core.model import Event, Status
from guardian.core.safe_text import printable
from guardian.core.text import one_line
from guardian.errors import InputError

KINDS = {
    "update": "async-update.md",
    "rfc": "rfc.md",
    "brainstorm": "brainstorm.md",
    "decision": "decision-record.md",
}
KIND_LABEL = {
    "update": "async update",
    "rfc": "RFC",
    "brainstorm": "async brainstorm",
    "decision": "decision record",
}
FIELDS = frozenset(
    {
        "title",
        "organizer",
        "attendee_names",
        "today",
        "when",
        "schedule",
        "period",
        "meeting_time",
        "tz",
        "feedback_by",
        "review_by",
        "description",
        "links",
        "open_questions",
        "hours_per_week",
        "hours_math",
        "hours_given_back",
        "duration",
        "frequency",
        "kind",
    }
)
FREQUENCY_WEEKS = 4
MAX_QUESTIONS = 8

# The last line of a draft guardian wrote: a hash of everything above it. A
# draft whose text no longer matches (edited, or the line removed) was
# changed by a person, and `guardian convert` will not overwrite it.
SEAL_PREFIX = "<!-- guardian draft sha256:"
_SEAL = re.compile(r"\n<!-- guardian draft sha256:([0-9a-f]{64})\b[^\n]*-->\n?\Z")


def seal(markdown: str) -> str:
    """The draft as written to disk: its text, then a comment with the text's hash."""
    import hashlib

    body = markdown if markdown.endswith("\n") else markdown + "\n"
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    return (
        f"{body}\n{SEAL_PREFIX}{digest}: written by `guardian convert`; "
        "once you edit this file, guardian will not overwrite it -->\n"
    )


def unchanged_since_written(text: str) -> bool:
    """Whether a file's text is a draft exactly as guardian wrote it (so replacing it loses nothing)."""
    import hashlib

    match = _SEAL.search(text)
    if not match:
        return False
    body = text[: match.start()]
    return hashlib.sha256(body.encode("utf-8")).hexdigest() == match.group(1)


def kind_of(action: str) -> str | None:
    """'suggest-async:rfc' -> 'rfc'; other actions -> None."""
    if action.startswith("suggest-async:"):
        kind = action.split(":", 1)[1]
        return kind if kind in KINDS else None
    return None


def check_kind(kind: str) -> str:
    k = kind.strip().lower()
    if k in ("async-update", "status"):
        k = "update"
    if k in ("decision-record",):
        k = "decision"
    if k not in KINDS:
        raise InputError(f"--kind: {kind!r} is not one of {', '.join(KINDS)}")
    return k


@dataclass(frozen=True)
class Savings:
    duration_hours: float
    attendees: int
    per_week: float  # occurrences per week
    recurring: bool

    @property
    def hours_per_week(self) -> float:
        return round(self.duration_hours * self.attendees * self.per_week, 2)

    def describe(self) -> str:
        """e.g. '7.12 person-hours a week (15 min x 6 people x 4.75/week)'."""
        if self.recurring:
            return f"{self.hours_per_week:g} person-hours a week ({self.math()})"
        return f"{self.hours_per_week:g} person-hours, once ({self.math()})"

    def math(self) -> str:
        minutes = round(self.duration_hours * 60)
        if not self.recurring:
            return f"{minutes} min x {self.attendees} people"
        return f"{minutes} min x {self.attendees} people x {self.per_week:g}/week"


@dataclass(frozen=True)
class Draft:
    event: Event
    kind: str
    markdown: str
    savings: Savings
    feedback_by: date

    @property
    def filename(self) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", self.event.title.lower()).strip("-")[:50].strip("-") or "meeting"
        return f"{self.event.start:%Y-%m-%d}-{self.kind}-{slug}.md"


def attendees_of(event: Event) -> list:
    return [a for a in event.people if a.status is not Status.DECLINED]


def savings(event: Event, series: Iterable[Event] | None = None) -> Savings:
    """Hours given back per week; see the module docs for how frequency is counted."""
    hours = event.duration.total_seconds() / 3600
    people = max(len(attendees_of(event)), 1)
    if not event.recurring:
        return Savings(hours, people, 1.0, False)
    first, end = frequency_window(event)
    instances = {
        e.instance_id
        for e in (series or ())
        if e.uid == event.uid and not e.cancelled and first <= e.start < end
    }
    per_week = len(instances) / FREQUENCY_WEEKS if instances else 1.0
    return Savings(hours, people, round(per_week, 2), True)


def frequency_window(event: Event) -> tuple[datetime, datetime]:
    """The four weeks whose instances give a series' frequency: from the meeting's Monday."""
    local = event.start
    monday = (local - timedelta(days=local.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    return monday, monday + timedelta(weeks=FREQUENCY_WEEKS)


def _weekday(day: date) -> bool:
    return day.weekday() < 5


def feedback_by(event: Event, today: date, tz: tzinfo, workday: Callable[[date], bool] = _weekday) -> date:
    day = event.start.astimezone(tz).date() - timedelta(days=1)
    for _ in range(14):
        if workday(day):
            break
        day -= timedelta(days=1)
    return max(day, today)


def parse_template(text: str, kind: str, origin: str) -> string.Template:
    """A draft template from its text, refusing unknown placeholders (named with `origin`)."""
    tpl = string.Template(text)
    unknown = sorted(set(tpl.get_identifiers()) - FIELDS) if tpl.is_valid() else ["$"]
    if unknown:
        raise InputError(
            f"{origin}: unknown placeholder ${unknown[0]}",
            hint="known: " + ", ".join("$" + f for f in sorted(FIELDS)) + "; write $$ for a dollar sign",
        )
    return tpl


def _long_date(day: date | datetime) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _schedule(event: Event, tz: tzinfo, s: Savings) -> tuple[str, str]:
    local = event.start.astimezone(tz)
    if not event.recurring:
        return f"once, {_long_date(local)} at {local:%H:%M}", "meeting"
    if s.per_week >= 4:
        return f"every working day at {local:%H:%M}", "day"
    if s.per_week >= 0.9:
        times = "weekly" if s.per_week < 1.5 else f"{s.per_week:g} times a week"
        return f"{times}, {local:%A}s at {local:%H:%M}", "week"
    return f"about every {round(1 / s.per_week) if s.per_week else 4} weeks, at {local:%H:%M}", "meeting"


def _printable(line: str) -> str:
    """A line without control characters (a draft may go to the terminal with --stdout)."""
    return "".join(" " if ch == "\t" else ch for ch in line if ch == "\t" or unicodedata.category(ch) != "Cc")


def _quote(text: str) -> str:
    text = text.strip()
    if not text:
        return "_The invite has no description._"
    lines = (_printable(line).rstrip() for line in text.splitlines())
    return "\n".join("> " + line if line.strip() else ">" for line in lines)


def draft(
    event: Event,
    kind: str,
    now: datetime,
    *,
    tz: tzinfo | None = None,
    series: Iterable[Event] | None = None,
    me: str | None = None,
    workday: Callable[[date], bool] = _weekday,
    template: string.Template,
) -> Draft:
    """A Markdown draft of `kind` replacing `event`, prefilled from the invite."""
    kind = check_kind(kind)
    zone: tzinfo = tz or now.tzinfo or UTC
    local = event.start.astimezone(zone)
    today = now.astimezone(zone).date()
    s = savings(event, series)
    schedule, period = _schedule(event, zone, s)
    organizer = event.organizer
    organizer_name = one_line(organizer.display if organizer else "the organizer", 80)
    people = attendees_of(event)
    names = ", ".join(one_line(a.name or a.email, 80) for a in people) or "the attendees"
    others = [
        a
        for a in people
        if not (me and a.email.lower() == me.lower())
        and not (organizer and a.email.lower() == organizer.email.lower())
    ]
    questions = (
        "\n".join(
            f"- **{one_line(a.name or a.email, 80)}**: what would you need to see here to support it, or "
            "what worries you?"
            for a in others[:MAX_QUESTIONS]
        )
        or "- (add a question for each reviewer)"
    )
    if len(others) > MAX_QUESTIONS:
        questions += f"\n- everyone else ({len(others) - MAX_QUESTIONS} more): comments welcome"
    links = (
        "\n".join(f"- [{one_line(link.label or link.kind, 60)}]({link.url})" for link in event.links)
        or "- (none in the invite)"
    )
    fb = feedback_by(event, today, zone, workday)
    zone_name = getattr(zone, "key", None) or local.tzname() or ""
    values = {
        "title": one_line(event.title) or "(untitled meeting)",
        "organizer": organizer_name,
        "attendee_names": names,
        "today": today.isoformat(),
        "when": f"{_long_date(local)} at {local:%H:%M}" + (f" ({zone_name})" if zone_name else ""),
        "schedule": schedule,
        "period": period,
        "meeting_time": f"{local:%H:%M}",
        "tz": zone_name,
        "feedback_by": _long_date(fb),
        "review_by": _long_date(today + timedelta(weeks=FREQUENCY_WEEKS)),
        "description": _quote(event.description),
        "links": links,
        "open_questions": questions,
        "hours_per_week": f"{s.hours_per_week:g}",
        "hours_math": s.math(),
        "hours_given_back": s.describe(),
        "duration": f"{round(event.duration.total_seconds() / 60)} min",
        "frequency": f"{s.per_week:g}/week" if s.recurring else "once",
        "kind": KIND_LABEL[kind],
    }
    markdown = printable(template.substitute(values))  # links and names come from the invite
    return Draft(event, kind, markdown.rstrip("\n") + "\n", s, fb)

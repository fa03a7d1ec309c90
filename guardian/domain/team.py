"""A team's figures from its people's calendars, behind a privacy floor.

`guardian team report` measures each person of a roster with the same
functions as `guardian report` (`guardian.domain.metrics`), then sums them
for the whole roster and for each group. What leaves this module is only
ever an aggregate over at least `floor` people (default 5; a roster may
raise it, never lower it):

- a group with fewer than `floor` people is never shown; and because a
  hidden group's figures could be read off as the roster's total minus the
  groups that are shown, groups are also hidden (smallest first) until the
  people left outside every shown group are none or at least `floor`;
- a recurring series is listed only when at least `floor` people of the
  roster (of the group, for a group's list) attend it, with the same rule
  for what the other lists would reveal by subtraction;
- a series' title is shown only when its organizer is in the roster and the
  series is shared by at least `floor` attendees; otherwise it is
  "a recurring meeting" with its size and cost;
- no per-person figure, name or address is part of the report at all: each
  person sees their own figures with `guardian report` on their calendar.

Pure: the use case (`guardian.usecases.team`) reads the calendars and hands
over one `PersonFigures` per person.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from guardian.domain.metrics import HOUR, DayMetrics, MetricParams, Totals, aggregate, day_metrics
from guardian.lint.context import AuditContext

#: the smallest group whose figures may be shown; a roster can only raise it
MIN_FLOOR = 5


@dataclass
class SeriesSeen:
    """One recurring meeting as one person's calendar shows it over the window."""

    uid: str
    title: str
    organizer: str  # lower-case address, "" when the source gives none
    attendees: frozenset[str]  # lower-case addresses of the people in it (rooms excluded)
    hours: float = 0.0  # this person's hours in it over the window


@dataclass
class PersonFigures:
    """What one person contributes to the team's figures (never shown on its own)."""

    email: str
    group: str | None
    days: list[DayMetrics]
    series: dict[str, SeriesSeen] = field(default_factory=dict)


def measure_person(
    ctx: AuditContext, params: MetricParams, email: str, group: str | None = None
) -> PersonFigures:
    """Measure one person's window as `guardian report` does, and note the recurring meetings."""
    days = day_metrics(ctx, params)
    series: dict[str, SeriesSeen] = {}
    for todays in ctx.meetings_by_day.values():
        for event in todays:
            if not event.recurring:
                continue
            seen = series.get(event.uid)
            people = frozenset(p.email.strip().lower() for p in event.people if p.email)
            if seen is None:
                organizer = event.organizer.email.strip().lower() if event.organizer else ""
                seen = series[event.uid] = SeriesSeen(event.uid, event.title, organizer, people)
            else:
                seen.attendees = seen.attendees | people
            seen.hours += event.duration.total_seconds() / HOUR
    return PersonFigures(email.strip().lower(), group, days, series)


# ---------------------------------------------------------------------------
# the floor


def check_floor(floor: int) -> int:
    """The floor a roster asked for; below the minimum is refused, never applied."""
    if floor < MIN_FLOOR:
        raise ValueError(f"must be at least {MIN_FLOOR} (the privacy floor can only be raised)")
    return floor


def shown(counts: Mapping[str, int], total: int, floor: int) -> set[str]:
    """Which of disjoint parts of `total` people may be shown beside the total.

    Every shown part has at least `floor` people, and the people outside the
    shown parts are none or at least `floor`, so no hidden part can be
    computed as the total minus the shown ones. Parts are dropped smallest
    first (then by name, so the answer is stable).
    """
    keep = {name for name, n in counts.items() if n >= floor}
    while keep:
        rest = total - sum(counts[name] for name in keep)
        if rest == 0 or rest >= floor:
            break
        keep.discard(min(keep, key=lambda name: (counts[name], name)))
    return keep


# ---------------------------------------------------------------------------
# the report


@dataclass(frozen=True)
class SeriesFigures:
    """A recurring meeting's cost to the people it is shown for."""

    title: str | None  # None: not shown (organizer outside the roster, or fewer than `floor` attendees)
    attendees: int  # everyone in it, as the calendars show
    people: int  # of the roster (or group) who attend it
    person_hours: float  # their hours in it over the window


@dataclass(frozen=True)
class Figures:
    """The figures of one entry: the whole roster or one group (always >= floor people)."""

    name: str | None  # the group's name; None for the whole roster
    people: int
    totals: Totals
    series: tuple[SeriesFigures, ...]
    #: focus destroyed by meetings (issue 16's "focus price"); None until that measure exists
    focus_price_hours: float | None = None

    def per_person(self, hours: float) -> float:
        return hours / self.people if self.people else 0.0


@dataclass(frozen=True)
class TeamReport:
    first: date
    last: date  # inclusive
    floor: int
    team: Figures
    groups: tuple[Figures, ...]
    hidden_groups: int  # how many groups were left out by the floor (never which)
    ungrouped: int  # people outside every shown group (0 or >= floor)


class TooFewPeople(ValueError):
    """The roster itself is under the floor: there is nothing that may be shown."""


def build_team_report(
    people: Sequence[PersonFigures],
    params: MetricParams,
    *,
    first: date,
    last: date,
    floor: int = MIN_FLOOR,
    top: int = 5,
) -> TeamReport:
    """Sum the people's figures for the roster and its groups, applying the floor."""
    floor = check_floor(floor)
    if len(people) < floor:
        raise TooFewPeople(f"the roster has {len(people)} people, fewer than the privacy floor of {floor}")
    roster = {p.email for p in people}
    by_group: dict[str, list[PersonFigures]] = {}
    for person in people:
        if person.group:
            by_group.setdefault(person.group, []).append(person)
    counts = {name: len(members) for name, members in by_group.items()}
    visible = shown(counts, len(people), floor)
    series_lists = _series_lists(people, {name: by_group[name] for name in visible}, roster, floor, top)
    team = _figures(None, people, params, first, last, series_lists[None])
    groups = tuple(
        _figures(name, by_group[name], params, first, last, series_lists[name]) for name in sorted(visible)
    )
    return TeamReport(
        first=first,
        last=last,
        floor=floor,
        team=team,
        groups=groups,
        hidden_groups=len(by_group) - len(visible),
        ungrouped=len(people) - sum(counts[name] for name in visible),
    )


def _figures(
    name: str | None,
    members: Sequence[PersonFigures],
    params: MetricParams,
    first: date,
    last: date,
    series: tuple[SeriesFigures, ...],
) -> Figures:
    # person-days summed: counts add up and the prorated focus target becomes the people's total
    days = [m for person in members for m in person.days]
    return Figures(name, len(members), aggregate(days, params, first, last), series)


def _series_lists(
    people: Sequence[PersonFigures],
    groups: Mapping[str, Sequence[PersonFigures]],
    roster: set[str],
    floor: int,
    top: int,
) -> dict[str | None, tuple[SeriesFigures, ...]]:
    """The costliest series of the roster and of each shown group, each behind the floor.

    A series is listed for an entry only if at least `floor` of its people
    attend it, and the listings of one series never leave 1..floor-1
    attending people computable by subtraction (the same `shown` rule).
    """
    attending: dict[str, list[PersonFigures]] = {}
    for person in people:
        for uid in person.series:
            attending.setdefault(uid, []).append(person)
    members_of = {g: {p.email for p in members} for g, members in groups.items()}
    out: dict[str | None, list[tuple[float, SeriesFigures]]] = {None: [], **{g: [] for g in groups}}
    for uid, who in attending.items():
        if len(who) < floor:
            continue  # fewer than `floor` of the roster in it: listed nowhere
        per_group = {g: [p for p in who if p.email in members_of[g]] for g in groups}
        listed = shown({g: len(ps) for g, ps in per_group.items() if ps}, len(who), floor)
        title = _title(uid, who, roster, floor)
        attendees = len(frozenset().union(*(p.series[uid].attendees for p in who)))
        for entry, members in [(None, who)] + [(g, per_group[g]) for g in sorted(listed)]:
            hours = sum(p.series[uid].hours for p in members)
            out[entry].append((hours, SeriesFigures(title, attendees, len(members), round(hours, 2))))
    return {
        entry: tuple(f for _, f in sorted(rows, key=lambda r: (-r[0], r[1].title or "", r[1].people))[:top])
        for entry, rows in out.items()
    }


def _title(uid: str, who: Iterable[PersonFigures], roster: set[str], floor: int) -> str | None:
    """The series' title, only if its organizer is one of ours and at least `floor` people share it."""
    views = [p.series[uid] for p in who]
    organizers = {v.organizer for v in views if v.organizer}
    attendees = frozenset().union(*(v.attendees for v in views))
    if not organizers or not organizers <= roster or len(attendees) < floor:
        return None
    titles = sorted((v.title for v in views if v.title), key=lambda t: (-sum(v.title == t for v in views), t))
    return titles[0] if titles else None

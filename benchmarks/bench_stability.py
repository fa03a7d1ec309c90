"""How much guardian's focus blocks move when nothing forces them to: a month of nightly runs.

Issue 16: with `--days 3` a Wednesday got a 4 h block where the 7-day plan gave it 2 h,
so a manual run and the nightly run kept moving each other's blocks, and every move is a
calendar notification. A block should move only when something lands on it.

The replay: five weeks of a person's calendar (a small generator of its own, below: a
daily standup, weekly meetings, one-off meetings known two weeks ahead). Every night at
02:00 a few new meetings land on the coming days, one in three of them on a focus block
(an organizer who books over it); then `guardian nightly` plans the next 7 days and
applies the changes. Every Wednesday at 15:00 the person also runs `focus apply --days 3`,
and every Friday at 11:00 `focus apply --days 1`. Each run's operations are applied to the
simulated calendar.

Printed per ISO week: blocks created, moved, deleted and switched between held and
defended; of the moves and deletes, those a landed meeting forced (an existing future
block that a new meeting overlaps must move or go) and the extra ones, of blocks nothing
landed on, which should be zero.

    python benchmarks/bench_stability.py [--seed 7] [--weeks 5] [--defend always|at-risk]

Measured when the stable planner landed (issue 16), seeds 7, 3 and 11: the planner before
it moved or deleted 6.3, 9.0 and 9.0 blocks a week, of which 2.2, 5.2 and 4.5 were extra
(the `--days 3` and `--days 1` runs against the nightly one); the stable planner 4.8, 3.5
and 5.0, all forced by a landed meeting, 0 extra.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from guardian.core.availability import FocusPolicy  # noqa: E402
from guardian.core.model import Attendee, Event, OpKind, Status, Window  # noqa: E402
from guardian.core.workhours import WorkingHours  # noqa: E402
from guardian.domain.focus import plan, reconcile  # noqa: E402

TZ = ZoneInfo("Europe/Berlin")
FIRST_MONDAY = date(2026, 11, 2)
PEOPLE = (Attendee("me@acme.example", status=Status.ACCEPTED), Attendee("bob@acme.example"))


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), TZ)


# --- a calendar of its own (gen_calendar.py may change under this benchmark) -----------------


def base_calendar(weeks: int, rng: random.Random) -> list[Event]:
    """Standups, a weekly 1:1 and team meeting, and one-off meetings known from the start."""
    events: list[Event] = []
    for offset in range(weeks * 7 + 7):
        day = FIRST_MONDAY + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        events.append(meeting(f"standup-{day}", at(day, 9, 30), 15, "Daily standup"))
        if day.weekday() == 1:
            events.append(meeting(f"one-on-one-{day}", at(day, 14), 30, "Me / Bob 1:1"))
        if day.weekday() == 3:
            events.append(meeting(f"team-{day}", at(day, 11), 60, "Team meeting"))
        for n in range(rng.choice((0, 1, 1, 2))):
            start = at(day, rng.choice((10, 11, 13, 14, 15, 16)), rng.choice((0, 30)))
            events.append(meeting(f"known-{day}-{n}", start, rng.choice((30, 60)), "Review"))
    return events


def meeting(uid: str, start: datetime, minutes: int, title: str) -> Event:
    return Event(uid=uid, start=start, end=start + timedelta(minutes=minutes), title=title, attendees=PEOPLE)


def landing(night: date, blocks: list[Event], rng: random.Random, count: int) -> list[Event]:
    """The meetings that land on the calendar in the night before `night`'s run."""
    out = []
    future = [b for b in blocks if b.start.date() > night]
    for n in range(count):
        if future and rng.random() < 1 / 3:
            block = rng.choice(future)
            length = rng.choice((30, 60))
            span = int((block.end - block.start).total_seconds() // 60) - length
            start = block.start + timedelta(minutes=rng.randrange(0, max(span, 0) + 1, 30))
        else:
            day = night + timedelta(days=rng.randint(1, 9))
            if day.weekday() >= 5:
                day += timedelta(days=7 - day.weekday())
            start = at(day, rng.randint(9, 16), rng.choice((0, 30)))
            length = rng.choice((30, 60))
        out.append(meeting(f"landed-{night}-{n}", start, length, "New meeting"))
    return out


# --- the replay -------------------------------------------------------------------------------


@dataclass
class Week:
    created: int = 0
    moved: int = 0
    deleted: int = 0
    switched: int = 0
    forced: int = 0  # moves and deletes of blocks a landed meeting overlaps
    extra: int = 0  # moves and deletes of blocks nothing landed on


@dataclass
class Replay:
    events: list[Event]
    policy: FocusPolicy
    blocks: list[Event] = field(default_factory=list)
    weeks: dict[tuple[int, int], Week] = field(default_factory=dict)
    serial: int = 0
    hit: set[str] = field(default_factory=set)  # blocks a landed meeting overlaps, not yet acted on

    def week(self, day: date) -> Week:
        iso = day.isocalendar()
        return self.weeks.setdefault((iso[0], iso[1]), Week())

    def land(self, new: list[Event], now: datetime) -> None:
        self.events += new
        for block in self.blocks:
            if block.start >= now and any(m.start < block.end and m.end > block.start for m in new):
                self.hit.add(block.uid)

    def run(self, now: datetime, days: int) -> None:
        first = now.date()
        window = Window(at(first, 0), at(first + timedelta(days=days), 0))
        hours = WorkingHours.from_spec(TZ)
        result = plan(self.events + self.blocks, window, hours, self.policy, now)
        inside = [b for b in self.blocks if window.overlaps(b.start, b.end)]
        ops = reconcile(list(result.blocks), inside, now)
        week = self.week(first)
        for op in ops:
            if op.kind is OpKind.CREATE:
                self.serial += 1
                block = Event(
                    uid=f"guardian-{self.serial}@guardian",
                    start=op.block.start,
                    end=op.block.end,
                    own_block=True,
                    busy=op.block.defended,
                    title="Focus time",
                )
                self.blocks.append(block)
                week.created += 1
                continue
            existing = op.existing
            if op.kind is OpKind.KEEP:
                continue
            self.blocks.remove(existing)
            if op.kind in (OpKind.MOVE, OpKind.DELETE):
                if existing.uid in self.hit:
                    self.hit.discard(existing.uid)
                    week.forced += 1
                else:
                    week.extra += 1
            if op.kind is OpKind.MOVE:
                self.blocks.append(
                    existing.with_(start=op.block.start, end=op.block.end, busy=op.block.defended)
                )
                week.moved += 1
            elif op.kind is OpKind.DELETE:
                week.deleted += 1
            else:  # held <-> defended: the same block, its free/busy changed
                self.blocks.append(existing.with_(busy=op.block.defended))
                week.switched += 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--weeks", type=int, default=5)
    parser.add_argument("--per-night", type=int, default=2, help="meetings that land each night")
    parser.add_argument("--defend", default="always", choices=("always", "at-risk"))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    policy = FocusPolicy(defend=args.defend)
    replay = Replay(base_calendar(args.weeks, rng), policy)
    for offset in range(args.weeks * 7):
        day = FIRST_MONDAY + timedelta(days=offset) - timedelta(days=1)  # the Sunday night first
        night = at(day, 2)
        replay.land(landing(day, replay.blocks, rng, args.per_night), night)
        replay.run(night, 7)  # guardian nightly
        if day.weekday() == 2:
            replay.run(at(day, 15), 3)  # a manual `focus apply --days 3` on Wednesdays
        if day.weekday() == 4:
            replay.run(at(day, 11), 1)  # and `focus apply --days 1` on Fridays
    totals = Counter()
    print(f"policy: defend = {args.defend}; {args.per_night} meetings land each night (seed {args.seed})")
    print("week      created  moved  deleted  switched  forced  extra")
    for (year, number), w in sorted(replay.weeks.items()):
        print(
            f"{year}-W{number:02d}  {w.created:7d}  {w.moved:5d}  {w.deleted:7d}  {w.switched:8d}  "
            f"{w.forced:6d}  {w.extra:5d}"
        )
        totals.update(
            created=w.created,
            moved=w.moved,
            deleted=w.deleted,
            switched=w.switched,
            forced=w.forced,
            extra=w.extra,
        )
    weeks = max(len(replay.weeks), 1)
    print(
        f"per week: {(totals['moved'] + totals['deleted']) / weeks:.1f} moves or deletes, "
        f"{totals['forced'] / weeks:.1f} forced by a landed meeting, {totals['extra'] / weeks:.1f} extra "
        f"(target: 0 extra)"
    )


if __name__ == "__main__":
    main()

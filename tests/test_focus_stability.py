"""Stable plans: the blocks of a day depend on the calendar and the settings only.

Issue 16: with `--days 3` a Wednesday got a 4 h block where the 7-day plan gave it 2 h, so
a manual run and the nightly run kept moving each other's blocks. Here, over random
calendars, windows and planning moments: a day's blocks are the same whatever window holds
it and whenever (before that day) the plan is made; after an apply, the next run keeps
everything; and a block moves only when something lands on it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from guardian.core.availability import FocusPolicy
from guardian.core.model import Attendee, Event, EventKind, OpKind, Status, Window
from guardian.core.workhours import WorkingHours
from guardian.domain.focus import plan, plan_span, reconcile

TZ = ZoneInfo("Europe/Berlin")
MONDAY = date(2026, 3, 23)  # two weeks around the spring DST change (Sunday 29 March)
HOURS = WorkingHours.from_spec(TZ)
PEOPLE = (Attendee("me@x.example", status=Status.ACCEPTED), Attendee("you@x.example"))


def at(day: date, minutes: int) -> datetime:
    return datetime.combine(day, time(0), TZ) + timedelta(minutes=minutes)


@st.composite
def events(draw):
    day = MONDAY + timedelta(days=draw(st.integers(0, 13)))
    start = at(day, draw(st.integers(8 * 4, 17 * 4)) * 15)
    length = draw(st.integers(1, 12)) * 15
    kind = draw(st.sampled_from([EventKind.DEFAULT] * 5 + [EventKind.FOCUS]))
    return Event(
        uid=f"e{draw(st.integers(0, 10**6))}",
        start=start,
        end=start + timedelta(minutes=length),
        title="Deep work" if kind is EventKind.FOCUS else "Sync",
        attendees=() if kind is EventKind.FOCUS else PEOPLE,
        kind=kind,
        my_status=draw(st.sampled_from([Status.ACCEPTED, Status.TENTATIVE, Status.DECLINED])),
    )


policies = st.builds(
    FocusPolicy,
    min_minutes=st.sampled_from([60, 120]),
    daily_cap_hours=st.sampled_from([2.0, 4.0]),
    weekly_target_hours=st.sampled_from([6.0, 10.0, 16.0]),
    buffer_minutes=st.sampled_from([0, 15]),
    prefer=st.sampled_from(["long", "early", "late"]),
)


def window(first: date, days: int) -> Window:
    return Window(
        datetime.combine(first, time(0), TZ), datetime.combine(first + timedelta(days=days), time(0), TZ)
    )


def on(day: date, blocks) -> list[tuple[datetime, datetime]]:
    return [(b.start, b.end) for b in blocks if b.start.date() == day]


@settings(max_examples=120, deadline=None)
@given(
    st.lists(events(), max_size=30),
    policies,
    st.integers(0, 13),  # the day looked at
    st.integers(0, 6),  # how many days before it the window starts
    st.integers(1, 10),  # how many days the window has (at least up to the day)
    st.integers(1, 7 * 24 * 4),  # how long before the day's start the plan is made, in quarter hours
)
def test_a_days_blocks_do_not_depend_on_the_window_or_the_planning_moment(
    calendar, policy, day_index, lead, extra, before
):
    day = MONDAY + timedelta(days=day_index)
    reference = plan(
        calendar,
        window(day - timedelta(days=day.weekday()), 7),
        HOURS,
        policy,
        at(MONDAY, 0) - timedelta(days=1),
    )
    first = day - timedelta(days=lead)
    now = datetime.combine(day, time(0), TZ) - timedelta(minutes=15 * before)
    got = plan(calendar, window(first, lead + extra), HOURS, policy, now)
    assert on(day, got.blocks) == on(day, reference.blocks)


@settings(max_examples=100, deadline=None)
@given(st.lists(events(), max_size=30), policies, st.integers(0, 13 * 96))
def test_after_an_apply_the_next_run_at_any_later_moment_keeps_every_block(calendar, policy, quarters):
    start = at(MONDAY, 0) - timedelta(days=1)
    first = plan(calendar, window(MONDAY, 14), HOURS, policy, start)
    booked = own_blocks(first.blocks)
    later = start + timedelta(minutes=15 * quarters)
    rest = window(
        later.date(), (MONDAY + timedelta(days=14) - later.date()).days
    )  # what is left of the two weeks
    again = plan(calendar + booked, rest, HOURS, policy, later)
    inside = [b for b in booked if rest.overlaps(b.start, b.end)]
    ops = reconcile(list(again.blocks), inside, later)
    assert all(op.kind is OpKind.KEEP for op in ops), [op.kind for op in ops]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(events(), max_size=25),
    policies,
    st.integers(0, 9),
    st.integers(9 * 4, 16 * 4),
    st.integers(1, 8),
)
def test_a_landed_meeting_moves_only_the_blocks_it_lands_on(calendar, policy, day_index, quarter, length):
    now = at(MONDAY, 0) - timedelta(days=1)
    first = plan(calendar, window(MONDAY, 14), HOURS, policy, now)
    booked = own_blocks(first.blocks)
    day = MONDAY + timedelta(days=day_index)
    start = at(day, quarter * 15)
    landed = Event("landed", start, start + timedelta(minutes=15 * length), title="New", attendees=PEOPLE)
    again = plan([*calendar, *booked, landed], window(MONDAY, 14), HOURS, policy, now)
    ops = reconcile(list(again.blocks), booked, now)
    for op in ops:
        if op.kind in (OpKind.MOVE, OpKind.DELETE):
            hit = (
                op.existing.start < landed.end + timedelta(minutes=policy.buffer_minutes)
                and op.existing.end > landed.start
            )
            assert hit, f"{op.kind} of a block nothing landed on: {op.existing.start}-{op.existing.end}"


def test_the_issue_16_wednesday_is_the_same_with_three_days_or_seven():
    monday = date(2026, 11, 30)
    calendar = [
        Event(
            "m",
            at(monday + timedelta(days=1), 9 * 60),
            at(monday + timedelta(days=1), 17 * 60),
            attendees=PEOPLE,
        )
    ]  # a full Tuesday
    policy = FocusPolicy()  # 2 h minimum, 4 h a day, 10 h a week
    now = at(monday, 0) - timedelta(hours=4)
    wednesday = monday + timedelta(days=2)
    seven = plan(calendar, window(monday, 7), HOURS, policy, now)
    three = plan(calendar, window(monday, 3), HOURS, policy, now)
    one = plan(calendar, window(wednesday, 1), HOURS, policy, now)
    assert on(wednesday, seven.blocks) == on(wednesday, three.blocks) == on(wednesday, one.blocks)
    assert [(e - s) for s, e in on(wednesday, seven.blocks)] == [timedelta(hours=2)]


def test_the_plan_reads_whole_iso_weeks():
    span = plan_span(window(date(2026, 12, 2), 3), TZ)  # Wed-Fri
    assert (span.start.date(), span.end.date()) == (date(2026, 11, 30), date(2026, 12, 7))
    span = plan_span(window(date(2026, 12, 5), 3), TZ)  # Sat-Mon: two weeks
    assert (span.start.date(), span.end.date()) == (date(2026, 11, 30), date(2026, 12, 14))


def own_blocks(blocks) -> list[Event]:
    return [
        Event(
            uid=f"guardian-{i}@guardian",
            start=b.start,
            end=b.end,
            title="Focus time",
            own_block=True,
            busy=b.defended,
            my_status=Status.ORGANIZER,
        )
        for i, b in enumerate(blocks)
    ]

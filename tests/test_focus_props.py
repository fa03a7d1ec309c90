"""Properties of the focus planner and reconcile, over random calendars."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from guardian.core import intervals
from guardian.core.availability import FocusPolicy
from guardian.core.availability import is_busy as is_busy_for_focus
from guardian.core.model import Attendee, Block, Event, OpKind, Status, Window
from guardian.core.workhours import WorkingHours
from guardian.domain.focus import plan, reconcile

TZ = ZoneInfo("Europe/Berlin")
MONDAY = date(2026, 3, 23)  # the week of the spring DST change (Sunday 29 March)
WINDOW = Window(
    datetime.combine(MONDAY, time(0), TZ), datetime.combine(MONDAY + timedelta(days=7), time(0), TZ)
)
HOURS = WorkingHours.from_spec(TZ)
PEOPLE = (Attendee("me@x.example", status=Status.ACCEPTED), Attendee("you@x.example"))

statuses = st.sampled_from(list(Status))


@st.composite
def events(draw):
    day = draw(st.integers(0, 6))
    start_minutes = draw(st.integers(6 * 60, 20 * 60)) // 15 * 15
    length = draw(st.integers(1, 16)) * 15
    start = datetime.combine(MONDAY + timedelta(days=day), time(0), TZ) + timedelta(minutes=start_minutes)
    return Event(
        uid=f"e{draw(st.integers(0, 10**6))}",
        start=start,
        end=start + timedelta(minutes=length),
        title=draw(st.sampled_from(["Sync", "Focus time", "Review", "1:1"])),
        attendees=PEOPLE,
        my_status=draw(statuses),
        busy=draw(st.booleans()),
        cancelled=draw(st.booleans()) and draw(st.booleans()),
    )


policies = st.builds(
    FocusPolicy,
    min_minutes=st.sampled_from([60, 90, 120]),
    daily_cap_hours=st.sampled_from([2.0, 3.0, 4.0, 8.0]),
    weekly_target_hours=st.sampled_from([4.0, 10.0, 40.0]),
    buffer_minutes=st.sampled_from([0, 10, 30]),
    prefer=st.sampled_from(["long", "early", "late"]),
)
NOW = datetime(2026, 3, 22, 20, 0, tzinfo=TZ)


@settings(max_examples=150, deadline=None)
@given(st.lists(events(), max_size=25), policies)
def test_blocks_never_overlap_busy_time_and_respect_bounds(calendar, policy):
    result = plan(calendar, WINDOW, HOURS, policy, NOW)
    busy = intervals.merge(
        (e.start, e.end + timedelta(minutes=policy.buffer_minutes)) for e in calendar if is_busy_for_focus(e)
    )
    per_day: dict[date, float] = {}
    for block in result.blocks:
        assert block.end - block.start >= timedelta(minutes=policy.min_minutes)
        assert HOURS.contains(block.start, block.end), block
        assert block.start >= NOW
        assert not intervals.intersect([(block.start, block.end)], busy), block
        day = block.start.date()
        per_day[day] = per_day.get(day, 0) + block.minutes / 60
    for hours in per_day.values():
        assert hours <= policy.daily_cap_hours + 1e-9
    assert result.hours <= policy.weekly_target_hours + 1e-9
    starts = sorted((b.start, b.end) for b in result.blocks)
    assert all(a[1] <= b[0] for a, b in zip(starts, starts[1:], strict=False)), "blocks overlap each other"


def _as_own_blocks(blocks):
    return [
        Event(
            uid=f"guardian-{i}@guardian",
            start=b.start,
            end=b.end,
            title="Focus time",
            own_block=True,
            my_status=Status.ORGANIZER,
        )
        for i, b in enumerate(blocks)
    ]


@settings(max_examples=120, deadline=None)
@given(st.lists(events(), max_size=25), policies)
def test_replanning_after_apply_changes_nothing(calendar, policy):
    first = plan(calendar, WINDOW, HOURS, policy, NOW)
    booked = _as_own_blocks(first.blocks)
    second = plan(calendar + booked, WINDOW, HOURS, policy, NOW)
    assert second.blocks == first.blocks
    ops = reconcile(list(second.blocks), booked, NOW)
    assert all(op.kind is OpKind.KEEP for op in ops)


@settings(max_examples=150, deadline=None)
@given(st.lists(events(), max_size=20), st.lists(events(), max_size=8), policies)
def test_reconcile_only_ever_touches_guardian_blocks(calendar, foreign_focus, policy):
    wanted = plan(calendar, WINDOW, HOURS, policy, NOW).blocks
    own = _as_own_blocks([Block(e.start, e.end) for e in foreign_focus[: len(foreign_focus) // 2]])
    others = [e.with_(title="Focus time") for e in foreign_focus]  # same title, not ours
    ops = reconcile(list(wanted), own + others + calendar, NOW)
    for op in ops:
        if op.existing is not None:
            assert op.existing.own_block
    created = [op.block for op in ops if op.kind is OpKind.CREATE]
    kept_or_moved = [op.block for op in ops if op.kind in (OpKind.KEEP, OpKind.MOVE)]
    assert sorted(created + kept_or_moved) == sorted(wanted)

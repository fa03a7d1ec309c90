"""Defend when at risk: blocks stay free while the week's target can be met without them.

`[focus] defend = "at-risk"`: a block is held (free: others may book over it) as long as
the week could still reach its target even if every held block were taken; otherwise it
is defended (busy). The property tests state the policy from its definition (README,
"Defend when at risk") and hold the planner to it: never a held block that leaves the
target unreachable when it could have been defended, never a defended block that could be
held. Then the writes: held -> defended is a change of free/busy, not a move, and
`focus plan` says which blocks are held, which defended, and why.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from guardian.core import intervals
from guardian.core.availability import Availability, FocusPolicy, is_booked_focus
from guardian.core.model import Attendee, Block, Event, EventKind, OpKind, Status, Window
from guardian.core.workhours import WorkingHours
from guardian.domain.focus import plan, reconcile
from tests.conftest import vevent, write_ics

TZ = ZoneInfo("Europe/Berlin")
MONDAY = date(2026, 11, 30)
HOURS = WorkingHours.from_spec(TZ)
PEOPLE = (Attendee("me@x.example", status=Status.ACCEPTED), Attendee("you@x.example"))
WEEK = Window(
    datetime.combine(MONDAY, time(0), TZ), datetime.combine(MONDAY + timedelta(days=7), time(0), TZ)
)


def at(day: date, minutes: int) -> datetime:
    return datetime.combine(day, time(0), TZ) + timedelta(minutes=minutes)


@st.composite
def events(draw):
    day = MONDAY + timedelta(days=draw(st.integers(0, 6)))
    start = at(day, draw(st.integers(8 * 4, 17 * 4)) * 15)
    length = draw(st.integers(1, 16)) * 15
    focus = draw(st.integers(0, 7)) == 0
    return Event(
        uid=f"e{draw(st.integers(0, 10**6))}",
        start=start,
        end=start + timedelta(minutes=length),
        title="Deep work" if focus else "Sync",
        attendees=() if focus else PEOPLE,
        kind=EventKind.FOCUS if focus else EventKind.DEFAULT,
    )


policies = st.builds(
    FocusPolicy,
    min_minutes=st.sampled_from([60, 120]),
    daily_cap_hours=st.sampled_from([2.0, 4.0]),
    weekly_target_hours=st.sampled_from([4.0, 10.0, 20.0]),
    buffer_minutes=st.sampled_from([0, 15]),
    defend=st.just("at-risk"),
)


def reach(calendar: list[Event], policy: FocusPolicy, now: datetime, taken: list[Block]) -> timedelta:
    """The week's focus if every block in `taken` were lost to meetings, by the README's definition:
    focus booked before now, plus free working time ahead in pieces of at least the minimum
    block (on 5-minute marks), each day at most the daily cap."""
    availability = Availability(calendar, HOURS)
    meetings = intervals.pad(availability.busy, timedelta(minutes=policy.buffer_minutes))
    lost = intervals.merge(meetings + [(b.start, b.end) for b in taken])
    booked = intervals.merge((e.start, e.end) for e in calendar if is_booked_focus(e))
    total = timedelta(0)
    for offset in range(7):
        day = MONDAY + timedelta(days=offset)
        work = availability.work(day)
        if not work:
            continue
        past = intervals.total(intervals.intersect(intervals.intersect(work, booked), [(work[0][0], now)]))
        ahead = intervals.subtract(intervals.intersect(work, [(now, work[-1][1])]), lost)
        free = timedelta(0)
        for s, e in ahead:
            s, e = _ceil5(s), _floor5(e)
            if e - s >= policy.min_length:
                free += e - s
        total += min(policy.daily_cap, past + free)
    return total


def _floor5(when: datetime) -> datetime:
    return when - timedelta(seconds=when.timestamp() % 300)


def _ceil5(when: datetime) -> datetime:
    floor = _floor5(when)
    return floor if floor == when else floor + timedelta(minutes=5)


@settings(max_examples=150, deadline=None)
@given(st.lists(events(), max_size=25), policies, st.integers(-24 * 4, 6 * 24 * 4))
def test_held_blocks_never_put_the_target_at_risk_and_no_block_is_defended_needlessly(
    calendar, policy, quarters
):
    now = at(MONDAY, 0) + timedelta(minutes=15 * quarters)
    result = plan(calendar, WEEK, HOURS, policy, now)
    held = [b for b in result.blocks if not b.defended]
    goal = min(policy.weekly_target, reach(calendar, policy, now, []))
    slack = timedelta(seconds=1)
    # even if every held block were taken, the week can still reach what it could reach
    assert reach(calendar, policy, now, held) + slack >= goal
    # and every defended block is needed: holding it too would put that at risk
    for block in result.blocks:
        if block.defended:
            assert reach(calendar, policy, now, [*held, block]) + slack < goal, block
    assert all(b.why.startswith("held" if not b.defended else "defended") for b in result.blocks)


@settings(max_examples=60, deadline=None)
@given(st.lists(events(), max_size=25), policies)
def test_always_defends_every_block_and_both_policies_book_the_same_blocks(calendar, policy):
    now = at(MONDAY, 0) - timedelta(hours=3)
    at_risk = plan(calendar, WEEK, HOURS, policy, now)
    always = plan(calendar, WEEK, HOURS, FocusPolicy(**{**policy.__dict__, "defend": "always"}), now)
    assert all(b.defended for b in always.blocks)
    assert [(b.start, b.end) for b in at_risk.blocks] == [(b.start, b.end) for b in always.blocks]


def busy_from(hour: int, minute: int = 0, days=range(5)) -> list[Event]:
    """Meetings from `hour`:`minute` to 17:00 on the given weekdays (0 = Monday)."""
    return [
        Event(
            f"m{i}",
            at(MONDAY + timedelta(days=i), hour * 60 + minute),
            at(MONDAY + timedelta(days=i), 17 * 60),
            attendees=PEOPLE,
        )
        for i in days
    ]


def test_a_roomy_week_holds_every_block():
    policy = FocusPolicy(defend="at-risk")  # 2 h blocks, 4 h a day, 10 h a week
    now = at(MONDAY, 0) - timedelta(hours=3)
    roomy = plan([], WEEK, HOURS, policy, now)
    assert len(roomy.blocks) == 5 and not any(b.defended for b in roomy.blocks)
    assert roomy.blocks[0].why == "held: if it were taken, the week could still reach 10 h of focus"


def test_a_week_without_slack_defends_every_block():
    policy = FocusPolicy(defend="at-risk")
    now = at(MONDAY, 0) - timedelta(hours=3)
    # only 09:00-11:00 is free each day: exactly the 10 h target
    exact = plan(busy_from(11), WEEK, HOURS, policy, now)
    assert len(exact.blocks) == 5 and all(b.defended for b in exact.blocks)
    assert exact.blocks[0].why == "defended: without it the week could reach only 8 h of its 10 h target"
    # and one of those days full as well: 8 h is all the week can have
    short = plan([*busy_from(11, days=range(4)), *busy_from(9, days=[4])], WEEK, HOURS, policy, now)
    assert len(short.blocks) == 4 and all(b.defended for b in short.blocks)
    assert (
        short.blocks[0].why
        == "defended: the week can reach only 8 h of its 10 h target, so it needs every block"
    )


def test_a_week_with_some_slack_holds_what_it_can_spare():
    policy = FocusPolicy(defend="at-risk")
    now = at(MONDAY, 0) - timedelta(hours=3)
    # Monday is free (4 h possible), Tuesday to Friday only 09:00-11:30 (2.5 h each): 14 h possible
    result = plan(busy_from(11, 30, days=range(1, 5)), WEEK, HOURS, policy, now)
    by_day = {b.start.date().weekday(): b for b in result.blocks}
    assert sorted(by_day) == [0, 1, 2, 3, 4]
    # losing Friday's block leaves 11.5 h: it is held; after that every loss would drop below 10 h,
    # except Monday's, whose day has 6 more free hours to replace it
    assert [by_day[d].defended for d in range(5)] == [False, True, True, True, False]
    assert by_day[1].why == "defended: without it the week could reach only 9 h of its 10 h target"
    [week] = result.weeks
    assert (week.target_hours, week.reachable_hours, week.held, week.defended) == (10, 14, 2, 3)


def test_turning_a_held_block_busy_is_a_change_of_transparency_not_a_move():
    start, end = at(MONDAY, 9 * 60), at(MONDAY, 11 * 60)
    held = Event("guardian-1@guardian", start, end, own_block=True, busy=False, title="Focus time")
    [op] = reconcile([Block(start, end, defended=True)], [held], start - timedelta(days=1))
    assert op.kind is OpKind.DEFEND and op.existing is held
    defended = held.with_(busy=True)
    [op] = reconcile([Block(start, end, defended=False)], [defended], start - timedelta(days=1))
    assert op.kind is OpKind.HOLD
    [op] = reconcile([Block(start, end, defended=True)], [defended], start - timedelta(days=1))
    assert op.kind is OpKind.KEEP


def _config(tmp_path, ics, focus: str) -> object:
    config = tmp_path / "guardian.toml"
    config.write_text(
        f'me = "me@acme.example"\ntimezone = "Europe/Berlin"\nstate = "{tmp_path / "state.sqlite3"}"\n'
        f'[calendars.work]\nsource = "ics:{ics.name}"\n[focus]\noutput = "blocks.ics"\n{focus}',
        encoding="utf-8",
    )
    return config


def test_focus_plan_shows_held_and_defended_blocks_and_why(cli, tmp_path):
    ics = write_ics(tmp_path, vevent("Sync", "2026-11-30 09:00"))
    config = _config(tmp_path, ics, 'defend = "at-risk"\n')
    common = ["--config", config, "--from", "2026-11-30", "--now", "2026-11-29T20:00:00+01:00"]
    table = cli("focus", "plan", *common)
    assert table.code == 0, table.err
    assert "H focus block, held (free)" in table.out and "Defended or held, and why:" in table.out
    assert "held: if it were taken, the week could still reach 10 h of focus" in table.out
    assert "09:30-11:30 held" in table.out
    doc = json.loads(cli("focus", "plan", *common, "--format", "json").out)
    assert {b["defended"] for b in doc["blocks"]} == {False}
    assert doc["weeks"] == [
        {"monday": "2026-11-30", "target_hours": 10.0, "reachable_hours": 20.0, "held": 5, "defended": 0}
    ]
    # booked free: the block file says TRANSP:TRANSPARENT, and the next run keeps them
    applied = cli("focus", "apply", *common)
    assert applied.code == 0, applied.err and "5 created" in applied.out
    text = (tmp_path / "blocks.ics").read_text()
    assert text.count("TRANSP:TRANSPARENT") == 5 and "TRANSP:OPAQUE" not in text
    again = cli("focus", "apply", *common)
    assert "0 created, 0 moved, 0 deleted, 5 unchanged" in again.out


def test_a_meeting_that_lands_makes_the_rest_defended_in_place(cli, tmp_path):
    sync = vevent("Sync", "2026-11-30 09:00")
    ics = write_ics(tmp_path, sync)
    config = _config(tmp_path, ics, 'defend = "at-risk"\nweekly_target_hours = 12\n')
    common = ["--config", config, "--from", "2026-11-30", "--now", "2026-11-29T20:00:00+01:00"]
    assert cli("focus", "apply", *common).code == 0
    # the week fills up: meetings from 11:30 on Tuesday to Friday leave 14 h of 20 h reachable
    later = [vevent(f"Workshop {d}", f"2026-12-0{d} 11:30", minutes=330) for d in (1, 2, 3, 4)]
    ics.write_text(ics.read_text().replace("END:VCALENDAR", "\r\n".join(later) + "\r\nEND:VCALENDAR"))
    result = cli("focus", "apply", *common)
    assert result.code == 0, result.err
    assert "defend focus block" in result.out and "switched (held/defended)" in result.out
    assert " moved" in result.out and "0 moved" in result.out  # nothing moved: free/busy changed in place
    text = (tmp_path / "blocks.ics").read_text()
    assert "TRANSP:OPAQUE" in text


def test_a_bad_defend_value_names_the_key(cli, tmp_path):
    ics = write_ics(tmp_path, vevent("Sync", "2026-11-30 09:00"))
    config = _config(tmp_path, ics, 'defend = "sometimes"\n')
    result = cli("focus", "plan", "--config", config)
    assert result.code == 2 and f"{config}:8: focus.defend" in result.err and "always, at-risk" in result.err


def test_with_defend_always_the_plan_says_so_in_the_settings_words(cli, tmp_path):
    ics = write_ics(tmp_path, vevent("Sync", "2026-11-30 09:00"))
    config = _config(tmp_path, ics, "")
    table = cli(
        "focus", "plan", "--config", config, "--from", "2026-11-30", "--now", "2026-11-29T20:00:00+01:00"
    )
    assert table.code == 0, table.err
    assert 'Mon 30 Nov 09:30-11:30  defended: [focus] defend = "always"' in table.out

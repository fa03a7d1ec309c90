"""The focus planner on the cases a user meets: DST, new meetings, the past, full days."""

import json
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from guardian.cli.app import main
from guardian.core.availability import FocusPolicy
from guardian.core.model import Attendee, Block, Event, EventKind, OpKind, Status, Window
from guardian.core.workhours import WorkingHours
from guardian.domain.focus import plan, reconcile

TZ = ZoneInfo("Europe/Berlin")
PEOPLE = (Attendee("me@x.example", status=Status.ACCEPTED), Attendee("you@x.example"))


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), TZ)


def meeting(day, start, end, **kw) -> Event:
    return Event(
        uid=kw.pop("uid", f"m-{day}-{start}"),
        start=at(day, *start),
        end=at(day, *end),
        title=kw.pop("title", "Meeting"),
        attendees=PEOPLE,
        my_status=kw.pop("my_status", Status.ACCEPTED),
        **kw,
    )


def window(first: date, days: int = 1) -> Window:
    return Window(at(first, 0), at(first + timedelta(days=days), 0))


#: a weekly target high enough that every day gets its daily cap: what one day alone shows
EVERY_DAY_FULL = FocusPolicy(weekly_target_hours=40)


def blocks_of(events, first, days=1, policy=EVERY_DAY_FULL, now=None, hours=None):
    hours = hours or WorkingHours.from_spec(TZ)
    return plan(events, window(first, days), hours, policy, now or at(first, 0) - timedelta(days=1)).blocks


@pytest.mark.parametrize("day", [date(2026, 3, 29 + 1), date(2026, 10, 26)])
def test_dst_week_days_still_get_full_blocks(day):
    # the Monday after each DST change, and a 23 h / 25 h Sunday with weekend hours
    hours = WorkingHours.from_spec(TZ, {"sunday": "00:00-23:59"})
    sunday = day - timedelta(days=1)
    got = blocks_of(
        [], sunday, days=2, hours=hours, policy=FocusPolicy(daily_cap_hours=4, weekly_target_hours=40)
    )
    # real elapsed time, not wall clock: on the DST Sunday the 4 h block ends at 05:00 or 03:00
    assert [b.minutes for b in got] == [240, 240]
    first = got[0]
    assert first.start.date() == sunday and first.start.hour == 0
    assert first.end.hour == (5 if sunday.month == 3 else 3)


def test_a_meeting_outside_work_hours_does_not_block_and_a_full_day_gets_none():
    monday = date(2026, 11, 30)
    full = [
        meeting(monday, (9 + 2 * i, 0), (9 + 2 * i, 45 + 30 * (i % 2) if i % 2 == 0 else 30))
        for i in range(4)
    ]
    # 09:00-09:45, 11:00-11:30, 13:00-13:45, 15:00-15:30: longest gap 1h30 < 2h
    assert blocks_of(full, monday) == ()
    evening = [meeting(monday, (19, 0), (20, 0))]
    assert blocks_of(evening, monday)  # a free working day gets a block


def test_block_is_moved_when_a_meeting_lands_on_it():
    monday = date(2026, 11, 30)
    first = blocks_of([], monday)
    assert first == (Block(at(monday, 9), at(monday, 13)),)
    own = Event(
        uid="guardian-1@guardian", start=first[0].start, end=first[0].end, own_block=True, title="Focus time"
    )
    new_meeting = meeting(monday, (10, 0), (11, 0))
    replanned = blocks_of([own, new_meeting], monday)
    assert replanned == (Block(at(monday, 11), at(monday, 15)),)
    ops = reconcile(list(replanned), [own], at(monday, 0) - timedelta(days=1))
    assert [op.kind for op in ops] == [OpKind.MOVE]
    assert ops[0].existing is own


def test_started_blocks_are_never_touched_and_nothing_is_planned_before_now():
    monday = date(2026, 11, 30)
    own = Event(
        uid="guardian-1@guardian", start=at(monday, 9), end=at(monday, 11), own_block=True, title="Focus time"
    )
    now = at(monday, 10, 7)
    got = plan([own], window(monday), WorkingHours.from_spec(TZ), EVERY_DAY_FULL, now)
    assert all(b.start >= now for b in got.blocks)
    # the started block counts: 2 h of the 4 h cap are used, so only 2 h more
    assert sum(b.minutes for b in got.blocks) == 120
    ops = reconcile(list(got.blocks), [own], now)
    assert all(op.existing is not own for op in ops)


def test_days_off_and_free_all_day_events():
    monday = date(2026, 11, 30)
    ooo = Event(
        uid="ooo", start=at(monday, 0), end=at(monday + timedelta(days=1), 0), all_day=True, title="Vacation"
    )
    assert blocks_of([ooo], monday) == ()
    holiday_free = ooo.with_(busy=False, title="Release freeze")
    assert blocks_of([holiday_free], monday)
    timed_ooo = Event(
        uid="ooo2", start=at(monday, 0), end=at(monday, 23), kind=EventKind.OUT_OF_OFFICE, title="Away"
    )
    assert blocks_of([timed_ooo], monday) == ()


def test_declined_free_and_cancelled_meetings_do_not_block():
    monday = date(2026, 11, 30)
    events = [
        meeting(monday, (9, 0), (17, 0), uid="a", my_status=Status.DECLINED),
        meeting(monday, (9, 0), (17, 0), uid="b", busy=False),
        meeting(monday, (9, 0), (17, 0), uid="c", cancelled=True),
    ]
    assert blocks_of(events, monday) == (Block(at(monday, 9), at(monday, 13)),)
    tentative = meeting(monday, (9, 0), (17, 0), uid="d", my_status=Status.TENTATIVE)
    assert blocks_of([tentative], monday) == ()


def test_per_day_hours_caps_and_preferences():
    monday = date(2026, 11, 30)
    hours = WorkingHours.from_spec(TZ, {"monday": "13:00-18:00", "tuesday": "off"})
    got = blocks_of([], monday, days=2, hours=hours)
    assert got == (Block(at(monday, 13), at(monday, 17)),)
    late = blocks_of([], monday, policy=FocusPolicy(prefer="late", daily_cap_hours=2, weekly_target_hours=40))
    assert late == (Block(at(monday, 15), at(monday, 17)),)
    # the weekly target stops blocks once reached; every day first gets its 2 h
    week = blocks_of([], monday, days=5, policy=FocusPolicy(weekly_target_hours=10, daily_cap_hours=4))
    assert [b.minutes for b in week] == [120] * 5


def test_user_focus_time_counts_toward_the_caps():
    monday = date(2026, 11, 30)
    mine = Event(uid="f", start=at(monday, 9), end=at(monday, 12), kind=EventKind.FOCUS, title="Deep work")
    got = blocks_of([mine], monday)
    assert sum(b.minutes for b in got) == 60 or got == ()  # 3 h of 4 h used: a 1 h rest is below the minimum
    assert got == ()


def _cli(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_apply_writes_a_separate_tagged_file_and_is_idempotent(tmp_path, capsys):
    source = tmp_path / "work.ics"
    source.write_text(
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//t//EN\n"
        "BEGIN:VEVENT\nUID:m1\nDTSTAMP:20261101T000000Z\nDTSTART;TZID=Europe/Berlin:20261130T100000\n"
        "DTEND;TZID=Europe/Berlin:20261130T110000\nSUMMARY:Sync\nORGANIZER:mailto:a@x.example\n"
        "ATTENDEE;PARTSTAT=ACCEPTED:mailto:me@x.example\nATTENDEE:mailto:a@x.example\nEND:VEVENT\n"
        "BEGIN:VEVENT\nUID:mine\nDTSTAMP:20261101T000000Z\nDTSTART;TZID=Europe/Berlin:20261130T140000\n"
        "DTEND;TZID=Europe/Berlin:20261130T160000\nSUMMARY:Focus time\nEND:VEVENT\n"
        "END:VCALENDAR\n"
    )
    before = source.read_bytes()
    out_file = tmp_path / "blocks.ics"
    state = tmp_path / "state.sqlite3"
    cfg = tmp_path / "g.toml"
    cfg.write_text(f'me = "me@x.example"\ntimezone = "Europe/Berlin"\nstate = "{state}"\n')
    args = [
        "focus",
        "apply",
        "--config",
        str(cfg),
        "-c",
        str(source),
        "--from",
        "2026-11-30",
        "--days",
        "1",
        "--now",
        "2026-11-29T20:00:00+01:00",
        "--output",
        str(out_file),
    ]
    code, out, err = _cli(capsys, *args)
    assert code == 0, err
    assert "1 created" in out
    assert source.read_bytes() == before  # the source is never rewritten
    text = out_file.read_text()
    assert "X-GUARDIAN-TAG:focus-block" in text and "SUMMARY:Focus time" in text and "VALARM" not in text
    assert "CLASS:PRIVATE" in text
    code, out, err = _cli(capsys, *args)
    assert code == 0 and "0 created, 0 moved, 0 deleted, 1 unchanged" in out
    # the user's own "Focus time" (not ours) is busy time, never touched, never duplicated
    code, out, _ = _cli(capsys, *(args[:2] + args[2:]), "--format", "json")
    doc = json.loads(out)
    # the week's 10 h go to five 2 h blocks: Monday shows its share, --days 1 or not
    assert [(b["start"], b["end"]) for b in doc["blocks"]] == [
        ("2026-11-30T11:00:00+01:00", "2026-11-30T13:00:00+01:00")
    ]


def test_plan_writes_nothing_and_json_has_blocks(tmp_path, capsys):
    source = tmp_path / "empty.ics"
    source.write_text("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//t//EN\nEND:VCALENDAR\n")
    out_file = tmp_path / "blocks.ics"
    code, out, err = _cli(
        capsys,
        "focus",
        "plan",
        "-c",
        str(source),
        "--tz",
        "Europe/Berlin",
        "--from",
        "2026-11-30",
        "--days",
        "7",
        "--now",
        "2026-11-29T20:00:00+01:00",
        "--output",
        str(out_file),
        "--format",
        "json",
        "--config",
        str(tmp_path / "none.toml"),
    )
    assert code == 2 and "none.toml" in err  # a named config that does not exist is an error
    code, out, err = _cli(
        capsys,
        "focus",
        "plan",
        "-c",
        str(source),
        "--tz",
        "Europe/Berlin",
        "--from",
        "2026-11-30",
        "--days",
        "7",
        "--now",
        "2026-11-29T20:00:00+01:00",
        "--output",
        str(out_file),
        "--format",
        "json",
    )
    assert code == 0, err
    doc = json.loads(out)
    assert len(doc["blocks"]) == 5 and not out_file.exists()
    assert {op["op"] for op in doc["ops"]} == {"create"}


def test_nightly_is_quiet_when_nothing_changes_and_honours_the_lock(tmp_path, capsys):
    source = tmp_path / "work.ics"
    source.write_text("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//t//EN\nEND:VCALENDAR\n")
    cfg = tmp_path / "g.toml"
    cfg.write_text(
        f'timezone = "Europe/Berlin"\nstate = "{tmp_path}/state.sqlite3"\n'
        f'[calendars.work]\nsource = "ics:{source}"\n[focus]\noutput = "{tmp_path}/blocks.ics"\n'
    )
    base = ["nightly", "--config", str(cfg), "--now", "2026-11-29T22:00:00+01:00"]
    code, out, err = _cli(capsys, *base)
    assert code == 0 and "would create" in out and not (tmp_path / "blocks.ics").exists()
    code, out, err = _cli(capsys, *base, "--apply")
    assert code == 0 and out.count("create focus block") == 5
    code, out, err = _cli(capsys, *base, "--apply")
    assert code == 0 and out == "" and err == ""
    from guardian.adapters.lock import lock_path, run_lock

    with run_lock(lock_path(tmp_path / "state.sqlite3")):
        # a second run while the first holds the lock fails cleanly; its dry run needs no lock
        code, out, err = _cli(
            capsys,
            "focus",
            "apply",
            "--config",
            str(cfg),
            "--from",
            "2026-12-07",
            "--now",
            "2026-11-29T22:00:00+01:00",
        )
        assert code == 2 and "another guardian run is in progress" in err


def test_blocks_on_a_second_calendar_count_as_focus_and_are_never_moved(tmp_path, capsys):
    # the second calendar carries a guardian block (from an earlier apply there): 09:00-13:00
    first = tmp_path / "work.ics"
    first.write_text("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//t//EN\nEND:VCALENDAR\n")
    second = tmp_path / "other.ics"
    second.write_text(
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//t//EN\n"
        "BEGIN:VEVENT\nUID:guardian-1@guardian\nDTSTAMP:20261101T000000Z\n"
        "DTSTART;TZID=Europe/Berlin:20261130T090000\nDTEND;TZID=Europe/Berlin:20261130T130000\n"
        "SUMMARY:Focus time\nX-GUARDIAN-TAG:focus-block\nEND:VEVENT\nEND:VCALENDAR\n"
    )
    code, out, err = _cli(
        capsys,
        "focus",
        "plan",
        "-c",
        str(first),
        "-c",
        str(second),
        "--tz",
        "Europe/Berlin",
        "--from",
        "2026-11-30",
        "--days",
        "1",
        "--now",
        "2026-11-29T20:00:00+01:00",
        "--output",
        str(tmp_path / "blocks.ics"),
        "--format",
        "json",
    )
    assert code == 0, err
    doc = json.loads(out)
    assert doc["blocks"] == []  # the day's 4 h cap is already used by the block on the other calendar
    assert all(op["existing"] is None for op in doc["ops"])


def test_a_day_with_guardians_block_has_its_focus_block_whatever_the_events_kind():
    # Google refuses native focus time on some calendars; the block is then a plain busy event
    from guardian.lint.context import AuditContext
    from guardian.lint.engine import audit
    from guardian.lint.pack import load_rulebook

    monday = date(2026, 11, 30)
    busy_block = Event(uid="g1", start=at(monday, 9), end=at(monday, 13), title="Focus time", own_block=True)
    meetings = [meeting(monday, (13, 0), (14, 0)), meeting(monday, (15, 0), (16, 0), uid="m2")]
    book = load_rulebook()
    ctx = AuditContext(
        window(monday),
        TZ,
        WorkingHours.from_spec(TZ),
        at(monday, 0),
        [busy_block, *meetings],
        book.exemptions,
    )
    assert "F001" not in {f.rule for f in audit(book, ctx).findings}


def test_audit_and_planner_agree_that_a_short_out_of_office_is_not_free_time():
    # Google marks an out-of-office of any length; 09:00-11:00 away leaves 11:00-17:00
    from guardian.lint.context import AuditContext

    monday = date(2026, 11, 30)
    away = Event(
        uid="ooo", start=at(monday, 9), end=at(monday, 11), kind=EventKind.OUT_OF_OFFICE, title="Dentist"
    )
    ctx = AuditContext(window(monday), TZ, WorkingHours.from_spec(TZ), at(monday, 0), [away])
    assert monday not in ctx.days_off
    assert ctx.availability.focus_slots(monday, 120) == [(at(monday, 11), at(monday, 17))]
    assert blocks_of([away], monday) == (Block(at(monday, 11), at(monday, 15)),)


def test_the_block_file_may_not_be_a_calendar_guardian_reads(tmp_path, capsys):
    source = tmp_path / "work.ics"
    source.write_text("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//t//EN\nEND:VCALENDAR\n")
    before = source.read_bytes()
    code, out, err = _cli(
        capsys,
        "focus",
        "apply",
        "-c",
        str(source),
        "--output",
        str(source),
        "--now",
        "2026-11-29T22:00:00+01:00",
    )
    assert code == 2 and "never rewrites it" in err and "Traceback" not in err
    assert source.read_bytes() == before

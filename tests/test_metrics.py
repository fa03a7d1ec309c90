"""Every report metric on small hand-built calendars whose answers are known.

Days are Mon 2 Mar 2026 onward in Europe/Berlin with the default working
hours (09:00-17:00, Monday to Friday), a 2 h focus minimum and a 10 h weekly
target, unless a test says otherwise.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from guardian.core.availability import FocusPolicy
from guardian.core.model import Attendee, Event, EventKind, Link, LinkKind, Status, Window
from guardian.core.workhours import WorkingHours
from guardian.domain.metrics import (
    MetricParams,
    aggregate,
    by_week,
    day_metrics,
    top_series,
    trend,
    trend_weeks,
)
from guardian.lint.context import AuditContext
from guardian.lint.pack import load_rulebook

TZ = ZoneInfo("Europe/Berlin")
MON = date(2026, 3, 2)
ME = "me@acme.example"
PEOPLE = (
    "bob@acme.example",
    "carol@acme.example",
    "dave@acme.example",
    "erin@acme.example",
    "finn@acme.example",
)


def at(day: date, hhmm: str) -> datetime:
    h, m = (int(x) for x in hhmm.split(":"))
    return datetime.combine(day, time(h, m), tzinfo=TZ)


def event(title: str, day: date, start: str, end: str, *, people: int = 3, **kw) -> Event:
    attendees = (Attendee(ME, status=Status.ACCEPTED),) + tuple(
        Attendee(email, status=Status.ACCEPTED) for email in PEOPLE[: people - 1]
    )
    kw.setdefault("uid", f"{title}-{day}-{start}")
    return Event(start=at(day, start), end=at(day, end), title=title, attendees=attendees, **kw)


def context(events: list[Event], first: date = MON, days: int = 7, rulebook=None) -> AuditContext:
    book = rulebook or load_rulebook()
    return AuditContext(
        window=Window(
            datetime.combine(first, time(0), tzinfo=TZ),
            datetime.combine(first + timedelta(days=days), time(0), tzinfo=TZ),
        ),
        tz=TZ,
        hours=WorkingHours.from_spec(TZ),
        now=at(first, "08:00"),
        events=events,
        exemptions=book.exemptions,
        me=ME,
    )


def params(rulebook=None, **kw) -> MetricParams:
    return MetricParams.from_rulebook(rulebook or load_rulebook(), FocusPolicy(**kw))


def monday(events: list[Event], **kw):
    return day_metrics(context(events), params(**kw), [MON])[0]


# --- focus and fragmentation ----------------------------------------------------


def test_free_time_splits_into_focus_blocks_and_fragments():
    # free: 09-10 (1 h, too short), 11-13 (2 h), 13:30-17 (3.5 h)
    day = monday([event("Review", MON, "10:00", "11:00"), event("Planning", MON, "13:00", "13:30")])
    assert day.working_hours == 8
    assert (day.focus_hours, day.focus_blocks) == (5.5, 2)
    assert (day.fragmented_hours, day.fragments) == (1.0, 1)


def test_a_shorter_focus_minimum_turns_fragments_into_focus():
    day = monday(
        [event("Review", MON, "10:00", "11:00"), event("Planning", MON, "13:00", "13:30")], min_minutes=60
    )
    assert (day.focus_hours, day.fragmented_hours) == (6.5, 0)


def test_own_focus_events_count_as_focus_not_busy():
    booked = event("Focus time", MON, "11:00", "13:00", people=1, kind=EventKind.FOCUS)
    guardian_block = event("Deep work", MON, "14:00", "16:00", people=1, own_block=True)
    day = monday([event("Review", MON, "10:00", "11:00"), booked, guardian_block])
    assert day.focus_hours == 6  # 11:00-17:00 is one uninterrupted stretch
    assert day.booked_focus_hours == 4
    assert day.meetings == 1  # focus events are not meetings


def test_a_solo_busy_appointment_breaks_focus_but_is_not_a_meeting():
    day = monday([event("Dentist", MON, "12:00", "13:00", people=1)])
    assert (day.focus_hours, day.fragmented_hours) == (7, 0)  # 09-12 and 13-17
    assert (day.meetings, day.meeting_hours) == (0, 0)


def test_declined_cancelled_and_free_events_leave_the_time_free():
    day = monday(
        [
            event("Declined", MON, "10:00", "11:00", my_status=Status.DECLINED),
            event("Cancelled", MON, "12:00", "13:00", cancelled=True),
            event("FYI", MON, "14:00", "15:00", busy=False),
        ]
    )
    assert (day.focus_hours, day.meetings) == (8, 0)


def test_a_day_off_has_no_focus_and_is_not_a_workday_without_a_block():
    ooo = Event(
        uid="ooo",
        start=at(MON, "00:00"),
        end=at(MON + timedelta(days=1), "00:00"),
        title="Vacation",
        all_day=True,
        kind=EventKind.OUT_OF_OFFICE,
    )
    days = day_metrics(context([ooo]), params(), [MON, MON + timedelta(days=1)])
    assert days[0].day_off and not days[0].workday
    assert (days[0].focus_hours, days[0].fragmented_hours) == (0, 0)
    totals = aggregate(days, params())
    assert totals.workdays == 1 and totals.workdays_without_block == 0


def test_a_workday_without_a_two_hour_gap_is_counted():
    meetings = [event(f"M{i}", MON, f"{h}:30", f"{h + 1}:00") for i, h in enumerate(range(9, 17))]
    day = monday(meetings)
    assert day.focus_hours == 0 and day.fragments == 8
    assert aggregate([day], params()).workdays_without_block == 1


def test_weekend_has_no_working_time():
    sat = MON + timedelta(days=5)
    day = day_metrics(context([event("Hackathon", sat, "10:00", "16:00")]), params(), [sat])[0]
    assert not day.workday and day.focus_hours == 0 and day.fragmented_hours == 0
    assert day.meetings == 1 and day.after_hours_meetings == 1


def test_focus_hours_agree_with_the_audit():
    events = [event("Standup", MON + timedelta(days=d), "09:30", "09:45") for d in range(5)] + [
        event("Review", MON + timedelta(days=1), "13:00", "14:30"),
        event("Lunch talk", MON + timedelta(days=2), "12:00", "13:00"),
        event("Focus", MON + timedelta(days=3), "10:00", "12:00", people=1, kind=EventKind.FOCUS),
        event("Offsite prep", MON + timedelta(days=4), "11:00", "16:00"),
    ]
    ctx = context(events)
    totals = aggregate(day_metrics(ctx, params()), params())
    assert totals.focus_hours == pytest.approx(ctx.focus_hours(120))
    # Mon 09:45-17; Tue 09:45-13, 14:30-17; Wed 09:45-12, 13-17; Thu 09:45-17 (the focus event
    # is not busy); Fri 09:45-11 and 16-17 are too short
    assert totals.focus_hours == pytest.approx(7.25 + 5.75 + 6.25 + 7.25)


# --- meeting load ---------------------------------------------------------------


def test_overlapping_meetings_count_twice_but_their_hours_once():
    day = monday([event("A", MON, "10:00", "11:00"), event("B", MON, "10:30", "11:30")])
    assert day.meetings == 2
    assert day.meeting_hours == 1.5


def test_pre_read_decision_and_sent_ahead_shares():
    doc = (Link("https://docs.google.com/document/d/x", LinkKind.DOC),)
    start = at(MON, "10:00")
    events = [
        event(
            "Pricing",
            MON,
            "10:00",
            "11:00",
            links=doc,
            description="Decide which plan we launch with.",
            created=start - timedelta(hours=48),
        ),
        event(
            "Roadmap",
            MON,
            "11:00",
            "12:00",
            description="Walk through the roadmap together",
            links=(Link("https://meet.google.com/abc", LinkKind.CONFERENCE),),
            created=at(MON, "08:00"),
        ),  # 3 h ahead: late
        event("Retro", MON, "14:00", "15:00"),  # no creation time known
    ]
    totals = aggregate([monday(events)], params())
    assert (totals.with_pre_read, totals.pre_read_share) == (1, pytest.approx(1 / 3))
    assert (totals.with_decision, totals.decision_share) == (1, pytest.approx(1 / 3))
    assert (totals.sent_ahead, totals.sent_late, totals.sent_unknown) == (1, 1, 1)
    assert totals.sent_ahead_share == pytest.approx(0.5)  # unknown left out


def test_exactly_24_hours_ahead_counts_as_ahead():
    start = at(MON, "10:00")
    day = monday([event("Plan", MON, "10:00", "11:00", created=start - timedelta(hours=24))])
    assert (day.sent_ahead, day.sent_late) == (1, 0)


def test_no_meetings_means_no_share_rather_than_zero():
    totals = aggregate([monday([])], params())
    assert totals.pre_read_share is None and totals.sent_ahead_share is None


def test_status_hours_use_the_packs_keywords_and_skip_exempt_meetings():
    events = [
        event("Platform standup", MON, "09:30", "09:45"),
        event("Weekly status update", MON, "15:00", "16:00"),
        event("Bob / me sync", MON, "12:00", "12:30", people=2),  # a 1:1: exempt
        event("Design review", MON, "13:00", "14:00"),
    ]
    day = monday(events)
    assert day.status_meetings == 2
    assert day.status_hours == 1.25


def test_status_keywords_come_from_the_rule_pack(tmp_path):
    pack = tmp_path / "team.toml"
    pack.write_text('extends = "default"\n[rules.S001.params]\nkeywords = ["huddle"]\n')
    book = load_rulebook(pack)
    events = [
        event("Morning huddle", MON, "09:30", "10:00"),
        event("Platform standup", MON, "10:00", "10:15"),
    ]
    day = day_metrics(context(events, rulebook=book), params(book), [MON])[0]
    assert (day.status_meetings, day.status_hours) == (1, 0.5)


def test_without_a_status_rule_status_is_not_measured(tmp_path):
    pack = tmp_path / "team.toml"
    pack.write_text('extends = "default"\ndisable = ["status-meeting"]\n')
    book = load_rulebook(pack)
    p = params(book)
    assert p.status_rule is None
    day = day_metrics(context([event("Platform standup", MON, "10:00", "10:15")], rulebook=book), p, [MON])[0]
    assert day.status_meetings == 0


def test_after_hours_meetings_count_and_hours():
    day = monday(
        [
            event("APAC call", MON, "19:00", "20:00"),
            event("Runs over", MON, "16:30", "17:30"),
            event("Inside", MON, "10:00", "11:00"),
        ]
    )
    assert (day.after_hours_meetings, day.after_hours_hours) == (2, 2)


# --- series, weeks and the trend -----------------------------------------------


def test_recurring_series_ranked_by_people_times_hours():
    weekly = [
        event(
            "Planning", MON + timedelta(weeks=w), "10:00", "11:00", people=5, uid="planning", recurring=True
        )
        for w in range(2)
    ]
    daily = [
        event("Standup", MON + timedelta(days=d), "09:30", "09:45", people=3, uid="standup", recurring=True)
        for d in list(range(5)) + list(range(7, 12))
    ]
    one_off = [event("Kickoff", MON, "14:00", "16:00", people=5)]
    days = day_metrics(context(weekly + daily + one_off, days=14), params())
    ranked = top_series(days)
    assert [c.title for c in ranked] == ["Planning", "Standup"]  # one-off meetings are not series
    assert (ranked[0].instances, ranked[0].hours, ranked[0].person_hours) == (2, 2, 10)
    assert (ranked[1].instances, ranked[1].hours, ranked[1].person_hours) == (10, 2.5, 7.5)
    assert top_series(days, limit=1)[0].uid == "planning"


def test_weeks_are_monday_to_sunday_and_the_target_is_prorated():
    ctx = context([], first=MON + timedelta(days=3), days=7)  # Thursday to Wednesday
    p = params()
    weeks = by_week(day_metrics(ctx, p), p)
    assert [(w.first, w.last, w.days) for w in weeks] == [
        (date(2026, 3, 5), date(2026, 3, 8), 4),
        (date(2026, 3, 9), date(2026, 3, 11), 3),
    ]
    assert [round(w.focus_target_hours, 2) for w in weeks] == [round(10 * 4 / 7, 2), round(10 * 3 / 7, 2)]
    assert weeks[0].focus_hours == 16  # Thursday and Friday, empty


def test_the_trend_has_one_entry_per_week_ending_with_the_last_day():
    spans = trend_weeks(date(2026, 3, 18), 3)  # a Wednesday
    assert spans == [
        (date(2026, 3, 2), date(2026, 3, 8)),
        (date(2026, 3, 9), date(2026, 3, 15)),
        (date(2026, 3, 16), date(2026, 3, 22)),
    ]
    busy_week = [event("Offsite", MON + timedelta(days=d), "09:00", "17:00") for d in range(7, 12)]
    ctx = context(busy_week, days=21)
    p = params()
    weeks = trend(day_metrics(ctx, p), p, spans)
    assert [w.focus_hours for w in weeks] == [40, 0, 40]
    assert [w.meeting_hours for w in weeks] == [0, 40, 0]
    assert all(w.focus_target_hours == 10 for w in weeks)


def test_an_invite_created_after_it_started_has_no_known_send_time():
    # e.g. copied or imported into the calendar later: D002 does not call it late, nor does the report
    start = at(MON, "10:00")
    day = monday([event("Imported", MON, "10:00", "11:00", created=start + timedelta(days=3))])
    assert (day.sent_ahead, day.sent_late, day.sent_unknown) == (0, 0, 1)

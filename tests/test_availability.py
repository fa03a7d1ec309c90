"""One availability rule: the audit, the planner and the report count the same focus time.

The first two tests are the disagreements a new user found (the report had
its own copy of "busy", the audit never saw `[focus] min_minutes`); they run
the real command line. The property test then generates calendars and holds
the three readers of the same calendar to the same focus hours.
"""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guardian.core.availability import FocusPolicy
from guardian.core.model import Attendee, Event, EventKind, Status, Window
from guardian.core.workhours import WorkingHours
from guardian.domain.focus import plan
from guardian.domain.metrics import MetricParams, aggregate, day_metrics
from guardian.lint.context import AuditContext
from guardian.lint.engine import audit
from guardian.lint.pack import load_rulebook
from tests.conftest import ME, MONDAY, NOW, TZ, vevent, write_ics

ZONE = ZoneInfo(TZ)


def _focus_figures(cli, config, *more) -> tuple[float, float]:
    """(audit summary focus hours, report focus hours) for Monday 30 Nov only."""
    common = ["--config", str(config), "--from", str(MONDAY), "--days", "1", "--now", NOW, "--format", "json"]
    audited = cli("audit", *common, *more)
    assert audited.code == 0, audited.err
    reported = cli("report", *common, "--weeks", "0", *more)
    assert reported.code == 0, reported.err
    return json.loads(audited.out)["summary"]["focus_hours"], json.loads(reported.out)["totals"]["focus"][
        "hours"
    ]


def _config(tmp_path, ics, extra: str = ""):
    config = tmp_path / "guardian.toml"
    config.write_text(
        f'me = "{ME}"\ntimezone = "{TZ}"\n[calendars.work]\nsource = "ics:{ics.name}"\n{extra}',
        encoding="utf-8",
    )
    return config


def test_a_timed_out_of_office_is_busy_for_the_audit_and_the_report_alike(cli, tmp_path):
    # 3 h away in the morning of an 8 h day: 12:00-17:00 is left, minus a 1 h meeting at 13:00
    ics = write_ics(
        tmp_path,
        vevent(
            "Out of office",
            "2026-11-30 09:00",
            minutes=180,
            attendees=(),
            organizer=None,
            extra=("X-MICROSOFT-CDO-BUSYSTATUS:OOF",),
        ),
        vevent("Design review", "2026-11-30 13:00", minutes=60),
    )
    audit_hours, report_hours = _focus_figures(cli, _config(tmp_path, ics))
    assert audit_hours == report_hours == 3.0  # only 14:00-17:00 is 2 h or longer; the OOO is not focus


def test_the_focus_minimum_from_the_config_is_the_audits_and_the_reports(cli, tmp_path):
    # free pieces of 1.5 h and 2.5 h around two meetings: with a 60 min minimum both count
    ics = write_ics(
        tmp_path,
        vevent("Standup", "2026-11-30 09:00", minutes=60),
        vevent("Review", "2026-11-30 11:30", minutes=60),
        vevent("Planning", "2026-11-30 15:00", minutes=120),
    )
    config = _config(tmp_path, ics, "[focus]\nmin_minutes = 60\n")
    audit_hours, report_hours = _focus_figures(cli, config)
    assert audit_hours == report_hours == 1.5 + 2.5
    summary = json.loads(
        cli(
            "audit",
            "--config",
            config,
            "--from",
            str(MONDAY),
            "--days",
            "1",
            "--now",
            NOW,
            "--format",
            "json",
        ).out
    )["summary"]
    assert summary["focus_block_minutes"] == 60


# --- the property: any calendar, the same focus hours -------------------------------------------

FIRST = MONDAY
DAYS = 7
HOURS = WorkingHours.from_spec(ZONE, {"friday": "09:00-12:00, 13:00-17:00", "saturday": "10:00-14:00"})
KINDS = [EventKind.DEFAULT, EventKind.FOCUS, EventKind.OUT_OF_OFFICE]
STATUSES = [Status.ACCEPTED, Status.TENTATIVE, Status.DECLINED, Status.NEEDS_ACTION, Status.ORGANIZER]


@st.composite
def events(draw) -> list[Event]:
    out: list[Event] = []
    for n in range(draw(st.integers(0, 25))):
        day = FIRST + timedelta(days=draw(st.integers(-1, DAYS)))
        all_day = draw(st.booleans()) and draw(st.booleans())
        if all_day:
            start = datetime.combine(day, time(0), ZONE)
            end = start + timedelta(days=draw(st.integers(1, 2)))
        else:
            start = datetime.combine(day, time(0), ZONE) + timedelta(minutes=15 * draw(st.integers(20, 80)))
            end = start + timedelta(minutes=15 * draw(st.integers(1, 40)))
        out.append(
            Event(
                uid=f"e{n}",
                start=start,
                end=end,
                title=f"Event {n}",
                all_day=all_day,
                attendees=(Attendee(ME, status=Status.ACCEPTED), Attendee("bob@acme.example")),
                my_status=draw(st.sampled_from(STATUSES)),
                busy=draw(st.booleans()) or draw(st.booleans()),
                cancelled=draw(st.booleans()) and draw(st.booleans()) and draw(st.booleans()),
                kind=draw(st.sampled_from(KINDS)),
                own_block=draw(st.booleans()) and draw(st.booleans()) and draw(st.booleans()),
            )
        )
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events(), st.sampled_from([30, 60, 90, 120, 150]))
def test_audit_planner_and_report_agree_on_focus_hours(calendar, min_minutes):
    window = Window(
        datetime.combine(FIRST, time(0), ZONE), datetime.combine(FIRST + timedelta(days=DAYS), time(0), ZONE)
    )
    policy = FocusPolicy(min_minutes=min_minutes)
    book = load_rulebook()
    before = window.start - timedelta(days=7)  # nothing is in the past for the planner
    ctx = AuditContext(window, ZONE, HOURS, before, calendar, book.exemptions, ME, focus=policy)

    audited = audit(book, ctx).summary.focus_hours
    reported = aggregate(
        day_metrics(ctx, MetricParams.from_rulebook(book, policy)), MetricParams()
    ).focus_hours
    planned = plan(calendar, window, HOURS, policy, before)
    planner = sum((e - s).total_seconds() / 3600 for day in planned.days for s, e in day.focus_time)

    assert audited == round(reported, 2) == round(planner, 2)
    # and every block the planner books lies inside that focus time
    focus_time = [span for day in planned.days for span in day.focus_time]
    for block in planned.blocks:
        assert any(s <= block.start and block.end <= e for s, e in focus_time), block


def test_the_day_off_rule_is_shared(cli, tmp_path):
    """An all-day busy event is a day off everywhere: no F001, no focus hours, no block."""
    ics = write_ics(
        tmp_path,
        vevent("Offsite", "2026-11-30", end="2026-12-01", attendees=(), organizer=None, tzid=None),
    )
    config = _config(tmp_path, ics)
    audit_hours, report_hours = _focus_figures(cli, config)
    assert audit_hours == report_hours == 0
    planned = cli(
        "focus",
        "plan",
        "--config",
        config,
        "--from",
        str(MONDAY),
        "--days",
        "1",
        "--now",
        NOW,
        "--format",
        "json",
        "--output",
        tmp_path / "blocks.ics",
    )
    assert json.loads(planned.out)["blocks"] == []
    assert json.loads(planned.out)["days"][0]["off"] is True


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events(), st.sampled_from([30, 60, 120]))
def test_a_meetings_price_is_the_days_focus_without_it_minus_with_it(calendar, min_minutes):
    from guardian.core.availability import Availability, is_busy, local_days

    everyone = Availability(calendar, HOURS)
    for event in calendar:
        price = everyone.price(event, min_minutes)
        if not is_busy(event):
            assert price.hours == 0
            continue
        # the definition, worked out the long way: the same calendar without this meeting
        without = Availability([e for e in calendar if e is not event], HOURS)
        if without.off != everyone.off:
            continue  # the meeting itself makes a day off (an absence): not a meeting's price
        days = local_days(event.start, event.end, ZONE)
        expected = without.focus_hours(days, min_minutes) - everyone.focus_hours(days, min_minutes)
        assert abs(price.hours - expected) < 1e-9, (event, price, expected)

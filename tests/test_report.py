"""`guardian report` end to end: the window it picks, JSON shape, terminal and Markdown views.

Calendars are real .ics text read through the real source; the CLI runs
in-process through guardian.cli.app.main.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "guardian.toml"
ME = "me@acme.example"


def vevent(uid: str, title: str, start: str, end: str, *, attendees: int = 3, extra: str = "") -> str:
    people = [ME] + [f"p{i}@acme.example" for i in range(1, attendees)]
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        "DTSTAMP:20260101T000000Z",
        f"DTSTART;TZID=Europe/Berlin:{start}",
        f"DTEND;TZID=Europe/Berlin:{end}",
        f"SUMMARY:{title}",
        f"ORGANIZER:mailto:{people[1] if attendees > 1 else ME}",
    ]
    lines += [f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{p}" for p in people]
    if extra:
        lines += extra.splitlines()
    return "\n".join(lines + ["END:VEVENT"])


def write_ics(tmp_path: Path, *events: str) -> Path:
    path = tmp_path / "cal.ics"
    body = "\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", *events, "END:VCALENDAR", ""])
    path.write_text(body.replace("\n", "\r\n"))
    return path


@pytest.fixture
def guardian(cli):
    """Run `guardian ARGS...`; unpacks as (exit code, stdout, stderr). No user config leaks in."""
    return cli


def report_json(guardian, *args):
    code, out, err = guardian("report", *args, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def example(*more):
    return ("--config", EXAMPLE, *more)


# --- the window -------------------------------------------------------------------


def test_default_window_is_the_last_full_week_and_the_coming_one(guardian):
    doc = report_json(guardian, *example("--now", "2026-12-02T10:00:00+01:00"))  # a Wednesday
    assert doc["window"] == {"start": "2026-11-23T00:00:00+01:00", "end": "2026-12-07T00:00:00+01:00"}
    assert [(w["start"], w["end"], w["when"]) for w in doc["weeks"]] == [
        ("2026-11-23", "2026-11-29", "past"),
        ("2026-11-30", "2026-12-06", "current"),
    ]
    assert len(doc["days"]) == 14


def test_from_and_days_choose_the_window_and_weeks_the_trend(guardian):
    doc = report_json(
        guardian,
        *example("--from", "2026-11-30", "--days", "7", "--weeks", "3", "--now", "2026-11-27T17:00:00+01:00"),
    )
    assert doc["window"]["start"] == "2026-11-30T00:00:00+01:00"
    assert [d["day"] for d in doc["days"]] == [
        f"2026-{d}" for d in ("11-30", "12-01", "12-02", "12-03", "12-04", "12-05", "12-06")
    ]
    assert [w["start"] for w in doc["trend"]] == ["2026-11-16", "2026-11-23", "2026-11-30"]
    assert doc["trend"][-1]["when"] == "ahead"


def test_bad_weeks_is_a_usage_error(guardian):
    code, out, err = guardian("report", *example("--weeks", "-1"))
    assert code == 2
    assert "--weeks" in err and "Traceback" not in err


# --- JSON -------------------------------------------------------------------------


def test_json_shape(guardian):
    doc = report_json(guardian, *example("--from", "2026-11-30", "--now", "2026-12-05T18:00:00+01:00"))
    assert set(doc) == {
        "window",
        "now",
        "timezone",
        "data_from",
        "settings",
        "totals",
        "weeks",
        "days",
        "series",
        "focus_prices",
        "trend",
    }
    assert doc["data_from"] == "2026-10-19"  # the first week read (the trend's) has events
    assert doc["timezone"] == "Europe/Berlin"
    assert doc["settings"] == {
        "focus_block_minutes": 120,
        "weekly_focus_target_hours": 10,
        "pre_read_lead_hours": 24.0,
        "status_keywords_from": "S001",
    }
    totals_keys = {
        "start",
        "end",
        "days",
        "workdays",
        "has_data",
        "focus",
        "fragmented",
        "meetings",
        "pre_read",
        "decision_agenda",
        "sent_ahead",
        "status",
        "after_hours",
    }
    assert set(doc["totals"]) == totals_keys
    assert set(doc["totals"]["focus"]) == {
        "hours",
        "target_hours",
        "blocks",
        "workdays_without_block",
        "booked_hours",
        "available_hours",
    }
    assert set(doc["totals"]["sent_ahead"]) == {"count", "late", "unknown", "share"}
    for week in doc["weeks"] + doc["trend"]:
        assert set(week) == totals_keys | {"when"}
    assert set(doc["days"][0]) == {
        "day",
        "weekday",
        "workday",
        "day_off",
        "working_hours",
        "meetings",
        "meeting_hours",
        "focus_hours",
        "focus_blocks",
        "fragmented_hours",
        "fragments",
        "booked_focus_hours",
        "available_focus_hours",
        "has_data",
        "after_hours_meetings",
    }
    assert set(doc["series"][0]) == {"uid", "title", "instances", "hours", "max_attendees", "person_hours"}
    assert len(doc["trend"]) == 8


def test_the_reports_week_agrees_with_the_audit_of_that_week(guardian):
    args = ("--from", "2026-11-30", "--days", "7", "--now", "2026-11-27T17:00:00+01:00")
    code, out, _ = guardian("audit", *example(*args), "--format", "json")
    audit = json.loads(out)["summary"]
    week = report_json(guardian, *example(*args))["totals"]
    assert week["meetings"] == {"count": audit["meetings"], "hours": audit["meeting_hours"]}
    assert week["focus"]["hours"] == audit["focus_hours"] == 11
    assert week["pre_read"]["share"] == audit["with_pre_read"]
    assert week["decision_agenda"]["share"] == audit["with_decision_agenda"]
    assert week["workdays"] == 4  # Friday 4 Dec is a day off in the example
    assert week["focus"]["workdays_without_block"] == 2  # the audit's two F001 days
    assert week["after_hours"] == {"count": 1, "hours": 1}  # the 19:00 APAC check-in


def test_costliest_series_first(guardian):
    doc = report_json(
        guardian, *example("--from", "2026-11-30", "--days", "7", "--now", "2026-11-27T17:00:00+01:00")
    )
    top = doc["series"][0]
    assert top["title"] == "Platform daily standup"
    assert top["instances"] == 4  # Friday's instance is excluded (EXDATE)
    # 15 min each with six people, but Wednesday's moved instance invites only four
    assert (top["hours"], top["max_attendees"], top["person_hours"]) == (1, 6, 0.25 * (6 + 6 + 4 + 6))
    costs = [s["person_hours"] for s in doc["series"]]
    assert costs == sorted(costs, reverse=True)


def test_a_plain_ics_file_with_my_focus_block(guardian, tmp_path):
    cal = write_ics(
        tmp_path,
        vevent(
            "a",
            "Budget: pick a vendor",
            "20261201T100000",
            "20261201T110000",
            extra="DESCRIPTION:Decide which vendor we pick.\nCREATED:20261120T090000Z",
        ),
        vevent("b", "Late sync", "20261201T180000", "20261201T183000"),
        vevent(
            "f",
            "Focus time",
            "20261202T090000",
            "20261202T120000",
            attendees=1,
            extra="CATEGORIES:Focus time",
        ),
    )
    doc = report_json(
        guardian,
        "-c",
        cal,
        "--me",
        ME,
        "--tz",
        "Europe/Berlin",
        "--from",
        "2026-11-30",
        "--days",
        "7",
        "--weeks",
        "0",
        "--now",
        "2026-11-27T17:00:00+01:00",
    )
    t = doc["totals"]
    assert t["meetings"] == {"count": 2, "hours": 1.5}
    assert t["decision_agenda"] == {"count": 1, "share": 0.5}
    assert t["sent_ahead"] == {"count": 1, "late": 0, "unknown": 1, "share": 1.0}
    assert t["after_hours"] == {"count": 1, "hours": 0.5}
    assert t["status"] == {"count": 1, "hours": 0.5}  # "sync" is an S001 keyword
    # 5 x 8 h, less Tuesday's 10-11 meeting and the hour before it (too short for focus);
    # Wednesday's focus event is focus, not busy
    assert t["focus"]["hours"] == 38
    assert t["fragmented"] == {"hours": 1, "pieces": 1, "share_of_free": round(1 / 39, 3)}
    assert t["focus"]["booked_hours"] == 3
    assert doc["trend"] == []


# --- terminal and Markdown --------------------------------------------------------


def test_terminal_view_shows_bars_per_day_and_the_indicators(guardian):
    code, out, err = guardian(
        "report", *example("--from", "2026-11-30", "--days", "7", "--now", "2026-12-05T18:00:00+01:00")
    )
    assert code == 0, err
    lines = out.splitlines()
    monday = " ".join(next(line for line in lines if line.strip().startswith("Mon 30")).split())
    # piped, so no colour: one character per category (# meetings, F booked, + available, . fragmented)
    assert "#####+++++" in monday and "█" not in monday
    assert (
        "meet 1.25 h" in monday
        and "booked 0 h" in monday
        and "free 2h+ 5.25 h" in monday
        and "frag 1.5 h" in monday
    )
    assert "# meetings  F booked focus  + available for focus (free 2h+)  . fragmented" in out
    assert any("Fri 04" in line and "day off" in line for line in lines)
    assert (
        "Booked focus:" in out
        and "Available for focus:" in out
        and "11 h free in 2h+ blocks, not booked" in out
    )
    assert "11 h of 10 h" in out
    assert "15 meetings, 11.5 h" in out
    assert "Platform daily standup" in out
    assert "Trend" in out


def test_titles_are_shown_literally_not_as_markup(guardian, tmp_path):
    cal = write_ics(
        tmp_path,
        *(
            vevent(
                f"s{d}",
                "[bold]Weekly[/bold] | sync",
                f"202612{d:02d}T100000",
                f"202612{d:02d}T110000",
                extra="RRULE:FREQ=WEEKLY;COUNT=2",
            )
            for d in (1,)
        ),
    )
    args = (
        "-c",
        cal,
        "--me",
        ME,
        "--tz",
        "Europe/Berlin",
        "--from",
        "2026-11-30",
        "--days",
        "14",
        "--now",
        "2026-11-27T17:00:00+01:00",
    )
    code, out, _ = guardian("report", *args)
    assert code == 0 and "[bold]Weekly[/bold] | sync" in out
    code, md, _ = guardian("report", *args, "--format", "markdown")
    assert code == 0
    assert "| [bold]Weekly[/bold] \\| sync | 2 | 2 h | 3 | 6 h |" in md
    assert md.startswith("# guardian report: Mon 30 Nov - Sun 13 Dec 2026 (Europe/Berlin)")


def test_config_sets_window_weeks_trend_html_and_focus_targets(guardian, tmp_path):
    write_ics(tmp_path, vevent("a", "Planning", "20261201T100000", "20261201T113000"))
    config = tmp_path / "guardian.toml"
    config.write_text(
        'me = "me@acme.example"\ntimezone = "Europe/Berlin"\ncalendars_default = ["work"]\n'
        '[calendars.work]\nsource = "ics:cal.ics"\n'
        "[focus]\nmin_minutes = 90\nweekly_target_hours = 12\n"
        '[report]\nweeks = 1\ntrend_weeks = 3\nhtml = "reports/latest.html"\n'
    )
    code, out, err = guardian(
        "report", "--config", config, "--now", "2026-12-02T10:00:00+01:00", "--format", "json"
    )
    assert code == 0, err
    doc = json.loads(out)
    assert doc["window"]["start"] == "2026-11-30T00:00:00+01:00"  # one week: the one --now is in
    assert len(doc["days"]) == 7 and len(doc["trend"]) == 3
    assert doc["settings"]["focus_block_minutes"] == 90
    assert doc["totals"]["focus"]["target_hours"] == 12
    # Tuesday: 09:00-10:00 is too short, 11:30-17:00 is focus with a 90 min minimum
    tuesday = doc["days"][1]
    assert (tuesday["focus_hours"], tuesday["fragmented_hours"]) == (5.5, 1)
    assert (tmp_path / "reports" / "latest.html").exists()


def test_the_report_reads_a_google_calendar_like_any_other(guardian, tmp_path):
    """Only Session.read_events is used, so a provider works as an .ics file does (loopback fake)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from tests.fakes.google_calendar import FakeGoogleCalendar, write_token_file

    tz = ZoneInfo("Europe/Berlin")
    me = "me@example.com"

    def timed(day, hour, minute, end_hour, end_minute, **extra):
        return {
            "start": {"dateTime": datetime(2026, 12, day, hour, minute, tzinfo=tz).isoformat()},
            "end": {"dateTime": datetime(2026, 12, day, end_hour, end_minute, tzinfo=tz).isoformat()},
            **extra,
        }

    people = [
        {"email": me, "self": True, "responseStatus": "accepted"},
        {"email": "sam@example.com", "responseStatus": "accepted"},
        {"email": "kai@example.com", "responseStatus": "accepted"},
    ]
    with FakeGoogleCalendar(owner=me, tz="Europe/Berlin") as fake:
        for day in range(7, 12):
            fake.seed(timed(day, 9, 30, 9, 45, summary="Team standup", attendees=people))
        fake.seed(timed(8, 13, 0, 16, 0, summary="Focus", eventType="focusTime"))
        token = write_token_file(tmp_path / "google-token.json", fake)
        config = tmp_path / "guardian.toml"
        config.write_text(
            f'timezone = "Europe/Berlin"\nme = "{me}"\nstate = "{tmp_path}/state.sqlite3"\n'
            '[calendars.work]\nsource = "google:primary"\n'
            f'[google]\napi_endpoint = "{fake.api_endpoint}"\ntoken_file = "{token}"\n'
        )
        doc = report_json(
            guardian,
            "--config",
            config,
            "--from",
            "2026-12-07",
            "--days",
            "7",
            "--weeks",
            "0",
            "--now",
            "2026-12-06T21:30:00+01:00",
        )
    t = doc["totals"]
    assert t["meetings"] == {"count": 5, "hours": 1.25}
    assert t["status"] == {"count": 5, "hours": 1.25}
    assert t["focus"]["booked_hours"] == 3  # Google focusTime counts as focus...
    assert doc["days"][1]["focus_hours"] == 7.25  # ...and does not break Tuesday's free time


def test_terminal_escapes_in_titles_never_reach_the_terminal(guardian, tmp_path):
    hostile = "Sync \x1b[2J\x1b]0;pwned\x07 now"
    cal = write_ics(
        tmp_path,
        vevent("esc", hostile, "20261201T100000", "20261201T110000", extra="RRULE:FREQ=WEEKLY;COUNT=2"),
    )
    args = (
        "-c",
        cal,
        "--me",
        ME,
        "--tz",
        "Europe/Berlin",
        "--from",
        "2026-11-30",
        "--days",
        "14",
        "--now",
        "2026-11-27T17:00:00+01:00",
    )
    for fmt in ("table", "markdown"):
        code, out, _ = guardian("report", *args, "--format", fmt)
        assert code == 0
        assert "\x1b" not in out and "\x07" not in out
        assert "Sync" in out and "now" in out

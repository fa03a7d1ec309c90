"""Async drafts that replace meetings: prefilled fields, dates and the hours given back."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from guardian.adapters.templates import draft_template
from guardian.core.model import Attendee, Event, Link, LinkKind, Person, Status
from guardian.domain.drafts import KINDS, check_kind, draft, feedback_by, frequency_window, savings
from guardian.errors import InputError
from tests.conftest import NOW
from tests.test_replies import args, example_copy

ZONE = ZoneInfo("Europe/Berlin")
CLOCK = datetime.fromisoformat(NOW)  # Fri 27 Nov 2026 17:00
ME = "alex@acme.example"


def meeting(
    start=datetime(2026, 12, 1, 9, 30, tzinfo=ZONE),
    minutes=15,
    *,
    recurring=False,
    title="Platform daily standup",
    uid="standup@acme.example",
) -> Event:
    return Event(
        uid=uid,
        start=start,
        end=start + timedelta(minutes=minutes),
        title=title,
        description="Daily standup for the platform team.\nBlockers first.",
        links=(
            Link("https://meet.google.com/abc-defg-hij", LinkKind.CONFERENCE, "Google Meet"),
            Link("https://acme.atlassian.net/wiki/x", LinkKind.DOC, "Confluence"),
        ),
        organizer=Person("sam@acme.example", "Sam Rivera"),
        attendees=(
            Attendee("sam@acme.example", "Sam Rivera", Status.ACCEPTED),
            Attendee(ME, "Alex Kim", Status.ACCEPTED),
            Attendee("priya@acme.example", "Priya Shah", Status.ACCEPTED),
            Attendee("jonas@acme.example", "Jonas Weber", Status.TENTATIVE),
            Attendee("mei@acme.example", "Mei Lin", Status.DECLINED),
            Attendee("room@acme.example", "Room Everest", Status.ACCEPTED, resource=True),
        ),
        my_status=Status.ACCEPTED,
        recurring=recurring,
    )


def weekdays(first: Event, weeks: int = 4) -> list[Event]:
    out = []
    day = first.start - timedelta(days=first.start.weekday())
    for i in range(weeks * 7):
        when = day + timedelta(days=i)
        if when.weekday() < 5:
            out.append(first.with_(start=when, end=when + first.duration, recurrence_id=when))
    return out


# --- hours given back -------------------------------------------------------------------


def test_hours_per_week_for_a_daily_series():
    m = meeting(recurring=True)
    s = savings(m, weekdays(m))
    # 15 min x 4 people (Mei declined, the room is no person) x 5 a week
    assert (s.attendees, s.per_week) == (4, 5.0)
    assert s.hours_per_week == pytest.approx(0.25 * 4 * 5)
    assert s.math() == "15 min x 4 people x 5/week"
    assert s.describe() == "5 person-hours a week (15 min x 4 people x 5/week)"


def test_frequency_counts_instances_in_four_weeks():
    m = meeting(recurring=True, minutes=60)
    biweekly = [
        m.with_(
            start=m.start + timedelta(weeks=w),
            end=m.end + timedelta(weeks=w),
            recurrence_id=m.start + timedelta(weeks=w),
        )
        for w in (0, 2)
    ]
    s = savings(m, biweekly)
    assert s.per_week == 0.5 and s.hours_per_week == pytest.approx(1 * 4 * 0.5)
    other = meeting(uid="other@acme.example", recurring=True)
    assert savings(m, biweekly + weekdays(other)).per_week == 0.5  # other series ignored
    assert savings(m).per_week == 1.0  # nothing known: once a week


def test_one_off_counts_once():
    s = savings(meeting(minutes=90))
    assert (s.recurring, s.per_week, s.hours_per_week) == (False, 1.0, 6.0)
    assert s.describe() == "6 person-hours, once (90 min x 4 people)"


def test_frequency_window_starts_on_the_meetings_monday():
    start, end = frequency_window(meeting())
    assert start == datetime(2026, 11, 30, tzinfo=ZONE)
    assert end - start == timedelta(weeks=4)


# --- dates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("meeting_day", "today", "expected"),
    [
        (date(2026, 12, 3), date(2026, 11, 27), date(2026, 12, 2)),  # Thursday -> Wednesday
        (date(2026, 12, 7), date(2026, 11, 27), date(2026, 12, 4)),  # Monday -> the Friday before
        (date(2026, 11, 30), date(2026, 11, 27), date(2026, 11, 27)),  # Monday, asked on Friday
        (date(2026, 11, 30), date(2026, 11, 30), date(2026, 11, 30)),  # never in the past
    ],
)
def test_feedback_by_is_the_working_day_before(meeting_day, today, expected):
    m = meeting(start=datetime.combine(meeting_day, datetime.min.time(), tzinfo=ZONE).replace(hour=10))
    assert feedback_by(m, today, ZONE) == expected


def test_feedback_by_follows_my_working_days():
    m = meeting(start=datetime(2026, 12, 3, 10, tzinfo=ZONE))  # Thursday
    no_wednesdays = lambda d: d.weekday() not in (2, 5, 6)  # noqa: E731
    assert feedback_by(m, date(2026, 11, 27), ZONE, no_wednesdays) == date(2026, 12, 1)


# --- the drafts ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_is_prefilled(kind):
    m = meeting(recurring=True)
    d = draft(m, kind, CLOCK, tz=ZONE, series=weekdays(m), me=ME, template=draft_template(kind))
    md = d.markdown
    assert "$" not in md
    assert "Platform daily standup" in md.splitlines()[0]
    assert "Sam Rivera" in md
    for name in ("Alex Kim", "Priya Shah", "Jonas Weber"):
        assert name in md
    assert "Mei Lin" not in md and "Room Everest" not in md
    assert "> Daily standup for the platform team." in md and "> Blockers first." in md
    assert "- [Confluence](https://acme.atlassian.net/wiki/x)" in md
    assert "5 person-hours a week (15 min x 4 people x 5/week)" in md
    assert d.filename == f"2026-12-01-{kind}-platform-daily-standup.md"


def test_rfc_has_sections_questions_and_a_feedback_date():
    m = meeting(start=datetime(2026, 12, 3, 15, tzinfo=ZONE), minutes=60, title="Design discussion: search")
    d = draft(m, "rfc", CLOCK, tz=ZONE, me=ME, template=draft_template("rfc"))
    for heading in ("## Context", "## Proposal", "## Open questions", "## Success metrics"):
        assert heading in d.markdown
    assert d.feedback_by == date(2026, 12, 2)
    assert "comments wanted by **Wednesday 2 December 2026**" in d.markdown
    questions = d.markdown.split("## Open questions", 1)[1].split("##", 1)[0]
    # addressed to the reviewers, not to me or to the author
    assert "**Priya Shah**" in questions and "**Jonas Weber**" in questions
    assert "**Alex Kim**" not in questions and "**Sam Rivera**" not in questions


def test_update_names_the_rhythm_and_brainstorm_the_deadline():
    m = meeting(recurring=True)
    update = draft(
        m, "update", CLOCK, tz=ZONE, series=weekdays(m), me=ME, template=draft_template("update")
    ).markdown
    assert "every working day at 09:30" in update and "one thread per day" in update
    brainstorm = draft(
        meeting(minutes=90, title="Brainstorm: signup"),
        "brainstorm",
        CLOCK,
        tz=ZONE,
        template=draft_template("brainstorm"),
    ).markdown
    assert "## Constraints" in brainstorm and "## Ideas" in brainstorm and "Pros:" in brainstorm
    assert "until **Monday 30 November 2026**" in brainstorm


def test_hostile_titles_stay_on_one_line():
    m = meeting(title="Standup\n# injected heading\r\n$title")
    md = draft(m, "update", CLOCK, tz=ZONE, template=draft_template("update")).markdown
    assert "\n# injected heading" not in md
    assert md.splitlines()[0] == "# Async update: Standup # injected heading $title"


def test_kind_names_and_custom_templates(tmp_path):
    assert check_kind("async-update") == "update" and check_kind("Decision-Record") == "decision"
    with pytest.raises(InputError, match="--kind"):
        check_kind("memo")
    for name in KINDS.values():
        (tmp_path / name).write_text("Hi $title by $feedback_by\n", encoding="utf-8")
    assert draft(
        meeting(), "rfc", CLOCK, tz=ZONE, template=draft_template("rfc", tmp_path)
    ).markdown.startswith("Hi Platform")
    (tmp_path / "rfc.md").write_text("${__class__}\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown placeholder"):
        draft(meeting(), "rfc", CLOCK, tz=ZONE, template=draft_template("rfc", tmp_path))


# --- the command line ------------------------------------------------------------------


def test_convert_writes_one_draft_per_flagged_series(cli, tmp_path):
    config = example_copy(tmp_path)
    out = tmp_path / "drafts"
    res = cli(*args(["convert"], config, "--output", str(out)))
    assert res.code == 0, res.err
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "2026-11-30-rfc-design-discussion-search-architecture-proposal.md",
        "2026-11-30-update-platform-daily-standup.md",
        "2026-12-01-update-marketing-x-product-weekly-sync.md",
        "2026-12-01-update-ops-weekly-status-update.md",
        "2026-12-03-brainstorm-brainstorm-new-signup-flow.md",
        "2026-12-03-update-vendor-demo-observability-platform.md",  # the team pack's X101
    ]
    # standup: 15 min x 6 people x 19 instances in four weeks (one EXDATE) / 4
    assert "7.12 person-hours a week (15 min x 6 people x 4.75/week)" in res.out
    assert re.search(r"together: about [\d.]+ person-hours", res.out)


def test_convert_one_event_with_a_kind_to_stdout(cli, tmp_path):
    config = example_copy(tmp_path)
    res = cli(
        *args(["convert"], config, "--event", "marketing-sync@acme.example", "--kind", "decision", "--stdout")
    )
    assert res.code == 0, res.err
    assert res.out.startswith("# Decision: Marketing x Product weekly sync")
    assert "> Agenda:" in res.out and "Dana Cole" in res.out
    assert "4 person-hours a week (60 min x 4 people x 1/week)" in res.out
    assert "decision record for" in res.err  # the summary goes to stderr with --stdout
    assert not (tmp_path / "guardian-drafts").exists()


def test_convert_json_and_errors(cli, tmp_path, monkeypatch):
    config = example_copy(tmp_path)
    monkeypatch.chdir(tmp_path)
    res = cli(*args(["convert"], config, "--format", "json"))
    assert res.code == 0, res.err
    doc = json.loads(res.out)
    assert set(doc) == {"drafts", "hours_per_week"}
    first = doc["drafts"][0]
    assert set(first) == {"event", "kind", "path", "feedback_by", "hours_per_week", "hours_math"}
    assert (tmp_path / first["path"]).exists() or (tmp_path / "guardian-drafts").exists()
    assert doc["hours_per_week"] == pytest.approx(sum(d["hours_per_week"] for d in doc["drafts"]))
    missing = cli(*args(["convert"], config, "--event", "nope@acme.example"))
    assert missing.code == 2 and "no event 'nope@acme.example'" in missing.err
    bad = cli(*args(["convert"], config, "--kind", "memo"))
    assert bad.code == 2 and "--kind" in bad.err


def test_frequency_counts_only_the_four_weeks_from_the_meetings_monday():
    first = meeting(recurring=True)
    # instances from a wider read (six weeks) must not inflate a daily meeting past 5 a week
    assert savings(first, weekdays(first, weeks=6)).per_week == 5


def test_convert_from_midweek_keeps_the_standups_frequency(cli, tmp_path):
    config = example_copy(tmp_path)
    # Wed 2 - Tue 8 Dec: drafts in two different weeks, so the series are read over five weeks
    res = cli(
        "convert",
        "--config",
        str(config),
        "--from",
        "2026-12-02",
        "--days",
        "7",
        "--now",
        NOW,
        "--format",
        "json",
        "--stdout",
    )
    assert res.code == 0, res.err
    doc = json.loads(res.out[res.out.index('{\n  "drafts"') :])
    standup = next(d for d in doc["drafts"] if d["event"]["uid"] == "standup-platform@acme.example")
    per_week = float(re.search(r"x ([\d.]+)/week", standup["hours_math"]).group(1))
    assert per_week <= 5


def test_convert_to_an_unwritable_folder_is_bad_input(cli, tmp_path):
    config = example_copy(tmp_path)
    (tmp_path / "afile").write_text("not a folder", encoding="utf-8")
    res = cli(*args(["convert"], config, "--output", str(tmp_path / "afile" / "drafts")))
    assert res.code == 2
    assert "--output" in res.err and "Traceback" not in res.err


def test_a_template_that_is_not_utf8_is_bad_input(tmp_path):
    (tmp_path / "rfc.md").write_bytes(b"# RFC: $title \xff\xfe\n")
    with pytest.raises(InputError, match="rfc.md"):
        draft(meeting(), "rfc", CLOCK, tz=ZONE, template=draft_template("rfc", tmp_path))


def test_two_series_with_the_same_title_and_day_get_two_drafts(cli, tmp_path):
    from tests.conftest import vevent, write_ics

    cal = write_ics(
        tmp_path,
        vevent("Weekly sync", "2026-12-01 10:00", uid="sync-a@test", rrule="FREQ=WEEKLY"),
        vevent("Weekly sync", "2026-12-01 15:00", uid="sync-b@test", rrule="FREQ=WEEKLY"),
    )
    out = tmp_path / "drafts"
    res = cli(
        "convert",
        "-c",
        str(cal),
        "--me",
        "me@acme.example",
        "--from",
        "2026-11-30",
        "--now",
        NOW,
        "--tz",
        "Europe/Berlin",
        "--output",
        str(out),
        "--format",
        "json",
    )
    assert res.code == 0, res.err
    paths = [d["path"] for d in json.loads(res.out)["drafts"]]
    assert len(paths) == 2 and len(set(paths)) == 2  # neither overwrites the other
    assert len(list(out.iterdir())) == 2


def test_control_characters_in_the_description_do_not_reach_the_draft():
    ev = meeting().with_(description="Agenda\x1b[2J\x1b]0;pwned\x07\n- blockers\tfirst\r\n- demo")
    text = draft(ev, "update", CLOCK, tz=ZONE, template=draft_template("update")).markdown
    assert "\x1b" not in text and "\x07" not in text and "\r" not in text
    assert "> - blockers" in text and "> - demo" in text  # the lines themselves survive


# --- never over a person's edits ------------------------------------------------------------------


def test_convert_again_replaces_only_its_own_unchanged_drafts(cli, tmp_path):
    config = example_copy(tmp_path)
    out = tmp_path / "drafts"
    assert cli(*args(["convert"], config, "--output", str(out))).code == 0
    standup = out / "2026-11-30-update-platform-daily-standup.md"
    first = standup.read_text(encoding="utf-8")
    assert first.rstrip().splitlines()[-1].startswith("<!-- guardian draft sha256:")
    again = cli(*args(["convert"], config, "--output", str(out)))
    assert again.code == 0, again.err  # unchanged since written: replacing it loses nothing
    assert standup.read_text(encoding="utf-8") == first


def test_convert_refuses_to_overwrite_an_edited_draft_and_writes_nothing(cli, tmp_path):
    config = example_copy(tmp_path)
    out = tmp_path / "drafts"
    assert cli(*args(["convert"], config, "--output", str(out))).code == 0
    standup = out / "2026-11-30-update-platform-daily-standup.md"
    rfc = out / "2026-11-30-rfc-design-discussion-search-architecture-proposal.md"
    edited = standup.read_text(encoding="utf-8").replace("## Links", "## Links\n\n- my own note")
    standup.write_text(edited, encoding="utf-8")
    rfc.unlink()  # a draft to write again: still not written, the run stops as a whole
    res = cli(*args(["convert"], config, "--output", str(out)))
    assert res.code == 2
    assert res.err_lines == [
        f"guardian: error: {standup}: changed since guardian wrote it; nothing written "
        "(keep your edits, or pass --force to replace it with a fresh draft)"
    ]
    assert standup.read_text(encoding="utf-8") == edited and not rfc.exists()
    forced = cli(*args(["convert"], config, "--output", str(out), "--force"))
    assert forced.code == 0, forced.err
    assert "my own note" not in standup.read_text(encoding="utf-8") and rfc.exists()


def test_convert_never_overwrites_a_file_it_did_not_write(cli, tmp_path):
    config = example_copy(tmp_path)
    out = tmp_path / "drafts"
    out.mkdir()
    mine = out / "2026-11-30-update-platform-daily-standup.md"
    mine.write_text("# my notes, same name by chance\n", encoding="utf-8")
    res = cli(*args(["convert"], config, "--output", str(out)))
    assert res.code == 2 and "changed since guardian wrote it" in res.err
    assert mine.read_text(encoding="utf-8") == "# my notes, same name by chance\n"

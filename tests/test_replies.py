"""Who is asked for a pre-read, who never is, and what the request says.

Calendars are real .ics text read by the real source and audited by the
default rule pack; `compose` then decides. Nothing of guardian is mocked.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from guardian.adapters.config import load_config
from guardian.adapters.state import State
from guardian.adapters.templates import reply_template
from guardian.core.model import Attendee, Event, Finding, Person, Severity, Status
from guardian.domain.replies import (
    QuietHours,
    ReplySettings,
    compose,
    one_line,
    valid_address,
)
from guardian.errors import InputError
from guardian.lint.pack import load_rulebook
from tests.conftest import BOB, CAROL, ME, NOW, REPO, audit_result, vevent, write_ics

ZONE = ZoneInfo("Europe/Berlin")
CLOCK = datetime.fromisoformat(NOW)  # Fri 27 Nov 2026 17:00 +01:00
NO_DECISION = "Agenda:\n- updates from each team\n- discuss the launch timeline"


def plan_for(
    path: Path,
    *,
    now: datetime = CLOCK,
    settings: ReplySettings | None = None,
    state: State | None = None,
    me: str = ME,
):
    result = audit_result(path, me=me, now=now)
    book = load_rulebook()
    return compose(
        result.findings,
        now=now,
        tz=ZONE,
        settings=settings or ReplySettings(),
        was_asked=state.was_asked if state else (lambda s, o: False),
        me=me,
        exempt=book.exemptions.category,
        template=reply_template((settings or ReplySettings()).template),
        proposal=reply_template(None, "async-proposal"),
        rank=book.rank,
    )


def skipped(plan) -> dict[str, str]:
    return {s.event.title: s.code for s in plan.skipped}


# --- who is asked ---------------------------------------------------------------------


def test_attendee_of_a_docless_meeting_is_asked_once(tmp_path):
    path = write_ics(tmp_path, vevent("Roadmap review", "2026-12-01 10:00", uid="roadmap@test"))
    plan = plan_for(path)
    assert [r.event.uid for r in plan.replies] == ["roadmap@test"]
    reply = plan.replies[0]
    assert reply.to == BOB
    assert reply.rules == ("D001",)
    assert reply.kind == "pre-read"
    assert reply.response is Status.ACCEPTED  # my answer is kept: I had accepted
    assert "Roadmap review" in reply.subject and "1 Dec" in reply.subject
    text = " ".join(reply.body.split())  # paragraphs are re-wrapped
    assert "24 hours ahead" in text
    assert "Tuesday 1 December 2026 at 10:00 (Europe/Berlin)" in text
    assert "a document to read beforehand" in text
    assert plan.skipped == [] and plan.deferred == []


@pytest.mark.parametrize(
    ("event", "code"),
    [
        (vevent("My own review", "2026-12-01 10:00", organizer=ME), "organizer-is-me"),
        (vevent("Declined review", "2026-12-01 11:00", my_status="DECLINED"), None),
        (vevent("Past review", "2026-11-27 09:00"), "past"),
        (vevent("Soon review", "2026-11-27 20:00"), "too-soon"),
    ],
    ids=["organizer-is-me", "declined", "past", "too-soon"],
)
def test_who_is_never_asked(tmp_path, event, code):
    path = write_ics(tmp_path, event)
    # the past meeting lives before the audited week: audit from its own day
    start = datetime(2026, 11, 27).date()
    result = audit_result(path, start=start, days=7)
    plan = compose(
        result.findings,
        now=CLOCK,
        tz=ZONE,
        me=ME,
        exempt=load_rulebook().exemptions.category,
        template=reply_template(),
    )
    assert plan.replies == []
    if code is None:  # a declined meeting is not even a meeting to the audit
        assert plan.skipped == []
    else:
        assert [s.code for s in plan.skipped] == [code]


def test_exempt_one_on_one_is_never_asked(tmp_path):
    path = write_ics(tmp_path, vevent("Bob / me 1:1", "2026-12-01 10:00", attendees=(BOB,)))
    plan = plan_for(path)
    assert plan.replies == [] and plan.deferred == []


def test_exempt_meeting_is_skipped_even_when_a_pack_stops_exempting_it(tmp_path):
    pack = tmp_path / "pack.toml"
    pack.write_text('extends = "default"\n[rules.D001]\nexempt = false\n', encoding="utf-8")
    path = write_ics(tmp_path, vevent("Interview: backend engineer", "2026-12-01 10:00"))
    result = audit_result(path, rules=pack)
    assert any(f.rule == "D001" for f in result.findings)
    plan = compose(
        result.findings,
        now=CLOCK,
        tz=ZONE,
        me=ME,
        exempt=load_rulebook().exemptions.category,
        template=reply_template(),
    )
    assert plan.replies == []
    assert [s.code for s in plan.skipped] == ["exempt"]


def test_meeting_with_a_doc_is_never_asked(tmp_path):
    path = write_ics(
        tmp_path,
        vevent(
            "Roadmap review",
            "2026-12-01 10:00",
            description="Pre-read: https://docs.google.com/document/d/abc/edit\nShould we ship?",
        ),
    )
    assert plan_for(path).replies == []


def test_min_hours_ahead_is_a_boundary(tmp_path):
    path = write_ics(tmp_path, vevent("Review", "2026-11-30 10:00"))
    start = datetime(2026, 11, 30, 10, tzinfo=ZONE)
    assert plan_for(path, now=start - timedelta(hours=4)).replies  # exactly 4 h ahead: asked
    late = plan_for(path, now=start - timedelta(hours=3, minutes=59))
    assert late.replies == [] and [s.code for s in late.skipped] == ["too-soon"]
    lax = plan_for(path, now=start - timedelta(hours=1), settings=ReplySettings(min_hours_ahead=0.5))
    assert lax.replies


def test_already_asked_organizer_is_not_asked_again(tmp_path):
    state = State(":memory:")
    path = write_ics(tmp_path, vevent("Review", "2026-12-01 10:00", uid="review@test"))
    state.record_request("review@test", BOB.upper(), "cal.ics", CLOCK, "outbox", CLOCK)
    plan = plan_for(path, state=state)
    assert plan.replies == []
    assert [s.code for s in plan.skipped] == ["already-asked"]


def test_per_run_cap_sends_the_soonest_and_defers_the_rest(tmp_path):
    events = [
        vevent(f"Review {i}", f"2026-12-0{1 + i % 4} {9 + i:02d}:00", uid=f"r{i}@test") for i in range(7)
    ]
    path = write_ics(tmp_path, *events)
    plan = plan_for(path)
    assert len(plan.replies) == 5 and len(plan.deferred) == 2
    starts = [r.event.start for r in plan.replies]
    assert starts == sorted(starts)
    assert max(starts) <= min(d.reply.event.start for d in plan.deferred)
    assert {d.code for d in plan.deferred} == {"over-cap"}
    assert len(plan_for(path, settings=ReplySettings(max_per_run=2)).replies) == 2
    assert plan_for(path, settings=ReplySettings(max_per_run=0)).replies == []


@pytest.mark.parametrize(
    ("clock", "deferred"),
    [
        ("2026-11-27T22:00:00+01:00", True),
        ("2026-11-28T07:59:00+01:00", True),
        ("2026-11-28T08:00:00+01:00", False),
        ("2026-11-27T17:00:00+01:00", False),
        ("2026-11-27T20:30:00+00:00", True),
    ],  # 21:30 in Berlin
)
def test_quiet_hours_defer_everything(tmp_path, clock, deferred):
    path = write_ics(tmp_path, vevent("Review", "2026-12-01 10:00"))
    settings = ReplySettings(quiet_hours=QuietHours.parse("20:00-08:00"))
    plan = plan_for(path, now=datetime.fromisoformat(clock), settings=settings)
    if deferred:
        assert plan.replies == []
        assert [d.code for d in plan.deferred] == ["quiet-hours"]
        assert "08:00" in plan.deferred[0].reason
    else:
        assert len(plan.replies) == 1 and plan.deferred == []


def test_quiet_hours_parse():
    q = QuietHours.parse("12:00-13:30")
    assert q.contains(datetime(2026, 1, 1, 12, 0)) and not q.contains(datetime(2026, 1, 1, 13, 30))
    assert QuietHours.parse("") is None and QuietHours.parse("off") is None
    for bad in ("8-20", "20:00-20:00", "25:00-08:00", "20:00"):
        with pytest.raises(InputError, match="quiet_hours"):
            QuietHours.parse(bad)


def test_one_request_per_series_even_with_five_instances(tmp_path):
    path = write_ics(
        tmp_path,
        vevent(
            "Platform daily",
            "2026-11-30 09:30",
            uid="daily@test",
            minutes=15,
            rrule="FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=20",
        ),
    )
    plan = plan_for(path)
    assert len(plan.replies) == 1
    reply = plan.replies[0]
    assert reply.instances == 5
    assert reply.event.start == datetime(2026, 11, 30, 9, 30, tzinfo=ZONE)
    assert "recurring meeting" in " ".join(reply.body.split())


def test_a_later_instance_qualifies_when_the_next_is_too_soon(tmp_path):
    path = write_ics(
        tmp_path,
        vevent(
            "Platform daily",
            "2026-11-30 09:30",
            uid="daily@test",
            minutes=15,
            rrule="FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=20",
        ),
    )
    plan = plan_for(path, now=datetime(2026, 11, 30, 8, 0, tzinfo=ZONE))
    assert [r.event.start.day for r in plan.replies] == [1]  # Tuesday's, not Monday's


def test_no_decision_asks_only_when_configured(tmp_path):
    doc = "Notes: https://docs.google.com/document/d/abc/edit\n"
    path = write_ics(tmp_path, vevent("Launch review", "2026-12-01 10:00", description=doc + NO_DECISION))
    assert plan_for(path).replies == []  # A002 alone: not by default
    wanted = ReplySettings(actions=("request-pre-read", "no-decision"))
    plan = plan_for(path, settings=wanted)
    assert [r.rules for r in plan.replies] == [("A002",)]
    assert "the decision to make" in plan.replies[0].body
    assert "a document to read" not in plan.replies[0].body


def test_missing_doc_and_decision_are_asked_in_one_request(tmp_path):
    path = write_ics(tmp_path, vevent("Launch review", "2026-12-01 10:00", description=NO_DECISION))
    plan = plan_for(path, settings=ReplySettings(actions=("request-pre-read", "A002")))
    assert len(plan.replies) == 1
    body = plan.replies[0].body
    assert plan.replies[0].rules == ("A002", "D001")
    assert body.index("a document to read") < body.index("the decision to make")


def test_actions_can_turn_requests_off(tmp_path):
    path = write_ics(tmp_path, vevent("Review", "2026-12-01 10:00"))
    assert plan_for(path, settings=ReplySettings(actions=())).replies == []


def test_response_is_configurable(tmp_path):
    path = write_ics(tmp_path, vevent("Review", "2026-12-01 10:00"))
    settings = replies_section(tmp_path, 'response = "accepted"')
    plan = plan_for(path, settings=settings)
    assert plan.replies[0].response is Status.ACCEPTED
    assert "I have accepted" in plan.replies[0].body


# --- hostile input ----------------------------------------------------------------------


def _event(title="Sync", organizer=BOB, organizer_name="Bob", start=None) -> Event:
    start = start or datetime(2026, 12, 1, 10, tzinfo=ZONE)
    return Event(
        uid="hostile@test",
        start=start,
        end=start + timedelta(minutes=30),
        title=title,
        organizer=Person(organizer, organizer_name),
        attendees=(
            Attendee(ME, "Me", Status.ACCEPTED),
            Attendee(organizer, organizer_name, Status.ACCEPTED),
            Attendee(CAROL, "Carol", Status.ACCEPTED),
        ),
        my_status=Status.ACCEPTED,
    )


def _d001(event: Event) -> Finding:
    return Finding("D001", "missing-pre-read", Severity.WARNING, "no pre-read", "request-pre-read", event)


@pytest.mark.parametrize(
    "title",
    [
        "Sync\r\nBcc: evil@x.example",
        "Sync\nTo: evil@x.example\n\nbody",
        "Sync\u2028Bcc: evil@x.example",
        "Sync\x85Cc: evil@x.example\x00",
    ],
)
def test_hostile_titles_cannot_break_the_subject(title):
    plan = compose([_d001(_event(title=title))], now=CLOCK, tz=ZONE, me=ME, template=reply_template())
    reply = plan.replies[0]
    assert reply.to == BOB
    for ch in "\r\n\x85\u2028\x00":
        assert ch not in reply.subject
    assert "Bcc: evil" not in reply.body.split("\n")[0]
    assert all(not line.lower().startswith(("bcc:", "to:", "cc:")) for line in reply.body.splitlines())


@pytest.mark.parametrize(
    "address",
    [
        "bob@acme.example\r\nBcc: evil@x.example",
        "bob@acme.example, evil@x.example",
        "Bob <evil@x.example>",
        "bob@acme.example\nevil@x.example",
        "not-an-address",
        "bob@@acme.example",
        "bob@acme..example",
    ],
)
def test_hostile_organizer_addresses_are_refused(address):
    plan = compose([_d001(_event(organizer=address))], now=CLOCK, tz=ZONE, me=ME, template=reply_template())
    assert plan.replies == []
    assert [s.code for s in plan.skipped] == ["bad-address"]


def test_hostile_organizer_name_stays_a_name():
    name = 'Bob"\r\nBcc: evil@x.example\r\n<evil@x.example>'
    reply = compose(
        [_d001(_event(organizer_name=name))], now=CLOCK, tz=ZONE, me=ME, template=reply_template()
    ).replies[0]
    assert reply.to == BOB
    assert "\r" not in reply.to_name and "\n" not in reply.to_name
    assert "<" not in reply.to_name and "@" not in reply.to_name and '"' not in reply.to_name
    assert "\r" not in reply.body


def test_one_line_and_valid_address():
    assert one_line("a\r\nb\tc\u2028d\x00e") == "a b c d e"
    assert len(one_line("x" * 500)) <= 160
    assert valid_address("MAILTO:Bob@Acme.Example") == "bob@acme.example"
    assert valid_address("bob@localhost") is None


# --- templates -----------------------------------------------------------------------


def test_template_refuses_unknown_placeholders(tmp_path):
    bad = tmp_path / "t.toml"
    bad.write_text('subject = "Hi $title"\nbody = "run ${__import__}"\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"unknown placeholder \$__import__"):
        reply_template(bad)
    bad.write_text('subject = "Hi"\n', encoding="utf-8")
    with pytest.raises(InputError, match="body"):
        reply_template(bad)


def test_custom_template_is_used_and_dollars_are_literal(tmp_path):
    custom = tmp_path / "mine.toml"
    custom.write_text(
        'subject = "Doc for $title, please"\nbody = "Hi $organizer_first, it costs $$0 to link it.\\n$missing"\n',
        encoding="utf-8",
    )
    path = write_ics(tmp_path, vevent("Review", "2026-12-01 10:00"))
    plan = plan_for(path, settings=ReplySettings(template=custom))
    assert plan.replies[0].subject == "Doc for Review, please"
    assert plan.replies[0].body.startswith("Hi bob, it costs $0 to link it.\n- a document")


def replies_section(tmp_path: Path, body: str) -> ReplySettings:
    config = tmp_path / "replies.toml"
    config.write_text(f"[replies]\n{body}\n", encoding="utf-8")
    return load_config(config).replies


def test_settings_from_config_validate(tmp_path):
    s = replies_section(tmp_path, "")
    # the answer I already gave is kept unless a response is configured
    assert (s.max_per_run, s.min_hours_ahead, s.response, s.channel) == (5, 4.0, None, "auto")
    assert replies_section(tmp_path, 'response = "keep"').response is None
    assert replies_section(tmp_path, 'response = "tentative"').response is Status.TENTATIVE
    for bad in ('response = "maybe"', 'channel = "pigeon"', "max_per_run = -1", 'quiet_hours = "late"'):
        with pytest.raises(InputError):
            replies_section(tmp_path, bad)


# --- the command line -------------------------------------------------------------------


def example_copy(tmp_path: Path, extra: str = "") -> Path:
    """The bundled example with its state and outbox inside tmp_path."""
    for name in ("team-week.ics", "team-rules.toml"):
        shutil.copy(REPO / "examples" / name, tmp_path / name)
    text = (REPO / "examples" / "guardian.toml").read_text(encoding="utf-8")
    text = text.replace("../.guardian-example/", "")
    (tmp_path / "guardian.toml").write_text(
        text + '\n[replies]\noutbox = "outbox"\n' + extra, encoding="utf-8"
    )
    return tmp_path / "guardian.toml"


def args(cmd: list[str], config: Path, *more: str) -> list[str]:
    return [*cmd, "--config", str(config), "--from", "2026-11-30", "--now", NOW, *more]


def test_replies_plan_json_shape(cli, tmp_path):
    config = example_copy(tmp_path)
    res = cli(*args(["replies", "plan"], config, "--format", "json"))
    assert res.code == 0, res.err
    doc = json.loads(res.out)
    assert set(doc) >= {"replies", "deferred", "skipped", "window", "now"}
    assert len(doc["replies"]) == 5 and len(doc["deferred"]) == 2
    for item in doc["replies"]:
        assert set(item) >= {"event", "to", "subject", "body"}
        assert set(item["event"]) == {"uid", "start", "title"}
        assert datetime.fromisoformat(item["event"]["start"]).tzinfo is not None
        assert item["channel"] == "outbox"
    first = doc["replies"][0]
    assert first["event"]["uid"] == "standup-platform@acme.example"
    assert first["to"] == "sam@acme.example"
    assert first["instances"] == 4
    assert {d["code"] for d in doc["deferred"]} == {"over-cap"}
    assert not (tmp_path / "outbox").exists()  # a plan writes nothing


def test_replies_plan_table(cli, tmp_path):
    config = example_copy(tmp_path)
    res = cli(*args(["replies", "plan"], config))
    assert res.code == 0, res.err
    assert "Would send (5):" in res.out
    assert "Platform daily standup  -> Sam Rivera <sam@acme.example>" in res.out
    assert "Deferred (2):" in res.out and "Nothing was sent" in res.out


def test_replies_send_is_idempotent_and_recorded(cli, tmp_path):
    config = example_copy(tmp_path, "max_per_run = 10\n")
    first = cli(*args(["replies", "send"], config))
    assert first.code == 0, first.err
    sent = [line for line in first.out.splitlines() if line.startswith("sent outbox:")]
    assert len(sent) == 7
    emls = sorted((tmp_path / "outbox").glob("*.eml"))
    assert len(emls) == 7 and len(list((tmp_path / "outbox").glob("*.ics"))) == 7

    state = State(tmp_path / "state.sqlite3")
    rows = state.requests()
    assert len(rows) == 7
    assert {r["channel"] for r in rows} == {"outbox"}
    assert ("standup-platform@acme.example", "sam@acme.example") in {
        (r["series"], r["organizer"]) for r in rows
    }
    state.close()

    again = cli(*args(["replies", "send"], config))
    assert again.code == 0, again.err
    assert "sent" not in again.out and "nothing to send" in again.out
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 7

    plan = json.loads(cli(*args(["replies", "plan"], config, "--format", "json")).out)
    assert plan["replies"] == []
    assert {s["code"] for s in plan["skipped"]} >= {"already-asked"}

    audit = json.loads(cli(*args(["audit"], config, "--format", "json")).out)
    # each meeting's reply state sits on the finding that decided it (S001 for the standup)
    states = {f["action_state"].split("; ")[0] for f in audit["findings"] if f["action_state"]}
    assert states - {s for s in states if s.startswith("draft")} == {"request sent 2026-11-27"}


def test_replies_send_respects_the_cap_across_runs(cli, tmp_path):
    config = example_copy(tmp_path)
    first = cli(*args(["replies", "send"], config))
    assert sum(line.startswith("sent ") for line in first.out.splitlines()) == 5
    assert "deferred:" in first.out
    second = cli(*args(["replies", "send"], config))
    assert sum(line.startswith("sent ") for line in second.out.splitlines()) == 2
    third = cli(*args(["replies", "send"], config))
    assert "nothing to send" in third.out


def test_audit_shows_would_send_and_drafts(cli, tmp_path):
    config = example_copy(tmp_path)
    doc = json.loads(cli(*args(["audit"], config, "--format", "json")).out)
    by_rule: dict[str, set] = {}
    for f in doc["findings"]:
        by_rule.setdefault(f["rule"], set()).add(f["action_state"])
    replies = {
        s.split("; ")[0] for states in by_rule.values() for s in states if s and not s.startswith("draft")
    }
    assert replies == {"would send", "deferred: per-run cap"}
    # the standup's one reply is its async proposal (S001 leads), and its draft is ready
    assert by_rule["S001"] >= {
        "would send; draft available: guardian convert --event standup-platform@acme.example"
    }
    assert by_rule["D001"] <= {None, "would send", "deferred: per-run cap"}
    assert not (tmp_path / "outbox").exists()  # the audit only looks


def test_run_replies_for_nightly(isolated, tmp_path):
    from guardian.usecases.replies import run_replies
    from guardian.usecases.session import Options, Session

    config = example_copy(tmp_path)
    session = Session(Options(config=str(config), start="2026-11-30", now=NOW))
    dry = run_replies(session, send=False)
    assert (dry["planned"], dry["sent"], dry["deferred"]) == (5, 0, 2)
    assert dry["lines"][0].startswith("would send: Mon 30 Nov 09:30")
    done = run_replies(session, send=True)
    assert (done["sent"], done["failed"]) == (5, 0)
    assert len(done["lines"]) == 7
    assert session.state.runs(1)[0]["command"] == "replies send"
    again = run_replies(session, send=True)
    assert (again["planned"], again["sent"]) == (2, 2)


def test_replies_send_to_an_unwritable_outbox_is_bad_input(cli, tmp_path):
    config = example_copy(tmp_path)
    (tmp_path / "outbox").write_text("a file where the folder should be", encoding="utf-8")
    res = cli(*args(["replies", "send"], config))
    assert res.code == 2, res.err
    assert "outbox" in res.err and "Traceback" not in res.err
    state = State(tmp_path / "state.sqlite3")
    assert state.requests() == []  # nothing was delivered, so nothing is recorded
    state.close()


def test_replies_send_without_knowing_who_i_am_is_bad_input(cli, tmp_path):
    config = example_copy(tmp_path)
    config.write_text(
        config.read_text(encoding="utf-8").replace('me = "alex@acme.example"', ""), encoding="utf-8"
    )
    res = cli(*args(["replies", "send"], config))
    assert res.code == 2, res.err  # a setup problem, not a provider failure (exit 3)
    assert "no `me`" in res.err and "nothing was sent" in res.err
    assert not (tmp_path / "outbox").exists()  # stopped before the first delivery


def test_replies_send_waits_for_no_other_run_and_sends_nothing_then(cli, tmp_path):
    from guardian.adapters.lock import lock_path, run_lock

    config = example_copy(tmp_path)
    with run_lock(lock_path(tmp_path / "state.sqlite3")):  # e.g. the nightly job is sending right now
        res = cli(*args(["replies", "send"], config))
    assert res.code == 2 and "another guardian run is in progress" in res.err
    assert not (tmp_path / "outbox").exists()
    assert State(tmp_path / "state.sqlite3").requests() == []


def test_replies_send_json_has_the_plans_shape_plus_sent_and_failed(cli, tmp_path):
    config = example_copy(tmp_path)
    doc = json.loads(cli(*args(["replies", "send"], config, "--format", "json")).out)
    assert set(doc) >= {"replies", "deferred", "skipped", "window", "now", "sent", "failed"}
    assert len(doc["replies"]) == 5 and len(doc["sent"]) == 5 and doc["failed"] == []
    assert {item["channel"] for item in doc["replies"]} == {"outbox"}  # as in `replies plan`
    for item in doc["sent"]:
        assert {"channel", "ok", "detail", "files"} <= set(item) and item["ok"] is True


def test_the_request_names_the_packs_lead_time(cli, tmp_path):
    config = example_copy(tmp_path)
    pack = tmp_path / "team-rules.toml"
    pack.write_text(
        pack.read_text(encoding="utf-8") + "\n[rules.D002.params]\nlead_hours = 48\n", encoding="utf-8"
    )
    doc = json.loads(cli(*args(["replies", "plan"], config, "--format", "json")).out)
    request = next(r for r in doc["replies"] if r["kind"] == "pre-read")
    body = " ".join(request["body"].split())
    assert "48 hours ahead" in body  # what D002 holds the organizer to, not a fixed 24


def test_a_misspelt_rule_in_replies_actions_is_bad_input(cli, tmp_path):
    config = example_copy(tmp_path, 'actions = ["request-pre-read", "no-decison"]\n')
    res = cli(*args(["replies", "plan"], config))
    assert res.code == 2
    assert "[replies] actions" in res.err and "no-decison" in res.err


def test_channel_smtp_without_an_smtp_host_is_bad_input(cli, tmp_path):
    config = example_copy(tmp_path, 'channel = "smtp"\n')
    res = cli(*args(["replies", "plan"], config))
    assert res.code == 2  # not a silent fall-back to files nobody mails
    assert "[smtp] host" in res.err

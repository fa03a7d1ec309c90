"""One recommendation per meeting: the pack's precedence decides what is told first and which
reply its organizer gets; replies keep my answer, read "Last, First" names, spare large
meetings, and the plan says what would block sending.

Through the real command line on tests/data/findings-week.ics and the bundled example.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from guardian.domain.replies import first_name, natural_name
from guardian.lint.pack import load_rulebook
from tests.conftest import DATA, NOW, REPO, audit_args

WEEK = DATA / "findings-week.ics"


def plan(cli, *more):
    args = ["replies", "plan", "-c", WEEK, "--me", "me@acme.example", "--from", "2026-11-30"]
    result = cli(*args, "--tz", "Europe/Berlin", "--now", NOW, *more)
    assert result.code == 0, result.err
    return result


def plan_doc(cli, *more):
    return json.loads(plan(cli, "--format", "json", *more).out)


def test_the_default_precedence_is_data_in_the_pack():
    book = load_rulebook()
    assert book.precedence == ("suggest-async", "request-move", "request-pre-read", "flag")
    text = (REPO / "rules" / "default.toml").read_text(encoding="utf-8")
    assert 'precedence = ["suggest-async", "request-move", "request-pre-read", "flag"]' in text


def test_a_status_meetings_organizer_gets_an_async_proposal_not_a_pre_read_request(cli):
    doc = plan_doc(cli)
    by_uid = {r["event"]["uid"]: r for r in doc["replies"]}
    standup = by_uid["standup@test"]
    assert standup["kind"] == "async-proposal" and standup["lead"] == "S001"
    assert standup["subject"] == 'Could "Team daily standup" be a written async update?'
    body = " ".join(standup["body"].split())
    assert "- Done since the last update" in standup["body"]
    assert "4 people for 15 minutes each time" in body
    assert "pre-read" not in body  # one recommendation: not also a request for a document
    review = by_uid["review@test"]
    assert review["kind"] == "pre-read" and "have a pre-read?" in review["subject"]
    assert {r["kind"] for r in doc["replies"]} <= {"pre-read", "async-proposal"}


def test_a_pack_can_put_the_pre_read_first(cli, tmp_path):
    pack = tmp_path / "mine.toml"
    pack.write_text(
        'extends = "default"\nprecedence = ["missing-pre-read", "suggest-async"]\n', encoding="utf-8"
    )
    doc = plan_doc(cli, "--rules", pack)
    standup = next(r for r in doc["replies"] if r["event"]["uid"] == "standup@test")
    assert standup["kind"] == "pre-read" and standup["lead"] == "D001"
    audit = cli(*audit_args(WEEK, "--rules", pack))
    assert "  warning D001 missing-pre-read: no pre-read linked (only a Google Meet link" in audit.out


def test_async_proposals_can_be_turned_off(cli, tmp_path):
    config = tmp_path / "guardian.toml"
    config.write_text('[replies]\nactions = ["request-pre-read"]\n', encoding="utf-8")
    doc = plan_doc(cli, "--config", config)
    # the standup's one recommendation is a proposal: with proposals off, it gets no note at all
    assert [r["event"]["uid"] for r in doc["replies"]] == ["review@test"]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            'precedence = ["sugest-async"]',
            "'sugest-async' is neither an action nor a rule of the pack (did you mean suggest-async",
        ),
        ('precedence = ["D999"]', "'D999' is neither an action nor a rule"),
        ("precedence = 3", "must be a list of actions or rule codes/names"),
    ],
)
def test_a_bad_precedence_names_the_file_line_and_key(cli, tmp_path, entry, message):
    pack = tmp_path / "bad.toml"
    pack.write_text(f'extends = "default"\n\n{entry}\n', encoding="utf-8")
    result = cli("rules", "check", pack)
    assert result.code == 2
    assert f"{pack}:3: precedence: " in result.err and message in result.err


def test_my_answer_is_kept_and_the_comment_carries_the_request(cli):
    doc = plan_doc(cli)
    assert {r["response"] for r in doc["replies"]} == {"accepted"}  # I had accepted both
    body = next(r["body"] for r in doc["replies"] if r["kind"] == "pre-read")
    assert "I have accepted" in body


def test_a_configured_response_still_wins(cli, tmp_path):
    config = tmp_path / "guardian.toml"
    config.write_text('[replies]\nresponse = "tentative"\n', encoding="utf-8")
    assert {r["response"] for r in plan_doc(cli, "--config", config)["replies"]} == {"tentative"}


def test_last_first_names_read_as_first_last(cli):
    out = plan(cli, "--body").out
    assert "-> Jörg Müller <joerg@acme.example>" in out
    assert "| Hi Jörg," in out and "Hi Müller" not in out


@pytest.mark.parametrize(
    ("written", "natural", "first"),
    [
        ("Müller, Jörg", "Jörg Müller", "Jörg"),
        ("Weber, Anna Maria", "Anna Maria Weber", "Anna"),
        ("Smith, Jr.", "Smith, Jr.", "Smith"),
        ("Okafor, Tom (Ops)", "Tom Okafor (Ops)", "Tom"),
        ("Sam Rivera", "Sam Rivera", "Sam"),
        ("Sales, Marketing, Ops", "Sales, Marketing, Ops", "Sales"),
        ("Jordan (Vendor)", "Jordan (Vendor)", "Jordan"),
    ],
)
def test_natural_names(written, natural, first):
    assert natural_name(written) == natural
    assert first_name(written) == first


def test_large_meetings_are_not_asked_by_default(cli, tmp_path):
    doc = plan_doc(cli)
    skipped = {s["event"]["uid"]: s for s in doc["skipped"]}
    assert skipped["allhands@test"]["code"] == "large-meeting"
    assert "ask_large_meetings" in skipped["allhands@test"]["reason"]
    config = tmp_path / "guardian.toml"
    config.write_text("[replies]\nask_large_meetings = true\n", encoding="utf-8")
    assert "allhands@test" in {r["event"]["uid"] for r in plan_doc(cli, "--config", config)["replies"]}


def example(tmp_path, config_extra: str = "") -> str:
    for name in ("guardian.toml", "team-rules.toml", "team-week.ics"):
        shutil.copy(REPO / "examples" / name, tmp_path / name)
    config = tmp_path / "guardian.toml"
    text = config.read_text(encoding="utf-8").replace(
        'state = "../.guardian-example/state.sqlite3"', f'state = "{tmp_path}/state.sqlite3"'
    )
    config.write_text(text + f'\n[replies]\noutbox = "{tmp_path}/outbox"\n{config_extra}', encoding="utf-8")
    return str(config)


def test_the_plan_shows_what_would_block_send_before_send_fails(cli, tmp_path):
    config = example(tmp_path)
    path = Path(config)
    path.write_text(
        path.read_text(encoding="utf-8").replace('me = "alex@acme.example"', ""), encoding="utf-8"
    )
    run = ["--config", config, "--from", "2026-11-30", "--now", NOW]
    shown = cli("replies", "plan", *run)
    assert shown.code == 0, shown.err
    assert "Would send (5):" in shown.out
    assert "`guardian replies send` would stop now (1):\n  no `me`" in shown.out
    doc = json.loads(cli("replies", "plan", *run, "--format", "json").out)
    assert [b["code"] for b in doc["blockers"]] == ["no-me"]
    sent = cli("replies", "send", *run)
    assert sent.code == 2 and "5 replies not sent: no `me`" in sent.err
    assert not (tmp_path / "outbox").exists()


def test_an_unset_password_variable_is_a_blocker(cli, tmp_path, monkeypatch):
    monkeypatch.delenv("GUARDIAN_TEST_SMTP_PASSWORD", raising=False)
    config = example(
        tmp_path,
        'channel = "smtp"\n[smtp]\nhost = "localhost"\nusername = "alex"\npassword_env = "GUARDIAN_TEST_SMTP_PASSWORD"\n',
    )
    doc = json.loads(
        cli("replies", "plan", "--config", config, "--from", "2026-11-30", "--now", NOW, "-f", "json").out
    )
    assert [b["code"] for b in doc["blockers"]] == ["password-unset"]
    assert "GUARDIAN_TEST_SMTP_PASSWORD" in doc["blockers"][0]["message"]

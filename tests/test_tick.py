"""`guardian tick`: do not disturb in Slack and Teams while a focus block runs.

Through the real command line, the real slack_sdk against a loopback Slack Web API fake
(its `base_url`), and msal/requests against the Graph fake for Teams: the status and
snooze set at a block's start and undone at its end, a second tick at the same moment
doing nothing, the person's own status left alone, a block that goes early, a meeting in
the middle, the least scopes, tokens never printed, and nothing at all without a chat.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from guardian.adapters.sources.outlook import auth as outlook_auth
from guardian.adapters.sources.outlook import presence as teams_presence
from tests.conftest import ME, outlook_settings, vevent, write_ics
from tests.fakes.slack import FakeSlack

TZ = ZoneInfo("Europe/Berlin")
SUNDAY = "2026-11-29T20:00:00+01:00"  # before the week: blocks are booked then
GOOD = "Should we ship the beta on Friday?\nDoc: https://docs.google.com/document/d/beta"


def at(text: str) -> str:
    """'30 09:02' -> ISO in Berlin, in the week of Mon 30 Nov 2026 (day 30, or 1..6 Dec)."""
    day, hm = text.split()
    month = 11 if int(day) >= 30 else 12
    return f"2026-{month:02d}-{int(day):02d}T{hm}:00+01:00"


def clock(iso: str):
    return lambda: datetime.fromisoformat(iso)


@pytest.fixture
def slack():
    with FakeSlack() as fake:
        yield fake


def setup(tmp_path: Path, slack: FakeSlack | None, *events: str, chat: str | None = None) -> Path:
    ics = write_ics(tmp_path, *events)
    token = tmp_path / "slack-token"
    token.write_text((slack.token if slack else "xoxp-unused") + "\n", encoding="utf-8")
    os.chmod(token, 0o600)
    if chat is None:
        chat = f'slack_token_file = "{token}"\nslack_api_url = "{slack.base_url}"\n' if slack else ""
    config = tmp_path / "guardian.toml"
    config.write_text(
        f'me = "{ME}"\ntimezone = "Europe/Berlin"\nstate = "{tmp_path / "state.sqlite3"}"\n'
        f'[calendars.work]\nsource = "ics:{ics.name}"\n[focus]\noutput = "blocks.ics"\n[chat]\n{chat}',
        encoding="utf-8",
    )
    return config


def tick(cli, config, now: str, *more: str) -> dict:
    result = cli("tick", "--config", config, "--now", now, "--format", "json", *more)
    assert result.code == 0, result.err
    return json.loads(result.out)


def book(cli, config) -> None:
    result = cli("focus", "apply", "--config", config, "--from", "2026-11-30", "--now", SUNDAY)
    assert result.code == 0, result.err


def test_a_block_sets_slack_at_its_start_and_a_second_tick_does_nothing(cli, tmp_path, slack):
    config = setup(tmp_path, slack, vevent("Review", "2026-11-30 14:00", description=GOOD))
    book(cli, config)  # Monday's block: 09:00-11:00
    slack.clock = clock(at("30 08:55"))
    assert tick(cli, config, at("30 08:55"))["started"] == [] and slack.log == []

    slack.clock = clock(at("30 09:02"))
    doc = tick(cli, config, at("30 09:02"))
    [started] = doc["started"]
    assert (started["channel"], started["start"], started["end"]) == (
        "slack",
        "2026-11-30T09:00:00+01:00",
        "2026-11-30T11:00:00+01:00",
    )
    assert started["detail"] == "slack: status set, notifications paused for 118 min"
    assert slack.profile == {
        "status_text": "Focus time (booked by guardian)",
        "status_emoji": ":no_bell:",
        "status_expiration": int(datetime.fromisoformat(at("30 11:00")).timestamp()),
    }
    [snooze] = slack.calls("dnd.setSnooze")
    assert snooze.args == {"num_minutes": "118"}
    calls = len(slack.log)

    again = tick(cli, config, at("30 09:02"))
    assert again["started"] == [] and again["stopped"] == [] and len(slack.log) == calls
    assert tick(cli, config, at("30 10:30"))["started"] == [] and len(slack.log) == calls

    # at its end: Slack reset the status itself; nothing is left to undo, nothing is sent twice
    slack.clock = clock(at("30 11:01"))
    [stopped] = tick(cli, config, at("30 11:01"))["stopped"]
    assert stopped["detail"] == "slack: nothing left to undo"
    assert slack.calls("users.profile.set")[-1].args["profile"]["status_text"]  # no clearing call
    assert slack.calls("dnd.endSnooze") == []
    assert tick(cli, config, at("30 11:01"))["stopped"] == []


def test_the_persons_own_status_is_kept_and_never_cleared(cli, tmp_path, slack):
    config = setup(tmp_path, slack)
    book(cli, config)
    slack.profile = {
        "status_text": "Working from Lisbon",
        "status_emoji": ":palm_tree:",
        "status_expiration": 0,
    }
    slack.clock = clock(at("30 09:00"))
    [started] = tick(cli, config, at("30 09:00"))["started"]
    assert started["detail"] == "slack: your own status kept, notifications paused for 120 min"
    assert slack.calls("users.profile.set") == [] and slack.snoozing
    slack.clock = clock(at("30 11:00"))
    tick(cli, config, at("30 11:00"))
    assert slack.profile["status_text"] == "Working from Lisbon"


def test_a_block_that_goes_early_is_undone(cli, tmp_path, slack):
    config = setup(tmp_path, slack)
    book(cli, config)
    slack.clock = clock(at("30 09:05"))
    tick(cli, config, at("30 09:05"))
    blocks = tmp_path / "blocks.ics"  # the person deletes Monday's block from guardian's file
    text = blocks.read_text()
    first = text.index("BEGIN:VEVENT")
    blocks.write_text(text[:first] + text[text.index("END:VEVENT", first) + len("END:VEVENT\r\n") :])
    slack.clock = clock(at("30 09:40"))
    [stopped] = tick(cli, config, at("30 09:40"))["stopped"]
    assert stopped["detail"] == "slack: status cleared, notifications back on"
    assert slack.profile["status_text"] == "" and not slack.snoozing


def test_a_meeting_on_top_of_a_held_block_waits_and_then_gets_the_rest(cli, tmp_path, slack):
    config = setup(tmp_path, slack)
    config.write_text(config.read_text().replace("[focus]\n", '[focus]\ndefend = "at-risk"\n'))
    book(cli, config)  # held: free, so someone books over it
    ics = tmp_path / "cal.ics"
    ics.write_text(
        write_ics(tmp_path, vevent("Urgent call", "2026-11-30 09:00", description=GOOD)).read_text()
    )
    slack.clock = clock(at("30 09:10"))
    doc = tick(cli, config, at("30 09:10"))
    assert doc["started"] == [] and [w["detail"] for w in doc["waiting"]] == ["in a meeting"]
    slack.clock = clock(at("30 09:31"))
    [started] = tick(cli, config, at("30 09:31"))["started"]
    assert started["detail"].endswith("paused for 89 min")


def test_without_a_chat_nothing_happens_and_nothing_fails(cli, tmp_path):
    config = setup(tmp_path, None, chat="")
    (tmp_path / "cal.ics").unlink()  # not even read
    result = cli("tick", "--config", config, "--now", at("30 09:30"))
    assert (result.code, result.out, result.err) == (0, "", "")
    assert not (tmp_path / "state.sqlite3").exists()
    dry = cli("tick", "--config", config, "--now", at("30 09:30"), "--dry-run")
    assert dry.code == 0 and "no chat configured" in dry.out


def test_a_tick_prints_nothing_and_a_dry_run_says_what_it_would_do(cli, tmp_path, slack):
    config = setup(tmp_path, slack)
    book(cli, config)
    dry = cli("tick", "--config", config, "--now", at("30 09:30"), "--dry-run")
    assert dry.code == 0 and dry.out.startswith(
        "would start do not disturb: slack for the focus block Mon 30 Nov"
    )
    assert slack.log == []
    quiet = cli("tick", "--config", config, "--now", at("30 09:30"))
    assert (quiet.code, quiet.out, quiet.err) == (0, "", "") and slack.snoozing is not None


def test_a_token_others_can_read_is_refused_and_never_shown(cli, tmp_path, slack):
    config = setup(tmp_path, slack)
    book(cli, config)
    os.chmod(tmp_path / "slack-token", 0o644)
    result = cli("tick", "--config", config, "--now", at("30 09:30"))
    assert result.code == 2 and "can be read by others" in result.err and "chmod 600" in result.err
    assert slack.token not in result.err + result.out and slack.log == []


def test_a_token_without_a_scope_names_it_and_the_next_tick_tries_again(cli, tmp_path, slack):
    slack.scopes = ("users.profile:read", "users.profile:write")  # no dnd:write
    config = setup(tmp_path, slack)
    book(cli, config)
    result = cli("tick", "--config", config, "--now", at("30 09:30"))
    assert result.code == 3 and "lacks the dnd:write scope" in result.err
    assert slack.token not in result.err
    slack.scopes = ("users.profile:read", "users.profile:write", "dnd:write")
    [started] = tick(cli, config, at("30 09:31"))["started"]  # not recorded: done now
    assert started["detail"] == "slack: status set, notifications paused for 89 min"


def test_slack_asking_to_slow_down_is_waited_for(cli, tmp_path, slack):
    config = setup(tmp_path, slack)
    book(cli, config)
    slack.rate_limited = 1
    [started] = tick(cli, config, at("30 09:30"))["started"]
    assert started["detail"].startswith("slack: status set")
    assert [c.args for c in slack.log[:1]] == [{"rate_limited": True}]


def test_slack_over_plain_http_elsewhere_is_refused(cli, tmp_path, slack):
    token = tmp_path / "slack-token"
    config = setup(
        tmp_path, slack, chat=f'slack_token_file = "{token}"\nslack_api_url = "http://slack.example/api/"\n'
    )
    book(cli, config)
    result = cli("tick", "--config", config, "--now", at("30 09:30"))
    assert result.code == 2 and "would send the Slack token in clear" in result.err


# --- Teams: presence through Graph ----------------------------------------------------------------


@pytest.fixture
def outlook_config(tmp_path, graph_fake):
    raw = graph_fake.settings(token_cache=str(tmp_path / "cache.json"))
    lines = [f'{k} = "{v}"' for k, v in raw.items() if isinstance(v, str)]
    config = tmp_path / "guardian.toml"
    config.write_text(
        f'timezone = "Europe/Berlin"\nstate = "{tmp_path}/state.sqlite3"\n'
        '[calendars.work]\nsource = "outlook:me"\n[chat]\nteams = true\n[outlook]\n'
        + "\n".join(lines)
        + "\n",
        encoding="utf-8",
    )
    return graph_fake, outlook_settings(raw), config


def test_teams_presence_is_do_not_disturb_until_the_blocks_end(cli, outlook_config):
    fake, settings, config = outlook_config
    signed = cli("auth", "teams", "--config", config)
    assert signed.code == 0, signed.err
    assert "signed in as me@contoso.com (Teams presence too)" in signed.out
    book(cli, config)
    doc = tick(cli, config, at("30 09:02"))
    [started] = doc["started"]
    assert started["channel"] == "teams" and started["detail"] == "teams: do not disturb for 118 min"
    assert fake.presence() == {
        "availability": "DoNotDisturb",
        "activity": "DoNotDisturb",
        "expirationDuration": "PT118M",
    }
    [call] = fake.requests("POST", "/presence/setUserPreferredPresence")
    assert call.path == "/me/presence/setUserPreferredPresence"
    assert any(s.endswith("Presence.ReadWrite") for s in call.scopes)
    assert tick(cli, config, at("30 09:02"))["started"] == []  # once
    [stopped] = tick(cli, config, at("30 11:00"))["stopped"]
    assert stopped["detail"] == "teams: do not disturb expired with the block"
    assert fake.requests("POST", "/presence/clearUserPreferredPresence") == []


def test_teams_presence_goes_back_when_a_block_ends_early(cli, outlook_config):
    fake, settings, config = outlook_config
    teams_presence.sign_in(settings, "device", lambda _m: None)
    book(cli, config)
    tick(cli, config, at("30 09:02"))
    [block] = [e for e in fake.events() if e["start"]["dateTime"].startswith("2026-11-30T08:00")]
    fake.remove_event(block["id"])  # the person deletes the block while it runs
    [stopped] = tick(cli, config, at("30 09:30"))["stopped"]
    assert stopped["detail"] == "teams: presence handed back (the block ended early)"
    assert fake.presence() is None
    [clear] = fake.requests("POST", "/presence/clearUserPreferredPresence")
    assert clear.body == {}


def test_teams_without_the_presence_consent_says_what_to_run(cli, outlook_config):
    fake, settings, config = outlook_config
    outlook_auth.login(settings, prompt=lambda _m: None)  # calendars only
    book(cli, config)
    result = cli("tick", "--config", config, "--now", at("30 09:02"))
    assert result.code == 3 and "guardian auth teams" in result.err
    assert "fake-at-" not in result.err and "fake-rt-" not in result.err
    assert fake.presence() is None


def test_the_shipped_units_run_tick(tmp_path):
    units = Path(__file__).resolve().parent.parent / "examples" / "nightly"
    assert "guardian tick" in (units / "crontab.txt").read_text()
    assert "tick" in (units / "guardian-tick.service").read_text()
    assert "OnCalendar=*:0/5" in (units / "guardian-tick.timer").read_text()
    assert "<string>tick</string>" in (units / "com.guardian.tick.plist").read_text()
    assert "watch" in (units / "guardian-watch.service").read_text()


def test_watch_refuses_a_silly_interval(cli, tmp_path):
    config = setup(tmp_path, None, chat="")
    result = cli("watch", "--config", config, "--every", "1")
    assert result.code == 2 and "--every: 1 is out of range" in result.err

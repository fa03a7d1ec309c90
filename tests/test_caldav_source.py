"""CalDAV calendars, read from real servers (Radicale, Xandikos) started on loopback.

The servers come from their PyPI packages (tests/davservers.py), with
password authentication; guardian talks to them through the caldav library.
Each test that takes `dav` runs against both.
"""

# ruff: noqa: F811  (the server fixtures are imported by name)
from __future__ import annotations

import json
import os
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from guardian.adapters.config import load_config
from guardian.adapters.sources import open_source
from guardian.adapters.sources.base import Identity
from guardian.adapters.state import State
from guardian.core.model import Window
from tests.conftest import ME, no_traceback
from tests.davservers import PASSWORD, PASSWORD_ENV, USER, dav, radicale, xandikos  # noqa: F401
from tests.source_contract import assert_source_contract

TZ = ZoneInfo("Europe/Berlin")
WEEK = Window(datetime(2026, 12, 7, tzinfo=TZ), datetime(2026, 12, 14, tzinfo=TZ))
NOW = "2026-12-06T21:30:00+01:00"


def vcalendar(uid: str, summary: str, lines: list[str]) -> str:
    body = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//guardian tests//caldav//EN",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        "DTSTAMP:20261101T000000Z",
        *lines,
        f"SUMMARY:{summary}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(body) + "\r\n"


#: tests/source_contract.py's SCENARIO, one object per event as CalDAV stores them
B = "DTSTART;TZID=Europe/Berlin:"
E = "DTEND;TZID=Europe/Berlin:"
SCENARIO = {
    "spans": ("spans the window start", [B + "20261206T230000", E + "20261207T010000"]),
    "inside": ("inside", [B + "20261208T100000", E + "20261208T110000"]),
    "allday": ("all day", ["DTSTART;VALUE=DATE:20261213", "DTEND;VALUE=DATE:20261214"]),
    "edge": ("ends at the window start", [B + "20261206T230000", E + "20261207T000000"]),
    "series": ("series", [B + "20261207T090000", E + "20261207T100000", "RRULE:FREQ=DAILY;COUNT=10"]),
}


def seed(server, name: str = "work", display: str = "Work") -> str:
    url = server.make_calendar(name, display)
    for uid, (summary, lines) in SCENARIO.items():
        server.put(url, f"{uid}.ics", vcalendar(uid, summary, lines))
    return url


def write_config(tmp_path, url: str, **keys: str):
    extra = "".join(f'{k} = "{v}"\n' for k, v in keys.items())
    path = tmp_path / "guardian.toml"
    path.write_text(
        f'me = "{ME}"\ntimezone = "Europe/Berlin"\nstate = "{tmp_path}/state.sqlite3"\n'
        f'[calendars.work]\nsource = "caldav:{url}"\nusername = "{USER}"\n'
        + (extra or f'password_env = "{PASSWORD_ENV}"\n')
    )
    return path


def open_work(config_path, state):
    settings = load_config(config_path)
    return open_source("work", settings, Identity(TZ, ME), state)


def test_the_source_contract_holds_on_both_servers(dav, tmp_path):
    url = seed(dav)
    state = State(tmp_path / "state.sqlite3")
    source = open_work(write_config(tmp_path, url), state)
    assert source.capabilities.needs_state and source.capabilities.rsvp == ""
    events = assert_source_contract(source, WEEK)
    assert all(e.source.startswith("caldav:") for e in events)


def test_an_unchanged_calendar_costs_one_request_on_the_next_run(dav, tmp_path):
    url = seed(dav)
    config = write_config(tmp_path, url)
    state = State(tmp_path / "state.sqlite3")
    first = open_work(config, state)
    events = first.read(WEEK)
    assert first.connection.requests == 2  # PROPFIND (sync token, ctag) + the time-range query
    again = open_work(config, state)  # the next run: a new process, the same state store
    assert again.read(WEEK) == events
    assert again.connection.requests == 1  # sync-collection with the stored token: nothing changed
    again.read(WEEK)
    assert again.connection.requests == 1  # within a run, the sync is reused


def test_changes_by_another_client_arrive_with_the_next_sync(dav, tmp_path):
    url = seed(dav)
    config = write_config(tmp_path, url)
    state = State(tmp_path / "state.sqlite3")
    open_work(config, state).read(WEEK)
    other = dav.client()
    dav.put(url, "inside.ics", vcalendar("inside", "inside moved", SCENARIO["inside"][1]))
    other.delete(url + "allday.ics")
    dav.put(
        url, "new.ics", vcalendar("new", "new one", ["DTSTART:20261210T120000Z", "DTEND:20261210T130000Z"])
    )
    later = open_work(config, state)
    titles = {e.title for e in later.read(WEEK)}
    assert {"inside moved", "new one"} <= titles
    assert "inside" not in titles and "all day" not in titles
    assert later.connection.requests == 2  # sync-collection + one multiget of the two changed


def test_an_expired_sync_token_means_a_full_sync(dav, tmp_path):
    url = seed(dav)
    config = write_config(tmp_path, url)
    state = State(tmp_path / "state.sqlite3")
    source = open_work(config, state)
    source.read(WEEK)
    key = source.collection.key
    mark = json.loads(state.sync_token(key))
    mark["token"] = (
        mark["token"] + "-expired" if dav.name == "xandikos" else "http://radicale.org/ns/sync/0000"
    )
    state.set_sync_token(key, json.dumps(mark))
    later = open_work(config, state)
    assert "inside" in {e.title for e in later.read(WEEK)}


def test_without_a_state_store_each_read_is_one_time_range_query(radicale, tmp_path):
    url = seed(radicale)
    source = open_work(write_config(tmp_path, url), None)
    assert "inside" in {e.title for e in source.read(WEEK)}
    assert source.connection.requests == 1
    assert any(r.startswith("REPORT") for r in radicale.requests_seen())


def test_a_nightly_on_an_unchanged_calendar_costs_one_request_per_calendar(cli, radicale, tmp_path):
    url = seed(radicale)
    config = write_config(tmp_path, url)
    args = ["nightly", "--apply", "--config", str(config), "--now", NOW]
    first = cli(*args)
    assert first.code == 0, first.err
    assert first.out.count("create focus block") >= 1
    before = len(radicale.requests_seen())
    second = cli(*args)
    assert (second.code, second.out) == (0, ""), second.err
    seen = radicale.requests_seen()[before:]
    # the calendar and the Focus calendar: one sync-collection REPORT each, nothing written
    assert len(seen) == 2 and all(r.startswith("REPORT") for r in seen), seen


def test_a_wrong_password_is_one_line_without_the_password(cli, dav, tmp_path, monkeypatch):
    url = seed(dav)
    monkeypatch.setenv(PASSWORD_ENV, "not the password")
    result = cli("audit", "--config", write_config(tmp_path, url), "--from", "2026-12-07", "--now", NOW)
    assert result.code == 3
    [line] = result.err_lines
    assert "refused the user name or password" in line and "not the password" not in line
    assert no_traceback(result.err)


def test_an_unset_password_variable_is_named(cli, radicale, tmp_path, monkeypatch):
    url = seed(radicale)
    monkeypatch.delenv(PASSWORD_ENV)
    result = cli("audit", "--config", write_config(tmp_path, url), "--from", "2026-12-07", "--now", NOW)
    assert result.code == 2 and PASSWORD_ENV in result.err and len(result.err_lines) == 1


MEETING = vcalendar(
    "meeting",
    "Budget decision",
    [
        "DTSTART;TZID=Europe/Berlin:20261209T100000",
        "DTEND;TZID=Europe/Berlin:20261209T110000",
        "ORGANIZER:mailto:bob@acme.example",
        "ATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@acme.example",
        f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{ME}",
    ],
)


def test_a_password_file_must_be_private(cli, radicale, tmp_path):
    url = seed(radicale)
    radicale.put(url, "meeting.ics", MEETING)
    secret = tmp_path / "caldav-password"
    secret.write_text(PASSWORD + "\n")
    os.chmod(secret, 0o644)
    config = write_config(tmp_path, url, password_file=str(secret))
    args = ["audit", "--config", config, "--from", "2026-12-07", "--now", NOW, "--format", "json"]
    refused = cli(*args)
    assert refused.code == 2 and "chmod 600" in refused.err
    os.chmod(secret, 0o600)
    result = cli(*args)
    assert result.code == 0, result.err
    assert "Budget decision" in {e["title"] for e in json.loads(result.out)["events"]}


def test_a_password_pasted_into_password_env_is_refused_at_its_line(cli, tmp_path):
    path = tmp_path / "guardian.toml"
    path.write_text(
        '[calendars.work]\nsource = "caldav:https://dav.example.com/alex/work/"\npassword_env = "hunter2 hunter2"\n'
    )
    result = cli("audit", "--config", path)
    assert result.code == 2
    assert (
        "guardian.toml:3: calendars.work.password_env" in result.err
        and "NAME of an environment variable" in result.err
    )


def test_plain_http_to_another_machine_is_refused(cli, tmp_path):
    path = tmp_path / "guardian.toml"
    path.write_text('[calendars.work]\nsource = "caldav:http://dav.example.com/alex/work/"\n')
    result = cli("audit", "--config", path)
    assert result.code == 2 and "unencrypted" in result.err


def test_an_unreachable_server_is_exit_3_naming_the_calendar(cli, tmp_path):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = write_config(tmp_path, f"http://127.0.0.1:{port}/alex/work/")
    os.environ.setdefault(PASSWORD_ENV, PASSWORD)
    result = cli("audit", "--config", config, "--now", NOW)
    assert result.code == 3 and "cannot reach" in result.err and no_traceback(result.err)


@pytest.mark.parametrize("focus", ["", "Work"])
def test_replies_for_caldav_calendars_go_out_as_itip_mail(radicale, tmp_path, focus):
    url = seed(radicale)
    source = open_work(write_config(tmp_path, url), State(tmp_path / "state.sqlite3"))
    assert source.capabilities.rsvp == ""  # the existing mail path (iTIP REPLY)


def test_the_write_contract_holds_on_both_servers(dav, tmp_path):
    """The shared write contract: idempotent apply, foreign events refused (blocks in the calendar)."""
    from tests.source_contract import assert_block_writer_contract

    url = seed(dav)
    state = State(tmp_path / "state.sqlite3")
    config = write_config(tmp_path, url, password_env=PASSWORD_ENV, focus_calendar=url)
    source = open_work(config, state)

    def snapshot():
        client = dav.client()
        return sorted((str(o.url), o.data) for o in client.calendar(url=url).search(event=True, expand=False))

    assert_block_writer_contract(source, WEEK, snapshot=snapshot, state=state)

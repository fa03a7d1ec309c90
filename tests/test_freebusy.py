"""The attendees' focus price, from free/busy only: Google freebusy.query, Graph getSchedule, CalDAV.

Through the real client libraries against the loopback fakes (and real CalDAV servers):
the requests guardian makes (how many, for whom), that only busy times are kept (Graph may
send titles; they never leave the adapter), that people the provider does not know are
unknown rather than free, and the team's price in the audit when `[focus] team_price` asks
for it, and not a request when it does not.
"""

# ruff: noqa: F811  (the server fixtures are imported by name)
from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from guardian.adapters.sources.base import Identity
from guardian.adapters.sources.google.auth import sign_in_scopes
from guardian.adapters.sources.google.source import GoogleSource
from guardian.adapters.sources.outlook import auth as outlook_auth
from guardian.adapters.sources.outlook.source import OutlookSource
from guardian.core.model import Window
from guardian.errors import AuthError
from tests.conftest import google_settings, outlook_settings
from tests.davservers import radicale, xandikos  # noqa: F401  (server fixtures, by name)

try:
    from tests.fakes.google_calendar import FakeGoogleCalendar, write_token_file
except ImportError:  # tests/ itself on sys.path
    from fakes.google_calendar import FakeGoogleCalendar, write_token_file

TZ = ZoneInfo("Europe/Berlin")
WEEK = Window(datetime(2026, 12, 7, tzinfo=TZ), datetime(2026, 12, 14, tzinfo=TZ))
NOW = "2026-12-06T21:30:00+01:00"
ME = "me@example.com"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=TZ)


def google_event(summary, start, end, attendees=(), **extra) -> dict:
    return {
        "summary": summary,
        "start": {"dateTime": start.isoformat()},
        "end": {"dateTime": end.isoformat()},
        "attendees": [
            {"email": a, "responseStatus": "accepted", **({"self": True} if a == ME else {})}
            for a in attendees
        ],
        **extra,
    }


SYNC = ("Design sync", at(8, 10, 30), at(8, 11))
PEOPLE = (ME, "bob@example.com", "carol@example.com", "dave@elsewhere.example")


def seed_team(fake) -> None:
    """The sync on everyone's calendar; my afternoon and Carol's first hour taken."""
    fake.seed(google_event(*SYNC, PEOPLE, organizer={"email": "bob@example.com"}))
    fake.seed(google_event("Customer call", at(8, 13), at(8, 17), (ME,)))
    fake.seed(google_event(*SYNC, PEOPLE), calendar_id="bob@example.com")
    fake.seed(google_event(*SYNC, PEOPLE), calendar_id="carol@example.com")
    fake.seed(google_event("Dentist", at(8, 9), at(8, 10)), calendar_id="carol@example.com")
    fake.seed(
        google_event("Blocked, shown as free", at(8, 11), at(8, 13), transparency="transparent"),
        calendar_id="carol@example.com",
    )


#: what `guardian auth google --write` asks for with `[focus] team_price = true`
TEAM_SCOPES = tuple(sign_in_scopes(write=True, team_price=True))


@pytest.fixture
def google(tmp_path):
    with FakeGoogleCalendar(owner=ME, tz="Europe/Berlin", granted_scopes=TEAM_SCOPES) as fake:
        token = write_token_file(tmp_path / "google-token.json", fake)
        settings = google_settings({"api_endpoint": fake.api_endpoint, "token_file": str(token)})
        yield fake, GoogleSource("primary", Identity(tz=TZ, me=ME), None, settings), token


def test_google_one_freebusy_query_answers_for_everyone_and_unknown_is_not_free(google):
    fake, source, _ = google
    seed_team(fake)
    answer = source.free_busy().busy(["Bob@example.com", "carol@example.com", "dave@elsewhere.example"], WEEK)
    assert fake.freebusy_queries == [["bob@example.com", "carol@example.com", "dave@elsewhere.example"]]
    assert answer.requests == 1
    assert answer.busy["bob@example.com"] == [(SYNC[1], SYNC[2])]
    # the transparent block is not busy; Carol's first hour and the sync are
    assert answer.busy["carol@example.com"] == [(at(8, 9), at(8, 10)), (SYNC[1], SYNC[2])]
    assert answer.unknown == {"dave@elsewhere.example": "notFound"}


def test_google_asks_fifty_calendars_a_request(google):
    fake, source, _ = google
    people = [f"p{n:02d}@example.com" for n in range(60)]
    answer = source.free_busy().busy(people, WEEK)
    assert [len(q) for q in fake.freebusy_queries] == [50, 10] and answer.requests == 2
    assert set(answer.unknown) == set(people)  # none of them has a calendar here


def test_sign_in_asks_for_others_availability_only_when_the_team_price_is_on():
    assert not any("freebusy" in s for s in sign_in_scopes(write=True, team_price=False))
    assert sign_in_scopes(write=False, team_price=True)[-1].endswith("/calendar.events.freebusy")


@pytest.mark.parametrize(
    "granted",
    [
        ("https://www.googleapis.com/auth/calendar.events",),
        tuple(sign_in_scopes(write=True, team_price=False)),
    ],
)
def test_google_freebusy_needs_a_scope_the_events_scopes_do_not_give(tmp_path, granted):
    events_only = granted
    with FakeGoogleCalendar(owner=ME, tz="Europe/Berlin", granted_scopes=events_only) as fake:
        token = write_token_file(tmp_path / "google-token.json", fake, scopes=events_only)
        settings = google_settings({"api_endpoint": fake.api_endpoint, "token_file": str(token)})
        source = GoogleSource("primary", Identity(tz=TZ, me=ME), None, settings)
        with pytest.raises(AuthError) as err:
            source.free_busy().busy(["bob@example.com"], WEEK)
        assert "calendar.events.freebusy" in str(err.value) and "team_price" in (err.value.hint or "")
        assert "ya29" not in str(err.value) and "refresh" not in str(err.value)


def _config(tmp_path, fake, token, extra: str) -> object:
    config = tmp_path / "guardian.toml"
    config.write_text(
        f'me = "{ME}"\ntimezone = "Europe/Berlin"\nstate = "{tmp_path}/state.sqlite3"\n'
        '[calendars.work]\nsource = "google:primary"\n'
        f'[google]\napi_endpoint = "{fake.api_endpoint}"\ntoken_file = "{token}"\n{extra}',
        encoding="utf-8",
    )
    return config


def test_the_audit_shows_the_teams_price_when_asked_and_asks_nothing_otherwise(cli, google, tmp_path):
    fake, _, token = google
    seed_team(fake)
    common = ["--from", "2026-12-07", "--now", NOW]
    plain = cli("audit", "--config", _config(tmp_path, fake, token, ""), *common, "--format", "json")
    assert plain.code == 0, plain.err
    assert fake.freebusy_queries == []  # off by default: nobody else's calendar is asked about
    [series] = [s for s in json.loads(plain.out)["series"] if s["title"] == "Design sync"]
    assert series["focus_price_hours"] == 2.0 and series["team_focus_price_hours"] is None

    config = _config(tmp_path, fake, token, "[focus]\nteam_price = true\n")
    doc = json.loads(cli("audit", "--config", config, *common, "--format", "json").out)
    [series] = [s for s in doc["series"] if s["title"] == "Design sync"]
    # me 2 h (09:00-13:00 -> 1.5 h + 2 h), Bob 2 h (a free day: 1.5 h + 6 h), Carol 1 h
    # (10:00-17:00 -> 0.5 h + 6 h); Dave's calendar is unknown and left out
    assert series["team_focus_price_hours"] == 5.0
    assert len(fake.freebusy_queries) == 1  # the audit, its replies and the table: one request
    table = cli("audit", "--config", config, *common)
    assert "focus price 2 h · team 5 h" in " ".join(table.out.split())


def test_an_async_proposal_quotes_the_teams_price(cli, google, tmp_path):
    fake, _, token = google
    seed_team(fake)
    config = _config(tmp_path, fake, token, "[focus]\nteam_price = true\n")
    doc = json.loads(
        cli("replies", "plan", "--config", config, "--from", "2026-12-07", "--now", NOW, "-f", "json").out
    )
    [reply] = [r for r in doc["replies"] if r["event"]["title"] == "Design sync"]
    body = " ".join(reply["body"].split())
    assert "Across everyone invited it costs 5 h of focus this week (3 people, from their free/busy)." in body
    assert "it costs me 2 h of focus time that day" in body


def test_a_source_that_cannot_answer_is_one_warning_and_the_audit_goes_on(cli, tmp_path):
    events_only = ("https://www.googleapis.com/auth/calendar.events",)
    with FakeGoogleCalendar(owner=ME, tz="Europe/Berlin", granted_scopes=events_only) as fake:
        seed_team(fake)
        token = write_token_file(tmp_path / "google-token.json", fake, scopes=events_only)
        config = _config(tmp_path, fake, token, "[focus]\nteam_price = true\n")
        result = cli("audit", "--config", config, "--from", "2026-12-07", "--now", NOW, "--format", "json")
        assert result.code == 0, result.err
        warnings = [line for line in result.err.splitlines() if line.startswith("warning: team focus price")]
        assert len(warnings) == 1 and "calendar.events.freebusy" in warnings[0]
        [series] = [s for s in json.loads(result.out)["series"] if s["title"] == "Design sync"]
        assert series["team_focus_price_hours"] == 2.0  # only my own price is known


# --- Graph getSchedule ------------------------------------------------------------------------


@pytest.fixture
def outlook(graph_fake, tmp_path):
    settings = outlook_settings(graph_fake.settings(token_cache=str(tmp_path / "cache.json"), attempts=2))
    outlook_auth.login(settings, prompt=lambda _m: None)
    graph_fake.clear_log()
    return graph_fake, OutlookSource("me", Identity(tz=TZ, me="me@contoso.com"), None, settings)


def test_graph_get_schedule_keeps_only_busy_times_never_titles(outlook):
    fake, source = outlook
    fake.add_user("bob@contoso.com", "Bob")
    for subject, start, end, show in (
        ("Secret offsite planning", at(8, 9), at(8, 10), "busy"),
        ("Maybe lunch", at(8, 12), at(8, 13), "tentative"),
        ("Holiday", at(9, 0), at(10, 0), "oof"),
        ("Open office hours", at(8, 15), at(8, 16), "free"),
        ("At the customer", at(8, 16), at(8, 17), "workingElsewhere"),
    ):
        fake.seed_event("bob@contoso.com", subject=subject, start=start, end=end, showAs=show)
    answer = source.free_busy().busy(["bob@contoso.com", "nobody@contoso.com"], WEEK)
    assert answer.requests == 1
    [request] = fake.requests("POST", "/calendar/getSchedule")
    assert request.path == "/me/calendar/getSchedule"
    assert request.body["schedules"] == ["bob@contoso.com", "nobody@contoso.com"]
    assert request.body["startTime"] == {"dateTime": "2026-12-06T23:00:00", "timeZone": "UTC"}
    assert answer.busy["bob@contoso.com"] == [
        (at(8, 9), at(8, 10)),
        (at(8, 12), at(8, 13)),
        (at(9, 0), at(10, 0)),
    ]
    assert answer.unknown == {"nobody@contoso.com": "ErrorMailRecipientNotFound"}
    assert "Secret" not in repr(answer) and "lunch" not in repr(answer)


def test_graph_asks_twenty_people_a_request(outlook):
    fake, source = outlook
    people = [f"p{n:02d}@contoso.com" for n in range(25)]
    answer = source.free_busy().busy(people, WEEK)
    sizes = [len(r.body["schedules"]) for r in fake.requests("POST", "/calendar/getSchedule")]
    assert sizes == [20, 5] and answer.requests == 2


# --- CalDAV: only where the server has scheduling ------------------------------------------------


def test_caldav_without_scheduling_says_unknown_and_never_fails(radicale, tmp_path):
    from guardian.adapters.settings import Settings
    from guardian.adapters.sources import open_source
    from tests.test_caldav_source import seed, write_config

    url = seed(radicale)
    from guardian.adapters.config import load_config

    settings: Settings = load_config(write_config(tmp_path, url))
    source = open_source("work", settings, Identity(tz=TZ, me="alex@example.com"), None)
    assert source.capabilities.free_busy
    answer = source.free_busy().busy(["bob@example.com"], WEEK)
    assert answer.busy == {} and "RFC 6638" in answer.unknown["bob@example.com"]


def test_caldav_a_refused_attendee_is_unknown_with_the_servers_reason(xandikos, tmp_path):
    from guardian.adapters.config import load_config
    from guardian.adapters.sources import open_source
    from tests.test_caldav_source import seed, write_config

    settings = load_config(write_config(tmp_path, seed(xandikos)))
    source = open_source("work", settings, Identity(tz=TZ, me="alex@example.com"), None)
    answer = source.free_busy().busy(["bob@example.com"], WEEK)
    # Xandikos has an outbox but no authority over other servers' users: REQUEST-STATUS 3.8
    assert answer.busy == {} and answer.unknown["bob@example.com"].startswith("3.8")
    assert answer.requests == 1


def test_caldav_busy_periods_of_a_vfreebusy_reply():
    # RFC 5545 3.8.2.6 FREEBUSY: periods as start/end or start/duration; FBTYPE defaults to BUSY
    from guardian.adapters.sources.caldav.freebusy import busy_periods

    reply = "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "METHOD:REPLY",
            "BEGIN:VFREEBUSY",
            "UID:fb-1",
            "DTSTAMP:20261201T000000Z",
            "DTSTART:20261207T000000Z",
            "DTEND:20261214T000000Z",
            "ATTENDEE:mailto:bob@example.com",
            "FREEBUSY;FBTYPE=BUSY:20261208T080000Z/20261208T090000Z,20261208T120000Z/PT1H",
            "FREEBUSY;FBTYPE=FREE:20261208T100000Z/20261208T110000Z",
            "FREEBUSY;FBTYPE=BUSY-TENTATIVE:20261209T080000Z/20261209T083000Z",
            "END:VFREEBUSY",
            "END:VCALENDAR",
            "",
        ]
    )
    assert busy_periods(reply) == [
        (at(8, 9), at(8, 10)),
        (at(8, 13), at(8, 14)),
        (at(9, 9), at(9, 9, 30)),
    ]


def test_the_report_ranks_the_meetings_that_cost_the_most_focus_with_the_teams_price(cli, google, tmp_path):
    fake, _, token = google
    seed_team(fake)
    config = _config(tmp_path, fake, token, "[focus]\nteam_price = true\n")
    common = ["--config", config, "--from", "2026-12-07", "--days", "7", "--weeks", "0", "--now", NOW]
    doc = json.loads(cli("report", *common, "--format", "json").out)
    [sync] = [p for p in doc["focus_prices"] if p["title"] == "Design sync"]
    assert sync == {
        "uid": sync["uid"],
        "title": "Design sync",
        "instances": 1,
        "hours": 2.0,
        "meeting_hours": 0.5,
        "team_hours": 5.0,
        "team_people": 3,
    }
    table = cli("report", *common).out
    assert "Meetings that cost the most focus" in table and "5 h (3 people)" in table

"""`guardian replies send` through the Google and Outlook fakes: the RSVP carries the comment.

The real client libraries talk to the loopback fakes in tests/fakes; nothing
of guardian is mocked. Each run must ask each organizer once per series, as
an RSVP (tentative by default) whose comment is the request, and a second
run must write nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from guardian.adapters.sources.outlook import auth as outlook_auth
from guardian.adapters.state import State
from guardian.cli.app import main
from tests.conftest import outlook_settings
from tests.fakes.google_calendar import FakeGoogleCalendar, write_token_file

TZ = ZoneInfo("Europe/Berlin")
NOW = "2026-12-04T12:00:00+01:00"  # Friday noon before the week of Mon 7 Dec 2026


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=TZ)


def run(capsys, *args):
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def send_args(config, *more):
    return ["replies", "send", "--config", config, "--from", "2026-12-07", "--now", NOW, *more]


def test_google_rsvp_carries_the_comment_once_per_series(tmp_path, capsys):
    with FakeGoogleCalendar(owner="me@example.com", tz="Europe/Berlin") as fake:
        people = [
            {"email": "me@example.com", "self": True, "responseStatus": "needsAction"},
            {
                "email": "sam@example.com",
                "displayName": "Sam Rivera",
                "organizer": True,
                "responseStatus": "accepted",
            },
            {"email": "carol@example.com", "responseStatus": "accepted"},
        ]
        instances = fake.seed_series(
            {
                "summary": "Team standup",
                "description": "Daily standup, join on Meet.",
                "start": {"dateTime": at(7, 9).isoformat(), "timeZone": "Europe/Berlin"},
                "end": {"dateTime": at(7, 9, 15).isoformat(), "timeZone": "Europe/Berlin"},
                "recurrence": ["RRULE:FREQ=DAILY;COUNT=5"],
                "organizer": {"email": "sam@example.com", "displayName": "Sam Rivera"},
                "attendees": people,
            },
            [at(d, 9) for d in range(7, 12)],
        )
        review = fake.seed(
            {
                "summary": "Roadmap review",
                "description": "Agenda: should we cut scope?",
                "start": {"dateTime": at(8, 14).isoformat()},
                "end": {"dateTime": at(8, 15).isoformat()},
                "organizer": {"email": "ana@example.com"},
                "attendees": [
                    {"email": "me@example.com", "self": True, "responseStatus": "accepted"},
                    {"email": "ana@example.com", "organizer": True, "responseStatus": "accepted"},
                    {"email": "carol@example.com", "responseStatus": "accepted"},
                ],
            }
        )
        token = write_token_file(tmp_path / "google-token.json", fake)
        config = tmp_path / "guardian.toml"
        config.write_text(
            f'me = "me@example.com"\ntimezone = "Europe/Berlin"\nstate = "{tmp_path}/state.sqlite3"\n'
            '[calendars.work]\nsource = "google:primary"\n'
            f'[google]\napi_endpoint = "{fake.api_endpoint}"\ntoken_file = "{token}"\n'
        )
        code, out, err = run(capsys, *send_args(config))
        assert code == 0, err
        assert out.count("sent google:") == 2, out
        patches = [r for r in fake.log if r.method == "PATCH"]
        assert len(patches) == 2
        assert patches[0].param("sendUpdates") == "all"

        first = fake.get(instances[0]["id"])
        mine = next(a for a in first["attendees"] if a.get("self"))
        assert mine["responseStatus"] == "tentative"  # unanswered: a reply needs an answer to carry its note
        assert mine["comment"].startswith("Hi Sam,")
        comment = " ".join(mine["comment"].split())
        # a standup's organizer is offered a written update, not asked for a pre-read
        assert (
            "Team standup" in comment
            and "a written async update" in comment
            and "recurring meeting" in comment
        )
        others = {a["email"]: a["responseStatus"] for a in first["attendees"] if not a.get("self")}
        assert others == {"sam@example.com": "accepted", "carol@example.com": "accepted"}
        for later in instances[1:]:  # one request per series: the other days are untouched
            assert "comment" not in next(a for a in fake.get(later["id"])["attendees"] if a.get("self"))
        ana = next(a for a in fake.get(review["id"])["attendees"] if a.get("self"))
        # accepted stays accepted: the comment carries the request
        assert ana["responseStatus"] == "accepted" and "Roadmap review" in ana["comment"]

        state = State(tmp_path / "state.sqlite3")
        assert {(r["organizer"], r["channel"]) for r in state.requests()} == {
            ("sam@example.com", "google"),
            ("ana@example.com", "google"),
        }
        state.close()

        fake.clear_log()
        code, out, err = run(capsys, *send_args(config))
        assert code == 0, err
        assert "nothing to send" in out
        assert [
            r for r in fake.log if r.method in ("PATCH", "POST", "PUT", "DELETE") and r.path != "/token"
        ] == []


def test_outlook_rsvp_carries_the_comment_once_per_series(tmp_path, capsys, graph_fake):
    fake = graph_fake
    raw = fake.settings(token_cache=str(tmp_path / "cache.json"))
    outlook_auth.login(outlook_settings(raw), prompt=lambda _m: None)
    _, instances = fake.seed_series(
        start=at(7, 9),
        end=at(7, 9, 15),
        count=5,
        every=timedelta(days=1),
        subject="Team standup",
        isOrganizer=False,
        organizer="sam@contoso.com",
        attendees=["me@contoso.com", "sam@contoso.com", "carol@contoso.com"],
    )
    one_off = fake.seed_event(
        subject="Roadmap review",
        start=at(8, 14),
        end=at(8, 15),
        isOrganizer=False,
        organizer="ana@contoso.com",
        attendees=["me@contoso.com", "ana@contoso.com", "carol@contoso.com"],
        body="Agenda: should we cut scope?",
    )
    fake.clear_log()
    lines = [f'{k} = "{v}"' for k, v in raw.items() if isinstance(v, str)]
    config = tmp_path / "guardian.toml"
    config.write_text(
        f'me = "me@contoso.com"\ntimezone = "Europe/Berlin"\nstate = "{tmp_path}/state.sqlite3"\n'
        '[calendars.work]\nsource = "outlook:me"\n[outlook]\n' + "\n".join(lines) + "\n"
        '[replies]\nresponse = "tentative"\n'
    )
    code, out, err = run(capsys, *send_args(config))
    assert code == 0, err
    assert out.count("sent outlook:") == 2, out

    answered = {i["id"]: fake.responses(i["id"]) for i in instances}
    rsvps = [r for rs in answered.values() for r in rs]
    assert len(rsvps) == 1  # one request for the whole series
    assert answered[instances[0]["id"]] == rsvps
    (rsvp,) = rsvps
    assert rsvp["action"] == "tentativelyAccept" and rsvp["sendResponse"] is True
    assert rsvp["comment"].startswith("Hi sam,") and "Team standup" in rsvp["comment"]
    (review,) = fake.responses(one_off["id"])
    assert "Roadmap review" in review["comment"]

    fake.clear_log()
    code, out, err = run(capsys, *send_args(config))
    assert code == 0, err
    assert "nothing to send" in out
    assert fake.writes() == []

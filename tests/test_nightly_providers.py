"""`guardian nightly --apply`, end to end through the CLI, against the loopback fakes.

The issue's promise: a second nightly run on an unchanged calendar makes
only the sync request(s) and writes nothing.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from guardian.adapters.sources.outlook import auth as outlook_auth
from guardian.cli.app import main
from tests.conftest import outlook_settings
from tests.fakes.google_calendar import FakeGoogleCalendar, write_token_file

TZ = ZoneInfo("Europe/Berlin")
NOW = "2026-12-06T21:30:00+01:00"  # Sunday evening before the week of Mon 7 Dec 2026


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=TZ)


def run(capsys, *args):
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_google_second_nightly_makes_one_sync_request_and_no_writes(tmp_path, capsys):
    with FakeGoogleCalendar(owner="me@example.com", tz="Europe/Berlin") as fake:
        for day in range(7, 12):
            fake.seed(
                {
                    "summary": "Standup",
                    "start": {"dateTime": at(day, 9).isoformat()},
                    "end": {"dateTime": at(day, 9, 30).isoformat()},
                    "attendees": [
                        {"email": "me@example.com", "self": True, "responseStatus": "accepted"},
                        {"email": "sam@example.com", "responseStatus": "accepted"},
                    ],
                }
            )
        token = write_token_file(tmp_path / "google-token.json", fake)
        config = tmp_path / "guardian.toml"
        config.write_text(
            f'timezone = "Europe/Berlin"\nstate = "{tmp_path}/state.sqlite3"\n'
            '[calendars.work]\nsource = "google:primary"\n'
            f'[google]\napi_endpoint = "{fake.api_endpoint}"\ntoken_file = "{token}"\n'
        )
        args = ["nightly", "--apply", "--config", str(config), "--now", NOW]
        code, out, err = run(capsys, *args)
        assert code == 0, err
        assert out.count("create focus block") == 5
        first = [f"{r.method} {r.path}" for r in fake.log if not r.batch_part]
        fake.clear_log()
        code, out, err = run(capsys, *args)
        assert (code, out, err) == (0, "", "")  # quiet: nothing to do
        second = [(r.method, r.path, r.param("syncToken")) for r in fake.log]
        assert len(second) == 1 and second[0][0] == "GET" and second[0][2], second
        assert all(m == "GET" for m, _, _ in second)
        print(f"google nightly requests: first run {len(first)} {first}; second run {len(second)}")


def test_outlook_second_nightly_makes_no_writes(tmp_path, capsys, graph_fake):
    fake = graph_fake
    raw = fake.settings(token_cache=str(tmp_path / "cache.json"))
    outlook_auth.login(outlook_settings(raw), prompt=lambda _m: None)
    for day in range(7, 12):
        fake.seed_event(subject="Standup", start=at(day, 9), end=at(day, 9, 30))
    fake.clear_log()
    lines = [f'{k} = "{v}"' for k, v in raw.items() if isinstance(v, str)]
    config = tmp_path / "guardian.toml"
    config.write_text(
        f'timezone = "Europe/Berlin"\nstate = "{tmp_path}/state.sqlite3"\n'
        '[calendars.work]\nsource = "outlook:me"\n[outlook]\n' + "\n".join(lines) + "\n"
    )
    args = ["nightly", "--apply", "--config", str(config), "--now", NOW]
    code, out, err = run(capsys, *args)
    assert code == 0, err
    assert out.count("create focus block") == 5
    first = len(fake.http_requests())
    fake.clear_log()
    code, out, err = run(capsys, *args)
    assert (code, out, err) == (0, "", "")
    assert fake.writes() == []
    second = [f"{r.method} {r.path}" for r in fake.http_requests()]
    print(f"outlook nightly requests: first run {first}; second run {len(second)} {second}")
    graph = [r for r in second if "/oauth2/" not in r and "openid-configuration" not in r]
    assert len(graph) <= 2, second

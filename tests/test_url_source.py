"""Calendar URLs (`-c https://...`, `webcal://...`) against a loopback web server.

The server (tests/fakes/calendar_http.py) publishes calendars as Google,
Outlook and iCloud do, with validators, redirects and faults. The tests go
through the real requests library and the real command line, and check what
a person notices: the week is audited, an unchanged calendar costs one 304,
an unreachable server falls back to the last copy with a warning, and the
secret part of the address never appears anywhere.
"""

from __future__ import annotations

import json
import logging
import os
import stat
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from guardian.adapters.redact import redact
from guardian.adapters.sources.base import Identity
from guardian.adapters.sources.url.cache import CalendarCache
from guardian.adapters.sources.url.fetch import Limits
from guardian.adapters.sources.url.source import UrlSource
from guardian.core.model import Window
from guardian.errors import InputError, ProviderError
from tests.conftest import DATA, ME, NOW, no_traceback
from tests.fakes.calendar_http import CalendarServer

BERLIN = ZoneInfo("Europe/Berlin")
WEEK = Window(datetime(2026, 11, 30, tzinfo=BERLIN), datetime(2026, 12, 7, tzinfo=BERLIN))
TOKEN = "0123456789abcdef0123456789abcdef"
SECRET_PATH = f"/calendar/ical/alex%40example.com/private-{TOKEN}/basic.ics"
CALENDAR = (DATA / "recurrence-id-moved.ics").read_bytes()
OTHER = (DATA / "bare-vevent.ics").read_bytes()


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    for var in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    with CalendarServer() as fake:
        fake.publish(SECRET_PATH, CALENDAR)
        yield fake


@pytest.fixture
def cache(tmp_path):
    return CalendarCache(tmp_path / "cache")


def source(url, cache, **kwargs):
    return UrlSource(url, Identity(BERLIN, ME), cache=cache, attempts=1, **kwargs)


def titles(events) -> set[str]:
    return {e.title for e in events}


def audit(cli, url, *more):
    return cli(
        "audit", "-c", url, "--from", "2026-11-30", "--tz", "Europe/Berlin", "--now", NOW, "--me", ME, *more
    )


# --- conditional GET ------------------------------------------------------------------------


def test_an_unchanged_calendar_costs_one_304_on_the_next_run(server, cache):
    url = server.url(SECRET_PATH)
    first = source(url, cache)
    events = first.read(WEEK)
    assert "Team standup" in titles(events)
    assert first.fetched.fresh and first.fetched.requests == 1
    # the next run (a new process: a new source) asks with the validators it stored
    second = source(url, cache)
    assert second.read(WEEK) == events
    assert second.fetched.requests == 1 and not second.fetched.fresh
    [again] = server.requests_to(SECRET_PATH)[1:]
    assert again.if_none_match == server.calendars[SECRET_PATH].etag
    assert again.if_modified_since == server.calendars[SECRET_PATH].last_modified
    # reading the same source again in the same run asks nothing
    second.read(WEEK)
    assert len(server.requests_to(SECRET_PATH)) == 2


def test_a_server_with_only_last_modified_answers_304_to_if_modified_since(server, cache):
    server.send_etag = False
    url = server.url(SECRET_PATH)
    source(url, cache).read(WEEK)
    second = source(url, cache)
    second.read(WEEK)
    [again] = server.requests_to(SECRET_PATH)[1:]
    assert again.if_none_match is None and again.if_modified_since
    assert not second.fetched.fresh


def test_a_changed_calendar_is_fetched_and_replaces_the_copy(server, cache):
    url = server.url(SECRET_PATH)
    source(url, cache).read(WEEK)
    server.publish(SECRET_PATH, OTHER)
    changed = source(url, cache)
    assert titles(changed.read(WEEK)) == {"Storage vendor decision"}
    assert changed.fetched.fresh
    assert cache.load(url).body == OTHER


def test_the_cached_copy_is_private_and_named_by_a_hash(server, cache):
    url = server.url(SECRET_PATH)
    source(url, cache).read(WEEK)
    files = sorted(cache.folder.iterdir())
    assert len(files) == 2
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert TOKEN not in path.name
    meta = next(p for p in files if p.suffix == ".json").read_text()
    assert TOKEN not in meta and "private-***" in meta


# --- bounds ------------------------------------------------------------------------------------


def test_redirects_are_followed_up_to_the_limit(server, cache):
    server.publish("/moved.ics", CALENDAR)
    events = source(server.url("/redirect/3/moved.ics"), cache).read(WEEK)
    assert "Team standup" in titles(events)
    with pytest.raises(ProviderError, match="more than 5 redirects"):
        source(server.url("/loop"), cache).read(WEEK)
    assert len(server.requests_to("/loop")) == 6


def test_a_redirect_to_plain_http_elsewhere_is_not_followed(server, cache):
    with pytest.raises(ProviderError, match="plain http; not followed"):
        source(server.url("/to-plain-http"), cache).read(WEEK)


def test_a_slow_server_is_not_waited_on_for_ever(server, cache):
    server.publish("/slow.ics", CALENDAR)
    server.slow_seconds_per_chunk = 0.3
    slow = source(server.url("/slow.ics"), cache, limits=Limits(deadline=1.0, read_timeout=2.0))
    with pytest.raises(ProviderError, match="longer than 1 s"):
        slow.read(WEEK)


def test_an_oversized_body_is_refused_while_reading(server, cache):
    big = source(server.url("/huge.ics"), cache, limits=Limits(max_bytes=1 << 20))
    with pytest.raises(ProviderError, match="larger than 1 MiB"):
        big.read(WEEK)


def test_a_server_that_goes_away_leaves_the_last_copy_in_use(server, cache, caplog):
    url = server.url(SECRET_PATH)
    expected = source(url, cache).read(WEEK)
    server.stop()
    offline = source(url, cache)
    with caplog.at_level(logging.WARNING, logger="guardian"):
        assert offline.read(WEEK) == expected
    [line] = [r.getMessage() for r in caplog.records]
    assert "cannot fetch the calendar" in line and "using the copy from" in line
    assert TOKEN not in line and "private-***" in line


def test_a_503_falls_back_to_the_copy_and_without_one_is_a_provider_error(server, cache):
    with pytest.raises(ProviderError, match="HTTP 503"):
        source(server.url("/error.ics"), cache).read(WEEK)


def test_a_404_says_the_address_may_have_been_reset(server, cache):
    with pytest.raises(ProviderError, match="HTTP 404") as caught:
        source(server.url("/calendar/ical/x/private-ffffffffffffffffffff/basic.ics"), cache).read(WEEK)
    assert "reset" in caught.value.hint and "ffffffff" not in str(caught.value)


def test_a_sign_in_page_never_replaces_the_good_copy(server, cache):
    url = server.url(SECRET_PATH)
    source(url, cache).read(WEEK)
    server.publish(SECRET_PATH, b"<!DOCTYPE html><html><body>Sign in</body></html>")
    with pytest.raises(InputError, match="web page, not a calendar"):
        source(url, cache).read(WEEK)
    assert cache.load(url).body == CALENDAR


def test_plain_http_elsewhere_is_refused_before_any_request(cache):
    with pytest.raises(InputError, match="unencrypted"):
        source(f"http://calendar.example.org{SECRET_PATH}", cache)


def test_credentials_in_the_address_are_sent_as_basic_auth(server, cache):
    server.require_auth = ("alex", "s3cret pass")
    url = server.url(SECRET_PATH).replace("http://", "http://alex:s3cret%20pass@")
    assert "Team standup" in titles(source(url, cache).read(WEEK))
    assert source(url, cache).spec.startswith("http://***@127.0.0.1:")


def test_webcal_means_https(monkeypatch, cache):
    import trustme

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    bundle = cache.folder.parent / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    with CalendarServer(tls_cert=cert) as tls:
        tls.publish("/published/2/MTIzNDU2Nzg5MDEyMzQ1Njc4OTA", CALENDAR)
        url = tls.url("/published/2/MTIzNDU2Nzg5MDEyMzQ1Njc4OTA", scheme="webcal")
        events = source(url, cache).read(WEEK)
    assert "Team standup" in titles(events)
    port = url.split(":")[2].split("/")[0]
    assert all(e.source == f"webcal://127.0.0.1:{port}/published/2/***" for e in events)


# --- the command line ---------------------------------------------------------------------------


def test_audit_of_a_secret_url_never_shows_the_token(cli, server, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    url = server.url(SECRET_PATH)
    result = audit(cli, url, "--format", "json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert "Team standup" in {e["title"] for e in doc["events"]}
    # a second run costs one 304
    again = audit(cli, url, "--format", "json")
    assert again.code == 0 and json.loads(again.out) == doc
    assert [s.if_none_match is not None for s in server.requests_to(SECRET_PATH)] == [False, True]
    cached = list((tmp_path / "xdg-cache" / "guardian" / "calendars").iterdir())
    assert len(cached) == 2
    # the server goes away: the copy is used, with one warning, no token
    server.stop()
    offline = audit(cli, url)
    assert offline.code == 0
    assert [line for line in offline.err_lines if line.startswith("warning:")] and TOKEN not in offline.err
    for output in (result, again, offline):
        assert TOKEN not in output.out + output.err
        assert no_traceback(output.err)


def test_an_unreachable_url_without_a_copy_exits_3_naming_it_redacted(cli, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    with CalendarServer() as gone:
        url = gone.url(SECRET_PATH)
    result = audit(cli, url)
    assert result.code == 3
    [line] = result.err_lines
    assert "private-***" in line and TOKEN not in line and "no earlier copy" in line


def test_an_unknown_scheme_is_named_redacted(cli):
    result = audit(cli, f"ftp://files.example.org/private-{TOKEN}/basic.ics")
    assert result.code == 2 and TOKEN not in result.err


def test_a_url_in_the_config_is_a_calendar(cli, server, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    config = tmp_path / "guardian.toml"
    config.write_text(f'me = "{ME}"\n[calendars.team]\nsource = "{server.url(SECRET_PATH)}"\n')
    result = cli(
        "audit", "--config", config, "-c", "team", "--from", "2026-11-30", "--now", NOW, "--format", "json"
    )
    assert result.code == 0, result.err
    assert "Team standup" in {e["title"] for e in json.loads(result.out)["events"]}
    assert TOKEN not in result.out + result.err


def test_focus_blocks_cannot_be_booked_on_a_published_calendar(cli, server, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    result = cli(
        "focus",
        "plan",
        "-c",
        server.url(SECRET_PATH),
        "--from",
        "2026-11-30",
        "--now",
        NOW,
        "--tz",
        "Europe/Berlin",
    )
    assert result.code == 2 and "cannot be booked" in result.err and TOKEN not in result.err


# --- redaction ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            f"https://calendar.google.com/calendar/ical/alex%40gmail.com/private-{TOKEN}/basic.ics",
            "https://calendar.google.com/calendar/ical/alex%40gmail.com/private-***/basic.ics",
        ),
        (
            "https://outlook.office365.com/owa/calendar/5c7f2a1e-1111-4e2b-9d3a-0a1b2c3d4e5f@contoso.com/"
            "9f8e7d6c5b4a39281706f5e4d3c2b1a0123456789/calendar.ics",
            "https://outlook.office365.com/owa/calendar/***@contoso.com/***/calendar.ics",
        ),
        (
            "webcal://p52-caldav.icloud.com/published/2/MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkw",
            "webcal://p52-caldav.icloud.com/published/2/***",
        ),
        (
            "https://cloud.example.org/remote.php/dav/public-calendars/AbCdEfGhIjKlMnOp?export",
            "https://cloud.example.org/remote.php/dav/public-calendars/***?***",
        ),
        ("https://alex:hunter2@dav.example.com:8443/dav/work/", "https://***@dav.example.com:8443/dav/work/"),
        ("https://example.com/feed.ics?token=abc#frag", "https://example.com/feed.ics?***#***"),
        ("caldav:https://u:p@[::1]:5232/alex/work/", "caldav:https://***@[::1]:5232/alex/work/"),
    ],
)
def test_redact_keeps_host_and_words_and_hides_tokens_credentials_and_queries(url, shown):
    assert redact(url) == shown


def test_redact_finds_urls_inside_messages():
    text = (
        f"HTTPSConnectionPool: Max retries exceeded with url https://h.example/private-{TOKEN}/basic.ics (x)"
    )
    assert TOKEN not in redact(text) and "https://h.example/private-***/basic.ics" in redact(text)


def test_cache_files_are_0600_even_when_the_folder_is_new(tmp_path):
    cache = CalendarCache(tmp_path / "new" / "calendars")
    cache.store("https://example.com/a.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", '"x"')
    assert stat.S_IMODE((tmp_path / "new" / "calendars").stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in cache.folder.iterdir())
    assert os.listdir(cache.folder)

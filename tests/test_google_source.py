"""GoogleSource reading through the real google-api-python-client and a loopback fake.

Nothing here reaches the internet: every endpoint (API, batch, token) points
at tests/fakes/google_calendar.py on 127.0.0.1.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from guardian.adapters.sources.base import Identity
from guardian.adapters.sources.google.source import GoogleSource
from guardian.core.model import EventKind, LinkKind, Status, Window
from guardian.errors import EXIT_PROVIDER, AuthError, ProviderError
from tests.conftest import google_settings
from tests.source_contract import (
    assert_block_writer_contract,
    assert_respond_contract,
    assert_source_contract,
)

try:
    from tests.fakes.google_calendar import FakeGoogleCalendar, write_token_file
except ImportError:  # tests/ itself on sys.path (no package __init__)
    from fakes.google_calendar import FakeGoogleCalendar, write_token_file

TZ = ZoneInfo("Europe/Berlin")
ME = "me@example.com"
WEEK = Window(datetime(2026, 12, 7, tzinfo=TZ), datetime(2026, 12, 14, tzinfo=TZ))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=TZ)


def timed(summary: str, day: int, hour: int, hours: float = 1, **extra) -> dict:
    start = at(day, hour)
    return {
        "summary": summary,
        "start": {"dateTime": start.isoformat(), "timeZone": "Europe/Berlin"},
        "end": {"dateTime": (start + timedelta(hours=hours)).isoformat(), "timeZone": "Europe/Berlin"},
        **extra,
    }


@pytest.fixture
def fake():
    with FakeGoogleCalendar(owner=ME, tz="Europe/Berlin") as server:
        yield server


@pytest.fixture
def token_file(tmp_path, fake):
    return write_token_file(tmp_path / "google-token.json", fake)


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps():
    return Sleeps()


@pytest.fixture
def make(fake, token_file, sleeps):
    def build(state=None, calendar="primary", **settings) -> GoogleSource:
        conf = {"api_endpoint": fake.api_endpoint, "token_file": str(token_file), **settings}
        ident = Identity(tz=TZ, me=ME, domains=("example.com",))
        return GoogleSource(calendar, ident, state, google_settings(conf), sleep=sleeps)

    return build


def api_lists(fake):
    return fake.requests("GET", "/events")


# --- paging and sync ------------------------------------------------------------


def test_paging_follows_next_page_token_across_pages(fake, make):
    fake.page_size = 3  # Google may serve fewer than maxResults per page
    for i in range(8):
        fake.seed(timed(f"meeting {i}", 7 + i % 5, 9 + i))
    events = make().read(WEEK)
    assert sorted(e.title for e in events) == sorted(f"meeting {i}" for i in range(8))
    lists = api_lists(fake)
    assert len(lists) == 3
    assert all(r.param("maxResults") == "2500" and r.param("singleEvents") == "true" for r in lists)
    assert all(r.param("fields") and "items(" in r.param("fields") for r in lists)
    assert lists[0].param("pageToken") is None
    assert lists[1].param("pageToken") and lists[2].param("pageToken")


def test_second_read_sends_only_the_sync_token(fake, make, state):
    fake.page_size = 2
    for i in range(5):
        fake.seed(timed(f"meeting {i}", 7 + i, 10))
    first = make(state).read(WEEK)
    first_requests = len(fake.log)
    first_lists = len(api_lists(fake))
    assert first_lists == 3 and len(first) == 5

    fake.clear_log()
    second = make(state).read(WEEK)  # a new run: new source object, same state file
    assert [e.instance_id for e in second] == [e.instance_id for e in first]
    assert len(fake.log) == 1, fake.log  # no token refresh, no paging, no gets
    only = fake.log[0]
    assert only.param("syncToken") and only.param("timeMin") is None
    assert only.param("timeMax") is None
    print(
        f"requests: first read {first_requests} ({first_lists} list pages + token refresh), "
        f"second read {len(fake.log)}"
    )


def test_incremental_sync_applies_changes_and_deletions(fake, make, state):
    a = fake.seed(timed("alpha", 7, 10))
    b = fake.seed(timed("beta", 8, 10))
    make(state).read(WEEK)
    fake.mutate(
        a["id"],
        {"summary": "alpha (moved)", **{k: v for k, v in timed("x", 9, 15).items() if k in ("start", "end")}},
    )
    fake.remove(b["id"])
    fake.seed(timed("gamma", 10, 11))
    fake.clear_log()
    events = make(state).read(WEEK)
    assert {e.title: e.start for e in events} == {"alpha (moved)": at(9, 15), "gamma": at(10, 11)}
    assert len(api_lists(fake)) == 1


def test_gone_sync_token_triggers_full_resync(fake, make, state):
    fake.seed(timed("alpha", 7, 10))
    make(state).read(WEEK)
    fake.expire_sync_tokens()
    fake.seed(timed("beta", 8, 10))
    fake.clear_log()
    events = make(state).read(WEEK)
    assert sorted(e.title for e in events) == ["alpha", "beta"]
    lists = api_lists(fake)
    assert [bool(r.param("syncToken")) for r in lists] == [True, False]
    assert lists[1].param("timeMin") and lists[1].param("timeMax")
    fake.clear_log()
    make(state).read(WEEK)  # the new token works again
    assert len(api_lists(fake)) == 1 and api_lists(fake)[0].param("syncToken")


def test_window_beyond_the_synced_horizon_syncs_in_full(fake, make, state):
    fake.seed(timed("now", 7, 10))
    source = make(state)
    source.read(WEEK)
    fake.clear_log()
    later = Window(WEEK.start + timedelta(days=70), WEEK.end + timedelta(days=70))
    assert source.read(later) == []
    assert api_lists(fake)[0].param("syncToken") is None
    assert api_lists(fake)[0].param("timeMin")


def test_events_are_cut_to_the_window(fake, make, state):
    fake.seed(timed("before", 3, 10))
    fake.seed(timed("inside", 8, 10))
    fake.seed(timed("after", 20, 10))
    assert [e.title for e in make(state).read(WEEK)] == ["inside"]
    assert [e.title for e in make(None).read(WEEK)] == ["inside"]


def test_without_state_every_read_is_a_windowed_listing(fake, make):
    fake.seed(timed("alpha", 7, 10))
    source = make(None)
    source.read(WEEK)
    source.read(WEEK)
    lists = api_lists(fake)
    assert len(lists) == 2 and all(r.param("timeMin") and not r.param("syncToken") for r in lists)


# --- retries and errors ------------------------------------------------------------


def test_429_honours_retry_after(fake, make, sleeps):
    fake.seed(timed("alpha", 7, 10))
    fake.inject(429, retry_after=1)
    events = make().read(WEEK)
    assert [e.title for e in events] == ["alpha"]
    assert sleeps == [1.0]
    assert len(api_lists(fake)) == 2


def test_500_then_success(fake, make, sleeps):
    fake.seed(timed("alpha", 7, 10))
    fake.inject(500)
    assert [e.title for e in make().read(WEEK)] == ["alpha"]
    assert len(sleeps) == 1 and 0 <= sleeps[0] <= 60


def test_403_rate_limit_is_retried_but_other_403_is_not(fake, make, sleeps):
    fake.seed(timed("alpha", 7, 10))
    fake.inject(403, reason="userRateLimitExceeded", retry_after=0)
    assert len(make().read(WEEK)) == 1
    assert sleeps == [0.0]
    fake.inject(403, reason="forbidden")
    with pytest.raises(ProviderError) as err:
        make().read(WEEK)
    assert "forbidden" in str(err.value)
    assert (err.value.status, err.value.reason) == (403, "forbidden")


def test_exhausted_retries_raise_provider_error_naming_the_calendar(fake, make, sleeps):
    fake.inject(500, count=10)
    with pytest.raises(ProviderError) as err:
        make(calendar="team@example.com", attempts=3).read(WEEK)
    assert err.value.exit_code == EXIT_PROVIDER == 3
    assert "team@example.com" in str(err.value)
    assert "3 tries" in str(err.value)
    assert "ya29" not in str(err.value) and "Bearer" not in str(err.value)
    assert len(sleeps) == 2
    assert len(api_lists(fake)) == 3


def test_unreachable_server_is_a_provider_error(make, fake, sleeps):
    source = make(attempts=2)
    source.api_endpoint = "http://127.0.0.1:9/calendar/v3/"  # discard port: refused
    with pytest.raises(ProviderError) as err:
        source.read(WEEK)
    assert "primary" in str(err.value) and "cannot reach" in str(err.value)


def test_revoked_token_is_an_auth_error_without_secrets(fake, make, token_file):
    fake.revoke()
    with pytest.raises(AuthError) as err:
        make().read(WEEK)
    text = str(err.value)
    assert "guardian auth google" in text
    for secret in ("fake-refresh-token", "client-secret-value", "stale-access-token"):
        assert secret not in text
    assert err.value.exit_code == 3


def test_access_token_rejected_mid_run_is_refreshed_or_reported(fake, make):
    fake.seed(timed("alpha", 7, 10))
    source = make()
    source.read(WEEK)
    fake.access_tokens.clear()  # the access token expired on the server's side
    assert len(source.read(WEEK)) == 1  # the client refreshes and repeats
    fake.revoke()
    with pytest.raises(AuthError) as err:
        source.read(WEEK)
    assert "ya29" not in str(err.value)


# --- mapping ---------------------------------------------------------------------


def test_field_mapping(fake, make):
    other = {
        "email": "ana@example.com",
        "displayName": "Ana",
        "responseStatus": "accepted",
        "organizer": True,
    }
    fake.seed(
        timed(
            "Design review",
            7,
            10,
            description='<p>Agenda:<br>decide on <a href="https://docs.google.com/document/d/1">'
            "the RFC</a></p>",
            organizer={"email": "ana@example.com", "displayName": "Ana"},
            creator={"email": "ana@example.com"},
            attendees=[
                other,
                {"email": ME, "self": True, "responseStatus": "tentative"},
                {"email": "bob@partner.org", "responseStatus": "needsAction", "optional": True},
                {
                    "email": "room-1@resource.calendar.google.com",
                    "resource": True,
                    "responseStatus": "accepted",
                },
            ],
            attachments=[{"fileUrl": "https://drive.google.com/file/d/2", "title": "Deck"}],
            conferenceData={
                "entryPoints": [
                    {"entryPointType": "video", "uri": "https://meet.google.com/aaa-bbbb-ccc"},
                    {"entryPointType": "phone", "uri": "tel:+49-30-1234"},
                ],
                "conferenceSolution": {"name": "Google Meet"},
            },
            hangoutLink="https://meet.google.com/aaa-bbbb-ccc",
            location="Room 1",
            created="2026-11-30T08:00:00.000Z",
        )
    )
    fake.seed(
        timed(
            "My own 1:1",
            8,
            9,
            attendees=[
                {"email": ME, "self": True, "organizer": True, "responseStatus": "accepted"},
                {"email": "cy@example.com", "responseStatus": "declined"},
            ],
        )
    )
    fake.seed(
        timed(
            "Declined sync",
            8,
            11,
            organizer={"email": "ana@example.com"},
            attendees=[
                {"email": ME, "self": True, "responseStatus": "declined"},
                {"email": "ana@example.com", "responseStatus": "accepted"},
            ],
        )
    )
    fake.seed(
        timed(
            "Invite",
            8,
            13,
            organizer={"email": "ana@example.com"},
            attendees=[
                {"email": ME, "self": True, "responseStatus": "needsAction"},
                {"email": "ana@example.com", "responseStatus": "accepted"},
            ],
        )
    )
    fake.seed(
        {
            "summary": "Holiday",
            "start": {"date": "2026-12-09"},
            "end": {"date": "2026-12-10"},
            "transparency": "transparent",
        }
    )
    fake.seed(timed("Lunch", 9, 12, transparency="transparent"))
    fake.seed(timed("Away", 10, 0, hours=24, eventType="outOfOffice"))
    fake.seed(
        timed(
            "Deep work",
            11,
            9,
            hours=2,
            eventType="focusTime",
            focusTimeProperties={"chatStatus": "doNotDisturb"},
        )
    )
    fake.seed(
        timed(
            "Office",
            7,
            8,
            hours=9,
            eventType="workingLocation",
            workingLocationProperties={"type": "officeLocation"},
        )
    )
    fake.seed(
        {
            "summary": "Ana's birthday",
            "eventType": "birthday",
            "start": {"date": "2026-12-11"},
            "end": {"date": "2026-12-12"},
        }
    )
    gone = fake.seed(timed("Cancelled", 11, 14))
    fake.remove(gone["id"])

    events = {e.title: e for e in make().read(WEEK)}
    assert set(events) == {
        "Design review",
        "My own 1:1",
        "Declined sync",
        "Invite",
        "Holiday",
        "Lunch",
        "Away",
        "Deep work",
    }

    review = events["Design review"]
    assert review.my_status is Status.TENTATIVE
    assert review.organizer.email == "ana@example.com" and review.organizer.name == "Ana"
    assert review.start == at(7, 10) and review.end == at(7, 11)
    assert review.created == datetime(2026, 11, 30, 8, tzinfo=UTC)
    assert "decide on" in review.description and "<p>" not in review.description
    kinds = {link.url: link.kind for link in review.links}
    assert kinds == {
        "https://docs.google.com/document/d/1": LinkKind.DOC,
        "https://drive.google.com/file/d/2": LinkKind.DOC,
        "https://meet.google.com/aaa-bbbb-ccc": LinkKind.CONFERENCE,
    }
    assert [a.email for a in review.people] == ["ana@example.com", ME, "bob@partner.org"]
    bob = next(a for a in review.attendees if a.email == "bob@partner.org")
    assert bob.optional and bob.status is Status.NEEDS_ACTION
    assert any(a.resource for a in review.attendees)
    assert review.external  # bob@partner.org
    assert review.location == "Room 1"
    assert review.provider_id and review.uid == review.provider_id
    assert review.busy and not review.all_day and not review.recurring
    assert review.source == "google:primary"

    assert events["My own 1:1"].my_status is Status.ORGANIZER
    assert not events["My own 1:1"].external
    assert events["Declined sync"].my_status is Status.DECLINED
    assert not events["Declined sync"].makes_me_busy
    assert events["Invite"].my_status is Status.NEEDS_ACTION

    holiday = events["Holiday"]
    assert holiday.all_day and holiday.start == at(9, 0) and holiday.end == at(10, 0)
    assert not holiday.busy
    assert not events["Lunch"].busy
    assert events["Away"].kind is EventKind.OUT_OF_OFFICE
    assert events["Deep work"].kind is EventKind.FOCUS and not events["Deep work"].own_block


def test_recurring_instances_and_series_end(fake, make, state):
    weekly = [at(7, 10) + timedelta(weeks=i) for i in range(3)]
    fake.seed_series(
        {
            "id": "untilseries",
            "summary": "Weekly sync",
            "start": {"dateTime": at(7, 10).isoformat(), "timeZone": "Europe/Berlin"},
            "end": {"dateTime": at(7, 11).isoformat(), "timeZone": "Europe/Berlin"},
            "recurrence": ["RRULE:FREQ=WEEKLY;UNTIL=20261221T225959Z"],
        },
        weekly,
    )
    fake.seed_series(
        {
            "id": "countseries",
            "summary": "Daily standup",
            "start": {"dateTime": at(7, 9).isoformat(), "timeZone": "Europe/Berlin"},
            "end": {"dateTime": at(7, 9, 15).isoformat(), "timeZone": "Europe/Berlin"},
            "recurrence": ["RRULE:FREQ=DAILY;COUNT=5", "EXDATE;TZID=Europe/Berlin:20261209T090000"],
        },
        [at(7 + i, 9) for i in range(5) if i != 2],
    )
    fake.seed_series(
        {
            "id": "endless",
            "summary": "1:1",
            "start": {"dateTime": at(8, 15).isoformat()},
            "end": {"dateTime": at(8, 15, 30).isoformat()},
            "recurrence": ["RRULE:FREQ=WEEKLY"],
        },
        [at(8, 15), at(15, 15)],
    )
    events = make(state).read(WEEK)
    by_title: dict[str, list] = {}
    for e in events:
        by_title.setdefault(e.title, []).append(e)
    assert len(by_title["Daily standup"]) == 4
    sync = by_title["Weekly sync"][0]
    assert sync.recurring and sync.uid == "untilseries"
    assert sync.recurrence_id == at(7, 10)
    assert sync.provider_id.startswith("untilseries_")
    assert sync.series_end == datetime(2026, 12, 21, 22, 59, 59, tzinfo=UTC)
    standup = by_title["Daily standup"]
    assert {e.series_end for e in standup} == {at(11, 9)}
    assert len({e.instance_id for e in standup}) == 4
    assert by_title["1:1"][0].series_end is None
    gets = fake.requests("GET", "/events/")
    assert len(gets) == 3  # one master per series

    fake.clear_log()
    make(state).read(WEEK)  # the series are remembered
    assert fake.requests("GET", "/events/") == []

    # truncating a series (its later instance is cancelled) makes guardian look again
    fake.masters["primary"]["endless"]["recurrence"] = ["RRULE:FREQ=WEEKLY;COUNT=1"]
    fake.remove("endless_" + at(15, 15).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ"))
    fake.clear_log()
    one = [e for e in make(state).read(WEEK) if e.title == "1:1"][0]
    assert one.series_end == at(8, 15)
    # the master once more, and the series' current instances (no ghost stays behind)
    assert sorted(r.path.rsplit("/", 1)[-1] for r in fake.requests("GET", "/events/")) == [
        "endless",
        "instances",
    ]


# --- the Source contract -------------------------------------------------------------


def seed_scenario(fake) -> None:
    """The contract's SCENARIO (tests/source_contract.py) as Google events."""
    fake.seed(timed("spans the window start", 6, 23, hours=2))
    fake.seed(timed("inside", 8, 10))
    fake.seed({"summary": "all day", "start": {"date": "2026-12-13"}, "end": {"date": "2026-12-14"}})
    fake.seed(timed("ends at the window start", 6, 23))  # half-open window: excluded
    fake.seed_series(
        {
            "id": "s1",
            "summary": "series",
            "start": {"dateTime": at(7, 9).isoformat()},
            "end": {"dateTime": at(7, 10).isoformat()},
            "recurrence": ["RRULE:FREQ=DAILY"],
        },
        [at(7 + i, 9) for i in range(10)],
    )


@pytest.mark.parametrize("with_state", [False, True])
def test_source_contract(fake, make, state, with_state):
    """What every Source promises, whatever the provider."""
    seed_scenario(fake)
    source = make(state if with_state else None)
    assert source.spec == "google:primary"
    assert_source_contract(source, WEEK)


@pytest.mark.parametrize("with_state", [False, True])
def test_block_writer_contract(fake, make, state, with_state):
    """Writes: a second apply of the same plan changes nothing; foreign events are refused."""
    seed_scenario(fake)
    source = make(state if with_state else None)

    def snapshot():
        return json.dumps(fake.items(include_cancelled=True), sort_keys=True)

    assert_block_writer_contract(source, WEEK, snapshot=snapshot)


def test_respond_contract(fake, make):
    """RSVP: the organizer sees my answer and my comment on the (shared) event."""
    seeded = fake.seed(
        timed(
            "Roadmap sync",
            8,
            15,
            organizer={"email": "ana@example.com", "displayName": "Ana"},
            attendees=[
                {"email": "ana@example.com", "organizer": True, "responseStatus": "accepted"},
                {"email": ME, "self": True, "responseStatus": "needsAction"},
            ],
        )
    )
    source = make()
    (invite,) = source.read(WEEK)
    statuses = {"accepted": Status.ACCEPTED, "tentative": Status.TENTATIVE, "declined": Status.DECLINED}

    def organizer_sees():
        mine = next(a for a in fake.get(seeded["id"])["attendees"] if a["email"] == ME)
        return statuses.get(mine["responseStatus"]), mine.get("comment")

    assert_respond_contract(source, invite, organizer_sees)


def test_series_master_not_visible_means_no_series_end(fake, make, state):
    fake.seed_series(
        {
            "id": "hidden",
            "summary": "Guest series",
            "start": {"dateTime": at(7, 9).isoformat()},
            "end": {"dateTime": at(7, 10).isoformat()},
            "recurrence": ["RRULE:FREQ=DAILY;COUNT=2"],
        },
        [at(7, 9), at(8, 9)],
    )
    del fake.masters["primary"]["hidden"]  # events.get answers 404
    events = make(state).read(WEEK)
    assert [e.series_end for e in events] == [None, None]
    assert len(fake.requests("GET", "/events/hidden")) == 1  # asked once, remembered


def test_a_group_calendar_id_is_not_taken_for_my_address(fake, token_file, sleeps):
    # a shared team calendar: Google names the calendar itself as organizer ("self"),
    # and neither its id nor its domain may make the attendees look external
    team = "c_0123abcd@group.calendar.google.com"
    fake.seed(
        timed(
            "Team sync",
            8,
            10,
            organizer={"email": team, "displayName": "Team", "self": True},
            creator={"email": ME},
            attendees=[
                {"email": ME, "responseStatus": "accepted"},
                {"email": "ana@example.com", "responseStatus": "accepted"},
            ],
        ),
        calendar_id=team,
    )
    conf = {"api_endpoint": fake.api_endpoint, "token_file": str(token_file)}
    for ident in (Identity(tz=TZ), Identity(tz=TZ, me=ME)):
        source = GoogleSource(team, ident, None, google_settings(conf), sleep=sleeps)
        (ev,) = source.read(WEEK)
        assert not ev.external, ident


def test_a_new_full_sync_reads_series_masters_again(fake, make, state):
    # a series cut short while guardian was not looking (no incremental sync saw its
    # cancelled instances) must not stay "endless" after a new horizon is listed in full
    fake.seed_series(
        {
            "id": "endless",
            "summary": "1:1",
            "start": {"dateTime": at(8, 15).isoformat()},
            "end": {"dateTime": at(8, 15, 30).isoformat()},
            "recurrence": ["RRULE:FREQ=WEEKLY"],
        },
        [at(8, 15) + timedelta(weeks=i) for i in range(12)],
    )
    first = [e for e in make(state).read(WEEK) if e.title == "1:1"][0]
    assert first.series_end is None
    fake.masters["primary"]["endless"]["recurrence"] = ["RRULE:FREQ=WEEKLY;UNTIL=20270301T000000Z"]
    later = Window(WEEK.start + timedelta(days=56), WEEK.end + timedelta(days=56))
    again = [e for e in make(state).read(later) if e.title == "1:1"][0]
    assert again.series_end == datetime(2027, 3, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("key", "value"),
    [("api_endpoint", "http://www.googleapis.com/calendar/v3/"), ("batch_uri", "http://proxy.example/batch")],
)
def test_the_token_never_goes_over_plain_http_except_to_loopback(tmp_path, key, value):
    from guardian.errors import InputError
    from tests.fakes.google_calendar import FakeGoogleCalendar, write_token_file

    with FakeGoogleCalendar() as fake:
        token = write_token_file(tmp_path / "t.json", fake)
        conf = {"api_endpoint": fake.api_endpoint, "token_file": str(token), key: value}
        with pytest.raises(InputError) as err:
            GoogleSource("primary", Identity(tz=UTC), None, google_settings(conf)).read(WEEK)
        assert err.value.exit_code == 2 and f"[google] {key}" in str(err.value) and "https" in str(err.value)
        assert fake.log == []  # not even the token refresh


# --- deleted and truncated series leave no ghost instances ------------------------------------


def _daily(fake, days: int = 5) -> None:
    fake.seed_series(
        {
            "id": "standup",
            "summary": "Standup",
            "start": {"dateTime": at(7, 9).isoformat(), "timeZone": "Europe/Berlin"},
            "end": {"dateTime": at(7, 9, 15).isoformat(), "timeZone": "Europe/Berlin"},
            "recurrence": ["RRULE:FREQ=DAILY;COUNT=5"],
        },
        [at(7 + i, 9) for i in range(days)],
    )


def test_a_deleted_series_leaves_no_ghost_instances(fake, make, state):
    _daily(fake)
    assert len([e for e in make(state).read(WEEK) if e.title == "Standup"]) == 5
    fake.delete_series("standup")  # the sync reports the master's id and one instance
    assert [e for e in make(state).read(WEEK) if e.title == "Standup"] == []


def test_a_truncated_series_leaves_no_ghost_instances(fake, make, state):
    _daily(fake)
    make(state).read(WEEK)
    fake.truncate_series("standup", at(9, 0))  # Mon and Tue stay, Wed-Fri go; one of them is reported
    fake.clear_log()
    left = [e.start for e in make(state).read(WEEK) if e.title == "Standup"]
    assert left == [at(7, 9), at(8, 9)]
    assert len(fake.requests("GET", "/instances")) == 1  # one look at that series, nothing more

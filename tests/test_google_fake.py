"""The Google Calendar fake itself behaves as Google documents (checked via the real client)."""

from __future__ import annotations

import json

import pytest

try:
    from tests.fakes.google_calendar import FakeGoogleCalendar
except ImportError:  # tests/ itself on sys.path (no package __init__)
    from fakes.google_calendar import FakeGoogleCalendar


@pytest.fixture
def fake():
    with FakeGoogleCalendar() as server:
        yield server


@pytest.fixture
def events(fake):
    from google.oauth2.credentials import Credentials
    from googleapiclient.discovery import build

    creds = Credentials(
        None, refresh_token="fake-refresh-token", token_uri=fake.token_uri, client_id="c", client_secret="s"
    )
    service = build(
        "calendar",
        "v3",
        credentials=creds,
        client_options={"api_endpoint": fake.api_endpoint},
        static_discovery=True,
        cache_discovery=False,
    )
    return service.events()


def error_of(exc) -> tuple[int, str]:
    body = json.loads(exc.content)
    return exc.resp.status, body["error"]["errors"][0]["reason"]


def ev(summary: str, day: int = 7, **extra) -> dict:
    return {
        "summary": summary,
        "start": {"dateTime": f"2026-12-{day:02d}T10:00:00+01:00"},
        "end": {"dateTime": f"2026-12-{day:02d}T11:00:00+01:00"},
        **extra,
    }


def test_sync_token_cannot_be_combined_with_a_time_range(fake, events):
    from googleapiclient.errors import HttpError

    token = events.list(calendarId="primary", singleEvents=True).execute()["nextSyncToken"]
    with pytest.raises(HttpError) as err:
        events.list(calendarId="primary", syncToken=token, timeMin="2026-12-01T00:00:00Z").execute()
    assert error_of(err.value) == (400, "invalid")
    with pytest.raises(HttpError) as err:
        events.list(calendarId="primary", syncToken="bogus").execute()
    assert error_of(err.value) == (410, "fullSyncRequired")


def test_time_bounds_need_an_offset(fake, events):
    from googleapiclient.errors import HttpError

    with pytest.raises(HttpError) as err:
        events.list(calendarId="primary", timeMin="2026-12-01T00:00:00").execute()
    assert err.value.resp.status == 400


def test_private_extended_property_filter_and_fields_mask(fake, events):
    fake.seed(ev("tagged", extendedProperties={"private": {"k": "v"}}))
    fake.seed(ev("other", extendedProperties={"private": {"k": "w"}}))
    fake.seed(ev("plain"))
    got = events.list(calendarId="primary", privateExtendedProperty="k=v", fields="items(summary)").execute()
    assert got == {"items": [{"summary": "tagged"}]}


def test_focus_time_only_on_primary_of_workspace_user(fake, events):
    from googleapiclient.errors import HttpError

    body = ev(
        "Focus",
        eventType="focusTime",
        focusTimeProperties={"autoDeclineMode": "declineNone", "chatStatus": "available"},
    )
    assert events.insert(calendarId="primary", body=body).execute()["eventType"] == "focusTime"
    fake.owned_calendars.add("team@group.calendar.google.com")  # a secondary calendar of mine
    with pytest.raises(HttpError) as err:
        events.insert(calendarId="team@group.calendar.google.com", body=body).execute()
    assert err.value.resp.status == 400
    bad = dict(body, focusTimeProperties={"autoDeclineMode": "sometimes"})
    with pytest.raises(HttpError):
        events.insert(calendarId="primary", body=bad).execute()
    fake.workspace = False
    with pytest.raises(HttpError):
        events.insert(calendarId="primary", body=body).execute()


def test_guest_can_only_change_their_own_answer(fake, events):
    from googleapiclient.errors import HttpError

    seeded = fake.seed(
        ev(
            "invite",
            organizer={"email": "ana@example.com"},
            attendees=[
                {"email": "ana@example.com", "organizer": True, "responseStatus": "accepted"},
                {"email": fake.owner, "self": True, "responseStatus": "needsAction"},
            ],
        )
    )
    with pytest.raises(HttpError) as err:
        events.patch(calendarId="primary", eventId=seeded["id"], body={"summary": "x"}).execute()
    assert error_of(err.value) == (403, "forbiddenForNonOrganizer")
    others_changed = [
        {"email": "ana@example.com", "responseStatus": "declined"},
        {"email": fake.owner, "responseStatus": "accepted"},
    ]
    with pytest.raises(HttpError):
        events.patch(calendarId="primary", eventId=seeded["id"], body={"attendees": others_changed}).execute()
    mine = [dict(seeded["attendees"][0]), {"email": fake.owner, "responseStatus": "accepted"}]
    done = events.patch(calendarId="primary", eventId=seeded["id"], body={"attendees": mine}).execute()
    assert done["attendees"][1]["responseStatus"] == "accepted"


def test_delete_twice_is_gone_and_incremental_sync_reports_it(fake, events):
    from googleapiclient.errors import HttpError

    token = events.list(calendarId="primary", singleEvents=True).execute()["nextSyncToken"]
    made = events.insert(calendarId="primary", body=ev("x")).execute()
    events.delete(calendarId="primary", eventId=made["id"]).execute()
    with pytest.raises(HttpError) as err:
        events.delete(calendarId="primary", eventId=made["id"]).execute()
    assert err.value.resp.status == 410
    changes = events.list(calendarId="primary", singleEvents=True, syncToken=token).execute()
    assert [(i["id"], i["status"]) for i in changes["items"]] == [(made["id"], "cancelled")]
    assert "nextSyncToken" in changes and "nextPageToken" not in changes


def test_requests_without_a_valid_token_are_401(fake):
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(fake.api_endpoint + "calendars/primary/events", timeout=5)
    assert err.value.code == 401

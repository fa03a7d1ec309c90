"""Held and defended blocks on Google and Outlook, through the real clients and the fakes.

A held block is free: Google `transparency: "transparent"` (and, as focusTime, declining
nothing), Outlook `showAs: "free"`. Defending it later is one PATCH of exactly that, the
same event at the same time: no move, no new block.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from guardian.adapters.sources.base import Identity
from guardian.adapters.sources.google.source import GoogleSource
from guardian.adapters.sources.outlook import auth as outlook_auth
from guardian.adapters.sources.outlook.source import OutlookSource
from guardian.core.model import Block, OpKind, Window
from guardian.domain.focus import reconcile
from tests.conftest import google_settings, outlook_settings

try:
    from tests.fakes.google_calendar import FakeGoogleCalendar, write_token_file
except ImportError:  # tests/ itself on sys.path
    from fakes.google_calendar import FakeGoogleCalendar, write_token_file

TZ = ZoneInfo("Europe/Berlin")
WEEK = Window(datetime(2026, 12, 7, tzinfo=TZ), datetime(2026, 12, 14, tzinfo=TZ))
NOW = datetime(2026, 12, 6, 20, tzinfo=TZ)
HELD = Block(datetime(2026, 12, 8, 9, tzinfo=TZ), datetime(2026, 12, 8, 11, tzinfo=TZ), defended=False)


@pytest.fixture
def google(tmp_path):
    with FakeGoogleCalendar(owner="me@example.com", tz="Europe/Berlin") as fake:
        token = write_token_file(tmp_path / "google-token.json", fake)
        settings = google_settings({"api_endpoint": fake.api_endpoint, "token_file": str(token)})
        source = GoogleSource("primary", Identity(tz=TZ, me="me@example.com"), None, settings)
        yield fake, source


def test_google_a_held_block_is_free_focus_time_that_declines_nothing(google):
    fake, source = google
    assert source.apply(reconcile([HELD], [], NOW)).created == 1
    [event] = fake.items()
    assert event["eventType"] == "focusTime" and event["transparency"] == "transparent"
    assert event["focusTimeProperties"]["autoDeclineMode"] == "declineNone"
    [own] = source.own_blocks(WEEK)
    assert not own.busy


def test_google_defending_it_is_one_patch_of_its_free_busy(google):
    fake, source = google
    source.apply(reconcile([HELD], [], NOW))
    fake.log.clear()
    ops = reconcile([replace(HELD, defended=True)], source.own_blocks(WEEK), NOW)
    assert [op.kind for op in ops] == [OpKind.DEFEND]
    assert source.apply(ops).switched == 1
    [patch] = [r for r in fake.log if r.method == "PATCH"]
    assert not [r for r in fake.log if r.method in ("POST", "DELETE") and r.path != "/token"]
    [event] = fake.items()
    assert event["transparency"] == "opaque"
    assert event["focusTimeProperties"]["autoDeclineMode"] == "declineOnlyNewConflictingInvitations"
    assert datetime.fromisoformat(event["start"]["dateTime"]) == HELD.start  # not moved
    assert patch.path.endswith(event["id"])


def test_google_where_focus_time_is_refused_a_held_block_is_a_free_busy_event(google):
    fake, source = google
    fake.workspace = False
    source.apply(reconcile([HELD], [], NOW))
    [event] = fake.items()
    assert event["eventType"] == "default" and event["transparency"] == "transparent"
    assert "focusTimeProperties" not in event
    ops = reconcile([replace(HELD, defended=True)], source.own_blocks(WEEK), NOW)
    source.apply(ops)
    [event] = fake.items()
    assert event["transparency"] == "opaque" and "focusTimeProperties" not in event


@pytest.fixture
def outlook(graph_fake, tmp_path, state):
    settings = outlook_settings(
        graph_fake.settings(token_cache=str(tmp_path / "outlook-token-cache.json"), attempts=3, delta=False)
    )
    outlook_auth.login(settings, prompt=lambda _m: None)
    graph_fake.clear_log()
    return graph_fake, OutlookSource("me", Identity(tz=TZ, me="me@contoso.com"), state, settings)


def test_outlook_a_held_block_shows_free_and_defending_it_patches_show_as(outlook):
    fake, source = outlook
    source.apply(reconcile([HELD], [], NOW))
    [event] = fake.events()
    assert event["showAs"] == "free"
    [own] = source.own_blocks(WEEK)
    assert not own.busy
    fake.clear_log()
    ops = reconcile([replace(HELD, defended=True)], source.own_blocks(WEEK), NOW)
    assert source.apply(ops).switched == 1
    [write] = fake.writes()
    assert write.method == "PATCH" and write.body == {"showAs": "busy"}
    [event] = fake.events()
    assert event["showAs"] == "busy"
    assert event["start"]["dateTime"].startswith(HELD.start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M"))
